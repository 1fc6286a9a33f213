"""Benchmarks of hotel_import (issue 6), run by bench/run.py or on their own::

    python3 -m bench.importing --config CONF --database DB [--guests N] [--stays M]
        [--dedup-guests K]

1. **Import** of the generator's guests and stays as a generic PMS export (one row per
   stay), dry run and apply, in rows per second, beside (a) Odoo's own import
   (``base_import``: guests file with external ids, then stays file) of the same guests and
   stays, dry run and apply, and (b) PostgreSQL ``COPY`` of the same rows into a plain table
   (the physical limit). Each apply is rolled back after its checks, so every import starts
   from the same database; both imports must store the same stays (count, nights, amounts).
2. **Duplicate candidates** over ``--dedup-guests`` generator guests plus the generator's
   planted duplicates: the project's scored query (hotel.duplicate.candidate
   ``_candidate_pairs_sql``) beside one SQL self-join on the same blocking keys, which must
   find the same pairs before scoring.
3. **Precision and recall** of the matcher on the planted duplicates, at the review and at
   the automatic threshold.
"""

import argparse
import csv
import io
import json
import statistics
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from hotel_data import generator
from hotel_data.exports import export_bytes, export_rows, iter_planted_duplicates

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

from . import groups

REPO = Path(__file__).resolve().parents[1]
BENCH_COMPANIES = {"beijing": "Import Bench Beijing", "hangzhou": "Import Bench Hangzhou",
                   "shanghai": "Import Bench Shanghai"}


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# ---------------------------------------------------------------------------------------
# 1. import
# ---------------------------------------------------------------------------------------
def _bench_companies(env):
    cny = env.ref("base.CNY")
    cny.active = True
    companies = {}
    for key, name in BENCH_COMPANIES.items():
        company = env["res.company"].search([("name", "=", name)], limit=1)
        companies[key] = company or env["res.company"].create(
            {"name": name, "currency_id": cny.id, "country_id": env.ref("base.cn").id})
    env.user.company_ids |= env["res.company"].browse([c.id for c in companies.values()])
    return companies


def import_dataset(n_guests, n_stays, seed=7):
    guests = list(generator.iter_guests(n_guests, seed))
    stays = list(generator.iter_stays(n_guests, n_stays, seed))
    header, rows = export_rows("pms", guests, stays)
    prop = header.index("Property")
    names = {generator.PROPERTIES[k]["name_en"]: BENCH_COMPANIES[k] for k in BENCH_COMPANIES}
    for row in rows:
        row[prop] = names[row[prop]]
    return guests, stays, header, rows


STAY_CHECK = """
SELECT COUNT(*), COALESCE(SUM(s.nights), 0), COALESCE(SUM(s.amount_total), 0),
       COUNT(DISTINCT s.partner_id)
  FROM hotel_stay s JOIN res_company c ON c.id = s.company_id
 WHERE c.name LIKE 'Import Bench %%'
"""


def _stay_check(cr):
    cr.execute(STAY_CHECK)
    count, nights, total, guests = cr.fetchone()
    return count, nights, round(float(total), 2), guests


def _base_import_files(guests, stays, companies):
    """The same guests and stays as two files for Odoo's import: guests with an external
    id, stays pointing at them (how a user imports related records with base_import)."""
    used = {s["guest_key"] for s in stays}
    g_buf = io.StringIO()
    w = csv.writer(g_buf)
    w.writerow(["id", "name", "email", "phone", "birthday", "is_guest"])
    for g in guests:
        if g["key"] in used:
            w.writerow([f"bench_import.{g['key']}", g["name"], g["email"], g["phone"],
                        g["birthday"].isoformat() if g["birthday"] else "", "1"])
    s_buf = io.StringIO()
    w = csv.writer(s_buf)
    w.writerow(["partner_id/id", "company_id/.id", "channel_id/id", "booking_ref", "booked_on",
                "check_in", "check_out", "room_type_id/id", "state", "amount_room",
                "amount_fb", "amount_other", "adults", "children"])
    for s in stays:
        w.writerow([f"bench_import.{s['guest_key']}", companies[s["property_key"]].id,
                    f"hotel_crm.channel_{s['channel_code']}", s["booking_ref"],
                    s["booked_on"].isoformat(), s["check_in"].isoformat(),
                    s["check_out"].isoformat(), f"hotel_crm.room_type_{s['room_type_code']}",
                    s["state"], "%.2f" % s["amount_room"], "%.2f" % s["amount_fb"],
                    "%.2f" % s["amount_other"], s["adults"], s["children"]])
    return g_buf.getvalue().encode(), s_buf.getvalue().encode()


