"""Physics and kill-chain arithmetic: pure functions of catalog figures, no geometry, no LP.

Every rule here is stated in docs/formulation.md.
"""

from __future__ import annotations

import math

import numpy as np

from planner.config.catalog import Effector, Sensor, Threat

EARTH_RADIUS_M = 6_371_000.0
K_FACTOR = 4.0 / 3.0  # standard refraction ("4/3 earth")


def radar_horizon_m(h_sensor_m: float, h_target_m: float) -> float:
    """Line-of-sight distance between two heights over a 4/3 earth: √(2kR·h1) + √(2kR·h2)."""
    k2r = 2.0 * K_FACTOR * EARTH_RADIUS_M
    return math.sqrt(k2r * max(h_sensor_m, 0.0)) + math.sqrt(k2r * max(h_target_m, 0.0))


def sensor_range_m(sensor: Sensor, threat: Threat, threat_id: str) -> float:
    """Distance within which ``sensor`` can detect ``threat`` (0 if it cannot sense it at all).

    Radar: the reference range scaled by (σ/σ_ref)^¼. Passive RF: only RF emitters. Acoustic: only
    below the node's altitude ceiling. A per-threat override replaces the rule. Every sensor is
    then limited by the radar horizon between its mast and the threat's altitude.
    """
    alt = threat.altitude_m.value
    if sensor.modality == "passive_rf" and not threat.emits_rf:
        return 0.0
    if sensor.max_target_altitude_m is not None and alt > sensor.max_target_altitude_m.value:
        return 0.0
    override = sensor.detection_range_m_by_threat.get(threat_id)
    if override is not None:
        nominal = override.value
    elif sensor.modality == "radar":
        assert sensor.reference_rcs_m2 is not None
        nominal = sensor.detection_range_m.value * (threat.rcs_m2.value / sensor.reference_rcs_m2) ** 0.25
    else:
        nominal = sensor.detection_range_m.value
    if nominal <= 0:
        return 0.0
    return min(nominal, radar_horizon_m(sensor.mast_height_m.value, alt))


def detection_log_survival(p_detect: float) -> float:
    """−ln(1 − p): the additive weight of one look in log-survival space (capped for p = 1)."""
    return -math.log(max(1.0 - p_detect, 1e-6))


def p_kill_engagement(effector: Effector, threat_id: str) -> float:
    """Probability that one engagement (``shots_per_engagement`` shots) kills the threat."""
    fig = effector.p_kill_per_shot.get(threat_id)
    if fig is None:
        return 0.0
    shots = max(1, round(effector.shots_per_engagement.value))
    return 1.0 - (1.0 - fig.value) ** shots


def exposure_time_s(range_m: float, distance_m: float, speed_mps: float) -> float:
    """Time a threat spends inside an effector's envelope on a track passing ``distance_m`` from it.

    The chord 2·√(R² − d²) at the threat's speed. Using the distance to the cell's midpoint as the
    track's offset under-states the chord (the real offset is never larger), so this errs on the
    side of fewer feasible engagements.
    """
    if distance_m >= range_m:
        return 0.0
    return 2.0 * math.sqrt(range_m**2 - distance_m**2) / speed_mps


def max_engagement_distance_m(range_m: float, reaction_time_s: float, speed_mps: float) -> float:
    """Largest track offset at which the exposure time still covers the reaction time (0 if none)."""
    half_chord = reaction_time_s * speed_mps / 2.0
    if half_chord >= range_m:
        return 0.0
    return math.sqrt(range_m**2 - half_chord**2)


def disc_radius_m(population: np.ndarray, density_per_km2: float, margin_m: float = 0.0) -> np.ndarray:
    """The radius of the disc holding ``population`` residents at ``density_per_km2``, widened by ``margin_m``: a
    protected city's (objective.consequence) or a built-up area's no-fire zone (roe.hold_fire_over_built_up)."""
    return 1000.0 * np.sqrt(np.asarray(population, dtype=float) / (np.pi * density_per_km2)) + margin_m
