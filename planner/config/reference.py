"""Render the configuration reference (docs/configuration.md) from the pydantic models.

Regenerate with ``python -m planner.config.reference > docs/configuration.md``; a test fails when
the shipped file is stale.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from planner.config.catalog import ConventionalOption, Effector, Figure, Sensor, Source, Threat
from planner.config.scenario import ScenarioConfig

HEADER = """# Configuration reference

Generated from the models in `planner/config/` by `python -m planner.config.reference`; do not edit by hand.
Scenario files are YAML; every section and field is listed below with its type, default and meaning.
Unknown fields are errors (`extra="forbid"`), so a misspelt field never passes silently. Paths are
relative to the scenario file. Editors that speak the YAML language server complete and check files
that start with `# yaml-language-server: $schema=schema/scenario.schema.json`
(the schemas in `configs/schema/` are written by `dronewall schema --out configs/schema`).

A scenario may **extend** another (`extends: eastern-flank.yaml`, a path relative to it or a shipped scenario's
name) and give only what differs: a section is merged field by field, anything else (a list, a number, `null`)
replaces the base's value, and the base's paths stay relative to the base. `--set KEY=VALUE` on the command line
(`--set budget.total_eur=3e9`, repeatable) and `load_scenario(..., overrides={"budget.total_eur": 3e9})` set a field
for one run; either way the result is validated as a whole.
"""


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    t = prop.get("type", "any")
    if t == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if t == "object":
        extra = prop.get("additionalProperties")
        return f"map to {_type(extra)}" if isinstance(extra, dict) else "mapping"
    bounds = []
    for key, sym in (("exclusiveMinimum", ">"), ("minimum", ">="), ("exclusiveMaximum", "<"), ("maximum", "<=")):
        if key in prop:
            bounds.append(f"{sym} {prop[key]}")
    if "pattern" in prop:
        bounds.append(f"pattern `{prop['pattern']}`")
    return t + (f" ({', '.join(bounds)})" if bounds else "")


def _default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default" in prop:
        return f"`{json.dumps(prop['default'])}`"
    return ""


def _table(schema: dict[str, Any]) -> list[str]:
    lines = ["| field | type | default | description |", "|---|---|---|---|"]
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        desc = (prop.get("description") or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {_type(prop)} | {_default(prop, name in required)} | {desc} |")
    return lines


def _model_section(title: str, model: type[BaseModel], intro: str = "") -> list[str]:
    schema = model.model_json_schema()
    out = [f"### {title}", ""]
    if intro:
        out += [intro, ""]
    out += _table(schema)
    return out + [""]


def _yaml_paths(schema: dict[str, Any]) -> dict[str, str]:
    """Where each sub-model sits in a scenario file: {'BudgetConfig': 'budget', ...}."""
    defs = schema.get("$defs", {})
    paths: dict[str, str] = {}

    def refs(prop: dict[str, Any]) -> list[tuple[str, str]]:
        if "$ref" in prop:
            return [(prop["$ref"].rsplit("/", 1)[-1], "")]
        out = []
        for sub in prop.get("anyOf", []):
            out += refs(sub)
        if prop.get("type") == "array" and "items" in prop:
            out += [(r, "[]" + suffix) for r, suffix in refs(prop["items"])]
        return out

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, prop in node.get("properties", {}).items():
            for ref, suffix in refs(prop):
                if ref not in paths:
                    paths[ref] = f"{prefix}{name}{suffix}"
                    walk(defs[ref], f"{prefix}{name}{suffix}.")

    walk(schema, "")
    return paths


def render() -> str:
    schema = ScenarioConfig.model_json_schema()
    defs = schema.get("$defs", {})
    where = _yaml_paths(schema)
    lines = [HEADER, "## Scenario file", "", "### Top level", ""]
    lines += _table(schema)
    lines.append("")
    for name in sorted(defs, key=lambda n: where.get(n, n)):
        sub = defs[name]
        lines += [f"### `{where.get(name, name)}` ({name})", ""]
        if sub.get("description"):
            lines += [sub["description"].strip().splitlines()[0], ""]
        lines += _table(sub) + [""]
    lines += [
        "## Catalog files",
        "",
        "Catalogs live in `configs/catalogs/` (one YAML file per kind, entries keyed by id). Every number is a",
        "*figure* (below): a value, optional low/high bounds, and a source id or an assumption. A bare number",
        "is rejected, and so is a figure with neither a source nor an assumption.",
        "",
    ]
    lines += _model_section("Figure", Figure)
    lines += _model_section("Source (sources.yaml)", Source)
    lines += _model_section("Threat (threats.yaml)", Threat)
    lines += _model_section("Sensor (sensors.yaml)", Sensor)
    lines += _model_section("Effector (effectors.yaml)", Effector)
    lines += _model_section("Conventional option (conventional.yaml)", ConventionalOption)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
