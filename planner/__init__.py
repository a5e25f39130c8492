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

from planner.config.io import Scenario, load_scenario  # noqa: E402
from planner.errors import ConfigError, DronewallError, GeodataError, InfeasibleError, SolverError  # noqa: E402
from planner.geo.borders import Geodata, load_geodata  # noqa: E402
from planner.geo.theater import Theater, build_theater  # noqa: E402
from planner.plan import Plan, solve_scenario  # noqa: E402
from planner.report.plan import write_plan  # noqa: E402
from planner.report.theater import write_theater  # noqa: E402


def solve(scenario: Scenario, theater: Theater | None = None) -> Plan:
    """Solve a scenario: the plan, its promise and its exact evaluation (see docs/formulation.md)."""
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
