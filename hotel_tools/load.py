"""Load test: staff users working at once on Odoo in prefork mode, then the data checked.

    python3 -m hotel_tools load [--users 9] [--workers 3] [--minutes 5]
        [--import-rows 300000] [--guests 20000] [--stays 100000]

1. Finds Odoo 18 (``find_odoo``), starts a private PostgreSQL cluster (or uses the server the
   PG* variables name), creates a database with the addons and no demo data, and loads the
   generator's guests and stays with bench/run.py's COPY loader, a loyalty member per guest
   with a points history, and what the staff actions need: a chart of accounts per property,
   products, rewards of the properties, staff users per role, a few "hot" members whose
   points several users move at the same time, and draft customer invoices of members.
2. Starts Odoo as hotels run it: prefork, ``--workers=3 --max-cron-threads=1`` and Odoo's
   default limits (60 s CPU, 120 s real time, 2048 / 2560 MiB memory).
3. N staff users (threads, each with its own web session, calling the JSON-RPC routes the
   web client calls) work for the given minutes: front-desk member searches and
   redemptions, guest-relations feedback tickets and replies and goodwill bonuses, manager
   adjustments, accounting posting the invoices of the members being redeemed, and one
   import of a PMS export through the import wizard (synchronous, or a background
   ``hotel.job`` polled until it ends). The addons' nightly jobs run once in the middle,
   by the cron worker (the administrator asks for each one now, as the scheduler does).
4. Prints throughput, latencies per action, errors by type (business refusals apart), the
   import's duration, the peak memory of the Odoo processes and the invariants checked in
   SQL afterwards, then the targets. Exit code 1 when a real error reached a user or an
   invariant is broken, 2 when Odoo or PostgreSQL is missing.

This module runs in two interpreters: the launcher (any python3 with requests and psutil),
and Odoo's own for the data (``python -m hotel_tools.load --prepare ...``).
"""

import argparse
import base64
import collections
import csv
import io
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import pg
from .odoo_env import ADDONS, REPO, find_odoo

# JSON-RPC errors that are the application saying no (counted apart from real errors).
BUSINESS_ERRORS = frozenset({
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
})
# What a staff user clicks and waits for: the target is a p95 under one second.
INTERACTIVE = (
    "member search", "member open", "redeem dialog", "redeem", "goodwill bonus",
    "adjustment", "feedback create", "feedback reply", "invoice open", "invoice post",
    "import job poll",
)
INTERACTIVE_P95 = 1.0
# Odoo's defaults, the limits a hotel's server runs with.
ODOO_LIMITS = {
    "limit_time_cpu": 60,
    "limit_time_real": 120,
    "limit_memory_soft": 2048 * 1024 * 1024,
    "limit_memory_hard": 2560 * 1024 * 1024,
}
ROLE_CYCLE = ("front_desk", "front_desk", "guest_relations", "accounting", "front_desk",
              "manager", "guest_relations", "accounting")
ROLE_GROUPS = {
    "front_desk": ["base.group_user", "hotel_crm.group_hotel_front_desk"],
    "guest_relations": ["base.group_user", "hotel_crm.group_hotel_guest_relations"],
    "importer": ["base.group_user", "hotel_crm.group_hotel_guest_relations"],
    "manager": ["base.group_user", "hotel_crm.group_hotel_manager"],
    "accounting": ["base.group_user", "account.group_account_invoice"],
}
# What each role does, with weights.
ROLE_ACTIONS = {
    "front_desk": {"member search": 2, "member open": 2, "redeem": 6, "feedback create": 1},
    "guest_relations": {"feedback": 4, "goodwill bonus": 3, "member open": 1},
    "manager": {"adjustment": 4, "member open": 1, "member search": 1},
    "accounting": {"invoice post": 6, "invoice open": 1},
}
DATASET_PARAM = "hotel_tools.load.dataset"
LEDGER_LINES_PER_MEMBER = 10
HOT_BONUS = 30_000
SOURCE_MODEL = "hotel_tools.load"
DB_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
SEARCH_TERMS = ("王", "李", "张", "刘", "陈", "Smith", "Müller", "Tanaka", "Kim", "Martin")
FEEDBACK_SUBJECTS = (
    "房间不干净 room was not clean",
    "空调噪音太大 noisy air conditioning",
    "前台服务很好 friendly front desk",
    "早餐品种少 little choice at breakfast",
    "入住等待时间长 long wait at check-in",
    "Wi-Fi 很慢 slow wifi in the room",
)
# Lines of Odoo's log worth counting (the server logs at WARNING, these loggers at INFO).
LOG_HANDLERS = ("odoo.service.server:INFO", "odoo.service.model:INFO",
                "odoo.addons.hotel_loyalty.models.account_move:INFO")
LOG_PATTERNS = {
    "HTTP worker killed at the real-time limit": re.compile(r"WorkerHTTP \(\d+\) timeout after"),
    "cron worker killed at the real-time limit": re.compile(r"WorkerCron \(\d+\) timeout after"),
    "worker at the CPU-time limit": re.compile(r"CPU time limit \(\d+\) reached"),
    "worker recycled at the soft memory limit": re.compile(r"virtual memory limit \(\d+\) reached"),
    "request retried after a concurrency error": re.compile(r"tries left, try again in"),
    "invoice points deferred to the sync job": re.compile(r"Loyalty points of .* deferred"),
    "ERROR lines": re.compile(r"^\S+ \S+ \d+ ERROR "),
    "CRITICAL lines": re.compile(r"^\S+ \S+ \d+ CRITICAL "),
}


def log(msg):
    print(f"[hotel-crm] {msg}", flush=True)


# ----------------------------------------------------------------------------------------
# Measurements and the report (plain Python: tested in tests/static)
# ----------------------------------------------------------------------------------------
@dataclass
class Sample:
    """One user action: its name, when it started (seconds into the run), how long the user
    waited, and how it ended: ok, refused (a business error) or error (a real one)."""

    action: str
    start: float
    seconds: float
    outcome: str = "ok"
    error_type: str = ""
    message: str = ""
    requests: int = 1


class RpcFailure(Exception):
    """A request that did not succeed: outcome ("refused" or "error"), type and message."""

    def __init__(self, outcome, error_type, message=""):
        super().__init__(f"{error_type}: {message}")
        self.outcome, self.error_type, self.message = outcome, error_type, message


def classify_rpc_error(error):
    """(outcome, type, message) of the ``error`` object of an Odoo JSON-RPC answer."""
    data = error.get("data") or {}
    name = data.get("name") or f"JSON-RPC error {error.get('code')}"
    message = (data.get("message") or error.get("message") or "").strip()
    return ("refused" if name in BUSINESS_ERRORS else "error"), name, message


def normalize_message(message, width=110):
    """A message with its numbers and quoted names blanked, so that alike messages group."""
    text = re.sub(r"\d[\d,.]*", "N", " ".join((message or "").split()))
    return text if len(text) <= width else text[:width - 1] + "…"


