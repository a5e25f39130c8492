"""Writing a theater: GeoPackage layers, a summary and a quick PNG."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from planner.geo.theater import Theater
from planner.outdir import atomic_output_dir
from planner.report.quickmap import plot_theater

LAYERS = ("cells", "sites", "assets", "no_fire_zones", "borders", "countries")


def plain_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GeoPackage-friendly columns: numbers, strings and booleans only."""
    out = gdf.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].astype(str)
    return out


def write_theater(theater: Theater, out: Path, *, dpi: int = 150, force: bool = False) -> dict[str, Path]:
    """Write ``theater.gpkg`` (layers cells, sites, assets, no_fire_zones, borders, countries),
    ``theater.json`` and ``theater.png`` into ``out``, atomically. Returns the final paths."""
    with atomic_output_dir(out, force=force) as tmp:
        gpkg = tmp / "theater.gpkg"
        for layer in LAYERS:
            gdf = getattr(theater, layer)
            plain_columns(gdf).to_file(gpkg, layer=layer, driver="GPKG", engine="pyogrio")
        (tmp / "theater.json").write_text(json.dumps(theater.summary(), indent=2) + "\n")
        plot_theater(theater, tmp / "theater.png", dpi=dpi)
    return {name: Path(out) / name for name in ("theater.gpkg", "theater.json", "theater.png")}
