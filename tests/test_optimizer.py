"""The optimizer on hand-checkable problems, against enumeration and a textbook MCLP, and its invariants."""

from __future__ import annotations

import itertools
import json
import math
import re

import numpy as np
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InfeasibleError
from planner.lp.formulation import build_model, money_scale
from planner.lp.kill_chain import chords
from planner.lp.solve import solve
from planner.plan import kills, solve_problem, value_of
from tests.conftest import ROOT
from tests.lp_helpers import make_problem

CASES = json.loads((ROOT / "tests" / "data" / "hand_cases.json").read_text())
P_SURE = 1 - 1e-6  # a sure detection: the model promises at most CAP of it
CAP = 1 - math.exp(-6.9)


def g(delta: float) -> float:
    """The model's piecewise-linear detection promise (the lowest chord line at delta)."""
    return min(a + b * delta for a, b in chords())


def test_chords_never_exceed_the_curve() -> None:
    """Chords lie below the concave curve; the final flat line caps the promise at 1 − e^(−6.9)."""
    for delta in np.linspace(0, 20, 2001):
        assert g(delta) <= 1 - math.exp(-delta) + 1e-12
    assert g(-math.log(0.1)) == pytest.approx(0.8905503, abs=1e-6)


def chain(**kw):  # one cell, one threat, λ = 10; sensor pd 0.9 and effector pk 0.5 at one site, each €1
    base = dict(demand=[[10.0]], det=[(0, 0, 0, 0, 0.9)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                effector_cost=[1.0], p_kill=[[0.5]], budget=2.0)
    return make_problem(**{**base, **kw})


def check(case: str, solved, problem) -> None:
    exp = CASES[case]
    assert solved.objective == pytest.approx(exp["objective"], abs=1e-5)
    assert solved.sensors.sum() == exp["sensors_built"]
    assert solved.effectors.sum() == exp["effectors_built"]
    if "conventional" in exp:
        assert solved.conventional.tolist() == exp["conventional"]
    if "kills_lp" in exp:
        assert kills(problem, solved).sum(0) == pytest.approx(exp["kills_lp"], abs=1e-5)


def test_one_cell_chain() -> None:
    """Budget €2 buys the sensor and the effector. δ = −ln(0.1) = 2.3026 lies between breakpoints 2 and 3;
    the chord there gives g = 0.86466 + (0.95021 − 0.86466)·0.3026 = 0.89055, so the LP promises
    10 · 0.89055 · 0.5 = 4.4528 kills. The exact evaluation gives 10 · 0.9 · 0.5 = 4.5 (≥ the promise)."""
    p = chain()
    lp, exact = solve_problem(p)
    check("one_cell_chain", lp, p)
    assert kills(p, exact).sum() == pytest.approx(CASES["one_cell_chain"]["kills_exact"][0], abs=1e-6)


@pytest.mark.parametrize(("case", "budget", "weight"), [("tank_or_wall_budget_5", 5.0, 3.0),
                                                         ("tank_or_wall_budget_4", 4.0, 3.0),
                                                         ("tank_or_wall_weight_5_budget_3", 3.0, 5.0)])
def test_tank_or_wall(case: str, budget: float, weight: float) -> None:
    """A tank costs €3 and is worth `weight` drones defeated. With €5: wall (€2, 4.4528) + tank (3) = 7.4528.
    With €4 the tank no longer fits beside the wall: 4.4528 > 3, so the wall. With €3 and a tank worth 5,
    the tank (5 > 4.4528) and nothing else."""
    p = chain(budget=budget, conv_cost=[3.0], conv_score=[1.0], conventional_weight=weight)
    check(case, solve(p), p)


def test_magazine_and_munitions() -> None:
    """λ = 10 sure detections; two sites may each hold an effector (€1, magazine 4, pk 1, €0.1 a shot), a
    sensor costs €1. With €3.5: sensor + two effectors = €3 leave €0.5 = 5 shots, so 5 kills (a single
    effector would be held to its magazine of 4)."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_SURE)], eng=[(0, 0, 0, 0), (0, 0, 1, 0)], n_sites=2,
                     sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[1.0]], magazine=[4.0], cost_per_shot=[0.1],
                     budget=3.5)
    check("magazine_and_munitions", solve(p), p)


def test_decoys_draw_shots() -> None:
    """5 armed drones and 5 decoys (worth 0) in one cell; an effector with 4 shots cannot tell them apart,
    so half its shots go to decoys: 2 armed drones killed, objective 2 (4 if it could choose)."""
    p = make_problem(demand=[[5.0, 5.0]], det=[(0, 0, 0, 0, P_SURE), (0, 1, 0, 0, P_SURE)],
                     eng=[(0, 0, 0, 0), (0, 1, 0, 0)], n_sites=1, sensor_cost=[1.0], effector_cost=[1.0],
                     p_kill=[[1.0, 1.0]], magazine=[4.0], decoy=[False, True], value=[[1.0, 0.0]], budget=2.0)
    check("decoys_draw_shots", solve(p), p)


def test_min_cost_and_unreachable_target() -> None:
    p = chain(objective="min_cost", targets={0: 0.3}, budget=10.0)
    s = solve(p)
    assert s.sensors.sum() == 1 and s.effectors.sum() == 1 and s.objective == pytest.approx(2.0)
    with pytest.raises(InfeasibleError, match=r"defeat-rate target 0\.6 for t0 is unreachable within "
                                              r"€0\.00bn: best reachable 0\.445"):
        solve_problem(chain(objective="min_cost", targets={0: 0.6}, budget=10.0))


# ---- exhaustive enumeration ---------------------------------------------------------------------


def enumerate_best(p) -> float:
    """Best objective over every build combination, each completed by its own (small) optimisation."""
    keys = [("s", j, k) for j in range(len(p.site_ids)) for k in range(len(p.sensor_ids))] + \
           [("e", j, k) for j in range(len(p.site_ids)) for k in range(len(p.effector_ids))]
    best = -math.inf
    for pick in itertools.product([0, 1], repeat=len(keys)):
        sens = np.zeros((len(p.site_ids), len(p.sensor_ids)), bool)
        effs = np.zeros((len(p.site_ids), len(p.effector_ids)), bool)
        for on, (kind, j, k) in zip(pick, keys, strict=True):
            (sens if kind == "s" else effs)[j, k] = bool(on)
        prob, _ = build_model(p, allowed=(sens, effs), required=(sens, effs))
        prob.solve(pulp.HiGHS(msg=False, gapRel=0))
        if prob.status == pulp.LpStatusOptimal:
            best = max(best, pulp.value(prob.objective))
    return best


@st.composite
def tiny_problems(draw):
    n_cells = draw(st.integers(1, 3))
    n_sites = 2
    demand = [[draw(st.floats(0.5, 10))] for _ in range(n_cells)]
    det = [(i, 0, j, 0, draw(st.floats(0.1, 1 - 1e-6))) for i in range(n_cells) for j in range(n_sites)
           if draw(st.booleans())]
    eng = [(i, 0, j, 0) for i in range(n_cells) for j in range(n_sites) if draw(st.booleans())]
    # Costs and the budget in cents: a combination of whole units either fits exactly or misses by a cent (found at
    # HiGHS 1.8: a budget 3·10⁻⁸ below two €1 units bought both in one model and one in the other, both within its
    # tolerances).
    cents = st.floats(0.5, 3).map(lambda x: round(x, 2))
    return make_problem(demand=demand, det=det or [(0, 0, 0, 0, 0.5)], eng=eng or [(0, 0, 1, 0)], n_sites=n_sites,
                        sensor_cost=[draw(cents)], effector_cost=[draw(cents)],
                        p_kill=[[draw(st.floats(0.1, 1.0))]], magazine=[draw(st.floats(1, 20))],
                        # A shot cost of 10⁻⁷ of the budget sits at HiGHS's absolute tolerances, where a plan
                        # at the budget's edge may overspend by that much: free shots, or cheap ones.
                        cost_per_shot=[draw(st.one_of(st.just(0.0), st.floats(1e-3, 0.3)))],
                        budget=round(draw(st.floats(0.5, 8)), 2),
                        conv_cost=[round(draw(st.floats(1, 4)), 2)], conv_score=[1.0],
                        conventional_weight=draw(st.floats(0, 4)))


def test_tiny_budget_rows_are_scaled() -> None:
    """Found by the enumeration test: with a €1 budget, a €2.2·10⁻⁷ shot and a €1 conventional unit (worth 1),
    HiGHS's presolve returned 'optimal' at 0 while the unit alone is worth 1. Budget rows are now scaled to
    a right-hand side of 10³–10⁴ whatever the budget's size (money_scale)."""
    p = make_problem(demand=[[3.0]], det=[(0, 0, 0, 0, 0.5)], eng=[(0, 0, 1, 0)], n_sites=2, sensor_cost=[0.5],
                     effector_cost=[1.0], p_kill=[[1.0]], magazine=[1.0], cost_per_shot=[2.20220431e-07], budget=1.0,
                     conv_cost=[1.0], conv_score=[1.0], conventional_weight=1.0)
    assert money_scale(p) == pytest.approx(1e-3)
    s = solve(p)
    assert s.objective == pytest.approx(1.0, abs=1e-9) and s.conventional.tolist() == [1.0]


@settings(max_examples=60, deadline=None)
@given(p=tiny_problems())
def test_milp_equals_enumeration(p) -> None:
    s = solve(p)
    assert s.objective == pytest.approx(enumerate_best(p), rel=1e-6, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(p=tiny_problems(), extra=st.floats(0.1, 5))
def test_more_budget_never_hurts(p, extra: float) -> None:
    import dataclasses

    richer = dataclasses.replace(p, budget_eur=p.budget_eur + extra)
    assert solve(richer).objective >= solve(p).objective - 1e-6


@settings(max_examples=25, deadline=None)
@given(p=tiny_problems(), factor=st.floats(0.1, 1.0))
def test_cheaper_system_never_hurts(p, factor: float) -> None:
    import dataclasses

    cheaper = dataclasses.replace(p, sensor_unit_cost_eur=p.sensor_unit_cost_eur * factor,
                                  effector_unit_cost_eur=p.effector_unit_cost_eur * factor)
    assert solve(cheaper).objective >= solve(p).objective - 1e-6


@settings(max_examples=25, deadline=None)
@given(p=tiny_problems())
def test_exact_value_never_below_the_promise(p) -> None:
    lp, exact = solve_problem(p)
    assert value_of(p, exact) >= value_of(p, lp) - 1e-6
    rates = kills(p, exact).sum(0) / p.demand.sum(0)
    assert ((rates >= -1e-9) & (rates <= 1 + 1e-9)).all()


# ---- the maximal covering special case ----------------------------------------------------------


def test_single_sensor_plan_is_the_textbook_mclp() -> None:
    """One sensor type, unit costs, a budget of p sites, a free effector that kills whatever is detected:
    the plan covers the same demand as a textbook maximal covering location model on the same points."""
    rng = np.random.default_rng(7)
    cells_x = np.arange(40) * 2.5  # a straight 100 km border, 2.5 km cells (midpoints)
    sites_x = np.arange(0, 100, 5.0) + 2.5
    radius = 6.0
    demand = rng.uniform(0.5, 3.0, size=len(cells_x))
    cover = [(i, j) for i in range(len(cells_x)) for j in range(len(sites_x)) if abs(cells_x[i] - sites_x[j]) <= radius]
    p_sites = 4
    p = make_problem(demand=[[d] for d in demand], det=[(i, 0, j, 0, P_SURE) for i, j in cover],
                     eng=[(i, 0, 0, 0) for i in range(len(cells_x))], n_sites=len(sites_x), sensor_cost=[1.0],
                     effector_cost=[0.0], p_kill=[[1.0]], budget=float(p_sites))
    s = solve(p)
    ours = set(np.nonzero(s.sensors[:, 0])[0].tolist())

    mclp = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [mclp.add_variable(f"x{j}", 0, 1, "Binary") for j in range(len(sites_x))]
    y = [mclp.add_variable(f"y{i}", 0, 1, "Binary") for i in range(len(cells_x))]
    mclp += pulp.lpSum(demand[i] * y[i] for i in range(len(cells_x)))
    for i in range(len(cells_x)):
        mclp += y[i] <= pulp.lpSum(x[j] for (ii, j) in cover if ii == i)
    mclp += pulp.lpSum(x) <= p_sites
    mclp.solve(pulp.HiGHS(msg=False, gapRel=0))
    mclp_value = pulp.value(mclp.objective)

    covered = {i for i, j in cover if j in ours}
    assert len(ours) == p_sites
    assert sum(demand[i] for i in covered) == pytest.approx(mclp_value, rel=1e-9)
    assert s.objective == pytest.approx(mclp_value * CAP, rel=1e-6)


def test_regression_highs_1_16_presolve() -> None:
    """Found by test_milp_equals_enumeration: HiGHS 1.16.0 returned 0.598 as 'optimal' here, where a
    tank worth 1 (€1.5 of €2) beats the drone plan. pyproject.toml excludes that version."""
    p = make_problem(demand=[[1.0], [1.0], [1.0]], det=[(0, 0, 1, 0, 0.5), (2, 0, 0, 0, 1 - math.exp(-0.10709814))],
                     eng=[(0, 0, 0, 0), (2, 0, 0, 0)], n_sites=2, sensor_cost=[0.5], effector_cost=[1.0],
                     p_kill=[[1.0]], magazine=[1.0], budget=2.0, conv_cost=[1.5], conv_score=[1.0],
                     conventional_weight=1.0)
    s = solve(p)
    assert s.objective == pytest.approx(1.0, abs=1e-6)
    assert s.conventional.tolist() == [1.0]


def no_fire_cell(budget: float):
    """One cell (λ = 10, sure detection, sensor €1) with 40% of its length inside a no-fire zone; at one site a
    kinetic effector (€1) and a non-kinetic one (€3), each pk 1 with magazines to spare."""
    import dataclasses

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_SURE)], eng=[(0, 0, 0, 0), (0, 0, 0, 1)], n_sites=1,
                     sensor_cost=[1.0], effector_cost=[1.0, 3.0], p_kill=[[1.0], [1.0]], budget=budget)
    return dataclasses.replace(p, cell_no_fire=np.array([0.4]), effector_kinetic=np.array([True, False]))


