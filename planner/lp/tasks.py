"""One nation's MILP at a price on money, or a chain of prices, or its exact-evaluation LP, or its robust
MILP over several worlds: the unit of work a :class:`planner.lp.runner.Runner` hands to a worker process
(:class:`SectorTask`), and what comes back (:class:`TaskResult`). Both are frozen and pickle as they are."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pulp

from planner.lp import warm
from planner.lp.cuts import Separation, withheld
from planner.lp.formulation import build_model, build_robust_model, robust_extract
from planner.lp.guard import build_guard_model
from planner.lp.ledger import LedgerSeat, Watch, due, publish, publish_low
from planner.lp.result import FixedPlan
from planner.lp.solver import (
    build_start,
    extract,
    make_solver,
    mip_dual_bound,
    model_sizes,
    proven_optimal,
    quiet_stdout,
    timed_out,
)
from planner.lp.twins import Twins, find_twins, without_barred
from planner.problem import PlanningProblem
from planner.settings import SolverSettings

__all__ = ["CHAIN_ABS_GAP_SHARE", "SectorTask", "TaskResult", "solve_sector"]


@dataclass(frozen=True)
class SectorTask:
    """What to solve for one nation (or, for a robust plan without sectors, the whole problem)."""

    problem: PlanningProblem
    price: float | None = None  # objective units per euro; None: money capped by the budget row
    threads: int | None = 1  # HiGHS threads; None: the solver's own (in this process)
    time_limit_s: float | None = None  # None: the problem's solver.time_limit_s
    mip_rel_gap: float | None = None  # None: the problem's solver.mip_rel_gap
    mip_abs_gap: float | None = None  # objective units (a guard task, leak_cap set: euros)
    #: A guard task's own cap for each of its worlds (problem, *worlds), None where leak_cap holds; () for none.
    world_caps: tuple[float | None, ...] = ()
    prices: tuple[float, ...] = ()  # a chain of prices, dearest first, each started from the previous plan
    prev_value: float | None = None  # the value of the plan a chain starts from (its first absolute gap)
    start: tuple[np.ndarray, np.ndarray] | None = None  # MIP start: sensors (M, S), effectors (M, E)
    allowed: tuple[np.ndarray, np.ndarray] | None = None  # builds allowed; every other is barred
    fixed: FixedPlan | None = None  # the exact-evaluation LP of this plan
    worlds: tuple[PlanningProblem, ...] = ()  # robust: the catalog draws besides ``problem``
    mode: str = "worst"  # robust: how worlds combine
    cheapest: bool = False  # the least money meeting the nation's requirements (systems.min_detection)
    share: tuple[np.ndarray, np.ndarray] | None = None  # a segment's share of each unit's cost (planner.lp.segments)
    ledger: LedgerSeat | None = None  # the gap shared with the other nations' MILPs (planner.lp.ledger)
    leak_cap: float | None = None  # the least money holding ``problem`` and ``worlds`` to this leak (planner.lp.guard)
    relax: bool = False  # a guard task's LP relaxation alone: its optimum, a lower bound on the money, and no plan
    #: A guard task's world (0: ``problem``, then ``worlds``) on which the nation's requirements hold (its scenario raid).
    required_world: int | None = None

    def replace(self, **changes: Any) -> SectorTask:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class TaskResult:
    """A task's outcome: a plan's arrays (in the task problem's index space) with its objective and bound, or why
    there is none (``infeasible``, ``timeout``: no plan within the time, ``error``: ``message`` says)."""

    outcome: Literal["solved", "infeasible", "timeout", "error"] = "solved"
    message: str = ""
    sensors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    effectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    conventional: np.ndarray = field(default_factory=lambda: np.zeros(0))
    detected: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    engagements: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    point: np.ndarray | None = None  # (Q,) point-defence engagements
    escorts: np.ndarray | None = None  # (N, T, E) escort sorties
    objective: float = 0.0
    bound: float = 0.0
    build_s: float = 0.0
    solve_s: float = 0.0
    sizes: dict[str, int] = field(default_factory=dict)
    worlds: tuple[dict[str, np.ndarray], ...] = ()  # robust: each world's detections and engagements
    chain: tuple[TaskResult, ...] = ()  # a chain of prices: one result per price

    @property
    def solved(self) -> bool:
        return self.outcome == "solved"

    def replace(self, **changes: Any) -> TaskResult:
        return dataclasses.replace(self, **changes)


#: In a chain of prices, each national MILP may stop this share of the allowed gap times the value of
#: the plan at the previous (dearer) price from its bound: that plan is smaller, so the stop is safe.
CHAIN_ABS_GAP_SHARE = 0.5


def _solve_chain(task: SectorTask) -> TaskResult:
    """One nation at several prices, dearest first, each MILP started from the plan at the previous price."""
    sub = task.problem
    start, prev_value = task.start, task.prev_value
    gap = sub.solver.mip_rel_gap if task.mip_rel_gap is None else task.mip_rel_gap
    results: list[TaskResult] = []
    for mu in task.prices:
        gap_abs = CHAIN_ABS_GAP_SHARE * gap * prev_value if prev_value else None
        r = solve_sector(task.replace(prices=(), price=mu, start=start, mip_abs_gap=gap_abs))
        if not r.solved:  # an error, no plan, or no plan in time: the chain ends with it (the prices done kept)
            return r.replace(chain=tuple(results))
        results.append(r)
        start, prev_value = (r.sensors, r.effectors), sub.drone_value(r.engagements)
    return TaskResult(chain=tuple(results))


def _settings(task: SectorTask) -> SolverSettings:
    """The problem's solver settings with the task's threads, limit and gaps."""
    s = task.problem.solver
    return s.replace(threads=task.threads, time_limit_s=s.time_limit_s if task.time_limit_s is None
                     else task.time_limit_s, mip_rel_gap=s.mip_rel_gap if task.mip_rel_gap is None
                     else task.mip_rel_gap, mip_abs_gap=task.mip_abs_gap)


def _plan_objective(price: float | None, var: dict[str, Any]) -> Callable[[float], float] | None:
    """A priced model's plan objective, constants included (value − price × euros, as planner.lp.sectors counts a
    national plan), from HiGHS's objective: pulp passes a maximisation to HiGHS negated."""
    if price is None:
        return None
    constant = -price * float(var["fixed_money"])
    return lambda highs_objective: -highs_objective + constant


