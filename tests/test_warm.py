"""A first plan from the LP relaxation (planner.lp.warm): which models get one, that the MILP it starts keeps its own
optimum (the restriction is a heuristic, put back before the search), and that the HiGHS model leaves as it came."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any
from unittest import mock

import numpy as np
import pulp
import pytest
from hypothesis import given, settings

from planner.lp import tasks, warm
from planner.lp.solver import allow, make_solver, mip_dual_bound, quiet_stdout, time_left
from planner.settings import SolverSettings
from tests.test_segments import lines, optimum


def detections(cells: np.ndarray, sites: np.ndarray, sensors: np.ndarray, n_cells: int, n_sites: int,
               n_types: int) -> Any:
    """The fields of a problem warm.worth_it reads: detection pairs (cell, site, sensor type) and the axes' sizes."""
    return SimpleNamespace(det_cell=cells, det_site=sites, det_sensor=sensors, cell_ids=np.arange(n_cells),
                           site_ids=np.arange(n_sites), sensor_ids=tuple(f"s{k}" for k in range(n_types)))


def test_worth_it_counts_distinct_sensor_placements() -> None:
    """Many cells (a placement per cell is far below the count per cell): only the number of placements decides."""
    n = warm.MIN_PLACEMENTS
    sites = np.arange(n)
    zero = np.zeros(n, dtype=np.int64)
    assert warm.worth_it(detections(sites, sites, zero, n, n, 1))
    # one placement short, however many cells each one sees
    short = np.repeat(sites[:-1], 3)
    assert not warm.worth_it(detections(np.arange(len(short)) % n, short, np.zeros(len(short), dtype=np.int64),
                                        n, n, 1))
    # the same site with two sensor types is two placements
    half = np.repeat(sites[: n // 2], 2)
    assert warm.worth_it(detections(sites, half, np.tile([0, 1], n // 2), n, n, 2))


def test_worth_it_counts_placements_per_cell() -> None:
    """Two cells, each seen by k sites with one sensor type (k < MIN_PLACEMENTS): 2k placements seeing a cell over
    2 cells is k per cell, large from k = MIN_PLACEMENTS_PER_CELL. A placement seeing a cell twice (two threats)
    counts once; a third cell that no one sees lowers the average."""
    k = warm.MIN_PLACEMENTS_PER_CELL
    assert 2 * k < warm.MIN_PLACEMENTS

    def per_cell(k: int, n_cells: int = 2, threats: int = 1) -> Any:
        cells = np.repeat(np.arange(2), k * threats)
        sites = np.tile(np.repeat(np.arange(k), threats), 2)
        return detections(cells, sites, np.zeros(len(sites), dtype=np.int64), n_cells, k, 1)

    assert warm.worth_it(per_cell(k))
    assert not warm.worth_it(per_cell(k - 1))
    assert not warm.worth_it(per_cell(k - 1, threats=3))  # more pairs, the same placements per cell
    assert not warm.worth_it(per_cell(k, n_cells=3, threats=3))  # (enough pairs to be averaged: 6k ≥ 3 · 100)


def knapsack() -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """Capacity 10; A weighs 6 and is worth 6.5, B and C weigh 5 and are worth 5 and 4.9.

    The LP relaxation fills by worth per weight: A (1.083) whole, then B (1.0) to 4/5, worth 10.5; C (0.98) gets
    nothing. The MILP restricted to A and B (what the relaxation uses) is best with A alone: 6.5 (A + B weighs 11).
    The whole MILP's optimum is B + C: 9.9. So the restricted plan is a poor start, and the whole search must still
    find 9.9 over the bounds put back."""
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [prob.add_variable(name, 0, 1, "Integer") for name in "ABC"]
    prob.setObjective(pulp.LpAffineExpression([(x[0], 6.5), (x[1], 5.0), (x[2], 4.9)]))
    prob.addConstraint(pulp.LpAffineExpression([(x[0], 6.0), (x[1], 5.0), (x[2], 5.0)]) <= 10, "capacity")
    return prob, x


#: One thread, a gap of 0.1% (the knapsack's plans are far apart: the optimum all the same), 30 s.
EXACT = SolverSettings(time_limit_s=30.0, mip_rel_gap=1e-3, threads=1)


def passed_on(prob: pulp.LpProblem, settings: SolverSettings = EXACT):  # noqa: ANN201
    """The HiGHS model pulp passes on for ``prob`` (as the solver adapter gets it), not yet solved."""
    solver = make_solver(settings)
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    return prob.solverModel


def test_restricted_plan_and_the_model_put_back() -> None:
    """On the model as pulp passes it: the restriction keeps A and B and finds A alone (6.5); the model leaves with
    its integrality, bounds and gap target back, its time limit less the time spent, and no solution kept (HiGHS would
    take a kept one as a start of its own)."""
    prob, x = knapsack()
    h = passed_on(prob)
    first = warm.FirstPlan(x, time_limit_s=5, mip_rel_gap=1e-3)
    found = first(h)
    assert found is not None
    assert first.kept == 2  # A and B
    assert first.objective == pytest.approx(-6.5)  # HiGHS's (pulp passes a maximisation negated)
    columns, values = found
    assert dict(zip(columns.tolist(), values.tolist(), strict=True)) == {0: 1.0, 1: 0.0, 2: 0.0}
    lp = h.getLp()
    assert [int(v) for v in lp.integrality_] == [1, 1, 1]
    assert list(lp.col_lower_) == [0.0, 0.0, 0.0] and list(lp.col_upper_) == [1.0, 1.0, 1.0]
    assert h.getOptionValue("mip_rel_gap")[1] == 1e-3
    assert 29.0 < time_left(h) <= 30.0  # the whole MILP's 30 s, less the time spent, not the first plan's 5
    assert not h.getSolution().value_valid
    assert first.bound == pytest.approx(-10.5)  # the relaxation's optimum, as HiGHS has it


def test_runs_before_the_first_plan_count_on_the_highs_clock() -> None:
    """HiGHS's time limit for an LP run counts every run of a model so far. With 0.3 s already run on the model (its
    relaxation, solved again and again) and 30 s left to the MILP, a first plan given 0.2 s still gets its 0.2 s (a
    limit set to 0.2 stopped its relaxation at once: no plan), and the MILP's 30 s come back less only the time
    spent."""
    prob, x = knapsack()
    h = passed_on(prob)
    h.changeColsIntegrality(3, np.arange(3, dtype=np.int32), np.zeros(3, dtype=np.uint8))
    while h.getRunTime() < 0.3:
        h.clearSolver()
        h.run()
    h.clearSolver()
    h.changeColsIntegrality(3, np.arange(3, dtype=np.int32), np.ones(3, dtype=np.uint8))
    allow(h, 30.0, mip=True)
    first = warm.FirstPlan(x, time_limit_s=0.2, mip_rel_gap=1e-3)
    with mock.patch.object(warm, "MIN_SECONDS", 0.1):
        found = first(h)
    assert found is not None and first.objective == pytest.approx(-6.5)
    assert 29.0 < time_left(h) <= 30.0


def test_a_milp_run_counts_its_own_time_on_the_highs_clock() -> None:
    """A MILP's run, unlike an LP's, stops on its own time: with 1 s already run on a model (its relaxation, solved
    again and again), a multiple knapsack of 400 items and 40 rows (no proof within seconds) given 0.3 s stops after
    about 0.3 s, not 1.3 s (the limit counted on the whole clock let Romania's restricted MILP run 100 s for its 24)."""
    import highspy

    rng = np.random.default_rng(0)
    n = 400
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    cols = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, cols, -rng.integers(10, 100, n).astype(float))
    for _ in range(40):
        w = rng.integers(10, 100, n).astype(float)
        h.addRow(-highspy.kHighsInf, w.sum() / 4, n, cols, w)
    while h.getRunTime() < 1.0:
        h.clearSolver()
        h.run()
    h.clearSolver()
    h.changeColsIntegrality(n, cols, np.ones(n, dtype=np.uint8))
    allow(h, 0.3, mip=True)
    t = time.perf_counter()
    h.run()
    took = time.perf_counter() - t
    assert h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
    assert 0.25 < took < 0.8


def test_the_start_reaches_highs_and_the_search_still_finds_the_optimum() -> None:
    """The whole MILP starts from A alone (6.5) and finds B + C (9.9) over the bounds put back."""
    prob, x = knapsack()
    first = warm.FirstPlan(x, time_limit_s=30, mip_rel_gap=1e-3)
    starts: list[list[float]] = []

    def spied(h):  # noqa: ANN001, ANN202 - the start the adapter hands to HiGHS, recorded on its way
        found = first(h)
        real = h.setSolution
        h.setSolution = lambda n, index, values: (starts.append(list(values)), real(n, index, values))[1]
        return found

    with quiet_stdout():
        prob.solve(make_solver(EXACT, first=spied))
    assert starts == [[1.0, 0.0, 0.0]]
    assert prob.status == pulp.LpStatusOptimal
    assert [v.value() for v in x] == [0, 1, 1]
    assert pulp.value(prob.objective) == pytest.approx(9.9)


def test_fixed_builds_stay_as_they_are() -> None:
    """A build fixed at 1 (a unit in service) is no candidate: neither shut nor counted. With A fixed, the relaxation
    gives B the 4 left of 10 (4/5 of it) and C nothing: B alone stays open, and no plan but A alone fits."""
    prob, x = knapsack()
    x[0].lowBound = 1
    first = warm.FirstPlan(x, time_limit_s=30, mip_rel_gap=0.0)
    with quiet_stdout():
        prob.solve(make_solver(EXACT, first=first))
    assert [v.value() for v in x] == [1, 0, 0]  # A fixed: nothing else fits
    assert first.kept == 1
    assert first.objective == pytest.approx(-6.5)


@settings(max_examples=30, deadline=None)
@given(case=lines())
def test_a_started_national_milp_keeps_its_optimum(case) -> None:
    """Every model made to get a first plan: the priced MILP's plan and bound still bracket its optimum to a zero gap."""
    p, price = case
    best = optimum(p, price)
    calls: list[warm.FirstPlan] = []
    real = warm.FirstPlan.__call__

    def spy(self: warm.FirstPlan, h):  # noqa: ANN001, ANN202
        calls.append(self)
        return real(self, h)

    with mock.patch.object(warm, "MIN_PLACEMENTS", 1), mock.patch.object(warm.FirstPlan, "__call__", spy):
        r = tasks.solve_sector(tasks.SectorTask(problem=p, price=price, mip_rel_gap=0.0))
    assert len(calls) == 1
    assert calls[0].objective is not None  # the restricted MILP has a plan (building nothing at least)
    assert r.solved
    assert r.objective == pytest.approx(best, abs=1e-5)
    assert r.bound >= best - 1e-5


def test_no_search_where_its_root_could_not_end_before_the_deadline() -> None:
    """With less time left to the MILP's deadline after the first plan than the relaxation took from no basis (here
    the deadline already past), HiGHS's search is left out: the plan is the restricted MILP's, A alone (6.5), where
    the search would have found B + C (9.9)."""
    prob, x = knapsack()
    first = warm.FirstPlan(x, time_limit_s=30, mip_rel_gap=1e-3, deadline=time.time)
    with quiet_stdout():
        prob.solve(make_solver(EXACT, first=first))
    assert first.plan is not None and first.cold_s is not None
    assert prob.status == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionIntegerFeasible
    assert [v.value() for v in x] == [1, 0, 0]
    assert pulp.value(prob.objective) == pytest.approx(6.5)
    assert mip_dual_bound(prob) is None  # (HiGHS's info is a cleared model's: no bound to read)
    # The deadline is read when the first plan is found: moved an hour later by then, the search runs
    prob, x = knapsack()
    moved = iter([time.time(), time.time() + 3600])
    first = warm.FirstPlan(x, time_limit_s=30, mip_rel_gap=1e-3, deadline=lambda: next(moved))
    first.deadline()  # (the deadline as the task started)
    with quiet_stdout():
        prob.solve(make_solver(EXACT, first=first))
    assert first.plan is None and pulp.value(prob.objective) == pytest.approx(9.9)


def test_no_search_where_the_first_plan_is_within_the_gap_of_the_relaxation() -> None:
    """With capacity 11 the relaxation takes A and B whole (11.5): the restricted MILP's plan is the relaxation's
    optimum, so the search has nothing to add and is left out, with no deadline near."""
    prob, x = knapsack()
    prob.get_constraint_by_name("capacity").constant = -11
    first = warm.FirstPlan(x, time_limit_s=30, mip_rel_gap=1e-3)
    with quiet_stdout():
        prob.solve(make_solver(EXACT, first=first))
    assert first.plan is not None and first.bound == pytest.approx(-11.5)
    assert [v.value() for v in x] == [1, 1, 0] and pulp.value(prob.objective) == pytest.approx(11.5)


def test_the_separation_relaxation_serves_where_this_one_has_no_time() -> None:
    """Where the cuts' rounds spent the relaxation's time and left it to solve again (their last cuts added), the
    restricted MILP takes its builds from the rounds' last solved relaxation: here the knapsack's (A whole, B 4/5),
    with no time at all for the relaxation itself; A and B stay open, and A alone (6.5) is the plan."""
    prob, x = knapsack()
    h = passed_on(prob)
    first = warm.FirstPlan(x, time_limit_s=30, mip_rel_gap=1e-3, relax_limit_s=0.0,
                           relaxed_x=np.array([1.0, 0.8, 0.0]))
    with mock.patch.object(warm, "MIN_SECONDS", 0.0):
        found = first(h)
    assert first.bound is None  # (this relaxation unsolved: the bound is the rounds')
    assert found is not None and first.kept == 2 and first.objective == pytest.approx(-6.5)


def test_no_first_plan_without_the_time_for_one() -> None:
    """With less than MIN_SECONDS for the relaxation and the restriction, HiGHS searches on its own, as it came."""
    prob, x = knapsack()
    first = warm.FirstPlan(x, time_limit_s=warm.MIN_SECONDS / 2, mip_rel_gap=0.0)
    with quiet_stdout():
        prob.solve(make_solver(EXACT, first=first))
    assert first.kept == 0 and first.objective is None
    assert pulp.value(prob.objective) == pytest.approx(9.9)
    assert 29.0 < prob.solverModel.getOptionValue("time_limit")[1] <= 30.0
