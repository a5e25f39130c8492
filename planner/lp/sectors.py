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
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from planner.errors import ConfigError, InfeasibleError, SolverError
from planner.lp import model as lpm
from planner.problem import PlanningProblem
from planner.workers import process_pool

log = logging.getLogger(__name__)

#: Price evaluations at most (each solves every national MILP once).
MAX_EVALUATIONS = 8
#: Up to this many coverage pairs, a flank-wide MILP may follow when pricing leaves a gap (small problems).
FALLBACK_MAX_PAIRS = 100_000
#: Share of the gap target given to the national MILPs (the rest absorbs combining their plans).
SECTOR_GAP_SHARE = 0.75
#: Below this many engagement pairs the sectors are solved in this process (a worker costs ~1 s to start).
PARALLEL_MIN_PAIRS = 20_000


def applies(problem: PlanningProblem, *, objective: str | None = None,
            target_override: dict[int, float] | None = None) -> bool:
    """Whether the ``sectors`` strategy is asked for and can be used on this problem."""
    kind = objective or problem.objective
    targets = problem.defeat_targets if target_override is None else target_override
    return (problem.solver.get("strategy", "sectors") == "sectors"
            and problem.solver.get("backend", "highs") == "highs"
            and kind in ("max_defeat", "max_defeat_with_floor") and not targets
            and len(_sectors(problem)) > 1 and problem.is_sectored())


def _sectors(p: PlanningProblem) -> list[int]:
    used = set(p.cell_nation.tolist()) | set(p.site_nation.tolist())
    return [n for n in range(len(p.nations)) if n in used]


@dataclass
class _SectorPlan:
    price: float
    sensors: np.ndarray
    effectors: np.ndarray
    detected: np.ndarray
    engagements: np.ndarray
    value: float  # value-weighted drones defeated over the horizon
    cost: float  # euros over the horizon, in-service operation and munitions included


#: In a chain of prices, each national MILP may stop this share of the allowed gap times the value of
#: the plan at the previous (dearer) price from its bound: that plan is smaller, so the stop is safe.
CHAIN_ABS_GAP_SHARE = 0.5


def _solve_chain(task: dict[str, Any]) -> dict[str, Any]:
    """One nation at several prices, dearest first, each MILP started from the plan at the previous price."""
    sub: PlanningProblem = task["problem"]
    start, prev_value = task.get("start"), task.get("prev_value")
    results = []
    for mu in task["prices"]:
        gap_abs = CHAIN_ABS_GAP_SHARE * task["mip_rel_gap"] * prev_value if prev_value else None
        r = _solve_sector({**task, "prices": None, "price": mu, "start": start, "mip_abs_gap": gap_abs})
        if "error" in r or r.get("infeasible"):
            return r
        results.append(r)
        start, prev_value = (r["sensors"], r["effectors"]), sub.drone_value(r["engagements"])
    return {"chain": results}


