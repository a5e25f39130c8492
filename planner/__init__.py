"""dronewall: plan a counter-drone 'drone wall' and weigh it against conventional forces.

Library use::

    import planner
    scenario = planner.load_scenario("configs/eastern-flank.yaml")
    theater = planner.build_theater(scenario)
    theater.cells, theater.sites, theater.assets   # GeoDataFrames in a metric CRS
    plan = planner.solve(scenario)
    plan.threats, plan.spend, plan.units           # DataFrames
    planner.write_mps(scenario, "model.mps")       # the whole MILP for another solver
    planner.value_of_money(scenario)               # what EUR 1M more is worth (LP relaxation's shadow price)
    planner.exact_duals(plan)                      # what a shot or a euro of munitions adds to the plan as it is
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dronewall")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the public names, imported on first use so that `import planner.cli` stays light
    from planner.config.io import Scenario, load_scenario
    from planner.errors import ConfigError, DronewallError, GeodataError, InfeasibleError, SolverError
    from planner.geo.borders import Geodata, load_geodata
    from planner.geo.theater import Theater, build_theater
    from planner.plan import Plan
    from planner.report.plan import write_plan
    from planner.report.theater import write_theater

_LAZY = {
    "Scenario": "planner.config.io", "load_scenario": "planner.config.io",
    "ConfigError": "planner.errors", "DronewallError": "planner.errors", "GeodataError": "planner.errors",
    "InfeasibleError": "planner.errors", "SolverError": "planner.errors",
    "Geodata": "planner.geo.borders", "load_geodata": "planner.geo.borders",
    "Theater": "planner.geo.theater", "build_theater": "planner.geo.theater",
    "Plan": "planner.plan", "write_plan": "planner.report.plan", "write_theater": "planner.report.theater",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def planning_problem(scenario: Scenario, theater: Theater | None = None) -> Any:
    """The scenario as numbers (a planner.problem.PlanningProblem): what the optimizer solves."""
    from planner.geo.theater import build_theater
    from planner.problem import build_problem

    return build_problem(scenario, theater or build_theater(scenario))


def build_model(scenario: Scenario, *, relax: bool = False) -> Any:
    """The scenario's whole MILP (or LP relaxation) as a pulp problem and its variables by family
    (planner.lp.export.model): to inspect, change or hand to another solver."""
    from planner.lp.export import model

    return model(planning_problem(scenario), relax=relax)


def write_mps(scenario: Scenario, path: Any, *, relax: bool = False) -> Any:
    """Write the scenario's whole MILP (or LP relaxation) as a free-format MPS file; returns the path."""
    from planner.lp.export import write_mps as write

    return write(planning_problem(scenario), path, relax=relax)


def value_of_money(scenario: Scenario) -> dict[str, Any]:
    """What €1M more budget is worth, from the budget row's shadow price in the LP relaxation: in objective units
    (value-weighted drones defeated over the horizon, the objective's conventional value included) and, where the
    scenario values drones by consequence, in euros of harm averted. An upper-bound reading: the relaxation buys
    fractions of units."""
    from planner.lp.export import budget_shadow_price

    p = planning_problem(scenario)
    price = budget_shadow_price(p)
    per_meur = None if price is None else price * 1e6
    unit = p.value_unit_eur if p.value_unit_eur == p.value_unit_eur else None
    return {"objective_units_per_meur": per_meur,
            "eur_averted_per_meur": None if per_meur is None or unit is None else per_meur * unit,
            "value_unit_eur": unit, "budget_eur": p.budget_eur}


def exact_duals(plan: Plan) -> Any:
    """The plan's exact evaluation with its duals (planner.lp.export.evaluation_duals): what €1 more for munitions or
    one more shot in a cell's magazines would add to the plan as it stands, in value-weighted drones defeated over
    the horizon; a DataFrame, one row per non-zero dual."""
    from planner.lp.export import evaluation_duals
    from planner.plan import fixed_plan

    return evaluation_duals(plan.problem, fixed_plan(plan.problem, plan.solved))


def solve(scenario: Scenario, theater: Theater | None = None) -> Plan:
    """Solve a scenario: the plan, its promise and its exact evaluation (see docs/formulation.md)."""
    from planner.plan import solve_scenario

    return solve_scenario(scenario, theater)


__all__ = [
    "ConfigError",
    "DronewallError",
    "Geodata",
    "GeodataError",
    "InfeasibleError",
    "Plan",
    "Scenario",
    "SolverError",
    "Theater",
    "__version__",
    "build_theater",
    "exact_duals",
    "load_geodata",
    "load_scenario",
    "solve",
    "write_plan",
    "write_theater",
]
