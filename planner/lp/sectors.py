"""Decomposition by nation: one MILP per national sector, linked by a price on money.

Where no site covers another nation's cells (``theater.cross_border_coverage: false``, the default),
the nations interact only through the shared budget and the conventional purchases. Relaxing the
budget with a price μ (objective units per euro) splits the problem (docs/formulation.md, "Solving"):

    L(μ) = μ·B + Σ_n max_{plans of n} [V_n − μ·C_n] + max_u [w·S(u) − μ·K(u)]

is an upper bound on the best plan for every μ ≥ μ_conv (the best conventional value per euro, so
that the last term stays bounded), and each national term is a small MILP solved on its own, in
parallel, with HiGHS's proven bound standing in for its maximum. Every national plan found at any
price is kept; a small multiple-choice knapsack then picks one plan per nation and the conventional
units within the budget. The reported gap is between that plan and the least L(μ) evaluated, so it is
a proven gap for the whole flank. μ is bisected on the sign of the budget's slack.

Where there is one part only — a single nation, or nations whose units cover each other's borders
(``theater.cross_border_coverage``) — the same pricing applies to that part, whose model is cut into segments along the
border (planner.lp.segments) when that pays off; otherwise the problem is solved as one model (planner.lp.strategies).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import time
from typing import Any

import numpy as np

from planner.errors import InfeasibleError, SolverError
from planner.lp import segments
from planner.lp.choice import (
    conventional_term,
    conventional_values,
    conventional_worth,
    lowest_price,
    pick_plans,
)
from planner.lp.evaluate import merge, sector_spend
from planner.lp.export import budget_shadow_price
from planner.lp.families import (
    check,
    explain,
    family,
    national,
    no_rate,
    parts,
    per_nation_violations,
    why_infeasible,
)
from planner.lp.ledger import gap_ledger
from planner.lp.result import FixedPlan, SectorPlan, Solved, SolveInfo
from planner.lp.runner import Runner, worker_count
from planner.lp.strategies import solve_monolithic
from planner.lp.tasks import SectorTask, TaskResult
from planner.problem import PlanningProblem

log = logging.getLogger(__name__)


#: Price evaluations at most (each solves every national MILP once).
MAX_EVALUATIONS = 8


#: Another price is evaluated only with this share of the last one's national solves' time left (and 5 s) at least: at
#: 1 km cells with sites every 2 km, a second price started with 47 s of 300 left found few plans and ran 44 s over.
NEXT_ROUND_SHARE = 0.5


#: Up to this many coverage pairs, a flank-wide MILP may follow when pricing leaves a gap (small problems).
FALLBACK_MAX_PAIRS = 100_000


#: Share of the gap target given to the national MILPs (the rest absorbs combining their plans).
SECTOR_GAP_SHARE = 0.75


def applies(problem: PlanningProblem, *, objective: str | None = None,
            target_override: dict[int, float] | None = None, robust: bool = False) -> bool:
    """Whether the ``sectors`` strategy is asked for and can be used on this problem: by nation where no unit covers
    another nation's cells; as one part (a single nation, or nations covering each other's borders) where that part
    is cut into segments along the border (:func:`planner.lp.segments.applies`; not for robust plans)."""
    kind = objective or problem.objective
    targets = problem.defeat_targets if target_override is None else target_override
    if not (problem.solver.strategy == "sectors" and problem.solver.backend == "highs"
            and kind in ("max_defeat", "max_defeat_with_floor") and not targets):
        return False
    if problem.is_sectored() and len(sector_nations(problem)) > 1:
        return True
    return not robust and segments.applies(parts(problem)[0][1])


def sector_nations(p: PlanningProblem) -> list[int]:
    used = set(p.cell_nation.tolist()) | set(p.site_nation.tolist())
    return [n for n in range(len(p.nations)) if n in used]


def runner_for(p: PlanningProblem) -> Runner:
    """Worker processes for solving ``p`` by nation, or by segments along the border where it is one part (one
    process per thread, none for small problems)."""
    return Runner(worker_count(p, _slots(parts(p))))


def _slots(found: list[tuple[str, PlanningProblem, np.ndarray, np.ndarray]]) -> int:
    """How many models can be solved at once: the parts, or one part's segments where it is cut into segments."""
    if len(found) == 1 and segments.applies(found[0][1]):
        return segments.count(found[0][1])
    return len(found)