@pytest.mark.parametrize(("case", "budget"), [("no_fire_share_budget_3", 3.0), ("no_fire_share_budget_4", 4.0)])
def test_no_fire_share_caps_kinetic_fire(case: str, budget: float) -> None:
    """Kinetic fire only at the drones crossing outside no-fire zones (constraint 4b). With €3 the sensor and the
    kinetic effector (€2) are all that fit: it may engage only the 60% crossing outside, 6 · CAP = 5.99395 (10 ·
    CAP without the zone). With €4 the sensor and the non-kinetic effector fire at every detected drone: 10 · CAP =
    9.98992 (kinetic and non-kinetic together, €5, do not fit)."""
    p = no_fire_cell(budget)
    solved = solve(p)
    check(case, solved, p)
    assert solved.effectors[0].tolist() == ([1.0, 0.0] if budget == 3.0 else [0.0, 1.0])


def test_the_check_refuses_kinetic_fire_inside_no_fire_zones() -> None:
    """A plan that engages all 10 detected drones with the kinetic effector breaks the 60% cap: the check names
    the cell and the cap; the same plan without the zone passes."""
    import dataclasses

    from planner.lp.check import Context, check_reach
    from planner.lp.result import Solved

    p = no_fire_cell(5.0)
    plan = Solved(status="candidate", sensors=np.array([[1.0]]), effectors=np.array([[1.0, 0.0]]),
                  conventional=np.zeros(0), detected=np.array([[10.0]]), engagements=np.array([[[10.0, 0.0]]]),
                  objective=0.0, gap=None, build_s=0.0, solve_s=0.0)
    found = check_reach(p, plan, Context())
    assert len(found) == 1 and re.search(r"cell c0, t0: 10 engaged by kinetic effectors, more than the 6 detected "
                                         r"outside no-fire zones", found[0])
    assert check_reach(dataclasses.replace(p, cell_no_fire=np.zeros(1)), plan, Context()) == []