def percentile(values, q):
    """The q-th percentile (0-100) by linear interpolation between ranks; None if empty."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summarize(samples):
    """{action: figures} in order of first appearance: count, ok, refused, errors, p50, p95,
    max (seconds, over every attempt of the action)."""
    by_action = collections.OrderedDict()
    for sample in samples:
        by_action.setdefault(sample.action, []).append(sample)
    summary = collections.OrderedDict()
    for action, items in by_action.items():
        times = [s.seconds for s in items]
        summary[action] = {
            "count": len(items),
            "ok": sum(s.outcome == "ok" for s in items),
            "refused": sum(s.outcome == "refused" for s in items),
            "errors": sum(s.outcome == "error" for s in items),
            "requests": sum(s.requests for s in items),
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "max": max(times),
        }
    return summary


def errors_by_type(samples):
    """[(outcome, type, normalized message, count, actions)] most frequent first."""
    counts = collections.Counter()
    actions = collections.defaultdict(set)
    for sample in samples:
        if sample.outcome == "ok":
            continue
        key = (sample.outcome, sample.error_type, normalize_message(sample.message))
        counts[key] += 1
        actions[key].add(sample.action)
    return [(*key, n, sorted(actions[key]))
            for key, n in sorted(counts.items(), key=lambda kv: (kv[0][0] != "error", -kv[1]))]


def evaluate_targets(samples, invariants, interactive=INTERACTIVE, p95_limit=INTERACTIVE_P95):
    """[(target, passed, detail)]: no real error reached a user, the invariants hold, the
    p95 of every interactive action is under ``p95_limit`` seconds."""
    errors = sum(s.outcome == "error" for s in samples)
    broken = [name for name, ok, __ in invariants if not ok]
    summary = summarize(samples)
    slow = [(action, fig["p95"]) for action, fig in summary.items()
            if action in interactive and fig["p95"] is not None and fig["p95"] >= p95_limit]
    worst = max((fig["p95"] for action, fig in summary.items() if action in interactive),
                default=None)
    return [
        ("no real error reached a user", not errors,
         f"{errors} real errors" if errors else "0 real errors"),
        ("invariants hold", not broken and bool(invariants),
         ", ".join(broken) if broken else f"{len(invariants)} checked"),
        (f"interactive p95 < {p95_limit:g} s", not slow,
         ", ".join(f"{a} {p:.2f} s" for a, p in slow) if slow
         else (f"worst p95 {worst:.2f} s" if worst is not None else "no interactive action")),
    ]


def exit_code(samples, invariants):
    """1 when a real error reached a user or an invariant is broken, else 0."""
    if any(s.outcome == "error" for s in samples):
        return 1
    if not invariants or not all(ok for __, ok, __ in invariants):
        return 1
    return 0


def _seconds(value):
    return "-" if value is None else f"{value:.2f}"


def _mib(value):
    return "-" if not value else f"{value / 1024 / 1024:,.0f} MiB"


def format_report(setup, samples, duration, import_result=None, memory=None, server_log=None,
                  invariants=(), targets=(), log_lines=()):
    """The printed report, as a list of lines."""
    lines = ["", "=" * 96, f"hotel-crm load test: {setup}", "=" * 96]
    summary = summarize(samples)
    ok = sum(fig["ok"] for fig in summary.values())
    refused = sum(fig["refused"] for fig in summary.values())
    errors = sum(fig["errors"] for fig in summary.values())
    requests_ = sum(fig["requests"] for fig in summary.values())
    if duration:
        lines.append(
            f"throughput: {len(samples):,} actions ({requests_:,} HTTP requests) in "
            f"{duration:.0f} s = {len(samples) / duration:.2f} actions/s, "
            f"{requests_ / duration:.2f} requests/s; {ok:,} ok, {refused:,} refused, "
            f"{errors:,} real errors")
    lines.append("")
    lines.append(f"{'action':<34} {'count':>6} {'ok':>6} {'refused':>7} {'errors':>6} "
                 f"{'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for action, fig in summary.items():
        mark = "*" if action in INTERACTIVE else " "
        lines.append(f"{mark}{action:<33} {fig['count']:>6} {fig['ok']:>6} {fig['refused']:>7} "
                     f"{fig['errors']:>6} {_seconds(fig['p50']):>7} {_seconds(fig['p95']):>7} "
                     f"{_seconds(fig['max']):>7}")
    lines.append("(* interactive: a user waits for it)")
    lines.append("")
    grouped = errors_by_type(samples)
    lines.append("errors by type:" if grouped else "errors by type: none")
    for outcome, error_type, message, count, actions in grouped:
        label = "real error" if outcome == "error" else "refusal   "
        lines.append(f"  {label} {count:>5} × {error_type} [{', '.join(actions)}]")
        if message:
            lines.append(f"  {'':>10}         {message}")
    if import_result:
        lines.append("")
        lines.append(f"import: {import_result}")
    if memory:
        lines.append("")
        lines.append("Odoo processes (psutil, sampled every 0.5 s):")
        for kind, fig in memory.items():
            lines.append(f"  {kind:<14} peak RSS {_mib(fig['peak']):>10}  "
                         f"processes seen {fig['pids']}")
        lines.append(f"  limits: soft {_mib(ODOO_LIMITS['limit_memory_soft'])}, hard "
                     f"{_mib(ODOO_LIMITS['limit_memory_hard'])}, CPU "
                     f"{ODOO_LIMITS['limit_time_cpu']} s, real {ODOO_LIMITS['limit_time_real']} s")
    if server_log:
        lines.append("")
        lines.append("server log:")
        for name, count in server_log.items():
            lines.append(f"  {count:>6}  {name}")
    if log_lines:
        lines.append("  most frequent ERROR/CRITICAL entries:")
        for count, logger, message, exception in log_lines:
            lines.append(f"  {count:>6} × {logger}: {message}")
            if exception:
                lines.append(f"  {'':>8} {exception}")
    lines.append("")
    lines.append("invariants (SQL, after the run):")
    for name, passed, detail in invariants:
        lines.append(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}")
    lines.append("")
    lines.append("targets:")
    for name, passed, detail in targets:
        lines.append(f"  {'PASS' if passed else 'FAIL'}  {name} ({detail})")
    return lines


def plan_roles(users, with_import=True):
    """The role of each staff user: the importer first (when there is an import and more than
    one user), then front desk, guest relations, accounting, manager in turn."""
    roles = ["importer"] if with_import and users > 1 else []
    roles += list(itertools.islice(itertools.cycle(ROLE_CYCLE), users - len(roles)))
    return roles


def drafts_needed(minutes, think, accountants):
    """Draft invoices for the accounting users to post for the whole run (and some more)."""
    per_user = math.ceil(minutes * 60 / max(think + 0.3, 0.3) * 0.9) + 20
    return min(per_user * accountants, 3000)


def add_arguments(parser):
    parser.add_argument("--users", type=int, default=9, help="staff users working at once")
    parser.add_argument("--workers", type=int, default=3, help="Odoo HTTP workers")
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the run")
    parser.add_argument("--import-rows", type=int, default=300_000,
                        help="rows of the PMS export imported during the run (0: none)")
    parser.add_argument("--guests", type=int, default=20_000, help="guests of the data set")
    parser.add_argument("--stays", type=int, default=None,
                        help="stays of the data set (default: 5 per guest)")
    parser.add_argument("--hot-members", type=int, default=3,
                        help="members whose points several users move at the same time")
    parser.add_argument("--think", type=float, default=0.5,
                        help="mean pause of a user between two actions (seconds)")
    parser.add_argument("--database", help="database name (default: a new one, dropped after)")
    parser.add_argument("--keep-database", action="store_true",
                        help="keep the database (and reuse it when it holds the same data set)")
    return parser


def check_arguments(args):
    """A message for arguments that cannot work, or None."""
    if args.users < 1:
        return "--users must be at least 1"
    if args.workers < 1:
        return "--workers must be at least 1 (the test is about prefork mode)"
    if args.minutes <= 0:
        return "--minutes must be positive"
    if args.import_rows < 0 or args.guests < 10 or args.hot_members < 1:
        return "--import-rows cannot be negative, --guests needs 10, --hot-members 1"
    if args.stays is not None and args.stays < args.guests:
        return "--stays must be at least --guests"
    if args.database and not DB_NAME.fullmatch(args.database):
        return f"{args.database!r} is not a valid database name"
    return None


# ----------------------------------------------------------------------------------------
# The data set (runs in Odoo's Python: python -m hotel_tools.load --prepare)
# ----------------------------------------------------------------------------------------
BALANCES_SQL = """
UPDATE hotel_loyalty_member m SET points_balance = b.points
  FROM (SELECT member_id, SUM(points) AS points FROM hotel_loyalty_ledger GROUP BY member_id) b
 WHERE m.id = b.member_id
