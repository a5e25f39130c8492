"""The layered kill chain's cuts (planner.lp.kill_chain.define_layer_cuts): a hand case where they tighten the LP
relaxation and leave the MILP's optimum alone; on random layered problems the same two facts; a large national model
gets them in solve_sector."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.lp import cuts, tasks, warm
from planner.lp.formulation import build_model
from planner.lp.solver import allow, make_solver, quiet_stdout, time_left
from planner.problem import PlanningProblem
from tests.lp_helpers import make_problem
from tests.test_layers import layered_problems

#: Detection at the last chord's breakpoint: the promise is exactly 1 − e^(−6.9) ≈ 0.999 of the drones.
P_DETECT = 1 - math.exp(-6.9)


def hand() -> PlanningProblem:
    """One cell, one class, λ = 10 a raid. A sensor at site 0 detects D = 10 · (1 − e^(−6.9)) = 9.990 of them.
    Effector A (layer 0, kills 0.5 of what it engages) stands at site 0, effector B (layer 1, kills 0.4) at site 1.
    Every unit costs €1, shots nothing, the budget is €2.5: the sensor and A (€2), B does not fit."""
    return make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_DETECT)], eng=[(0, 0, 0, 0), (0, 0, 1, 1)], n_sites=2,
                        sensor_cost=[1.0], effector_cost=[1.0, 1.0], p_kill=[[0.5], [0.4]], magazine=[100.0, 100.0],
                        budget=2.5, layer_rank=[[0], [1]])


def model(p: PlanningProblem, *, relax: bool, cuts: bool) -> tuple[pulp.LpProblem, dict]:
    """The model (its LP relaxation with ``relax``) with every cut written into it, or without them."""
    prob, var = build_model(p, relax=relax, layer_cuts=cuts)
    var["cuts"].write_into(prob)
    return prob, var


def kills(p: PlanningProblem, *, relax: bool, cuts: bool) -> float:
    """The kills of the model's optimum (its LP relaxation with ``relax``), with or without the cuts."""
    prob, var = model(p, relax=relax, cuts=cuts)
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(mip_rel_gap=0.0), mip=not relax))
    assert prob.status == pulp.LpStatusOptimal
    return sum(float(p.p_kill[e, t]) * float(v.varValue) for (_i, t, e), v in var["engage"].items())


def objective(p: PlanningProblem, *, relax: bool, cuts: bool) -> float:
    prob, _ = model(p, relax=relax, cuts=cuts)
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(mip_rel_gap=0.0), mip=not relax))
    assert prob.status == pulp.LpStatusOptimal
    return float(pulp.value(prob.objective))


def test_hand_the_cut_takes_a_fraction_of_a_later_unit_its_survivors_only() -> None:
    """MILP: the sensor and A; A engages all D, kills 0.5 · D = 4.995 (with or without cuts).

    Relaxation without cuts: sensor 1, A 1, B 0.5 (€2.5). B engages ≤ 10 · 0.5 = 5 and ≤ the D − 0.5 · D = 4.995
    survivors: 4.995, killing 1.998; in all 6.993, as much as a whole B would kill: half a unit buys all of it.

    With the cut (layer 0's weight W = 0.5 in layer 1's row): e_B + 0.5 · e_A ≤ 0.5 · 10 · r + 0.5 · 10 · Y_B. At
    e_A = D, r = 0.999: e_B ≤ 5 · Y_B = 2.5 with half a unit, killing 1.0: 5.995. (Less of A and more of B only
    loses: e_A = 10 · (1 − s) and Y_B = 0.5 + s give 5.995 − s or so.) So the relaxation's bound falls from 6.993 to
    5.995; the MILP's stays 4.995."""
    p = hand()
    d = 10 * P_DETECT
    assert kills(p, relax=False, cuts=False) == pytest.approx(0.5 * d, rel=1e-6)
    assert kills(p, relax=False, cuts=True) == pytest.approx(0.5 * d, rel=1e-6)
    assert kills(p, relax=True, cuts=False) == pytest.approx(0.7 * d, rel=1e-6)
    assert kills(p, relax=True, cuts=True) == pytest.approx(0.5 * d + 0.4 * 2.5, rel=1e-3)


