"""What every analysis document's model shares: closed objects, keys that may be absent, columns named after
catalog ids, and the sweeps' family of national plans.

An analysis writes ``<kind>.json`` (:func:`planner.runfolder.write_analysis_files`): its summary's keys, its table's
rows under the key :mod:`planner.registry` gives it, and each extra table's rows under that table's name. Each
analysis's module in this package describes that document as a pydantic model named ``Document`` (registered as
:attr:`planner.registry.AnalysisEntry.schema`); :func:`planner.report.schemas.analysis_schema` turns it into a JSON
Schema. The words of the descriptions are plan.json's (:mod:`planner.report.plan_schema`): *over the horizon*,
*per raid*, *LP* (the optimizer's promise), *exact* (the exact evaluation of the plan's builds), *value*
(value-weighted drones defeated). A figure that cannot be computed is null (:func:`planner.runfolder.clean`).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

__all__ = ["AnalysisDocument", "Columns", "Family", "Fixed", "absent_or", "column"]


def _never_null(schema: dict[str, Any]) -> None:
    """For a key that is sometimes absent but never null: drop the null branch and the null default pydantic
    writes for a field with a default."""
    schema.pop("default", None)
    options = [o for o in schema.pop("anyOf", []) if o != {"type": "null"}]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


def absent_or(description: str) -> Any:
    """A key that may be missing from the document (never null when present)."""
    return Field(None, description=description, json_schema_extra=_never_null)


def _refuse_null_where_absent(model: BaseModel) -> None:
    """A key declared with :func:`absent_or` may be missing but not null (as its JSON Schema says)."""
    fields = type(model).model_fields
    for name in model.model_fields_set & fields.keys():  # (a Columns row's catalog-named keys are not fields)
        field = fields[name]
        if field.json_schema_extra is _never_null and getattr(model, name) is None:
            raise ValueError(f"{field.alias or name} is null: leave it out instead")


class Fixed(BaseModel):
    """An object whose keys are all known: any other key is an error."""

    # protected_namespaces=(): documents have keys such as model_build_s (pydantic < 2.10 warns on "model_" names)
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    @model_validator(mode="after")
    def _no_null_where_absent(self) -> Fixed:
        _refuse_null_where_absent(self)
        return self


class _Column:
    """Columns whose names follow a pattern (``units_<conventional id>``): their type and description."""

    def __init__(self, pattern: str, kind: Any, description: str) -> None:
        self.pattern, self.description = pattern, description
        self.adapter: TypeAdapter[Any] = TypeAdapter(kind)
        self.regex = re.compile(pattern)

    def schema(self) -> dict[str, Any]:
        return {**self.adapter.json_schema(), "description": self.description}


def column(pattern: str, kind: Any, description: str) -> _Column:
    """Columns named by ``pattern`` (a regular expression over the whole name, anchored by the caller), each of
    type ``kind`` (a Python annotation: ``float | None``)."""
    return _Column(pattern, kind, description)


def _add_patterns(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    patterns: tuple[_Column, ...] = getattr(cls, "COLUMNS", ())
    schema["patternProperties"] = {c.pattern: c.schema() for c in patterns}
    schema["additionalProperties"] = False


class Columns(BaseModel):
    """A row (or an object) with columns named after catalog ids beside its fixed ones: :attr:`COLUMNS` names
    their patterns; a key that is neither a field nor matches a pattern is an error. In the JSON Schema the
    patterns are ``patternProperties`` (a fixed key that also matches a pattern must satisfy both)."""

    model_config = ConfigDict(extra="allow", protected_namespaces=(), json_schema_extra=_add_patterns)
    COLUMNS: ClassVar[tuple[_Column, ...]] = ()

    @model_validator(mode="after")
    def _known_columns(self) -> Columns:
        _refuse_null_where_absent(self)
        for key, value in (self.model_extra or {}).items():
            match = next((c for c in self.COLUMNS if c.regex.search(key)), None)
            if match is None:
                raise ValueError(f"unknown key {key!r}")
            match.adapter.validate_python(value, strict=False)
        return self


class AnalysisDocument(Fixed):
    """The keys every analysis document starts with."""

    scenario: str = Field(description="The scenario's name.")
    config_hash: str = Field(description="SHA-256 of the resolved scenario and catalogs (the plan's manifest.json "
                             "config_sha256).")


class Family(Fixed):
    """The family of national plans a sweep chose from (planner.analysis.family): each nation's MILP solved at a
    few prices on money, the plans combined within the budget."""

    prices_per_meur: list[float] = Field(description="The prices on money the nations were solved at: objective "
                                         "value per million €.")
    nations: list[str] = Field(description="The nations (sectors) solved, by code.")
    plans_per_nation: list[int] = Field(description="Distinct plans kept per nation, in the order of nations.")
    seconds: float = Field(description="Seconds building the family.")
    prices_left_out_for_time_per_meur: list[float] | None = absent_or(
        "Prices not solved because the time ran out, per million €; absent when every price was solved.")