def _base_import(env, model, data, dryrun):
    fields = data.split(b"\r\n", 1)[0].decode().split(",")
    imp = env["base_import.import"].create({
        "res_model": model, "file": data, "file_name": f"{model}.csv", "file_type": "text/csv",
    })
    result = imp.execute_import(
        fields, fields,
        {"quoting": '"', "separator": ",", "has_headers": True, "date_format": "%Y-%m-%d",
         "encoding": "utf-8", "float_thousand_separator": ",",
         "float_decimal_separator": "."},
        dryrun=dryrun,
    )
    errors = [m for m in result.get("messages", []) if m.get("type") == "error"]
    if errors:
        raise SystemExit(f"base_import of {model} failed: {errors[:3]}")
    return len(result.get("ids") or [])


def _one_pass(registry, tool, phase, dataset):
    """One timed pass of ``tool`` ("ours": hotel_import, "base": Odoo's base_import) in
    ``phase`` ("dry" or "apply"), rolled back afterwards. Returns seconds, the stays stored
    (count, nights, amounts, guests; apply only) and the import's counts."""
    guests, stays, header, rows = dataset
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        companies = _bench_companies(env)
        cr.commit()
        before = _stay_check(cr)
        result = {"tool": tool, "phase": phase}
        if tool == "ours":
            data = export_bytes("pms", header, rows)
            wizard = env["hotel.import.wizard"]
            preset = env.ref("hotel_import.preset_pms")
            seconds, log = timed(lambda: (wizard._import_bytes(
                data, "bench.csv", preset, companies["beijing"], apply=phase == "apply"),
                env.flush_all())[0])
            result.update(rejected=log.rows_rejected, guests_created=log.guests_created)
        else:
            g_data, s_data = _base_import_files(guests, stays, companies)
            if phase == "dry":
                # Odoo's dry run of the stays file needs the guests it points at: they are
                # imported (untimed) between the two timed dry runs
                guests_dry, __ = timed(lambda: _base_import(env, "res.partner", g_data, True))
                _base_import(env, "res.partner", g_data, False)
                stays_dry, __ = timed(lambda: _base_import(env, "hotel.stay", s_data, True))
                seconds = guests_dry + stays_dry
            else:
                seconds, counts = timed(lambda: (
                    _base_import(env, "res.partner", g_data, False),
                    _base_import(env, "hotel.stay", s_data, False), env.flush_all()))
                result["guests_created"] = counts[0]
            result["rejected"] = 0
        after = _stay_check(cr)
        cr.rollback()
    result["seconds"] = seconds
    if phase == "apply":
        result["stored"] = [after[0] - before[0], *after[1:]]
        if result["rejected"] or result["stored"][0] != len(rows):
            raise SystemExit(f"{tool} stored {result['stored'][0]} of {len(rows)} stays "
                             f"({result['rejected']} rejected)")
    return result


def bench_import(registry, n_guests, n_stays, with_base_import=True):
    """Every pass one after the other in this process."""
    dataset = import_dataset(n_guests, n_stays)
    out = {"rows": len(dataset[3])}
    passes = {(tool, phase): _one_pass(registry, tool, phase, dataset)
              for tool in (("ours", "base") if with_base_import else ("ours",))
              for phase in ("dry", "apply")}
    _merge_passes(out, passes)
    with registry.cursor() as cr:
        return _copy_only(cr, dataset[2], export_bytes("pms", *dataset[2:]), out)


