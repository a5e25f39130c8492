"""dronewall: plan a counter-drone 'drone wall' and weigh it against conventional forces.

Library use::

    import planner
    scenario = planner.load_scenario("configs/eastern-flank.yaml")
    theater = planner.build_theater(scenario)
    theater.cells, theater.sites, theater.assets   # GeoDataFrames in a metric CRS
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
from planner.report.theater import write_theater  # noqa: E402

__all__ = [
    "ConfigError",
    "DronewallError",
    "Geodata",
    "GeodataError",
    "InfeasibleError",
    "Scenario",
    "SolverError",
    "Theater",
    "__version__",
    "build_theater",
    "load_geodata",
    "load_scenario",
    "write_theater",
]
