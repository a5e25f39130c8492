"""Writing a plan: plan.json, plan.gpkg, cells.csv, sites.csv, map.png, manifest.json and inputs/, atomically
(the documents and tables through :mod:`planner.runfolder`, the GeoPackage and the map here)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from planner.outdir import atomic_output_dir
from planner.plan import Plan
from planner.report.gpkg_styles import style_plan_gpkg
from planner.report.plan_layers import check_formats, coverage_layer, site_systems_layer, write_layer_files
from planner.report.plan_map import plot_plan
from planner.report.theater import plain_columns
from planner.runfolder import MAP_PNG, PLAN_GPKG, plan_tables, write_run


def write_plan(plan: Plan, out: Path, *, dpi: int = 150, force: bool = False,
               formats: tuple[str, ...] = ()) -> Path:
    """Write the plan's files into ``out`` (replaced whole on success); its layers also as ``layers/<name>.fgb`` or
    ``.parquet`` for each of ``formats`` (:data:`planner.report.plan_layers.FORMATS`). Returns ``out``."""
    th = plan.theater
    formats = check_formats(formats)
    with atomic_output_dir(Path(out), force=force, inputs=[plan.scenario.path, *plan.scenario.files.values()]) as tmp:
        cells, sites = plan_tables(plan)
        write_run(tmp, plan, cells, sites)
        layers = {name: plain_columns(gpd.GeoDataFrame(gdf, geometry="geometry", crs=th.crs)) for name, gdf in (
            ("cells", cells), ("sites", sites), ("site_systems", site_systems_layer(plan)),
            ("coverage", coverage_layer(plan)), ("assets", th.assets), ("no_fire_zones", th.no_fire_zones))}
        for name, gdf in layers.items():
            gdf.to_file(tmp / PLAN_GPKG, layer=name, driver="GPKG", engine="pyogrio")
        style_plan_gpkg(tmp / PLAN_GPKG)  # default QGIS styles and column descriptions
        write_layer_files(layers, tmp, formats)
        plot_plan(plan, cells, sites, tmp / MAP_PNG, dpi=dpi)
    return Path(out)