def _merge_passes(out, passes):
    ours, ours_dry = passes[("ours", "apply")], passes[("ours", "dry")]
    out.update(dry_run=ours_dry["seconds"], apply=ours["seconds"], rejected=ours["rejected"],
               guests_created=ours["guests_created"])
    if ("base", "apply") in passes:
        theirs = passes[("base", "apply")]
        out.update(base_dry_run=passes[("base", "dry")]["seconds"],
                   base_apply=theirs["seconds"], base_guests=theirs["guests_created"])
        if theirs["stored"][:3] != ours["stored"][:3]:
            raise SystemExit(f"base_import stored {theirs['stored']}, hotel_import "
                             f"{ours['stored']}")


def bench_import_parallel(config, database, n_guests, n_stays, with_base_import=True):
    """The dry run and the apply of each tool at the same time, in two copies of
    ``database`` (Odoo's import of 300,000 rows takes over an hour per pass; the two cores
    then each run one pass), made anew for each tool. hotel_import runs before and after
    base_import, under the same two-pass load; its slower run is reported."""
    dataset = import_dataset(n_guests, n_stays)
    registry = Registry(database)
    with registry.cursor() as cr:
        _bench_companies(api.Environment(cr, SUPERUSER_ID, {}))
        cr.commit()
    Registry.delete(database)
    odoo.sql_db.close_db(database)
    clones = {phase: f"{database}_bench_{phase}" for phase in ("dry", "apply")}

    def both(tool):
        # each pair of passes starts from new copies of the database: a pass rolls back,
        # but the rows it wrote stay behind as dead rows and grown indexes until a vacuum,
        # and the next tool would write into tables bloated by the previous one
        for clone in clones.values():
            odoo.sql_db.close_db(clone)
            _drop_database(clone)
            # a copy of the database as it is (the bench needs no filestore); the database
            # manager's duplicate is disabled on servers without list_db
            _postgres(SQL("CREATE DATABASE %s WITH TEMPLATE %s", SQL.identifier(clone),
                          SQL.identifier(database)))
        procs = {phase: subprocess.Popen(
            [sys.executable, "-m", "bench.importing", "--config", config, "--database", clone,
             "--guests", str(n_guests), "--stays", str(n_stays), "--worker", f"{tool}:{phase}"],
            cwd=REPO, stdout=subprocess.PIPE, text=True) for phase, clone in clones.items()}
        results = {}
        for phase, proc in procs.items():
            stdout, __ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"{tool} {phase} pass failed (exit {proc.returncode})")
            results[(tool, phase)] = json.loads(stdout.strip().splitlines()[-1])
        return results

    try:
        first = both("ours")
        passes = dict(first)
        if with_base_import:
            passes.update(both("base"))
            again = both("ours")
            for key, result in again.items():
                if result["seconds"] > passes[key]["seconds"]:
                    passes[key] = result
            first = {key: (first[key]["seconds"], again[key]["seconds"]) for key in first}
    finally:
        for clone in clones.values():
            odoo.sql_db.close_db(clone)
            _drop_database(clone)
    out = {"rows": len(dataset[3]), "parallel": True,
           "ours_runs": {f"{tool}:{phase}": runs for (tool, phase), runs in first.items()}
           if with_base_import else {}}
    _merge_passes(out, passes)
    with Registry(database).cursor() as cr:
        return _copy_only(cr, dataset[2], export_bytes("pms", *dataset[2:]), out)


def _postgres(query):
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        cr.execute(query)


def _drop_database(name):
    _postgres(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(name)))