def test_no_cut_where_the_later_layer_cannot_follow_or_a_layer_alone() -> None:
    """A later layer that cannot follow in time counts the earlier engagements whole (weight 1): no cut. One layer:
    none either."""
    p = hand()
    prob, var = build_model(p, layer_cuts=True)
    assert var["cuts"].names == ["layer_cut0[c0,t0,effector1]"]
    assert not any(str(c.name).startswith("layer_cut") for c in prob.constraints())  # a pool, not in the model
    assert not len(build_model(p)[1]["cuts"])
    single = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_DETECT)], eng=[(0, 0, 0, 0), (0, 0, 1, 1)], n_sites=2,
                          sensor_cost=[1.0], effector_cost=[1.0, 1.0], p_kill=[[0.5], [0.4]], budget=2.5)
    assert not len(build_model(single, layer_cuts=True)[1]["cuts"])
    follow = np.ones((1, 1, 2, 2), dtype=bool)
    follow[0, 0, 0, 1] = False  # layer 1 cannot follow layer 0's engagements
    assert not len(build_model(dataclasses.replace(p, layer_follow=follow), layer_cuts=True)[1]["cuts"])


@settings(max_examples=30, deadline=None)
@given(p=layered_problems())
def test_cuts_keep_the_optimum_and_never_loosen_the_relaxation(p) -> None:
    """Valid inequalities: the MILP's optimum is the same with the cuts, and the relaxation's bound is never higher
    with them, nor below the optimum."""
    best = objective(p, relax=False, cuts=False)
    assert objective(p, relax=False, cuts=True) == pytest.approx(best, rel=1e-6, abs=1e-6)
    bound = objective(p, relax=True, cuts=True)
    assert bound <= objective(p, relax=True, cuts=False) + 1e-6
    assert bound >= best - 1e-6


@st.composite
def richer_layered_problems(draw):
    """1–2 cells, two classes that each type reaches from the same sites (a cover variable), three effector types: two
    in the outer layer with their own kill probabilities (W is the larger), one inner; the threatening share below 1,
    no-fire cells, and point-defence pairs of an outer and the inner type at site 2 (their totals must not enter the
    cuts)."""
    n_cells, n_sites, n_threats = draw(st.integers(1, 2)), 3, 2
    unit = st.floats(0.1, 0.95)
    det = [(i, t, j, 0, draw(unit)) for i in range(n_cells) for t in range(n_threats) for j in range(n_sites)
           if draw(st.booleans())] or [(0, 0, 0, 0, 0.6), (0, 1, 0, 0, 0.6)]
    eng = [(i, t, j, e) for i in range(n_cells) for j in range(n_sites) for e in range(3) if draw(st.booleans())
           for t in range(n_threats)] or [(0, t, 1, e) for t in range(n_threats) for e in (0, 2)]
    p = make_problem(demand=[[draw(st.floats(0.5, 10)) for _ in range(n_threats)] for _ in range(n_cells)], det=det,
                     eng=eng, n_sites=n_sites, sensor_cost=[draw(st.floats(0.5, 3))],
                     effector_cost=[draw(st.floats(0.5, 3)) for _ in range(3)],
                     p_kill=[[draw(unit) for _ in range(n_threats)] for _ in range(3)],
                     magazine=[draw(st.floats(1, 20)) for _ in range(3)], budget=draw(st.floats(1, 8)),
                     layer_rank=[[0, 0], [0, 0], [1, 1]])
    share = np.array([[draw(st.floats(0.3, 1.0)) for _ in range(n_threats)] for _ in range(n_cells)])
    p = dataclasses.replace(p, engage_share=share, cell_no_fire=np.array([draw(st.booleans()) for _ in range(n_cells)]))
    if draw(st.booleans()):
        pts = np.array([(i, t, 2, e, draw(st.floats(0.2, 1.0))) for i in range(n_cells) for t in range(n_threats)
                        for e in (0, 2)])
        p = dataclasses.replace(p, pt_cell=pts[:, 0].astype(np.int64), pt_threat=pts[:, 1].astype(np.int64),
                                pt_site=pts[:, 2].astype(np.int64), pt_effector=pts[:, 3].astype(np.int64),
                                pt_share=pts[:, 4], pt_magazine=np.full(len(pts), 1.0 / len(pts)))
    return p