def solve(p: PlanningProblem, *, worlds: list[PlanningProblem] | None = None, mode: str = "worst",
          start: tuple[np.ndarray, np.ndarray] | None = None, runner: Runner | None = None) -> Solved:
    """Solve a sectored problem by pricing money (see the module docstring).

    With ``worlds`` (catalog draws of the same scenario) the plan is robust: each nation's builds are
    planned against its nominal world and every draw (:func:`planner.lp.formulation.build_robust_model`);
    a national plan is worth its worst (or mean) world's value and costs its dearest world's spend,
    so the combined plan fits the budget in every world. Per-nation worst cases add up to no more
    than the flank's worst case: the value reported is on the safe side. ``start`` (sensors (M, S),
    effectors (M, E)) gives every national MILP a MIP start, e.g. the nominal plan. ``runner`` lends
    worker processes that outlive the call (e.g. for the exact evaluation that follows).
    """
    t0 = time.perf_counter()
    kind = p.objective
    limit = p.solver.time_left()  # cut to the run's deadline where there is one
    target = p.solver.mip_rel_gap
    found = parts(p)
    labels, subs = zip(*[(label, (sub, ci, si)) for label, sub, ci, si in found], strict=True)
    segmented = len(found) == 1 and not worlds and segments.applies(found[0][1])
    worlds = list(worlds or [])
    world_subs = [[part[1] for part in each] for each in zip(*[parts(q) for q in worlds], strict=True)] if worlds \
        else [[] for _ in subs]
    k, val, mu_conv = conventional_values(p, kind)
    if worlds:  # conventional units priced at their dearest world too
        k = np.max([k] + [q.conv_cost_eur for q in worlds], axis=0)
        mu_conv = float(np.max(val / k)) if len(k) and val.any() else 0.0
    # The search starts at μ_conv (the first conventional point's price) and may go down to the lowest price at
    # which the conventional term is bounded (below μ_conv only where capability areas have requirements).
    mu_floor = lowest_price(p, k, val)
    floor = p.conventional_floor if kind == "max_defeat_with_floor" else 0.0
    if floor > 0 and not len(k):
        raise InfeasibleError(f"conventional_floor {floor:g} needs conventional options, and the scenario allows none")
    workers = worker_count(p, _slots(found))
    demand = np.array([sub.demand.sum() for sub, _, _ in subs])
    shares = demand / demand.sum() if demand.sum() > 0 else np.full(len(subs), 1 / len(subs))
    plans: list[list[SectorPlan]] = [[] for _ in subs]
    standing = [sub.costs(sub.in_service_sensors.astype(float), sub.in_service_effectors.astype(float), np.zeros(
        (*sub.demand.shape, len(sub.effector_ids))), np.zeros(0))["total"] for sub, _, _ in subs]  # in service, run
    best_bound = math.inf
    lo, hi = mu_floor, math.inf  # prices known to overspend (lo) and to fit (hi)
    mu = mu_conv if mu_conv > 0 and p.conv_upper(int(np.argmax(val / k))) is None else max(initial_price(p), mu_floor)
    evaluations: list[dict[str, Any]] = []
    build_s = solve_s = round_s = 0.0
    sizes: dict[str, int] = {}
    choice, units, primal, gap = None, np.zeros(len(k)), -math.inf, math.inf
    with contextlib.nullcontext(runner) if runner is not None else Runner(workers) as runner:
        for it in range(MAX_EVALUATIONS):
            remaining = limit - (time.perf_counter() - t0)
            if it and remaining < max(5.0, NEXT_ROUND_SHARE * round_s):
                break
            conv_term, conv_units = conventional_term(p, k, val, mu, floor)
            # Each nation's share of the allowed gap, in absolute terms (L(μ) ≥ μB + conv_term), in
            # proportion to the drones it faces; a quarter is kept for combining the national plans.
            allowed = SECTOR_GAP_SHARE * target * max(mu * p.budget_eur + conv_term, 0.0)
            tasks = [SectorTask(problem=sub, price=mu, threads=1, time_limit_s=max(remaining, 1.0), mip_rel_gap=target,
                                mip_abs_gap=allowed * share or None, worlds=tuple(ws), mode=mode,
                                start=None if start is None else (start[0][si], start[1][si]))
                     for (sub, _, si), share, ws in zip(subs, shares, world_subs, strict=True)]
            if it == 0:  # the cheapest plan each nation has: units in service only
                for n, plan in enumerate(null_plans(runner, tasks)):
                    plans[n].append(plan)
            started = time.perf_counter()
            if segmented:  # one part cut into segments along the border, solved in the workers
                results = [segments.solve_segmented(tasks[0], solve_many=runner.map, workers=runner.workers)]
            else:  # the nations share the time left and the gap allowed (not on a Dask cluster: it cannot see the ledger)
                pooled = not worlds and len(tasks) > 1 and allowed > 0 and p.solver.backend == "highs" and not runner.scheduler
                # The allowance grows with the nations' plans (planner.lp.ledger), each nation's bound from below at
                # its best admissible plan so far (units in service operated at least: an empty plan counts nothing)
                floors = [max((pl.value - mu * max(pl.cost, standing[n]) for pl in plans[n] if pl.admissible),
                              default=-math.inf) for n in range(len(plans))]
                grows = all(math.isfinite(f) for f in floors)
                with gap_ledger([t.mip_abs_gap or 0.0 for t in tasks], allowed, floors=floors,
                                growth=SECTOR_GAP_SHARE * target if grows else 0.0) if pooled else \
                        contextlib.nullcontext([None] * len(tasks)) as seats:
                    results = runner.map([t.replace(ledger=seat) for t, seat in zip(tasks, seats, strict=True)],
                                         share_until=time.time() + limit - (time.perf_counter() - t0))
            round_s = time.perf_counter() - started
            for n, r in enumerate(results):
                if r.outcome == "infeasible":
                    raise InfeasibleError(why_infeasible(subs[n][0], labels[n]))
                if r.outcome == "timeout":  # no plan in time: nothing new built, bounded by all the value there is
                    plan = plans[n][0]
                    sub = subs[n][0]
                    if not plan.admissible:
                        broken = "; ".join(per_nation_violations(sub, plan.sensors, plan.effectors, plan.detected,
                                                                 plan.engagements, plan.point))
                        raise SolverError(f"{labels[n]}: no plan within the time limit, and building "
                                          f"nothing breaks its requirements ({broken}): raise solver.time_limit_s")
                    r = r.replace(objective=plan.value - mu * plan.cost,
                                  bound=max(float((sub.demand * sub.value).sum() * sub.raids), plan.value - mu * plan.cost))
                    log.warning("%s: no plan within the time limit; nothing new is built there", labels[n])
                else:
                    plan = sector_plan(subs[n][0], r, mu, world_subs[n], mode)
                    plans[n].append(plan)
                # The model's objective leaves out constants (operation of units in service that cover
                # nothing); the bound on V − μC is the solver's bound plus the same offset.
                results[n] = r.replace(bound=r.bound + (plan.value - mu * plan.cost) - r.objective,
                                       objective=plan.value - mu * plan.cost)
                build_s += r.build_s
                solve_s += r.solve_s
            sizes = {key: sum(r.sizes.get(key, 0) for r in results) for key in max((r.sizes for r in results), key=len)}
            bound = mu * p.budget_eur + conv_term + sum(r.bound for r in results)
            best_bound = min(best_bound, bound)
            choice, units, primal = pick_plans(p, plans, k, val, floor)
            gap = max(best_bound - primal, 0.0) / max(abs(best_bound), abs(primal), 1e-9)
            spend = sum(pl[-1].cost for pl in plans) + float((conv_units * k).sum())
            evaluations.append({"price_per_meur": mu * 1e6, "bound": bound, "plan_value": primal, "gap": gap,
                                "spend_at_price_eur": spend, "seconds": time.perf_counter() - t0,
                                "sectors": {labels[n]: {
                                    "build_s": round(r.build_s, 2), "solve_s": round(r.solve_s, 2),
                                    "gap": (r.bound - r.objective) / max(abs(r.bound), 1e-9)}
                                    for n, r in enumerate(results)}})
            log.info("sectors: price %.4g per M€, bound %.1f, plan %.1f, gap %.2f%%", mu * 1e6, bound, primal,
                     100 * gap)
            if gap <= target:
                break
            if spend > p.budget_eur:
                lo = mu
            else:
                hi = mu
                if mu <= mu_floor:
                    break  # the bound cannot fall further: L is smallest at the lowest allowed price
            mu = (max(mu, 1e-12) * 4 if hi == math.inf else
                  (hi / 4 if lo <= 0 else math.sqrt(lo * hi)))
            if hi < math.inf and lo > 0 and hi / lo < 1.001:
                break
    assert choice is not None
    sensors = np.zeros((len(p.site_ids), len(p.sensor_ids)))
    effectors = np.zeros((len(p.site_ids), len(p.effector_ids)))
    for n, (_, _, si) in enumerate(subs):
        sensors[si], effectors[si] = plans[n][choice[n]].sensors, plans[n][choice[n]].effectors
    detected, engagements, point, escorts = merge(p, subs, [plans[n][choice[n]] for n in range(len(subs))])
    info = SolveInfo(strategy="sectors", sectors=tuple(labels), workers=workers,
                     price_evaluations=tuple(evaluations), bound=best_bound,
                     robust={"mode": mode, "worlds": 1 + len(worlds)} if worlds else None)
    remaining = limit - (time.perf_counter() - t0)
    whole: Solved | None = None
    if (gap > target + 1e-9 and remaining >= 5.0 and not worlds and not segmented
            and len(p.det_cell) + len(p.eng_cell) <= FALLBACK_MAX_PAIRS):
        # Pricing left a gap (a duality gap: typical of small problems, where one unit is a large share
        # of the money). A small problem's flank-wide MILP gets the time left; the better plan is kept.
        try:
            whole = solve_monolithic(dataclasses.replace(p, solver=p.solver.replace(strategy="full",
                                                                                    time_limit_s=remaining)))
        except SolverError:  # no plan in the time left: keep the sectors' plan
            whole = None
    if whole is not None:
        if whole.gap is not None and whole.gap < 1 and whole.objective > 0:
            best_bound = min(best_bound, whole.objective / (1 - whole.gap))
        info = dataclasses.replace(info, bound=best_bound,
                                   flank_wide_milp={"objective": whole.objective, "gap": whole.gap})
        if whole.objective > primal:
            sensors, effectors, units = whole.sensors, whole.effectors, whole.conventional
            detected, engagements, primal, point = whole.detected, whole.engagements, whole.objective, whole.point
            escorts = whole.escorts if whole.escorts is not None else np.zeros(engagements.shape)
            info = dataclasses.replace(info, plan_from="flank_wide_milp")
        gap = max(best_bound - primal, 0.0) / max(abs(best_bound), abs(primal), 1e-9)
        build_s += whole.build_s
        solve_s += whole.solve_s
    status = "optimal" if gap <= target + 1e-9 else "gap_above_target"
    if gap > 0.1:
        log.warning("the plan is %.0f%% from the best bound when the time limit stopped the solver: "
                    "raise solver.time_limit_s or use coarser cells before relying on it", 100 * gap)
    info = dataclasses.replace(info, wall_s=time.perf_counter() - t0)
    return check(p, Solved(status=status, sensors=sensors, effectors=effectors, conventional=units, detected=detected,
                      engagements=engagements, objective=primal, gap=gap, build_s=build_s, solve_s=solve_s,
                      sizes=sizes, info=info, point=point, escorts=escorts))


