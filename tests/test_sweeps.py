"""Frontier and impenetrability premium on the tiny scenario: invariants, outputs, bad arguments."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from planner.analysis.family import build_family
from planner.analysis.sweeps import frontier, premium
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.geo.theater import build_theater
from planner.lp.solve import solve
from planner.problem import build_problem
from planner.report.sweeps import write_sweep
from tests.conftest import CONFIGS
from tests.schema_check import assert_matches_schema


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(CONFIGS / "tiny.yaml")


@pytest.fixture(scope="module")
def tiny_frontier(tiny):
    return frontier(tiny, points=6, budgets=[0.1e9, 0.3e9, 0.6e9])


def test_more_conventional_never_raises_drone_defeat(tiny_frontier) -> None:
    """At a fixed budget, keeping more conventional capability leaves less money for drone defence:
    the promised drone value never rises along the frontier."""
    t = tiny_frontier.table.sort_values("conventional_capability")
    assert (np.diff(t["value_lp"].to_numpy()) <= 1e-6).all()
    assert (np.diff(t["drone_money_eur"].to_numpy()) <= 1e-6).all()
    assert (t["value_lp"] <= t["value_bound"] + 1e-6).all() and (t["gap"] >= 0).all()
    assert ((t["defeat_rate_value_exact"] >= 0) & (t["defeat_rate_value_exact"] <= 1)).all()


def test_dominated_points_are_marked(tiny_frontier) -> None:
    t = tiny_frontier.table
    for r in t.itertuples(index=False):
        better = t[(t["conventional_capability"] >= r.conventional_capability)
                   & (t["defeat_rate_value_exact"] >= r.defeat_rate_value_exact - 1e-9)
                   & ((t["conventional_capability"] > r.conventional_capability)
                      | (t["defeat_rate_value_exact"] > r.defeat_rate_value_exact + 1e-9))]
        assert r.dominated == (len(better) > 0)


def test_budget_sweep_never_loses_with_more_money(tiny_frontier) -> None:
    b = tiny_frontier.extra["budget_sweep"]
    assert (np.diff(b["objective"].to_numpy()) >= -1e-6).all()
    assert (b["drone_spend_eur"] + b["conventional_eur"] <= b["budget_eur"] * (1 + 1e-9)).all()


def test_family_point_against_a_direct_solve(tiny) -> None:
    """A family's choice within €M is a plan (never better than the direct optimum) and its bound holds."""
    p = build_problem(tiny, build_theater(tiny))
    fam = build_family(p)
    money = 2.0e7
    choice = fam.best_within(money)
    q = dataclasses.replace(p, budget_eur=money, conv_ids=(), conv_unit_cost_eur=np.zeros(0),
                            conv_operating_eur_per_year=np.zeros(0), conv_score=np.zeros(0),
                            conv_min_units=np.zeros(0, dtype=np.int64), conventional_weight=0.0,
                            solver=p.solver.replace(strategy="full", mip_rel_gap=0.0))
    best = p.drone_value(solve(q).engagements)
    assert choice.value <= best + 1e-6 <= choice.bound + 2e-6
    assert choice.cost <= money


def test_premium_costs_rise_with_the_target(tiny, tmp_path) -> None:
    r = premium(tiny, targets=(0.2, 0.4, 0.5, 0.9))
    t = r.table
    ok = t[t["reachable"]]
    assert len(ok) >= 2 and (np.diff(ok["drone_cost_eur"].to_numpy()) >= -1e-6).all()
    assert (ok["defeat_rate_value_lp"] >= ok["target"] - 1e-6).all()
    assert (ok["drone_cost_bound_eur"] <= ok["drone_cost_eur"] + 1e-6).all()
    bad = t[~t["reachable"]]
    assert list(bad["target"]) == [0.9]
    assert bad["best_reachable_rate_lp"].iloc[0] < 0.9
    assert bad["reachable_rate_bound"].iloc[0] >= bad["best_reachable_rate_lp"].iloc[0] - 1e-9
    out = write_sweep(r, tmp_path / "premium")
    doc = assert_matches_schema(out, "premium")
    assert doc["reference_option"] == "leopard_2a8" and len(doc["points"]) == 4
    assert sorted(p.name for p in (out / "points").iterdir()) == [f"target-0{k}" for k in range(len(ok))]
    assert (out / "premium.png").stat().st_size > 10_000