def _solve_sector(task: dict[str, Any]) -> dict[str, Any]:
    """Solve one nation's priced MILP (or, with ``fixed``, its exact-evaluation LP; with ``prices``, a
    chain of them). Runs in a worker."""
    if task.get("prices"):
        return _solve_chain(task)
    sub: PlanningProblem = task["problem"]
    t0 = time.perf_counter()
    fixed = task.get("fixed")
    worlds = [sub, *task["worlds"]] if task.get("worlds") else None
    deadline = sub.solver.get("deadline")
    if fixed is None and worlds is None and deadline is not None and time.time() >= deadline:
        return {"timeout": True, "build_s": 0.0, "solve_s": 0.0, "sizes": {}}  # queued past the run's deadline
    screen_bound = None
    if fixed is not None:
        prob, var = lpm.build_model(sub, fixed=fixed)
    elif worlds is not None:  # robust planning: one set of builds against several worlds
        allowed = task.get("allowed")
        if allowed is None:
            # The robust MILP is several times the nominal one and far harder: screen it by its LP
            # relaxation (whose optimum stays the proven bound), keeping the MIP start's builds too.
            allowed, screen_bound = _robust_screen(worlds, task)
        prob, var = lpm.build_robust_model(worlds, mode=task["mode"], money_price=task["price"], allowed=allowed)
    else:
        prob, var = lpm.build_model(sub, money_price=task["price"], allowed=task.get("allowed"))
    t1 = time.perf_counter()
    options = {**sub.solver, "threads": task["threads"], "time_limit_s": task["time_limit_s"],
               "mip_rel_gap": task["mip_rel_gap"], "mip_abs_gap": task.get("mip_abs_gap")}
    start = lpm.build_start(var, *task["start"]) if task.get("start") is not None and fixed is None else None
    try:
        with lpm._quiet_stdout():
            prob.solve(lpm.make_solver(options, mip=fixed is None, start=start))
    except pulp.PulpSolverError as exc:
        return {"error": f"the HiGHS solver failed: {exc}"}
    if prob.status == pulp.LpStatusInfeasible:
        return {"infeasible": True}
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) and fixed is None \
            and worlds is None and _timed_out(prob):
        # The time limit (or the run's deadline) came before any plan: the caller keeps the nation's
        # plan with nothing new built, bounded by everything its border faces.
        return {"timeout": True, "build_s": t1 - t0, "solve_s": time.perf_counter() - t1, "sizes": lpm._sizes(prob)}
    if prob.status != pulp.LpStatusOptimal or prob.sol_status not in (pulp.LpSolutionOptimal,
                                                                      pulp.LpSolutionIntegerFeasible):
        return {"error": f"no usable plan for {sub.nations[int(sub.cell_nation[0]) if len(sub.cell_nation) else 0]}"
                         f": solver status '{pulp.LpStatus[prob.status]}'"}
    if worlds is not None:
        rob = lpm.robust_extract(prob, var, worlds)
        out = {**{k: v for k, v in rob.items() if k != "worlds"}, **rob["worlds"][0],
               "worlds": rob["worlds"]}
    else:
        out = lpm._extract(prob, var, sub, integral=fixed is None)
    bound = lpm.mip_dual_bound(prob) if fixed is None else out["objective"]
    if screen_bound is not None:  # the screened MILP's own bound holds only over the screened builds
        bound = screen_bound
    return {**out, "bound": out["objective"] if bound is None else max(bound, out["objective"]),
            "build_s": t1 - t0, "solve_s": time.perf_counter() - t1, "sizes": lpm._sizes(prob)}


def _timed_out(prob: pulp.LpProblem) -> bool:
    """Whether HiGHS stopped at its time limit."""
    import highspy

    model = getattr(prob, "solverModel", None)
    return model is not None and model.getModelStatus() == highspy.HighsModelStatus.kTimeLimit


def _robust_screen(worlds: list[PlanningProblem], task: dict[str, Any]) -> tuple[tuple[np.ndarray, np.ndarray] | None,
                                                                                float | None]:
    """The builds a robust national MILP may use: those the LP relaxation uses and those of the MIP start;
    and the relaxation's optimum, a bound on the unscreened MILP."""
    sub = worlds[0]
    prob, var = lpm.build_robust_model(worlds, mode=task["mode"], money_price=task["price"], relax=True)
    with lpm._quiet_stdout():
        prob.solve(lpm.make_solver({**sub.solver, "threads": task["threads"],
                                    "time_limit_s": task["time_limit_s"]}, mip=False))
    sensors = np.zeros(sub.in_service_sensors.shape, dtype=bool)
    effectors = np.zeros(sub.in_service_effectors.shape, dtype=bool)
    if task.get("start") is not None:
        sensors |= task["start"][0] > 0.5
        effectors |= task["start"][1] > 0.5
    if prob.status != pulp.LpStatusOptimal:  # no screen: every build stays open, the MILP's own bound holds
        return None, None
    for (j, k), v in var["sensors"].items():
        sensors[j, k] |= (v.value() or 0.0) > 1e-6
    for (j, k), v in var["effectors"].items():
        effectors[j, k] |= (v.value() or 0.0) > 1e-6
    return (sensors | sub.in_service_sensors, effectors | sub.in_service_effectors), float(pulp.value(prob.objective))


