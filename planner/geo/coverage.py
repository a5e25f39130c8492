"""The coverage stage: where cells and sites stand, which of them are in no-fire zones, which (cell, site) pairs
lie within a distance of each other, and on which site each unit in service stands — the geometry the planning
problem needs, as numpy arrays.

:func:`build_coverage` does the geometry once per theater (midpoints, no-fire masks, a KD-tree over the
sites); :meth:`Coverage.pairs` answers "which pairs within r metres" from it, so a catalog draw (uncertainty,
robust planning) with other ranges reuses the coverage instead of redoing the geometry. ``planner.problem``
turns these arrays and the catalogs' physics into the problem; it imports no geometry library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from planner.config.io import Scenario, display_path
from planner.errors import ConfigError
from planner.geo.theater import Theater

__all__ = ["Coverage", "Pairs", "build_coverage", "snap_in_service"]


@dataclass(frozen=True)
class Pairs:
    """(cell, site) pairs within some distance: indices and distances (metres), in the KD-tree's order (which
    decides the order of the model's rows, and so which of several equally good plans a solver returns)."""

    cell: np.ndarray  # (P,) int64
    site: np.ndarray  # (P,) int64
    distance_m: np.ndarray  # (P,) float

    def within(self, radius_m: float) -> Pairs:
        keep = self.distance_m <= radius_m
        return Pairs(self.cell[keep], self.site[keep], self.distance_m[keep])


@dataclass(frozen=True)
class Coverage:
    """A theater's geometry as arrays: positions in its metric CRS, no-fire masks, nations, and pair queries."""

    cell_xy: np.ndarray  # (N, 2) midpoints of the border cells
    site_xy: np.ndarray  # (M, 2) candidate sites
    cell_no_fire: np.ndarray  # (N,) share of the cell's length inside no-fire zones (0 to 1)
    site_no_fire: np.ndarray  # (M,) bool: the site lies in a no-fire zone
    cell_defender: np.ndarray  # (N,) defending nation's name
    site_defender: np.ndarray  # (M,)
    #: (site index, system id) of each unit in service (systems.in_service), snapped to its nearest site.
    in_service: tuple[tuple[int, str], ...] = ()
    #: Every protected asset on a leaker's possible routes (Theater.route_assets): position, whether a city (else
    #: an airport), population.
    asset_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    asset_city: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    asset_population: np.ndarray = field(default_factory=lambda: np.zeros(0))
    asset_defender: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    #: kill_chain.routes: to_assets: drones fly to their nation's assets, chosen by these weights (a city's
    #: population, an airport's theater.airport_value_residents); False: every heading inland alike.
    asset_weight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    routes_to_assets: bool = False
    #: (M,) bool: the site stands at a protected asset (kill_chain.point_defence), not in the rows along the border.
    site_point: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    _widest: dict[float, Pairs] = field(default_factory=dict, compare=False, repr=False)  # radius -> pairs

    def pairs(self, radius_m: float, *, cross_border: bool = True) -> Pairs:
        """Every (cell, site) pair within ``radius_m`` (only a nation's own pairs unless ``cross_border``).

        The widest query so far is kept; a narrower one filters it, a wider one queries the KD-tree again."""
        known = max(self._widest, default=-1.0)
        if known < radius_m:
            found = cKDTree(self.cell_xy).sparse_distance_matrix(cKDTree(self.site_xy), max_distance=radius_m,
                                                                   output_type="ndarray")
            i, j = found["i"].astype(np.int64), found["j"].astype(np.int64)
            self._widest.clear()
            self._widest[radius_m] = Pairs(i, j, np.asarray(found["v"], dtype=float))
            known = radius_m
        out = self._widest[known].within(radius_m)
        if not cross_border:
            own = self.cell_defender[out.cell] == self.site_defender[out.site]
            out = Pairs(out.cell[own], out.site[own], out.distance_m[own])
        return out


