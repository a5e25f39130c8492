"""The search over leak caps of the adversary-aware plan (planner.analysis.capsearch), held to curves whose optimum is
known: a stand-in for the workers answers each nation's guard task from a money curve C(θ) (the MILP: C, its bound a
little below; the LP relaxation: a share of C), so that the search's logic — the grid, the golden sections, the
splitting, the caps bounded by their relaxations alone — is checked against the exact optimum of J(θ) = −θ + W(B − C)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.adversary import Attacker
from planner.analysis.capsearch import search, upper_bound
from planner.lp.evaluate import plan_parts
from planner.lp.result import FixedPlan
from planner.lp.tasks import TaskResult
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
    drones, so the most an attack leaks (the search's first cap) is 2."""
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
    1.5 (J −0.5). The grid tries 2, 1.4: proven infeasible by its relaxation, never a MILP."""
    best, tried, runner, bound = run(lambda t: 0.0 if t >= 1.5 else math.inf, lambda m: 1 - m, rho=0.5)
    assert best is not None and best.objective <= -0.5 + 1e-12
    assert bound == pytest.approx(-0.5, abs=0.02) and bound >= -0.5
    low = 2 * 0.7
    assert (low, False) not in runner.calls and tried[low].results is None and not tried[low].bounded


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
