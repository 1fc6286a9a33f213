"""Benchmark workloads of the hotel CRM beside hand-written SQL baselines, in one run.

Started by ``python3 -m hotel_tools bench`` inside the Python that imports Odoo, on a
database that has the addons installed without demo data. It loads the generator's data
with COPY, then times each workload and its baseline on the same data, alternately,
``--repeat`` times, and prints the medians and their ratio. ``--group`` (repeatable) runs
only some workload groups and loads only the data they need (bench/groups.py).
"""

import argparse
import io
import json
import statistics
import time

from hotel_data import generator

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

from . import groups

FIGURES_BASELINE = """
UPDATE res_partner p
   SET stay_count = COALESCE(a.stay_count, 0),
       night_count = COALESCE(a.night_count, 0),
       total_spend = COALESCE(a.total_spend, 0),
       stays_12m = COALESCE(a.stays_12m, 0),
       nights_12m = COALESCE(a.nights_12m, 0),
       spend_12m = COALESCE(a.spend_12m, 0),
       first_stay_date = a.first_stay_date,
       last_stay_date = a.last_stay_date,
       avg_lead_days = a.avg_lead_days,
       avg_los = a.avg_los,
       preferred_room_type_id = a.preferred_room_type_id,
       preferred_channel_id = a.preferred_channel_id
  FROM res_partner g
  LEFT JOIN (
        SELECT partner_id,
               COUNT(*) AS stay_count, SUM(nights) AS night_count,
               SUM(amount_company) AS total_spend,
               COUNT(*) FILTER (WHERE check_out >= %(since)s) AS stays_12m,
               SUM(nights) FILTER (WHERE check_out >= %(since)s) AS nights_12m,
               SUM(amount_company) FILTER (WHERE check_out >= %(since)s) AS spend_12m,
               MIN(check_in) AS first_stay_date, MAX(check_in) AS last_stay_date,
               ROUND(AVG(lead_days), 1) AS avg_lead_days, ROUND(AVG(nights), 1) AS avg_los,
               MODE() WITHIN GROUP (ORDER BY room_type_id) AS preferred_room_type_id,
               MODE() WITHIN GROUP (ORDER BY channel_id) AS preferred_channel_id
          FROM hotel_stay
         WHERE state IN ('in_house', 'checked_out')
         GROUP BY partner_id
  ) a ON a.partner_id = g.id
 WHERE g.is_guest AND p.id = g.id
"""

RESET_FIGURES = """
UPDATE res_partner SET stay_count = 0, night_count = 0, total_spend = 0, stays_12m = 0,
       nights_12m = 0, spend_12m = 0, first_stay_date = NULL, last_stay_date = NULL,
       avg_lead_days = NULL, avg_los = NULL, preferred_room_type_id = NULL,
       preferred_channel_id = NULL
 WHERE is_guest
"""

FIGURE_COLUMNS = (
    "stay_count, night_count, total_spend, stays_12m, nights_12m, spend_12m, first_stay_date, "
    "last_stay_date, avg_lead_days, avg_los, preferred_room_type_id, preferred_channel_id"
)


def _copy(cr, table, columns, rows):
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    cr._obj.copy_from(buf, table, columns=columns)


def _not_null_defaults(env, table, model, columns):
    """Give NOT NULL columns that COPY leaves out (added by other addons, e.g. account's
    autopost_bills) a temporary default taken from the ORM; returns the statements that
    remove those defaults again."""
    env.cr.execute("""
        SELECT column_name FROM information_schema.columns
         WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
    """, [table])
    missing = [c for (c,) in env.cr.fetchall() if c not in columns and c != "id"]
    defaults = env[model].default_get(missing)
    undo = []
    for column in missing:
        if column not in defaults:
            raise SystemExit(f"{table}.{column} is NOT NULL and has no default")
        env.cr.execute(SQL("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
                           SQL.identifier(table), SQL.identifier(column), defaults[column]))
        undo.append(SQL("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
                        SQL.identifier(table), SQL.identifier(column)))
    return undo


