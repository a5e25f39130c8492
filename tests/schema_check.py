"""Check an analysis's real ``<kind>.json`` against its schema (planner.report.schemas): the tests that write an
analysis's folder call :func:`assert_matches_schema` on it, so that every analysis's document is checked as it is
really written, on the options each test exercises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.report.schemas import analysis_model, analysis_schema


def assert_matches_schema(folder: Path, kind: str) -> dict[str, Any]:
    """``folder/<kind>.json`` read by the schema's pydantic model and, where jsonschema is installed, validated
    against the JSON Schema; returns the document."""
    doc: dict[str, Any] = json.loads((folder / f"{kind}.json").read_text())
    analysis_model(kind).model_validate(doc)
    try:
        import jsonschema
    except ImportError:  # the model's check above stands
        return doc
    jsonschema.Draft202012Validator(analysis_schema(kind)).validate(doc)
    return doc
