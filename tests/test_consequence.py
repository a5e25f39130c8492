"""Consequence-based value of a defeated drone (issue #13, item 3): hand-checked routes, harm and normalisation, the
config's errors, and the tiny scenario valued by consequence."""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.analysis.tornado_inputs import with_value
from planner.config.consequence import ConsequenceConfig
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.geo.coverage import Coverage
from planner.geo.theater import build_theater
from planner.problem import build_problem
from planner.routes import heading_share, route_exposure
from planner.value import fatality_equivalents_per_strike, leaker_harm_eur
from tests.conftest import write_yaml

#: A city of 1 km radius at 1,000 residents per km2: π·1000·1² residents.
CITY_POP = math.pi * 1000.0


def one_cell(asset_xy: list[tuple[float, float]], city: list[bool], population: list[float]) -> Coverage:
    return Coverage(cell_xy=np.zeros((1, 2)), site_xy=np.zeros((0, 2)), cell_no_fire=np.zeros(1, bool),
                    site_no_fire=np.zeros(0, bool), cell_defender=np.array(["AA"]), site_defender=np.array([], str),
                    asset_xy=np.array(asset_xy, float), asset_city=np.array(city),
                    asset_population=np.array(population, float))


def test_heading_share_by_hand() -> None:
    """The headings that pass within r of a point d away lie within asin(r/d) of the line of sight: 2·asin(r/d)
    of the half-plane's π. From d = r·√2, asin(1/√2) = π/4: half the headings; from d = 2r, asin(1/2) = π/6: a
    third; from inside the disc all of them; from d → ∞ none."""
    assert heading_share(np.array(1.0), np.array(math.sqrt(2))) == pytest.approx(0.5)
    assert heading_share(np.array(1.0), np.array(2.0)) == pytest.approx(1 / 3)
    assert heading_share(np.array(1.0), np.array(0.5)) == pytest.approx(1.0)
    assert heading_share(np.array(1.0), np.array(1e12)) == pytest.approx(0.0, abs=1e-9)


def test_route_exposure_by_hand() -> None:
    """One cell at the origin. A city of 1 km radius (CITY_POP residents at 1,000 per km²) √2 km away: struck by
    half the headings. An airport 10√2 km away with a 10 km closure radius: passed by half. Three cities around
    the cell take the strikes past 1, to the cap. Reach 5 km leaves the airport out."""
    cons = ConsequenceConfig(urban_density_per_km2=1000, airport_closure_radius_m=10_000)
    cov = one_cell([(1000, 1000), (0, 10_000 * math.sqrt(2))], [True, False], [CITY_POP, 0])
    strikes, passes = route_exposure(cov, cons, np.array([20_000.0, 5_000.0]))
    assert strikes[0].tolist() == pytest.approx([0.5, 0.5])
    assert passes[0].tolist() == pytest.approx([0.5, 0.0])
    three = one_cell([(1000, 1000), (-1000, 1000), (0, 2000)], [True, True, True], [CITY_POP, CITY_POP, CITY_POP])
    assert route_exposure(three, cons, np.array([20_000.0]))[0][0, 0] == 1.0
    none = ConsequenceConfig(airport_closure_radius_m=0)
    assert route_exposure(cov, none, np.array([20_000.0]))[1][0, 0] == 0.0


def test_leaker_harm_by_hand() -> None:
    """Density 2,500 per km² and 400 m² for 50 kg: 2,500e-6 × 400 = 1 fatality-equivalent a strike; a 400 kg
    warhead: (400/50)^(2/3) = 4. Harm with half a strike, half an airport passed (4 h at €1M) and a €0.5M
    response: 0.5 × 3.6M + 0.5 × 4M + 0.5M = €4.3M; a decoy (0 kg): 2.5M; 400 kg: 0.5 × 14.4M + 2.5M = 9.7M."""
    cons = ConsequenceConfig(urban_density_per_km2=2500, casualty_area_m2_per_50kg=400,
                             eur_per_fatality_equivalent=3.6e6, airport_closure_hours=4,
                             airport_closure_eur_per_hour=1e6, response_eur_per_leaker=0.5e6)
    assert fatality_equivalents_per_strike(cons, np.array([50.0, 400.0, 0.0])).tolist() == pytest.approx([1, 4, 0])
    harm = leaker_harm_eur(cons, np.array([50.0, 0.0, 400.0]), np.full((1, 3), 0.5), np.full((1, 3), 0.5))
    assert harm[0].tolist() == pytest.approx([4.3e6, 2.5e6, 9.7e6])