"""


def _prepare_dataset(env, guests, stays):
    """Guests, stays, members and their ledgers, accounting per property: once per database."""
    from hotel_data import generator

    from bench.run import load, load_loyalty

    # sudo: the load test's own marker of the data set it generated
    params = env["ir.config_parameter"].sudo()
    wanted = f"{guests}/{stays}"
    loaded = params.get_param(DATASET_PARAM)
    if loaded and loaded != wanted:
        raise SystemExit(f"the database holds the data set {loaded} (guests/stays), not "
                         f"{wanted}: use another database")
    if not loaded:
        log(f"loading {guests:,} guests and {stays:,} stays (bench/run.py's loader)")
        seconds = load(env, guests, stays)
        log(f"  loaded in {seconds:.0f} s; guest figures and properties")
        env["res.partner"]._hotel_recompute_figures()
        members, lines, seconds = load_loyalty(env, ledger_per_member=LEDGER_LINES_PER_MEMBER)
        env.cr.execute(BALANCES_SQL)
        log(f"  {members:,} members with {lines:,} ledger lines in {seconds:.0f} s")
    companies = {}
    for key, prop in generator.PROPERTIES.items():
        company = env["res.company"].search([("name", "ilike", prop["city"])], limit=1,
                                            order="id")
        if not company:
            raise SystemExit(f"no property company for {prop['city']}")
        companies[key] = company
    if not loaded:
        for key, company in companies.items():
            prop = generator.PROPERTIES[key]
            # the names the PMS export uses for the property
            company.hotel_import_aliases = f"{prop['name_en']},{prop['name']},{prop['code']}"
            if not company.chart_template:
                log(f"  chart of accounts for {company.name}")
                env["account.chart.template"].try_loading("generic_coa", company,
                                                          install_demo=False)
            env["hotel.loyalty.program"]._for_company(company)
            env["hotel.loyalty.reward"].create({
                "name": f"Welcome Drink ({prop['city']})", "kind": "voucher",
                "points_cost": 150, "company_id": company.id,
            })
        Category = env["product.category"]
        env["product.product"].create([
            {"name": "Room Night", "default_code": "LOAD-ROOM", "lst_price": 800,
             "taxes_id": False, "categ_id": Category.create(
                 {"name": "Rooms", "hotel_revenue_category": "room"}).id},
            {"name": "Restaurant", "default_code": "LOAD-FB", "lst_price": 300,
             "taxes_id": False, "categ_id": Category.create(
                 {"name": "F&B", "hotel_revenue_category": "fb"}).id},
        ])
        params.set_param(DATASET_PARAM, wanted)
    env.cr.commit()
    return companies


def _prepare_users(env, roles, companies):
    """One user per staff member (login = password), working at every property; the
    administrator's password is 'admin' and he works at every property too."""
    from odoo import Command

    properties = list(companies.values())
    all_companies = env["res.company"].search([])
    users = []
    for n, role in enumerate(roles, start=1):
        login = f"load_{role}_{n}"
        groups = [env.ref(xmlid).id for xmlid in ROLE_GROUPS[role]]
        home = properties[n % len(properties)]
        vals = {"name": f"Load {role.replace('_', ' ').title()} {n}", "login": login,
                "email": f"{login}@hotel-group.example",
                "password": login, "groups_id": [Command.set(groups)],
                "company_ids": [Command.set(all_companies.ids)], "company_id": home.id,
                "tz": "Asia/Shanghai"}
        user = env["res.users"].with_context(active_test=False).search(
            [("login", "=", login)], limit=1)
        if user:
            user.write(vals)
        else:
            user = env["res.users"].create(vals)
        users.append({"login": login, "password": login, "role": role, "home": home.id})
    admin = env.ref("base.user_admin")
    admin.write({"password": "admin", "company_ids": [Command.set(all_companies.ids)]})
    return users


def _prepare_members(env, run, hot_count, rng):
    """The hot members (topped up with points for this run) and a sample of others."""
    cr = env.cr
    cr.execute("""
        SELECT m.id, m.partner_id, m.company_id FROM hotel_loyalty_member m
          JOIN res_partner p ON p.id = m.partner_id
         WHERE m.active AND p.active AND p.email IS NOT NULL ORDER BY m.id
    """)
    rows = cr.fetchall()
    if len(rows) < hot_count + 10:
        raise SystemExit("too few loyalty members in the data set")
    hot = rows[:hot_count]
    others = rng.sample(rows[hot_count:], min(400, len(rows) - hot_count))
    cr.execute("SELECT COALESCE(MAX(res_id), 0) FROM hotel_loyalty_ledger WHERE res_model = %s",
               [SOURCE_MODEL])
    last = cr.fetchone()[0]
    env["hotel.loyalty.ledger"]._post_lines([
        {"member_id": member_id, "kind": "bonus", "points": HOT_BONUS,
         "res_model": SOURCE_MODEL, "res_id": last + n,
         "source_name": f"LOAD-{run} top-up", "reason": f"LOAD-{run} top-up"}
        for n, (member_id, __, __) in enumerate(hot, start=1)
    ])
    return hot, others


def _prepare_invoices(env, run, count, hot, others, rng):
    """Draft customer invoices of members (three in five of the hot members), dated today."""
    from odoo import Command

    room = env["product.product"].search([("default_code", "=", "LOAD-ROOM")], limit=1)
    fb = env["product.product"].search([("default_code", "=", "LOAD-FB")], limit=1)
    by_company = collections.defaultdict(list)
    for n in range(count):
        member_id, partner_id, company_id = rng.choice(hot if rng.random() < 0.6 else others)
        by_company[company_id].append({
            "move_type": "out_invoice", "partner_id": partner_id,
            "invoice_date": time.strftime("%Y-%m-%d"), "ref": f"LOAD-{run}-{n}",
            "invoice_line_ids": [
                Command.create({"product_id": room.id, "quantity": rng.randint(1, 3),
                                "price_unit": rng.choice((600, 800, 1200)),
                                "tax_ids": [Command.clear()]}),
                Command.create({"product_id": fb.id, "quantity": 1,
                                "price_unit": rng.choice((120, 260, 400)),
                                "tax_ids": [Command.clear()]}),
            ],
        })
    drafts = []
    Move = env["account.move"]
    for company_id, vals_list in by_company.items():
        company = env["res.company"].browse(company_id)
        for start in range(0, len(vals_list), 200):
            moves = Move.with_company(company).create(vals_list[start:start + 200])
            drafts += [[move.id, company_id] for move in moves]
    rng.shuffle(drafts)
    return drafts


def prepare(config, database, guests, stays, run, roles, drafts, hot_count):
    """Everything the run needs, committed; returns the plan the staff threads work from."""
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", config, "-d", database])
    registry = Registry(database)
    rng = random.Random(run)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        companies = _prepare_dataset(env, guests, stays)
        users = _prepare_users(env, roles, companies)
        hot, others = _prepare_members(env, run, hot_count, rng)
        started = time.monotonic()
        invoices = _prepare_invoices(env, run, drafts, hot, others, rng)
        log(f"  {len(invoices)} draft invoices in {time.monotonic() - started:.0f} s")
        rewards = env["hotel.loyalty.reward"].search([])
        data = env["ir.model.data"].search([("model", "=", "ir.cron"),
                                            ("module", "in", list(ADDONS))])
        crons = env["ir.cron"].browse(data.mapped("res_id")).exists().filtered("active")
        sync = env.ref("hotel_loyalty.ir_cron_hotel_loyalty_sync")
        job_runner = env.ref("hotel_crm.ir_cron_hotel_job", raise_if_not_found=False)
        cr.commit()
        return {
            "run": run,
            "users": users,
            "companies": [c.id for c in companies.values()],
            "hot": [list(row) for row in hot],
            "others": [list(row) for row in others],
            "drafts": invoices,
            "rewards": [[r.id, r.points_cost, r.company_id.id] for r in rewards],
            "preset": env.ref("hotel_import.preset_pms").id,
            "crons": [[c.id, c.cron_name or c.name] for c in crons.sorted("id")
                      if c != job_runner],
            "sync_cron": sync.id,
        }


