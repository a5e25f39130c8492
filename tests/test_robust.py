"""Robust planning: one set of builds against several worlds, and the price of robustness."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from planner.analysis.robust import robust
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.lp import sectors
from planner.lp.solve import solve, solve_robust
from planner.report.robust import write_robust
from tests.conftest import CONFIGS, write_yaml
from tests.lp_helpers import make_problem
from tests.schema_check import assert_matches_schema
from tests.test_config_valid import run_cli
from tests.test_sectors import two_cells


def pd_of(delta: float) -> float:
    return 1 - math.exp(-delta)


def one_cell(pd_a: float, pd_b: float, cost_a: float = 1.0):
    """One cell (λ = 10) seen by sensor A from site 0 or sensor B from site 1, engaged from site 2 (pk 1).
    Every unit costs €1; €2 buys one sensor and the effector."""
    return make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, pd_a), (0, 0, 1, 1, pd_b)], eng=[(0, 0, 2, 0)],
                        n_sites=3, sensor_cost=[cost_a, 1.0], effector_cost=[1.0], p_kill=[[1.0]], budget=2.0)


# Detection probabilities on the chord breakpoints, so the promise is exact: δ = 2, 1, 0.75.
NOMINAL = one_cell(pd_of(2.0), pd_of(1.0))  # A 0.8647, B 0.6321
A_WORSE = one_cell(pd_of(0.75), pd_of(1.0))  # a draw where A sees less: 0.5276


def test_hand_case_worst_and_expected() -> None:
    """Nominal: A (8.647). Worst over {nominal, A_WORSE}: A gives min(8.647, 5.276) = 5.276, B 6.321 → B.
    Expected: A gives (8.647 + 5.276) / 2 = 6.961 > 6.321 → A."""
    s = solve(NOMINAL)
    assert s.sensors[0, 0] == 1 and s.objective == pytest.approx(10 * pd_of(2.0), abs=1e-3)
    worst = solve_robust([NOMINAL, A_WORSE], mode="worst")
    assert worst.sensors[1, 1] == 1 and worst.sensors[0, 0] == 0
    assert worst.objective == pytest.approx(10 * pd_of(1.0), abs=1e-3)
    expected = solve_robust([NOMINAL, A_WORSE], mode="expected")
    assert expected.sensors[0, 0] == 1
    assert expected.objective == pytest.approx(5 * (pd_of(2.0) + pd_of(0.75)), abs=1e-3)
    assert worst.objective <= expected.objective + 1e-9
    assert worst.engagements.shape == (1, 1, 1)  # the nominal world's engagements are the plan's


def test_budget_holds_in_every_world() -> None:
    """A draw where sensor A costs €2: A and the effector no longer fit €2 there, so even the expected-value
    plan takes B, although A is better in both worlds."""
    dear = one_cell(pd_of(2.0), pd_of(1.0), cost_a=2.0)
    s = solve_robust([NOMINAL, dear], mode="expected")
    assert s.sensors[0, 0] == 0 and s.sensors[1, 1] == 1
    for world in (NOMINAL, dear):
        assert world.costs(s.sensors, s.effectors, s.engagements, s.conventional)["total"] <= world.budget_eur + 1e-9


def test_identical_worlds_reproduce_the_plan() -> None:
    """Against copies of the nominal world the robust plan is the nominal plan, monolithic and by sectors."""
    s = solve(NOMINAL)
    for mode in ("worst", "expected"):
        r = solve_robust([NOMINAL, NOMINAL, NOMINAL], mode=mode)
        assert r.objective == pytest.approx(s.objective, abs=1e-6)
        assert np.array_equal(r.sensors, s.sensors) and np.array_equal(r.effectors, s.effectors)
    p = two_cells()
    assert sectors.applies(p)
    base = solve(p)
    for mode in ("worst", "expected"):
        r = solve_robust([p, p], mode=mode)
        assert r.info.strategy == "sectors" and r.info.robust == {"mode": mode, "worlds": 2}
        assert r.objective == pytest.approx(base.objective, abs=1e-5)
        assert np.array_equal(r.sensors, base.sensors) and r.conventional.tolist() == base.conventional.tolist()


def test_sectors_robust_against_a_bad_draw() -> None:
    """Two nations; in the draw, nation BB's sensor sees almost nothing (pd 0.05). At nominal, BB's €2 chain
    (4 · 0.89 · 0.5 = 1.78) beats a €2 conventional unit (0.5); in its worst world it is worth about 0.1, so
    the robust plan buys AA's chain and the conventional unit instead."""
    p = two_cells()
    bad = dataclasses.replace(p, det_weight=np.array([p.det_weight[0], -math.log(1 - 0.05)]))
    nominal = solve(p)
    assert nominal.sensors[2, 0] == 1  # BB's chain is bought at nominal
    r = solve_robust([p, bad], mode="worst")
    assert r.info.strategy == "sectors"
    assert r.sensors[2, 0] == 0 and r.sensors[0, 0] == 1 and r.conventional.tolist() == [1.0]


