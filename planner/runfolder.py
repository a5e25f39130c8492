"""Run folders and analysis folders: their file names, and reading and writing their documents and tables.

This is the one module that knows what a folder written by dronewall holds and how each document is made:

- a run folder (``dronewall run``): ``plan.json`` (:func:`plan_document`), ``manifest.json``
  (:func:`manifest_document`), ``cells.csv`` and ``sites.csv`` (:func:`plan_tables`), ``plan.gpkg`` and
  ``map.png`` (drawn by ``planner.report.plan``) and ``inputs/`` (the scenario as resolved, with copies of its
  catalog and geodata files: :func:`write_inputs`, :func:`read_inputs`), so that stress, simulate,
  uncertainty, brief and maps work on a run folder copied elsewhere, with the original scenario file gone;
- an analysis folder: ``<kind>.csv``, ``<kind>.json`` (its summary, and its rows under the key the analysis
  registers in :mod:`planner.registry`), other tables it registers, and ``<plans>/<name>/plan.json``
  (:func:`write_analysis_files`, :func:`read_analysis`).

Writers write into the folder they are given: the temporary folder of
:func:`planner.outdir.atomic_output_dir`, which the caller moves into place whole. Readers read each file
once and check what the commands use before they use it: a missing file, a malformed document or a field of
the wrong type raises :class:`~planner.errors.ConfigError` naming the file and the field and saying what to
do. :func:`read_run_folder` is the one reader of a run folder, for every command.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.registry import ANALYSES, AnalysisEntry, by_kind

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from planner.config.io import Scenario
    from planner.plan import Plan

# The names of a run folder's files.
PLAN_JSON = "plan.json"
MANIFEST_JSON = "manifest.json"
CELLS_CSV = "cells.csv"
SITES_CSV = "sites.csv"
PLAN_GPKG = "plan.gpkg"
MAP_PNG = "map.png"
#: The folder, inside a run folder, that keeps the run's inputs, and the resolved scenario in it.
INPUTS = "inputs"
SCENARIO_JSON = "scenario.json"
#: The files of a run folder, in the order ``dronewall run`` lists them.
RUN_FILES = (PLAN_JSON, PLAN_GPKG, CELLS_CSV, SITES_CSV, MAP_PNG, MANIFEST_JSON)
#: The catalogs whose files a run's manifest records (the briefing names them beside their figures).
CATALOGS = ("sources", "threats", "sensors", "effectors", "conventional")
#: The packages whose versions a manifest records.
PACKAGES = ("dronewall", "pulp", "highspy", "geopandas", "shapely", "pyproj", "numpy", "scipy", "pandas", "pydantic")
#: What to do about a run folder that is not as ``dronewall run`` wrote it.
AGAIN = "run the plan again (`dronewall run`)"
#: cells.csv says over what a count runs (the plan's own columns: ``leakers_<class>``, ``leakers_all``,
#: ``drones_all``); :func:`read_run_folder` reads either name. Decimal places kept in the CSVs (docs/outputs.md).
CSV_PREFIXES = {"leakers_": "leakers_over_horizon_", "drones_": "drones_over_horizon_"}
CSV_DECIMALS = 6


def csv_names(columns: Any, *, back: bool = False) -> dict[str, str]:
    """cells.csv's name of each of the plan's columns (``back``: the plan's name of each of cells.csv's)."""
    pairs = [(v, k) for k, v in CSV_PREFIXES.items()] if back else list(CSV_PREFIXES.items())
    return {c: new + c[len(old):] for c in columns for old, new in pairs
            if c.startswith(old) and (back or not c.startswith(new))}


# ------------------------------------------------------------------------------------------------------------
# Documents
# ------------------------------------------------------------------------------------------------------------

def clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf become null, numpy scalars become Python numbers."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as JSON-safe objects."""
    rows: list[dict[str, Any]] = clean(df.to_dict(orient="records"))
    return rows


def _write_json(path: Path, doc: Any, indent: int = 2) -> None:
    path.write_text(json.dumps(clean(doc), indent=indent) + "\n")