@pytest.fixture
def tiny_consequence(tmp_path: Path, tiny_dict: dict[str, Any]) -> Any:
    data = copy.deepcopy(tiny_dict)
    data["objective"] = {**data.get("objective", {}), "consequence": {}}
    data["objective"].pop("decoy_weight", None)
    data["objective"].pop("asset_weight", None)
    scenario = load_scenario(write_yaml(tmp_path / "tiny-consequence.yaml", data))
    return scenario, build_problem(scenario, build_theater(scenario))


def test_the_mean_armed_drone_is_worth_one(tiny_consequence: Any) -> None:
    """Value is harm over the demand-weighted mean harm of the armed classes: that mean is 1, every value is at least
    the response alone over the unit, and the unit's euros are the mean armed harm."""
    scenario, p = tiny_consequence
    armed = ~p.threat_decoy
    assert p.harm_eur is not None and p.harm_eur.shape == p.value.shape
    mean = (p.demand[:, armed] * p.value[:, armed]).sum() / p.demand[:, armed].sum()
    assert mean == pytest.approx(1.0)
    assert np.allclose(p.value * p.value_unit_eur, p.harm_eur)
    response = scenario.config.objective.consequence.response_eur_per_leaker
    assert (p.harm_eur >= response - 1e-6).all()
    # a decoy carries no warhead to speak of: in every cell it is worth less than a Shahed (same routes, reach ≥)
    t = {tid: k for k, tid in enumerate(p.threat_ids)}
    if "gerbera_decoy" in t and "shahed_136" in t:
        assert (p.value[:, t["gerbera_decoy"]] <= p.value[:, t["shahed_136"]] + 1e-12).all()


def test_a_tornado_knob_moves_the_consequence_value(tiny_consequence: Any, tiny_dict: dict[str, Any],
                                                    tmp_path: Path) -> None:
    """objective.consequence.* knobs set a nested field; a scenario without consequence names what is missing."""
    scenario, p = tiny_consequence
    path = "objective.consequence.eur_per_fatality_equivalent"
    moved = with_value(scenario, path, 7.2e6, check=True)
    assert moved.config.objective.consequence.eur_per_fatality_equivalent == 7.2e6
    assert moved.config.objective.consequence.response_eur_per_leaker == \
        scenario.config.objective.consequence.response_eur_per_leaker
    plain = load_scenario(write_yaml(tmp_path / "tiny.yaml", tiny_dict))
    with pytest.raises(ConfigError, match=re.escape("the scenario sets no objective.consequence")):
        with_value(plain, path, 1e6)


@pytest.mark.parametrize(("objective", "pattern"), [
    ({"asset_weight": 1.0}, r"objective: asset_weight and consequence both value a drone.*remove asset_weight"),
    ({"decoy_weight": 0.5}, r"objective: decoy_weight and consequence both value a drone.*remove decoy_weight"),
    ({"consequence": {"urban_density_per_km2": 0}}, r"objective.consequence.urban_density_per_km2"),
    ({"consequence": {"route_reach_m": 5e6}}, r"objective.consequence.route_reach_m: .*at most 1,000,000 m"),
    ({"consequence": {"airport_closure_hours": -1}}, r"objective.consequence.airport_closure_hours"),
    ({"consequence": {"casualty_radius_m": 10}}, r"objective.consequence.casualty_radius_m"),
])
def test_consequence_config_errors_name_the_field(tmp_path: Path, tiny_dict: dict[str, Any],
                                                  objective: dict[str, Any], pattern: str) -> None:
    tiny_dict["objective"] = {"consequence": {}, **objective} | {
        "consequence": {**objective.get("consequence", {})}}
    with pytest.raises(ConfigError) as err:
        load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict))
    text = str(err.value)
    assert "bad.yaml" in text
    assert re.search(pattern, text), text


def test_a_threat_range_must_be_positive(catalog_copy: Path, tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    threats = catalog_copy / "threats.yaml"
    threats.write_text(threats.read_text().replace("range_km:\n      value: 1500\n      low: 1000",
                                                            "range_km:\n      value: -5\n      low: -10", 1))
    tiny_dict["catalogs"]["threats"] = str(threats)
    with pytest.raises(ConfigError, match=r"range_km must be > 0"):
        load_scenario(write_yaml(tmp_path / "s.yaml", tiny_dict))