class _Runner:
    """Runs sector tasks in worker processes (largest first), on an existing Dask cluster when given its
    scheduler address, or, for small problems, in this process."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.pool: concurrent.futures.Executor | None = None
        self.client: Any = None
        self._pool_ctx: contextlib.AbstractContextManager[Any] | None = None

    def __enter__(self) -> _Runner:
        if self.scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise ConfigError([("--scheduler", "a Dask cluster needs the 'distributed' package: "
                                                   "pip install 'dronewall[cluster]'")]) from None
            try:
                self.client = Client(self.scheduler, timeout=10)
            except OSError as exc:
                raise ConfigError([("--scheduler", f"no Dask scheduler answers at {self.scheduler} ({exc}): "
                                                   "start one (dask scheduler) or leave the option out")]) from None
            self.pool = self.client.get_executor(pure=False)
        elif self.workers > 1:
            self._pool_ctx = process_pool(self.workers)
            self.pool = self._pool_ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
        elif self._pool_ctx is not None:
            # an exception (Ctrl-C included) kills the workers; a normal end waits for them
            self._pool_ctx.__exit__(*exc)
            self._pool_ctx = None

    def map(self, tasks: list[dict[str, Any]], progress: Callable[[], None] | None = None) -> list[dict[str, Any]]:
        """Solve every task; ``progress`` is called once per finished task."""
        order = sorted(range(len(tasks)), key=lambda k: -len(tasks[k]["problem"].eng_cell))
        results: list[dict[str, Any]] = [{} for _ in tasks]
        if self.pool is None:  # in this process, HiGHS keeps the thread count it started with
            for k in order:
                results[k] = _solve_sector({**tasks[k], "threads": None})
                if progress:
                    progress()
        else:
            try:
                futures = {self.pool.submit(_solve_sector, tasks[k]): k for k in order}
                for fut in concurrent.futures.as_completed(futures):
                    results[futures[fut]] = fut.result()
                    if progress:
                        progress()
            except (concurrent.futures.process.BrokenProcessPool, RuntimeError) as exc:
                # Typically a script without an `if __name__ == "__main__":` guard (worker processes
                # re-import the main module), or a worker killed for memory: carry on in this process.
                log.warning("worker processes failed (%s); solving the sectors one after another in this "
                            "process. Scripts that call planner.solve need an `if __name__ == \"__main__\":` "
                            "guard to use workers (docs/formulation.md, Solving)", type(exc).__name__)
                if self._pool_ctx is not None:
                    self._pool_ctx.__exit__(type(exc), exc, exc.__traceback__)
                    self._pool_ctx = None
                self.pool = None
                return self.map(tasks, progress)
        for r in results:
            if "error" in r:
                raise SolverError(r["error"] + "; raise solver.time_limit_s or check the scenario")
        return results


def runner_for(p: PlanningProblem) -> _Runner:
    """Worker processes for solving ``p`` by nation (one process per thread, none for small problems)."""
    return _Runner(_workers(p, len(_sectors(p))))


def _workers(p: PlanningProblem, n_sectors: int) -> int:
    threads = int(p.solver.get("threads", 1) or 1)
    if threads <= 1 or len(p.eng_cell) + len(p.det_cell) < PARALLEL_MIN_PAIRS:
        return 1
    return min(threads, n_sectors)


def _conventional(p: PlanningProblem, kind: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Conventional euros per unit over the horizon, objective value per unit, and μ_conv."""
    k = p.conv_cost_eur
    w = p.conventional_weight if kind == "max_defeat" else 0.0
    val = w * p.conv_score
    mu = float(np.max(val / k)) if len(k) and w > 0 else 0.0
    return k, val, max(mu, 0.0)


def _conventional_term(p: PlanningProblem, k: np.ndarray, val: np.ndarray, mu: float,
                       floor: float) -> tuple[float, np.ndarray]:
    """max over conventional units of Σ (val − μ k) u with u ≥ minimum holdings and the floor met."""
    if not len(k):
        return 0.0, np.zeros(0)
    prob = pulp.LpProblem("conventional_term", pulp.LpMaximize)
    u = [prob.add_variable(f"u{c}", int(p.conv_min_units[c]), None, "Integer") for c in range(len(k))]
    prob.setObjective(pulp.LpAffineExpression([(u[c], float(val[c] - mu * k[c]) - lpm.COST_TIE_BREAK * k[c])
                                               for c in range(len(k))]))
    if floor > 0:
        prob.addConstraint(pulp.LpAffineExpression([(u[c], float(p.conv_score[c])) for c in range(len(k))]) >= floor,
                           "floor")
    with lpm._quiet_stdout():
        prob.solve(lpm.make_solver({**p.solver, "time_limit_s": 30, "mip_rel_gap": 0.0}))
    if prob.status != pulp.LpStatusOptimal:
        raise InfeasibleError("the conventional floor cannot be met")
    units = np.array([round(x.value() or 0.0) for x in u], dtype=float)
    return float(((val - mu * k) * units).sum()), units


