"""Conventional capability areas (issue #13, item 1): a requirement per area with diminishing returns beyond it,
so that a plan fills an unmet requirement first instead of buying only the option with the most points per euro.

The hand case (every test below): drone defence is out of reach (a sensor costs €100), so the budget goes to two
conventional options — a tank (€2, 1 point, armour) and a launcher (€1, 1 point, fires) — at weight 1 per point.

- Linear score (no areas listed): the launcher's point costs half the tank's, so €B buys B launchers: value B.
- Areas: armour requires 2 points, fires 1, each point beyond worth 0.25. At €4: the first launcher (1 per €),
  then a tank (0.5 per €), then a second launcher beyond the requirement (0.25 per €): 1 + 1 + 0.25 = 2.25
  (four launchers: 1 + 0.75 = 1.75; two tanks: 2). At €6: two tanks and two launchers, 2 + 1 + 0.25 = 3.25.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planner.config.capability import CapabilityArea
from planner.lp.solve import solve
from tests.lp_helpers import make_problem


def conventional_only(budget: float, *, areas: bool, strategy: str = "full", beyond: float = 0.25):
    p = make_problem(demand=[[10.0], [4.0]], det=[(0, 0, 0, 0, 0.9), (1, 0, 2, 0, 0.9)],
                     eng=[(0, 0, 1, 0), (1, 0, 3, 0)], n_sites=4, sensor_cost=[100.0], effector_cost=[100.0],
                     p_kill=[[0.5]], budget=budget, conv_cost=[2.0, 1.0], conv_score=[1.0, 1.0],
                     conventional_weight=1.0, strategy=strategy)
    p = dataclasses.replace(p, nations=("AA", "BB"), cell_nation=np.array([0, 1]), site_nation=np.array([0, 0, 1, 1]))
    if not areas:
        return p
    reqs = [CapabilityArea(requirement_points=2, beyond_requirement_share=beyond),
            CapabilityArea(requirement_points=1, beyond_requirement_share=beyond)]
    below, extra = zip(*(r.segments() for r in reqs), strict=True)
    return dataclasses.replace(p, area_ids=("armour", "fires"), conv_area_points=np.eye(2),
                               area_below=np.array(below), area_beyond=np.array(extra),
                               area_beyond_share=np.array([beyond, beyond]))


@pytest.mark.parametrize("strategy", ["full", "sectors"])
def test_linear_score_buys_only_the_cheapest_point(strategy: str) -> None:
    s = solve(conventional_only(4.0, areas=False, strategy=strategy))
    assert s.conventional.tolist() == [0.0, 4.0]


@pytest.mark.parametrize("strategy", ["full", "sectors"])
@pytest.mark.parametrize(("budget", "units", "value"), [(4.0, [1.0, 2.0], 2.25), (6.0, [2.0, 2.0], 3.25)])
def test_areas_fill_the_unmet_requirement_first(strategy: str, budget: float, units: list[float],
                                                 value: float) -> None:
    p = conventional_only(budget, areas=True, strategy=strategy)
    s = solve(p)
    assert s.conventional.tolist() == units
    assert p.conventional_value(s.conventional, 1.0) == pytest.approx(value)
    assert s.objective == pytest.approx(value, abs=1e-6)


def test_more_budget_never_lowers_the_value() -> None:
    values = [conventional_only(b, areas=True) for b in (1.0, 2.0, 3.0, 4.0, 6.0, 9.0)]
    got = [p.conventional_value(solve(p).conventional, 1.0) for p in values]
    assert got == sorted(got) and got[0] == pytest.approx(1.0) and got[-1] > got[-2]


def test_a_requirement_nothing_reaches_with_full_value_beyond_is_the_linear_score() -> None:
    """Requirements above what any budget buys value every point in full: the plan is the linear one."""
    p = conventional_only(4.0, areas=True, beyond=1.0)
    p = dataclasses.replace(p, area_below=np.array([1e3, 1e3]))
    assert solve(p).conventional.tolist() == [0.0, 4.0]


def test_points_in_service_count_against_the_requirement() -> None:
    """Armour already holds 2 points: the requirement is met, a tank is worth 0.25 per €2; the launcher's first point
    1 per €1. At €4: one launcher (1) then three launchers beyond (0.75) = 1.75 against a tank and two launchers
    (0.25 + 1 + 0.25 = 1.5)."""
    p = conventional_only(4.0, areas=True)
    held = CapabilityArea(requirement_points=2, in_service_points=2, beyond_requirement_share=0.25).segments()
    p = dataclasses.replace(p, area_below=np.array([held[0], 1.0]), area_beyond=np.array([held[1], np.inf]))
    s = solve(p)
    assert s.conventional.tolist() == [0.0, 4.0]
    assert p.conventional_value(s.conventional, 1.0) == pytest.approx(1.75)


def test_saturation_below_the_requirement_is_refused() -> None:
    with pytest.raises(ValueError, match="saturation_points 1 is below requirement_points 2"):
        CapabilityArea(requirement_points=2, saturation_points=1)


def test_an_area_no_option_offers_is_named(tmp_path, tiny_dict) -> None:
    from planner.config.io import load_scenario
    from planner.errors import ConfigError
    from tests.conftest import write_yaml

    tiny_dict["objective"]["capability_areas"] = {"gbad": {"requirement_points": 100}}
    with pytest.raises(ConfigError, match=r"objective\.capability_areas\.gbad: no allowed conventional option has "
                                          r"points in area 'gbad' \(the options offer armour\)"):
        load_scenario(write_yaml(tmp_path / "areas.yaml", tiny_dict))


def test_a_scenario_area_reaches_the_problem(tmp_path, tiny_dict) -> None:
    """tiny's only option, the Leopard 2A8, is armour (catalog capability_areas); a requirement of 3 Leopard-2A8 equivalents with 1 in service
    leaves 2 valued in full and the rest at the share beyond."""
    from planner.config.io import load_scenario
    from planner.geo.theater import build_theater
    from planner.problem import build_problem
    from tests.conftest import write_yaml

    tiny_dict["objective"]["capability_areas"] = {"armour": {"requirement_points": 3, "in_service_points": 1,
                                                          "beyond_requirement_share": 0.5}}
    sc = load_scenario(write_yaml(tmp_path / "areas.yaml", tiny_dict))
    p = build_problem(sc, build_theater(sc))
    assert p.area_ids == ("armour",) and p.area_below.tolist() == [2.0] and np.isinf(p.area_beyond).all()
    assert np.allclose(p.conv_area_points[:, 0], p.conv_score) and not p.capability_is_linear()
    units = np.zeros(len(p.conv_ids))
    units[int(np.argmax(p.conv_score))] = 10
    score = 10 * p.conv_score.max()
    assert p.conventional_value(units, 2.0) == pytest.approx(2.0 * (2 + 0.5 * (score - 2)))


def test_the_plan_reports_each_area() -> None:
    """The €4 hand case: armour 1 point bought of 2 required, fires 2 of 1 (one valued in full)."""
    from planner.plan import area_table

    p = conventional_only(4.0, areas=True)
    rows = area_table(p, solve(p).conventional)
    assert rows == [{"area": "armour", "points_bought": 1.0, "requirement_left_points": 2.0, "points_valued_in_full": 1.0},
                    {"area": "fires", "points_bought": 2.0, "requirement_left_points": 1.0, "points_valued_in_full": 1.0}]


def test_lowest_price_on_money() -> None:
    """The decomposition prices money no lower than the conventional term allows: linear, the launcher's €1 a point
    (μ_conv = 1); with areas, a point beyond the requirement is worth 0.25, so the launcher keeps 0.25 per € however
    many are bought (the tank 0.125): 0.25; with saturation nothing is worth buying without end: 0."""
    from planner.lp.choice import conventional_values, lowest_price

    linear = conventional_only(4.0, areas=False)
    k, val, mu_conv = conventional_values(linear, "max_defeat")
    assert lowest_price(linear, k, val) == pytest.approx(mu_conv) == pytest.approx(1.0)
    areas = conventional_only(4.0, areas=True)
    k, val, _ = conventional_values(areas, "max_defeat")
    assert lowest_price(areas, k, val) == pytest.approx(0.25)
    saturated = dataclasses.replace(areas, area_beyond=np.array([1.0, 1.0]))
    assert lowest_price(saturated, k, val) == 0.0


def test_more_budget_never_lowers_either_side_in_whole_lumps() -> None:
    """Drone defence and conventional forces side by side: three cells of 10, 6 and 3 drones, each defended by a
    sensor and an effector (€1 each, detection 0.9, kill 0.5: about 4.45, 2.67 and 1.34 drones for €2), a tank (€2,
    armour, 2 required) and a launcher (€1, fires, 1 required), a quarter beyond; weight 1. By hand the plan fills
    the best €2 first: the first cell (4.45), the second (2.67), the third (1.34), then conventional points (the
    launcher's first at 1 per €, a tank's at 0.5 per €, points beyond at 0.25 per €: €14 ends with 2 tanks and 4
    launchers, 2 + 1 + 0.25 × 3 = 3.75). Every lump costs €2 or €1, so an odd euro buys a launcher that the next
    euro trades for a drone pair (€3: 4.45 + launcher; €4: two pairs, no launcher): each side's value never falls
    over whole €2 steps, and the objective never falls at all."""
    from tests.lp_helpers import make_problem

    def plan(budget: float) -> tuple[float, float, float]:
        p = make_problem(demand=[[10.0], [6.0], [3.0]], det=[(i, 0, i, 0, 0.9) for i in range(3)],
                         eng=[(i, 0, i, 0) for i in range(3)], n_sites=3, sensor_cost=[1.0], effector_cost=[1.0],
                         p_kill=[[0.5]], budget=budget, conv_cost=[2.0, 1.0], conv_score=[1.0, 1.0],
                         conventional_weight=1.0)
        reqs = [CapabilityArea(requirement_points=2), CapabilityArea(requirement_points=1)]
        below, extra = zip(*(r.segments() for r in reqs), strict=True)
        p = dataclasses.replace(p, area_ids=("armour", "fires"), conv_area_points=np.eye(2),
                                area_below=np.array(below), area_beyond=np.array(extra),
                                area_beyond_share=np.array([0.25, 0.25]))
        s = solve(p)
        return p.drone_value(s.engagements), p.conventional_value(s.conventional, 1.0), s.objective

    runs = {b: plan(float(b)) for b in range(0, 15)}
    objective = [runs[b][2] for b in range(15)]
    assert all(b >= a - 1e-6 for a, b in zip(objective, objective[1:], strict=False))
    for side in (0, 1):
        values = [runs[b][side] for b in range(0, 15, 2)]
        assert all(b >= a - 1e-6 for a, b in zip(values, values[1:], strict=False)), (side, values)
    assert runs[6][0] == pytest.approx(runs[14][0]) and runs[6][1] == 0 and runs[14][1] == pytest.approx(3.75)
