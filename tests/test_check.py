"""The plan checker (planner.lp.check): a plan that breaks a constraint family is caught, with the family and
the numbers; every plan the solver returns passes it (it runs inside every solve path, so the whole suite
exercises that side)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planner.errors import SolverError
from planner.lp.families import FAMILIES, check, violations
from planner.lp.solve import solve
from tests.test_sectors import two_cells


@pytest.fixture(scope="module")
def solved():
    """The two-nation hand case of tests/test_sectors.py: with €4 both kill chains are bought (sensor sites 0
    and 2, effector sites 1 and 3), 10 · 0.89055 · 0.5 + 4 · 0.89055 · 0.5 defeated per raid."""
    p = two_cells()
    return p, solve(p)


def test_the_solved_plan_holds(solved) -> None:
    p, s = solved
    assert violations(p, s) == []
    assert check(p, s) is s


@pytest.mark.parametrize(("break_it", "family"), [
    (lambda p, s: dataclasses.replace(s, sensors=s.sensors * 0.5), "sensors: builds are not 0 or 1"),
    (lambda p, s: dataclasses.replace(s, conventional=np.array([5.0])), "budget: the plan spends"),
    (lambda p, s: dataclasses.replace(s, engagements=s.engagements * 1.5), "detection: cell"),
    (lambda p, s: dataclasses.replace(s, detected=s.detected * 1.2),  # promised 0.89, exact 0.9
     "more than the built sensors' exact"),
    (lambda p, s: dataclasses.replace(s, effectors=np.zeros_like(s.effectors)), "reach: cell"),
])
def test_a_broken_plan_is_caught(solved, break_it, family: str) -> None:
    p, s = solved
    broken = break_it(p, s)
    assert any(family in v for v in violations(p, broken)), violations(p, broken)
    with pytest.raises(SolverError, match="breaks its constraints"):
        check(p, broken)


def test_magazines_national_caps_targets_and_in_service(solved) -> None:
    p, s = solved
    # Magazine: one shot per unit and raid, shared evenly by the cells a unit covers: 10 engagements cannot fit.
    small = dataclasses.replace(p, effector_magazine=np.array([1.0]), mag_share=np.ones_like(p.mag_share))
    assert any(v.startswith("magazine: cell") for v in violations(small, s))
    capped = dataclasses.replace(p, nation_cap_eur={1: 1.0})  # BB's chain costs €2
    assert any(v.startswith("national cap of BB") for v in violations(capped, s))
    assert any(v.startswith("defeat target of") for v in violations(p, s, targets={0: 0.99}))
    kept = dataclasses.replace(p, in_service_sensors=np.ones_like(p.in_service_sensors, dtype=bool))
    assert any("in service are not in the plan" in v for v in violations(kept, s))


def test_every_family_is_listed() -> None:
    assert [f.name for f in FAMILIES] == ["builds", "detection", "reach", "magazines", "surveillance", "escort",
                                          "escort requirements", "budget",
                                          "national caps", "unit caps", "conventional floor", "class targets"]


def test_decoys_must_draw_their_share() -> None:
    """tests/test_optimizer.py::test_decoys_draw_shots: 5 armed drones and 5 decoys, 4 shots; the plan fires 2 at
    each. Firing all 4 at the armed drones breaks the decoys' share (½) and is caught."""
    from tests.lp_helpers import make_problem

    p = make_problem(demand=[[5.0, 5.0]], det=[(0, 0, 0, 0, 1.0), (0, 1, 0, 0, 1.0)], eng=[(0, 0, 1, 0), (0, 1, 1, 0)],
                     n_sites=2, sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[1.0, 1.0]], magazine=[4.0],
                     decoy=[False, True], value=[[1.0, 0.0]], budget=2.0)
    s = solve(p)
    assert violations(p, s) == [] and s.engagements[0, :, 0].tolist() == pytest.approx([2.0, 2.0], abs=1e-6)
    greedy = s.engagements.copy()
    greedy[0, :, 0] = [4.0, 0.0]
    assert any(v.startswith("decoys: cell") for v in violations(p, dataclasses.replace(s, engagements=greedy)))


