"""Twin placements counted as one (planner.lp.twins): which placements are twins, the counted model's pairs and bounds,
a plan there and back, and on random lines with copied sites, the counted model's plan and bound bracket the
site-by-site model's optimum to a zero gap."""

from __future__ import annotations

import dataclasses
from unittest import mock

import numpy as np
import pulp
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.lp import tasks, twins, warm
from planner.lp.families import per_nation_violations
from planner.lp.formulation import build_model
from planner.lp.solver import make_solver, quiet_stdout
from planner.problem import PlanningProblem
from tests.lp_helpers import make_problem
from tests.test_segments import lines, optimum


def hand() -> PlanningProblem:
    """Two cells; sites 0 and 1 see and reach both cells alike with both types (twins); site 2 sees cell 0 alone
    (its sensor column differs) and reaches both (its effector column is theirs: a twin too); site 3 is site 0's copy
    but with a unit of the effector in service (never a twin: it is no candidate)."""
    det = [(i, 0, j, 0, 0.8) for j in (0, 1, 3) for i in (0, 1)] + [(0, 0, 2, 0, 0.8)]
    eng = [(i, 0, j, 0) for j in range(4) for i in (0, 1)]
    p = make_problem(demand=[[4.0], [6.0]], det=det, eng=eng, n_sites=4, sensor_cost=[1.0], effector_cost=[2.0],
                     p_kill=[[0.9]], magazine=[3.0], budget=1e6)
    service = p.in_service_effectors.copy()
    service[3, 0] = True
    return dataclasses.replace(p, in_service_effectors=service)


def test_hand_twins_their_counts_and_pairs() -> None:
    p = hand()
    tw = twins.find_twins(p)
    assert tw.groups == (((0, (0, 1, 3)),), ((0, (0, 1, 2)),))  # sensors: 0, 1 and 3; effectors: 0, 1 and 2
    assert tw.merged == 4
    assert tw.most[0][:, 0].tolist() == [3, 0, 1, 0] and tw.most[1][:, 0].tolist() == [3, 0, 0, 1]
    q = tw.reduce(p)
    assert sorted(set(q.det_site.tolist())) == [0, 2] and len(q.det_cell) == 3  # site 0's two pairs, site 2's one
    assert sorted(set(q.eng_site.tolist())) == [0, 3] and len(q.eng_cell) == 4
    # a plan of the sites there and back: two of the three sensor twins and one effector twin built
    sensors, effectors = np.array([[1.0], [0.0], [1.0], [1.0]]), np.array([[0.0], [0.0], [1.0], [1.0]])
    counted = tw.gather(sensors, effectors)
    assert counted[0][:, 0].tolist() == [2, 0, 1, 0] and counted[1][:, 0].tolist() == [1, 0, 0, 1]
    back = tw.spread(*counted)
    assert back[0][:, 0].tolist() == [1, 1, 1, 0]  # the first two twins (any two are the same plan)
    assert back[1][:, 0].tolist() == [1, 0, 0, 1]


def test_twins_differ_in_nothing_a_row_reads() -> None:
    """A barred build, another nation or a segment's other share of the cost parts twins."""
    p = hand()
    allowed = (np.ones((4, 1), bool), np.array([[True], [False], [True], [True]]))
    assert twins.find_twins(p, allowed=allowed).groups[1] == ((0, (0, 2)),)
    share = (np.array([[1.0], [0.5], [1.0], [1.0]]), np.ones((4, 1)))
    assert twins.find_twins(p, share=share).groups[0] == ((0, (0, 3)),)
    other = dataclasses.replace(p, nations=("AA", "BB"), site_nation=np.array([0, 1, 0, 0]))
    assert twins.find_twins(other).groups == (((0, (0, 3)),), ((0, (0, 2)),))


def test_hand_counted_model_keeps_the_optimum() -> None:
    """The counted model of :func:`hand` at a price of 0.3 per euro has the site-by-site model's optimum, and its plan
    is a 0/1 plan of the sites."""
    p = hand()
    best = optimum(p, 0.3)
    with mock.patch.object(warm, "MIN_PLACEMENTS", 1):
        r = tasks.solve_sector(tasks.SectorTask(problem=p, price=0.3, mip_rel_gap=0.0))
    assert r.objective == pytest.approx(best, abs=1e-6)
    assert set(np.unique(r.sensors)) <= {0.0, 1.0} and set(np.unique(r.effectors)) <= {0.0, 1.0}