@pytest.fixture(scope="module")
def tiny_robust():
    return robust(load_scenario(CONFIGS / "tiny.yaml"), draws=2, holdout=4, seed=5)


def test_analysis_tables_and_reproducible(tiny_robust, tmp_path) -> None:
    r = tiny_robust
    t = r.table
    assert set(t["plan"]) == {"nominal", "robust"} and set(t["set"]) == {"nominal", "planning", "held-out"}
    assert len(t) == 2 * (1 + 2 + 4)
    rates = t["defeat_rate_value"]
    assert ((rates >= 0) & (rates <= 1)).all()
    m = r.summary
    assert m["worlds_planned"] == 3 and m["mode"] == "worst"
    for plan in m["plans"].values():
        assert plan["held_out_worst"] <= plan["held_out_p05"] <= plan["held_out_mean"] <= plan["held_out_p95"]
        assert plan["planning_worst"] <= plan["planning_mean"] <= 1
    assert m["price_of_robustness_pp"] == pytest.approx(
        100 * (m["plans"]["nominal"]["nominal_rate"] - m["plans"]["robust"]["nominal_rate"]))
    # The nominal rows are the plans' own exact evaluations.
    nominal_row = t[(t["plan"] == "nominal") & (t["set"] == "nominal")].iloc[0]
    plan = r.plans["nominal"]
    assert nominal_row["defeat_rate_value"] == pytest.approx(
        plan.summary["value_defeated_exact"] / float((plan.problem.value * plan.problem.demand).sum()
                                                     * plan.problem.raids), rel=1e-9)
    again = robust(load_scenario(CONFIGS / "tiny.yaml"), draws=2, holdout=4, seed=5)
    assert again.table.equals(t)
    out = write_robust(r, tmp_path / "robust")
    assert_matches_schema(out, "robust")
    assert (out / "robust.png").stat().st_size > 10_000
    assert (out / "plans" / "robust" / "plan.json").exists() and (out / "robust.csv").exists()


def test_bad_arguments(tiny_dict, tmp_path) -> None:
    sc = load_scenario(CONFIGS / "tiny.yaml")
    with pytest.raises(ConfigError, match="--mode: 'best' is not a robust mode: use one of worst, expected"):
        robust(sc, mode="best")
    with pytest.raises(ConfigError, match="--draws: 0 is too few"):
        robust(sc, draws=0)
    with pytest.raises(ConfigError, match="--holdout: 0 is too few"):
        robust(sc, holdout=0)
    tiny_dict["objective"] = {"kind": "min_cost", "defeat_targets": {"shahed_136": 0.5}}
    path = write_yaml(tmp_path / "min_cost.yaml", tiny_dict)
    with pytest.raises(ConfigError, match="min_cost.yaml: objective: robust planning maximises defeats"):
        robust(load_scenario(path))
    res = run_cli("robust", str(path), "--out", str(tmp_path / "r"))
    assert res.returncode == 1 and "robust planning maximises defeats" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "r").exists()
