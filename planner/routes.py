"""Where a drone that crosses a border cell may go: the protected assets on its possible routes, as shares of its
headings (docs/formulation.md, "Consequence value").

A leaker's heading is uniform over the half-plane inland (the defender cannot know it) and it flies at most a
reach. An asset of radius r at a distance d lies within asin(r/d) of the line of sight. :func:`route_exposure`
sums those shares (expected city strikes, capped at one; expected airports passed); :func:`threatening_share`
takes their union (the share of drones whose route leads to some asset: ``roe.engage_only_threatening``).

With ``kill_chain.routes: to_assets`` a cell's drones fly to its nation's assets within reach instead, in proportion to
their value (``Coverage.asset_weight``): a leaker strikes its target city or closes its target airport (and any airport
its route passes), and every such drone threatens an asset; a cell with none in reach keeps the uniform figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from planner.config.catalog import Threat
from planner.config.consequence import ConsequenceConfig
from planner.geo.coverage import Coverage
from planner.physics import disc_radius_m

#: Cells per block of the cell × asset distance matrix.
_CHUNK = 2048


def class_reach_m(consequence: ConsequenceConfig, threats: Sequence[Threat]) -> np.ndarray:
    """(T,) how far inland each class's targets may lie: the route reach, or the class's range if shorter."""
    return np.array([min(consequence.route_reach_m, 1000.0 * t.range_km.value) if t.range_km is not None
                     else consequence.route_reach_m for t in threats])


def route_reach_m(cfg: Any, threats: Sequence[Threat]) -> np.ndarray:
    """(T,) :func:`class_reach_m` under the scenario's consequence model, or its defaults."""
    return class_reach_m(cfg.objective.consequence or ConsequenceConfig(), threats)


def engage_shares(cfg: Any, threats: Sequence[Threat], coverage: Coverage) -> np.ndarray | None:
    """roe.engage_only_threatening: the share of each cell's and class's drones that may be engaged (N, T), those
    whose route leads to a protected asset (the route model of objective.consequence, or its defaults); None
    when the rules let every detected drone be engaged."""
    if not cfg.roe.engage_only_threatening:
        return None
    consequence = cfg.objective.consequence or ConsequenceConfig()
    return threatening_share(coverage, consequence, class_reach_m(consequence, threats))


def _radii(coverage: Coverage, consequence: ConsequenceConfig) -> np.ndarray:
    """An asset's radius: a city's disc of its population at the urban density; an airport's closure radius."""
    return np.where(coverage.asset_city,
                    disc_radius_m(coverage.asset_population, consequence.urban_density_per_km2),
                    consequence.airport_closure_radius_m)


def heading_share(radius_m: np.ndarray, distance_m: np.ndarray) -> np.ndarray:
    """Share of the headings over a half-plane that pass within ``radius_m`` of a point ``distance_m`` away: those
    within asin(r/d) of the line of sight, 2·asin(r/d)/π (all of them from inside the disc)."""
    return 2.0 * np.arcsin(np.minimum(radius_m / np.maximum(distance_m, 1e-9), 1.0)) / np.pi