def load(env, n_guests, n_stays):
    """COPY the generator's guests and stays into the database; returns seconds spent."""
    cr = env.cr
    started = time.perf_counter()
    cny = env.ref("base.CNY")
    cny.active = True
    companies = {}
    for key, name in (("beijing", "Beijing Business Hotel"), ("hangzhou", "Hangzhou Resort"),
                      ("shanghai", "Shanghai City Hotel")):
        companies[key] = env["res.company"].create({"name": name, "currency_id": cny.id}).id
    ref = env.ref
    channels = {c: ref(f"hotel_crm.channel_{c}") for c in generator.CHANNELS}
    room_types = {c: ref(f"hotel_crm.room_type_{c}").id for c in generator.ROOM_TYPES}
    rate_plans = {c: ref(f"hotel_crm.rate_plan_{c}").id for c in generator.RATE_PLANS}
    env.flush_all()
    now = odoo.fields.Datetime.now()

    def guest_rows():
        for g in generator.iter_guests(n_guests):
            birthday = g["birthday"]
            yield (g["key"], g["name"], g["name"], g["email"] or None, g["phone"] or None, "t",
                   g["guest_type"], birthday, birthday.month if birthday else 0,
                   "t" if g["is_vip"] else "f", "t", "contact", "f", "t", 0, 0, 0, 0, 0, 0,
                   now, now, SUPERUSER_ID, SUPERUSER_ID)

    partner_columns = (
        "ref", "name", "complete_name", "email", "phone", "is_guest", "guest_type",
        "birthday", "birthday_month", "is_vip", "active", "type", "is_company",
        "partner_share", "stay_count", "night_count", "total_spend", "stays_12m",
        "nights_12m", "spend_12m", "create_date", "write_date", "create_uid", "write_uid",
    )
    undo = _not_null_defaults(env, "res_partner", "res.partner", partner_columns)
    _copy(cr, "res_partner", partner_columns, guest_rows())
    for statement in undo:
        cr.execute(statement)
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE is_guest "
               "AND commercial_partner_id IS NULL")
    cr.execute("SELECT ref, id FROM res_partner WHERE is_guest AND ref IS NOT NULL")
    guest_ids = dict(cr.fetchall())

    def stay_rows():
        for s in generator.iter_stays(n_guests, n_stays):
            total = round(s["amount_room"] + s["amount_fb"] + s["amount_other"], 2)
            nights = (s["check_out"] - s["check_in"]).days
            lead = max((s["check_in"] - s["booked_on"]).days, 0)
            channel = channels[s["channel_code"]]
            yield (guest_ids[s["guest_key"]], companies[s["property_key"]], channel.id,
                   channel.channel_type, s["booking_ref"], s["booked_on"], s["check_in"],
                   s["check_out"], nights, lead, room_types[s["room_type_code"]],
                   rate_plans[s["rate_plan_code"]], s["booking_type"], s["adults"],
                   s["children"], s["state"], cny.id, s["amount_room"], s["amount_fb"],
                   s["amount_other"], total, total, now, now, SUPERUSER_ID, SUPERUSER_ID)

    _copy(cr, "hotel_stay",
          ("partner_id", "company_id", "channel_id", "channel_type", "booking_ref", "booked_on",
           "check_in", "check_out", "nights", "lead_days", "room_type_id", "rate_plan_id",
           "booking_type", "adults", "children", "state", "currency_id", "amount_room",
           "amount_fb", "amount_other", "amount_total", "amount_company", "create_date",
           "write_date", "create_uid", "write_uid"),
          stay_rows())
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE hotel_stay")
    cr.commit()
    return time.perf_counter() - started


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def bench_figures(registry, repeat, today):
    from dateutil.relativedelta import relativedelta

    since = today - relativedelta(months=12)
    project, baseline, steady = [], [], []
    for _ in range(repeat):
        with registry.cursor() as cr:
            cr.execute(RESET_FIGURES)
            cr.commit()
            baseline.append(timed(lambda: cr.execute(FIGURES_BASELINE, {"since": since})))
            cr.execute(f"CREATE TEMP TABLE expected AS SELECT id, {FIGURE_COLUMNS} "  # noqa: S608
                       "FROM res_partner WHERE is_guest")
            cr.commit()
            cr.execute(RESET_FIGURES)
            cr.commit()
            env = api.Environment(cr, SUPERUSER_ID, {})

            def run_project(cr=cr, partners=env["res.partner"]):
                partners._hotel_recompute_figures(today=today)
                cr.commit()

            project.append(timed(run_project))
            steady.append(timed(run_project))
            cr.execute(f"""
                SELECT COUNT(*) FROM res_partner p JOIN expected e ON e.id = p.id
                 WHERE (e.stay_count, e.night_count, e.total_spend, e.stays_12m, e.nights_12m,
                        e.spend_12m, e.first_stay_date, e.last_stay_date, e.avg_lead_days,
                        e.avg_los, e.preferred_room_type_id, e.preferred_channel_id)
                       IS DISTINCT FROM
                       ({", ".join("p." + c.strip() for c in FIGURE_COLUMNS.split(","))})
            """)  # noqa: S608
            mismatches = cr.fetchone()[0]
            cr.execute("DROP TABLE expected")
            cr.commit()
            if mismatches:
                raise SystemExit(f"figures differ from the SQL baseline for {mismatches} guests")
    return statistics.median(project), statistics.median(baseline), statistics.median(steady)


