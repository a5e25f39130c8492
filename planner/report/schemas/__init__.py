"""JSON Schemas of the analyses' documents (``<kind>.json``), one module per analysis (``dronewall schema --kind
<kind>``); plan.json's is :mod:`planner.report.plan_schema`.

Each module describes its document as a pydantic model named ``Document`` (:mod:`planner.report.schemas.base`),
named in the analysis's registry entry (:attr:`planner.registry.AnalysisEntry.schema`). The model only describes
the document, it does not write it: the analyses write their documents as before, and the tests check each
analysis's real document against its schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from planner.registry import ANALYSES, by_kind

__all__ = ["DIALECT", "analysis_model", "analysis_schema", "analysis_schemas"]

#: The JSON Schema dialect of the generated schemas (pydantic writes draft 2020-12).
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def analysis_model(kind: str) -> type[BaseModel]:
    """The pydantic model of ``<kind>.json`` (KeyError for a kind that is not an analysis)."""
    model: type[BaseModel] = by_kind(kind).load("schema")
    return model


def analysis_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``<kind>.json``."""
    return {"$schema": DIALECT, **analysis_model(kind).model_json_schema()}


def analysis_schemas() -> dict[str, dict[str, Any]]:
    """Every analysis's schema, by kind, in the registry's order."""
    return {a.kind: analysis_schema(a.kind) for a in ANALYSES}
