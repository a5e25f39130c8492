"""The independent simulation's own route model (planner.simulate): where a drone flies once it has crossed,
re-derived from the theater and the scenario without the optimizer's code."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from planner.config.consequence import ConsequenceConfig
from planner.config.io import Scenario
from planner.geo.theater import Theater

__all__ = ["SimRoutes"]


class SimRoutes:
    """Where a drone flies, re-derived: its heading is drawn uniform over the half-plane inland of the border where
    it crosses (the side of the defender's land) and it flies at most its class's reach. It threatens
    (roe.engage_only_threatening) if the ray meets a protected asset's disc (a city: its population at the urban
    density; an airport: the closure radius) within that reach."""

    def __init__(self, scenario: Scenario, theater: Theater, threats: list[Any]) -> None:
        cons = scenario.config.objective.consequence or ConsequenceConfig()
        assets = theater.route_assets if theater.route_assets is not None else theater.assets
        self.xy = shapely.get_coordinates(assets.geometry.values).reshape(-1, 2)
        city = (assets["kind"] == "city").to_numpy(bool)
        pop = assets["population"].fillna(0).to_numpy(float)
        self.radius = np.where(city, 1000.0 * np.sqrt(pop / (math.pi * cons.urban_density_per_km2)),
                               cons.airport_closure_radius_m)
        self.reach = np.array([min(cons.route_reach_m, 1000.0 * th.range_km.value) if th.range_km is not None
                               else cons.route_reach_m for th in threats])
        # kill_chain.routes: to_assets: a drone flies straight to an asset of the nation it entered, within its reach,
        # drawn in proportion to the asset's value (a city's population; an airport's theater.airport_value_residents)
        self.aimed = scenario.config.kill_chain.routes == "to_assets"
        self.country = assets["country"].to_numpy(str)
        self.weight = np.where(city, pop, float(scenario.config.theater.airport_value_residents))
        countries = theater.countries.set_index("country")
        self.land = {c: shapely.union_all(countries.loc[[c]].geometry.values) for c in set(theater.cells["defender"])}

    def headings(self, rng: np.random.Generator, lines: np.ndarray, frac: np.ndarray, xy: np.ndarray,
                 nations: np.ndarray) -> np.ndarray:
        """A unit heading per crossing drone (n, 2), uniform over the half-plane inland."""
        a = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.clip(frac - 1e-3, 0, 1), normalized=True))
        b = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.clip(frac + 1e-3, 0, 1), normalized=True))
        tangent = b - a
        tangent /= np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-12)[:, None]
        normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
        probe = xy + 200.0 * normal
        inland = np.zeros(len(xy), dtype=bool)
        for nation in set(nations):
            k = nations == nation
            inland[k] = shapely.contains_xy(self.land[nation], probe[k, 0], probe[k, 1])
        normal[~inland] *= -1
        angle = rng.uniform(-math.pi / 2, math.pi / 2, len(xy))
        return np.cos(angle)[:, None] * normal + np.sin(angle)[:, None] * tangent

    def aim(self, rng: np.random.Generator, xy: np.ndarray, nations: np.ndarray, classes: np.ndarray,
            heading: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each drone's heading and route length: to its target where routes run to the assets and one is in reach,
        else the drawn heading and the class's reach."""
        length = self.reach[classes].astype(float)
        if not self.aimed:
            return heading, length
        heading = heading.copy()
        for k in range(len(xy)):
            v = self.xy - xy[k]
            dist = np.hypot(v[:, 0], v[:, 1])
            ok = (self.country == nations[k]) & (dist <= self.reach[classes[k]]) & (dist > 0) & (self.weight > 0)
            if ok.any():
                a = rng.choice(np.flatnonzero(ok), p=self.weight[ok] / self.weight[ok].sum())
                heading[k], length[k] = v[a] / dist[a], dist[a]
        return heading, length

    def threatening(self, xy: np.ndarray, heading: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Whether each drone's route leads to an asset."""
        out = np.zeros(len(xy), dtype=bool)
        for k in range(len(xy)):
            v = self.xy - xy[k]
            dist = np.hypot(v[:, 0], v[:, 1])
            along = v @ heading[k]
            across = np.abs(v[:, 0] * heading[k, 1] - v[:, 1] * heading[k, 0])
            hit = (dist <= self.reach[classes[k]]) & ((dist <= self.radius) | ((along > 0) & (across <= self.radius)))
            out[k] = bool(hit.any())
        return out
