"""dronewall: plan a counter-drone 'drone wall' and weigh it against conventional forces.

Library use::

    import planner
    scenario = planner.load_scenario("configs/eastern-flank.yaml")
    theater = planner.build_theater(scenario)
    theater.cells, theater.sites, theater.assets   # GeoDataFrames in a metric CRS
    plan = planner.solve(scenario)
    plan.threats, plan.spend, plan.units           # DataFrames
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
    "load_geodata",
    "load_scenario",
    "solve",
    "write_plan",
    "write_theater",
]
