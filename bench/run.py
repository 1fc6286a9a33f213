"""Benchmark workloads of the hotel CRM beside hand-written SQL baselines, in one run.

Started by ``python3 -m hotel_tools bench`` inside the Python that imports Odoo, on a
database that has the addons installed without demo data. It loads the generator's data
with COPY, then times each workload and its baseline on the same data, alternately,
``--repeat`` times, and prints the medians and their ratio.
"""

import argparse
import io
import statistics
import time

from hotel_data import generator

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

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

    _copy(cr, "res_partner",
          ("ref", "name", "complete_name", "email", "phone", "is_guest", "guest_type",
           "birthday", "birthday_month", "is_vip", "active", "type", "is_company",
           "partner_share", "stay_count", "night_count", "total_spend", "stays_12m",
           "nights_12m", "spend_12m", "create_date", "write_date", "create_uid", "write_uid"),
          guest_rows())
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--stays", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        print(f"loading {args.guests:,} guests and {args.stays:,} stays …", flush=True)
        seconds = load(env, args.guests, args.stays)
        cr.execute("SELECT COUNT(*) FROM hotel_stay")
        print(f"loaded in {seconds:.1f} s ({cr.fetchone()[0]:,} stays)", flush=True)

    rows = []
    project, baseline, steady = bench_figures(registry, args.repeat, generator.ANCHOR)
    rows.append(("guest figures (G4), all guests", project, baseline))
    print()
    print(f"{'workload':<40} {'project s':>10} {'SQL s':>10} {'ratio':>7}")
    for name, proj, base in rows:
        print(f"{name:<40} {proj:>10.2f} {base:>10.2f} {proj / base:>7.2f}")
    print(f"{'  same job, nothing changed (steady)':<40} {steady:>10.2f} {'':>10} "
          f"{steady / baseline:>7.2f}")
    print(f"\n{args.guests:,} guests, {args.stays:,} stays, median of {args.repeat} runs; "
          "the project's figures equal the baseline's for every guest.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