def solve_sector(task: SectorTask) -> TaskResult:
    """Solve one nation's priced MILP (or, with ``fixed``, its exact-evaluation LP; with ``prices``, a
    chain of them). Runs in a worker."""
    if task.prices:
        return _solve_chain(task)
    if task.leak_cap is not None:
        return _solve_guard(task)
    sub = task.problem
    t0 = time.perf_counter()
    fixed = task.fixed
    worlds = [sub, *task.worlds] if task.worlds else None
    deadline = sub.solver.deadline
    if fixed is None and worlds is None and deadline is not None and time.time() >= deadline:
        return TaskResult(outcome="timeout")  # queued past the run's deadline
    screen_bound = None
    twins: Twins | None = None
    # A large MILP: twins and cuts pay, and a first plan where priced (never for an evaluation, robust or cheapest model)
    large = fixed is None and worlds is None and not task.cheapest and warm.worth_it(sub)
    if fixed is not None:
        prob, var = build_model(sub, fixed=fixed)
    elif worlds is not None:  # robust planning: one set of builds against several worlds
        allowed = task.allowed
        if allowed is None:
            # The robust MILP is several times the nominal one and far harder: screen it by its LP
            # relaxation (whose optimum stays the proven bound), keeping the MIP start's builds too.
            allowed, screen_bound = _robust_screen(worlds, task)
        prob, var = build_robust_model(worlds, mode=task.mode, money_price=task.price, allowed=allowed)
    elif task.cheapest:  # the least money meeting the nation's requirements (systems.min_detection)
        prob, var = build_model(sub, objective="min_cost")
    else:  # a large model counts its twin placements as one (planner.lp.twins; its plan is spread back below) and
        # has the layered kill chain's cuts (planner.lp.kill_chain.define_layer_cuts)
        base = sub if task.allowed is None else without_barred(sub, task.allowed)  # (the same model, built faster)
        if large:
            twins = find_twins(base, allowed=task.allowed, share=task.share)
        prob, var = build_model(base if twins is None else twins.reduce(base), money_price=task.price,
                                allowed=task.allowed, build_share=task.share, most=None if twins is None else twins.most,
                                layer_cuts=large)
    t1 = time.perf_counter()
    start = None if task.start is None or fixed is not None else \
        build_start(var, *(task.start if twins is None else twins.gather(*task.start)))
    seat = task.ledger if fixed is None and worlds is None and not task.cheapest else None
    watch = None if seat is None else Watch(seat, value_of=_plan_objective(task.price, var))
    first, cuts = None, None
    if large:
        until = _settings(task).time_left() if seat is None else min(_settings(task).time_left(), due(seat) - time.time())
        if start is None and task.price is not None:  # its first plan from its LP relaxation (planner.lp.warm)
            first = warm.FirstPlan([*var["sensors"].values(), *var["effectors"].values()],
                                   time_limit_s=warm.TIME_SHARE * until, mip_rel_gap=_settings(task).mip_rel_gap,
                                   relax_limit_s=warm.RELAX_SHARE * until,
                                   deadline=_deadline(time.time() + _settings(task).time_left(), seat))
        # the layered kill chain's cuts the relaxation violates, its solves without the rows that seldom bind until
        # violated (planner.lp.cuts), in the relaxation's time
        cuts = Separation(var["cuts"], time_limit_s=warm.RELAX_SHARE * until, first=first, withheld=withheld(prob))
    try:
        with quiet_stdout():
            prob.solve(make_solver(_settings(task), mip=fixed is None, start=start, watch=watch, first=first,
                                   cuts=cuts))
    except pulp.PulpSolverError as exc:
        return TaskResult(outcome="error", message=f"the HiGHS solver failed: {exc}")
    finally:
        if seat is not None:  # until the final gap is known below, no one may count on this nation's
            publish(seat, math.inf)
    if prob.status == pulp.LpStatusInfeasible:
        return TaskResult(outcome="infeasible")
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) and fixed is None \
            and worlds is None and timed_out(prob):
        # The time limit (or the run's deadline) came before any plan: the caller keeps the nation's
        # plan with nothing new built, bounded by everything its border faces.
        return TaskResult(outcome="timeout", build_s=t1 - t0, solve_s=time.perf_counter() - t1,
                          sizes=model_sizes(prob))
    if prob.status != pulp.LpStatusOptimal or prob.sol_status not in (pulp.LpSolutionOptimal,
                                                                      pulp.LpSolutionIntegerFeasible):
        nation = sub.nations[int(sub.cell_nation[0]) if len(sub.cell_nation) else 0]
        return TaskResult(outcome="error",
                          message=f"no usable plan for {nation}: solver status '{pulp.LpStatus[prob.status]}'")
    if fixed is not None and not proven_optimal(prob):  # an exact evaluation stopped early is no evaluation
        return TaskResult(outcome="timeout", message="the exact evaluation stopped before its optimum",
                          build_s=t1 - t0, solve_s=time.perf_counter() - t1)
    robust_worlds: tuple[dict[str, np.ndarray], ...] = ()
    if worlds is not None:
        rob = robust_extract(prob, var, worlds)
        out = {**{k: v for k, v in rob.items() if k != "worlds"}, **rob["worlds"][0]}
        robust_worlds = tuple(rob["worlds"])
    else:
        out = extract(prob, var, sub, integral=fixed is None)
        if twins is not None:
            out["sensors"], out["effectors"] = twins.spread(out["sensors"], out["effectors"])
    searched = first is None or first.plan is None  # (else HiGHS's info is the restricted MILP's: no bound of ours)
    bound = (mip_dual_bound(prob) if searched else None) if fixed is None else out["objective"]
    relaxed = _relaxed_bound(prob, cuts, first)
    if relaxed is not None:  # a MILP stopped before its own root (a large one, at its deadline) keeps this bound
        bound = relaxed if bound is None else min(bound, relaxed)
    if bound is None and fixed is None and not task.cheapest and not len(sub.conv_ids) and (timed_out(prob)
                                                                                          or not searched):
        # Stopped by its time limit (or a shared deadline) before HiGHS proved any bound: all the value there is
        # bounds value − price × cost (the plan's own objective would not).
        bound = max(float((q.demand * q.value).sum() * q.raids) for q in (worlds or [sub]))
    if screen_bound is not None:  # the screened MILP's own bound holds only over the screened builds
        bound = screen_bound
    if seat is not None and bound is not None:
        publish(seat, max(bound - out["objective"], 0.0))
        if watch is not None and watch.value_of is not None:  # the plan's objective, constants included
            publish_low(seat, max(watch.low, watch.value_of(-out["objective"])))
    return TaskResult(sensors=out["sensors"], effectors=out["effectors"], conventional=out["conventional"],
                      detected=out["detected"], engagements=out["engagements"], point=out.get("point"),
                      escorts=out.get("escorts"),
                      objective=out["objective"],
                      bound=out["objective"] if bound is None else max(bound, out["objective"]),
                      build_s=t1 - t0, solve_s=time.perf_counter() - t1, sizes=model_sizes(prob), worlds=robust_worlds)