# ---------------------------------------------------------------------------------------
# hotel_loyalty
# ---------------------------------------------------------------------------------------
def load_loyalty(env, ledger_per_member=20):
    """One member per guest and `ledger_per_member` earn lines each, with COPY."""
    started = time.perf_counter()
    members = load_members(env)
    lines = load_ledger(env, ledger_per_member)
    return members, lines, time.perf_counter() - started


def load_members(env):
    """One member per guest who stayed, at the entry tier; returns their number."""
    cr = env.cr
    entry = env.ref("hotel_loyalty.tier_member").id
    cr.execute("""
        INSERT INTO hotel_loyalty_member
               (partner_id, member_number, join_date, company_id, active, tier_id,
                tier_since, tier_valid_until, points_balance, window_spend, window_stays,
                create_uid, write_uid, create_date, write_date)
        SELECT p.id, 'B' || lpad(p.id::text, 9, '0'), %(start)s,
               (SELECT company_id FROM hotel_stay s WHERE s.partner_id = p.id LIMIT 1),
               TRUE, %(entry)s, %(start)s, %(start)s, 0, 0, 0, 1, 1, now(), now()
          FROM res_partner p WHERE p.is_guest
           AND EXISTS (SELECT 1 FROM hotel_stay s WHERE s.partner_id = p.id)
    """, {"start": generator.ANCHOR.replace(year=generator.ANCHOR.year - 1), "entry": entry})
    cr.execute("ANALYZE hotel_loyalty_member")
    cr.execute("SELECT COUNT(*) FROM hotel_loyalty_member")
    members = cr.fetchone()[0]
    cr.commit()
    return members


def load_ledger(env, ledger_per_member=20):
    """`ledger_per_member` earn lines for each member; returns the ledger's size."""
    cr = env.cr
    cr.execute("""
        INSERT INTO hotel_loyalty_ledger
               (member_id, partner_id, company_id, date, kind, points, remaining, expiry_date,
                res_model, res_id, source_name, multiplier, user_id, create_uid, write_uid,
                create_date, write_date)
        SELECT m.id, m.partner_id, m.company_id,
               %(anchor)s::date - (n * 17 %% 700), 'earn', 50 + (m.id * n) %% 900,
               50 + (m.id * n) %% 900, %(anchor)s::date - (n * 17 %% 700) + 730,
               'bench.source', m.id * 100 + n, 'bench', 1, 1, 1, 1, now(), now()
          FROM hotel_loyalty_member m CROSS JOIN generate_series(1, %(per)s) n
    """, {"anchor": generator.ANCHOR, "per": ledger_per_member})
    cr.execute("ANALYZE hotel_loyalty_ledger")
    cr.execute("SELECT COUNT(*) FROM hotel_loyalty_ledger")
    lines = cr.fetchone()[0]
    cr.commit()
    return lines


