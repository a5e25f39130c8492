"""The value of defeating one drone, per border cell and threat class: counted, or by what it would damage.

Counted (``objective.consequence`` absent): an armed drone is worth 1 and a decoy ``decoy_weight``, times
(1 + ``asset_weight`` × the protected-asset value of the cell). By consequence: a drone is worth its leaker's
expected harm in euros (:func:`leaker_harm_eur`), in units of the scenario's mean armed drone, the demand-weighted
mean harm of the armed classes (decoys, whose harm is closures and the response they draw, included if no class is
armed). The unit's euros are kept, so a plan can state what it averts in euros (docs/formulation.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.config.catalog import Threat
from planner.config.consequence import REFERENCE_WARHEAD_KG, ConsequenceConfig
from planner.config.scenario import ObjectiveConfig
from planner.geo.coverage import Coverage

#: Cells per block of the cell × asset distance matrix.
_CHUNK = 2048


@dataclass(frozen=True)
class DroneValue:
    """Value of defeating one drone (N, T); with consequence, the leaker's harm in euros and the euros of one
    value unit (NaN and None when drones are counted)."""

    value: np.ndarray
    harm_eur: np.ndarray | None = None
    unit_eur: float = float("nan")


def fatality_equivalents_per_strike(consequence: ConsequenceConfig, warhead_kg: np.ndarray) -> np.ndarray:
    """Fatality-equivalents of one strike on a city: urban density × casualty area, the area scaled by
    (warhead / 50 kg)^(2/3) (cube-root blast scaling: a distance grows as the mass to the 1/3)."""
    area_m2 = consequence.casualty_area_m2_per_50kg * (np.maximum(warhead_kg, 0.0) / REFERENCE_WARHEAD_KG) ** (2 / 3)
    return consequence.urban_density_per_km2 / 1e6 * area_m2


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
    radius = np.where(city, 1000.0 * np.sqrt(coverage.asset_population / (np.pi * consequence.urban_density_per_km2)),
                      consequence.airport_closure_radius_m)
    for lo in range(0, n, _CHUNK):  # cells × assets, a block of cells at a time
        hi = min(lo + _CHUNK, n)
        dist = np.linalg.norm(coverage.cell_xy[lo:hi, None, :] - coverage.asset_xy[None, :, :], axis=2)
        share = heading_share(radius[None, :], dist)
        for k, reach in enumerate(reach_m):
            near = np.where(dist <= reach, share, 0.0)
            strikes[lo:hi, k] = np.minimum(near[:, city].sum(axis=1), 1.0)
            if consequence.airport_closure_radius_m > 0:
                passes[lo:hi, k] = near[:, ~city].sum(axis=1)
    return strikes, passes


def leaker_harm_eur(consequence: ConsequenceConfig, warhead_kg: np.ndarray, city_strikes: np.ndarray,
                    airport_passes: np.ndarray) -> np.ndarray:
    """Expected harm of one leaker (N, T), EUR: strikes on cities (by warhead), airport closures and the interior
    response, from the expected city strikes and airports passed of one leaker (N, T) and warheads (T,) in kg."""
    strike = fatality_equivalents_per_strike(consequence, warhead_kg) * consequence.eur_per_fatality_equivalent
    closure = consequence.airport_closure_hours * consequence.airport_closure_eur_per_hour
    return city_strikes * strike[None, :] + airport_passes * closure + consequence.response_eur_per_leaker


def drone_value(objective: ObjectiveConfig, threats: Sequence[Threat], coverage: Coverage, asset_value: np.ndarray,
                demand: np.ndarray) -> DroneValue:
    """The value of defeating one drone of each class in each cell (N, T) under the scenario's objective.

    ``asset_value`` (N,) is the protected-asset value attached to each cell (counted value only); ``demand`` the
    drones per raid (N, T)."""
    decoy = np.array([t.decoy for t in threats], dtype=bool)
    consequence = objective.consequence
    if consequence is None:
        value = np.where(decoy[None, :], objective.decoy_weight, 1.0) * (1.0 + objective.asset_weight * asset_value[:, None])
        return DroneValue(value=value)
    warhead = np.array([t.warhead_kg.value if t.warhead_kg is not None else 0.0 for t in threats])
    reach = np.array([min(consequence.route_reach_m, 1000.0 * t.range_km.value) if t.range_km is not None
                      else consequence.route_reach_m for t in threats])
    strikes, passes = route_exposure(coverage, consequence, reach)
    harm = leaker_harm_eur(consequence, warhead, strikes, passes)
    armed = ~decoy if (demand[:, ~decoy].sum() > 0) else np.ones_like(decoy)
    drones = demand[:, armed].sum()
    # harm ≥ response_eur_per_leaker > 0 everywhere, so the unit is positive
    unit = float((demand[:, armed] * harm[:, armed]).sum() / drones) if drones > 0 else consequence.response_eur_per_leaker
    return DroneValue(value=harm / unit, harm_eur=harm, unit_eur=unit)
