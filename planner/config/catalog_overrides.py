"""A scenario's own reading of catalog figures (``catalogs.overrides``): one figure of one entry set to another
value for this scenario only, with why. The catalogs stay shared; the override, its note and the figure it
replaced are in the scenario (and so in its hash and its run folder's inputs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError

from planner.config.base import _Section
from planner.config.catalog import Catalog, CatalogId, Figure

__all__ = ["CatalogOverride", "apply_catalog_overrides"]

KINDS = ("threats", "sensors", "effectors", "conventional")


class CatalogOverride(_Section):
    """One catalog figure as this scenario reads it."""

    catalog: Literal["threats", "sensors", "effectors", "conventional"] = Field(
        description="Which catalog holds the entry.")
    id: CatalogId = Field(description="The entry's id in that catalog (shahed_136).")
    field: str = Field(min_length=1, max_length=80, description="The figure's field (altitude_m, unit_cost_eur).")
    value: float = Field(description="The value this scenario uses, in the unit the field name gives.")
    low: float | None = Field(None, description="Low bound of the range (default: the catalog's, or the value).")
    high: float | None = Field(None, description="High bound of the range (default: the catalog's, or the value).")
    note: str = Field(min_length=10, description="Why this scenario reads the figure so: the source or the "
                      "assumption (it replaces the catalog's own in the briefing's figure table).")


def apply_catalog_overrides(catalog: Catalog, overrides: list[CatalogOverride]) -> tuple[Catalog, list[tuple[str, str]]]:
    """The catalog with each override applied (the entry re-validated as a whole), and the problems found, each as
    (``catalogs.overrides[k]...``, message)."""
    problems: list[tuple[str, str]] = []
    parts: dict[str, dict[str, Any]] = {kind: dict(getattr(catalog, kind)) for kind in KINDS}
    for k, o in enumerate(overrides):
        where = f"catalogs.overrides[{k}]"
        entry = parts[o.catalog].get(o.id)
        if entry is None:
            problems.append((f"{where}.id", f"no entry '{o.id}' in the {o.catalog} catalog"))
            continue
        old = getattr(entry, o.field, None)
        if not isinstance(old, Figure):
            figures = sorted(n for n, v in entry if isinstance(v, Figure))
            problems.append((f"{where}.field", f"'{o.field}' is not a figure of {o.catalog}.{o.id}: one of "
                                               f"{', '.join(figures)}"))
            continue
        low = o.low if o.low is not None else min(old.low if old.low is not None else o.value, o.value)
        high = o.high if o.high is not None else max(old.high if old.high is not None else o.value, o.value)
        if not low <= o.value <= high:
            problems.append((where, f"value {o.value:g} lies outside its range {low:g}-{high:g}: widen low/high"))
            continue
        figure = {"value": o.value, "low": low, "high": high, "source": list(old.source),
                  "assumption": f"{o.note} (this scenario's reading; the catalog gives {old.value:g})"}
        try:
            parts[o.catalog][o.id] = type(entry).model_validate({**entry.model_dump(), o.field: figure})
        except ValidationError as exc:
            problems.extend((f"{where}.value", err["msg"]) for err in exc.errors())
    return catalog.model_copy(update=parts), problems