def _copy_only(cr, header, data, out):
    """Time PostgreSQL COPY of the same file into a plain table (the physical limit)."""
    def copy():
        cr.execute("CREATE TEMP TABLE bench_import_copy (%s)" % ", ".join(  # noqa: S608
            f"c{i} text" for i in range(len(header))))
        cr._obj.copy_expert(
            "COPY bench_import_copy FROM STDIN WITH (FORMAT csv, HEADER true)", io.BytesIO(data))
    seconds, __ = timed(copy)
    out["copy"] = seconds
    cr.rollback()
    return out


# ---------------------------------------------------------------------------------------
# 2./3. duplicate candidates, precision and recall
# ---------------------------------------------------------------------------------------
def load_dedup_guests(env, n_guests, seed=11):
    """COPY ``n_guests`` generator guests and their planted duplicates as guests with the
    duplicate keys the addon stores (computed with the addon's own cleaning functions).
    Returns {db id: generator key}, {duplicate key: original key} and seconds spent."""
    from odoo.addons.hotel_import.tools.cleaning import CleaningError, clean_phone, name_key

    cr = env.cr
    started = time.perf_counter()
    cr.execute("DELETE FROM res_partner WHERE ref LIKE 'dedup.%%'")
    keys_cache = {}
    relay = env["hotel.booking.channel"].sudo()._relay_domains()
    now = odoo.fields.Datetime.now()

    def phone(raw):
        try:
            return clean_phone(raw, "CN") or None
        except CleaningError:
            return None

    def rows():
        yield from generator.iter_guests(n_guests, seed)
        yield from iter_planted_duplicates(n_guests, seed)

    truth = {}

    def copy_rows():
        for g in rows():
            if "duplicate_of" in g:
                truth[g["key"]] = g["duplicate_of"]
            nkey = keys_cache.get(g["name"])
            if nkey is None:
                nkey = keys_cache[g["name"]] = name_key(g["name"])
            email = (g["email"] or "").lower() or None
            domain = email.rpartition("@")[2] if email else ""
            is_relay = bool(domain) and any(domain == d or domain.endswith("." + d)
                                            for d in relay)
            yield ("dedup." + g["key"], g["name"], g["name"], g["email"] or None, email,
                   g["phone"] or None, phone(g["phone"]), nkey or None, "t" if is_relay else "f",
                   g["birthday"], "t", "t", "contact", "f", "t", now, now, SUPERUSER_ID,
                   SUPERUSER_ID)

    columns = ("ref", "name", "complete_name", "email", "email_normalized", "phone",
               "hotel_phone_e164", "hotel_name_key", "is_relay_email", "birthday", "is_guest",
               "active", "type", "is_company", "partner_share", "create_date", "write_date",
               "create_uid", "write_uid")
    from .run import _copy, _not_null_defaults

    undo = _not_null_defaults(env, "res_partner", "res.partner", columns)
    _copy(cr, "res_partner", columns, copy_rows())
    for statement in undo:
        cr.execute(statement)
    cr.execute("ANALYZE res_partner")
    cr.execute("SELECT id, substr(ref, 7) FROM res_partner WHERE ref LIKE 'dedup.%%'")
    ids = dict(cr.fetchall())
    cr.commit()
    return ids, truth, time.perf_counter() - started


KEYS_BASELINE = """
WITH g AS MATERIALIZED (
    SELECT id, email_normalized AS email, is_relay_email AS relay, hotel_phone_e164 AS phone,
           NULLIF(id_document_number, '') AS idn, hotel_name_key AS nkey, birthday,
           right(hotel_phone_e164, 4) AS phone4
      FROM res_partner WHERE active AND is_guest AND NOT is_company
)
SELECT COUNT(*) FROM (
    SELECT a.id, b.id FROM g a JOIN g b ON a.email = b.email AND a.id < b.id
     WHERE NOT a.relay AND NOT b.relay
    UNION SELECT a.id, b.id FROM g a JOIN g b ON a.phone = b.phone AND a.id < b.id
    UNION SELECT a.id, b.id FROM g a JOIN g b ON a.idn = b.idn AND a.id < b.id
    UNION SELECT a.id, b.id FROM g a JOIN g b
        ON a.nkey = b.nkey AND a.birthday = b.birthday AND a.id < b.id
    UNION SELECT a.id, b.id FROM g a JOIN g b
        ON a.nkey = b.nkey AND a.phone4 = b.phone4 AND a.id < b.id
) pairs
"""