def _pick(p: PlanningProblem, plans: list[list[_SectorPlan]], k: np.ndarray, val: np.ndarray,
          floor: float) -> tuple[list[int], np.ndarray, float]:
    """One plan per sector and the conventional units: the best combination within the budget."""
    prob = pulp.LpProblem("sector_choice", pulp.LpMaximize)
    z = [[prob.add_variable(f"z{n}_{q}", 0, 1, "Integer") for q in range(len(ps))] for n, ps in enumerate(plans)]
    u = [prob.add_variable(f"u{c}", int(p.conv_min_units[c]), None, "Integer") for c in range(len(k))]
    terms = [(z[n][q], pl.value - lpm.COST_TIE_BREAK * pl.cost) for n, ps in enumerate(plans) for q, pl in enumerate(ps)]
    terms += [(u[c], float(val[c]) - lpm.COST_TIE_BREAK * float(k[c])) for c in range(len(k))]
    prob.setObjective(pulp.LpAffineExpression(terms))
    for n, zs in enumerate(z):
        prob.addConstraint(pulp.LpAffineExpression([(v, 1.0) for v in zs]) == 1, f"one_plan_{n}")
    scale = lpm.money_scale(p)  # the budget row in scaled money, as in the model (solver numerics)
    spend = [(z[n][q], pl.cost / scale) for n, ps in enumerate(plans) for q, pl in enumerate(ps)]
    spend += [(u[c], float(k[c]) / scale) for c in range(len(k))]
    prob.addConstraint(pulp.LpAffineExpression(spend) <= p.budget_eur / scale, "budget")
    if floor > 0 and not len(k):
        raise InfeasibleError(f"conventional_floor {floor:g} needs conventional options, and the scenario allows none")
    if floor > 0:
        prob.addConstraint(pulp.LpAffineExpression([(u[c], float(p.conv_score[c])) for c in range(len(k))]) >= floor,
                           "floor")
    with lpm._quiet_stdout():
        prob.solve(lpm.make_solver({**p.solver, "time_limit_s": 30, "mip_rel_gap": 1e-6}))
    if prob.status != pulp.LpStatusOptimal:
        raise InfeasibleError("no combination of national plans and conventional units fits the budget")
    choice = [int(np.argmax([zv.value() or 0.0 for zv in zs])) for zs in z]
    units = np.array([round(x.value() or 0.0) for x in u], dtype=float)
    return choice, units, float(pulp.value(prob.objective) or 0.0)


