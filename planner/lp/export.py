"""The model for use outside dronewall: the flank-wide MILP (or its LP relaxation) as a pulp problem or an MPS file
any solver reads, the budget row's shadow price in the LP relaxation (what one more euro is worth there), and the
exact evaluation's duals (what one more shot, euro of munitions or unit would add to a plan as it stands)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pulp

from planner.lp.formulation import build_model, money_scale
from planner.lp.result import FixedPlan
from planner.lp.solver import run_model
from planner.problem import PlanningProblem

__all__ = ["budget_shadow_price", "evaluation_duals", "model", "relaxed_value_per_eur", "write_mps"]


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


def relaxed_value_per_eur(problem: PlanningProblem) -> float | None:
    """What the LP relaxation defeats per euro it spends (objective units per euro, its average, not its margin): a
    price scale where the budget does not bind and its dual is 0. None where it spends nothing."""
    prob, _ = model(problem, relax=True)
    run_model(prob, problem, mip=False)
    budget = prob.get_constraint_by_name("budget")
    objective = pulp.value(prob.objective)
    if budget is None or objective is None:
        return None
    spent = (float(budget.value()) - float(budget.constant)) * money_scale(problem)  # the row's money, in euros
    return float(objective) / spent if spent > 0 and objective > 0 else None


def evaluation_duals(problem: PlanningProblem, fixed: FixedPlan) -> pd.DataFrame:
    """The exact evaluation of ``fixed`` (an LP: builds held, detection exact, engagements re-optimised) with its
    duals, in objective units (value-weighted drones defeated over the horizon) per unit of each row or bound:

    * ``money``: per euro more for munitions within the plan's cost (the evaluation's budget row);
    * ``magazine``: per shot more at surge for a type in a cell (the row of its magazines over the cell).

    One row per non-zero dual: ``family``, ``cell_id``, ``system``, ``dual`` (largest first in each family). LP
    marginals: a reading for a small change (a magazine's dual holds until another row binds)."""
    prob, _ = build_model(problem, fixed=fixed)
    run_model(prob, problem, mip=False)
    rows: list[dict[str, Any]] = []
    budget = prob.get_constraint_by_name("budget")
    if budget is not None and budget.pi:
        rows.append({"family": "money", "cell_id": "", "system": "",
                     "dual": abs(float(budget.pi)) / money_scale(problem)})
    cells = {c.replace("-", "_"): c for c in problem.cell_ids.tolist()}
    for row in prob.constraints():
        name = str(row.name)
        if name.startswith("magazine_") and row.pi:
            cell, _, system = name.removeprefix("magazine_").rstrip("_").partition(",")
            rows.append({"family": "magazine", "cell_id": cells.get(cell, cell), "system": system,
                         "dual": abs(float(row.pi))})
    table = pd.DataFrame(rows, columns=["family", "cell_id", "system", "dual"])
    return table.sort_values(["family", "dual"], ascending=[True, False], ignore_index=True)
