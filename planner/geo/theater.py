"""The theater: border cells, candidate sites and protected assets, ready for the optimizer.

Cells cut each border into pieces of about ``cell_length_m``; candidate sites stand in rows at
``site_depths_m`` inland, every ``site_spacing_m`` along the border, always on the defender's own
land, and (``kill_chain.point_defence``) one at each protected asset, just outside its no-fire zone on the
side facing its nearest border. This module knows geometry and nothing of the LP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import LineString, Point
from shapely.ops import substring

from planner.config.io import Scenario
from planner.geo.borders import Geodata, load_geodata
from planner.physics import disc_radius_m
from planner.sizes import check_size

log = logging.getLogger(__name__)

#: Candidate sites must stand at least this share of their depth away from the border line.
MIN_DEPTH_SHARE = 0.5


@dataclass(frozen=True)
class Theater:
    """Everything spatial the optimizer needs, in one metric CRS."""

    scenario_name: str
    config_hash: str
    crs: CRS
    crs_reason: str
    countries: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    assets: gpd.GeoDataFrame
    no_fire_zones: gpd.GeoDataFrame
    threat_ids: tuple[str, ...]
    #: Every protected asset of the defenders, however far from the border (``assets`` keeps those within
    #: theater.asset_max_distance_m, attached to their nearest cell): the targets on a leaker's routes.
    route_assets: gpd.GeoDataFrame | None = None

    def summary(self) -> dict[str, object]:
        per_nation = (
            self.cells.groupby("defender")
            .agg(cells=("cell_id", "size"), border_km=("length_m", lambda s: round(s.sum() / 1000, 1)))
            .join(self.sites.groupby("defender").size().rename("sites"))
            .fillna(0)
        )
        return {
            "scenario": self.scenario_name,
            "config_hash": self.config_hash,
            "crs": self.crs.to_string(),
            "crs_reason": self.crs_reason,
            "borders": int(len(self.borders)),
            "border_km": round(float(self.cells["length_m"].sum()) / 1000, 1),
            "cells": int(len(self.cells)),
            "sites": int(len(self.sites)),
            "assets": int(len(self.assets)),
            "no_fire_zones": int(len(self.no_fire_zones)),
            "expected_drones_per_raid": {
                t: round(float(self.cells[f"raid_{t}"].sum()), 2) for t in self.threat_ids
            },
            "per_nation": {
                str(k): {"cells": int(v["cells"]), "sites": int(v["sites"]), "border_km": float(v["border_km"])}
                for k, v in per_nation.iterrows()
            },
        }


def _parts(geom: shapely.Geometry) -> list[LineString]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "LineString" and g.length > 0]


def build_cells(borders: gpd.GeoDataFrame, cell_length_m: float) -> gpd.GeoDataFrame:
    """Cut each border line into cells of nearly equal length close to ``cell_length_m``.

    A border part shorter than a cell becomes one cell. Columns: cell_id, border_id, defender,
    neighbour, part, chainage_m (start along the part), length_m.
    """
    rows = []
    for b in borders.itertuples(index=False):
        for p, line in enumerate(_parts(b.geometry)):
            n = max(1, round(line.length / cell_length_m))
            edges = np.linspace(0.0, line.length, n + 1)
            for k in range(n):
                seg = substring(line, edges[k], edges[k + 1])
                rows.append({"border_id": b.border_id, "defender": b.defender, "neighbour": b.neighbour,
                             "part": p, "chainage_m": float(edges[k]), "length_m": float(seg.length),
                             "geometry": seg})
    cells = gpd.GeoDataFrame(rows, geometry="geometry", crs=borders.crs)
    cells.insert(0, "cell_id", [f"cell-{i:06d}" for i in range(len(cells))])
    return cells


def _unit_normal(line: LineString, s: float, half: float) -> tuple[float, float]:
    a = line.interpolate(max(0.0, s - half))
    b = line.interpolate(min(line.length, s + half))
    dx, dy = b.x - a.x, b.y - a.y
    norm = float(np.hypot(dx, dy))
    if norm == 0:
        return 0.0, 0.0
    return -dy / norm, dx / norm


def build_sites(
    borders: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    spacing_m: float,
    depths_m: list[float],
) -> gpd.GeoDataFrame:
    """Candidate sites in rows inland of each border, on the defender's own territory only.

    At each station along the border the site is put ``depth`` away along the normal, on the side
    that lies in the defender's polygon. A site is kept only if it is inside that polygon and at
    least ``MIN_DEPTH_SHARE * depth`` from every border line (a wiggly border may fold back).
    """
    territory = countries[countries["role"] == "defender"].dissolve(by="country").geometry
    all_borders = shapely.union_all(borders.geometry.values)
    shapely.prepare(all_borders)
    rows = []
    for b in borders.itertuples(index=False):
        land = territory[b.defender]
        shapely.prepare(land)
        for p, line in enumerate(_parts(b.geometry)):
            n = max(1, int(line.length // spacing_m))
            stations = (np.arange(n) + 0.5) * (line.length / n)
            half = min(spacing_m / 2, 2_000.0)
            for s in stations:
                nx, ny = _unit_normal(line, s, half)
                if nx == 0 and ny == 0:
                    continue
                base = line.interpolate(s)
                for depth in depths_m:
                    for sign in (1.0, -1.0):
                        pt = Point(base.x + sign * depth * nx, base.y + sign * depth * ny)
                        if land.contains(pt) and all_borders.distance(pt) >= MIN_DEPTH_SHARE * depth:
                            rows.append({"border_id": b.border_id, "defender": b.defender, "part": p,
                                         "chainage_m": float(s), "depth_m": float(depth), "geometry": pt})
                            break
    sites = gpd.GeoDataFrame(rows, columns=["border_id", "defender", "part", "chainage_m", "depth_m",
                                            "geometry"], geometry="geometry", crs=borders.crs)
    sites.insert(0, "site_id", [f"site-{i:05d}" for i in range(len(sites))])
    sites["distance_to_border_m"] = all_borders.distance(sites.geometry.values) if len(sites) else []
    return sites


def build_point_sites(assets: gpd.GeoDataFrame, borders: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
                      scenario: Scenario) -> gpd.GeoDataFrame:
    """A candidate site per protected asset (kind ``point``): from the asset towards the nearest point of its
    nation's borders, ``kill_chain.point_defence_standoff_m`` beyond the edge of its no-fire zone. An asset nearer
    its border than that (the border rows cover it) or whose site would leave its nation's land gets none."""
    cfg = scenario.config
    buf = cfg.roe.no_fire_buffers
    rows = []
    territory = countries[countries["role"] == "defender"].dissolve(by="country").geometry
    for nation in sorted(set(assets["country"])):
        lines = borders[borders["defender"] == nation]
        if lines.empty or nation not in territory.index:
            continue
        land, line = territory[nation], shapely.union_all(lines.geometry.values)
        for a in assets[assets["country"] == nation].itertuples(index=False):
            near = shapely.get_coordinates(shapely.shortest_line(a.geometry, line))[-1]
            vec = near - np.array([a.geometry.x, a.geometry.y])
            dist = float(np.hypot(*vec))
            offset = (buf.city_m if a.kind == "city" else buf.airport_m) + cfg.kill_chain.point_defence_standoff_m
            if dist <= offset + 1.0:
                continue
            pt = Point(a.geometry.x + vec[0] / dist * offset, a.geometry.y + vec[1] / dist * offset)
            if not land.contains(pt):
                continue
            border_id = lines.iloc[int(np.argmin(lines.distance(pt).to_numpy()))]["border_id"]
            rows.append({"site_id": f"point-{a.asset_id}", "border_id": border_id, "defender": nation, "part": -1,
                         "chainage_m": np.nan, "depth_m": dist - offset, "kind": "point", "asset_id": a.asset_id,
                         "geometry": pt, "distance_to_border_m": float(line.distance(pt))})
    columns = ["site_id", "border_id", "defender", "part", "chainage_m", "depth_m", "kind", "asset_id", "geometry",
               "distance_to_border_m"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=borders.crs)


