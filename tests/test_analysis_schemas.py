"""The JSON Schemas of the analyses' documents (planner.report.schemas, `dronewall schema --kind <kind>`): one per
registered analysis, closed and described, naming the registry's row keys; the real documents are checked where the
tests write them (tests/schema_check.py); here, a wrong document fails and the shipped files are current."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from planner.registry import ANALYSES, AnalysisEntry
from planner.report.schemas import DIALECT, analysis_model, analysis_schema, analysis_schemas
from tests.conftest import CONFIGS
from tests.schema_check import assert_matches_schema
from tests.test_config_valid import run_cli


def _objects(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield schema["title"], schema
    yield from schema.get("$defs", {}).items()


@pytest.mark.parametrize("entry", ANALYSES, ids=lambda a: a.kind)
def test_each_analysis_has_a_closed_described_schema(entry: AnalysisEntry) -> None:
    schema = analysis_schema(entry.kind)
    assert schema["$schema"] == DIALECT and schema["title"] == f"dronewall {entry.kind}"
    for name, obj in _objects(schema):
        if obj.get("type") != "object":
            continue  # an enum's definition
        assert obj["additionalProperties"] is False, f"{name} accepts unknown keys"
        props = {**obj.get("properties", {}), **obj.get("patternProperties", {})}
        undescribed = [key for key, prop in props.items() if not prop.get("description")]
        assert not undescribed, f"{name}: no description for {undescribed}"
    # the registry's keys of the document are the schema's
    fields = analysis_model(entry.kind).model_fields
    assert entry.rows in fields and set(entry.extra) <= set(fields) and set(entry.numbers) <= set(fields)
    assert {"scenario", "config_hash"} <= set(schema["required"])
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)


def _broken(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Copies of a valid decision.json, each wrong in one way the schema must catch."""
    changes: list[tuple[str, Any]] = [
        ("an unknown top-level key", lambda d: d.update(surprise=1)),
        ("a number given as a string", lambda d: d.update(budget_eur="300 M€")),
        ("a required key missing", lambda d: d.pop("weights")),
        ("an unknown column in a row", lambda d: d["weights"][0].update(colour="green")),
        ("a catalog-named column of the wrong type", lambda d: d["weights"][0].update(units_leopard_2a8="many")),
        ("null where a number must be", lambda d: d["weights"][0].update(drone_defence_eur=None)),
    ]
    for what, change in changes:
        bad = copy.deepcopy(doc)
        change(bad)
        yield what, bad


def test_a_wrong_document_fails(tmp_path: Path) -> None:
    """decision.json of the tiny plan passes; each broken copy fails the model and the JSON Schema."""
    from planner.analysis.decision import decision
    from planner.analysis.stress import load_plan
    from planner.config.io import load_scenario
    from planner.plan import solve_scenario
    from planner.report.decision import write_decision
    from planner.report.plan import write_plan

    write_plan(solve_scenario(load_scenario(CONFIGS / "tiny.yaml")), tmp_path / "run")
    out = write_decision(decision(load_plan(tmp_path / "run"), factors=[2.0]), tmp_path / "decision")
    doc = assert_matches_schema(out, "decision")
    assert any(k.startswith("units_") for k in doc["weights"][0])  # the pattern is exercised
    model = analysis_model("decision")
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(analysis_schema("decision"))
    for what, bad in _broken(doc):
        assert not validator.is_valid(bad), f"the schema accepts {what}"
        with pytest.raises(ValidationError):
            model.model_validate(bad)


@pytest.mark.pinned_versions
def test_shipped_analysis_schemas_are_current() -> None:
    """configs/schema/<kind>.schema.json must match the models (regenerate: dronewall schema --out configs/schema)."""
    for kind, schema in analysis_schemas().items():
        shipped = json.loads((CONFIGS / "schema" / f"{kind}.schema.json").read_text())
        assert shipped == schema, f"configs/schema/{kind}.schema.json is stale"


def test_cli_prints_an_analysis_schema() -> None:
    res = run_cli("schema", "--kind", "stress")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == analysis_schema("stress")