TIERS_BASELINE = """
WITH figures AS (
    SELECT m.id AS member_id, m.tier_id, m.tier_valid_until,
           COALESCE(SUM(s.amount_company), 0) AS spend, COUNT(s.id) AS stays
      FROM hotel_loyalty_member m
      LEFT JOIN hotel_stay s ON s.partner_id = m.partner_id
            AND s.state IN ('in_house', 'checked_out')
            AND s.check_out >= %(today)s::date - interval '12 months'
     WHERE m.active GROUP BY m.id
), tiers AS (
    SELECT id, spend_threshold, stay_threshold, threshold_strict AS strict,
           ROW_NUMBER() OVER (ORDER BY sequence, id) AS rank
      FROM hotel_loyalty_tier WHERE active
), decided AS (
    SELECT f.*, cur.rank AS cur_rank, r.id AS reached_id, r.rank AS reached_rank,
           below.id AS below_id,
           f.tier_valid_until + 30 <= %(today)s::date AS period_over
      FROM figures f
      JOIN tiers cur ON cur.id = f.tier_id
      LEFT JOIN tiers below ON below.rank = cur.rank - 1
      CROSS JOIN LATERAL (
          SELECT t.id, t.rank FROM tiers t
           WHERE (CASE WHEN t.strict THEN f.spend > t.spend_threshold
                       ELSE f.spend >= t.spend_threshold END)
              OR (CASE WHEN t.strict THEN f.stays > t.stay_threshold
                       ELSE f.stays >= t.stay_threshold END)
           ORDER BY t.rank DESC LIMIT 1) r
), changes AS (
    SELECT member_id, spend, stays,
           CASE WHEN reached_rank > cur_rank THEN reached_id
                WHEN reached_rank < cur_rank THEN below_id ELSE tier_id END AS new_tier,
           CASE WHEN reached_rank > cur_rank THEN 'upgrade'
                WHEN reached_rank < cur_rank THEN 'downgrade' ELSE 'renewal' END AS kind
      FROM decided
     WHERE reached_rank > cur_rank OR period_over
), hist AS (
    INSERT INTO hotel_loyalty_tier_history
           (member_id, date, old_tier_id, new_tier_id, kind, reason, window_spend,
            window_stays, create_uid, write_uid, create_date, write_date)
    SELECT c.member_id, %(today)s, m.tier_id, c.new_tier, c.kind, 'baseline', c.spend,
           c.stays, 1, 1, now(), now()
      FROM changes c JOIN hotel_loyalty_member m ON m.id = c.member_id
)
UPDATE hotel_loyalty_member m
   SET window_spend = f.spend, window_stays = f.stays,
       tier_id = COALESCE(c.new_tier, m.tier_id),
       tier_since = CASE WHEN c.kind IS NULL OR c.kind = 'renewal' THEN m.tier_since
                         ELSE %(today)s END,
       tier_valid_until = CASE WHEN c.kind IS NULL THEN m.tier_valid_until
                               ELSE %(today)s::date + interval '12 months' END
  FROM figures f LEFT JOIN changes c ON c.member_id = f.member_id
 WHERE m.id = f.member_id
"""

RESET_TIERS = """
UPDATE hotel_loyalty_member
   SET tier_id = %(entry)s, tier_since = %(start)s, tier_valid_until = %(start)s,
       window_spend = 0, window_stays = 0;
DELETE FROM hotel_loyalty_tier_history;
"""


def bench_tiers(registry, repeat, today):
    project, baseline = [], []
    start = today.replace(year=today.year - 1)
    for _ in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            reset = {"entry": env.ref("hotel_loyalty.tier_member").id, "start": start}
            cr.execute(RESET_TIERS, reset)
            cr.commit()
            baseline.append(timed(lambda cr=cr: (cr.execute(TIERS_BASELINE, {"today": today}),
                                                 cr.commit())))
            cr.execute("CREATE TEMP TABLE expected AS SELECT id, tier_id, window_spend, "
                       "window_stays FROM hotel_loyalty_member")
            cr.execute("SELECT COUNT(*) FROM hotel_loyalty_tier_history")
            expected_history = cr.fetchone()[0]
            cr.execute(RESET_TIERS, reset)
            cr.commit()

            def run_project(cr=cr, members=env["hotel.loyalty.member"]):
                members._run_tier_evaluation(today=today)
                cr.commit()

            project.append(timed(run_project))
            cr.execute("""
                SELECT COUNT(*) FROM hotel_loyalty_member m JOIN expected e ON e.id = m.id
                 WHERE (m.tier_id, m.window_spend, m.window_stays)
                       IS DISTINCT FROM (e.tier_id, e.window_spend, e.window_stays)
            """)
            mismatches = cr.fetchone()[0]
            cr.execute("SELECT COUNT(*) FROM hotel_loyalty_tier_history")
            history = cr.fetchone()[0]
            cr.execute("DROP TABLE expected")
            cr.commit()
            if mismatches or history != expected_history:
                raise SystemExit(f"tiers differ from the SQL baseline: {mismatches} members, "
                                 f"{history} vs {expected_history} history rows")
    return statistics.median(project), statistics.median(baseline)