def test_frontier_outputs(tiny_frontier, tmp_path) -> None:
    out = write_sweep(tiny_frontier, tmp_path / "frontier")
    assert_matches_schema(out, "frontier")
    for name in ("frontier.csv", "frontier.json", "frontier.png", "budget_sweep.csv", "budget_sweep.png"):
        assert (out / name).stat().st_size > 0
    plan = json.loads((out / "points" / "eps-00" / "plan.json").read_text())
    assert plan["solver"]["strategy"] == "family" and "cost_exchange" in plan


def _with_floor(sc):  # noqa: ANN001, ANN202
    objective = sc.config.objective.model_copy(update={"kind": "max_defeat_with_floor", "conventional_floor": 2})
    return dataclasses.replace(sc, config=sc.config.model_copy(update={"objective": objective}))


@pytest.mark.parametrize(("call", "message"), [
    (lambda sc: frontier(sc, points=1), r"--points: 1 is too few"),
    (lambda sc: frontier(sc, points=3, budgets=[-1.0]), r"--budgets: -1 is not a budget"),
    (lambda sc: premium(sc, targets=(0.5, 1.0)), r"--targets: \[1\.0\]: give defeat rates between 0 and 1"),
    (lambda sc: premium(sc, targets=()), r"--targets: none"),
    (lambda sc: frontier(sc, refine_until_s=-5), r"--refine-until: -5 is not a time"),
    (lambda sc: premium(sc, refine_until_s=-5), r"--refine-until: -5 is not a time"),
    (lambda sc: frontier(_with_floor(sc), points=3),
     r"objective.kind: the frontier sweeps the conventional capability from none to all the budget buys, so a "
     r"conventional_floor has no place in it: run it with --set objective.kind=max_defeat"),
])
def test_bad_arguments(tiny, call, message) -> None:
    with pytest.raises(ConfigError, match=message):
        call(tiny)


def test_cli_bad_list_is_a_clear_error(tmp_path) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "planner.cli", "premium", str(CONFIGS / "tiny.yaml"), "--out",
                        str(tmp_path / "x"), "--targets", "0.5,lots"], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "--targets: '0.5,lots' is not a list of numbers" in r.stderr
    assert not (tmp_path / "x").exists()


def test_refinement_stops_at_its_time(tiny) -> None:
    """With no time for refinement the frontier keeps its first grid (powers of 4 of the reference price);
    its gaps are still proven: every point's value stays under its bound."""
    from planner.analysis.family import reference_price

    quick = frontier(tiny, points=4, refine_until_s=0)
    ref = reference_price(build_problem(tiny, build_theater(tiny)))
    for mu in quick.meta["family"]["prices_per_meur"]:
        k = math.log(mu / 1e6 / ref, 4)
        assert k == pytest.approx(round(k), abs=1e-9)
    t = quick.table
    assert (t["gap"] >= 0).all() and (t["value_lp"] <= t["value_bound"] * (1 + 1e-9)).all()


def test_a_family_out_of_time_keeps_the_prices_every_nation_has(monkeypatch) -> None:
    """A frontier's family shares a deadline (sweeps.FAMILY_BUDGET_FACTOR × solver.time_limit_s). Where one nation's
    chain of prices stops at the deadline with no plan at its cheaper price (here forced: BB's chain of two prices is
    cut after the first), the family keeps the price both nations have — only there is the Lagrangian bound
    Σ_n U_n(μ) proven — lists the other as left out for time, and keeps AA's plan at it as a candidate."""
    import time

    from planner.analysis import family as family_module
    from planner.analysis.family import describe
    from tests.test_sectors import two_cells

    real = family_module.Runner.map

    def cut(self, tasks, progress=None, *, share_until=None):
        out = real(self, tasks, progress, share_until=share_until)
        if len(tasks) > 1 and tasks[0].prices:  # the chains (not the empty plans): BB's stops after one price
            out[1] = out[1].replace(outcome="timeout", chain=out[1].chain[:1])
        return out

    monkeypatch.setattr(family_module.Runner, "map", cut)
    p = two_cells()
    fam = build_family(p, prices=[0.5, 2.0], workers=1, deadline=time.time() + 60)
    assert fam.prices == [2.0] and fam.stopped == [0.5]
    assert sorted(pl.price for pl in fam.plans[0][1:]) == [0.5, 2.0] and [pl.price for pl in fam.plans[1][1:]] == [2.0]
    assert describe(fam)["prices_left_out_for_time_per_meur"] == [0.5e6]
    before = [len(ps) for ps in fam.plans]
    fam.extend([0.5])  # asked again: not solved twice (its plans would be counted twice at that price)
    assert [len(ps) for ps in fam.plans] == before
    # without a deadline, a chain with no plan in time is an error, as before
    monkeypatch.setattr(family_module.Runner, "map", cut)
    with pytest.raises(Exception, match="no plan within the time limit at some price"):
        build_family(p, prices=[0.5, 2.0], workers=1)