def snap_in_service(scenario: Scenario, theater: Theater, site_xy: np.ndarray) -> tuple[tuple[int, str], ...]:
    """Each unit in service (systems.in_service) snapped to its nearest candidate site: (site index, system id).
    A unit farther than ``systems.in_service_snap_m`` from every site, or a second unit of a system on one site,
    is a :class:`ConfigError` naming the entry."""
    cfg = scenario.config.systems
    if not cfg.in_service:
        return ()
    lon = np.array([u.lon for u in cfg.in_service])
    lat = np.array([u.lat for u in cfg.in_service])
    # pyproj on lists (what GeoSeries.to_crs does): one-element arrays took pyproj's point path, which warns under
    # numpy 1.26 before pyproj 3.7.2 (make test-lowest)
    x, y = Transformer.from_crs("EPSG:4326", theater.crs, always_xy=True).transform(lon.tolist(), lat.tolist())
    xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    dist, idx = cKDTree(site_xy).query(xy)
    problems = []
    placed: list[tuple[int, str]] = []
    for k, unit in enumerate(cfg.in_service):
        where = f"systems.in_service[{k}]"
        site = theater.sites["site_id"].iloc[idx[k]]
        if dist[k] > cfg.in_service_snap_m:
            problems.append((where, f"'{unit.system}' at {unit.lat:.4f}N {unit.lon:.4f}E is {dist[k] / 1000:.1f} km "
                                    f"from the nearest candidate site ({site}); check lon/lat or raise "
                                    "systems.in_service_snap_m"))
            continue
        if (int(idx[k]), unit.system) in placed:
            problems.append((where, f"a second '{unit.system}' falls on {site}: one unit of a system per site; "
                                    "move one of them"))
        placed.append((int(idx[k]), unit.system))
    if problems:
        raise ConfigError(problems, source=display_path(scenario.path))
    return tuple(placed)


def no_fire_shares(lines: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Per cell (a stretch of border, ``lines``), the share of its length inside the no-fire ``zones``: the share of
    its crossings over which kinetic effectors may not fire (drones cross a cell uniformly along it, as the
    independent simulation draws them)."""
    lines, inside = np.asarray(lines, dtype=object), np.zeros(len(lines))
    if not len(zones) or not len(lines):
        return inside
    union = shapely.union_all(zones)
    hit = np.asarray(shapely.intersects(lines, union), dtype=bool)  # only these (shapely 2.0.0 warns on the others)
    inside[hit] = shapely.length(shapely.intersection(lines[hit], union))
    length = shapely.length(lines)
    share = np.divide(inside, length, out=np.zeros(len(lines)), where=length > 0)
    return np.clip(np.where(share > 1 - 1e-9, 1.0, share), 0.0, 1.0)


def build_coverage(theater: Theater, scenario: Scenario) -> Coverage:
    """The theater's geometry as arrays (positions, no-fire masks, nations) and where the scenario's units in
    service stand."""
    cells, sites = theater.cells, theater.sites
    mids = shapely.line_interpolate_point(cells.geometry.values, 0.5, normalized=True)
    cell_xy = np.asarray(shapely.get_coordinates(mids)).reshape(-1, 2)
    cell_no_fire = no_fire_shares(cells.geometry.values, theater.no_fire_zones.geometry.values)
    site_xy = np.asarray(shapely.get_coordinates(sites.geometry.values)).reshape(-1, 2)
    assets = theater.route_assets if theater.route_assets is not None else theater.assets
    return Coverage(asset_xy=np.asarray(shapely.get_coordinates(assets.geometry.values)).reshape(-1, 2),
                    asset_city=(assets["kind"] == "city").to_numpy(bool),
                    asset_population=assets["population"].fillna(0).to_numpy(float),
                    asset_defender=assets["country"].to_numpy(str),
                    asset_weight=np.where(assets["kind"] == "city", assets["population"].fillna(0).to_numpy(float),
                                          float(scenario.config.theater.airport_value_residents)),
                    routes_to_assets=scenario.config.kill_chain.routes == "to_assets",
                    cell_xy=cell_xy, site_xy=site_xy, cell_no_fire=cell_no_fire,
                    site_no_fire=sites["in_no_fire_zone"].to_numpy(bool),
                    site_point=(sites["kind"] == "point").to_numpy(bool) if "kind" in sites else np.zeros(len(sites), bool),
                    cell_defender=cells["defender"].to_numpy(str),
                    site_defender=sites["defender"].to_numpy(str),
                    in_service=snap_in_service(scenario, theater, site_xy))
