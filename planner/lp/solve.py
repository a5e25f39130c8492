"""Solving a planning problem: the strategy is chosen here (by nation where the problem decomposes, as one
model otherwise). The only module of planner.lp that knows both ways."""

from __future__ import annotations

import contextlib

import numpy as np

from planner.lp import sectors
from planner.lp.formulation import build_model
from planner.lp.result import FixedPlan, Solved
from planner.lp.runner import Runner
from planner.lp.solver import extract, run_model
from planner.lp.strategies import solve_monolithic, solve_robust_monolithic
from planner.problem import PlanningProblem

__all__ = ["evaluates_by_nation", "relaxed_builds", "solve", "solve_robust", "workers"]


def workers(problem: PlanningProblem) -> contextlib.AbstractContextManager[Runner | None]:
    """Worker processes to lend to several :func:`solve` calls on ``problem`` (a plan's search and its exact
    evaluation), or none where the problem is solved as one model."""
    return sectors.runner_for(problem) if sectors.applies(problem) else contextlib.nullcontext(None)


def solve(problem: PlanningProblem, *, fixed: FixedPlan | None = None,
          target_override: dict[int, float] | None = None, objective: str | None = None,
          runner: Runner | None = None) -> Solved:
    """Build and solve; map the values back to arrays. Raises InfeasibleError or SolverError.

    With ``fixed``, the plan's exact evaluation (detection exact, engagements re-optimised). Strategy
    ``sectors`` (default) hands over to :mod:`planner.lp.sectors` where the problem decomposes by nation;
    otherwise (and for ``lp_screen`` and ``full``) :func:`planner.lp.strategies.solve_monolithic`. ``runner``
    (from :func:`workers`) lends worker processes that outlive the call.
    """
    if sectors.applies(problem, objective=objective, target_override=target_override):
        return (sectors.evaluate(problem, fixed, runner=runner) if fixed is not None
                else sectors.solve(problem, runner=runner))
    return solve_monolithic(problem, fixed=fixed, target_override=target_override, objective=objective)


def evaluates_by_nation(problem: PlanningProblem) -> bool:
    """Whether :func:`solve` evaluates a fixed plan nation by nation, each within what the plan spends there (else as
    one model within its whole spend)."""
    return sectors.applies(problem) and problem.is_sectored()


def solve_robust(problems: list[PlanningProblem], *, mode: str = "worst",
                 start: tuple[np.ndarray, np.ndarray] | None = None) -> Solved:
    """Robust plan against several worlds (:func:`planner.lp.formulation.build_robust_model`), by nation where
    the problem decomposes; the nominal world's (``problems[0]``) detections and engagements are returned.
    ``start`` (sensors, effectors) is a MIP start, e.g. the nominal plan."""
    p = problems[0]
    if sectors.applies(p, robust=True):
        return sectors.solve(p, worlds=problems[1:], mode=mode, start=start)
    return solve_robust_monolithic(problems, mode=mode, start=start)


def relaxed_builds(problem: PlanningProblem) -> tuple[np.ndarray, np.ndarray]:
    """The builds of the LP relaxation of the whole problem (fractional; sensors (M, S), effectors (M, E)): where
    an optimal plan would put units, seconds before a MILP says so (a procurement pathway shares production by it)."""
    prob, var = build_model(problem, relax=True)
    run_model(prob, problem, mip=False)
    out = extract(prob, var, problem, integral=False)
    return out["sensors"], out["effectors"]