def route_exposure(coverage: Coverage, consequence: ConsequenceConfig,
                   reach_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell and class (N, T): the expected city strikes of one leaker (≤ 1) and the airports its route passes.

    A leaker's heading is uniform over the half-plane inland and it flies at most ``reach_m`` (T,). An asset of
    radius r at a distance d > r from the cell's midpoint lies on a share 2·asin(r/d)/π of its headings: a city's r
    is the radius of a disc of its population at the urban density, an airport's the closure radius."""
    n, t = len(coverage.cell_xy), len(reach_m)
    strikes, passes = np.zeros((n, t)), np.zeros((n, t))
    if n == 0 or len(coverage.asset_xy) == 0:
        return strikes, passes
    city = coverage.asset_city
    radius = _radii(coverage, consequence)
    for lo in range(0, n, _CHUNK):  # cells × assets, a block of cells at a time
        hi = min(lo + _CHUNK, n)
        dist = np.linalg.norm(coverage.cell_xy[lo:hi, None, :] - coverage.asset_xy[None, :, :], axis=2)
        share = heading_share(radius[None, :], dist)
        for k, reach in enumerate(reach_m):
            near = np.where(dist <= reach, share, 0.0)
            strikes[lo:hi, k] = np.minimum(near[:, city].sum(axis=1), 1.0)
            if consequence.airport_closure_radius_m > 0:
                passes[lo:hi, k] = near[:, ~city].sum(axis=1)
    if coverage.routes_to_assets:
        _aimed_exposure(coverage, consequence, reach_m, strikes, passes)
        if consequence.airport_closure_radius_m <= 0:
            passes[:] = 0.0
    return strikes, passes


def targets_in_reach(offset_m: np.ndarray, weight: np.ndarray, reach: float) -> tuple[np.ndarray, ...]:
    """kill_chain.routes: to_assets, from one crossing: the targets (rows of ``offset_m``, each asset's position less
    the crossing's) a drone may fly to, those within ``reach`` with a weight, their distances and their shares of the
    drones (in proportion to ``weight``); all empty where none is in reach."""
    length = np.hypot(offset_m[:, 0], offset_m[:, 1])
    near = np.flatnonzero((length <= reach) & (length > 0) & (weight > 0))
    w = weight[near]
    return near, length[near], (w / w.sum() if len(near) else w)


def _targets(coverage: Coverage, i: int, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """The assets cell i's drones fly to (its nation's, :func:`targets_in_reach`) and their shares of its drones."""
    own = np.where(coverage.asset_defender == coverage.cell_defender[i], coverage.asset_weight, 0.0)
    near, _, w = targets_in_reach(coverage.asset_xy - coverage.cell_xy[i], own, reach)
    return near, w


def _aimed_exposure(coverage: Coverage, consequence: ConsequenceConfig, reach_m: np.ndarray, strikes: np.ndarray,
                    passes: np.ndarray) -> None:
    """:func:`route_exposure` where drones fly to the assets (cells with none in reach keep the uniform figures): a
    leaker strikes its target city, or closes its target airport, and closes every other airport whose closure
    radius its route passes."""
    airports = np.flatnonzero(~coverage.asset_city)
    for i in range(len(coverage.cell_xy)):
        for k, reach in enumerate(reach_m):
            near, w = _targets(coverage, i, float(reach))
            if not len(near):
                continue
            strikes[i, k] = float(w[coverage.asset_city[near]].sum())
            c = coverage.cell_xy[i]
            to = coverage.asset_xy[near] - c
            length = np.hypot(to[:, 0], to[:, 1])
            v = coverage.asset_xy[airports] - c  # (airports, 2) against each route (targets)
            along = np.clip(v @ (to / length[:, None]).T, 0.0, length[None, :])
            ends = along[..., None] * (to / length[:, None])[None, :, :]
            gap = np.hypot(*(v[:, None, :] - ends).transpose(2, 0, 1))
            passes[i, k] = float(((gap <= consequence.airport_closure_radius_m).sum(axis=0) * w).sum())


def threatening_share(coverage: Coverage, consequence: ConsequenceConfig, reach_m: np.ndarray) -> np.ndarray:
    """Per cell and class (N, T): the share of a drone's headings inland that lead to some protected asset within
    ``reach_m`` (T,): the union of the assets' heading intervals (bearing ± asin(r/d)), over the half-plane's π,
    at most 1. Airports count by their closure radius."""
    n, t = len(coverage.cell_xy), len(reach_m)
    out = np.zeros((n, t))
    if n == 0 or len(coverage.asset_xy) == 0:
        return out
    radius = _radii(coverage, consequence)
    for i in range(n):
        v = coverage.asset_xy - coverage.cell_xy[i]
        dist = np.hypot(v[:, 0], v[:, 1])
        bearing = np.arctan2(v[:, 1], v[:, 0])
        half = np.arcsin(np.minimum(radius / np.maximum(dist, 1e-9), 1.0))
        for k, reach in enumerate(reach_m):
            near = dist <= reach
            if not near.any():
                continue
            if coverage.routes_to_assets and len(_targets(coverage, i, float(reach))[0]):
                out[i, k] = 1.0  # every drone flies to an asset
                continue
            if (dist[near] <= radius[near]).any():  # inside an asset: every heading leads to it
                out[i, k] = 1.0
                continue
            out[i, k] = min(1.0, _union_length(bearing[near], half[near]) / np.pi)
    return out


def _union_length(centre: np.ndarray, half: np.ndarray) -> float:
    """Length of the union of arcs centre ± half on the circle (each half ≤ π/2): arcs that pass 2π are cut in
    two, then the intervals on [0, 2π) are merged."""
    lo = np.mod(centre - half, 2 * np.pi)
    hi = lo + 2 * half
    over = hi > 2 * np.pi
    lo = np.concatenate([lo, np.zeros(int(over.sum()))])
    hi = np.concatenate([np.minimum(hi, 2 * np.pi), hi[over] - 2 * np.pi])
    order = np.argsort(lo)
    total, cur_lo, cur_hi = 0.0, float(lo[order[0]]), float(hi[order[0]])
    for a, b in zip(lo[order[1:]].tolist(), hi[order[1:]].tolist(), strict=True):
        if a > cur_hi:
            total += cur_hi - cur_lo
            cur_lo, cur_hi = a, b
        else:
            cur_hi = max(cur_hi, b)
    return total + cur_hi - cur_lo