def _threat_weights(cells: gpd.GeoDataFrame, scenario: Scenario) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """Expected drones per raid in each cell, per threat class (columns ``raid_<threat>``)."""
    density = scenario.config.threats.density
    threat_ids = tuple(dict.fromkeys(d.threat for d in density))
    for t in threat_ids:
        # A border-specific entry replaces the 'all' entry of the same threat on that border.
        specific: dict[str, float] = {}
        default = 0.0
        for d in density:
            if d.threat != t:
                continue
            if d.borders == "all":
                default = d.drones_per_raid_per_100km
            else:
                specific.update({b: d.drones_per_raid_per_100km for b in d.borders})
        per_100km = cells["border_id"].map(lambda b, s=specific, dflt=default: s.get(b, dflt))
        cells[f"raid_{t}"] = per_100km * cells["length_m"] / 100_000.0
    return cells, threat_ids


def _attach_assets(assets: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, scenario: Scenario) -> gpd.GeoDataFrame:
    theater = scenario.config.theater
    if assets.empty:
        out = assets.copy()
        for col in ("cell_id", "distance_to_border_m", "value"):
            out[col] = pd.Series(dtype=float if col != "cell_id" else object)
        return out
    joined = gpd.sjoin_nearest(assets, cells[["cell_id", "geometry"]], how="left",
                               distance_col="distance_to_border_m")
    joined = joined[~joined.index.duplicated(keep="first")].drop(columns="index_right")
    joined = joined[joined["distance_to_border_m"] <= theater.asset_max_distance_m].copy()
    joined["value"] = np.where(
        joined["kind"] == "city",
        joined["population"].astype(float) / 100_000.0,
        theater.airport_value_residents / 100_000.0,
    )
    return joined.reset_index(drop=True)


