"""Workload groups of the bench, and how long each takes at a given size (the cost model).

``python3 -m hotel_tools bench --group loyalty`` runs one group, ``--list`` prints every
group with what it measures and its estimated duration. Plain Python, no Odoo: the command
reads this before any database exists, and ``tests/static/test_bench_groups.py`` checks it.

A run is a sequence of *items*: **steps** make the data workloads need (once), and
**workloads** time a job of the project beside its hand-written SQL baseline (``--repeat``
times; the import, the SLA refresh and the matcher once). A group names the items it needs;
an item shared by several chosen groups runs once, in the order of ``ORDER``, which is the
order of the full bench. A step that only prepares a state another workload leaves behind
(``satisfied_by``) is left out when that workload runs.

The cost of an item is ``fixed + sum(seconds per 1,000 of a size × size / 1,000)`` over the
sizes it depends on (guests, stays, tickets, import guests and rows, duplicate-run guests),
times ``--repeat`` for a repeated workload. The constants below were measured on this
project's development machine (see ``CALIBRATION``); to measure them again, run
``bench/run.py`` with ``--timings FILE`` at a few sizes and fit each item's line.
"""

import argparse
import time
from contextlib import contextmanager
from dataclasses import dataclass

# The sizes of the full bench (bench/run.py and `python3 -m hotel_tools bench` defaults).
DEFAULT_SIZES = {
    "guests": 100_000,
    "stays": 1_000_000,
    "tickets": 100_000,
    "import_guests": 10_000,
    "import_stays": 30_000,
    "dedup_guests": 1_000_000,
}

CALIBRATION = (
    "measured 2026-12-04 on the development machine (2 cores shared with other work, 24 GB, "
    "PostgreSQL 15, Odoo 18): the full bench's own figures in README.md (100,000 guests / "
    "1,000,000 stays; marketing and duplicates at 1,000,000 guests; import at 100,000 / "
    "300,000), each workload and its baseline, taken as linear in the size"
)


@dataclass(frozen=True)
class Item:
    """A step or workload of the bench and its cost: ``fixed`` seconds plus ``per_1000``
    seconds per 1,000 of each size named there, times --repeat when ``repeated``."""

    label: str
    fixed: float = 0.0
    per_1000: tuple = ()  # ((size name, seconds per 1,000), ...)
    repeated: bool = False
    satisfied_by: str = ""  # a workload that leaves the same state behind

    def seconds(self, sizes, repeat=1):
        cost = self.fixed + sum(rate * sizes[size] / 1000 for size, rate in self.per_1000)
        return cost * (repeat if self.repeated else 1)


# A repeated workload's rate is one run of the project's job plus one of its SQL baseline.
ITEMS = {
    # -- steps ---------------------------------------------------------------------------
    # installing the nine addons without demo data: 100-150 s
    "database": Item("database with the addons", fixed=120.0),
    # COPY of 100,000 guests and 1,000,000 stays: 115 s
    "guests_stays": Item("guests and stays (COPY)",
                         per_1000=(("guests", 0.15), ("stays", 0.1))),
    "figures_state": Item("guest figures computed (untimed)",
                          per_1000=(("stays", 0.009),), satisfied_by="figures"),
    "members": Item("loyalty members", per_1000=(("guests", 0.1),)),
    # 2,000,000 ledger lines for 100,000 members: 95 s
    "ledger": Item("20 ledger lines per member", per_1000=(("guests", 0.95),)),
    "tiers_state": Item("tiers evaluated (untimed)",
                        per_1000=(("stays", 0.0092),), satisfied_by="tiers"),
    # 100,000 open tickets: 7 s
    "tickets": Item("open feedback tickets", per_1000=(("tickets", 0.07),)),
    "marketing_data": Item("consent, tiers and campaign traces", per_1000=(("guests", 0.05),)),
    "dedup_guests": Item("duplicate-run guests and planted duplicates",
                         per_1000=(("dedup_guests", 0.15),)),
    # -- workloads -----------------------------------------------------------------------
    # 8.89 s + 8.33 s, and 2.36 s unchanged, at 1,000,000 stays
    "figures": Item("guest figures", per_1000=(("stays", 0.0196),), repeated=True),
    # 9.13 s + 8.30 s
    "tiers": Item("tier evaluation", fixed=2.0, per_1000=(("stays", 0.0154),),
                  repeated=True),
    # 4.87 s + 3.53 s at 100,000 members
    "balances": Item("points balances", per_1000=(("guests", 0.084),), repeated=True),
    # one UPDATE of 100,000 tickets: 5.1 s
    "sla_refresh": Item("SLA states refresh", per_1000=(("tickets", 0.1),)),
    "breach": Item("SLA breach scan", per_1000=(("tickets", 0.0017),), repeated=True),
    "kpi": Item("feedback KPI", fixed=0.15, per_1000=(("tickets", 0.001),), repeated=True),
    # 0.89 s + 0.79 s at 1,000,000 guests
    "segment": Item("segment", per_1000=(("guests", 0.0017),), repeated=True),
    # 138.5 s + 164.6 s at 1,000,000 guests / 3,000,000 stays
    "rfm": Item("RFM recompute", per_1000=(("guests", 0.2), ("stays", 0.034)), repeated=True),
    # 0.50 s + 0.66 s
    "attribution": Item("attribution", per_1000=(("guests", 0.0008), ("stays", 0.0001)),
                        repeated=True),
    # hotel_import twice (dry run + apply, 70 s each at 300,000 rows) and Odoo's import
    # (2,354 s at 300,000 rows): Odoo's import is nearly all of it
    "import": Item("import vs base_import and COPY",
                   per_1000=(("import_guests", 0.3), ("import_stays", 8.2))),
    # 20.22 s + 17.17 s at 1,000,000 guests
    # two nights of the figures and tier jobs and one full recompute as the check
    "nightly": Item("nightly jobs on a quiet and a busy night",
                    per_1000=(("stays", 0.04),)),
    "dedup": Item("duplicate candidates", per_1000=(("dedup_guests", 0.0374),), repeated=True),
    "matcher": Item("matcher precision and recall", per_1000=(("dedup_guests", 0.01),)),
}

