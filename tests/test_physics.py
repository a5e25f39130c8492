"""Physics rules against the reference figures (catalog-facts section 7) and the catalogs."""

from __future__ import annotations

import math

import pytest

from planner.config.io import load_catalog
from planner.physics import (
    exposure_time_s,
    max_engagement_distance_m,
    p_kill_engagement,
    radar_horizon_m,
    sensor_range_m,
)
from tests.conftest import CATALOGS

CAT = load_catalog({k: CATALOGS / f"{k}.yaml" for k in ("sources", "threats", "sensors", "effectors",
                                                         "conventional")})


@pytest.mark.parametrize(("h1", "h2", "km"), [(10, 0, 13), (10, 50, 42), (9000, 50, 420)])
def test_radar_horizon_matches_the_rule_of_thumb(h1: float, h2: float, km: float) -> None:
    """d[km] ≈ 4.12 (√h1 + √h2): 10 m mast vs surface ≈ 13 km; vs a 50 m drone ≈ 42 km; AEW ≈ 420 km."""
    assert radar_horizon_m(h1, h2) / 1000 == pytest.approx(km, rel=0.03)


def test_radar_range_scales_with_fourth_root_of_rcs() -> None:
    radar = CAT.sensors["radar_long"]
    shahed, fibre = CAT.threats["shahed_136"], CAT.threats["fpv_fibre"]
    # radar_long: 150 km at 1 m2; a 0.1 m2 Shahed at 500 m: 150 · 0.1^¼ = 84 km, inside the 111 km horizon.
    assert sensor_range_m(radar, shahed, "shahed_136") == pytest.approx(150_000 * 0.1**0.25)
    # A 0.01 m2 fibre FPV at 30 m: 47.4 km by RCS, but the horizon 4.12 (√20 + √30) ≈ 41 km limits it.
    assert sensor_range_m(radar, fibre, "fpv_fibre") == pytest.approx(radar_horizon_m(20, 30))
    assert radar_horizon_m(20, 30) < 150_000 * 0.01**0.25


def test_modalities() -> None:
    rf, acoustic = CAT.sensors["passive_rf"], CAT.sensors["acoustic_node"]
    assert sensor_range_m(rf, CAT.threats["shahed_136"], "shahed_136") == 0  # autonomous: silent
    assert sensor_range_m(rf, CAT.threats["orlan_10"], "orlan_10") > 0
    assert sensor_range_m(rf, CAT.threats["fpv_fibre"], "fpv_fibre") == 0
    assert sensor_range_m(acoustic, CAT.threats["fpv_quad"], "fpv_quad") == 300  # per-threat override
    jet = CAT.threats["geran_3_jet"].model_copy(update={"altitude_m": CAT.threats["geran_3_jet"].altitude_m
                                                        .model_copy(update={"value": 5000, "high": 9000})})
    assert sensor_range_m(acoustic, jet, "geran_3_jet") == 0  # above the acoustic ceiling


def test_kill_per_engagement_combines_shots() -> None:
    """p = 0.68 per shot: 2 shots → 0.90 (catalog-facts section 7)."""
    eff = CAT.effectors["interceptor_drone"]
    fig = eff.p_kill_per_shot["shahed_136"].model_copy(update={"value": 0.68, "low": None, "high": None})
    eff = eff.model_copy(update={"p_kill_per_shot": {**eff.p_kill_per_shot, "shahed_136": fig}})
    assert p_kill_engagement(eff, "shahed_136") == pytest.approx(1 - 0.32**2)
    assert p_kill_engagement(eff, "fpv_fibre") == pytest.approx(1 - 0.8**2)
    assert p_kill_engagement(CAT.effectors["manpads"], "fpv_quad") == 0.0


def test_engagement_distance_fits_the_reaction_time() -> None:
    r, reaction, speed = 4000.0, 10.0, 50.0
    d = max_engagement_distance_m(r, reaction, speed)
    assert exposure_time_s(r, d, speed) == pytest.approx(reaction)
    assert exposure_time_s(r, d * 1.01, speed) < reaction
    # A QRA pair's 15-minute scramble against a 150 m/s jet: the 300 km envelope still fits.
    assert max_engagement_distance_m(300_000, 900, 150) == pytest.approx(math.sqrt(300_000**2 - 67_500**2))
    assert max_engagement_distance_m(1000, 60, 50) == 0.0  # the drone is through before the shot
