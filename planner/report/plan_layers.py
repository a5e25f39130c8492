"""The plan's map layers for GIS (issue #17): beside the cells, sites, assets and no-fire zones, a long layer of every
unit built (one row per site and system) and the coverage of each (the border it watches or engages, from the
model's own coverage pairs), written into plan.gpkg and, on request, as FlatGeobuf or GeoParquet files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.ops import unary_union

from planner.errors import ConfigError
from planner.plan import Plan

__all__ = ["FORMATS", "check_formats", "coverage_layer", "site_systems_layer", "write_layer_files"]

#: The extra formats a run may write its layers in (`dronewall run --formats`): option → (GDAL driver, suffix).
FORMATS = {"fgb": ("FlatGeobuf", ".fgb"), "parquet": ("GeoParquet", ".parquet")}
#: The folder of a run holding those files, one per layer.
LAYERS_DIR = "layers"


def check_formats(formats: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The formats asked for, checked before anything is solved: known, and GeoParquet's library installed."""
    out = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip() and f.strip().lower() != "gpkg"))
    unknown = [f for f in out if f not in FORMATS]
    if unknown:
        raise ConfigError([("--formats", f"unknown format {', '.join(unknown)}: give gpkg (always written), "
                                         f"{', '.join(FORMATS)} or several, comma-separated")])
    if "parquet" in out and importlib.util.find_spec("pyarrow") is None:
        raise ConfigError([("--formats", "GeoParquet needs the pyarrow package: pip install 'dronewall[geoparquet]'"
                                         ", or leave parquet out")])
    return out


def site_systems_layer(plan: Plan) -> gpd.GeoDataFrame:
    """One row per (site, system) the plan holds (units in service included), at the site's point."""
    points = plan.theater.sites[["site_id", "geometry"]]
    units = plan.units.merge(points, on="site_id", how="left")
    return gpd.GeoDataFrame(units, geometry="geometry", crs=plan.theater.crs)


def coverage_layer(plan: Plan) -> gpd.GeoDataFrame:
    """One row per (site, system) the plan holds: the border cells the unit watches (a sensor: its detection pairs)
    or may engage (an effector: its engagement, point-defence and escort pairs), their count and length, the cells'
    lines joined as the geometry."""
    p, th = plan.problem, plan.theater
    site_index = {str(s): j for j, s in enumerate(p.site_ids)}
    lines = th.cells.set_index("cell_id").loc[list(p.cell_ids), ["geometry", "length_m"]].reset_index(drop=True)
    rows = []
    for r in plan.units.itertuples(index=False):
        j = site_index.get(str(r.site_id))
        if j is None:
            continue
        if r.category == "sensor":
            k = p.sensor_ids.index(r.system)
            cells = p.det_cell[(p.det_site == j) & (p.det_sensor == k)]
        else:
            k = p.effector_ids.index(r.system)
            cells = np.concatenate([p.eng_cell[(p.eng_site == j) & (p.eng_effector == k)],
                                    p.pt_cell[(p.pt_site == j) & (p.pt_effector == k)],
                                    p.esc_cell[(p.esc_site == j) & (p.esc_effector == k)]])
        cells = np.unique(cells)
        rows.append({"site_id": r.site_id, "nation": r.nation, "category": r.category, "system": r.system,
                     "cells": len(cells), "border_km": float(lines["length_m"].iloc[cells].sum()) / 1000,
                     "geometry": unary_union(list(lines["geometry"].iloc[cells])) if len(cells) else None})
    frame = pd.DataFrame(rows, columns=["site_id", "nation", "category", "system", "cells", "border_km", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=th.crs)


def write_layer_files(layers: dict[str, gpd.GeoDataFrame], folder: Path, formats: tuple[str, ...]) -> None:
    """Each layer as ``folder/layers/<name>.<suffix>`` in each of ``formats``."""
    if not formats:
        return
    (folder / LAYERS_DIR).mkdir(exist_ok=True)
    for fmt in formats:
        driver, suffix = FORMATS[fmt]
        for name, gdf in layers.items():
            path = folder / LAYERS_DIR / f"{name}{suffix}"
            if fmt == "parquet":
                gdf.to_parquet(path)
            else:
                gdf.to_file(path, driver=driver, engine="pyogrio")