# The order of the full bench.
ORDER = (
    "database", "guests_stays", "figures", "figures_state", "members", "ledger", "tiers",
    "balances", "tiers_state", "tickets", "sla_refresh", "breach", "kpi", "marketing_data",
    "segment", "rfm", "nightly", "attribution", "import", "dedup_guests", "dedup", "matcher",
)
# Steps every group that needs them shares; shown on their own lines.
SHARED = ("database", "guests_stays")


@dataclass(frozen=True)
class Group:
    name: str
    measures: str  # formatted with the sizes
    items: tuple


GROUPS = (
    Group("figures",
          "guest figures (G4) of all guests, the nightly job, vs one UPDATE ... FROM "
          "(SELECT ... GROUP BY); the same job when nothing changed",
          ("database", "guests_stays", "figures")),
    Group("loyalty",
          "tier evaluation and points balances of all members (one per guest with a stay, "
          "20 ledger lines each)",
          ("database", "guests_stays", "members", "ledger", "tiers", "balances")),
    Group("feedback",
          "SLA states refresh, SLA breach scan and KPI figures over {tickets:,} open tickets",
          ("database", "guests_stays", "members", "tickets", "sla_refresh", "breach", "kpi")),
    Group("marketing",
          "segment Gold+ 365 d consenting, RFM recompute of all guests, attribution of a "
          "campaign",
          ("database", "guests_stays", "figures_state", "members", "tiers_state",
           "marketing_data", "segment", "rfm", "attribution")),
    Group("import",
          "import of {import_guests:,} guests / {import_stays:,} rows (dry run, apply) vs "
          "Odoo's base_import and COPY, into the empty database",
          ("database", "import")),
    Group("duplicates",
          "duplicate candidates over {dedup_guests:,} guests + planted duplicates vs a "
          "self-join; matcher precision and recall",
          ("database", "dedup_guests", "dedup", "matcher")),
    Group("chain",
          "the nightly jobs at chain scale: the full recompute of figures, tiers and RFM "
          "beside their SQL baselines, then the figures (and tags) and tier jobs on a quiet "
          "night and after a day of changes",
          ("database", "guests_stays", "figures", "members", "tiers", "rfm", "nightly")),
)
NAMES = tuple(group.name for group in GROUPS)
BY_NAME = {group.name: group for group in GROUPS}


def group_arg(value):
    """argparse type of --group: one name or several separated by commas."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in BY_NAME]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown group {', '.join(unknown) or repr(value)} (choose from {', '.join(NAMES)})")
    return names


def select(names=None):
    """The groups named (all when none), once each, in the bench's order."""
    if not names:
        return GROUPS
    unknown = set(names) - set(BY_NAME)
    if unknown:
        raise ValueError(f"unknown group {', '.join(sorted(unknown))}")
    return tuple(group for group in GROUPS if group.name in names)