@st.composite
def copied(draw):  # noqa: ANN001, ANN201
    """A random line (tests.test_segments.lines) with some of its sites copied once or twice: each copy a new site
    with the same pairs, none in service; the last copy's magazine share per cell may differ (a twentieth or half its
    source's: then it is no twin)."""
    p, price = draw(lines())
    n = len(p.site_ids)
    sources = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))
    # a near twin: the last copy keeps a different share of its magazine per cell (the signature must tell them apart)
    near = draw(st.sampled_from([1.0, 0.05, 0.5]))
    det = [np.c_[p.det_cell, p.det_threat, p.det_site, p.det_sensor]]
    weights = [p.det_weight]
    eng = [np.c_[p.eng_cell, p.eng_threat, p.eng_site, p.eng_effector]]
    for new, j in enumerate(sources, start=n):
        d, e = p.det_site == j, p.eng_site == j
        det.append(np.c_[p.det_cell[d], p.det_threat[d], np.full(d.sum(), new), p.det_sensor[d]])
        weights.append(p.det_weight[d])
        eng.append(np.c_[p.eng_cell[e], p.eng_threat[e], np.full(e.sum(), new), p.eng_effector[e]])
    m = n + len(sources)
    d, e, w = np.vstack(det), np.vstack(eng), np.concatenate(weights)
    pad = np.zeros((len(sources), p.in_service_effectors.shape[1]), bool)
    q = dataclasses.replace(
        p, site_ids=np.array([f"s{j}" for j in range(m)]), site_nation=np.zeros(m, dtype=np.int64),
        site_no_fire=np.zeros(m, bool), mag_share=np.vstack([p.mag_share, p.mag_share[sources[:-1]],
                                                             near * p.mag_share[sources[-1:]]]),
        in_service_sensors=np.zeros((m, p.in_service_sensors.shape[1]), bool),
        in_service_effectors=np.vstack([p.in_service_effectors, pad]),
        det_cell=d[:, 0], det_threat=d[:, 1], det_site=d[:, 2], det_sensor=d[:, 3], det_weight=w,
        eng_cell=e[:, 0], eng_threat=e[:, 1], eng_site=e[:, 2], eng_effector=e[:, 3],
        # small magazines, so that a second unit of a column (a twin's) is often worth its price
        effector_magazine=np.minimum(p.effector_magazine, draw(st.floats(0.2, 3))))
    return q, price


@settings(max_examples=30, deadline=None)
@given(case=copied())
def test_counted_plan_and_bound_bracket_the_site_by_site_optimum(case) -> None:
    p, price = case
    assume(twins.find_twins(p).merged >= 1)  # a copy is its source's twin unless the source has no pairs
    best = optimum(p, price)
    with mock.patch.object(warm, "MIN_PLACEMENTS", 1):
        r = tasks.solve_sector(tasks.SectorTask(problem=p, price=price, mip_rel_gap=0.0))
    assert r.solved
    assert r.objective == pytest.approx(best, abs=1e-5)
    assert r.bound >= best - 1e-5
    # the spread plan is a plan of the sites, holding every family, its objective its value less its priced money
    assert set(np.unique(r.sensors)) <= {0.0, 1.0} and set(np.unique(r.effectors)) <= {0.0, 1.0}
    assert per_nation_violations(p, r.sensors, r.effectors, r.detected, r.engagements, r.point) == []
    money = p.costs(r.sensors, r.effectors, r.engagements, np.zeros(0))["total"]
    assert r.objective == pytest.approx(p.drone_value(r.engagements) - price * money, abs=1e-6)
    # started from its own plan (gathered into counts on the way in), the counted model keeps that optimum
    with mock.patch.object(warm, "MIN_PLACEMENTS", 1):
        again = tasks.solve_sector(tasks.SectorTask(problem=p, price=price, mip_rel_gap=0.0,
                                                    start=(r.sensors, r.effectors)))
    assert again.objective == pytest.approx(best, abs=1e-5)


def test_hand_without_barred_drops_the_pairs_of_barred_placements() -> None:
    """:func:`hand` with site 2's sensor and the effectors of sites 1 and 3 barred: site 2's one detection pair and
    site 1's two engagement pairs go; site 3's effector is in service, so its pairs stay (the model fixes it at 0)."""
    p = hand()
    allowed = (np.array([[True], [True], [False], [True]]), np.array([[True], [False], [True], [False]]))
    q = twins.without_barred(p, allowed)
    assert len(q.det_cell) == len(p.det_cell) - 1 and 2 not in q.det_site.tolist()
    assert len(q.eng_cell) == len(p.eng_cell) - 2 and sorted(set(q.eng_site.tolist())) == [0, 2, 3]
    assert twins.without_barred(p, (np.ones((4, 1), bool), np.ones((4, 1), bool))) is p  # nothing barred