def null_plans(runner: Runner, tasks: list[SectorTask]) -> list[SectorPlan]:
    """Each nation's cheapest plan: nothing new built (zero, or what its units in service achieve); where that
    falls short of the nation's surveillance requirements (systems.min_detection), the least-cost plan that
    meets them, or, if none is found, the empty plan marked inadmissible (never chosen)."""
    out: list[SectorPlan | None] = [None] * len(tasks)
    todo = []
    for n, t in enumerate(tasks):
        sub = t.problem
        if sub.in_service_sensors.any() or sub.in_service_effectors.any():
            todo.append(n)
        else:
            out[n] = _empty_plan(sub, _price(t))
    fixed_tasks = [tasks[n].replace(start=None, allowed=(tasks[n].problem.in_service_sensors,
                                                         tasks[n].problem.in_service_effectors)) for n in todo]
    for n, r in zip(todo, runner.map(fixed_tasks) if todo else [], strict=True):
        sub = tasks[n].problem
        if r.outcome == "infeasible" and explain(sub, no_rate, (family("budget"),)):
            where = set(sub.site_nation.tolist())
            raise InfeasibleError(why_infeasible(sub, sub.nations[where.pop()] if len(where) == 1 else "the flank"))
        if r.outcome == "infeasible":  # the units in service alone break a family that holds per nation
            out[n] = _empty_plan(sub, _price(tasks[n]), admissible=False)
            continue
        if not r.solved:  # no engagement plan for the units in service in time: they stand, engaging nothing
            out[n] = _empty_plan(sub, _price(tasks[n]))
            continue
        out[n] = sector_plan(sub, r, _price(tasks[n]), list(tasks[n].worlds), tasks[n].mode)
    # Where a nation's empty plan breaks a family that holds per nation (e.g. its surveillance requirements), the
    # nation's cheapest plan is the one that meets them at least cost.
    short = [n for n, plan in enumerate(out) if plan is not None and not plan.admissible]
    cheapest = [tasks[n].replace(start=None, allowed=None, worlds=(), cheapest=True) for n in short]
    for n, r in zip(short, runner.map(cheapest) if short else [], strict=True):
        if r.solved:  # else (infeasible, or no plan in time) the national MILPs will say why
            out[n] = sector_plan(tasks[n].problem, r, _price(tasks[n]))
    return [pl for pl in out if pl is not None]


