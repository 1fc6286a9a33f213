"""hotel_marketing workloads (issue 5) beside hand-written SQL baselines.

Registered in ``bench/run.py`` (one marked block) and runnable on its own on a database that
has the addons installed without demo data:

    python3 -m bench.marketing --config CONF --database DB --guests 100000 --stays 1000000

Workloads: resolving a segment (Gold and above, stayed in the last 365 days, consenting, not
blacklisted) as a mailing does; the RFM recompute; attribution of a campaign whose mailing
reached ``--recipients`` guests. Each is checked row by row against its baseline.
"""

import argparse
import io
import statistics
import time
from datetime import datetime, timedelta

from hotel_data import generator
from hotel_data.consent import consent_decisions

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import SQL

from . import groups


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def load_marketing(env, n_guests, recipients):
    """Consent, blacklist, tiers and a sent campaign mailing with opens and clicks."""
    cr = env.cr
    started = time.perf_counter()
    # Consent as the generator decides it (latest decision per guest), normalised e-mails,
    # relay flags, 1 % of the consenting addresses blacklisted.
    latest = {}
    for key, channel, granted, _source, days in consent_decisions(
        generator.iter_guests(n_guests)
    ):
        if channel == "email":
            latest[key] = ("granted" if granted else "withdrawn", days)
    cr.execute("CREATE TEMP TABLE bench_consent (ref varchar, state varchar, days int)")
    rows = "".join(f"{k}\t{s}\t{d}\n" for k, (s, d) in latest.items())
    cr._obj.copy_from(io.StringIO(rows), "bench_consent")
    cr.execute("""
        UPDATE res_partner p
           SET email_consent = c.state,
               email_consent_date = now() - make_interval(days => c.days),
               email_normalized = lower(p.email)
          FROM bench_consent c WHERE p.ref = c.ref AND p.is_guest
    """)
    cr.execute("""
        UPDATE res_partner SET email_normalized = lower(email)
         WHERE is_guest AND email IS NOT NULL AND email_normalized IS NULL
    """)
    cr.execute("""
        UPDATE res_partner SET is_relay_email = split_part(email_normalized, '@', 2) = ANY(%s)
         WHERE is_guest
    """, [list(generator.OTA_RELAY_DOMAINS)])
    cr.execute("""
        INSERT INTO mail_blacklist (email, active, create_uid, write_uid, create_date,
                                    write_date)
        SELECT email_normalized, TRUE, 1, 1, now(), now() FROM res_partner
         WHERE is_guest AND email_consent = 'granted' AND id % 100 = 7
        ON CONFLICT DO NOTHING
    """)
    # Tiers: every 5th member Gold, every 17th Diamond.
    gold = env.ref("hotel_loyalty.tier_gold").id
    diamond = env.ref("hotel_loyalty.tier_diamond").id
    cr.execute("UPDATE hotel_loyalty_member SET tier_id = %s WHERE id %% 5 = 0", [gold])
    cr.execute("UPDATE hotel_loyalty_member SET tier_id = %s WHERE id %% 17 = 0", [diamond])
    # The campaign: one mailing sent 60 days before the anchor to `recipients` guests;
    # 30 % opened, a third of those clicked.
    sent = datetime.combine(generator.ANCHOR - timedelta(days=60), datetime.min.time())
    # In the properties' currency (CNY), as a chain sets it: revenue needs no conversion.
    campaign = env["utm.campaign"].create({
        "title": "Bench campaign", "hotel_cost": 50000,
        "hotel_currency_id": env.ref("base.CNY").id,
    })
    mailing = env["mailing.mailing"].create({
        "subject": "Bench campaign", "body_html": "<p>Bench</p>",
        "mailing_model_id": env["ir.model"]._get_id("res.partner"),
        "mailing_domain": "[('is_guest', '=', True)]", "campaign_id": campaign.id,
        "state": "done", "sent_date": sent,
    })
    env.flush_all()
    cr.execute("""
        INSERT INTO mailing_trace (trace_type, model, res_id, email, mass_mailing_id,
                                   campaign_id, trace_status, sent_datetime, open_datetime,
                                   links_click_datetime, create_uid, write_uid, create_date,
                                   write_date)
        SELECT 'mail', 'res.partner', p.id, p.email_normalized, %(mailing)s, %(campaign)s,
               CASE WHEN p.id %% 10 < 3 THEN 'open' ELSE 'sent' END, %(sent)s,
               CASE WHEN p.id %% 10 < 3 THEN %(sent)s + make_interval(hours => p.id %% 240)
               END,
               CASE WHEN p.id %% 10 = 0 THEN %(sent)s + make_interval(hours => p.id %% 200)
               END,
               1, 1, now(), now()
          FROM (SELECT id, email_normalized FROM res_partner
                 WHERE is_guest AND email_normalized IS NOT NULL
                 ORDER BY id LIMIT %(n)s) p
    """, {"mailing": mailing.id, "campaign": campaign.id, "sent": sent, "n": recipients})
    traces = cr.rowcount
    for table in ("res_partner", "mail_blacklist", "hotel_loyalty_member", "mailing_trace"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    cr.commit()
    return campaign.id, traces, time.perf_counter() - started


SEGMENT_BASELINE = """
SELECT p.id FROM res_partner p
  JOIN hotel_loyalty_member m ON m.partner_id = p.id
 WHERE p.active AND p.is_guest AND m.active
   AND m.tier_id = ANY(%(tiers)s)
   AND p.last_stay_date >= %(since)s
   AND p.email_consent = 'granted' AND p.email IS NOT NULL AND NOT p.is_relay_email
   AND NOT EXISTS (SELECT 1 FROM mail_blacklist b
                    WHERE b.email = p.email_normalized AND b.active)
 ORDER BY p.id
"""


def bench_segment(registry, repeat):
    project, baseline = [], []
    found = {}
    for _ in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            segment = env.ref("hotel_marketing_loyalty.filter_members_gold_plus_recent")
            mailing = env["mailing.mailing"].create({
                "subject": "Segment bench", "body_html": "<p>x</p>",
                "mailing_model_id": env["ir.model"]._get_id("res.partner"),
                "mailing_domain": segment.mailing_domain,
            })
            env.flush_all()
            tiers = [env.ref("hotel_loyalty.tier_gold").id,
                     env.ref("hotel_loyalty.tier_diamond").id]
            since = fields.Date.context_today(mailing) - timedelta(days=365)

            def run_baseline(cr=cr, tiers=tiers, since=since):
                cr.execute(SEGMENT_BASELINE, {"tiers": tiers, "since": since})
                found["sql"] = [r[0] for r in cr.fetchall()]

            def run_project(mailing=mailing):
                mailing.env.invalidate_all()
                found["project"] = sorted(mailing._get_recipients())

            baseline.append(timed(run_baseline))
            project.append(timed(run_project))
            cr.rollback()
            if found["sql"] != found["project"]:
                raise SystemExit(f"segment differs from the SQL baseline: "
                                 f"{len(found['project'])} vs {len(found['sql'])} guests")
    return statistics.median(project), statistics.median(baseline), len(found["sql"])


RFM_BASELINE = """
WITH w AS (
    SELECT partner_id, MAX(check_in) AS last_in, COUNT(*) AS freq,
           SUM(amount_company) AS spend
      FROM hotel_stay
     WHERE state IN ('in_house', 'checked_out') AND check_in >= %(since)s
       AND check_in <= %(today)s
     GROUP BY partner_id
), q AS (
    SELECT partner_id,
           CEIL(5 * CUME_DIST() OVER (ORDER BY last_in))::int AS r,
           CEIL(5 * CUME_DIST() OVER (ORDER BY freq))::int AS f,
           CEIL(5 * CUME_DIST() OVER (ORDER BY spend))::int AS m
      FROM w
)
UPDATE res_partner p
   SET rfm_recency = q.r, rfm_frequency = q.f, rfm_monetary = q.m,
       rfm_score = q.r::text || q.f::text || q.m::text,
       rfm_segment = CASE
           WHEN q.partner_id IS NULL AND p.last_stay_date IS NOT NULL THEN 'lost'
           WHEN q.partner_id IS NULL THEN NULL
           WHEN q.r >= 4 AND p.stay_count <= 1 THEN 'new'
           WHEN q.r >= 4 AND q.f >= 4 AND q.m >= 4 THEN 'champions'
           WHEN q.r >= 3 AND q.f >= 4 THEN 'loyal'
           WHEN q.r >= 4 THEN 'promising'
           WHEN q.r <= 2 AND q.f >= 4 THEN 'at_risk'
           WHEN q.r <= 2 THEN 'hibernating'
           ELSE 'need_attention' END
  FROM res_partner g LEFT JOIN q ON q.partner_id = g.id
 WHERE g.is_guest AND p.id = g.id
"""

RFM_RESET = """
UPDATE res_partner SET rfm_recency = NULL, rfm_frequency = NULL, rfm_monetary = NULL,
       rfm_score = NULL, rfm_segment = NULL WHERE is_guest
"""

def bench_rfm(registry, repeat, today):
    from dateutil.relativedelta import relativedelta

    project, baseline = [], []
    for _ in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute(RFM_RESET)
            cr.commit()
            params = {"since": today - relativedelta(months=24), "today": today}
            baseline.append(timed(lambda cr=cr, params=params: (
                cr.execute(RFM_BASELINE, params), cr.commit())))
            cr.execute("CREATE TEMP TABLE expected AS SELECT id, rfm_recency, rfm_frequency, "
                       "rfm_monetary, rfm_score, rfm_segment FROM res_partner WHERE is_guest")
            cr.execute(RFM_RESET)
            cr.commit()
            project.append(timed(lambda cr=cr, env=env: (
                env["res.partner"]._hotel_recompute_rfm(today=today), cr.commit())))
            cr.execute("""
                SELECT COUNT(*) FROM res_partner p JOIN expected e ON e.id = p.id
                 WHERE (p.rfm_recency, p.rfm_frequency, p.rfm_monetary, p.rfm_score,
                        p.rfm_segment) IS DISTINCT FROM
                       (e.rfm_recency, e.rfm_frequency, e.rfm_monetary, e.rfm_score,
                        e.rfm_segment)
            """)
            mismatches = cr.fetchone()[0]
            cr.execute("DROP TABLE expected")
            cr.commit()
            if mismatches:
                raise SystemExit(f"RFM differs from the SQL baseline for {mismatches} guests")
    return statistics.median(project), statistics.median(baseline)


ATTRIBUTION_BASELINE = """
INSERT INTO hotel_marketing_attribution
       (source, stay_id, partner_id, company_id, campaign_id, mailing_id, trace_id, touch,
        touch_date, booked_on, property_revenue, currency_id, revenue, conversions,
        create_uid, write_uid, create_date, write_date)
SELECT 'stay', x.*, cur.id,
       CASE WHEN cur.id = rc.currency_id THEN x.amount_company END, 1, 1, 1, now(), now()
  FROM (
SELECT DISTINCT ON (s.id) s.id, s.partner_id, s.company_id, m.campaign_id,
       t.mass_mailing_id, t.id,
       CASE WHEN t.links_click_datetime <= COALESCE(t.open_datetime, 'infinity')
            THEN 'click' ELSE 'open' END,
       LEAST(t.open_datetime, t.links_click_datetime), s.booked_on, s.amount_company
  FROM mailing_trace t
  JOIN mailing_mailing m ON m.id = t.mass_mailing_id
  JOIN hotel_stay s ON s.partner_id = t.res_id
 WHERE t.model = 'res.partner'
   AND s.state IN ('booked', 'in_house', 'checked_out')
   AND s.partner_id IN (SELECT res_id FROM mailing_trace tt
                          JOIN mailing_mailing mm ON mm.id = tt.mass_mailing_id
                         WHERE mm.campaign_id = %(campaign)s)
   AND t.trace_status IN ('sent', 'open', 'reply')
   AND (t.open_datetime IS NOT NULL OR t.links_click_datetime IS NOT NULL)
   AND s.booked_on >= LEAST(t.open_datetime, t.links_click_datetime)::date
   AND s.booked_on <= LEAST(t.open_datetime, t.links_click_datetime)::date
                      + m.hotel_window_days
 ORDER BY s.id, LEAST(t.open_datetime, t.links_click_datetime) DESC, t.id
  ) x (stay_id, partner_id, company_id, campaign_id, mailing_id, trace_id, touch, touch_date,
       booked_on, amount_company)
  JOIN res_company rc ON rc.id = x.company_id
  JOIN res_currency cur ON cur.id = COALESCE(
       (SELECT hotel_currency_id FROM utm_campaign WHERE id = x.campaign_id),
       (SELECT hotel_currency_id FROM mailing_mailing WHERE id = x.mailing_id),
       rc.currency_id)
"""


def bench_attribution(registry, repeat, campaign_id):
    project, baseline = [], []
    found = {}
    for _ in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("DELETE FROM hotel_marketing_attribution")
            cr.commit()

            def run_baseline(cr=cr):
                cr.execute(ATTRIBUTION_BASELINE, {"campaign": campaign_id})
                cr.commit()

            def run_project(cr=cr, env=env):
                env["hotel.marketing.attribution"]._hotel_recompute([campaign_id])
                cr.commit()

            baseline.append(timed(run_baseline))
            cr.execute("SELECT stay_id, campaign_id, mailing_id, touch, currency_id, revenue "
                       "FROM hotel_marketing_attribution")
            found["sql"] = sorted(cr.fetchall())
            cr.execute("DELETE FROM hotel_marketing_attribution")
            cr.commit()
            project.append(timed(run_project))
            cr.execute("SELECT stay_id, campaign_id, mailing_id, touch, currency_id, revenue "
                       "FROM hotel_marketing_attribution")
            found["project"] = sorted(cr.fetchall())
            # The bench stays carry no UTM campaign: the baseline leaves that branch out.
            if found["sql"] != found["project"] or not found["sql"]:
                raise SystemExit(f"attribution differs from the SQL baseline: "
                                 f"{len(found['project'])} vs {len(found['sql'])} stays")
    return statistics.median(project), statistics.median(baseline), len(found["sql"])


WORKLOADS = ("segment", "rfm", "attribution")


def run(registry, repeat, today, n_guests, recipients=100_000, workloads=WORKLOADS,
        clock=None):
    """Load the marketing data and time the workloads (all three by default; the RFM
    recompute needs no marketing data); returns (rows, notes). ``clock`` (bench/groups.py)
    records the seconds of each step and workload."""
    clock = clock or groups.Clock()
    rows, notes = [], []
    if {"segment", "attribution"} & set(workloads):
        with registry.cursor() as cr, clock("marketing_data"):
            campaign_id, traces, seconds = load_marketing(
                api.Environment(cr, SUPERUSER_ID, {}), n_guests, recipients
            )
        notes.append(f"marketing: consent, tiers and {traces:,} campaign traces loaded in "
                     f"{seconds:.1f} s")
    if "segment" in workloads:
        with clock("segment"):
            proj, base, count = bench_segment(registry, repeat)
        rows.append((f"segment Gold+ 365 d consenting ({count:,})", proj, base))
    if "rfm" in workloads:
        with clock("rfm"):
            rows.append(("RFM recompute, all guests", *bench_rfm(registry, repeat, today)))
    if "attribution" in workloads:
        with clock("attribution"):
            proj, base, count = bench_attribution(registry, repeat, campaign_id)
        rows.append((f"attribution, {traces:,} recipients ({count:,})", proj, base))
    return rows, notes


def main():
    from bench.run import load, load_loyalty

    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--stays", type=int, default=1_000_000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        print(f"loading {args.guests:,} guests and {args.stays:,} stays …", flush=True)
        seconds = load(env, args.guests, args.stays)
        print(f"loaded in {seconds:.1f} s", flush=True)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.partner"]._hotel_recompute_figures(today=fields.Date.context_today(env.user))
        cr.commit()
        members, lines, seconds = load_loyalty(env)
        print(f"figures computed; loyalty: {members:,} members in {seconds:.1f} s", flush=True)
    rows, notes = run(registry, args.repeat, generator.ANCHOR, args.guests, args.recipients)
    print()
    print(f"{'workload':<48} {'project s':>10} {'SQL s':>10} {'ratio':>7}")
    for name, proj, base in rows:
        print(f"{name:<48} {proj:>10.2f} {base:>10.2f} {proj / base:>7.2f}")
    for note in notes:
        print(note)
    print(f"\n{args.guests:,} guests, {args.stays:,} stays, median of {args.repeat} runs.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
