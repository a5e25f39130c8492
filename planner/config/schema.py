"""JSON Schemas of scenario and catalog files (for `dronewall schema` and editors)."""

from __future__ import annotations

from typing import Any

from planner.config.catalog import CATALOG_MODELS
from planner.config.funding import NationCatalog
from planner.config.overlay import EXTENDS
from planner.config.scenario import ScenarioConfig


def scenario_schema() -> dict[str, Any]:
    sch = ScenarioConfig.model_json_schema()
    sch["title"] = "dronewall scenario"
    sch["properties"] = {EXTENDS: {"type": "string", "title": "Extends", "description": "The scenario this one "
                                   "extends (a path relative to this file, or a shipped scenario's name): its sections "
                                   "merged field by field under this file's (planner.config.overlay)."},
                         **sch["properties"]}
    return sch


def all_schemas() -> dict[str, dict[str, Any]]:
    """Schemas by kind: 'scenario', one per catalog ('sources', 'threats', ...) and the nations file of funding."""
    out = {"scenario": scenario_schema()}
    for kind, model in CATALOG_MODELS.items():
        sch = model.model_json_schema()
        sch["title"] = f"dronewall {kind} catalog"
        out[kind] = sch
    nations = NationCatalog.model_json_schema()  # funding.nations_file
    nations["title"] = "dronewall nations file (fair-share keys)"
    out["nations"] = nations
    return out