def bench_dedup(registry, repeat):
    project, baseline = [], []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Candidate = env["hotel.duplicate.candidate"]
        query = Candidate._candidate_pairs_sql(0.0)
        # as _detect runs it (JIT compilation costs more than it saves here); the same
        # setting for the baseline
        cr.execute("SET LOCAL jit = off")
        for __ in range(repeat):
            seconds, __ = timed(lambda: cr.execute(KEYS_BASELINE))
            baseline.append(seconds)
            expected = cr.fetchone()[0]
            seconds, __ = timed(lambda: cr.execute(SQL("SELECT COUNT(*) FROM (%s) q", query)))
            project.append(seconds)
            found = cr.fetchone()[0]
            if found != expected:
                raise SystemExit(f"duplicate pairs: project {found}, baseline {expected}")
    return statistics.median(project), statistics.median(baseline), expected


def precision_recall(registry, ids, truth):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Candidate = env["hotel.duplicate.candidate"]
        auto, review = Candidate._thresholds()
        cr.execute(Candidate._candidate_pairs_sql(review))
        scored = [(a, b, score) for a, b, score, __ in cr.fetchall()]
    key_of = ids
    true_pairs = {frozenset((dup, orig)) for dup, orig in truth.items()}
    result = {}
    for label, threshold in (("review", review), ("0.85", 0.85), ("auto", auto)):
        predicted = {frozenset((key_of.get(a), key_of.get(b))) for a, b, s in scored
                     if s >= threshold}
        hits = len(predicted & true_pairs)
        result[label] = (threshold, hits / len(predicted) if predicted else 1.0,
                         hits / len(true_pairs) if true_pairs else 1.0, len(predicted))
    return result, len(true_pairs)


# ---------------------------------------------------------------------------------------
def run(registry, import_guests, import_stays, dedup_guests, repeat, with_base_import=True,
        parallel_config=None):
    """Rows for bench/run.py's table, and notes (a size of 0 skips that part). With
    ``parallel_config`` (the Odoo configuration file) the import passes run two at a time in
    copies of the database (see :func:`bench_import_parallel`)."""
    rows, notes = [], []
    if import_guests:
        rows, notes = run_import(registry, import_guests, import_stays, with_base_import,
                                 parallel_config)
    if dedup_guests:
        more_rows, more_notes = run_dedup(registry, dedup_guests, repeat)
        rows += more_rows
        notes += more_notes
    return rows, notes


