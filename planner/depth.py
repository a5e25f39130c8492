"""Point defence: which border cells' drones pass a protected asset's point-defence site, as shares of their routes
(docs/formulation.md, "Point defence").

A drone's heading is uniform over the half-plane inland of its crossing (the route model of ``routes``) and it flies
at most its class's reach. A point-defence site holds a corridor of half-width w (``kill_chain.point_defence_reach_m``)
across the routes that pass it: from a cell's midpoint at a distance d, the headings bearing ± asin(w/d), a share
2·asin(w/d)/π of the cell's drones (all of them within w). Nearer sites claim their arcs first: a site's share is its
arc less its overlaps with the arcs of nearer sites, so a cell's shares are disjoint and never add up to more than
one (where three arcs overlap, a little less: the promise errs low). A drone is thus met by one point-defence site
at most, after the border's layers; every effector type there that reaches the corridor (engagement reach ≥ w, after
its reaction time and the nation's identification delay) may engage it, in layers by reach. A unit reaching farther is
credited with the corridor only, so the model errs low there too. Sites at assets take no part in the border's pairs.

With ``kill_chain.routes: to_assets`` a cell's drones fly straight to its nation's assets in reach instead, by value
(:func:`aimed_stops`): every inland site within w of a route is a stop on it, met in turn, each on the survivors of
the stops before (the formulation's ``pt_route`` and ``pt_order``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.config.catalog import Threat
from planner.geo.coverage import Coverage
from planner.routes import route_reach_m, targets_in_reach

__all__ = ["PointPairs", "Targets", "aimed_stops", "arc_shares", "magazine_by_traffic", "point_defence",
           "point_pairs"]


@dataclass(frozen=True)
class PointPairs:
    """Point-defence engagement pairs (cell, class, site, effector): the share of the cell's drones of the class
    whose route passes the site's corridor, and the share of the unit's magazine kept for the cell. ``route`` names
    the route (an id, unique per cell) and ``order`` the site's place along it (0 first): the drones on a route meet
    its sites in that order (with uniform headings each route has one site, its arc)."""

    cell: np.ndarray
    threat: np.ndarray
    site: np.ndarray
    effector: np.ndarray
    share: np.ndarray
    magazine: np.ndarray
    route: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def fields(self) -> dict[str, Any]:
        """The pairs as the planning problem's ``pt_*`` fields."""
        return {"pt_cell": self.cell, "pt_threat": self.threat, "pt_site": self.site, "pt_effector": self.effector,
                "pt_share": self.share, "pt_magazine": self.magazine, "pt_route": self.route, "pt_order": self.order}


def _empty() -> PointPairs:
    i, f = np.zeros(0, dtype=np.int64), np.zeros(0)
    return PointPairs(i, i, i, i, f, f, i, i)


def arc_shares(distance_m: np.ndarray, bearing: np.ndarray, width_m: float, route_m: float) -> np.ndarray:
    """(cells, sites) share of each cell's headings claimed by each site's corridor of half-width ``width_m``: its
    arc ± asin(w/d) over π, less its overlaps with the arcs of nearer sites; 0 for sites beyond ``route_m``. A site
    within w of the cell's midpoint takes every heading (the nearest such, if several; the others none)."""
    valid = distance_m <= route_m
    half = np.where(valid, np.arcsin(np.minimum(width_m / np.maximum(distance_m, 1e-9), 1.0)), 0.0)
    delta = np.abs(np.angle(np.exp(1j * (bearing[:, :, None] - bearing[:, None, :]))))
    overlap = np.clip(np.minimum(half[:, :, None] + half[:, None, :] - delta,
                                 2 * np.minimum(half[:, :, None], half[:, None, :])), 0.0, None)
    n = distance_m.shape[1]
    order = np.lexsort((np.broadcast_to(np.arange(n), distance_m.shape), distance_m), axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(n), distance_m.shape), axis=1)
    nearer = rank[:, None, :] < rank[:, :, None]  # [i, j, k]: site k is nearer cell i than site j
    claimed = (overlap * nearer * valid[:, None, :]).sum(axis=2)
    share = np.where(valid, np.clip(2 * half - claimed, 0.0, None) / np.pi, 0.0)
    # A site within w of the crossing lies on every route, whatever the bearing: the nearest such claims them all.
    full = valid & (distance_m <= width_m)
    hit = full.any(axis=1)
    share[hit] = 0.0
    share[np.flatnonzero(hit), np.argmin(np.where(full, distance_m, np.inf), axis=1)[hit]] = 1.0
    return share