def plan(groups):
    """The items the groups need, in run order (a step satisfied by a chosen workload is
    left out)."""
    wanted = {item for group in groups for item in group.items}
    return [item for item in ORDER if item in wanted
            and ITEMS[item].satisfied_by not in wanted]


def owners(groups):
    """{item: the line it is counted on}: a shared step on its own, any other item on the
    first chosen group that needs it."""
    result = {}
    for item in plan(groups):
        if item in SHARED:
            result[item] = item
        else:
            result[item] = next(g.name for g in groups if item in g.items)
    return result


def breakdown(groups, sizes, repeat):
    """[(line, seconds)]: the shared steps, then each chosen group (its own items)."""
    sizes = {**DEFAULT_SIZES, **sizes}
    totals = {}
    for item, owner in owners(groups).items():
        totals[owner] = totals.get(owner, 0.0) + ITEMS[item].seconds(sizes, repeat)
    lines = [item for item in SHARED if item in totals] + [g.name for g in groups]
    return [(line, totals.get(line, 0.0)) for line in lines]


def estimate(groups, sizes, repeat):
    """Seconds the groups take in one run, database creation included."""
    return sum(seconds for __, seconds in breakdown(groups, sizes, repeat))


def format_duration(seconds):
    seconds = round(seconds)
    if seconds < 60:
        return f"{max(seconds, 1)} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 10:
        return f"{minutes} min {secs:02d} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def describe_sizes(sizes, repeat):
    sizes = {**DEFAULT_SIZES, **sizes}
    runs = "1 run" if repeat == 1 else f"{repeat} runs"
    return (f"{sizes['guests']:,} guests / {sizes['stays']:,} stays, {runs} of each "
            "workload (--repeat)")


def _label(line):
    """A line of an estimate: a shared step by its label, a group by its name."""
    return ITEMS[line].label if line in SHARED else line


def _line(label, seconds, text=""):
    return f"  {label:<24} {'~' + format_duration(seconds):>12}  {text}".rstrip()


def list_lines(sizes, repeat):
    """`bench --list`: every group, what it measures, how long it takes run alone."""
    sizes = {**DEFAULT_SIZES, **sizes}
    lines = [f"bench groups at {describe_sizes(sizes, repeat)}; estimated time of each "
             "group run alone (database and data included):"]
    for group in GROUPS:
        lines.append(_line(group.name, estimate((group,), sizes, repeat),
                           group.measures.format(**sizes)))
    shared = dict(breakdown(GROUPS, sizes, repeat))
    lines.append(
        f"each run first creates the database with the addons (~"
        f"{format_duration(shared['database'])}) and, for every group but import and "
        f"duplicates, loads the guests and stays (~{format_duration(shared['guests_stays'])})")
    lines.append(f"all groups in one run (the default): ~"
                 f"{format_duration(estimate(GROUPS, sizes, repeat))}")
    lines.append(f"cost model {CALIBRATION}")
    return lines


def estimate_lines(groups, sizes, repeat):
    """What a run of these groups will take, line by line, before it starts."""
    sizes = {**DEFAULT_SIZES, **sizes}
    names = ", ".join(g.name for g in groups)
    lines = [f"estimated time of {names} at {describe_sizes(sizes, repeat)}:"]
    for name, seconds in breakdown(groups, sizes, repeat):
        text = BY_NAME[name].measures.format(**sizes) if name in BY_NAME else ""
        lines.append(_line(_label(name), seconds, text))
    lines.append(_line("total", estimate(groups, sizes, repeat)))
    return lines


class Clock:
    """Wall-clock seconds spent in each item of a run (``with clock("tiers"): ...``)."""

    def __init__(self):
        self.spent = {}

    @contextmanager
    def __call__(self, item):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spent[item] = self.spent.get(item, 0.0) + time.perf_counter() - started


def spent_lines(groups, spent, sizes, repeat):
    """After a run: the time each line took beside its estimate."""
    sizes = {**DEFAULT_SIZES, **sizes}
    actual = {}
    for item, owner in owners(groups).items():
        if item in spent:
            actual[owner] = actual.get(owner, 0.0) + spent[item]
    return [f"  {_label(name):<24} {format_duration(actual[name]):>12}  "
            f"(estimated ~{format_duration(seconds)})"
            for name, seconds in breakdown(groups, sizes, repeat) if name in actual]