def _prepare_main(argv):
    parser = argparse.ArgumentParser(prog="hotel_tools.load --prepare")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--guests", type=int, required=True)
    parser.add_argument("--stays", type=int, required=True)
    parser.add_argument("--run", type=int, required=True)
    parser.add_argument("--roles", required=True)
    parser.add_argument("--drafts", type=int, required=True)
    parser.add_argument("--hot", type=int, required=True)
    args = parser.parse_args(argv)
    plan = prepare(args.config, args.database, args.guests, args.stays, args.run,
                   args.roles.split(","), args.drafts, args.hot)
    print("LOAD-PLAN " + json.dumps(plan), flush=True)
    return 0


# ----------------------------------------------------------------------------------------
# The import file (the generator's guests and stays as a PMS export)
# ----------------------------------------------------------------------------------------
def import_file(rows, seed=7):
    """(CSV bytes, rows) of a generic PMS export with ``rows`` stays of new guests (about
    three stays each, another seed than the loaded data set), written chunk by chunk."""
    sys.path.insert(0, str(REPO / "data"))
    from hotel_data import generator
    from hotel_data.exports import EXPORT_LAYOUTS, export_rows

    layout = EXPORT_LAYOUTS["pms"]
    n_guests = max(rows // 3, 1)
    guests = list(generator.iter_guests(n_guests, seed))
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=layout["delimiter"], lineterminator="\r\n")
    written = 0
    stays = generator.iter_stays(n_guests, rows, seed)
    while True:
        chunk = list(itertools.islice(stays, 20_000))
        if not chunk:
            break
        for stay in chunk:  # bookings of their own, not those of the loaded data set
            stay["booking_ref"] = f"IMP-{stay['booking_ref']}"
        header, lines = export_rows("pms", guests, chunk)
        if not written:
            writer.writerow(header)
        writer.writerows(lines)
        written += len(lines)
    return buf.getvalue().encode(layout["encoding"]), written


# ----------------------------------------------------------------------------------------
# JSON-RPC as the web client sends it
# ----------------------------------------------------------------------------------------
_request_ids = itertools.count(1)


class Rpc:
    """One browser session: /web/session/authenticate, then /web/dataset/call_kw (reads,
    web_save, onchange), /web/dataset/call_button (the form's buttons) and
    /mail/message/post (the chatter), with the user's context."""

    def __init__(self, url, db, timeout=300):
        import requests

        self._requests = requests
        self.session = requests.Session()
        self.url, self.db, self.timeout = url, db, timeout
        self.context = {}
        self.uid = None
        self.requests = 0

    def post(self, path, params, timeout=None):
        requests = self._requests
        self.requests += 1
        payload = {"jsonrpc": "2.0", "method": "call", "id": next(_request_ids),
                   "params": params}
        timeout = timeout or self.timeout
        try:
            resp = self.session.post(self.url + path, json=payload, timeout=timeout)
        except requests.Timeout as exc:
            raise RpcFailure("error", "timeout", f"no answer within {timeout} s") from exc
        except requests.ConnectionError as exc:
            raise RpcFailure("error", "connection lost", str(exc)[:200]) from exc
        if resp.status_code != 200:
            raise RpcFailure("error", f"HTTP {resp.status_code}",
                             " ".join(resp.text.split())[:200])
        try:
            body = resp.json()
        except ValueError as exc:
            raise RpcFailure("error", "answer is not JSON", resp.text[:200]) from exc
        if body.get("error"):
            raise RpcFailure(*classify_rpc_error(body["error"]))
        return body.get("result")

    def login(self, login, password, home=None):
        info = self.post("/web/session/authenticate",
                         {"db": self.db, "login": login, "password": password})
        if not info or not info.get("uid"):
            raise RpcFailure("error", "login refused", login)
        self.uid = info["uid"]
        companies = sorted(int(c) for c in info["user_companies"]["allowed_companies"])
        if home in companies:  # the property the user works at first, as in the switcher
            companies.remove(home)
            companies.insert(0, home)
        self.context = {**(info.get("user_context") or {}), "allowed_company_ids": companies}
        return info

    def call_kw(self, model, method, args, kwargs=None, context=None, timeout=None):
        kwargs = dict(kwargs or {})
        kwargs["context"] = {**self.context, **(context or {})}
        return self.post(f"/web/dataset/call_kw/{model}/{method}",
                         {"model": model, "method": method, "args": args, "kwargs": kwargs},
                         timeout)

    def call_button(self, model, method, ids, context=None, timeout=None):
        return self.post(f"/web/dataset/call_button/{model}/{method}",
                         {"model": model, "method": method, "args": [ids],
                          "kwargs": {"context": {**self.context, **(context or {})}}},
                         timeout)

    def web_save(self, model, vals, specification=None, res_id=None, context=None,
                 timeout=None):
        return self.call_kw(model, "web_save", [[res_id] if res_id else [], vals],
                            {"specification": specification or {}}, context, timeout)

    def message_post(self, model, res_id, body, partner_ids):
        return self.post("/mail/message/post", {
            "thread_model": model, "thread_id": res_id, "context": self.context,
            "post_data": {"body": body, "attachment_ids": [], "message_type": "comment",
                          "partner_ids": partner_ids, "subtype_xmlid": "mail.mt_comment"},
        })


# ----------------------------------------------------------------------------------------
# Staff users
# ----------------------------------------------------------------------------------------
class Recorder:
    def __init__(self):
        self.samples = []
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.counts = collections.Counter()  # accepted requests to find stored once

    def add(self, sample):
        with self.lock:
            self.samples.append(sample)

    def accepted(self, what, n=1):
        with self.lock:
            self.counts[what] += n


class Actor(threading.Thread):
    """A user (or the administrator) with a web session, timing every action."""

    def __init__(self, name, url, db, user, plan, recorder, deadline, seed):
        super().__init__(name=name, daemon=True)
        self.rpc = Rpc(url, db)
        self.user, self.plan, self.recorder = user, plan, recorder
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.marker = f"LOAD-{plan['run']}"

    def act(self, action, fn, *args):
        """Run one action; returns (ok, result)."""
        started = time.monotonic()
        before = self.rpc.requests
        sample = Sample(action, started - self.recorder.started, 0.0)
        result = None
        try:
            result = fn(*args)
        except RpcFailure as failure:
            sample.outcome, sample.error_type = failure.outcome, failure.error_type
            sample.message = failure.message
        except Exception as exc:  # noqa: BLE001 - a defect of this driver: shown, counted
            traceback.print_exc()
            sample.outcome, sample.error_type = "error", f"load driver: {type(exc).__name__}"
            sample.message = str(exc)
        sample.seconds = time.monotonic() - started
        sample.requests = max(self.rpc.requests - before, 1)
        self.recorder.add(sample)
        return sample.outcome == "ok", result

    def login(self):
        ok, __ = self.act("login", self.rpc.login, self.user["login"], self.user["password"],
                          self.user.get("home"))
        return ok

    def pause(self):
        time.sleep(self.rng.uniform(0.2, 1.8) * self.plan["think"])