def _deadline(end: float, seat: LedgerSeat | None) -> Callable[[], float]:
    """When a MILP is due to stop: at ``end`` (its time limit), or sooner at its deadline in the gap ledger, read when
    called (a deadline only moves later)."""
    return (lambda: end) if seat is None else (lambda: min(end, due(seat)))


def _relaxed_bound(prob: pulp.LpProblem, cuts: Separation | None, first: warm.FirstPlan | None) -> float | None:
    """The least of the LP relaxations' optima a large priced MILP's own runs reached (planner.lp.cuts, planner.lp.warm),
    in the model's sense (a maximisation: pulp hands HiGHS its negation): each bounds the MILP's optimum (the cuts
    are valid rows), whether or not HiGHS's search proved a bound of its own."""
    found = [x.bound for x in (cuts, first) if x is not None and x.bound is not None]
    if not found or prob.sense != pulp.LpMaximize:
        return None
    return -max(found)


def _solve_guard(task: SectorTask) -> TaskResult:
    """The least money (builds, the dearest world's munitions) holding the task's worlds to its leak cap: ``objective``
    and ``bound`` in euros (the MILP's plan and its proven lower bound), or ``infeasible`` (no builds can). The task's
    ``mip_abs_gap`` is in euros. With ``relax``, the LP relaxation: ``objective`` and ``bound`` its optimum, no builds
    (``infeasible`` then proves the MILP infeasible too)."""
    worlds = [task.problem, *task.worlds]
    t0 = time.perf_counter()
    assert task.leak_cap is not None
    prob, var = build_guard_model(worlds, task.leak_cap, list(task.world_caps) if task.world_caps else None,
                                  required=() if task.required_world is None else (task.required_world,))
    t1 = time.perf_counter()
    start = build_start(var, *task.start) if task.start is not None and not task.relax else None
    scale = var["scale"]
    settings = _settings(task)  # (the task's absolute gap is in euros, the model's money scaled)
    settings = settings.replace(mip_abs_gap=None if task.mip_abs_gap is None else task.mip_abs_gap / scale)
    try:
        with quiet_stdout():
            prob.solve(make_solver(settings, mip=not task.relax, start=start))
    except pulp.PulpSolverError as exc:
        return TaskResult(outcome="error", message=f"the HiGHS solver failed: {exc}")
    if prob.status == pulp.LpStatusInfeasible:
        return TaskResult(outcome="infeasible", build_s=t1 - t0, solve_s=time.perf_counter() - t1)
    if task.relax:
        if not proven_optimal(prob):  # stopped by its time or iteration limit: no bound proven
            return TaskResult(outcome="timeout" if timed_out(prob) else "error", build_s=t1 - t0,
                              message=f"solver status '{pulp.LpStatus[prob.status]}'", solve_s=time.perf_counter() - t1)
        relaxed = float(var["spend"].value() or 0.0) * scale
        return TaskResult(objective=relaxed, bound=relaxed, build_s=t1 - t0, solve_s=time.perf_counter() - t1,
                          sizes=model_sizes(prob))
    bound = mip_dual_bound(prob)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return TaskResult(outcome="timeout" if timed_out(prob) else "error", build_s=t1 - t0,
                          message=f"solver status '{pulp.LpStatus[prob.status]}'", solve_s=time.perf_counter() - t1,
                          bound=0.0 if bound is None else float(bound) * scale)
    sub = task.problem
    sensors = np.array(sub.in_service_sensors, dtype=float)
    effectors = np.array(sub.in_service_effectors, dtype=float)
    for arr, role in ((sensors, "sensors"), (effectors, "effectors")):
        for (j, k), v in var[role].items():
            arr[j, k] = round(v.value() or 0.0)
    cost = float(var["spend"].value() or 0.0) * scale
    return TaskResult(sensors=sensors, effectors=effectors, objective=cost,
                      bound=cost if bound is None else min(float(bound) * scale, cost), build_s=t1 - t0,
                      solve_s=time.perf_counter() - t1, sizes=model_sizes(prob))


