"""The decision analysis (issue #13, item 4): the exchange rate behind a plan's split, in euros, and the split at
half and double the weight.

Break-even by hand (:func:`planner.analysis.decision.break_even`, the hand case of tests/test_capability.py: a tank
€2 for 1 armour point, a launcher €1 for 1 fires point, weight 1):

- linear score, any buy: the launcher adds 1 point per €1, so one more euro is worth 1 drone: €1 per drone;
- areas (armour requires 2, fires 1, 0.25 beyond), after one tank and two launchers: the next tank still fills
  the armour requirement (1 point per €2 = 0.5 per €), a launcher is beyond (0.25 per €1): the tank sets it, €2
  per drone; after two tanks and two launchers both are beyond: the launcher, 0.25 per €: €4 per drone.

The tiny scenario (configs/tiny.yaml): its only conventional option is the Leopard 2A8, €30M plus €2M a year for
10 years = €50M for 1 point; at weight 50 one more euro on tanks is worth 50/€50M drones: the break-even is €1M per
value-weighted drone defeated; at half the weight €2M, at double €0.5M. A dearer drone (higher break-even) can only
draw more money into drone defence.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planner.analysis.decision import decision
from planner.analysis.stress import load_plan
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.plan import break_even, solve_scenario
from planner.report.decision import write_decision
from planner.report.plan import write_plan
from tests.conftest import CONFIGS
from tests.schema_check import assert_matches_schema
from tests.test_capability import conventional_only


def test_break_even_linear_is_the_best_price_per_point() -> None:
    p = conventional_only(4.0, areas=False)
    got = break_even(p, np.array([0.0, 4.0]))
    assert got["break_even_eur_per_drone"] == pytest.approx(1.0)
    assert got["marginal_option"] == "conv1"


@pytest.mark.parametrize(("units", "price", "option"), [([1.0, 2.0], 2.0, "conv0"), ([2.0, 2.0], 4.0, "conv1")])
def test_break_even_follows_the_requirements(units: list[float], price: float, option: str) -> None:
    got = break_even(conventional_only(4.0, areas=True), np.array(units))
    assert got["break_even_eur_per_drone"] == pytest.approx(price)
    assert got["marginal_option"] == option


def test_break_even_scales_with_the_weight() -> None:
    p = conventional_only(4.0, areas=False)
    half = dataclasses.replace(p, conventional_weight=0.5)
    assert break_even(half, np.zeros(2))["break_even_eur_per_drone"] == pytest.approx(2.0)


def test_no_conventional_value_left_means_any_price() -> None:
    p = conventional_only(4.0, areas=True)
    p = dataclasses.replace(p, area_beyond=np.zeros(2))  # nothing counts beyond the requirements
    assert break_even(p, np.array([2.0, 1.0]))["break_even_eur_per_drone"] is None


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "tiny"
    write_plan(solve_scenario(load_scenario(CONFIGS / "tiny.yaml")), out)
    return out


@pytest.fixture(scope="module")
def tiny_decision(tiny_plan):
    return decision(load_plan(tiny_plan))


def test_tiny_break_even_by_hand(tiny_decision) -> None:
    t = tiny_decision.table.set_index("factor")
    assert list(t.index) == [0.5, 1.0, 2.0]
    assert t["break_even_eur_per_drone"].tolist() == pytest.approx([2e6, 1e6, 0.5e6])
    assert set(t["marginal_option"]) == {"leopard_2a8"}
    assert tiny_decision.meta["reference_tank_eur"] == pytest.approx(50e6)
    assert t["tanks_not_bought"].tolist() == pytest.approx((t["drone_defence_eur"] / 50e6).tolist())


def test_tiny_split_moves_with_the_price_of_a_drone(tiny_decision, tiny_plan) -> None:
    t = tiny_decision.table.set_index("factor")
    drone = t["drone_defence_eur"]
    assert drone[0.5] >= drone[1.0] >= drone[2.0]
    assert t["units_leopard_2a8"][0.5] <= t["units_leopard_2a8"][1.0] <= t["units_leopard_2a8"][2.0]
    assert (t["drone_defence_eur"] + t["conventional_eur"] <= 3.0e8 * (1 + 1e-9)).all()
    import json

    doc = json.loads((tiny_plan / "plan.json").read_text())
    assert drone[1.0] == pytest.approx(doc["spend_eur"]["drone_defence"])


def test_written_files(tiny_decision, tmp_path) -> None:
    out = write_decision(tiny_decision, tmp_path / "decision")
    assert_matches_schema(out, "decision")
    assert {f.name for f in out.iterdir()} >= {"decision.csv", "decision.json", "decision.png"}


@pytest.mark.parametrize("factors", [[1.0], [0.0], [-2.0], [float("inf")]])
def test_bad_factors(tiny_plan, factors) -> None:
    with pytest.raises(ConfigError, match="is not a weight factor: give positive numbers other than 1"):
        decision(load_plan(tiny_plan), factors=factors)


def test_needs_the_max_defeat_objective(tiny_plan) -> None:
    loaded = load_plan(tiny_plan)
    loaded = dataclasses.replace(loaded, problem=dataclasses.replace(loaded.problem, objective="min_cost"))
    with pytest.raises(ConfigError, match="which 'min_cost' does not use: use kind max_defeat"):
        decision(loaded)


def test_cli(tiny_plan, tmp_path) -> None:
    from tests.test_config_valid import run_cli

    out = tmp_path / "decision"
    res = run_cli("decision", str(tiny_plan), "--factors", "2", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "50 (×1)" in res.stdout and "€1.0M" in res.stdout and "100 (×2)" in res.stdout and "€500k" in res.stdout
    assert (out / "decision.png").exists()
    res = run_cli("decision", str(tiny_plan), "--factors", "1", "--out", str(tmp_path / "bad"))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "--factors: 1 is not a weight factor" in res.stderr
    assert not (tmp_path / "bad").exists()
