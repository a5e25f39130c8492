"""The model for use outside dronewall: the flank-wide MILP (or its LP relaxation) as a pulp problem or an MPS file
any solver reads, and the budget row's shadow price in the LP relaxation (what one more euro is worth there)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pulp

from planner.lp.formulation import build_model, money_scale
from planner.lp.solver import run_model
from planner.problem import PlanningProblem

__all__ = ["budget_shadow_price", "model", "write_mps"]


def model(problem: PlanningProblem, *, relax: bool = False) -> tuple[pulp.LpProblem, dict[str, Any]]:
    """The whole problem as one pulp model (every nation together, as strategy ``full`` solves it), and its variables
    by family (``sensors``, ``effectors``, ``conventional``, ``detected``, ``engage``, …); ``relax``: builds
    continuous. Budget rows count money in units of :func:`planner.lp.formulation.money_scale` euros."""
    return build_model(problem, relax=relax)


def write_mps(problem: PlanningProblem, path: str | Path, *, relax: bool = False) -> Path:
    """Write :func:`model` as a free-format MPS file (HiGHS, CBC, Gurobi, CPLEX read it); returns the path."""
    prob, _ = model(problem, relax=relax)
    prob.writeMPS(str(path), with_objsense=True)  # OBJSENSE MAX: the file says it maximises
    return Path(path)


def budget_shadow_price(problem: PlanningProblem) -> float | None:
    """The budget row's dual in the LP relaxation, in objective units per euro: what one more euro of budget adds to
    the relaxed optimum (value-weighted drones defeated over the horizon, plus conventional value). None where the
    budget does not bind or the solver gives no dual."""
    prob, _ = model(problem, relax=True)
    run_model(prob, problem, mip=False)
    pi = prob.get_constraint_by_name("budget").pi  # per unit of the row's scaled money
    if pi is None or not math.isfinite(pi) or abs(pi) <= 0:
        return None
    return abs(float(pi)) / money_scale(problem)