def test_a_fixed_unit_that_covers_nothing_still_costs_its_money() -> None:
    """A catalog draw with shorter ranges can leave a unit the plan built covering nothing: it has no variable in
    the evaluation, yet it was bought (€5k) and must not lend its money to munitions. Plan: a sensor and an
    effector at site 0 (€10k) and a sensor at site 1 that covers nothing (€5k), €2k of munitions at €1k a shot:
    €17k. Without the unit's cost the evaluation fires 7 shots (€22k with the unit, over the plan's €17k); with it,
    2 (the evaluation's budget row allows €1 of slack)."""
    from planner.lp.result import FixedPlan
    from planner.lp.solve import solve
    from tests.lp_helpers import make_problem

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 0.9)], eng=[(0, 0, 0, 0)], n_sites=2, sensor_cost=[5e3],
                     effector_cost=[5e3], p_kill=[[0.5]], cost_per_shot=[1e3], budget=1e5)
    fixed = FixedPlan(sensors=np.array([[1.0], [1.0]]), effectors=np.array([[1.0], [0.0]]), conventional=np.zeros(0),
                      cost_eur=17e3)
    x = solve(p, fixed=fixed)
    assert p.costs(fixed.sensors, fixed.effectors, x.engagements, x.conventional)["total"] <= 17e3 * (1 + 1e-9) + 1.0 + 1e-6
    assert x.engagements.sum() == pytest.approx(2.0, abs=1e-2)


def test_a_unit_rounded_to_unbuilt_may_leave_round_off_engagements() -> None:
    """A MIP may leave a build at 1e-6 (integrality tolerance): the plan rounds it to 0, and the engagements it
    allowed, λ · 1e-6 = 1e-5 here for λ = 10, fire shots no magazine covers. The reach check tolerates REL_TOL of
    the drones; the magazine check now tolerates their shots (regimes and tornado on the flank stopped on
    1.1e-6 shots). A thousandth of the drones is still caught by both."""
    from tests.lp_helpers import make_problem

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 0.9)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.5]], shots=[2.0], surge=1.5, budget=10.0)
    s = solve(p)
    unbuilt = np.zeros_like(s.effectors)
    for eng, ok in ((1e-5, True), (1e-2, False)):
        bad = dataclasses.replace(s, effectors=unbuilt, engagements=np.full_like(s.engagements, eng))
        found = [v for v in violations(p, bad) if v.startswith(("magazine", "reach"))]
        assert (not found) == ok, found


def test_round_off_shots_are_allowed_class_by_class() -> None:
    """Two classes of 0.1 drones a raid each behind a unit rounded to unbuilt, each engaged 0.9e-6 (within the reach
    check's ABS_TOL + REL_TOL · λ = 1.1e-6 per class): at 2 shots an engagement and a surge of 1.5 they fire
    2 · 1.5 · 2 · 0.9e-6 = 5.4e-6 shots that no magazine covers. The magazine check allows each class's round-off
    (2 · 1.5 · 2 · 1.1e-6 = 6.6e-6 here); one class's REL_TOL of the cell's drones alone (0.6e-6 + ABS_TOL) had
    stopped the flank tornado on 1.27e-6 shots. Ten times as much is still caught."""
    from tests.lp_helpers import make_problem

    p = make_problem(demand=[[0.1, 0.1]], det=[(0, 0, 0, 0, 0.9), (0, 1, 0, 0, 0.9)], eng=[(0, 0, 0, 0), (0, 1, 0, 0)],
                     n_sites=1, sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[0.5, 0.5]], shots=[2.0], surge=1.5,
                     budget=10.0)
    s = solve(p)
    unbuilt = np.zeros_like(s.effectors)
    for eng, ok in ((0.9e-6, True), (9e-6, False)):
        bad = dataclasses.replace(s, effectors=unbuilt, engagements=np.full_like(s.engagements, eng))
        found = [v for v in violations(p, bad) if v.startswith("magazine")]
        assert (not found) == ok, found