class Staff(Actor):
    def run(self):
        if not self.login():
            return
        role = self.user["role"]
        actions = ROLE_ACTIONS[role]
        names, weights = list(actions), list(actions.values())
        while time.monotonic() < self.deadline:
            action = self.rng.choices(names, weights)[0]
            getattr(self, "do_" + action.replace(" ", "_"))()
            self.pause()

    # --- members --------------------------------------------------------------------------
    def member(self, hot_share=0.7):
        pool = self.plan["hot"] if self.rng.random() < hot_share else self.plan["others"]
        return self.rng.choice(pool)

    def do_member_search(self):
        self.act("member search", self.rpc.call_kw, "hotel.loyalty.member", "web_search_read",
                 [], {"domain": [("partner_id", "ilike", self.rng.choice(SEARCH_TERMS))],
                      "specification": {"member_number": {}, "points_balance": {},
                                        "partner_id": {"fields": {"display_name": {}}},
                                        "tier_id": {"fields": {"display_name": {}}},
                                        "company_id": {"fields": {"display_name": {}}}},
                      "limit": 80, "offset": 0, "order": "", "count_limit": 10001})

    def do_member_open(self):
        member_id = self.member(0.5)[0]
        self.act("member open", self.rpc.call_kw, "hotel.loyalty.member", "web_read",
                 [[member_id]], {"specification": {
                     "member_number": {}, "points_balance": {}, "points_available": {},
                     "partner_id": {"fields": {"display_name": {}}},
                     "tier_id": {"fields": {"display_name": {}}}, "next_tier_gap": {},
                     "benefit_ids": {"fields": {"display_name": {}}},
                     "ledger_ids": {"fields": {"date": {}, "kind": {}, "points": {},
                                               "remaining": {}, "source_name": {}},
                                    "limit": 40, "order": "date desc, id desc"}}})

    def do_redeem(self):
        member_id, __, __ = self.member()
        rewards = [r for r in self.plan["rewards"] if r[2] in (None, False, *self.companies())]
        reward_id = self.rng.choice(rewards)[0]
        ok, action = self.act("redeem dialog", self._redeem_dialog, member_id)
        if not ok:
            return
        self.pause()
        context = (action or {}).get("context") or {}
        ok, __ = self.act("redeem", self._redeem, member_id, reward_id, context)
        if ok:
            self.recorder.accepted("redeem")

    def companies(self):
        return self.rpc.context.get("allowed_company_ids", [])

    def _redeem_dialog(self, member_id):
        action = self.rpc.call_button("hotel.loyalty.member", "action_redeem", [member_id])
        context = (action or {}).get("context") or {}
        self.rpc.call_kw("hotel.loyalty.redeem.wizard", "onchange", [[], {}, [], {
            "member_id": {"fields": {"display_name": {}}}, "points_available": {},
            "reward_id": {"fields": {"display_name": {}}}, "quantity": {}, "points": {},
            "note": {}}], context=context)
        return action

    def _redeem(self, member_id, reward_id, context):
        saved = self.rpc.web_save("hotel.loyalty.redeem.wizard", {
            "member_id": member_id, "reward_id": reward_id, "quantity": 1,
            "note": f"{self.marker} redeem"}, {"points": {}}, context=context)
        return self.rpc.call_button("hotel.loyalty.redeem.wizard", "action_redeem",
                                    [saved[0]["id"]], context=context)

    def _adjust(self, kind, points, label):
        member_id = self.member(0.8)[0]
        context = {"default_member_id": member_id}

        def apply():
            saved = self.rpc.web_save("hotel.loyalty.adjust.wizard", {
                "member_id": member_id, "kind": kind, "points": points,
                "reason": f"{self.marker} {label}"}, {}, context=context)
            return self.rpc.call_button("hotel.loyalty.adjust.wizard", "action_apply",
                                        [saved[0]["id"]], context=context)

        ok, __ = self.act(label, apply)
        if ok:
            self.recorder.accepted(label)

    def do_goodwill_bonus(self):
        self._adjust("bonus", self.rng.choice((50, 100, 200, 500)), "goodwill bonus")

    def do_adjustment(self):
        points = (self.rng.choice((100, 500, 2000)) if self.rng.random() < 0.5
                  else -self.rng.choice((300, 1000, 5000, 20000)))
        self._adjust("adjust", points, "adjustment")

    # --- feedback -------------------------------------------------------------------------
    def _create_ticket(self, channel):
        __, partner_id, company_id = self.member(0.3)
        subject = self.rng.choice(FEEDBACK_SUBJECTS)
        ok, saved = self.act("feedback create", self.rpc.web_save, "hotel.feedback", {
            "name": f"{self.marker} {subject}", "partner_id": partner_id,
            "company_id": company_id, "channel": channel,
            "description": f"{subject}. 客人在退房时提出。"},
            {"reference": {}, "stage_id": {"fields": {"display_name": {}}},
             "category_id": {"fields": {"display_name": {}}}})
        if ok:
            self.recorder.accepted("feedback create")
            return saved[0]["id"], partner_id
        return None, partner_id

    def do_feedback_create(self):
        self._create_ticket("front_desk")

    def do_feedback(self):
        ticket_id, partner_id = self._create_ticket(self.rng.choice(("phone", "wechat",
                                                                     "email")))
        if not ticket_id:
            return
        self.pause()
        ok, __ = self.act("feedback reply", self.rpc.message_post, "hotel.feedback", ticket_id,
                          f"<p>{self.marker} reply: 非常抱歉给您带来不便，我们已安排处理。"
                          "We are sorry and have taken care of it.</p>", [partner_id])
        if ok:
            self.recorder.accepted("feedback reply")

    # --- accounting -----------------------------------------------------------------------
    def do_invoice_post(self):
        with self.recorder.lock:
            draft = self.plan["drafts"].pop() if self.plan["drafts"] else None
        if not draft:
            self.do_invoice_open()
            return
        move_id, company_id = draft
        others = [c for c in self.companies() if c != company_id]
        ok, __ = self.act("invoice post", self.rpc.call_button, "account.move", "action_post",
                          [move_id], {"allowed_company_ids": [company_id, *others]})
        if ok:
            self.recorder.accepted("invoice post")

    def do_invoice_open(self):
        self.act("invoice open", self.rpc.call_kw, "account.move", "web_search_read", [], {
            "domain": [("move_type", "=", "out_invoice"), ("ref", "like", self.marker)],
            "specification": {"name": {}, "state": {}, "amount_total": {},
                              "partner_id": {"fields": {"display_name": {}}},
                              "hotel_loyalty_pending": {}},
            "limit": 80, "offset": 0, "order": "", "count_limit": 10001})