def _robust_screen(worlds: list[PlanningProblem], task: SectorTask) -> tuple[tuple[np.ndarray, np.ndarray] | None,
                                                                            float | None]:
    """The builds a robust national MILP may use: those the LP relaxation uses and those of the MIP start;
    and the relaxation's optimum, a bound on the unscreened MILP."""
    sub = worlds[0]
    prob, var = build_robust_model(worlds, mode=task.mode, money_price=task.price, relax=True)
    with quiet_stdout():
        prob.solve(make_solver(_settings(task).replace(mip_abs_gap=None), mip=False))
    sensors = np.zeros(sub.in_service_sensors.shape, dtype=bool)
    effectors = np.zeros(sub.in_service_effectors.shape, dtype=bool)
    if task.start is not None:
        sensors |= task.start[0] > 0.5
        effectors |= task.start[1] > 0.5
    if not proven_optimal(prob):  # no screen: every build stays open, the MILP's own bound holds
        return None, None
    for (j, k), v in var["sensors"].items():
        sensors[j, k] |= (v.value() or 0.0) > 1e-6
    for (j, k), v in var["effectors"].items():
        effectors[j, k] |= (v.value() or 0.0) > 1e-6
    return (sensors | sub.in_service_sensors, effectors | sub.in_service_effectors), float(pulp.value(prob.objective))
