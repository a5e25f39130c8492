"""Writing a plan: plan.json, plan.gpkg, cells.csv, sites.csv, map.png and manifest.json, atomically."""

from __future__ import annotations

import hashlib
import json
import math
import platform
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.outdir import atomic_output_dir
from planner.output import INPUTS, write_inputs
from planner.plan import Plan
from planner.report.plan_map import plot_plan
from planner.report.theater import plain_columns

PACKAGES = ("dronewall", "pulp", "highspy", "geopandas", "shapely", "pyproj", "numpy", "scipy", "pandas", "pydantic")


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf become null, numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return _clean(df.to_dict(orient="records"))


def plan_document(plan: Plan) -> dict[str, Any]:
    """The content of plan.json."""
    return _clean({
        **plan.summary,
        "threats": _records(plan.threats),
        "spend": _records(plan.spend),
        "spend_by_nation_eur": plan.spend.groupby("nation")["total_eur"].sum().to_dict(),
        "spend_by_category_eur": plan.spend.groupby("category")["total_eur"].sum().to_dict(),
        "units_by_system": plan.units.groupby("system")["units"].sum().to_dict() if len(plan.units) else {},
        "conventional": _records(plan.conventional),
        "cost_exchange": _records(plan.exchange),
    })


def write_analysis(out: Path, kind: str, table: pd.DataFrame, summary: dict[str, Any], rows: str,
                   chart: Callable[[Path], None], plans: dict[str, Plan], *, force: bool = False) -> Path:
    """An analysis folder, atomically: ``<kind>.csv`` (the table), ``<kind>.json`` (the summary and the
    table's rows under ``rows``), ``<kind>.png`` (``chart`` draws it) and ``plans/<name>/plan.json``."""
    with atomic_output_dir(Path(out), force=force) as tmp:
        table.to_csv(tmp / f"{kind}.csv", index=False)
        (tmp / f"{kind}.json").write_text(json.dumps(_clean({**summary, rows: _records(table)}), indent=2) + "\n")
        chart(tmp / f"{kind}.png")
        write_plan_documents(plans, tmp / "plans")
    return Path(out)


def write_plan_documents(plans: dict[str, Plan], folder: Path) -> None:
    """``folder/<name>/plan.json`` for each of an analysis's plans (sweep points, robust and incident plans)."""
    for name, plan in plans.items():
        sub = folder / name
        sub.mkdir(parents=True)
        (sub / "plan.json").write_text(json.dumps(plan_document(plan), indent=2) + "\n")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(plan: Plan) -> dict[str, Any]:
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    sc = plan.scenario
    files = {"scenario": sc.path, **sc.files}
    return _clean({
        "scenario": sc.name,
        "config_sha256": sc.config_hash(),
        "files_sha256": {k: {"path": str(v), "sha256": _sha256(v)} for k, v in files.items() if v.exists()},
        "versions": {"python": platform.python_version(), **versions},
        "solver": sc.config.solver.model_dump(),
        "seed": sc.config.solver.seed,
        "crs": plan.theater.crs.to_string(),
        "timings_s": {k: round(v, 3) for k, v in plan.timings.items()},
        "status": plan.summary["solver"]["status"],
    })


def write_plan(plan: Plan, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write the plan's files into ``out`` (replaced whole on success). Returns ``out``."""
    th = plan.theater
    with atomic_output_dir(Path(out), force=force, inputs=[plan.scenario.path, *plan.scenario.files.values()]) as tmp:
        (tmp / "plan.json").write_text(json.dumps(plan_document(plan), indent=2) + "\n")
        cells = th.cells[["cell_id", "border_id", "defender", "neighbour", "length_m", "geometry"]].merge(
            plan.cells.drop(columns="nation"), on="cell_id")
        sites = th.sites.merge(plan.sites.drop(columns="nation"), on="site_id")
        sites = sites[sites["systems"] != ""]
        gpkg = tmp / "plan.gpkg"
        for name, gdf in (("cells", cells), ("sites", sites), ("assets", th.assets),
                          ("no_fire_zones", th.no_fire_zones)):
            gdf = plain_columns(gpd.GeoDataFrame(gdf, geometry="geometry", crs=th.crs))
            gdf.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
        pd.DataFrame(cells.drop(columns="geometry")).to_csv(tmp / "cells.csv", index=False)
        site_xy = sites.to_crs("EPSG:4326")
        pd.DataFrame(sites.drop(columns="geometry")).assign(
            lon=site_xy.geometry.x.round(5), lat=site_xy.geometry.y.round(5)).to_csv(tmp / "sites.csv", index=False)
        plot_plan(plan, cells, sites, tmp / "map.png", dpi=dpi)
        (tmp / "manifest.json").write_text(json.dumps(manifest(plan), indent=2) + "\n")
        write_inputs(plan.scenario, tmp / INPUTS)  # stress, brief, maps… need nothing outside the folder
    return Path(out)