class Importer(Actor):
    """Guest relations imports one PMS export: upload, Apply, then wait for the result."""

    def __init__(self, *args, data=b"", rows=0, job_timeout=3600, **kwargs):
        super().__init__(*args, **kwargs)
        self.data, self.rows, self.job_timeout = data, rows, job_timeout
        self.result = "not started"
        self.log_id = None

    def run(self):
        if not self.login():
            self.result = "the importer could not log in"
            return
        file_b64 = base64.b64encode(self.data).decode()
        self.data = b""
        ok, saved = self.act("import upload", self.rpc.web_save, "hotel.import.wizard", {
            "file": file_b64, "filename": "pms_export_load.csv",
            "preset_id": self.plan["preset"], "company_id": self.user["home"]},
            {"state": {}}, None, None, 900)
        del file_b64
        if not ok:
            self.result = "the upload failed (see errors)"
            return
        started = time.monotonic()
        ok, action = self.act("import apply", self.rpc.call_button, "hotel.import.wizard",
                              "action_apply", [saved[0]["id"]], None, 1800)
        answered = time.monotonic() - started
        if not ok:
            self.result = (f"{self.rows:,} rows: Apply failed after {answered:.0f} s "
                           "(see errors)")
            return
        model = (action or {}).get("res_model")
        if model == "hotel.job":
            self.result = self._follow_job(action["res_id"], started, answered)
        elif model == "hotel.import.log":
            self.log_id = action.get("res_id")
            self.result = (f"{self.rows:,} rows applied in the request (no background job) in "
                           f"{answered:.0f} s; {self._log_counts(self.log_id)}")
        else:
            self.result = f"Apply answered {model or action!r} after {answered:.0f} s"

    def _follow_job(self, job_id, started, answered):
        spec = {"state": {}, "done": {}, "total": {}, "stage": {}, "error": {},
                "result_model": {}, "result_id": {}, "date_start": {}, "date_end": {}}
        job = {}
        while time.monotonic() - started < self.job_timeout:
            time.sleep(5)
            ok, read = self.act("import job poll", self.rpc.call_kw, "hotel.job", "web_read",
                                [[job_id]], {"specification": spec})
            if ok and read:
                job = read[0]
                if job["state"] in ("done", "failed", "cancelled"):
                    break
        else:
            return (f"{self.rows:,} rows: background job hotel.job #{job_id} still "
                    f"{job.get('state')} ({job.get('done')}/{job.get('total')}) after "
                    f"{time.monotonic() - started:.0f} s")
        seconds = time.monotonic() - started
        text = (f"{self.rows:,} rows: Apply answered in {answered:.1f} s with background job "
                f"hotel.job #{job_id}, which ended {job['state']} after {seconds:.0f} s "
                f"({job.get('done')}/{job.get('total')}, stage {job.get('stage') or '-'})")
        if job.get("error"):
            text += f"; error: {' '.join(str(job['error']).split())[:300]}"
        if job.get("result_model") == "hotel.import.log" and job.get("result_id"):
            self.log_id = job["result_id"]
            text += f"; {self._log_counts(self.log_id)}"
        return text

    def _log_counts(self, log_id):
        fields_ = ("state", "rows_total", "rows_rejected", "guests_created", "guests_updated",
                   "stays_created", "stays_updated", "stays_unchanged")
        try:
            read = self.rpc.call_kw("hotel.import.log", "web_read", [[log_id]], {
                "specification": {f: {} for f in fields_}})
        except RpcFailure as failure:
            return f"log #{log_id} unreadable: {failure}"
        self.log = read[0]
        return "log: " + ", ".join(f"{f} {read[0][f]}" for f in fields_)


class Nightly(Actor):
    """The nightly jobs of the addons, run as the scheduler runs them: once, by the cron
    worker, while staff work. The administrator asks for each one now (an ``ir.cron.trigger``
    of the current time, what Odoo's scheduler itself creates); the cron worker takes them
    up within its poll interval (60 s). Each job's time is from the request to the end of
    its run; a job whose failure count grew is counted as an error."""

    def __init__(self, *args, delay=0.0, timeout=1800, **kwargs):
        super().__init__(*args, **kwargs)
        self.delay, self.timeout = delay, timeout

    def run(self):
        time.sleep(self.delay)
        if not self.login():
            return
        crons = dict((cron_id, name) for cron_id, name in self.plan["crons"])
        spec = ["lastcall", "failure_count"]
        ok, before = self.act("nightly: read the jobs", self.rpc.call_kw, "ir.cron", "read",
                              [list(crons), spec])
        if not ok:
            return
        before = {row["id"]: row for row in before}
        asked = time.monotonic()
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        ok, __ = self.act("nightly: ask the scheduler", self.rpc.call_kw, "ir.cron.trigger",
                          "create", [[{"cron_id": cron_id, "call_at": now}
                                      for cron_id in crons]])
        if not ok:
            return
        waiting = set(crons)
        while waiting and time.monotonic() - asked < self.timeout:
            time.sleep(2)
            try:
                rows = self.rpc.call_kw("ir.cron", "read", [sorted(waiting), spec])
            except RpcFailure:
                continue
            for row in rows:
                old = before[row["id"]]
                failed = (row["failure_count"] or 0) > (old["failure_count"] or 0)
                if row["lastcall"] == old["lastcall"] and not failed:
                    continue
                waiting.discard(row["id"])
                self.recorder.add(Sample(
                    f"nightly: {crons[row['id']]}"[:33], asked - self.recorder.started,
                    time.monotonic() - asked, "error" if failed else "ok",
                    "scheduled job failed (see the server log)" if failed else ""))
        for cron_id in waiting:
            self.recorder.add(Sample(
                f"nightly: {crons[cron_id]}"[:33], asked - self.recorder.started,
                time.monotonic() - asked, "error", "scheduled job did not run",
                f"not run {self.timeout} s after it was asked for"))


# ----------------------------------------------------------------------------------------
# The Odoo server
# ----------------------------------------------------------------------------------------
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_launcher(odoo):
    """How a server is started: ``odoo-bin`` beside the odoo package, else the ``odoo``
    script of its Python. Not ``python -m odoo``: in prefork mode Odoo starts its
    longpolling process again with ``sys.argv[0]``, which for ``-m odoo`` is
    odoo/__main__.py run as a script; that process dies at once, and again, and again."""
    out = subprocess.run(
        [odoo.python, "-c", "import os, odoo; print(os.path.dirname(os.path.dirname("
         "os.path.abspath(odoo.__file__))))"],
        capture_output=True, text=True, check=False).stdout.strip()
    odoo_bin = Path(out, "odoo-bin") if out else None
    if odoo_bin and odoo_bin.is_file():
        return [odoo.python, str(odoo_bin)]
    script = Path(odoo.python).parent / "odoo"
    if script.is_file():
        return [str(script)]
    log("no odoo-bin nor odoo script found: python -m odoo (its longpolling process fails)")
    return [odoo.python, "-m", "odoo"]


def server_command(launcher, config, dbname, workers, http_port, gevent_port, logfile):
    """Odoo in prefork mode as a hotel runs it: workers, one cron thread, default limits."""
    return [
        *launcher, "-c", str(config), "-d", dbname, "--no-database-list",
        f"--workers={workers}", "--max-cron-threads=1",
        f"--limit-time-cpu={ODOO_LIMITS['limit_time_cpu']}",
        f"--limit-time-real={ODOO_LIMITS['limit_time_real']}",
        f"--limit-memory-soft={ODOO_LIMITS['limit_memory_soft']}",
        f"--limit-memory-hard={ODOO_LIMITS['limit_memory_hard']}",
        f"--http-port={http_port}", f"--gevent-port={gevent_port}",
        f"--logfile={logfile}", "--log-level=warn",
        *(f"--log-handler={handler}" for handler in LOG_HANDLERS),
    ]