@settings(max_examples=40, deadline=None)
@given(p=richer_layered_problems())
def test_cuts_keep_the_optimum_of_richer_layered_problems(p) -> None:
    """As above, with two types in the earlier layer, shared cover variables, threatening shares, no-fire cells and
    point defence. (Caught by it, not by the simpler problems: W the smaller weight instead of the larger, and cuts
    built on the point-defence totals instead of the border engagements.)"""
    best = objective(p, relax=False, cuts=False)
    assert objective(p, relax=False, cuts=True) == pytest.approx(best, rel=1e-6, abs=1e-6)
    bound = objective(p, relax=True, cuts=True)
    assert best - 1e-6 <= bound <= objective(p, relax=True, cuts=False) + 1e-6


@contextlib.contextmanager
def spied_separations() -> Iterator[list[cuts.Separation]]:
    """Every separation of the cuts solve_sector runs meanwhile, recorded as it is called."""
    seen: list[cuts.Separation] = []
    real = cuts.Separation.__call__

    def spy(self, h):
        seen.append(self)
        return real(self, h)

    with mock.patch.object(cuts.Separation, "__call__", spy):
        yield seen


def test_a_large_national_model_separates_the_cuts() -> None:
    """solve_sector builds a large model (warm.worth_it) with the cuts in a pool and adds the one its relaxation
    violates before the search (the relaxation's bound then 5.995 kills' worth, as with the cut written in); a small
    model has none. Both give the same plan. (Three solves: the first, without the withheld rows, violates one of them
    (planner.lp.cuts.WITHHELD), which the second puts back; the cut comes after it.)"""
    p = hand()
    with spied_separations() as seen:
        small = tasks.solve_sector(tasks.SectorTask(problem=p, price=1e-3, mip_rel_gap=0.0))
        assert not seen
        with mock.patch.object(warm, "MIN_PLACEMENTS", 0):
            large = tasks.solve_sector(tasks.SectorTask(problem=p, price=1e-3, mip_rel_gap=0.0))
    assert len(seen) == 1 and seen[0].added == 1 and seen[0].put_back == 1 and seen[0].rounds == 3
    relaxations = []
    for with_cuts in (False, True):
        prob, var = build_model(p, relax=True, money_price=1e-3, layer_cuts=with_cuts)
        var["cuts"].write_into(prob)
        with quiet_stdout():
            prob.solve(make_solver(p.solver, mip=False))
        relaxations.append(float(pulp.value(prob.objective)))
    assert relaxations[1] < relaxations[0] - 0.5
    assert -seen[0].bound == pytest.approx(relaxations[1], rel=1e-6)  # pulp passes a maximisation negated
    assert large.objective == pytest.approx(small.objective, rel=1e-6, abs=1e-9)
    assert large.effectors.tolist() == small.effectors.tolist()


def test_a_milp_stopped_before_its_root_keeps_the_relaxation_bound() -> None:
    """Where HiGHS's search proves no bound of its own (a large MILP stopped at its deadline before its root), the task
    keeps the relaxation's with the cuts, not everything the border faces; where its own is weaker, the tighter one."""
    p = hand()
    results = []
    with spied_separations() as seen, mock.patch.object(warm, "MIN_PLACEMENTS", 0):
        for own in (None, 1e9):
            with mock.patch.object(tasks, "mip_dual_bound", lambda prob, own=own: own):
                results.append(tasks.solve_sector(tasks.SectorTask(problem=p, price=1e-3, mip_rel_gap=0.0)))
    relaxed = -seen[0].bound  # (pulp passes a maximisation negated)
    everything = float((p.demand * p.value).sum() * p.raids)
    assert results[0].objective <= relaxed < everything - 0.5
    assert [r.bound for r in results] == [pytest.approx(relaxed, rel=1e-9)] * 2


