"""``dronewall compare RUN_A RUN_B``: what changed between two runs, in their inputs (the scenario and the catalog
figures each run kept in ``inputs/``) and in their outcome (headline figures, defeat by class, units by system, spend
by nation), read from the run folders alone."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from planner.runfolder import read_run_folder

__all__ = ["HEADLINE", "compare_runs", "flatten"]

#: plan.json's headline figures, in the order a comparison shows them, with their labels.
HEADLINE = (("budget_eur", "budget, € over the horizon"), ("spend_eur.drone_defence", "drone defence, €"),
            ("spend_eur.conventional", "conventional forces, €"),
            ("defeat_rate_all_exact", "drones defeated (exact)"),
            ("defeat_rate_armed_exact", "armed drones defeated (exact)"),
            ("drones_defeated_over_horizon_exact", "drones defeated over the horizon"),
            ("value_defeated_exact", "value defeated (exact)"),
            ("drone_defence_eur_per_defeat", "drone defence € per drone defeated"),
            ("conventional_capability", "conventional capability (Leopard-2A8 equivalents)"),
            ("solver.gap", "proven gap"))


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """A nested mapping as {dotted path: value}; lists are kept whole (compared as one value)."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for key, value in obj.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: obj}


def _figures(catalog: dict[str, Any]) -> dict[str, Any]:
    """Catalog figures' values only ({path: value}): the numbers that enter a plan, without their provenance text."""
    return {k.removesuffix(".value"): v for k, v in flatten(catalog).items()
            if k.endswith(".value") and not k.startswith("sources.")}


#: Settings that only say where a file is: the files themselves are compared by their hashes (the manifests').
_PATHS = ("catalogs.", "geodata.countries", "geodata.borders", "geodata.assets", "geodata.settlements",
          "funding.nations_file")


def _settings(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in flatten(config).items() if not k.startswith(_PATHS)}


def _files(manifest: dict[str, Any]) -> dict[str, Any]:
    return {k: v.get("sha256") for k, v in manifest.get("files_sha256", {}).items() if k != "scenario"}


def _diff(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"path": k, "a": a.get(k), "b": b.get(k)} for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _number(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) else None


def _rows(a: dict[str, Any], b: dict[str, Any], labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    out = []
    for key in (labels or dict.fromkeys(sorted(set(a) | set(b)))):
        va, vb = _number(a.get(key)), _number(b.get(key))
        out.append({"key": key, "what": (labels or {}).get(key, key), "a": va, "b": vb,
                    "change": vb - va if va is not None and vb is not None else None})
    return out


def compare_runs(run_a: Path, run_b: Path) -> dict[str, Any]:
    """The two runs' differences: ``inputs`` (scenario settings other than file paths, the input files by their SHA-256,
    catalog figures' values) and ``outcome`` (headline, defeat by class, units by system, spend by nation), each row
    with both values and the change (b − a)."""
    ra, rb = read_run_folder(Path(run_a)), read_run_folder(Path(run_b))
    da, db = ra.doc, rb.doc
    fa, fb = flatten(da), flatten(db)
    by_class = {f"defeat.{r['threat']}": r["defeat_rate_exact"] for r in da.get("threats", [])}
    by_class_b = {f"defeat.{r['threat']}": r["defeat_rate_exact"] for r in db.get("threats", [])}
    return {
        "a": {"folder": str(run_a), "scenario": da.get("scenario"), "config_hash": da.get("config_hash")},
        "b": {"folder": str(run_b), "scenario": db.get("scenario"), "config_hash": db.get("config_hash")},
        "same_inputs": da.get("config_hash") == db.get("config_hash"),
        "inputs": {"scenario": _diff(_settings(ra.scenario.config.model_dump(mode="json")),
                                     _settings(rb.scenario.config.model_dump(mode="json"))),
                   "files": _diff(_files(ra.manifest), _files(rb.manifest)),
                   "catalog_figures": _diff(_figures(ra.scenario.catalog.model_dump(mode="json")),
                                            _figures(rb.scenario.catalog.model_dump(mode="json")))},
        "outcome": {"headline": _rows({k: fa.get(k) for k, _ in HEADLINE}, {k: fb.get(k) for k, _ in HEADLINE},
                                      dict(HEADLINE)),
                    "defeat_by_class": _rows(by_class, by_class_b),
                    "units_by_system": _rows(da.get("units_by_system", {}), db.get("units_by_system", {})),
                    "spend_by_nation_eur": _rows(da.get("spend_by_nation_eur", {}), db.get("spend_by_nation_eur", {}))},
    }