def wait_until_up(url, process, timeout=300):
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if requests.get(url + "/web/health", timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    return False


def stop_server(process):
    """Stop the server we started (and the workers it forked), by their ids."""
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    for child in children:
        try:
            child.wait(10)
        except psutil.TimeoutExpired:
            child.kill()
        except psutil.NoSuchProcess:
            pass


class MemoryMonitor(threading.Thread):
    """Peak RSS of the Odoo processes by kind (main, HTTP worker, cron worker, gevent)."""

    def __init__(self, pid):
        super().__init__(name="memory", daemon=True)
        self.pid = pid
        self.stop_event = threading.Event()
        self.peak = collections.defaultdict(int)
        self.pids = collections.defaultdict(set)

    @staticmethod
    def kind(proc, main_pid):
        """The process's kind from its title (Odoo sets it with setproctitle)."""
        if proc.pid == main_pid:
            return "main"
        argv = proc.cmdline()
        title = " ".join(argv)
        if title.startswith("odoo: WorkerHTTP"):
            return "HTTP worker"
        if title.startswith("odoo: WorkerCron"):
            return "cron worker"
        if argv and argv[-1] == "gevent":
            return "gevent"
        return "other"

    def run(self):
        import psutil

        try:
            main = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop_event.wait(0.5):
            try:
                procs = [main, *main.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    kind = self.kind(proc, self.pid)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                total += rss
                self.peak[kind] = max(self.peak[kind], rss)
                self.pids[kind].add(proc.pid)
            self.peak["all together"] = max(self.peak["all together"], total)

    def figures(self):
        return {kind: {"peak": peak, "pids": len(self.pids[kind]) if kind in self.pids else "-"}
                for kind, peak in sorted(self.peak.items(), key=lambda kv: kv[0] == "all together")}


def count_log(path):
    counts = collections.OrderedDict((name, 0) for name in LOG_PATTERNS)
    if not Path(path).exists():
        return counts
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            for name, pattern in LOG_PATTERNS.items():
                if pattern.search(line):
                    counts[name] += 1
    return counts


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) \S+ (\S+): (.*)")
LOG_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")


def log_errors(path, limit=10):
    """[(count, logger, message, last line of its traceback)] of the ERROR and CRITICAL
    lines of Odoo's log, alike messages together, most frequent first."""
    found = collections.Counter()
    if not Path(path).exists():
        return []
    current = None
    tail = ""

    def close():
        if current:
            found[(*current, normalize_message(tail, 160) if tail else "")] += 1

    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if LOG_START.match(line):
                close()
                current, tail = None, ""
                match = LOG_LINE.match(line)
                if match:
                    current = (match.group(2), normalize_message(match.group(3), 160))
            elif current and line.strip():
                tail = line.strip()
        close()
    return [(n, *key) for key, n in found.most_common(limit)]


# ----------------------------------------------------------------------------------------
# Invariants, in SQL
# ----------------------------------------------------------------------------------------
def _one(cluster, dbname, sql):
    out = cluster.psql(dbname, sql)
    return [int(v) if v.lstrip("-").isdigit() else v for v in out.split("|")] if out else []


MISSING_EARN_SQL = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE am.hotel_loyalty_pending)
  FROM account_move am
  JOIN hotel_loyalty_member m ON m.partner_id = am.partner_id
 WHERE am.move_type = 'out_invoice' AND am.state = 'posted'
   AND NOT EXISTS (SELECT 1 FROM hotel_loyalty_ledger l
                    WHERE l.res_model = 'account.move' AND l.res_id = am.id
                      AND l.kind = 'earn' AND l.points > 0)