def _no_fire_zones(assets: gpd.GeoDataFrame, scenario: Scenario,
                   settlements: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """No-fire zones: a disc around each protected city and airport (roe.no_fire_buffers) and, where a nation holds
    fire over built-up areas, around each of its settlements (kind ``built_up``)."""
    roe = scenario.config.roe
    radius = np.where(assets["kind"] == "city", roe.no_fire_buffers.city_m, roe.no_fire_buffers.airport_m).astype(float)
    keep = radius > 0
    frames = [pd.DataFrame({"asset_id": assets.loc[keep, "asset_id"].values, "kind": assets.loc[keep, "kind"].values,
                            "name": assets.loc[keep, "name"].values, "radius_m": radius[keep]})]
    points = [np.asarray(assets.geometry[keep].values)]
    if settlements is not None and len(settlements):
        frames.append(pd.DataFrame({"asset_id": "", "kind": "built_up", "name": settlements["name"].values,
                                    "radius_m": disc_radius_m(settlements["population"].to_numpy(float),
                                                              roe.built_up_density_per_km2, roe.built_up_margin_m)}))
        points.append(np.asarray(settlements.geometry.values))
    table = pd.concat(frames, ignore_index=True)
    # shapely's own buffer: GeoSeries.buffer's keyword for the arc segments changed across geopandas 1.x
    return gpd.GeoDataFrame(table, geometry=shapely.buffer(np.concatenate(points), table["radius_m"].to_numpy(float),
                                                           quad_segs=16), crs=assets.crs)


def build_theater(scenario: Scenario, geodata: Geodata | None = None) -> Theater:
    """Build cells, sites, assets and no-fire zones for a validated scenario.

    First estimates the problem's size (:func:`planner.sizes.check_size`): a scenario too large for
    ``solver.memory_limit_gb`` is refused here, before anything large is built."""
    geodata = geodata or load_geodata(scenario)
    check_size(scenario, geodata)
    th = scenario.config.theater
    cells = build_cells(geodata.borders, th.cell_length_m)
    cells, threat_ids = _threat_weights(cells, scenario)
    sites = build_sites(geodata.borders, geodata.countries, spacing_m=th.site_spacing_m, depths_m=th.site_depths_m)
    assets = _attach_assets(geodata.assets, cells, scenario)
    sites["kind"], sites["asset_id"] = "border", ""
    if scenario.config.kill_chain.point_defence and len(assets):
        points = build_point_sites(assets, geodata.borders, geodata.countries, scenario)
        sites = pd.concat([sites, points[sites.columns]], ignore_index=True) if len(points) else sites
    if scenario.config.kill_chain.depth_rows_m:  # rows in depth: engaged on the routes, as point defence is
        rows = build_sites(geodata.borders, geodata.countries, spacing_m=th.site_spacing_m,
                           depths_m=scenario.config.kill_chain.depth_rows_m)
        rows["site_id"] = [f"depth-{i:05d}" for i in range(len(rows))]
        rows["kind"], rows["asset_id"] = "point", ""
        sites = pd.concat([sites, rows[sites.columns]], ignore_index=True) if len(rows) else sites
    zones = _no_fire_zones(assets, scenario, geodata.settlements)
    # A site in a city's or an airport's zone may not fire; one in a built-up area may (what falls, falls around
    # the intercept, which the cell's share of no-fire zones accounts for).
    sited = zones[zones["kind"] != "built_up"]
    if len(sited) and len(sites):
        hit = gpd.sjoin(sites[["site_id", "geometry"]], sited[["geometry"]], predicate="within", how="inner")
        sites["in_no_fire_zone"] = sites["site_id"].isin(set(hit["site_id"]))
    else:
        sites["in_no_fire_zone"] = False
    cells = cells.merge(
        assets.groupby("cell_id").agg(asset_count=("asset_id", "size"), asset_value=("value", "sum")),
        left_on="cell_id", right_index=True, how="left",
    ).fillna({"asset_count": 0, "asset_value": 0.0})
    cells["asset_count"] = cells["asset_count"].astype(int)
    theater = Theater(
        scenario_name=scenario.name, config_hash=scenario.config_hash(), crs=geodata.crs,
        crs_reason=geodata.crs_reason, countries=geodata.countries, borders=geodata.borders, cells=cells,
        sites=sites, assets=assets, no_fire_zones=zones, threat_ids=threat_ids, route_assets=geodata.assets,
    )
    log.info("Theater: %d cells, %d candidate sites, %d assets", len(cells), len(sites), len(assets))
    return theater