def plan_document(plan: Plan) -> dict[str, Any]:
    """The content of plan.json."""
    doc: dict[str, Any] = clean({
        **plan.summary,
        "threats": records(plan.threats),
        "spend": records(plan.spend),
        "spend_by_nation_eur": plan.spend.groupby("nation")["total_eur"].sum().to_dict(),
        "spend_by_category_eur": plan.spend.groupby("category")["total_eur"].sum().to_dict(),
        "units_by_system": plan.units.groupby("system")["units"].sum().to_dict() if len(plan.units) else {},
        "conventional": records(plan.conventional),
        "cost_exchange": records(plan.exchange),
    })
    return doc


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_document(plan: Plan) -> dict[str, Any]:
    """The content of manifest.json: the input files and their hashes, versions, solver settings, timings."""
    versions: dict[str, str | None] = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    sc = plan.scenario
    files = {"scenario": sc.path, **sc.files}
    doc: dict[str, Any] = clean({
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
    return doc


def plan_tables(plan: Plan) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The plan's border cells and built sites with the theater's geometry: the rows of cells.csv and
    sites.csv, and the layers of plan.gpkg and map.png."""
    return plan.geo_cells(), plan.geo_sites()


# ------------------------------------------------------------------------------------------------------------
# Writing (into the temporary folder of planner.outdir.atomic_output_dir)
# ------------------------------------------------------------------------------------------------------------

def write_run(folder: Path, plan: Plan, cells: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> None:
    """plan.json, cells.csv (with each cell's midpoint and the counts' span in their names), sites.csv (with lon/lat),
    manifest.json and inputs/ of ``plan`` into ``folder``, numbers to CSV_DECIMALS places;
    ``cells`` and ``sites`` are :func:`plan_tables`'s."""
    import pandas as pd

    _write_json(folder / PLAN_JSON, plan_document(plan))
    mid = cells.geometry.interpolate(0.5, normalized=True).to_crs("EPSG:4326")  # each cell's midpoint
    table = pd.DataFrame(cells.drop(columns="geometry")).assign(lon=mid.x.round(5), lat=mid.y.round(5))
    table.rename(columns=csv_names(table.columns)).round(CSV_DECIMALS).to_csv(folder / CELLS_CSV, index=False)
    site_xy = sites.to_crs("EPSG:4326")
    pd.DataFrame(sites.drop(columns="geometry")).assign(
        lon=site_xy.geometry.x.round(5), lat=site_xy.geometry.y.round(5)).round(CSV_DECIMALS).to_csv(
        folder / SITES_CSV, index=False)
    _write_json(folder / MANIFEST_JSON, manifest_document(plan))
    write_inputs(plan.scenario, folder / INPUTS)  # stress, brief, maps… need nothing outside the folder


def write_plan_documents(plans: Mapping[str, Plan], folder: Path) -> None:
    """``folder/<name>/plan.json`` for each of an analysis's plans (sweep points, robust and incident plans)."""
    for name, plan in plans.items():
        sub = folder / name
        sub.mkdir(parents=True)
        _write_json(sub / PLAN_JSON, plan_document(plan))


def write_analysis_files(folder: Path, kind: str, table: pd.DataFrame, summary: Mapping[str, Any], *,
                         extra: Mapping[str, pd.DataFrame] | None = None,
                         plans: Mapping[str, Plan] | None = None) -> None:
    """An analysis's files into ``folder``: ``<kind>.csv`` (the table), ``<kind>.json`` (the summary, the
    table's rows under the key :mod:`planner.registry` gives ``kind``, each ``extra`` table's rows under its
    name), ``<name>.csv`` for each ``extra`` table, and ``<plans>/<name>/plan.json`` for each of ``plans``."""
    entry = by_kind(kind)
    extra = extra or {}
    table.to_csv(folder / f"{kind}.csv", index=False)
    _write_json(folder / f"{kind}.json", {**summary, entry.rows: records(table),
                                          **{name: records(df) for name, df in extra.items()}})
    for name, df in extra.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    if plans is not None:
        if entry.plans is None:
            raise ValueError(f"the {kind} analysis registers no folder for plans")
        write_plan_documents(plans, folder / entry.plans)


def write_inputs(scenario: Scenario, folder: Path) -> None:
    """Keep ``scenario`` in ``folder``: ``scenario.json`` (config and catalogs as validated) and a copy of each
    catalog and geodata file it read (one copy of a file read several times)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies: dict[Path, str] = {}
    files = {}
    for key, src in sorted(scenario.files.items()):
        src = Path(src)
        if src not in copies:
            name = src.name if src.name not in copies.values() else f"{len(copies)}-{src.name}"
            shutil.copy2(src, folder / name)
            copies[src] = name
        files[key] = copies[src]
    doc = {"config": scenario.config.model_dump(mode="json"), "catalog": scenario.catalog.model_dump(mode="json"),
           "files": files, "config_hash": scenario.config_hash(),
           **({"nations": {k: v.model_dump(mode="json") for k, v in scenario.nations.items()}} if scenario.nations else {})}
    (folder / SCENARIO_JSON).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class RunFolder:
    """A folder written by ``dronewall run``, read once and checked (:func:`read_run_folder`)."""

    folder: Path
    doc: dict[str, Any]  # plan.json
    manifest: dict[str, Any]  # manifest.json
    scenario: Scenario  # as the run resolved it (inputs/), or the scenario file of an older folder
    sites: pd.DataFrame  # sites.csv: site_id, systems ("a,b"), lon, lat, …
    cells: pd.DataFrame | None = None  # cells.csv, when asked for


def read_inputs(run_dir: Path) -> Scenario | None:
    """The scenario kept in a run folder, or None for a folder written before runs kept their inputs."""
    from planner.config.catalog import Catalog
    from planner.config.funding import NationFigures
    from planner.config.io import Scenario, display_path, json_field, load_json
    from planner.config.scenario import ScenarioConfig
    from planner.errors import ConfigError

    folder = Path(run_dir) / INPUTS
    path = folder / SCENARIO_JSON
    if not path.is_file():
        return None
    doc = load_json(path, what="the run's scenario")
    shown = display_path(path)
    files = json_field(doc, "files", dict, source=shown, fix=AGAIN)
    try:
        scenario = Scenario(config=ScenarioConfig.model_validate(json_field(doc, "config", dict, source=shown, fix=AGAIN)),
                            catalog=Catalog.model_validate(json_field(doc, "catalog", dict, source=shown, fix=AGAIN)),
                            path=path.resolve(), files={k: (folder / str(v)).resolve() for k, v in files.items()},
                            nations={k: NationFigures.model_validate(v) for k, v in doc.get("nations", {}).items()})
    except ValueError as exc:  # pydantic's ValidationError: written by another version, or edited
        raise ConfigError([(shown, f"not a scenario this version reads ({str(exc).splitlines()[0]}): {AGAIN}")]) from None
    missing = sorted(k for k, f in scenario.files.items() if not f.is_file())
    if missing:
        raise ConfigError([(shown, f"the copies of {', '.join(missing)} are missing from {display_path(folder)}: "
                                   f"{AGAIN}")])
    return scenario


def read_run_folder(plan_dir: Path, *, cells: bool = False, catalogs: bool = False) -> RunFolder:
    """Read a folder written by ``dronewall run``: plan.json, manifest.json, sites.csv and the scenario (kept
    in inputs/, or for an older folder the scenario file, which must still be there and unchanged), each
    read once and checked for what the commands use. ``cells``: read cells.csv too; ``catalogs``: the
    manifest must record each catalog file (the briefing names them)."""
    import pandas as pd

    from planner.config.io import display_path, json_field, load_json, load_scenario
    from planner.errors import ConfigError

    plan_dir = Path(plan_dir)
    needed = [plan_dir / n for n in (PLAN_JSON, SITES_CSV, MANIFEST_JSON)]
    missing = [p.name for p in needed if not p.exists()]
    if missing:
        raise ConfigError([("PLAN_DIR", f"{plan_dir} has no {', '.join(missing)}: give a folder written by "
                                        "`dronewall run`")])
    doc = load_json(needed[0], what="the plan")
    manifest = load_json(needed[2], what="the run's manifest")
    shown, shown_manifest = display_path(needed[0]), display_path(needed[2])
    recorded = Path(json_field(manifest, "files_sha256.scenario.path", str, source=shown_manifest, fix=AGAIN))
    kept = read_inputs(plan_dir)  # the scenario as the run resolved it; older folders point to the file
    path = kept.path if kept is not None else recorded
    if kept is None and not path.is_file():
        raise ConfigError([(MANIFEST_JSON, f"the plan's scenario file {path} is not there any more (and the "
                                           f"folder keeps no copy, {INPUTS}/): run the plan again")])
    # What the readers of a plan use (stress, simulate, uncertainty, brief, maps), checked before they use it.
    num: tuple[type, ...] = (int, float)
    opt: tuple[type, ...] = (int, float, type(None))
    json_field(doc, "scenario", str, source=shown, fix=AGAIN)
    json_field(doc, "config_hash", str, source=shown, fix=AGAIN)
    json_field(doc, "spend_eur.total", num, source=shown, fix=AGAIN)
    fields: dict[str, dict[str, type | tuple[type, ...]]] = {
        "spend": {"category": str, "nation": str, "total_eur": num, "munitions_eur": num},
        "threats": {"threat": str, "defeat_rate_exact": opt, "detect_rate_exact": opt},
        "conventional": {"option": str, "units": num}}
    for key, types in fields.items():
        for i, row in enumerate(json_field(doc, key, list, source=shown, fix=AGAIN)):
            for name, kind in types.items():
                json_field(row, name, kind, source=f"{shown}: {key}[{i}]", fix=AGAIN)
    scenario = kept if kept is not None else load_scenario(path)
    if scenario.config_hash() != doc.get("config_hash"):
        raise ConfigError([(str(path), "the scenario changed since the plan was made (config hash "
                                       f"{scenario.config_hash()[:8]} ≠ {str(doc.get('config_hash'))[:8]}): run "
                                       "the plan again")])
    try:
        sites = pd.read_csv(needed[1], dtype={"site_id": str, "systems": str}).fillna({"systems": ""})
    except (ValueError, OSError) as exc:  # pandas' EmptyDataError and ParserError are ValueErrors
        raise ConfigError([(display_path(needed[1]), f"not a readable CSV table ({exc}): {AGAIN}")]) from None
    absent = sorted({"site_id", "systems"} - set(sites.columns))
    if absent:
        raise ConfigError([(display_path(needed[1]), f"has no column {', '.join(absent)}: {AGAIN}")])
    for catalog in CATALOGS if catalogs else ():
        json_field(manifest, f"files_sha256.{catalog}.path", str, source=shown_manifest, fix=AGAIN)
    table = None
    if cells:
        try:
            table = pd.read_csv(plan_dir / CELLS_CSV)
            table = table.rename(columns=csv_names(table.columns, back=True))  # the plan's names, whichever it has
        except (ValueError, OSError) as exc:  # missing, empty or not CSV (pandas' errors are ValueErrors)
            msg = f"cannot be read as a table ({exc}): {AGAIN}"
            raise ConfigError([(display_path(plan_dir / CELLS_CSV), msg)]) from None
    return RunFolder(folder=plan_dir, doc=doc, manifest=manifest, scenario=scenario, sites=sites, cells=table)


def read_plan_folder(plan_dir: Path) -> tuple[dict[str, Any], pd.DataFrame, Scenario]:
    """plan.json, sites.csv and the scenario of a run folder, read and checked by :func:`read_run_folder`."""
    run = read_run_folder(plan_dir)
    return run.doc, run.sites, run.scenario


def analysis_kinds(folder: Path, among: Iterable[AnalysisEntry] = ANALYSES) -> list[str]:
    """The kinds of the analyses (of ``among``) whose ``<kind>.json`` ``folder`` holds."""
    return [a.kind for a in among if (Path(folder) / f"{a.kind}.json").is_file()]


def read_analysis(folder: Path, kind: str) -> dict[str, Any]:
    """``<kind>.json`` of an analysis folder, checked: its rows (under the registered key) are a list of
    objects, and the fields the analysis registers as numbers are numbers."""
    from planner.config.io import display_path, json_field, load_json
    from planner.errors import ConfigError

    entry = by_kind(kind)
    path = Path(folder) / f"{kind}.json"
    doc: dict[str, Any] = load_json(path, what=f"the {kind} analysis")
    fix = f"run `dronewall {entry.command}` again"
    rows = json_field(doc, entry.rows, list, source=display_path(path), fix=fix)
    if not all(isinstance(r, dict) for r in rows):
        raise ConfigError([(entry.rows, f"expected a list of JSON objects: {fix}")], source=display_path(path))
    for name in entry.numbers:
        json_field(doc, name, (int, float), source=display_path(path), fix=fix)
    return doc