"""


def check_invariants(cluster, dbname, run, recorder, run_sync, import_check=None):
    """[(name, passed, detail)] checked in the database after the run."""
    marker = f"LOAD-{run}"
    results = []

    def check(name, passed, detail):
        results.append((name, bool(passed), detail))

    members, wrong = _one(cluster, dbname, """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE m.points_balance <> COALESCE(l.points, 0))
          FROM hotel_loyalty_member m
          LEFT JOIN (SELECT member_id, SUM(points) AS points FROM hotel_loyalty_ledger
                      GROUP BY member_id) l ON l.member_id = m.id""")
    check("points balance = sum of the member's ledger lines", not wrong,
          f"{wrong} of {members:,} members differ")
    negative, unavailable, bad_lines = _one(cluster, dbname, """
        SELECT (SELECT COUNT(*) FROM hotel_loyalty_member WHERE points_balance < 0),
               (SELECT COUNT(*) FROM (
                    SELECT member_id FROM hotel_loyalty_ledger
                     WHERE expiry_date IS NULL OR expiry_date >= CURRENT_DATE
                     GROUP BY member_id HAVING SUM(remaining) < 0) a),
               (SELECT COUNT(*) FROM hotel_loyalty_ledger
                 WHERE remaining < 0 OR remaining > GREATEST(points, 0))""")
    check("no negative balance, no negative available points",
          not (negative or unavailable or bad_lines),
          f"{negative} negative balances, {unavailable} negative available, "
          f"{bad_lines} lines with remaining points outside 0..points")
    (unspent,) = _one(cluster, dbname, """
        SELECT COUNT(*) FROM hotel_loyalty_member m
          LEFT JOIN (SELECT member_id, SUM(remaining) AS remaining FROM hotel_loyalty_ledger
                      GROUP BY member_id) l ON l.member_id = m.id
         WHERE m.points_balance <> COALESCE(l.remaining, 0)""")
    check("unspent points of the lines = balance (each debit consumed once)", not unspent,
          f"{unspent} members differ")
    (dupes,) = _one(cluster, dbname, """
        SELECT COUNT(*) FROM (SELECT 1 FROM hotel_loyalty_ledger
                               GROUP BY res_model, res_id, kind, source_seq
                              HAVING COUNT(*) > 1) d""")
    check("one ledger line per (res_model, res_id, kind, source_seq)", not dupes,
          f"{dupes} sources recorded twice")
    missing, pending = _one(cluster, dbname, MISSING_EARN_SQL)
    check("posted member invoices without earn line are flagged pending", missing == pending,
          f"{missing} without earn line, {pending} of them flagged pending")
    sync = run_sync()
    missing_after, pending_after = _one(cluster, dbname, MISSING_EARN_SQL)
    (still_pending,) = _one(cluster, dbname,
                            "SELECT COUNT(*) FROM account_move WHERE hotel_loyalty_pending")
    check("every posted member invoice has its earn line after _cron_hotel_loyalty_sync",
          not missing_after and not still_pending and sync == "ran",
          f"sync job: {sync}; {missing_after} without earn line, {still_pending} still pending")
    counts = recorder.counts
    stored = dict(zip(
        ("feedback create", "feedback reply", "redeem", "goodwill bonus", "adjustment",
         "invoice post"),
        _one(cluster, dbname, f"""
            SELECT (SELECT COUNT(*) FROM hotel_feedback WHERE name LIKE '{marker} %'),
                   (SELECT COUNT(*) FROM mail_message WHERE model = 'hotel.feedback'
                       AND body LIKE '%{marker} reply:%'),
                   (SELECT COUNT(*) FROM hotel_loyalty_ledger
                     WHERE kind = 'redeem' AND reason = '{marker} redeem'),
                   (SELECT COUNT(*) FROM hotel_loyalty_ledger
                     WHERE kind = 'bonus' AND reason = '{marker} goodwill bonus'),
                   (SELECT COUNT(*) FROM hotel_loyalty_ledger
                     WHERE kind = 'adjust' AND reason = '{marker} adjustment'),
                   (SELECT COUNT(*) FROM account_move
                     WHERE ref LIKE '{marker}-%' AND state = 'posted')"""),  # noqa: S608
        strict=True))
    differ = {what: (n, counts[what]) for what, n in stored.items() if n != counts[what]}
    check("every accepted request stored exactly once", not differ,
          "; ".join(f"{what}: {counts[what]} accepted, {n} stored"
                    for what, n in stored.items()))
    if import_check:
        check(*import_check())
    return results


# ----------------------------------------------------------------------------------------
# The command
# ----------------------------------------------------------------------------------------
def cmd_load(args):
    from .cli import odoo_cmd, pip_install, write_odoo_config

    problem = check_arguments(args)
    if problem:
        print(f"hotel-crm load: {problem}", file=sys.stderr)
        return 2
    odoo, reason = find_odoo()
    if not odoo:
        print(f"hotel-crm load: Odoo 18 is needed and {reason}.", file=sys.stderr)
        return 2
    pip_install(sys.executable, ["requests", "psutil"])
    # process titles tell HTTP and cron workers apart (Odoo's requirements list it)
    pip_install(odoo.python, ["xlsxwriter", "phonenumbers", "pypinyin", "setproctitle"])
    if not pg.ensure_postgres_installed(log):
        print("hotel-crm load: no PostgreSQL server found or installable.", file=sys.stderr)
        return 2
    stays = args.stays or args.guests * 5
    work = Path(tempfile.mkdtemp(prefix="hotel-crm-load-"))
    work.chmod(0o755)  # the postgres system user keeps the private cluster under it
    cluster = pg.configured_server()
    owned = cluster is None
    if owned:
        cluster = pg.start_private(base=work / "pg")
        log(f"private PostgreSQL cluster on {cluster.host}:{cluster.port}")
    dbname = args.database or ("hotel_crm_load" if owned else f"hotel_crm_load_{os.getpid()}")
    state = Path(os.environ.get("HOTEL_CRM_STATE", REPO / "var")) if args.keep_database else work
    try:
        config = write_odoo_config(work / "odoo.conf", odoo, cluster, dbname,
                                   {"without_demo": "all",
                                    "data_dir": str(state / "load-filestore")})
        exists = cluster.psql(
            "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'")  # noqa: S608
        if exists and not args.keep_database:
            print(f"hotel-crm load: the database {dbname} exists; pass --keep-database to "
                  "reuse it or choose another --database", file=sys.stderr)
            return 2
        # a new database gets the addons; a kept one is upgraded to the code as it is now
        log(("upgrading the addons of" if exists else "creating") + f" {dbname} "
            f"({', '.join(ADDONS)}, no demo data)")
        started = time.monotonic()
        res = subprocess.run(
            odoo_cmd(odoo, config, "-d", dbname, "-u" if exists else "-i", ",".join(ADDONS),
                     "--stop-after-init", "--without-demo=all", "--log-level=warn"),
            cwd=work, check=False, env=cluster.env())
        if res.returncode:
            log("installing the addons failed")
            return 1
        log(f"  done in {time.monotonic() - started:.0f} s")
        return _run(args, odoo, cluster, dbname, config, work, stays)
    finally:
        if owned:
            cluster.remove()
        elif not args.keep_database:
            cluster.drop_database(dbname)
        shutil.rmtree(work, ignore_errors=True)


def _run(args, odoo, cluster, dbname, config, work, stays):
    run = int(time.time())
    roles = plan_roles(args.users, with_import=args.import_rows > 0)
    drafts = drafts_needed(args.minutes, args.think, roles.count("accounting"))
    log(f"preparing the data set and the run (users: {', '.join(roles)})")
    env = {**cluster.env(),
           "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "data")])}
    res = subprocess.run(
        [odoo.python, "-m", "hotel_tools.load", "--prepare", "--config", str(config),
         "--database", dbname, "--guests", str(args.guests), "--stays", str(stays),
         "--run", str(run), "--roles", ",".join(roles), "--drafts", str(drafts),
         "--hot", str(args.hot_members)],
        cwd=REPO, env=env, check=False, stdout=subprocess.PIPE, text=True)
    plans = [line for line in res.stdout.splitlines() if line.startswith("LOAD-PLAN ")]
    print("\n".join(line for line in res.stdout.splitlines()
                    if not line.startswith("LOAD-PLAN ")), flush=True)
    if res.returncode or not plans:
        log("preparing the data set failed")
        return 1
    plan = json.loads(plans[-1][len("LOAD-PLAN "):])
    plan["think"] = args.think
    data, rows = (b"", 0)
    if args.import_rows:
        log(f"writing the import file ({args.import_rows:,} rows of a PMS export)")
        data, rows = import_file(args.import_rows)
        log(f"  {len(data) / 1024 / 1024:.1f} MiB")
    stays_before = _one(cluster, dbname, "SELECT COUNT(*) FROM hotel_stay")[0]

    http_port, gevent_port = free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}"
    logfile = work / "odoo-server.log"
    command = server_command(odoo_launcher(odoo), config, dbname, args.workers, http_port,
                             gevent_port, logfile)
    log("starting Odoo: " + " ".join(command))
    process = subprocess.Popen(command, cwd=work, env=cluster.env(), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        if not wait_until_up(url, process):
            log(f"Odoo did not answer on {url}; its log:")
            print(Path(logfile).read_text(errors="replace")[-4000:] if logfile.exists()
                  else "(no log)")
            return 1
        time.sleep(3)  # let the workers settle before the memory baseline
        monitor = MemoryMonitor(process.pid)
        monitor.start()
        recorder = Recorder()
        deadline = recorder.started + args.minutes * 60
        log(f"{len(roles)} staff users for {args.minutes:g} minutes on {url} "
            f"({args.workers} workers, 1 cron thread)")
        threads = []
        for n, user in enumerate(plan["users"]):
            common = (f"{user['role']}-{n}", url, dbname, user, plan, recorder, deadline,
                      run + n)
            if user["role"] == "importer":
                threads.append(Importer(*common, data=data, rows=rows,
                                        job_timeout=max(1800, args.minutes * 60 * 4)))
            else:
                threads.append(Staff(*common))
        admin = {"login": "admin", "password": "admin", "role": "admin",
                 "home": plan["companies"][0]}
        nightly = Nightly("nightly", url, dbname, admin, plan, recorder, deadline, run,
                          delay=args.minutes * 60 / 3)
        threads.append(nightly)
        del data
        for thread in threads:
            thread.start()
        for thread in threads:
            if not isinstance(thread, Importer | Nightly):
                thread.join()
        duration = time.monotonic() - recorder.started
        log(f"staff stopped after {duration:.0f} s; waiting for the import and nightly jobs")
        for thread in threads:
            thread.join()
        monitor.stop_event.set()
        importer = next((t for t in threads if isinstance(t, Importer)), None)

        def run_sync():
            rpc = Rpc(url, dbname, timeout=900)
            try:
                rpc.login("admin", "admin", plan["companies"][0])
                # call_button answers False for a method that returns no action
                rpc.call_button("ir.cron", "method_direct_trigger", [plan["sync_cron"]])
                return "ran"
            except RpcFailure as failure:
                return f"failed ({failure})"

        def import_check():
            stays_after = _one(cluster, dbname, "SELECT COUNT(*) FROM hotel_stay")[0]
            log_ = getattr(importer, "log", None)
            if not log_:
                return ("import stored once", stays_after == stays_before,
                        f"no import log; {stays_after - stays_before:,} stays added")
            return ("import stored once (stays added = the log's stays created)",
                    stays_after - stays_before == log_["stays_created"],
                    f"{stays_after - stays_before:,} stays added, log says "
                    f"{log_['stays_created']:,} created")

        log("checking the invariants")
        invariants = check_invariants(cluster, dbname, run, recorder, run_sync,
                                      import_check if importer else None)
    finally:
        stop_server(process)
    samples = recorder.samples
    setup = (f"{len(roles)} users, {args.workers} workers + 1 cron thread, "
             f"{args.minutes:g} min, {args.guests:,} guests / {stays:,} stays, "
             f"import {rows:,} rows")
    targets = evaluate_targets(samples, invariants)
    lines = format_report(setup, samples, duration,
                          import_result=importer.result if importer else None,
                          memory=monitor.figures(), server_log=count_log(logfile),
                          invariants=invariants, targets=targets,
                          log_lines=log_errors(logfile))
    kept = Path(os.environ.get("HOTEL_CRM_STATE", REPO / "var")) / "load" / f"odoo-{run}.log"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if logfile.exists():
        shutil.copyfile(logfile, kept)
        lines.append(f"\nOdoo's log of the run: {kept}")
    print("\n".join(lines), flush=True)
    code = exit_code(samples, invariants)
    print(f"\nhotel-crm load: {'PASS' if not code else 'FAIL'} (exit code {code})", flush=True)
    return code


if __name__ == "__main__":
    if "--prepare" in sys.argv[1:]:
        sys.exit(_prepare_main(sys.argv[1:]))
    sys.exit(f"usage: python3 -m hotel_tools load (this module's own entry point is "
             f"--prepare, for {Path(__file__).name}'s data set)")