def run_import(registry, import_guests, import_stays, with_base_import=True,
               parallel_config=None):
    rows, notes = [], []
    if "base_import.import" not in registry:
        return rows, ["import: base_import is not installed, nothing to compare with"]
    if parallel_config:
        imp = bench_import_parallel(parallel_config, registry.db_name, import_guests,
                                    import_stays, with_base_import)
    else:
        imp = bench_import(registry, import_guests, import_stays, with_base_import)
    n = imp["rows"]
    if imp.get("parallel"):
        notes.append("import passes run two at a time (dry run and apply together, each in "
                     "its own copy of the database)" + "".join(
                         f"; hotel_import {key} before/after base_import: "
                         f"{runs[0]:.1f} s / {runs[1]:.1f} s"
                         for key, runs in imp["ours_runs"].items()))
    if not with_base_import:
        notes.append(
            f"import of {import_guests:,} guests / {n:,} stays (PMS export, one row per stay), "
            f"without base_import: dry run {imp['dry_run']:.1f} s ({n / imp['dry_run']:,.0f} "
            f"rows/s), apply {imp['apply']:.1f} s ({n / imp['apply']:,.0f} rows/s, "
            f"{imp['guests_created']:,} guests created); COPY {imp['copy']:.2f} s")
        rows.append(("import apply vs COPY (physical limit)", imp["apply"], imp["copy"]))
        return rows, notes
    notes.append(
        f"import of {import_guests:,} guests / {n:,} stays (PMS export, one row per stay): "
        f"dry run {n / imp['dry_run']:,.0f} rows/s, apply {n / imp['apply']:,.0f} rows/s "
        f"({imp['guests_created']:,} guests created); Odoo base_import dry run "
        f"{n / imp['base_dry_run']:,.0f} rows/s, apply {n / imp['base_apply']:,.0f} rows/s; "
        f"COPY into a plain table {n / imp['copy']:,.0f} rows/s")
    notes.append(
        f"  hotel_import vs base_import: dry run {imp['base_dry_run'] / imp['dry_run']:.1f}x, "
        f"apply {imp['base_apply'] / imp['apply']:.1f}x faster; vs COPY: dry run "
        f"{imp['dry_run'] / imp['copy']:.0f}x, apply {imp['apply'] / imp['copy']:.0f}x slower")
    rows.append(("import dry run vs base_import dry run", imp["dry_run"], imp["base_dry_run"]))
    rows.append(("import apply vs base_import apply", imp["apply"], imp["base_apply"]))
    rows.append(("import apply vs COPY (physical limit)", imp["apply"], imp["copy"]))
    return rows, notes


def run_dedup(registry, dedup_guests, repeat, clock=None):
    """``clock`` (bench/groups.py) records the seconds of each step and workload."""
    clock = clock or groups.Clock()
    rows, notes = [], []
    with registry.cursor() as cr, clock("dedup_guests"):
        ids, truth, seconds = load_dedup_guests(api.Environment(cr, SUPERUSER_ID, {}),
                                                dedup_guests)
    notes.append(f"duplicates: {dedup_guests:,} guests + {len(truth):,} planted duplicates "
                 f"loaded in {seconds:.1f} s")
    with clock("dedup"):
        project, baseline, pairs = bench_dedup(registry, repeat)
    rows.append((f"duplicate candidates ({pairs:,} pairs)", project, baseline))
    with clock("matcher"):
        result, n_true = precision_recall(registry, ids, truth)
    for label, (threshold, precision, recall, predicted) in result.items():
        notes.append(f"matcher at threshold {threshold} ({label}): precision {precision:.3f}, "
                     f"recall {recall:.3f} ({predicted:,} pairs predicted, {n_true:,} planted)")
    return rows, notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--guests", type=int, default=10_000, help="guests of the import")
    parser.add_argument("--stays", type=int, default=30_000, help="stays of the import")
    parser.add_argument("--dedup-guests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-base-import", action="store_true",
                        help="time hotel_import and COPY only (Odoo's import runs at about "
                             "100 rows/s: an hour per 300,000 rows)")
    parser.add_argument("--parallel", action="store_true",
                        help="run the dry run and the apply of each import at the same time, "
                             "in two copies of the database (two cores: halves the hours "
                             "Odoo's import takes at 100,000 guests)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # TOOL:PHASE, one pass, JSON out
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    if args.worker:
        tool, phase = args.worker.split(":")
        result = _one_pass(Registry(args.database), tool, phase,
                           import_dataset(args.guests, args.stays))
        print(json.dumps(result))
        return 0
    registry = Registry(args.database)
    rows, notes = run(registry, args.guests, args.stays, args.dedup_guests, args.repeat,
                      not args.no_base_import, args.config if args.parallel else None)
    print(f"\n{'workload':<40} {'project s':>10} {'base s':>10} {'ratio':>7}")
    for name, proj, base in rows:
        print(f"{name:<40} {proj:>10.2f} {base:>10.2f} {proj / base:>7.2f}")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
