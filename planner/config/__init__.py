"""Configuration: scenario and catalog models, and reading them from YAML."""

from planner.config.catalog import Catalog, Figure
from planner.config.io import Scenario, load_catalog, load_scenario
from planner.config.scenario import ScenarioConfig

__all__ = ["Catalog", "Figure", "Scenario", "ScenarioConfig", "load_catalog", "load_scenario"]