@dataclass(frozen=True)
class Targets:
    """kill_chain.routes: to_assets: where drones fly, per asset: position, nation index and value weight."""

    xy: np.ndarray
    nation: np.ndarray
    weight: np.ndarray


def aimed_stops(cell_xy: np.ndarray, site_xy: np.ndarray, target_xy: np.ndarray, weight: np.ndarray,
                width_m: float, route_m: float) -> tuple[np.ndarray, ...]:
    """The routes of kill_chain.routes: to_assets and the sites on them. A cell's drones fly straight from its
    midpoint to the targets within ``route_m`` in proportion to ``weight``; a site within ``width_m`` of a route is
    one of its stops. Returns (cell, site, target, order along the route, the route's share of the cell's drones)
    for every stop, and (cells,) whether the cell has a target in reach (one without keeps the arcs)."""
    out: list[tuple[np.ndarray, ...]] = []
    aimed = np.zeros(len(cell_xy), dtype=bool)
    for i, c in enumerate(cell_xy):
        near, length, w = targets_in_reach(target_xy - c, weight, route_m)
        if not len(near) or not len(site_xy):
            continue
        aimed[i] = True
        u = (target_xy[near] - c) / length[:, None]
        v = site_xy - c
        along = v @ u.T  # (sites, targets)
        ends = np.clip(along, 0.0, length[None, :])
        gap = np.hypot(v[:, [0]] - ends * u[None, :, 0], v[:, [1]] - ends * u[None, :, 1])  # to the segment
        sj, a = np.nonzero(gap <= width_m)
        if not len(sj):
            continue
        rank = np.lexsort((sj, ends[sj, a], a))  # by route, then along it
        sj, a = sj[rank], a[rank]
        first = np.r_[0, np.flatnonzero(np.diff(a)) + 1]
        order = np.arange(len(a)) - np.repeat(first, np.diff(np.r_[first, len(a)]))
        out.append((np.full(len(a), i), sj, near[a], order, w[a]))
    if not out:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z, z, np.zeros(0), aimed
    return (*(np.concatenate([o[q] for o in out]) for q in range(5)), aimed)


