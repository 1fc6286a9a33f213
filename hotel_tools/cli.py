"""hotel-crm commands: test, run, bench, load.

    python3 -m hotel_tools test     static layer always, Odoo layer when Odoo 18 is importable
    python3 -m hotel_tools run      demo database served on http://127.0.0.1:8069
    python3 -m hotel_tools bench    workloads beside their SQL baselines
                                    (--group NAME: one group; --list: groups and durations)
    python3 -m hotel_tools load     staff users at once on a prefork Odoo, then invariants
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from bench import groups as bench_groups

from . import load, pg
from .odoo_env import ADDONS, PMS_BRIDGE, PMS_WHEEL, REPO, find_odoo

STATIC_REQUIREMENTS = ["pytest", "ruff", "pylint-odoo", "polib", "lxml", "xlsxwriter"]
ODOO_REQUIREMENTS = [
    "pytest", "pytest-odoo>=2.1", "freezegun", "websocket-client", "xlsxwriter", "phonenumbers",
    "pypinyin",
]
DEMO_LOGINS = [
    ("Front desk", "frontdesk", "frontdesk"),
    ("Guest relations", "guestrelations", "guestrelations"),
    ("Marketing", "marketing", "marketing"),
    ("Manager", "manager", "manager"),
    ("Administrator", "admin", "admin"),
]


def log(msg):
    print(f"[hotel-crm] {msg}", flush=True)


def pip_install(python, packages):
    """Install what the tests need; offline machines keep what they have."""
    missing = []
    for package in packages:
        module = {
            "pylint-odoo": "pylint_odoo", "pytest-odoo>=2.1": "pytest_odoo",
            "websocket-client": "websocket", "freezegun": "freezegun",
        }.get(package, package.split(">")[0].replace("-", "_"))
        probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
        if probe.returncode:
            missing.append(package)
    if missing:
        log(f"installing {', '.join(missing)} for {python}")
        res = subprocess.run(
            [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *missing],
            check=False, capture_output=True, text=True,
        )
        if res.returncode:
            log(f"pip could not install {missing}: {res.stderr.strip()[-300:]}")


def ensure_chromium():
    """Odoo's browser tests look for chromium on PATH; install Debian's package if missing."""
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    if any(shutil.which(name) for name in names):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing Debian's chromium for the browser tours")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL,
                       env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"],
                       check=False, stdout=subprocess.DEVNULL, env=env)
    return any(shutil.which(name) for name in names)


def junit_counts(path):
    """(passed, failed, skipped, skipped_names) from a pytest junit file."""
    if not Path(path).exists():
        return 0, 1, 0, []
    root = ET.parse(path).getroot()
    passed = failed = skipped = 0
    skipped_names = []
    for case in root.iter("testcase"):
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            failed += 1
        elif "skipped" in tags:
            skipped += 1
            reason = next(c for c in case if c.tag == "skipped").get("message", "")
            skipped_names.append(f"{case.get('classname')}.{case.get('name')}: {reason}")
        else:
            passed += 1
    # errors at collection time are counted on the suite, not on a test case
    for suite in root.iter("testsuite"):
        counted = sum(1 for case in suite.iter("testcase")
                      if {c.tag for c in case} & {"failure", "error"})
        failed += max(int(suite.get("errors", 0)) + int(suite.get("failures", 0)) - counted, 0)
    return passed, failed, skipped, skipped_names


def write_odoo_config(path, odoo, cluster, dbname, extra=None):
    opts = {
        "addons_path": odoo.addons_path,
        "db_name": dbname,
        "dbfilter": f"^{dbname}$",
        "list_db": "False",
        "data_dir": str(Path(path).parent / "filestore"),
        "http_interface": "127.0.0.1",
        "log_level": "warn",
        "without_demo": "False",
        "max_cron_threads": "0",
        **cluster.odoo_options(),
        **(extra or {}),
    }
    Path(path).write_text("[options]\n" + "".join(f"{k} = {v}\n" for k, v in opts.items()))
    return path


def odoo_cmd(odoo, config, *args):
    return [odoo.python, "-m", "odoo", "-c", str(config), *args]


# ----------------------------------------------------------------------------------------
# test
# ----------------------------------------------------------------------------------------
def cmd_test(args):
    work = Path(tempfile.mkdtemp(prefix="hotel-crm-test-"))
    totals = [0, 0, 0]
    try:
        log("static layer: checks of the addons and tests that need no Odoo")
        pip_install(sys.executable, STATIC_REQUIREMENTS)
        junit = work / "static.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:odoo",
             f"--junitxml={junit}", "--rootdir", str(REPO), str(REPO / "tests" / "static")],
            cwd=REPO, check=False,
        )
        passed, failed, skipped, _ = junit_counts(junit)
        totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
        log(f"static layer: {passed} passed, {failed} failed, {skipped} skipped")

        odoo, reason = find_odoo()
        if not odoo:
            log(f"Odoo layer SKIPPED: {reason}. Install Odoo 18 for this python3 "
                "(or point $ODOO_PYTHON at one) to run the addon tests.")
        else:
            passed, failed, skipped = run_odoo_layer(odoo, work, args)
            totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped", flush=True)
    return 1 if totals[1] or not totals[0] else 0


def oca_hotel_addons(odoo, work):
    """OCA's Hotel Management (``hotel``) from PyPI into a folder of its own: the addons
    folder to add to the addons path, or None (with the reason logged) when it cannot be
    had; then the bridge and its tests are left out."""
    target = Path(work) / "oca"
    res = subprocess.run(
        [odoo.python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
         "--target", str(target), PMS_WHEEL],
        check=False, capture_output=True, text=True,
    )
    addons = target / "odoo" / "addons"
    if res.returncode or not (addons / "hotel" / "__manifest__.py").is_file():
        log(f"PMS bridge {PMS_BRIDGE} SKIPPED: OCA's hotel addon could not be installed from "
            f"PyPI ({(res.stderr.strip() or 'no hotel addon in the wheel')[-200:]})")
        return None
    return addons


def run_odoo_layer(odoo, work, args):
    log(f"Odoo layer: Odoo {odoo.version} with {odoo.python}")
    pip_install(odoo.python, ODOO_REQUIREMENTS)
    addons = list(ADDONS)
    oca = oca_hotel_addons(odoo, work)
    if oca:
        # the whole suite runs beside OCA's hotel module, installed with the bridge
        odoo = odoo.with_addons(oca)
        addons.append(PMS_BRIDGE)
    if not ensure_chromium():
        log("Chromium is missing and could not be installed: the browser tours will fail")
    if not pg.ensure_postgres_installed(log):
        log("no PostgreSQL server could be found or installed")
        return 0, 1, 0
    cluster = pg.configured_server()
    owned = cluster is None
    if owned:
        cluster = pg.start_private()
        log(f"private PostgreSQL cluster on {cluster.host}:{cluster.port}")
    dbname = f"hotel_crm_test_{os.getpid()}"
    try:
        config = write_odoo_config(work / "odoo.conf", odoo, cluster, dbname)
        log(f"installing {', '.join(addons)} into a fresh database {dbname}")
        install = subprocess.run(
            odoo_cmd(odoo, config, "-d", dbname, "-i", ",".join(addons), "--stop-after-init",
                     "--log-level=warn"),
            cwd=work, capture_output=True, text=True, check=False,
        )
        problems = [line for line in install.stderr.splitlines() + install.stdout.splitlines()
                    if " ERROR " in line or " CRITICAL " in line or "Traceback" in line]
        if install.returncode or problems:
            print(install.stdout[-5000:], install.stderr[-8000:], sep="\n")
            log("installing the addons failed")
            return 0, 1, 0
        junit = work / "odoo.xml"
        targets = [str(REPO / addon / "tests") for addon in addons]
        if (REPO / "tests" / "integration").is_dir():
            targets.append(str(REPO / "tests" / "integration"))
        pytest_args = [
            odoo.python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            f"--odoo-config={config}", f"--odoo-database={dbname}", "--odoo-http",
            "--odoo-log-level=warn", "--odoo-extra=test-enable", f"--junitxml={junit}",
            "--rootdir", str(REPO),
            *targets, *(["-k", args.k] if args.k else []),
        ]
        subprocess.run(pytest_args, cwd=REPO, check=False, env={**os.environ, **cluster.env()})
        passed, failed, skipped, skipped_names = junit_counts(junit)
        if skipped_names:
            # A skipped Odoo test (a tour without Chromium, say) is a failure here.
            for name in skipped_names:
                log(f"skipped test counted as failed: {name}")
            failed, skipped = failed + skipped, 0
        log(f"Odoo layer: {passed} passed, {failed} failed")
        r_passed, r_failed = run_odoo_runner(odoo, config, dbname, addons, work, cluster)
        return passed + r_passed, failed + r_failed, skipped
    finally:
        if owned:
            cluster.remove()
        else:
            cluster.drop_database(dbname)


RUNNER_SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
RUNNER_TIMEOUT = 45 * 60


def run_odoo_runner(odoo, config, dbname, addons, work, cluster):
    """The addons' tests again under Odoo's own runner (what OCA's CI runs:
    ``odoo --test-enable --test-tags /<addon>``) on the same database: post-install tests run
    when the registry is loaded. (passed, failed); a skipped test or a hang counts as failed."""
    tags = ",".join(f"/{addon}" for addon in addons)
    log(f"Odoo's own runner: --test-enable --test-tags {tags}")
    try:
        res = subprocess.run(
            odoo_cmd(odoo, config, "-d", dbname, "--test-enable", f"--test-tags={tags}",
                     "--stop-after-init", "--log-level=warn",
                     "--log-handler=odoo.tests.result:INFO"),
            cwd=work, capture_output=True, text=True, check=False, timeout=RUNNER_TIMEOUT,
            env={**os.environ, **cluster.env()},
        )
    except subprocess.TimeoutExpired:
        log(f"Odoo's runner did not finish in {RUNNER_TIMEOUT // 60} minutes: counted as failed")
        return 0, 1
    output = res.stdout + res.stderr
    found = RUNNER_SUMMARY.findall(output)
    if not found:
        print(output[-8000:])
        log(f"Odoo's runner printed no summary (exit code {res.returncode}): counted as failed")
        return 0, 1
    failures, errors, total = map(int, found[-1])
    skipped = [line for line in output.splitlines()
               if "odoo.tests.result" in line and " skipped " in line]
    problems = [line for line in output.splitlines()
                if " ERROR " in line or " CRITICAL " in line]
    if failures or errors or skipped or res.returncode:
        print("\n".join(problems[-60:] + skipped))
    for line in skipped:
        log(f"skipped test counted as failed: {line.split(' skipped ', 1)[1]}")
    failed = failures + errors + len(skipped)
    if not failed and res.returncode:
        failed = 1
    passed = max(total - failures - errors - len(skipped), 0)
    log(f"Odoo's own runner: {passed} passed, {failed} failed (of {total} tests)")
    return passed, failed


# ----------------------------------------------------------------------------------------
# run
# ----------------------------------------------------------------------------------------
def _raise_interrupt(*_args):
    raise KeyboardInterrupt


def cmd_run(args):
    odoo, reason = find_odoo()
    if not odoo:
        print(f"hotel-crm run: Odoo 18 is needed and {reason}.", file=sys.stderr)
        return 2
    pip_install(odoo.python, ["xlsxwriter", "phonenumbers", "pypinyin"])
    if not pg.ensure_postgres_installed(log):
        print("hotel-crm run: no PostgreSQL server found or installable.", file=sys.stderr)
        return 2
    state = Path(os.environ.get("HOTEL_CRM_STATE", REPO / "var"))
    state.mkdir(parents=True, exist_ok=True)
    cluster = pg.configured_server()
    owned = cluster is None
    if owned:
        cluster = pg.start_private(base=state / "pg", persistent=True)
    dbname = args.database
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,62}", dbname):
        print(f"hotel-crm run: {dbname!r} is not a valid database name (letters, digits, _ "
              "and -, starting with a letter).", file=sys.stderr)
        return 2
    try:
        config = write_odoo_config(state / "odoo.conf", odoo, cluster, dbname,
                                   {"http_port": str(args.port), "log_level": "info",
                                    "max_cron_threads": "1"})
        exists = cluster.psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'")
        installed = set()
        if exists:
            installed = set(cluster.psql(
                dbname, "SELECT name FROM ir_module_module WHERE state = 'installed'"
            ).split())
        step = []
        if to_install := [a for a in ADDONS if a not in installed]:
            step += ["-i", ",".join(to_install)]
        if to_update := [a for a in ADDONS if a in installed]:
            step += ["-u", ",".join(to_update)]
        log(("upgrading" if exists else "creating") + f" the demo database {dbname}")
        res = subprocess.run(odoo_cmd(odoo, config, "-d", dbname, *step, "--stop-after-init"),
                             cwd=state, check=False)
        if res.returncode:
            log("installing the addons failed")
            return 1
        print(f"\n  Hotel CRM demo: http://127.0.0.1:{args.port}/odoo  (database {dbname})")
        for role, login, password in DEMO_LOGINS:
            print(f"    {role:<16} login {login:<15} password {password}")
        print("  Ctrl-C stops the server.\n", flush=True)
        # a SIGTERM (e.g. from `timeout`) stops the server and PostgreSQL like Ctrl-C does
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            subprocess.run(odoo_cmd(odoo, config, "-d", dbname), cwd=state, check=False)
        except KeyboardInterrupt:
            pass
        return 0
    finally:
        if owned:
            cluster.stop()


# ----------------------------------------------------------------------------------------
# bench
# ----------------------------------------------------------------------------------------
def cmd_bench(args):
    chosen = bench_groups.select(args.group)
    sizes = {name: getattr(args, name) for name in bench_groups.DEFAULT_SIZES}
    if args.list:
        print("\n".join(bench_groups.list_lines(sizes, args.repeat)), flush=True)
        return 0
    for line in bench_groups.estimate_lines(chosen, sizes, args.repeat):
        log(line)
    odoo, reason = find_odoo()
    if not odoo:
        print(f"hotel-crm bench: Odoo 18 is needed and {reason}.", file=sys.stderr)
        return 2
    if not pg.ensure_postgres_installed(log):
        return 2
    work = Path(tempfile.mkdtemp(prefix="hotel-crm-bench-"))
    work.chmod(0o755)  # the postgres system user keeps the cluster under it
    cluster = pg.start_private(base=work / "pg")
    dbname = "hotel_crm_bench"
    try:
        config = write_odoo_config(work / "odoo.conf", odoo, cluster, dbname,
                                   {"without_demo": "all"})
        log(f"creating the bench database with {', '.join(ADDONS)} (no demo data)")
        started = time.monotonic()
        res = subprocess.run(
            odoo_cmd(odoo, config, "-d", dbname, "-i", ",".join(ADDONS), "--stop-after-init",
                     "--without-demo=all", "--log-level=warn"),
            cwd=work, check=False,
        )
        if res.returncode:
            return 1
        log(f"database created in {time.monotonic() - started:.0f} s")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "data")])}
        return subprocess.run(
            [odoo.python, "-m", "bench.run", "--config", str(config), "--database", dbname,
             *[arg for group in chosen for arg in ("--group", group.name)],
             *[arg for name, size in sizes.items()
               for arg in (f"--{name.replace('_', '-')}", str(size))],
             "--repeat", str(args.repeat), "--nightly-changes", str(args.nightly_changes)],
            cwd=REPO, env=env, check=False,
        ).returncode
    finally:
        cluster.remove()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="hotel-crm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="static checks, then the Odoo tests when Odoo 18 is here")
    test.add_argument("-k", help="only Odoo tests matching this pytest expression")
    run = sub.add_parser("run", help="create or upgrade the demo database and serve it")
    run.add_argument("--database", default="hotel_crm_demo")
    run.add_argument("--port", type=int, default=8069)
    bench = sub.add_parser("bench", help="workloads beside their SQL baselines")
    bench.add_argument("--group", action="extend", type=bench_groups.group_arg,
                       help="run only this workload group (repeatable or comma-separated: "
                            f"{', '.join(bench_groups.NAMES)}; default: all)")
    bench.add_argument("--list", action="store_true",
                       help="print the groups, what each measures and how long it takes at "
                            "the chosen size, and stop")
    sizes = bench_groups.DEFAULT_SIZES
    bench.add_argument("--guests", type=int, default=sizes["guests"])
    bench.add_argument("--stays", type=int, default=sizes["stays"])
    bench.add_argument("--repeat", type=int, default=3)
    bench.add_argument("--tickets", type=int, default=sizes["tickets"],
                       help="open feedback tickets (feedback group)")
    bench.add_argument("--import-guests", type=int, default=sizes["import_guests"],
                       help="guests of the imported file (import group)")
    bench.add_argument("--import-stays", type=int, default=sizes["import_stays"],
                       help="rows (stays) of the imported file (import group)")
    bench.add_argument("--dedup-guests", type=int, default=sizes["dedup_guests"],
                       help="guests searched for duplicates (duplicates group)")
    bench.add_argument("--nightly-changes", type=int, default=1000,
                       help="stays written during the day before a nightly run (chain group)")
    load.add_arguments(sub.add_parser(
        "load", help="staff users at once on Odoo in prefork mode, then invariants in SQL"))
    args = parser.parse_args(argv)
    return {"test": cmd_test, "run": cmd_run, "bench": cmd_bench,
            "load": load.cmd_load}[args.command](args)