def solve(p: PlanningProblem, *, worlds: list[PlanningProblem] | None = None, mode: str = "worst",
          start: tuple[np.ndarray, np.ndarray] | None = None, runner: _Runner | None = None) -> lpm.Solved:
    """Solve a sectored problem by pricing money (see the module docstring).

    With ``worlds`` (catalog draws of the same scenario) the plan is robust: each nation's builds are
    planned against its nominal world and every draw (:func:`planner.lp.model.build_robust_model`);
    a national plan is worth its worst (or mean) world's value and costs its dearest world's spend,
    so the combined plan fits the budget in every world. Per-nation worst cases add up to no more
    than the flank's worst case: the value reported is on the safe side. ``start`` (sensors (M, S),
    effectors (M, E)) gives every national MILP a MIP start, e.g. the nominal plan. ``runner`` lends
    worker processes that outlive the call (e.g. for the exact evaluation that follows).
    """
    t0 = time.perf_counter()
    kind = p.objective
    limit = float(lpm.time_limit(p.solver) or 120)  # cut to the run's deadline where there is one
    target = float(p.solver.get("mip_rel_gap", 0.01))
    nations = _sectors(p)
    subs = [p.sector(n) for n in nations]
    worlds = list(worlds or [])
    world_subs = [[q.sector(n)[0] for q in worlds] for n in nations]
    k, val, mu_conv = _conventional(p, kind)
    if worlds:  # conventional units priced at their dearest world too
        k = np.max([k] + [q.conv_cost_eur for q in worlds], axis=0)
        mu_conv = float(np.max(val / k)) if len(k) and val.any() else 0.0
    floor = p.conventional_floor if kind == "max_defeat_with_floor" else 0.0
    if floor > 0 and not len(k):
        raise InfeasibleError(f"conventional_floor {floor:g} needs conventional options, and the scenario allows none")
    workers = _workers(p, len(nations))
    demand = np.array([sub.demand.sum() for sub, _, _ in subs])
    shares = demand / demand.sum() if demand.sum() > 0 else np.full(len(subs), 1 / len(subs))
    plans: list[list[_SectorPlan]] = [[] for _ in nations]
    best_bound = math.inf
    lo, hi = mu_conv, math.inf  # prices known to overspend (lo) and to fit (hi)
    mu = mu_conv if mu_conv > 0 else _initial_price(p)
    evaluations: list[dict[str, Any]] = []
    build_s = solve_s = 0.0
    sizes: dict[str, int] = {}
    choice, units, primal, gap = None, np.zeros(len(k)), -math.inf, math.inf
    with contextlib.nullcontext(runner) if runner is not None else _Runner(workers) as runner:
        for it in range(MAX_EVALUATIONS):
            remaining = limit - (time.perf_counter() - t0)
            if it and remaining < 5:
                break
            conv_term, conv_units = _conventional_term(p, k, val, mu, floor)
            # Each nation's share of the allowed gap, in absolute terms (L(μ) ≥ μB + conv_term), in
            # proportion to the drones it faces; a quarter is kept for combining the national plans.
            allowed = SECTOR_GAP_SHARE * target * max(mu * p.budget_eur + conv_term, 0.0)
            tasks = [{"problem": sub, "price": mu, "threads": 1, "time_limit_s": max(remaining, 1.0),
                      "mip_rel_gap": target, "mip_abs_gap": allowed * share or None,
                      "worlds": ws, "mode": mode,
                      "start": None if start is None else (start[0][si], start[1][si])}
                     for (sub, _, si), share, ws in zip(subs, shares, world_subs, strict=True)]
            if it == 0:  # the cheapest plan each nation has: units in service only
                for n, plan in enumerate(_null_plans(runner, tasks)):
                    plans[n].append(plan)
            results = runner.map(tasks)
            for n, r in enumerate(results):
                if r.get("infeasible"):
                    raise InfeasibleError(f"the units in service in {p.nations[nations[n]]} cost more to operate "
                                          f"than its budget allows (€{subs[n][0].budget_eur / 1e9:.2f}bn)")
                if r.get("timeout"):  # no plan in time: nothing new built, bounded by all the value there is
                    plan = plans[n][0]
                    sub = subs[n][0]
                    r.update(objective=plan.value - mu * plan.cost,
                             bound=max(float((sub.demand * sub.value).sum() * sub.raids), plan.value - mu * plan.cost))
                    log.warning("%s: no plan within the time limit; nothing new is built there",
                                p.nations[nations[n]])
                else:
                    plan = _plan(subs[n][0], r, mu, world_subs[n], mode)
                    plans[n].append(plan)
                # The model's objective leaves out constants (operation of units in service that cover
                # nothing); the bound on V − μC is the solver's bound plus the same offset.
                r["bound"] += (plan.value - mu * plan.cost) - r["objective"]
                r["objective"] = plan.value - mu * plan.cost
                build_s += r["build_s"]
                solve_s += r["solve_s"]
            sizes = {key: sum(r["sizes"].get(key, 0) for r in results) for key in max((r["sizes"] for r in results),
                                                                                   key=len)}
            bound = mu * p.budget_eur + conv_term + sum(r["bound"] for r in results)
            best_bound = min(best_bound, bound)
            choice, units, primal = _pick(p, plans, k, val, floor)
            gap = max(best_bound - primal, 0.0) / max(abs(best_bound), abs(primal), 1e-9)
            spend = sum(pl[-1].cost for pl in plans) + float((conv_units * k).sum())
            evaluations.append({"price_per_meur": mu * 1e6, "bound": bound, "plan_value": primal, "gap": gap,
                                "spend_at_price_eur": spend, "seconds": time.perf_counter() - t0,
                                "sectors": {p.nations[nations[n]]: {
                                    "build_s": round(r["build_s"], 2), "solve_s": round(r["solve_s"], 2),
                                    "gap": (r["bound"] - r["objective"]) / max(abs(r["bound"]), 1e-9)}
                                    for n, r in enumerate(results)}})
            log.info("sectors: price %.4g per M€, bound %.1f, plan %.1f, gap %.2f%%", mu * 1e6, bound, primal,
                     100 * gap)
            if gap <= target:
                break
            if spend > p.budget_eur:
                lo = mu
            else:
                hi = mu
                if mu <= mu_conv:
                    break  # the bound cannot fall further: L is smallest at the lowest allowed price
            mu = (max(mu, 1e-12) * 4 if hi == math.inf else
                  (hi / 4 if lo <= 0 else math.sqrt(lo * hi)))
            if hi < math.inf and lo > 0 and hi / lo < 1.001:
                break
    assert choice is not None
    n_sites, n_cells = len(p.site_ids), len(p.cell_ids)
    sensors = np.zeros((n_sites, len(p.sensor_ids)))
    effectors = np.zeros((n_sites, len(p.effector_ids)))
    detected = np.zeros(p.demand.shape)
    engagements = np.zeros((n_cells, len(p.threat_ids), len(p.effector_ids)))
    for n, (_, ci, si) in enumerate(subs):
        pl = plans[n][choice[n]]
        sensors[si], effectors[si] = pl.sensors, pl.effectors
        detected[ci], engagements[ci] = pl.detected, pl.engagements
    info = {"strategy": "sectors", "sectors": [p.nations[n] for n in nations], "workers": workers,
            "price_evaluations": evaluations, "bound": best_bound}
    remaining = limit - (time.perf_counter() - t0)
    whole: lpm.Solved | None = None
    if worlds:
        info["robust"] = {"mode": mode, "worlds": 1 + len(worlds)}
    if (gap > target + 1e-9 and remaining >= 5.0 and not worlds
            and len(p.det_cell) + len(p.eng_cell) <= FALLBACK_MAX_PAIRS):
        # Pricing left a gap (a duality gap: typical of small problems, where one unit is a large share
        # of the money). A small problem's flank-wide MILP gets the time left; the better plan is kept.
        try:
            whole = lpm.solve(dataclasses.replace(p, solver={**p.solver, "strategy": "full",
                                                                "time_limit_s": remaining}))
        except SolverError:  # no plan in the time left: keep the sectors' plan
            whole = None
    if whole is not None:
        if whole.gap is not None and whole.gap < 1 and whole.objective > 0:
            best_bound = min(best_bound, whole.objective / (1 - whole.gap))
        info |= {"bound": best_bound, "flank_wide_milp": {"objective": whole.objective, "gap": whole.gap}}
        if whole.objective > primal:
            sensors, effectors, units = whole.sensors, whole.effectors, whole.conventional
            detected, engagements, primal = whole.detected, whole.engagements, whole.objective
            info["plan_from"] = "flank_wide_milp"
        gap = max(best_bound - primal, 0.0) / max(abs(best_bound), abs(primal), 1e-9)
        build_s += whole.build_s
        solve_s += whole.solve_s
    status = "optimal" if gap <= target + 1e-9 else "gap_above_target"
    if gap > 0.1:
        log.warning("the plan is %.0f%% from the best bound when the time limit stopped the solver: "
                    "raise solver.time_limit_s or use coarser cells before relying on it", 100 * gap)
    info["wall_s"] = time.perf_counter() - t0
    return lpm.Solved(status=status, sensors=sensors, effectors=effectors, conventional=units, detected=detected,
                      engagements=engagements, objective=primal, gap=gap, build_s=build_s, solve_s=solve_s,
                      sizes=sizes, info=info)