@settings(max_examples=30, deadline=None)
@given(case=lines(), data=st.data())
def test_barred_placements_left_out_keep_the_optimum(case, data) -> None:
    """On a random line with random builds barred, solve_sector (which leaves the barred placements' pairs out) has
    the optimum of the whole model with those builds fixed at 0."""
    p, price = case
    allowed = (np.array(data.draw(st.lists(st.booleans(), min_size=p.in_service_sensors.size,
                                           max_size=p.in_service_sensors.size))).reshape(p.in_service_sensors.shape),
               np.array(data.draw(st.lists(st.booleans(), min_size=p.in_service_effectors.size,
                                           max_size=p.in_service_effectors.size))).reshape(p.in_service_effectors.shape))
    prob, _ = build_model(p, money_price=price, allowed=allowed)
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(mip_rel_gap=0.0), mip=True))
    assert prob.status == pulp.LpStatusOptimal
    best = float(pulp.value(prob.objective))
    r = tasks.solve_sector(tasks.SectorTask(problem=p, price=price, mip_rel_gap=0.0, allowed=allowed))
    assert r.solved
    assert r.objective == pytest.approx(best, abs=1e-5)
    assert r.bound >= best - 1e-5
    barred = (~allowed[0] & ~p.in_service_sensors, ~allowed[1] & ~p.in_service_effectors)  # (in service: counted)
    assert not (r.sensors[barred[0]] > 0.5).any() and not (r.effectors[barred[1]] > 0.5).any()


def test_barred_placements_left_out_keep_the_decoy_rows() -> None:
    """One cell, a drone (class 0, 4 per raid) and a decoy (class 1, 4 per raid, no discrimination); site 0 sees both
    and reaches the drone alone, site 1 reaches the decoy alone, with the same effector type. Site 1's effector
    barred: the decoy rows make every shot at the cell meet decoys in their share of the crossings, so no shot at the
    drone is allowed and the optimum builds nothing (0). Left out with its pairs, site 1 would take the decoy
    class's engagement variable along, the decoy row with it, and the plan would engage the drone (a row broken,
    as the exact check of a Poland run at 1 km cells found); the pair kept for that class holds the row."""
    p = make_problem(demand=[[4.0, 4.0]], det=[(0, 0, 0, 0, 0.9), (0, 1, 0, 0, 0.9)], eng=[(0, 0, 0, 0), (0, 1, 1, 0)],
                     n_sites=2, sensor_cost=[0.1], effector_cost=[0.1], p_kill=[[0.9, 0.9]], magazine=[10.0],
                     decoy=[False, True], value=[[1.0, 0.0]], budget=1e6)
    allowed = (np.ones((2, 1), bool), np.array([[True], [False]]))
    q = twins.without_barred(p, allowed)
    assert len(q.eng_cell) == 2  # the decoy class's only pair stays
    prob, _ = build_model(p, money_price=0.3, allowed=allowed)
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(mip_rel_gap=0.0), mip=True))
    r = tasks.solve_sector(tasks.SectorTask(problem=p, price=0.3, mip_rel_gap=0.0, allowed=allowed))
    assert r.objective == pytest.approx(float(pulp.value(prob.objective)), abs=1e-9)
    assert per_nation_violations(p, r.sensors, r.effectors, r.detected, r.engagements, r.point) == []


def test_barred_placements_left_out_keep_the_detection_rows() -> None:
    """One cell, one drone class (4 per raid): site 0's sensor is the only one that sees it, site 1's effector the
    only one that reaches it. Site 0's sensor barred: nothing is detected, so nothing may be engaged, and the optimum
    builds nothing (0). The class keeps site 0's detection pair (fixed at 0), so its detection variable and the rows
    that hold engagements to it stay."""
    p = make_problem(demand=[[4.0]], det=[(0, 0, 0, 0, 0.9)], eng=[(0, 0, 1, 0)], n_sites=2, sensor_cost=[0.1],
                     effector_cost=[0.1], p_kill=[[0.9]], magazine=[10.0], budget=1e6)
    allowed = (np.array([[False], [True]]), np.ones((2, 1), bool))
    assert len(twins.without_barred(p, allowed).det_cell) == 1
    r = tasks.solve_sector(tasks.SectorTask(problem=p, price=0.3, mip_rel_gap=0.0, allowed=allowed))
    assert r.objective == pytest.approx(0.0, abs=1e-9) and not r.engagements.any()
    assert tasks.solve_sector(tasks.SectorTask(problem=p, price=0.3, mip_rel_gap=0.0)).objective > 0