def _price(task: SectorTask) -> float:
    return 0.0 if task.price is None else task.price


def _empty_plan(sub: PlanningProblem, price: float, *, admissible: bool = True) -> SectorPlan:
    """Units in service only, engaging nothing (its value and cost are counted as nothing); admissible only if
    it holds every family that holds per nation."""
    shape = sub.demand.shape
    plan = SectorPlan(price=price, sensors=sub.in_service_sensors.astype(float),
                      effectors=sub.in_service_effectors.astype(float), detected=np.zeros(shape),
                      engagements=np.zeros((*shape, len(sub.effector_ids))), value=0.0, cost=0.0,
                      point=np.zeros(len(sub.pt_cell)))
    plan.admissible = admissible and not per_nation_violations(sub, plan.sensors, plan.effectors, plan.detected,
                                                          plan.engagements, plan.point)
    return plan


def sector_plan(sub: PlanningProblem, r: TaskResult, mu: float, worlds: list[PlanningProblem] | None = None,
                mode: str | None = None) -> SectorPlan:
    """A national model's plan as a candidate: its value and cost at the nation's prices (robust: the worst or mean
    world's value and the dearest world's cost). The national model held it to every family that holds per nation
    (and the plan finally chosen is checked against all of them); plans made outside a model, the empty plans, are
    checked when made (:func:`_empty_plan`)."""
    if not worlds:
        cost = sub.costs(r.sensors, r.effectors, r.engagements, np.zeros(0))["total"]
        value = sub.drone_value(r.engagements)
    else:  # robust: the worst (or mean) world's value, the dearest world's spend
        each = [(q.drone_value(w["engagements"]), q.costs(r.sensors, r.effectors, w["engagements"],
                                                          np.zeros(0))["total"])
                for q, w in zip([sub, *worlds], r.worlds, strict=True)]
        values = [v for v, _ in each]
        value = min(values) if mode == "worst" else float(np.mean(values))
        cost = max(c for _, c in each)
    return SectorPlan(price=mu, sensors=r.sensors, effectors=r.effectors, detected=r.detected,
                      engagements=r.engagements, value=value, cost=cost, point=r.point, escorts=r.escorts)