def point_pairs(cell_xy: np.ndarray, site_xy: np.ndarray, cell_nation: np.ndarray, site_nation: np.ndarray,
                point: np.ndarray, reach_m: np.ndarray, route_m: np.ndarray, allowed: np.ndarray,
                blocked: np.ndarray, width_m: float, min_share: float, targets: Targets | None = None) -> PointPairs:
    """The point-defence pairs without their magazine shares (zeros).

    ``reach_m`` (nations, E, T) is each nation's engagement reach; ``route_m`` (T,) how far a class flies inland;
    ``allowed`` (N, T) where the rules let a cell's drones of a class be engaged; ``blocked`` (M, E) a site where an
    effector may not fire (a kinetic one in a no-fire zone). Each nation's sites pair with its own cells only.
    ``targets`` (kill_chain.routes: to_assets): drones fly to them, not over every heading (:func:`aimed_stops`:
    every site on a route is a stop, met in turn; a cell with none in reach keeps the arcs)."""
    parts: list[tuple[np.ndarray, ...]] = []
    base = 0  # route ids, unique over the nations and route reaches
    for n in range(reach_m.shape[0]):
        cells = np.flatnonzero(cell_nation == n)
        sites = np.flatnonzero(point & (site_nation == n))
        if not len(cells) or not len(sites):
            continue
        vec = site_xy[sites][None, :, :] - cell_xy[cells][:, None, :]
        dist, bearing = np.hypot(vec[..., 0], vec[..., 1]), np.arctan2(vec[..., 1], vec[..., 0])
        for route in np.unique(route_m):
            share = arc_shares(dist, bearing, width_m, float(route))
            stops: tuple[np.ndarray, ...] = ()
            if targets is not None:
                mine = np.flatnonzero(targets.nation == n)
                *stops, has = aimed_stops(cell_xy[cells], site_xy[sites], targets.xy[mine], targets.weight[mine],
                                          width_m, float(route))
                share[has] = 0.0  # these cells' drones fly the routes, not the arcs
            ci, sj = np.nonzero(share >= max(min_share, 1e-12))
            rows = [(ci, sj, base + ci * len(sites) + sj, np.zeros(len(ci), np.int64), share[ci, sj])]
            base += len(cells) * len(sites)
            if stops:
                keep = stops[4] >= max(min_share, 1e-12)
                a_ci, a_sj, a_t, a_order, a_w = (x[keep] for x in stops)
                rows.append((a_ci, a_sj, base + a_ci * len(mine) + a_t, a_order, a_w))
                base += len(cells) * max(len(mine), 1)
            for r_ci, r_sj, r_id, r_order, r_share in rows:
                for t in np.flatnonzero(route_m == route):
                    for e in np.flatnonzero(reach_m[n, :, t] >= width_m):
                        m = allowed[cells[r_ci], t] & ~blocked[sites[r_sj], e]
                        k = int(m.sum())
                        parts.append((cells[r_ci[m]], np.full(k, t), sites[r_sj[m]], np.full(k, e), r_share[m],
                                      r_id[m], r_order[m]))
    if not parts:
        return _empty()
    cat = [np.concatenate([p[q] for p in parts]) for q in range(7)]
    ints = [a.astype(np.int64) for a in cat]
    return PointPairs(*ints[:4], share=cat[4].astype(float), magazine=np.zeros(len(cat[4])), route=ints[5],
                      order=ints[6])


def magazine_by_traffic(pairs: PointPairs, demand: np.ndarray, n_effectors: int) -> np.ndarray:
    """(Q,) the share of a unit's magazine kept for each pair's cell, in proportion to the drones it may meet there
    (Σ over classes of share × drones a raid): a point-defence unit's cells are many and unequal. A unit's shares
    add up to one over its cells."""
    traffic = pairs.share * demand[pairs.cell, pairs.threat]
    unit = pairs.site * n_effectors + pairs.effector
    total = np.bincount(unit, weights=traffic)
    keys, inverse = np.unique(unit * (int(pairs.cell.max(initial=0)) + 1) + pairs.cell, return_inverse=True)
    per_cell = np.bincount(inverse, weights=traffic, minlength=len(keys))
    return np.divide(per_cell[inverse], total[unit], out=np.zeros(len(unit)), where=total[unit] > 0)


def point_defence(cfg: Any, threats: Sequence[Threat], coverage: Coverage, reach_m: np.ndarray,
                  cell_nation: np.ndarray, site_nation: np.ndarray, allowed: np.ndarray, blocked: np.ndarray,
                  demand: np.ndarray) -> PointPairs:
    """kill_chain.point_defence: the pairs of the inland sites (at the protected assets, and the rows of
    kill_chain.depth_rows_m) with their magazine shares (none when the scenario has no such sites)."""
    kc = cfg.kill_chain
    if not kc.point_defence or not coverage.site_point.any():
        return _empty()
    route = route_reach_m(cfg, threats)
    targets = None
    if coverage.routes_to_assets:
        nations = list(cfg.geodata.defenders)  # the problem's nation order
        targets = Targets(coverage.asset_xy, np.array([nations.index(c) if c in nations else -1
                                                       for c in coverage.asset_defender.tolist()], dtype=np.int64),
                          coverage.asset_weight)
    pairs = point_pairs(coverage.cell_xy, coverage.site_xy, cell_nation, site_nation, coverage.site_point, reach_m,
                        route, allowed, blocked, kc.point_defence_reach_m, kc.point_defence_min_share, targets)
    return dataclasses.replace(pairs, magazine=magazine_by_traffic(pairs, demand, blocked.shape[1]))