def _null_plans(runner: _Runner, tasks: list[dict[str, Any]]) -> list[_SectorPlan]:
    """Each nation's plan with nothing new built: zero, or what its units in service achieve."""
    out: list[_SectorPlan | None] = [None] * len(tasks)
    todo = []
    for n, t in enumerate(tasks):
        sub: PlanningProblem = t["problem"]
        if sub.in_service_sensors.any() or sub.in_service_effectors.any():
            todo.append(n)
        else:
            shape = sub.demand.shape
            out[n] = _SectorPlan(price=t["price"], sensors=np.zeros(sub.in_service_sensors.shape),
                                 effectors=np.zeros(sub.in_service_effectors.shape), detected=np.zeros(shape),
                                 engagements=np.zeros((*shape, len(sub.effector_ids))), value=0.0, cost=0.0)
    fixed_tasks = [{**tasks[n], "start": None, "allowed": (tasks[n]["problem"].in_service_sensors,
                                            tasks[n]["problem"].in_service_effectors)} for n in todo]
    for n, r in zip(todo, runner.map(fixed_tasks) if todo else [], strict=True):
        if r.get("infeasible"):
            sub = tasks[n]["problem"]
            raise InfeasibleError(f"the units in service in {sub.nations[int(sub.site_nation[0])]} cost more to "
                                  f"operate than its budget allows (€{sub.budget_eur / 1e9:.2f}bn)")
        out[n] = _plan(tasks[n]["problem"], r, tasks[n]["price"], tasks[n].get("worlds"), tasks[n].get("mode"))
    return [pl for pl in out if pl is not None]


