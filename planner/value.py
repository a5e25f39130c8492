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
from planner.routes import class_reach_m, route_exposure


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
    strikes, passes = route_exposure(coverage, consequence, class_reach_m(consequence, threats))
    harm = leaker_harm_eur(consequence, warhead, strikes, passes)
    # The unit is a leaker of the mean armed drone: crewed classes (escorted, or shot under shoot_all) stay out of it.
    manned = np.array([t.manned for t in threats], dtype=bool)
    drone = ~manned if demand[:, ~manned].sum() > 0 else np.ones_like(manned)
    armed = drone & ~decoy if (demand[:, drone & ~decoy].sum() > 0) else drone
    drones = demand[:, armed].sum()
    # harm ≥ response_eur_per_leaker > 0 everywhere, so the unit is positive
    unit = float((demand[:, armed] * harm[:, armed]).sum() / drones) if drones > 0 else consequence.response_eur_per_leaker
    return DroneValue(value=harm / unit, harm_eur=harm, unit_eur=unit)
