"""The bench's workload groups and its cost model (bench/groups.py; plain pytest, no Odoo).

Which steps and workloads a choice of groups runs, and the arithmetic of the estimates;
nothing here times anything.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench import groups  # noqa: E402

SIZES = {"guests": 20_000, "stays": 100_000}


def names(selected):
    return [group.name for group in selected]


def test_every_group_of_the_command_exists_in_the_bench_order():
    assert groups.NAMES == (
        "figures", "loyalty", "feedback", "marketing", "import", "duplicates", "chain")
    for group in groups.GROUPS:
        assert set(group.items) <= set(groups.ITEMS), group.name
        assert group.items[0] == "database", group.name
    assert set(groups.ORDER) == set(groups.ITEMS)


def test_no_group_named_means_every_group():
    assert groups.select(None) == groups.GROUPS
    assert groups.select([]) == groups.GROUPS


def test_chosen_groups_run_once_each_in_the_bench_order():
    assert names(groups.select(["chain", "loyalty", "chain"])) == ["loyalty", "chain"]
    with pytest.raises(ValueError):
        groups.select(["loyalty", "spa"])


def test_group_argument_takes_names_separated_by_commas():
    assert groups.group_arg("loyalty") == ["loyalty"]
    assert groups.group_arg("loyalty, feedback") == ["loyalty", "feedback"]
    for wrong in ("spa", "", "loyalty,spa"):
        with pytest.raises(argparse.ArgumentTypeError):
            groups.group_arg(wrong)


def test_loyalty_alone_loads_only_guests_stays_members_and_ledger():
    assert groups.plan(groups.select(["loyalty"])) == [
        "database", "guests_stays", "members", "ledger", "tiers", "balances"]


def test_import_and_duplicates_load_no_guests_and_stays():
    assert groups.plan(groups.select(["import"])) == ["database", "import"]
    assert groups.plan(groups.select(["duplicates"])) == [
        "database", "dedup_guests", "dedup", "matcher"]


def test_feedback_gets_members_without_ledger():
    planned = groups.plan(groups.select(["feedback"]))
    assert "members" in planned and "ledger" not in planned


def test_marketing_alone_prepares_figures_and_tiers_the_other_workloads_leave():
    alone = groups.plan(groups.select(["marketing"]))
    assert "figures_state" in alone and "tiers_state" in alone
    assert "figures" not in alone and "tiers" not in alone
    with_loyalty = groups.plan(groups.select(["loyalty", "marketing"]))
    assert "tiers_state" not in with_loyalty and "tiers" in with_loyalty
    with_chain = groups.plan(groups.select(["marketing", "chain"]))
    assert "figures_state" not in with_chain and "tiers_state" not in with_chain


def test_chain_runs_the_full_recompute_workloads_then_the_nightly_jobs():
    assert groups.plan(groups.select(["chain"])) == [
        "database", "guests_stays", "figures", "members", "tiers", "rfm", "nightly"]


def test_all_groups_run_every_workload_once_in_the_order_of_the_full_bench():
    planned = groups.plan(groups.GROUPS)
    assert planned == [item for item in groups.ORDER if not groups.ITEMS[item].satisfied_by]
    assert len(planned) == len(set(planned))


def test_a_shared_item_is_counted_on_the_first_group_that_needs_it():
    owners = groups.owners(groups.select(["loyalty", "feedback"]))
    assert owners["members"] == "loyalty"
    assert owners["tickets"] == "feedback"
    assert owners["database"] == "database" and owners["guests_stays"] == "guests_stays"
    assert groups.owners(groups.select(["feedback"]))["members"] == "feedback"


def test_item_cost_is_fixed_plus_seconds_per_thousand_times_repeats():
    item = groups.Item("x", fixed=2.0, per_1000=(("guests", 0.5), ("stays", 0.1)),
                       repeated=True)
    assert item.seconds(SIZES, repeat=3) == pytest.approx(3 * (2 + 0.5 * 20 + 0.1 * 100))
    once = groups.Item("y", fixed=2.0, per_1000=(("guests", 0.5),))
    assert once.seconds(SIZES, repeat=3) == pytest.approx(2 + 0.5 * 20)


def test_estimate_adds_the_items_of_the_chosen_groups(monkeypatch):
    costs = {name: groups.Item(name) for name in groups.ITEMS}
    costs.update(
        database=groups.Item("database with the addons", fixed=60.0),
        guests_stays=groups.Item("guests and stays", per_1000=(("guests", 0.1),
                                                               ("stays", 0.1))),
        members=groups.Item("members", per_1000=(("guests", 0.05),)),
        ledger=groups.Item("ledger", per_1000=(("guests", 1.0),)),
        tiers=groups.Item("tiers", fixed=1.0, per_1000=(("stays", 0.02),), repeated=True),
        balances=groups.Item("balances", per_1000=(("guests", 0.1),), repeated=True),
        tickets=groups.Item("tickets", per_1000=(("tickets", 0.1),)),
    )
    monkeypatch.setattr(groups, "ITEMS", costs)
    loyalty = groups.select(["loyalty"])
    assert groups.breakdown(loyalty, SIZES, 3) == [
        ("database", pytest.approx(60.0)),
        ("guests_stays", pytest.approx(2.0 + 10.0)),
        ("loyalty", pytest.approx(1.0 + 20.0 + 3 * (1.0 + 2.0) + 3 * 2.0)),
    ]
    assert groups.estimate(loyalty, SIZES, 3) == pytest.approx(60 + 12 + 36)
    both = groups.select(["loyalty", "feedback"])
    # members are loaded once, counted on loyalty; feedback adds its tickets only
    assert dict(groups.breakdown(both, {**SIZES, "tickets": 50_000}, 3))["feedback"] == (
        pytest.approx(5.0))


def test_estimate_is_linear_in_the_sizes_and_grows_with_repeats():
    everything = groups.GROUPS
    zero = {name: 0 for name in groups.DEFAULT_SIZES}
    one = dict(groups.DEFAULT_SIZES)
    two = {name: 2 * size for name, size in one.items()}
    e0, e1, e2 = (groups.estimate(everything, sizes, 3) for sizes in (zero, one, two))
    assert e2 - e1 == pytest.approx(e1 - e0)
    assert groups.estimate(everything, one, 3) >= groups.estimate(everything, one, 1)
    alone = sum(groups.estimate((group,), one, 3) for group in everything)
    assert e1 <= alone  # shared steps are paid once in a run of several groups


def test_every_cost_constant_is_measured_and_not_negative():
    for name, item in groups.ITEMS.items():
        assert item.fixed >= 0, name
        assert all(rate >= 0 for __, rate in item.per_1000), name
        assert {size for size, __ in item.per_1000} <= set(groups.DEFAULT_SIZES), name
    assert groups.ITEMS["database"].fixed > 0
    assert groups.estimate(groups.select(["loyalty"]), SIZES, 1) > groups.ITEMS[
        "database"].fixed
    assert "measured 20" in groups.CALIBRATION


@pytest.mark.parametrize("seconds, text", [
    (0.2, "1 s"), (45, "45 s"), (125, "2 min 05 s"), (1500, "25 min"), (7800, "2 h 10 min"),
])
def test_durations_read_as_people_say_them(seconds, text):
    assert groups.format_duration(seconds) == text


def test_list_names_every_group_and_the_estimate_the_chosen_ones():
    listed = "\n".join(groups.list_lines(SIZES, 1))
    for group in groups.GROUPS:
        assert f"  {group.name} " in listed
    assert "20,000 guests / 100,000 stays" in listed
    assert groups.CALIBRATION in listed
    lines = groups.estimate_lines(groups.select(["loyalty"]), SIZES, 1)
    assert lines[0].startswith("estimated time of loyalty at 20,000 guests")
    assert [line.split()[0] for line in lines[1:]] == ["database", "guests", "loyalty",
                                                       "total"]


def test_bench_list_needs_no_odoo_and_prints_the_groups():
    res = subprocess.run(
        [sys.executable, "-m", "hotel_tools", "bench", "--list", "--guests", "20000",
         "--stays", "100000"], cwd=REPO, capture_output=True, text=True, check=False,
        timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == groups.list_lines(SIZES, 3)


def test_make_bench_passes_the_groups_through():
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    res = subprocess.run(["make", "-n", "bench", "GROUP=loyalty feedback", "GUESTS=20000"],
                         cwd=REPO, capture_output=True, text=True, check=True)
    assert "--group loyalty --group feedback" in res.stdout
    assert "--guests 20000" in res.stdout
