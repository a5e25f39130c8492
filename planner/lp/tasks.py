"""One nation's MILP at a price on money, or a chain of prices, or its exact-evaluation LP, or its robust
MILP over several worlds: the unit of work a :class:`planner.lp.runner.Runner` hands to a worker process."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pulp

from planner.lp.formulation import build_model, build_robust_model, robust_extract
from planner.lp.solver import (
    build_start,
    extract,
    make_solver,
    mip_dual_bound,
    model_sizes,
    quiet_stdout,
    timed_out,
)
from planner.problem import PlanningProblem

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
        r = solve_sector({**task, "prices": None, "price": mu, "start": start, "mip_abs_gap": gap_abs})
        if "error" in r or r.get("infeasible"):
            return r
        results.append(r)
        start, prev_value = (r["sensors"], r["effectors"]), sub.drone_value(r["engagements"])
    return {"chain": results}


def solve_sector(task: dict[str, Any]) -> dict[str, Any]:
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
        prob, var = build_model(sub, fixed=fixed)
    elif worlds is not None:  # robust planning: one set of builds against several worlds
        allowed = task.get("allowed")
        if allowed is None:
            # The robust MILP is several times the nominal one and far harder: screen it by its LP
            # relaxation (whose optimum stays the proven bound), keeping the MIP start's builds too.
            allowed, screen_bound = _robust_screen(worlds, task)
        prob, var = build_robust_model(worlds, mode=task["mode"], money_price=task["price"], allowed=allowed)
    elif task.get("cheapest"):  # the least money meeting the nation's requirements (systems.min_detection)
        prob, var = build_model(sub, objective="min_cost")
    else:
        prob, var = build_model(sub, money_price=task["price"], allowed=task.get("allowed"))
    t1 = time.perf_counter()
    options = {**sub.solver, "threads": task["threads"], "time_limit_s": task["time_limit_s"],
               "mip_rel_gap": task["mip_rel_gap"], "mip_abs_gap": task.get("mip_abs_gap")}
    start = build_start(var, *task["start"]) if task.get("start") is not None and fixed is None else None
    try:
        with quiet_stdout():
            prob.solve(make_solver(options, mip=fixed is None, start=start))
    except pulp.PulpSolverError as exc:
        return {"error": f"the HiGHS solver failed: {exc}"}
    if prob.status == pulp.LpStatusInfeasible:
        return {"infeasible": True}
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) and fixed is None \
            and worlds is None and timed_out(prob):
        # The time limit (or the run's deadline) came before any plan: the caller keeps the nation's
        # plan with nothing new built, bounded by everything its border faces.
        return {"timeout": True, "build_s": t1 - t0, "solve_s": time.perf_counter() - t1, "sizes": model_sizes(prob)}
    if prob.status != pulp.LpStatusOptimal or prob.sol_status not in (pulp.LpSolutionOptimal,
                                                                      pulp.LpSolutionIntegerFeasible):
        return {"error": f"no usable plan for {sub.nations[int(sub.cell_nation[0]) if len(sub.cell_nation) else 0]}"
                         f": solver status '{pulp.LpStatus[prob.status]}'"}
    if worlds is not None:
        rob = robust_extract(prob, var, worlds)
        out = {**{k: v for k, v in rob.items() if k != "worlds"}, **rob["worlds"][0],
               "worlds": rob["worlds"]}
    else:
        out = extract(prob, var, sub, integral=fixed is None)
    bound = mip_dual_bound(prob) if fixed is None else out["objective"]
    if screen_bound is not None:  # the screened MILP's own bound holds only over the screened builds
        bound = screen_bound
    return {**out, "bound": out["objective"] if bound is None else max(bound, out["objective"]),
            "build_s": t1 - t0, "solve_s": time.perf_counter() - t1, "sizes": model_sizes(prob)}


def _robust_screen(worlds: list[PlanningProblem], task: dict[str, Any]) -> tuple[tuple[np.ndarray, np.ndarray] | None,
                                                                                float | None]:
    """The builds a robust national MILP may use: those the LP relaxation uses and those of the MIP start;
    and the relaxation's optimum, a bound on the unscreened MILP."""
    sub = worlds[0]
    prob, var = build_robust_model(worlds, mode=task["mode"], money_price=task["price"], relax=True)
    with quiet_stdout():
        prob.solve(make_solver({**sub.solver, "threads": task["threads"],
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