def test_a_milp_stopped_without_a_proven_bound_is_bounded_by_all_the_value(monkeypatch) -> None:
    """A national MILP stopped by its time limit (or a shared deadline) before HiGHS proved any bound must not report
    its own plan's objective as the bound (that would call a squeezed plan optimal): all the value its drones hold
    bounds value − price × cost instead (two_cells: nation AA's 10 drones a raid, each worth 1)."""
    from planner.lp import tasks as tasks_module
    from planner.lp.families import national
    from planner.lp.tasks import SectorTask, solve_sector
    from tests.test_sectors import two_cells

    monkeypatch.setattr(tasks_module, "mip_dual_bound", lambda prob: None)
    monkeypatch.setattr(tasks_module, "timed_out", lambda prob: True)
    sub, _, _ = national(two_cells(), 0)
    r = solve_sector(SectorTask(problem=sub, price=0.5))
    assert r.solved and r.bound == pytest.approx(10.0) and r.objective < r.bound


def test_premium_prices_drone_defence_alone_under_a_conventional_floor(tiny) -> None:
    """A max_defeat_with_floor scenario: each target's plan, drone defence alone, is evaluated without the floor it
    does not buy (every target failed as infeasible before)."""
    r = premium(_with_floor(tiny), targets=(0.3,))
    row = r.table.iloc[0]
    assert row["reachable"] and row["defeat_rate_value_exact"] >= 0.3 - 0.01


def test_premium_without_conventional_options_prices_each_target(tiny) -> None:
    """Drone defence alone with money to spare (no conventional option, so the budget's dual is 0): the price grid
    takes its scale from what the relaxation defeats per euro, so a lower target costs less. Before, every price was
    near 0, every target cost the whole €23M plan and its gap read 100%."""
    systems = tiny.config.systems.model_copy(update={"conventional": []})
    sc = dataclasses.replace(tiny, config=tiny.config.model_copy(update={"systems": systems}))
    t = premium(sc, targets=(0.3, 0.55)).table.set_index("target")
    assert t.loc[0.3, "drone_cost_eur"] < 0.8 * t.loc[0.55, "drone_cost_eur"]
    assert (t["gap"] < 0.5).all()


def test_sweeps_hold_each_plan_to_the_adversarys_best_response(tmp_path, tiny_dict) -> None:
    """--adversary: each frontier point's and each reached target's plan is also held to the adversary's best response
    (here it may fly at 3,500 m, above the guns). The scenario's raid is one of the adversary's choices, so the value
    the best response leaks is never below the value the scenario's raid leaks ((1 − exact rate) × the raid's value);
    without --adversary the columns are absent."""
    from tests.conftest import write_yaml
    from tests.test_adversary import PROFILE

    tiny_dict["adversary"] = {"altitude_profiles": {"high": PROFILE | {"altitude_m": {"shahed_136": 3500,
                                                                                      "gerbera_decoy": 3500}}}}
    scenario = load_scenario(write_yaml(tmp_path / "tiny.yaml", tiny_dict))
    p = build_problem(scenario, build_theater(scenario))
    total = float(p.raids * (p.value * p.demand).sum())
    fr = frontier(scenario, points=3, adversary=True)
    pr = premium(scenario, targets=(0.3, 0.5), adversary=True)
    reached = pr.table[pr.table["reachable"]]
    assert len(fr.table) == 3 and len(reached) >= 1
    for t, rate in ((fr.table, "defeat_rate_value_exact"), (reached, "defeat_rate_value_exact")):
        assert (t["best_response_leak"] >= (1 - t[rate]) * total - 1e-6 * total).all()
        assert t["best_response"].str.contains("altitude").all()
    assert fr.meta["adversary"] and pr.meta["adversary"]
    assert_matches_schema(write_sweep(fr, tmp_path / "frontier"), "frontier")
    assert_matches_schema(write_sweep(pr, tmp_path / "premium"), "premium")
    assert "best_response_rate_value" not in frontier(scenario, points=2).table
