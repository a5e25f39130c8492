"""The search over leak caps of the adversary-aware plan (planner.analysis.capsearch), held to curves whose optimum is
known: a stand-in for the workers answers each nation's guard task from a money curve C(θ) (the MILP: C, its bound a
little below; the LP relaxation: a share of C), so that the search's logic — the grid, the golden sections, the
splitting, the caps bounded by their relaxations alone — is checked against the exact optimum of J(θ) = −θ + W(B − C)."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.adversary import Attacker
from planner.analysis.capsearch import guard, search, upper_bound
from planner.lp.evaluate import plan_parts
from planner.lp.formulation import build_model
from planner.lp.result import FixedPlan
from planner.lp.solver import proven_optimal
from planner.lp.tasks import SectorTask, TaskResult, solve_sector
from tests.lp_helpers import make_problem


class CurveRunner:
    """Answers every guard task from ``cost(θ)`` (€; inf: no plan): the MILP with that money and a bound
    ``milp_bound`` of it, the relaxation with ``rho`` of it. Records (cap, relax) of every task."""

    def __init__(self, cost: Callable[[float], float], rho: float, milp_bound: float = 0.999) -> None:
        self.cost, self.rho, self.milp_bound = cost, rho, milp_bound
        self.calls: list[tuple[float, bool]] = []

    def map(self, tasks: list) -> list[TaskResult]:
        out = []
        for t in tasks:
            self.calls.append((t.leak_cap, t.relax))
            c = self.cost(t.leak_cap)
            if c == math.inf:
                out.append(TaskResult(outcome="infeasible"))
            elif t.relax:
                out.append(TaskResult(objective=self.rho * c, bound=self.rho * c))
            else:
                out.append(TaskResult(sensors=np.zeros((1, 1)), effectors=np.zeros((1, 1)), objective=c,
                                      bound=self.milp_bound * c))
        return out


def one_nation() -> tuple[Attacker, list, list]:
    """One nation, two cells (an axis each), one drone a raid in each, value 1: the raid on either axis carries 2
    drones, so the most an attack leaks (the search's first cap) is 2. One site: a sensor and an effector (€1 each,
    pk 0.5) that see and reach cell 0 only."""
    p = make_problem(demand=[[1.0], [1.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, 0, 0)], n_sites=1,
                     sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[0.5]], budget=10.0)
    att = Attacker(axis=np.array([0, 1]), axis_names=("A", "B"), axis_km=np.ones(2), groups=((0,),), concentrate=1.0,
                   profiles=("catalog",), worlds=(p,))
    fixed = FixedPlan(sensors=np.zeros((1, 1)), effectors=np.zeros((1, 1)), conventional=np.zeros(0), cost_eur=0.0)
    return att, [plan_parts(p, fixed, by_nation=True)], [[(0, 0, 0), (0, 0, 1)]]


def run(cost: Callable[[float], float], worth: Callable[[float], float], rho: float, gap: float = 0.01):
    att, parts, attacks = one_nation()
    runner = CurveRunner(cost, rho)
    tried: dict = {}

    def conventional(drone_eur: float) -> tuple[np.ndarray, float]:
        return np.zeros(0), worth(drone_eur)

    best = search(att, parts, attacks, runner, conventional, tried, [None], lambda _m: None, gap=gap, shift=2.0,
                  deadline=time.perf_counter() + 60)
    return best, tried, runner, upper_bound(tried, conventional)


def test_the_search_finds_the_hand_optimum_and_bounds_low_caps_by_their_relaxation() -> None:
    """C(θ) = (2 − θ)², W(m) = 4 − m (budget 4): J(θ) = −θ + 4 − (2 − θ)², J' = −1 + 2(2 − θ) = 0 at θ* = 1.5,
    J* = −1.5 + 4 − 0.25 = 2.25 (nothing built, θ = 2: J = 2). The grid tries 2 (J 2), 1.4 (J 2.24, better), then
    0.98: its relaxation (exact here) proves J ≤ −0.98 + 4 − 1.0404 = 1.98 < 2.24, so its MILP is never solved."""
    best, tried, runner, bound = run(lambda t: (2 - t) ** 2, lambda m: 4 - m if m <= 4 else -math.inf, rho=1.0)
    assert best is not None
    assert best.cap == pytest.approx(1.5, abs=0.03) and best.objective == pytest.approx(2.25, abs=1e-3)
    assert bound >= 2.25 - 1e-12 and bound - best.objective <= 0.01 * (best.objective + 2.0) + 1e-12
    low = 2 * 0.7 * 0.7  # the grid's third cap
    assert tried[low].bounded and (low, True) in runner.calls and (low, False) not in runner.calls
    assert all((c, False) not in runner.calls for c, g in tried.items() if g.bounded)


def test_a_cap_no_money_can_hold_ends_the_grid() -> None:
    """C(θ) = ∞ below 1.5 (no builds hold the attacks there), 0 above; W(m) = 1 − m: J = 1 − θ on [1.5, 2], best at
    1.5 (J −0.5). The grid tries 2, then 1.4: proven infeasible by its relaxation (no plan, bound inf), never a MILP;
    the grid ends there."""
    best, tried, runner, bound = run(lambda t: 0.0 if t >= 1.5 else math.inf, lambda m: 1 - m, rho=0.5)
    assert best is not None and best.objective == pytest.approx(-0.5, abs=0.02)
    assert bound == pytest.approx(-0.5, abs=0.02) and bound >= -0.5
    low = 2 * 0.7
    assert (low, False) not in runner.calls and tried[low].bounded and tried[low].cost_bound == math.inf


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.floats(0.5, 20), theta0=st.floats(0.2, 2.0), power=st.floats(1.0, 3.0), v=st.floats(0.2, 5.0),
       budget=st.floats(1.0, 20.0), rho=st.floats(0.3, 1.0))
def test_the_bound_holds_and_the_gap_closes_on_random_curves(a, theta0, power, v, budget, rho) -> None:
    """C(θ) = a · max(0, θ0 − θ)^p, W(m) = v (B − m) within the budget: the search's bound is never below the best J
    on a fine grid of caps, the plan it returns is J at its own cap, within 1% of the bound, and no cap bounded by its
    relaxation had its MILP solved."""
    def cost(t: float) -> float:
        return a * max(0.0, theta0 - t) ** power

    def worth(m: float) -> float:
        return v * (budget - m) if m <= budget else -math.inf

    best, tried, runner, bound = run(cost, worth, rho)
    grid = np.linspace(1e-9, 2.0, 40001)
    true = max(-t + worth(cost(t)) for t in grid)
    assert best is not None
    assert best.objective == pytest.approx(-best.cap + worth(cost(best.cap)), abs=1e-9)
    assert bound >= true - 1e-9
    assert bound - best.objective <= 0.01 * max(abs(best.objective + 2.0), 1e-9) + 1e-9
    assert all((c, False) not in runner.calls for c, g in tried.items() if g.bounded)


def test_an_lp_stopped_by_its_time_limit_is_no_bound() -> None:
    """pulp reports HiGHS's time limit on an LP as 'Optimal'; proven_optimal does not, so a relaxation stopped early
    gives the guard task no bound (outcome timeout) and the exact evaluation or lp_screen no answer."""
    att, _, _ = one_nation()
    p = att.worlds[0]
    prob, _ = build_model(p, relax=True)
    prob.solve(pulp.HiGHS(mip=False, msg=False, timeLimit=1e-12))
    assert pulp.LpStatus[prob.status] == "Optimal" and not proven_optimal(prob)
    prob.solve(pulp.HiGHS(mip=False, msg=False))
    assert proven_optimal(prob)
    stopped = solve_sector(SectorTask(problem=p, leak_cap=1.0, relax=True, time_limit_s=1e-12))
    assert stopped.outcome == "timeout"


def test_the_guard_relaxation_bounds_its_milp() -> None:
    """One nation, one drone a raid in each of two cells (value 1): a sensor (€1) and an effector (€1, pk 0.5) may
    stand at its one site, both seeing and reaching cell 0 only. Holding the raid to a leak of 1.6 needs both (the
    effector kills about 0.5 of the drone at cell 0): €2; the relaxation may buy fractions, never more money. Below
    a leak of 1.5 no builds can: both are infeasible."""
    att, _, _ = one_nation()
    p = att.worlds[0]
    milp = solve_sector(SectorTask(problem=p, leak_cap=1.6, mip_rel_gap=0.0))
    lp = solve_sector(SectorTask(problem=p, leak_cap=1.6, relax=True))
    assert milp.outcome == lp.outcome == "solved" and milp.objective == pytest.approx(2.0)
    assert lp.bound <= milp.bound + 1e-9 <= milp.objective + 2e-9 and lp.bound > 0
    for relax in (False, True):
        assert solve_sector(SectorTask(problem=p, leak_cap=1.4, relax=relax)).outcome == "infeasible"


class TaskRunner:
    """Keeps the guard tasks it is handed and answers each with nothing bought."""

    def __init__(self) -> None:
        self.tasks: list = []

    def map(self, tasks: list) -> list[TaskResult]:
        self.tasks += tasks
        return [TaskResult(sensors=np.zeros((1, 1)), effectors=np.zeros((1, 1))) for _ in tasks]


@pytest.mark.parametrize(("floor", "required", "worlds", "caps", "own"), [
    (0.0, False, 2, (), None),  # two attacks, nothing else
    (0.5, False, 3, (None, None, 1.0), 2),  # the scenario's raid (value 2) held to 1 − 0.5 of it
    (0.0, True, 3, (None, None, math.inf), 2),  # the scenario's raid, no leak cap, the requirement on it
    (0.5, True, 3, (None, None, 1.0), 2),  # one world for both
])
def test_the_guard_task_carries_the_scenarios_raid_where_a_floor_or_a_requirement_needs_it(
        floor, required, worlds, caps, own) -> None:
    """The guard task of a nation with two attacks: the scenario's raid over its border joins as a last world where a
    floor or a surveillance requirement (systems.min_detection) needs it, with its own cap (inf: none), and the task
    names it as the world the requirements hold on."""
    att, parts, attacks = one_nation()
    if required:
        p = dataclasses.replace(att.worlds[0], min_detection=np.array([[0.5]]))
        att = dataclasses.replace(att, worlds=(p,))
        parts = [plan_parts(p, parts[0][0].plan, by_nation=True)]
    runner = TaskRunner()
    guard(att, parts, attacks, 1.5, runner, [None], lambda m: (np.zeros(0), -m), 0.01, floor)
    (task,) = runner.tasks
    assert 1 + len(task.worlds) == worlds and task.world_caps == caps and task.required_world == own
    if own is not None:
        assert task.worlds[own - 1] is parts[0][0].problem