def initial_price(p: PlanningProblem) -> float:
    """A first price when no conventional option sets one: the budget row's dual in the LP relaxation."""
    price = budget_shadow_price(p)
    return price if price is not None else 1e-9


def evaluate(p: PlanningProblem, fixed: FixedPlan, runner: Runner | None = None) -> Solved:
    """Exact evaluation nation by nation: each nation's builds fixed, detection exact, engagements
    re-optimised within what that nation's part of the plan spends."""
    if not p.is_sectored():  # one part, the whole flank: its exact-evaluation LP as one model
        return solve_monolithic(p, fixed=fixed)
    t0 = time.perf_counter()
    nations = sector_nations(p)
    subs = [national(p, n) for n in nations]
    tasks = []
    for n, (sub, ci, si) in zip(nations, subs, strict=True):
        planned = FixedPlan(sensors=fixed.sensors[si], effectors=fixed.effectors[si], conventional=np.zeros(0),
                                cost_eur=sector_spend(sub, n, fixed, ci, si))
        tasks.append(SectorTask(problem=sub, fixed=planned, threads=1, mip_rel_gap=0.0))
    if runner is not None:  # a sweep keeps one set of workers for all its evaluations
        results = runner.map(tasks)
    else:
        with Runner(worker_count(p, len(nations))) as own:
            results = own.map(tasks)
    detected, engagements, point, escorts = merge(p, subs, results)
    _, val, _ = conventional_values(p, p.objective)
    objective = p.drone_value(engagements) + conventional_worth(p, fixed.conventional, val)
    sizes = {key: sum(r.sizes[key] for r in results) for key in results[0].sizes}
    return check(p, Solved(status="optimal", sensors=fixed.sensors, effectors=fixed.effectors,
                      conventional=fixed.conventional, detected=detected, engagements=engagements,
                      objective=objective, gap=0.0, build_s=sum(r.build_s for r in results),
                      solve_s=time.perf_counter() - t0, sizes=sizes, info=SolveInfo(strategy="sectors"), point=point,
                      escorts=escorts),
                 fixed=fixed)