def bench_nightly(registry, today, changed):
    """The nightly figures (and tags) and tier jobs as they run each night: on a quiet night,
    and after a day in which ``changed`` stays were written, beside the full recompute. The
    data are as the figures and tiers workloads left them for ``today``; the mark says the
    last run was the night before. Returns rows (label, seconds) and the mismatches the full
    recompute finds afterwards (0: the nightly result is the full one)."""
    import datetime as dt

    from odoo.addons.hotel_crm.tools.nightly import PARAM

    loyalty = "hotel.loyalty.member" in registry
    marketing = "hotel.marketing.attribution" in registry
    results, mismatches = [], 0
    for label, count in (("quiet night", 0), (f"{changed:,} stays written that day", changed)):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("SELECT now() AT TIME ZONE 'UTC'")
            since = cr.fetchone()[0]
            for job in ("figures", "tiers", "rfm"):
                env["ir.config_parameter"].set_param(PARAM % job, json.dumps({
                    "since": odoo.fields.Datetime.to_string(since),
                    "day": odoo.fields.Date.to_string(today - dt.timedelta(days=1)),
                    "months": 24}))
            cr.commit()
        if count:
            with registry.cursor() as cr:
                cr.execute("SELECT COUNT(*) FROM hotel_stay")
                step = max(cr.fetchone()[0] // count, 1)
                cr.execute(
                    "UPDATE hotel_stay SET amount_company = amount_company + 100, "
                    "amount_total = amount_total + 100, amount_room = amount_room + 100, "
                    "write_date = now() AT TIME ZONE 'UTC' WHERE id %% %s = 0", [step])
                cr.commit()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            seconds = timed(lambda env=env, cr=cr: (
                env["res.partner"]._cron_hotel_recompute_figures(today=today), cr.commit()))
            results.append((f"nightly figures and tags, {label}", seconds))
        if loyalty:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                seconds = timed(lambda env=env, cr=cr: (
                    env["hotel.loyalty.member"]._cron_evaluate_tiers(today=today),
                    cr.commit()))
                results.append((f"nightly tier evaluation, {label}", seconds))
        if marketing:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                seconds = timed(lambda env=env, cr=cr: (
                    env["res.partner"]._hotel_nightly_rfm(today=today), cr.commit()))
                results.append((f"nightly RFM, {label}", seconds))
    # what a full recompute would still change is what the nightly jobs missed
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        mismatches += env["res.partner"]._hotel_recompute_figures(today=today)
        if marketing:
            mismatches += env["res.partner"]._hotel_recompute_rfm(today=today)
        if loyalty:
            env["hotel.loyalty.member"].flush_model()
            cr.execute("CREATE TEMP TABLE nightly AS SELECT id, tier_id, window_spend, "
                       "window_stays FROM hotel_loyalty_member")
            env["hotel.loyalty.member"]._run_tier_evaluation(today=today)
            cr.execute("""
                SELECT COUNT(*) FROM hotel_loyalty_member m JOIN nightly n ON n.id = m.id
                 WHERE (m.tier_id, m.window_spend, m.window_stays)
                       IS DISTINCT FROM (n.tier_id, n.window_spend, n.window_stays)""")
            mismatches += cr.fetchone()[0]
        cr.rollback()
    return results, mismatches


BALANCE_BASELINE = """
UPDATE hotel_loyalty_member m SET points_balance = b.points
  FROM (SELECT member_id, SUM(points) AS points FROM hotel_loyalty_ledger
         GROUP BY member_id) b
 WHERE m.id = b.member_id
"""


def bench_balances(registry, repeat):
    project, baseline = [], []
    for _ in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("UPDATE hotel_loyalty_member SET points_balance = 0")
            cr.commit()
            baseline.append(timed(lambda cr=cr: (cr.execute(BALANCE_BASELINE), cr.commit())))
            cr.execute("CREATE TEMP TABLE expected AS SELECT id, points_balance "
                       "FROM hotel_loyalty_member")
            cr.execute("UPDATE hotel_loyalty_member SET points_balance = 0")
            cr.commit()

            def run_project(cr=cr, env=env):
                env["hotel.loyalty.member"].search([])._refresh_balance()
                cr.commit()

            project.append(timed(run_project))
            cr.execute("SELECT COUNT(*) FROM hotel_loyalty_member m JOIN expected e "
                       "ON e.id = m.id WHERE m.points_balance <> e.points_balance")
            mismatches = cr.fetchone()[0]
            cr.execute("DROP TABLE expected")
            cr.commit()
            if mismatches:
                raise SystemExit(f"balances differ from the SQL baseline for {mismatches}")
    return statistics.median(project), statistics.median(baseline)


# ---------------------------------------------------------------------------------------
# hotel_feedback
# ---------------------------------------------------------------------------------------
def load_feedback(env, n_tickets, now):
    """`n_tickets` open tickets on the bench guests; about a third past a deadline."""
    cr = env.cr
    started = time.perf_counter()
    stage = env.ref("hotel_feedback.stage_new").id
    category = env.ref("hotel_feedback.category_cleanliness")
    sla = env.ref("hotel_feedback.sla_default").id
    cr.execute("""
        WITH mem AS (SELECT array_agg(partner_id ORDER BY id) AS partners,
                            array_agg(company_id ORDER BY id) AS companies,
                            COUNT(*) AS k FROM hotel_loyalty_member)
        INSERT INTO hotel_feedback
               (name, reference, partner_id, company_id, channel, category_id, team_id,
                priority, stage_id, is_closed, sla_id, received_date, opened_date,
                reply_deadline, resolve_deadline, first_reply_date, reply_hours,
                reply_escalated, resolve_escalated, create_uid, write_uid, create_date,
                write_date)
        SELECT 'Bench feedback ' || n, 'B' || n, mem.partners[1 + n %% mem.k],
               mem.companies[1 + n %% mem.k], 'phone', %(cat)s, %(team)s, '1', %(stage)s,
               FALSE, %(sla)s, r.received, r.received,
               r.received + interval '24 hours', r.received + interval '72 hours',
               CASE WHEN n %% 3 = 0 THEN r.received + interval '5 hours' END,
               CASE WHEN n %% 3 = 0 THEN 5 END, FALSE, FALSE, 1, 1, now(), now()
          FROM generate_series(1, %(n)s) n
          CROSS JOIN mem
          CROSS JOIN LATERAL (SELECT %(now)s::timestamp
                                     - make_interval(mins => (n * 37) %% (100 * 60)) AS received)
                             r
    """, {"n": n_tickets, "now": now, "stage": stage, "cat": category.id,
          "team": category.team_id.id, "sla": sla})
    cr.execute("ANALYZE hotel_feedback")
    cr.commit()
    return time.perf_counter() - started


BREACH_BASELINE = """
SELECT id FROM hotel_feedback
 WHERE NOT is_closed
   AND ((first_reply_date IS NULL AND reply_deadline < %(now)s AND NOT reply_escalated)
     OR (resolved_date IS NULL AND resolve_deadline < %(now)s AND NOT resolve_escalated))
 ORDER BY id
"""


def bench_breach_scan(registry, repeat, now):
    project, baseline = [], []
    for _ in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("UPDATE hotel_feedback SET reply_escalated = FALSE, "
                       "resolve_escalated = FALSE")
            cr.commit()
            found = {}

            def run_baseline(cr=cr, found=found):
                cr.execute(BREACH_BASELINE, {"now": now})
                found["sql"] = [r[0] for r in cr.fetchall()]

            def run_project(cr=cr, tickets=env["hotel.feedback"], found=found):
                cr.execute(tickets._breached_sql(now))
                found["project"] = tickets.browse([r[0] for r in cr.fetchall()]).ids

            baseline.append(timed(run_baseline))
            project.append(timed(run_project))
            if found["sql"] != found["project"] or not found["sql"]:
                raise SystemExit("the breach scan differs from the SQL baseline")
    return statistics.median(project), statistics.median(baseline), len(found["sql"])


def bench_sla_refresh(registry, now):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("UPDATE hotel_feedback SET reply_sla_state = NULL, "
                   "resolve_sla_state = NULL, sla_state = NULL")
        cr.commit()
        seconds = timed(lambda: cr.execute(env["hotel.feedback"]._sla_states_sql(None, now)))
        cr.commit()
        return seconds


KPI_BASELINE = """
SELECT (SELECT COUNT(*) FROM survey_user_input
         WHERE state = 'done' AND hotel_company_id = %(company)s
           AND end_datetime >= %(start)s AND end_datetime < %(end)s) AS surveys,
       (SELECT AVG(rating) FROM hotel_review
         WHERE company_id = %(company)s AND date >= %(start)s AND date < %(end)s) AS rating,
       t.*
  FROM (SELECT COUNT(*) AS tickets,
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY reply_hours)
                   FILTER (WHERE first_reply_date IS NOT NULL) AS reply_p50,
               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY reply_hours)
                   FILTER (WHERE first_reply_date IS NOT NULL) AS reply_p90,
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY resolve_hours)
                   FILTER (WHERE resolved_date IS NOT NULL) AS resolve_p50,
               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY resolve_hours)
                   FILTER (WHERE resolved_date IS NOT NULL) AS resolve_p90,
               COUNT(*) FILTER (WHERE reply_sla_state = 'met') AS reply_met,
               COUNT(*) FILTER (WHERE resolve_sla_state = 'met') AS resolve_met,
               COUNT(*) FILTER (WHERE auto_category_id IS NOT NULL
                                  AND NOT category_corrected) AS kept
          FROM hotel_feedback
         WHERE company_id = %(company)s
           AND received_date >= %(start)s AND received_date < %(end)s) t,
       (SELECT json_agg(x) AS by_category
          FROM (SELECT c.name->>'en_US' AS category, COUNT(*) AS n
                  FROM hotel_feedback f JOIN hotel_feedback_category c ON c.id = f.category_id
                 WHERE f.company_id = %(company)s
                   AND f.received_date >= %(start)s AND f.received_date < %(end)s
                 GROUP BY 1) x) cats
"""


def bench_kpi(registry, repeat, today):
    from datetime import timedelta

    project, baseline = [], []
    start = today.replace(month=1 + 3 * ((today.month - 1) // 3), day=1)
    end = (start + timedelta(days=92)).replace(day=1) - timedelta(days=1)
    for _ in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("SELECT company_id FROM hotel_feedback GROUP BY 1 ORDER BY COUNT(*) DESC "
                       "LIMIT 1")
            company = env["res.company"].browse(cr.fetchone()[0])
            config = env["hotel.feedback.config"]._for_company(company)
            params = {"company": company.id, "start": start, "end": end + timedelta(days=1)}
            result = {}
            baseline.append(timed(lambda cr=cr, params=params, result=result: (
                cr.execute(KPI_BASELINE, params), result.setdefault("sql", cr.fetchone()))))
            project.append(timed(lambda config=config, result=result: result.setdefault(
                "project", config._kpi_figures(start, end))))
            sql, fig = result["sql"], result["project"]
            if (sql[2], sql[3], sql[4]) != (fig["tickets"], fig["reply_p50"], fig["reply_p90"]):
                raise SystemExit(f"KPI differ from the SQL baseline: {sql} vs {fig}")
    return statistics.median(project), statistics.median(baseline)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--group", action="extend", type=groups.group_arg,
                        help="workload group(s) to run, repeatable or comma-separated "
                             f"({', '.join(groups.NAMES)}; default: all)")
    parser.add_argument("--guests", type=int, default=groups.DEFAULT_SIZES["guests"])
    parser.add_argument("--stays", type=int, default=groups.DEFAULT_SIZES["stays"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=groups.DEFAULT_SIZES["tickets"])
    # hotel_import (issue 6), see bench/importing.py
    parser.add_argument("--import-guests", type=int,
                        default=groups.DEFAULT_SIZES["import_guests"])
    parser.add_argument("--import-stays", type=int,
                        default=groups.DEFAULT_SIZES["import_stays"])
    parser.add_argument("--dedup-guests", type=int, default=groups.DEFAULT_SIZES["dedup_guests"])
    parser.add_argument("--nightly-changes", type=int, default=1000,
                        help="stays written during the day before the nightly run (chain)")
    # seconds spent in each step and workload, as JSON (to measure the cost model again)
    parser.add_argument("--timings", help=argparse.SUPPRESS)
    args = parser.parse_args()
    chosen = groups.select(args.group)
    items = groups.plan(chosen)
    sizes = {name: getattr(args, name) for name in groups.DEFAULT_SIZES}
    clock = groups.Clock()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    today = generator.ANCHOR
    print(f"groups: {', '.join(g.name for g in chosen)}", flush=True)

    def env_of(cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    if "guests_stays" in items:
        with registry.cursor() as cr, clock("guests_stays"):
            print(f"loading {args.guests:,} guests and {args.stays:,} stays …", flush=True)
            seconds = load(env_of(cr), args.guests, args.stays)
            cr.execute("SELECT COUNT(*) FROM hotel_stay")
            print(f"loaded in {seconds:.1f} s ({cr.fetchone()[0]:,} stays)", flush=True)

    rows, notes = [], []
    steady = None
    if "figures" in items:
        with clock("figures"):
            project, baseline, steady = bench_figures(registry, args.repeat, today)
        rows.append(("guest figures (G4), all guests", project, baseline))
    if "figures_state" in items:
        # what the figures workload leaves behind, for the groups that read the figures
        with registry.cursor() as cr, clock("figures_state"):
            env_of(cr)["res.partner"]._hotel_recompute_figures(today=today)
            cr.commit()
    loyalty = "hotel.loyalty.member" in registry
    if loyalty and "members" in items:
        with registry.cursor() as cr:
            started = time.perf_counter()
            with clock("members"):
                members = load_members(env_of(cr))
            lines = 0
            if "ledger" in items:
                with clock("ledger"):
                    lines = load_ledger(env_of(cr))
        print(f"loyalty: {members:,} members, {lines:,} ledger lines loaded in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    if loyalty and "tiers" in items:
        with clock("tiers"):
            rows.append(("tier evaluation, all members",
                         *bench_tiers(registry, args.repeat, today)))
    if loyalty and "balances" in items:
        with clock("balances"):
            rows.append(("points balances, all members", *bench_balances(registry, args.repeat)))
    if loyalty and "tiers_state" in items:
        # the tiers the tier workload leaves behind, for the marketing segment
        with registry.cursor() as cr, clock("tiers_state"):
            env_of(cr)["hotel.loyalty.member"]._run_tier_evaluation(today=today)
            cr.commit()
    if "hotel.feedback" in registry and loyalty and "tickets" in items:
        import datetime as dt

        now = dt.datetime.combine(today, dt.time(12, 0))
        with registry.cursor() as cr, clock("tickets"):
            seconds = load_feedback(env_of(cr), args.tickets, now)
        print(f"feedback: {args.tickets:,} open tickets loaded in {seconds:.1f} s", flush=True)
        with clock("sla_refresh"):
            refresh = bench_sla_refresh(registry, now)
        with clock("breach"):
            proj, base, found = bench_breach_scan(registry, args.repeat, now)
        rows.append((f"SLA breach scan ({found:,} found)", proj, base))
        with clock("kpi"):
            rows.append(("KPI figures, one property and quarter",
                         *bench_kpi(registry, args.repeat, today)))
        notes.append(f"SLA states of all {args.tickets:,} open tickets refreshed in one "
                     f"UPDATE: {refresh:.2f} s")
    # --- hotel_marketing (issue 5): workloads live in bench/marketing.py ---------------
    marketing_items = [i for i in ("segment", "rfm", "attribution") if i in items]
    if "hotel.marketing.attribution" in registry and loyalty and marketing_items:
        from bench import marketing

        marketing_rows, marketing_notes = marketing.run(
            registry, args.repeat, today, args.guests, workloads=marketing_items, clock=clock
        )
        rows += marketing_rows
        notes += marketing_notes
    # --- end hotel_marketing --------------------------------------------------------------
    if "nightly" in items:
        with clock("nightly"):
            nightly_rows, missed = bench_nightly(registry, today, args.nightly_changes)
        for label, seconds in nightly_rows:
            notes.append(f"{label}: {seconds:.2f} s")
        notes.append(f"after the nightly runs, a full recompute changed {missed} guests' "
                     "figures and members' tiers (0: the nightly result is the full one)")
        if missed:
            raise SystemExit(f"the nightly jobs missed {missed} guests or members")
    # --- hotel_import (issue 6): workloads in bench/importing.py ---------------------------
    if "hotel.import.wizard" in registry:
        from . import importing

        if "import" in items and args.import_guests:
            with clock("import"):
                import_rows, import_notes = importing.run_import(
                    registry, args.import_guests, args.import_stays)
            rows += import_rows
            notes += import_notes
        if "dedup" in items and args.dedup_guests:
            import_rows, import_notes = importing.run_dedup(
                registry, args.dedup_guests, args.repeat, clock=clock)
            rows += import_rows
            notes += import_notes
    # ----------------------------------------------------------------------------------------
    print()
    print(f"{'workload':<40} {'project s':>10} {'SQL s':>10} {'ratio':>7}")
    for name, proj, base in rows:
        print(f"{name:<40} {proj:>10.2f} {base:>10.2f} {proj / base:>7.2f}")
        if name.startswith("guest figures"):
            print(f"{'  same job, nothing changed (steady)':<40} {steady:>10.2f} {'':>10} "
                  f"{steady / baseline:>7.2f}")
    for note in notes:
        print(note)
    print(f"\n{args.guests:,} guests, {args.stays:,} stays, median of {args.repeat} runs; "
          "each workload stored the same results as its baseline (checked row by row).")
    print("time spent (the database's creation aside):")
    for line in groups.spent_lines(chosen, clock.spent, sizes, args.repeat):
        print(line)
    if args.timings:
        with open(args.timings, "w", encoding="utf-8") as out:
            json.dump({"sizes": sizes, "repeat": args.repeat, "spent": clock.spent}, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
