"""Threat regimes (issue #13, item 2) on the tiny scenario.

Hand facts the tests rest on:
- a regime with the scenario's own raids (12 a year, factor 1) is the scenario: its plan is `dronewall run`'s;
- two identical regimes at weights 0.5 and 0.5 are that same future: the weighted objective Σ w_r V_r equals V, so
  the plan across them is worth what that regime's plan is worth (within the solver's gap);
- a regime with no raids worth defending against (a tenth of a drone a year) funds no drone defence: the
  Leopard's €50M buys one point worth 50 drones, more than every drone the regime sends (0.1 × 10 years × 0.12...);
- evaluated in its own regime, a plan defeats what its own exact evaluation says.
"""

from __future__ import annotations

import pytest

from planner.analysis.regimes import WEIGHTED, regimes
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.plan import solve_scenario
from planner.report.regimes import write_regimes
from tests.conftest import with_crewed_incursions, write_yaml
from tests.schema_check import assert_matches_schema

SAME = {"raids_per_year": 12, "drones_per_raid_factor": 1.0}


def _scenario(tmp_path, tiny_dict, regs):
    tiny_dict["threats"]["regimes"] = regs
    return load_scenario(write_yaml(tmp_path / "regimes.yaml", tiny_dict))


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    import yaml

    from tests.conftest import CONFIGS, absolutise

    data = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
    data["threats"]["regimes"] = {"calm": {"weight": 0.5, "raids_per_year": 0.1, "drones_per_raid_factor": 0.1},
                                  "scenario": {"weight": 0.5, **SAME}}
    path = write_yaml(tmp_path_factory.mktemp("reg") / "tiny-regimes.yaml", data)
    return load_scenario(path), regimes(load_scenario(path))


def test_a_regime_with_the_scenarios_raids_is_the_scenario(result) -> None:
    sc, r = result
    plan = solve_scenario(sc)
    mine = r.plans.set_index("plan").loc["scenario"]
    assert mine["conventional_eur"] == pytest.approx(plan.summary["spend_eur"]["conventional"])
    own = r.table[(r.table["plan"] == "scenario") & (r.table["regime"] == "scenario")].iloc[0]
    assert own["defeat_rate_all_exact"] == pytest.approx(plan.summary["defeat_rate_all_exact"], abs=0.01)


def test_crewed_incursions_are_counted_apart_as_in_the_plan(tmp_path, tiny_dict) -> None:
    """With MiG-31 incursions (escorted, shoot_unmanned) beside the drones, a regime with the scenario's raids counts
    the drones and their rates as plan.json does: crewed incursions left out (they were counted in before)."""
    sc = _scenario(tmp_path, with_crewed_incursions(tiny_dict), {"calm": {"weight": 0.5, "raids_per_year": 0.1,
                                                  "drones_per_raid_factor": 0.1}, "scenario": {"weight": 0.5, **SAME}})
    plan = solve_scenario(sc)
    assert plan.summary["escort"]  # the incursions are there, reported apart
    r = regimes(sc).table
    own = r[(r["plan"] == "scenario") & (r["regime"] == "scenario")].iloc[0]
    assert own["drones_over_horizon"] == pytest.approx(plan.summary["drones_over_horizon"], rel=1e-9)
    assert own["defeat_rate_all_exact"] == pytest.approx(plan.summary["defeat_rate_all_exact"], abs=0.01)
    assert own["defeat_rate_armed_exact"] == pytest.approx(plan.summary["defeat_rate_armed_exact"], abs=0.01)


def test_a_calm_regime_funds_no_drone_defence(result) -> None:
    _, r = result
    calm = r.plans.set_index("plan").loc["calm"]
    assert calm["drone_builds_eur"] == 0
    assert calm["units_leopard_2a8"] == 6  # €300M / €50M


def test_the_weighted_plan_is_best_in_expectation(result) -> None:
    _, r = result
    best = r.plans.set_index("plan")["weighted_objective_exact"]
    gap = float(r.plans.set_index("plan").loc[WEIGHTED, "gap"])
    assert best[WEIGHTED] >= best.max() * (1 - gap - 0.01)
    assert set(r.table["plan"]) == {"calm", "scenario", WEIGHTED} and len(r.table) == 6


def test_identical_regimes_are_one_future(tmp_path, tiny_dict) -> None:
    sc = _scenario(tmp_path, tiny_dict, {"a": {"weight": 0.5, **SAME}, "b": {"weight": 0.5, **SAME}})
    r = regimes(sc).plans.set_index("plan")
    assert r.loc[WEIGHTED, "weighted_objective_exact"] == pytest.approx(r.loc["a", "weighted_objective_exact"],
                                                                        rel=0.02)


def test_written_files(result, tmp_path) -> None:
    out = write_regimes(result[1], tmp_path / "regimes")
    assert_matches_schema(out, "regimes")
    assert {f.name for f in out.iterdir()} >= {"regimes.csv", "regime_plans.csv", "regimes.json", "regimes.png"}


def test_weights_must_sum_to_one(tmp_path, tiny_dict) -> None:
    with pytest.raises(ConfigError, match=r"regimes: the weights sum to 0\.9, not 1: give each regime its share"):
        _scenario(tmp_path, tiny_dict, {"a": {"weight": 0.6, **SAME}, "b": {"weight": 0.3, **SAME}})


def test_no_regime_takes_the_weighted_plans_name(tmp_path, tiny_dict) -> None:
    """A regime called 'weighted' would have lost its plan to the plan across all regimes, silently."""
    with pytest.raises(ConfigError, match=r"regimes: 'weighted' names the plan across all regimes: call this regime "
                                          r"otherwise"):
        _scenario(tmp_path, tiny_dict, {"weighted": {"weight": 0.5, **SAME}, "b": {"weight": 0.5, **SAME}})


def test_no_regimes_is_named(tiny_dict, tmp_path) -> None:
    sc = load_scenario(write_yaml(tmp_path / "plain.yaml", tiny_dict))
    with pytest.raises(ConfigError, match="threats.regimes: the scenario defines no threat regimes"):
        regimes(sc)
