"""The JSON Schema of plan.json (planner.report.plan_schema): a real run's plan.json passes it, a wrong one fails,
every property is described, and configs/schema/plan.schema.json is what the code generates."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from planner.report.plan_schema import DIALECT, PlanDocument, plan_schema
from tests.conftest import CONFIGS
from tests.test_config_valid import run_cli
from tests.test_run import tiny_run  # noqa: F401  (the fixture: `dronewall run configs/tiny.yaml`)


def _plan(folder: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((folder / "plan.json").read_text())
    return doc


def _broken(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Copies of a valid plan.json, each wrong in one way the schema must catch."""
    changes: list[tuple[str, Any]] = [
        ("an unknown top-level key", lambda d: d.update(surprise=1)),
        ("a number given as a string", lambda d: d.update(budget_eur="300 M€")),
        ("a required key missing", lambda d: d.pop("defeat_rate_all_exact")),
        ("an unknown key in a fixed section", lambda d: d["solver"].update(colour="green")),
        ("a wrong type in a table row", lambda d: d["threats"][0].update(decoy="perhaps")),
        ("a value outside its enum", lambda d: d["spend"][0].update(category="tanks")),
        ("null where a number must be", lambda d: d["spend_eur"].update(total=None)),
        ("null where a key may only be left out", lambda d: d.update(burden=None)),
    ]
    for what, change in changes:
        bad = copy.deepcopy(doc)
        change(bad)
        yield what, bad


def test_tiny_plan_json_is_valid(tiny_run: Path) -> None:  # noqa: F811
    jsonschema = pytest.importorskip("jsonschema")
    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(_plan(tiny_run))


def test_wrong_plan_json_fails(tiny_run: Path) -> None:  # noqa: F811
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(plan_schema())
    for what, bad in _broken(_plan(tiny_run)):
        assert not validator.is_valid(bad), f"the schema accepts {what}"


def test_the_model_reads_plan_json(tiny_run: Path) -> None:  # noqa: F811
    """The pydantic model behind the schema accepts the real document and refuses the broken ones (this runs
    without jsonschema too)."""
    doc = _plan(tiny_run)
    PlanDocument.model_validate(doc)
    assert set(plan_schema()["required"]) <= set(doc) <= set(PlanDocument.model_fields)
    for what, bad in _broken(doc):
        try:
            PlanDocument.model_validate(bad)
        except ValidationError:
            continue
        pytest.fail(f"the model accepts {what}")


def _objects(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "plan", schema
    yield from schema["$defs"].items()


def test_every_property_is_described_and_objects_are_closed() -> None:
    schema = plan_schema()
    assert schema["$schema"] == DIALECT and schema["title"] == "dronewall plan"
    for name, obj in _objects(schema):
        assert obj["additionalProperties"] is False, f"{name} accepts unknown keys"
        undescribed = [key for key, prop in obj["properties"].items() if not prop.get("description")]
        assert not undescribed, f"{name}: no description for {undescribed}"


@pytest.mark.pinned_versions
def test_shipped_plan_schema_is_current() -> None:
    """configs/schema/plan.schema.json must match the model (regenerate: dronewall schema --out configs/schema)."""
    shipped = json.loads((CONFIGS / "schema" / "plan.schema.json").read_text())
    assert shipped == plan_schema(), "configs/schema/plan.schema.json is stale"


def test_cli_prints_and_writes_the_plan_schema(tmp_path: Path) -> None:
    res = run_cli("schema", "--kind", "plan")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == plan_schema()
    res = run_cli("schema", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "plan.schema.json").read_text()) == plan_schema()