def test_separation_spends_the_relaxation_time_not_the_restricted_milp_time() -> None:
    """With a time of its own for the relaxation (the task's RELAX_SHARE), the separation's seconds come off that,
    and the restricted MILP keeps its whole time."""
    p = hand()
    prob, var = build_model(p, money_price=1e-3, layer_cuts=True)
    solver = make_solver(p.solver, mip=True)
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    first = warm.FirstPlan([*var["sensors"].values(), *var["effectors"].values()], time_limit_s=10.0,
                           mip_rel_gap=0.0, relax_limit_s=30.0)
    sep = cuts.Separation(var["cuts"], time_limit_s=30.0, first=first)
    sep(prob.solverModel)
    assert first.time_limit_s == 10.0 and first.relax_limit_s == pytest.approx(30.0 - sep.seconds)
    assert first(prob.solverModel) is not None and first.bound == pytest.approx(sep.bound)


def test_a_milp_left_without_its_search_has_the_first_plan_and_the_relaxation_bound() -> None:
    """A large MILP whose deadline leaves no time for HiGHS's root after the first plan (here: the deadline already
    past) returns the first plan, bounded by the relaxation with the cuts (not by the restricted MILP's own bound,
    which holds over its builds only); the two bracket the MILP's optimum."""
    p = hand()
    best = tasks.solve_sector(tasks.SectorTask(problem=p, price=1e-3, mip_rel_gap=0.0))
    plans: list[warm.FirstPlan] = []
    real = warm.FirstPlan

    def past(*args, **kw):
        plans.append(real(*args, **{**kw, "deadline": lambda: 0.0}))
        return plans[-1]

    with mock.patch.object(warm, "FirstPlan", past), mock.patch.object(warm, "MIN_PLACEMENTS", 0):
        r = tasks.solve_sector(tasks.SectorTask(problem=p, price=1e-3, mip_rel_gap=0.0))
    assert len(plans) == 1 and plans[0].plan is not None
    assert r.solved
    assert r.objective == pytest.approx(-plans[0].objective, rel=1e-9)  # (HiGHS has a maximisation negated)
    assert r.bound == pytest.approx(-plans[0].bound, rel=1e-9)
    assert r.objective - 1e-6 <= best.objective <= r.bound + 1e-6


def test_separation_counts_on_the_highs_clock() -> None:
    """HiGHS's time limit for an LP run counts every run of a model so far: with 0.9 s already run on the hand model
    and 30 s left to its MILP, a separation given 0.8 s still solves its relaxation (a limit set to 0.8 stopped it at
    once), and the MILP's 30 s come back less only the time spent."""
    p = hand()
    prob, var = build_model(p, money_price=1e-3, layer_cuts=True)
    solver = make_solver(p.solver, mip=True)
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    h = prob.solverModel
    while h.getRunTime() < 0.9:
        h.clearSolver()
        h.run()
    h.clearSolver()
    allow(h, 30.0, mip=True)
    sep = cuts.Separation(var["cuts"], time_limit_s=0.8)
    sep(h)
    assert sep.rounds >= 1 and sep.added == 1
    assert 29.0 < time_left(h) <= 30.0


def test_separation_on_the_highs_model_adds_the_violated_row_and_leaves_what_it_should() -> None:
    """On the hand model as pulp passes it to HiGHS: one row added (the pool's only one, violated by the relaxation),
    the row count up by one; with no first plan after it, no solution is left for HiGHS to take as a start; with one
    that will run, the relaxation stays for it and its relaxation's time loses what the separation spent."""
    p = hand()
    for with_first in (False, True):
        prob, var = build_model(p, money_price=1e-3, layer_cuts=True)
        solver = make_solver(p.solver, mip=True)
        solver.createAndConfigureSolver(prob)
        solver.buildSolverModel(prob)
        h = prob.solverModel
        rows = h.getNumRow()
        first = warm.FirstPlan([*var["sensors"].values(), *var["effectors"].values()], time_limit_s=30.0,
                               mip_rel_gap=0.0) if with_first else None
        sep = cuts.Separation(var["cuts"], time_limit_s=30.0, first=first)
        sep(h)
        assert sep.added == 1 and h.getNumRow() == rows + 1
        assert h.getSolution().value_valid == with_first
        if first is not None:
            assert first.time_limit_s == 30.0 and first.relax_limit_s == pytest.approx(30.0 - sep.seconds)
            assert first(h) is not None  # from the relaxation with the cut: the sensor and A
            assert not h.getSolution().value_valid

