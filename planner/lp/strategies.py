"""Solving the whole problem as one model: strategies ``full`` and ``lp_screen``, the exact evaluation of a
fixed plan, and a robust plan where the problem does not decompose by nation (planner.lp.sectors does
where it does; planner.lp.solve chooses)."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pulp

from planner.errors import InfeasibleError, SolverError
from planner.lp.families import check
from planner.lp.formulation import build_model
from planner.lp.result import FixedPlan, Solved, SolveInfo
from planner.lp.solver import extract, mip_gap, model_sizes, run_model
from planner.lp.tasks import SectorTask, solve_sector
from planner.problem import PlanningProblem

log = logging.getLogger(__name__)


def solve_monolithic(problem: PlanningProblem, *, fixed: FixedPlan | None = None,
                     target_override: dict[int, float] | None = None, objective: str | None = None) -> Solved:
    """Build and solve; map the values back to arrays. Raises InfeasibleError or SolverError.

    Strategy ``lp_screen``: solve the LP relaxation first (its optimum bounds every plan),
    then the MILP over the builds the relaxation uses; the gap is reported against the relaxation's
    bound, so it is a proven gap for the full problem. If the screened MILP is infeasible, or the
    strategy is ``full``, the MILP over all builds is solved directly. (``sectors``, where it does not
    apply, is solved as ``lp_screen``.)
    """
    t0 = time.perf_counter()
    kw: dict[str, Any] = {"target_override": target_override, "objective": objective}
    if fixed is not None:
        prob, var = build_model(problem, fixed=fixed, **kw)
        t1 = time.perf_counter()
        solve_s = run_model(prob, problem, mip=False)
        out = extract(prob, var, problem, integral=False)
        # the builds are the fixed plan's, also those the model has no variable for (a unit that covers nothing)
        out["sensors"], out["effectors"] = fixed.sensors.astype(float), fixed.effectors.astype(float)
        return check(problem, Solved(status="optimal", gap=0.0, build_s=t1 - t0, solve_s=solve_s,
                                     sizes=model_sizes(prob), **out), fixed=fixed)

    limit = problem.solver.time_left()  # cut to the run's deadline where there is one
    bound: float | None = None
    allowed = None
    build_s = solve_s = 0.0
    strategy = "full" if problem.solver.strategy == "full" else "lp_screen"
    if strategy == "lp_screen":  # also where "sectors" does not apply
        relaxed, rvar = build_model(problem, relax=True, **kw)
        build_s += time.perf_counter() - t0
        solve_s += run_model(relaxed, problem, mip=False, time_limit=limit)
        r = extract(relaxed, rvar, problem, integral=False)
        bound = r["objective"]
        allowed = (r["sensors"] > 1e-6, r["effectors"] > 1e-6)
    t1 = time.perf_counter()
    prob, var = build_model(problem, allowed=allowed, **kw)
    build_s += time.perf_counter() - t1
    try:
        solve_s += run_model(prob, problem, mip=True, time_limit=limit - solve_s)
    except InfeasibleError:
        if allowed is None:
            raise
        t2 = time.perf_counter()
        prob, var = build_model(problem, **kw)
        build_s += time.perf_counter() - t2
        solve_s += run_model(prob, problem, mip=True, time_limit=limit - solve_s)
    out = extract(prob, var, problem, integral=True)
    target = problem.solver.mip_rel_gap
    gap = mip_gap(prob)
    if bound is not None:
        inc = out["objective"]
        proven = abs(bound - inc) / max(abs(bound), abs(inc), 1e-9)
        gap = proven if gap is None else max(gap, proven)
        remaining = limit - solve_s
        if gap > target + 1e-9 and remaining >= 5.0:
            # The relaxation's bound may be weak (small instances): the full MILP proves its own gap.
            t3 = time.perf_counter()
            full, fvar = build_model(problem, **kw)
            build_s += time.perf_counter() - t3
            solve_s += run_model(full, problem, mip=True, time_limit=remaining)
            fgap = mip_gap(full)
            fout = extract(full, fvar, problem, integral=True)
            better = fout["objective"] > out["objective"] if full.sense == pulp.LpMaximize \
                else fout["objective"] < out["objective"]
            if fgap is not None and (fgap < gap or better):
                prob, out, gap = full, fout, min(gap, fgap) if not better else fgap
    status = "optimal" if gap is not None and gap <= target + 1e-9 else "gap_above_target"
    if gap is not None and gap > 0.1:
        log.warning("the plan is %.0f%% from the best bound when the time limit stopped the solver: "
                    "raise solver.time_limit_s or use coarser cells before relying on it", 100 * gap)
    return check(problem, Solved(status=status, gap=gap, build_s=build_s, solve_s=solve_s, sizes=model_sizes(prob),
                  info=SolveInfo(strategy=strategy), **out), targets=target_override, objective=objective)


def solve_robust_monolithic(problems: list[PlanningProblem], *, mode: str = "worst",
                            start: tuple[np.ndarray, np.ndarray] | None = None) -> Solved:
    """Robust plan against several worlds (:func:`build_robust_model`), by nation where the problem
    decomposes; the nominal world's (``problems[0]``) detections and engagements are returned. ``start``
    (sensors, effectors) is a MIP start, e.g. the nominal plan."""
    p = problems[0]
    # One "sector" holding the whole problem, budget capped rather than priced: the same screened solve.
    target = p.solver.mip_rel_gap
    r = solve_sector(SectorTask(problem=p, worlds=tuple(problems[1:]), mode=mode, start=start, threads=p.solver.threads))
    if r.outcome == "infeasible":
        raise InfeasibleError("the robust plan's constraints cannot all be met: the units in service cost more "
                              "than the budget in some draw")
    if not r.solved:
        raise SolverError(f"no usable robust plan ({r.message or 'no plan within the time limit'}); raise "
                          "solver.time_limit_s or plan against fewer draws")
    gap = max(r.bound - r.objective, 0.0) / max(abs(r.bound), abs(r.objective), 1e-9)
    status = "optimal" if gap <= target + 1e-9 else "gap_above_target"
    return check(p, Solved(status=status, sensors=r.sensors, effectors=r.effectors, conventional=r.conventional,
                  detected=r.detected, engagements=r.engagements, objective=r.objective, gap=gap,
                  build_s=r.build_s, solve_s=r.solve_s, sizes=r.sizes, point=r.point, escorts=r.escorts,
                  info=SolveInfo(strategy="full", robust={"mode": mode, "worlds": len(problems)}, bound=r.bound)))