def _plan(sub: PlanningProblem, r: dict[str, Any], mu: float, worlds: list[PlanningProblem] | None = None,
          mode: str | None = None) -> _SectorPlan:
    if not worlds:
        cost = sub.costs(r["sensors"], r["effectors"], r["engagements"], np.zeros(0))["total"]
        value = sub.drone_value(r["engagements"])
    else:  # robust: the worst (or mean) world's value, the dearest world's spend
        each = [(q.drone_value(w["engagements"]), q.costs(r["sensors"], r["effectors"], w["engagements"],
                                                          np.zeros(0))["total"])
                for q, w in zip([sub, *worlds], r["worlds"], strict=True)]
        values = [v for v, _ in each]
        value = min(values) if mode == "worst" else float(np.mean(values))
        cost = max(c for _, c in each)
    return _SectorPlan(price=mu, sensors=r["sensors"], effectors=r["effectors"], detected=r["detected"],
                       engagements=r["engagements"], value=value, cost=cost)


def _initial_price(p: PlanningProblem) -> float:
    """A first price when no conventional option sets one: the budget row's dual in the LP relaxation."""
    prob, _ = lpm.build_model(p, relax=True)
    lpm._run(prob, p, mip=False)
    pi = prob.get_constraint_by_name("budget").pi  # per unit of the row's scaled money
    return abs(float(pi)) / lpm.money_scale(p) if pi is not None and math.isfinite(pi) and abs(pi) > 0 else 1e-9


def evaluate(p: PlanningProblem, fixed: lpm.FixedPlan, runner: _Runner | None = None) -> lpm.Solved:
    """Exact evaluation nation by nation: each nation's builds fixed, detection exact, engagements
    re-optimised within what that nation's part of the plan spends."""
    t0 = time.perf_counter()
    nations = _sectors(p)
    subs = [p.sector(n) for n in nations]
    tasks = []
    for n, (sub, ci, si) in zip(nations, subs, strict=True):
        planned = lpm.FixedPlan(sensors=fixed.sensors[si], effectors=fixed.effectors[si], conventional=np.zeros(0),
                                cost_eur=_sector_spend(sub, n, fixed, ci, si))
        tasks.append({"problem": sub, "fixed": planned, "threads": 1,
                      "time_limit_s": float(p.solver.get("time_limit_s", 120)), "mip_rel_gap": 0.0})
    if runner is not None:  # a sweep keeps one set of workers for all its evaluations
        results = runner.map(tasks)
    else:
        with _Runner(_workers(p, len(nations))) as own:
            results = own.map(tasks)
    detected = np.zeros(p.demand.shape)
    engagements = np.zeros((len(p.cell_ids), len(p.threat_ids), len(p.effector_ids)))
    for (_, ci, _), r in zip(subs, results, strict=True):
        detected[ci], engagements[ci] = r["detected"], r["engagements"]
    _, val, _ = _conventional(p, p.objective)
    objective = p.drone_value(engagements) + float((val * fixed.conventional).sum())
    sizes = {key: sum(r["sizes"][key] for r in results) for key in results[0]["sizes"]}
    return lpm.Solved(status="optimal", sensors=fixed.sensors, effectors=fixed.effectors,
                      conventional=fixed.conventional, detected=detected, engagements=engagements,
                      objective=objective, gap=0.0, build_s=sum(r["build_s"] for r in results),
                      solve_s=time.perf_counter() - t0, sizes=sizes, info={"strategy": "sectors"})


def _sector_spend(sub: PlanningProblem, nation: int, fixed: lpm.FixedPlan, ci: np.ndarray, si: np.ndarray) -> float:
    """What the plan spends in one nation: its builds and the munitions it planned over the nation's cells."""
    if fixed.nation_spend_eur is not None:
        return float(fixed.nation_spend_eur.get(nation, 0.0))
    if fixed.engagements is None:
        raise ValueError("a sector-wise exact evaluation needs the plan's engagements or each nation's spend")
    return sub.costs(fixed.sensors[si], fixed.effectors[si], fixed.engagements[ci], np.zeros(0))["total"]
