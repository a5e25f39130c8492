"""Rows withheld from the relaxation's first solve (planner.lp.cuts.WITHHELD): the separation's rounds put back those
violated, its bound is the relaxation's with the cuts, and the model leaves with every row back in its place, so the
MILP is the model as built."""

from __future__ import annotations

import highspy
import numpy as np
import pulp
import pytest
from hypothesis import given, settings
from scipy.sparse import csc_matrix, csr_matrix

from planner.lp import cuts, warm
from planner.lp.formulation import build_model
from planner.lp.solver import make_solver, quiet_stdout, run_interruptibly
from planner.problem import PlanningProblem
from tests.test_layer_cuts import hand, richer_layered_problems

PRICE = 1e-3  # objective units per euro


def objective(p: PlanningProblem, *, relax: bool, cuts: bool) -> float:
    """The priced model's optimum (its LP relaxation with ``relax``), every cut written in with ``cuts``."""
    prob, var = build_model(p, relax=relax, money_price=PRICE, layer_cuts=cuts)
    var["cuts"].write_into(prob)
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(mip_rel_gap=0.0), mip=not relax))
    assert prob.status == pulp.LpStatusOptimal
    return float(pulp.value(prob.objective))


def passed_on(p: PlanningProblem) -> tuple[pulp.LpProblem, dict, highspy.Highs]:
    """The large model of ``p`` (cuts in a pool) as pulp passes it to HiGHS, its MILP."""
    prob, var = build_model(p, money_price=PRICE, layer_cuts=True)
    solver = make_solver(p.solver.replace(mip_rel_gap=0.0), mip=True)
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    return prob, var, prob.solverModel


def rows_of(h: highspy.Highs) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """The model's rows (matrix, lower and upper bounds), however HiGHS stores them."""
    lp = h.getLp()
    a, shape = lp.a_matrix_, (lp.num_row_, lp.num_col_)
    colwise = a.format_ == highspy.MatrixFormat.kColwise
    data = (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)[:shape[colwise] + 1])
    matrix = csc_matrix(data, shape=shape).tocsr() if colwise else csr_matrix(data, shape=shape)
    return matrix, np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)


def separated(prob: pulp.LpProblem, var: dict, h: highspy.Highs, first: warm.FirstPlan | None = None
              ) -> cuts.Separation:
    sep = cuts.Separation(var["cuts"], time_limit_s=30.0, first=first, withheld=cuts.withheld(prob))
    sep(h)
    return sep


def test_the_hand_model_withholds_its_chords_and_survivors_and_puts_them_back_in_place() -> None:
    """The hand model (one cell, a sensor, A in layer 0 and B in layer 1): its 10 chords, layer 1's survivors row and
    both magazines are withheld. Without them the relaxation detects all it can see from the union bound's 0.999 of a
    sensor and engages it twice; the rounds put back what that violates. The model leaves with its rows as built, in
    their places, then the cut, with a basis for them all, from which its relaxation solves again to the same
    optimum; its MILP's optimum is the plain model's."""
    p = hand()
    relaxed, best = objective(p, relax=True, cuts=True), objective(p, relax=False, cuts=False)
    prob, var, h = passed_on(p)
    before, lower, upper = rows_of(h)
    names = [c.name for c in cuts.withheld(prob)]
    assert len(names) == 10 + 1 + 2 and sum(n.startswith("chord") for n in names) == 10
    first = warm.FirstPlan([*var["sensors"].values(), *var["effectors"].values()], time_limit_s=30.0,
                           mip_rel_gap=0.0)
    sep = separated(prob, var, h, first)
    assert sep.put_back >= 1 and sep.added == 1
    assert -sep.bound == pytest.approx(relaxed, rel=1e-9)
    after, lower_after, upper_after = rows_of(h)
    n = before.shape[0]
    assert after.shape[0] == n + 1
    assert (after[:n] != before).nnz == 0
    assert np.array_equal(lower_after[:n], lower) and np.array_equal(upper_after[:n], upper)
    basis = h.getBasis()
    assert basis.valid and len(basis.row_status) == n + 1
    ints = np.flatnonzero(np.asarray(h.getLp().integrality_) == highspy.HighsVarType.kInteger).astype(np.int32)
    h.changeColsIntegrality(len(ints), ints, np.zeros(len(ints), dtype=np.uint8))
    run_interruptibly(h.run)  # (as the solver runs it: in a thread of its own, HiGHS's threads as there)
    assert -h.getInfo().objective_function_value == pytest.approx(-sep.bound, rel=1e-9)
    h.changeColsIntegrality(len(ints), ints, np.ones(len(ints), dtype=np.uint8))
    h.clearSolver()
    run_interruptibly(h.run)
    assert -h.getInfo().objective_function_value == pytest.approx(best, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(p=richer_layered_problems())
def test_withheld_rows_leave_the_relaxation_and_the_milp_as_they_were(p: PlanningProblem) -> None:
    """On random layered problems (two classes, three types in two layers, threatening shares, no-fire cells, point
    defence): the separation's bound is the relaxation's with every cut written in, every row of the model is back
    in its place, and the MILP's optimum is the model's."""
    relaxed, best = objective(p, relax=True, cuts=True), objective(p, relax=False, cuts=False)
    prob, var, h = passed_on(p)
    before, lower, upper = rows_of(h)
    sep = separated(prob, var, h)
    assert sep.rounds >= 1 and sep.bound is not None
    assert -sep.bound == pytest.approx(relaxed, rel=1e-6, abs=1e-6)
    after, lower_after, upper_after = rows_of(h)
    n = before.shape[0]
    assert after.shape[0] == n + sep.added
    assert (after[:n] != before).nnz == 0
    assert np.array_equal(lower_after[:n], lower) and np.array_equal(upper_after[:n], upper)
    with quiet_stdout():
        run_interruptibly(h.run)
    assert -h.getInfo().objective_function_value == pytest.approx(best, rel=1e-6, abs=1e-6)


def test_nothing_withheld_and_no_cuts_leaves_the_model_alone() -> None:
    """With no rows named as withheld and an empty pool, the separation does nothing: no round, no row."""
    p = hand()
    prob, var, h = passed_on(p)
    rows = h.getNumRow()
    sep = cuts.Separation(cuts.CutPool(), time_limit_s=30.0)
    sep(h)
    assert sep.rounds == 0 and h.getNumRow() == rows
