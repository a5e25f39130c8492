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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.config.catalog import Threat
from planner.geo.coverage import Coverage
from planner.routes import route_reach_m

__all__ = ["PointPairs", "Targets", "aimed_shares", "arc_shares", "magazine_by_traffic", "point_defence",
           "point_pairs"]


@dataclass(frozen=True)
class PointPairs:
    """Point-defence engagement pairs (cell, class, site, effector): the share of the cell's drones of the class
    whose route passes the site's corridor, and the share of the unit's magazine kept for the cell."""

    cell: np.ndarray
    threat: np.ndarray
    site: np.ndarray
    effector: np.ndarray
    share: np.ndarray
    magazine: np.ndarray

    def fields(self) -> dict[str, Any]:
        """The pairs as the planning problem's ``pt_*`` fields."""
        return {"pt_cell": self.cell, "pt_threat": self.threat, "pt_site": self.site, "pt_effector": self.effector,
                "pt_share": self.share, "pt_magazine": self.magazine}


def _empty() -> PointPairs:
    i, f = np.zeros(0, dtype=np.int64), np.zeros(0)
    return PointPairs(i, i, i, i, f, f)


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


def aimed_shares(cell_xy: np.ndarray, site_xy: np.ndarray, target_xy: np.ndarray, weight: np.ndarray,
                 width_m: float, route_m: float) -> tuple[np.ndarray, np.ndarray]:
    """(cells, sites) share of each cell's drones whose straight route from its midpoint to a target passes a site's
    corridor first, and (cells,) whether the cell has a target within ``route_m``. A cell's drones go to the targets
    within reach in proportion to ``weight``; each route belongs to the first site within ``width_m`` of it (the
    nearest along it, built or not, as the arcs are claimed), so a cell's shares add up to at most one."""
    share = np.zeros((len(cell_xy), len(site_xy)))
    aimed = np.zeros(len(cell_xy), dtype=bool)
    for i, c in enumerate(cell_xy):
        to = target_xy - c
        length = np.hypot(to[:, 0], to[:, 1])
        near = (length <= route_m) & (length > 0) & (weight > 0)
        if not near.any() or not len(site_xy):
            continue
        aimed[i] = True
        u = to[near] / length[near, None]
        v = site_xy - c
        along = v @ u.T  # (sites, targets)
        across = np.abs(v[:, [0]] * u[None, :, 1] - v[:, [1]] * u[None, :, 0])
        ends = np.clip(along, 0.0, length[near][None, :])
        gap = np.where((along >= 0) & (along <= length[near][None, :]), across,
                       np.hypot(v[:, [0]] - ends * u[None, :, 0], v[:, [1]] - ends * u[None, :, 1]))
        on = gap <= width_m
        hit = on.any(axis=0)
        first = np.argmin(np.where(on, ends, np.inf), axis=0)
        w = weight[near] / weight[near].sum()
        np.add.at(share[i], first[hit], w[hit])
    return share, aimed


def point_pairs(cell_xy: np.ndarray, site_xy: np.ndarray, cell_nation: np.ndarray, site_nation: np.ndarray,
                point: np.ndarray, reach_m: np.ndarray, route_m: np.ndarray, allowed: np.ndarray,
                blocked: np.ndarray, width_m: float, min_share: float, targets: Targets | None = None) -> PointPairs:
    """The point-defence pairs without their magazine shares (zeros).

    ``reach_m`` (nations, E, T) is each nation's engagement reach; ``route_m`` (T,) how far a class flies inland;
    ``allowed`` (N, T) where the rules let a cell's drones of a class be engaged; ``blocked`` (M, E) a site where an
    effector may not fire (a kinetic one in a no-fire zone). Each nation's sites pair with its own cells only.
    ``targets`` (kill_chain.routes: to_assets): drones fly to them, not over every heading (:func:`aimed_shares`;
    a cell with none in reach keeps the arcs)."""
    parts: list[tuple[np.ndarray, ...]] = []
    for n in range(reach_m.shape[0]):
        cells = np.flatnonzero(cell_nation == n)
        sites = np.flatnonzero(point & (site_nation == n))
        if not len(cells) or not len(sites):
            continue
        vec = site_xy[sites][None, :, :] - cell_xy[cells][:, None, :]
        dist, bearing = np.hypot(vec[..., 0], vec[..., 1]), np.arctan2(vec[..., 1], vec[..., 0])
        for route in np.unique(route_m):
            share = arc_shares(dist, bearing, width_m, float(route))
            if targets is not None:
                mine = targets.nation == n
                aimed, has = aimed_shares(cell_xy[cells], site_xy[sites], targets.xy[mine], targets.weight[mine],
                                          width_m, float(route))
                share[has] = aimed[has]
            ci, sj = np.nonzero(share >= max(min_share, 1e-12))
            for t in np.flatnonzero(route_m == route):
                for e in np.flatnonzero(reach_m[n, :, t] >= width_m):
                    m = allowed[cells[ci], t] & ~blocked[sites[sj], e]
                    k = int(m.sum())
                    parts.append((cells[ci[m]], np.full(k, t), sites[sj[m]], np.full(k, e), share[ci[m], sj[m]]))
    if not parts:
        return _empty()
    cat = [np.concatenate([p[q] for p in parts]) for q in range(5)]
    return PointPairs(*(a.astype(np.int64) for a in cat[:4]), share=cat[4].astype(float), magazine=np.zeros(len(cat[4])))


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


def asset_weights(coverage: Coverage, airport_residents: float) -> np.ndarray:
    """A target's weight under kill_chain.routes: to_assets: a city's population, an airport's
    theater.airport_value_residents (the value model's weights)."""
    return np.where(coverage.asset_city, coverage.asset_population, float(airport_residents))


def point_defence(cfg: Any, threats: Sequence[Threat], coverage: Coverage, reach_m: np.ndarray,
                  cell_nation: np.ndarray, site_nation: np.ndarray, allowed: np.ndarray, blocked: np.ndarray,
                  demand: np.ndarray) -> PointPairs:
    """kill_chain.point_defence: the pairs of the sites at protected assets with their magazine shares (none when
    the scenario has no such sites)."""
    kc = cfg.kill_chain
    if not kc.point_defence or not coverage.site_point.any():
        return _empty()
    route = route_reach_m(cfg, threats)
    targets = None
    if kc.routes == "to_assets":
        nations = list(cfg.geodata.defenders)  # the problem's nation order
        targets = Targets(coverage.asset_xy, np.array([nations.index(c) if c in nations else -1
                                                       for c in coverage.asset_defender.tolist()], dtype=np.int64),
                          asset_weights(coverage, cfg.theater.airport_value_residents))
    pairs = point_pairs(coverage.cell_xy, coverage.site_xy, cell_nation, site_nation, coverage.site_point, reach_m,
                        route, allowed, blocked, kc.point_defence_reach_m, kc.point_defence_min_share, targets)
    return PointPairs(pairs.cell, pairs.threat, pairs.site, pairs.effector, pairs.share,
                      magazine_by_traffic(pairs, demand, blocked.shape[1]))
