"""The gap the nations' MILPs share within one price evaluation (planner.lp.ledger)."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from planner.lp import ledger
from planner.lp import runner as runner_module
from planner.lp.families import national
from planner.lp.tasks import SectorTask, TaskResult, solve_sector
from tests.test_sectors import two_cells


def _call(watch: ledger.Watch, primal: float, dual: float, ran_s: float = 60.0) -> bool:
    """One HiGHS callback with this incumbent and bound, ``ran_s`` into the MILP; whether the watch asked HiGHS to
    stop."""
    into = SimpleNamespace(user_interrupt=False)
    watch(0, "", SimpleNamespace(mip_primal_bound=primal, mip_dual_bound=dual, running_time=ran_s), into, None)
    return into.user_interrupt


def test_a_milp_stops_once_the_flank_sum_fits() -> None:
    """Two nations allowed 2 and 3 (5 in all, the allowance 5). Nation 0 at gap 2.5 (incumbent −10, bound −12.5 in
    HiGHS's minimising sense) would put the sum at 5.5: it runs on. Once nation 1 finishes at 1, the sum is 3.5:
    it stops, if it has run POOL_AFTER_S. Before it has a plan (an infinite incumbent) it publishes nothing and never
    stops."""
    with ledger.gap_ledger([2.0, 3.0], 5.0) as seats:
        assert ledger.total(seats[0].folder) == pytest.approx(5.0)
        watch = ledger.Watch(seats[0], poll_s=0.0)
        assert not _call(watch, math.inf, -12.5)
        assert ledger.total(seats[0].folder) == pytest.approx(5.0)
        assert not _call(watch, -10.0, -12.5)
        assert ledger.total(seats[0].folder) == pytest.approx(5.5)
        ledger.publish(seats[1], 1.0)
        # a quick MILP keeps its own share, so that its plan does not depend on the others' timing
        assert not _call(watch, -10.0, -12.5, ran_s=ledger.POOL_AFTER_S - 1) and watch.stopped is None
        assert _call(watch, -10.0, -12.5) and watch.stopped == "gap"
        folder = Path(seats[0].folder)
    assert not folder.exists()  # the ledger removes its folder
    gone = ledger.Watch(seats[0], poll_s=0.0)  # a remote worker, or a closed ledger: the MILP keeps its own share
    assert not _call(gone, -10.0, -10.0)
    ledger.publish(seats[0], 1.0)  # writes nothing, raises nothing
    assert not folder.exists()


def test_a_nation_without_a_final_gap_counts_as_unbounded(tmp_path: Path) -> None:
    """An unreadable entry (a task that died mid-write) makes the sum infinite: no one stops on its account."""
    with ledger.gap_ledger([1.0, 1.0], 10.0) as seats:
        Path(seats[1].folder, "1.gap").write_text("not a number")
        assert ledger.total(seats[0].folder) == math.inf
        assert not _call(ledger.Watch(seats[0], poll_s=0.0), -1.0, -1.0)
    assert ledger.total(tmp_path / "missing") == math.inf


def test_the_watch_polls_at_most_every_interval() -> None:
    """Within ``poll_s`` of its last look the watch neither publishes nor stops the solve."""
    with ledger.gap_ledger([0.0, 0.0], 1.0) as seats:
        watch = ledger.Watch(seats[0], poll_s=3600.0)
        assert _call(watch, -1.0, -1.5)  # the first look: sum 0.5 ≤ 1
        assert not _call(ledger.Watch(seats[1], poll_s=3600.0), -1.0, -9.0)  # sum 8.5
        assert not _call(watch, -1.0, -1.0)  # an hour has not passed: not looked at
        assert ledger.total(seats[0].folder) == pytest.approx(8.5)


def test_a_seated_milp_publishes_its_final_gap_and_keeps_its_optimum() -> None:
    """Nation AA of ``two_cells`` alone at a price of 0.1 per euro: a sensor and an effector (€2) defeat
    10 · 0.89055 · 0.5 = 4.4528 for a price of 0.2, objective 4.2528, proven optimal. Seated in a ledger allowing
    nothing, it solves as without one and leaves its final gap, 0, in the ledger."""
    p = two_cells()
    sub = national(p, 0)[0]
    alone = solve_sector(SectorTask(problem=sub, price=0.1, threads=None, mip_rel_gap=0.0))
    with ledger.gap_ledger([0.0, 0.0], 0.0) as seats:
        seated = solve_sector(SectorTask(problem=sub, price=0.1, threads=None, mip_rel_gap=0.0, ledger=seats[0]))
        assert ledger.total(seats[0].folder) == pytest.approx(seated.bound - seated.objective, abs=1e-9)
    assert seated.objective == pytest.approx(alone.objective, abs=1e-9)
    assert seated.objective == pytest.approx(10 * 0.890550 * 0.5 - 0.2, abs=1e-4)
    assert seated.bound - seated.objective <= 1e-6


def test_a_milp_stops_past_its_deadline_once_it_has_a_plan() -> None:
    """A deadline an hour ago: the watch stops the MILP at its first plan, not before; a deadline is only ever moved
    later."""
    with ledger.gap_ledger([0.0, 0.0], 0.0) as seats:
        assert ledger.due(seats[0]) == math.inf
        ledger.extend_due(seats[0], time.time() - 3600)
        ledger.extend_due(seats[0], time.time() - 7200)  # earlier: ignored
        assert ledger.due(seats[0]) == pytest.approx(time.time() - 3600, abs=5)
        watch = ledger.Watch(seats[0], poll_s=0.0)
        assert not _call(watch, math.inf, -5.0) and watch.stopped is None
        assert _call(watch, -4.0, -5.0) and watch.stopped == "due"
        ledger.extend_due(seats[1], time.time() + 3600)
        assert not _call(ledger.Watch(seats[1], poll_s=0.0), -4.0, -5.0)


def test_time_left_by_finished_tasks_goes_to_the_running_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers, three seated tasks sharing 60 s, largest first: C (size 50) and A (size 3) start together. C,
    first, shares the 2 · 60 worker-seconds with all three (56 in all): 60 · 2 · 50/56, cut to the batch's 60 s. A
    then shares what C leaves (120 − 60 worker-seconds) with B (size 3, queued): 60 · 3/6 = 30 s away. C finishes: A,
    still running, is moved to 60 · 2 · 3/6, cut to the 60 s left, and B starts with the same. Every task is handed
    HiGHS's own limit at the batch's end; its deadline is in the ledger."""
    p = two_cells()
    small = national(p, 0)[0]
    subs = [small, small, dataclasses.replace(small, eng_cell=np.zeros(48, dtype=np.int64))]  # 1 + 1 + 1, 1 + 48 + 1
    seen: dict[int, list[float]] = {}
    a_started, b_started, a_looked = threading.Event(), threading.Event(), threading.Event()

    def fake(task):
        key = task.ledger.key
        seen[key] = [task.problem.solver.deadline - time.time(), ledger.due(task.ledger) - time.time()]
        if key == 2:  # C finishes once A has looked at its first deadline
            assert a_started.wait(10)
        if key == 0:  # A runs until B has started, then looks at its deadline again
            a_started.set()
            assert b_started.wait(10)
            seen[key].append(ledger.due(task.ledger) - time.time())
            a_looked.set()
        if key == 1:  # B runs until A has looked
            b_started.set()
            assert a_looked.wait(10)
        return TaskResult()

    monkeypatch.setattr(runner_module, "solve_sector", fake)
    pool = runner_module.Runner(2)
    with concurrent.futures.ThreadPoolExecutor(2) as pool.pool, \
            ledger.gap_ledger([1.0, 1.0, 1.0], 3.0) as seats:
        tasks = [SectorTask(problem=q, ledger=seat) for q, seat in zip(subs, seats, strict=True)]
        pool.map(tasks, share_until=time.time() + 60)
    assert [round(seen[k][0]) for k in range(3)] == [60, 60, 60]  # HiGHS stops at the batch's end at the latest
    assert seen[2][1] == pytest.approx(60, abs=1.0)
    assert seen[0][1] == pytest.approx(30, abs=0.1)
    assert seen[0][2] == pytest.approx(60, abs=1.0)  # moved later when C finished
    assert seen[1][1] == pytest.approx(60, abs=1.0)


def test_a_failing_watch_leaves_the_milp_alone() -> None:
    """Called from inside HiGHS, a watch that cannot read its data stops watching instead of raising."""

    class Broken:
        @property
        def mip_primal_bound(self) -> float:
            raise RuntimeError("no such data")

    with ledger.gap_ledger([0.0], 1.0) as seats:
        watch = ledger.Watch(seats[0], poll_s=0.0)
        into = SimpleNamespace(user_interrupt=False)
        watch(0, "", Broken(), into, None)
        assert not into.user_interrupt and not watch.alive and watch.stopped is None
        assert not _call(watch, -1.0, -1.0)  # no longer looks


def test_the_watch_interrupts_a_real_highs_search() -> None:
    """A 0/1 knapsack with 20 rows and 200 items (not closed at HiGHS's root) under a watch allowed everything and
    no waiting: HiGHS stops at its first plan, interrupted, and pulp hands back that plan with a bound above it; the
    ledger holds the gap."""
    import numpy as np
    import pulp

    from planner.lp.solver import make_solver, mip_dual_bound
    from planner.settings import SolverSettings

    rng = np.random.default_rng(1)
    weights, values = rng.integers(10, 100, (20, 200)), rng.integers(10, 100, 200)
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [prob.add_variable(f"x{i}", 0, 1, "Integer") for i in range(200)]
    prob.setObjective(pulp.LpAffineExpression([(x[i], int(values[i])) for i in range(200)]))
    for j in range(20):
        prob.addConstraint(pulp.LpAffineExpression([(x[i], int(weights[j, i])) for i in range(200)])
                           <= int(weights[j].sum() // 3), f"row{j}")
    with ledger.gap_ledger([0.0, 0.0], 1e9) as seats:
        watch = ledger.Watch(seats[0], poll_s=0.0, after_s=0.0)
        prob.solve(make_solver(SolverSettings().replace(time_limit_s=30, mip_rel_gap=0.0, threads=1), watch=watch))
        assert watch.stopped == "gap"
        assert prob.status == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionIntegerFeasible
        objective, bound = pulp.value(prob.objective), mip_dual_bound(prob)
        assert bound is not None and bound > objective + 1.0  # stopped short of the optimum, with a plan
        # the live gap it published at the stop (HiGHS's bound then, before its last bookkeeping: within a unit)
        assert ledger.total(seats[0].folder) == pytest.approx(bound - objective, abs=1.0)


def test_a_restarted_task_counts_at_its_share_again() -> None:
    """A worker killed mid-solve leaves its last live gap (1.0) and deadline behind; when the runner solves the task
    again, its seat goes back to its share (5.0) and no deadline, so no other task counts on the dead one's gap."""
    with ledger.gap_ledger([5.0, 5.0], 10.0) as seats:
        ledger.publish(seats[1], 1.0)
        ledger.extend_due(seats[1], time.time() + 3600)
        ledger.reset(seats[1])
        assert ledger.total(seats[0].folder) == pytest.approx(10.0) and ledger.due(seats[1]) == math.inf


def test_a_killed_runs_ledger_is_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ledger folders named for a process that is gone are removed when a new ledger is made; a live process's
    folder, folders not named as ledgers and a file with a ledger's name are left alone."""
    monkeypatch.setattr(ledger, "_shm", lambda: str(tmp_path))
    dead = tmp_path / f"{ledger.PREFIX}999999999-abc"  # beyond any pid the kernel hands out
    dead.mkdir()
    (dead / "0.gap").write_text("1.0")
    live = tmp_path / f"{ledger.PREFIX}{os.getpid()}-xyz"
    live.mkdir()
    other = tmp_path / "someone-elses"
    other.mkdir()
    not_a_folder = tmp_path / f"{ledger.PREFIX}999999998"
    not_a_folder.write_text("")
    with ledger.gap_ledger([1.0], 1.0) as seats:
        assert Path(seats[0].folder).parent == tmp_path
    assert not dead.exists() and live.exists() and other.exists() and not_a_folder.exists()


def test_the_allowance_grows_with_the_nations_plans() -> None:
    """Allowance 5 growing by 0.1 per unit of the nations' lower bounds, their floors 10 and −30 (a sum below 0: no
    growth). Nation 0's incumbent −49 in HiGHS's minimising sense is a plan of objective 49 + 1 (its constant): the
    lows sum to 50 − 30 = 20, the allowance to 7, the gaps to 8 + 3 = 11: it runs on. Nation 1's plan of 40 brings the
    lows to 90, the allowance to 14: it stops. A worse incumbent is not published (a low only grows), nor one below
    the floor; a restarted task counts at its floor again."""
    with ledger.gap_ledger([2.0, 3.0], 5.0, growth=0.1, floors=[10.0, -30.0]) as seats:
        assert ledger.allowance(seats[0]) == pytest.approx(5.0)
        watch = ledger.Watch(seats[0], poll_s=0.0, value_of=lambda highs: -highs + 1.0)
        assert not _call(watch, -49.0, -57.0)
        assert ledger.allowance(seats[0]) == pytest.approx(7.0)
        ledger.publish_low(seats[1], 40.0)
        assert _call(watch, -49.0, -57.0) and watch.stopped == "gap"
        assert ledger.allowance(seats[1]) == pytest.approx(14.0)
        _call(watch, -20.0, -57.0)  # a worse incumbent (21): the low stays 50
        assert ledger.allowance(seats[0]) == pytest.approx(14.0)
        ledger.publish_low(seats[1], -99.0)  # below nation 1's floor: counts at −30
        assert ledger.allowance(seats[0]) == pytest.approx(5.0 + 0.1 * 20.0)
        ledger.reset(seats[0])
        assert ledger.allowance(seats[0]) == pytest.approx(5.0)  # lows 10 − 30 < 0
        Path(seats[1].folder, "1.low").write_text("not a number")
        assert ledger.allowance(seats[0]) == pytest.approx(5.0)  # unreadable: no growth
    with ledger.gap_ledger([2.0, 3.0], 5.0) as seats:  # no growth asked: the allowance as given
        ledger.publish_low(seats[0], 1e6)
        assert ledger.allowance(seats[0]) == pytest.approx(5.0)


def test_a_seated_milp_publishes_its_plans_objective_constants_included() -> None:
    """Nation AA of ``two_cells`` at a price of 0.1 per euro, effectors run at €0.3 a year (one year), one more in
    service at site 0, where it covers nothing (no variable: a constant €0.3 in the plan's cost). The plan buys the
    sensor and the effector of site 1 (€1 + €1 + €0.3): value 10 · 0.89055 · 0.5 = 4.4528, objective 4.4528 −
    0.1 · 2.3 = 4.2228 in the model and 4.2228 − 0.1 · 0.3 = 4.1928 with the constant, as planner.lp.sectors counts
    it: the low it leaves in the ledger."""
    p = two_cells()
    service = p.in_service_effectors.copy()
    service[0, 0] = True
    p = dataclasses.replace(p, effector_operating_eur_per_year=np.array([0.3]), in_service_effectors=service)
    sub = national(p, 0)[0]
    with ledger.gap_ledger([0.0, 0.0], 0.0, growth=1.0, floors=[-1.0, 0.0]) as seats:
        r = solve_sector(SectorTask(problem=sub, price=0.1, threads=None, mip_rel_gap=0.0, ledger=seats[0]))
        low = float(Path(seats[0].folder, "0.low").read_text())
    assert r.objective == pytest.approx(10 * 0.890550 * 0.5 - 0.23, abs=1e-4)
    assert low == pytest.approx(r.objective - 0.03, abs=1e-9)
    assert low == pytest.approx(sub.drone_value(r.engagements) - 0.1 * sub.costs(r.sensors, r.effectors, r.engagements,
                                                                                  np.zeros(0))["total"], abs=1e-9)