@pytest.mark.parametrize(("kinetic", "p_kill", "physical", "promised"), [
    ((True, True), (1.0, 1.0), 5.0, 5.0),
    ((True, True), (0.5, 0.5), 3.75, 3.75),
    ((False, True), (0.5, 1.0), 7.5, 5.0),
])
def test_layered_kinetic_fire_stays_outside_no_fire_zones(kinetic, p_kill, physical, promised) -> None:
    """Constraint 4b with layers (found by review: capping each layer's kinetic engagements alone promised 9.99 in
    the first case). One cell, 10 sure detections, half of the cell inside a no-fire zone, two effector types in two
    layers (outer first), magazines to spare, both bought. Physically: two kinetic layers of pk 1 kill only the 5
    crossing outside (5); of pk 0.5, 2.5 in the outer layer and 1.25 of the 2.5 outside survivors in the inner
    (3.75); a non-kinetic outer layer of 0.5 kills 5 anywhere and a kinetic inner one of pk 1 the outside survivors,
    at best 2.5 (7.5, the jammer's kills falling inside where it can). The model caps a layer's kinetic engagements
    plus every earlier layer's kills at the 5 outside: exact in the first two cases, conservative in the third (5:
    it cannot tell the jammer's kills inside from those outside). The promise is that figure times CAP, never
    above the physical one."""
    import dataclasses

    from planner.lp.check import Context, check_reach

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_SURE)], eng=[(0, 0, 0, 0), (0, 0, 0, 1)], n_sites=1,
                     sensor_cost=[1.0], effector_cost=[1.0, 1.0], p_kill=[[p_kill[0]], [p_kill[1]]], budget=10.0,
                     layer_rank=[[0], [1]])
    p = dataclasses.replace(p, cell_no_fire=np.array([0.5]), effector_kinetic=np.array(kinetic))
    solved = solve(p)
    assert solved.objective == pytest.approx(promised * CAP, abs=1e-5) and promised <= physical
    assert check_reach(p, solved, Context()) == []
