"""Engagement authorisation (issue #14): roe.engage_only_threatening engages only drones whose route leads to a
protected asset (the heading share by hand, and the independent simulation's own geometry — a heading drawn inland,
a ray against each asset's disc — against the model's share on the tiny scenario); roe.identification_delay_s adds
to every reaction time, so the envelope shrinks (by hand, per nation, and its errors)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import yaml

from planner.config.consequence import ConsequenceConfig
from planner.config.io import load_scenario
from planner.plan import solve_scenario
from planner.report.plan import write_plan
from planner.routes import threatening_share
from planner.simulate import simulate
from tests.conftest import CONFIGS, absolutise, write_yaml
from tests.test_consequence import CITY_POP, one_cell


def test_threatening_share_by_hand() -> None:
    """A city of 1 km radius (CITY_POP at 1,000 per km²) √2 km away: headings within π/4 of it, half of the
    half-plane. A second, same city seen in the same direction twice as far, 2√2 km (asin(1/(2√2)) = 0.3614):
    its arc lies inside the first's, so the union stays 0.5 (the expected strikes would count both). The same
    city on the other side adds its own half: 1, the cap. Out of reach: 0; inside a disc: 1."""
    cons = ConsequenceConfig(urban_density_per_km2=1000, airport_closure_radius_m=0)
    near = (1000.0, 1000.0)
    behind = (2000.0, 2000.0)
    cov = one_cell([near, behind], [True, True], [CITY_POP, CITY_POP])
    assert threatening_share(cov, cons, np.array([10_000.0]))[0, 0] == pytest.approx(0.5)
    opposite = one_cell([near, (-1000.0, -1000.0)], [True, True], [CITY_POP, CITY_POP])
    assert threatening_share(opposite, cons, np.array([10_000.0]))[0, 0] == pytest.approx(1.0)
    assert threatening_share(cov, cons, np.array([1_000.0]))[0, 0] == 0.0
    inside = one_cell([(500.0, 0.0)], [True], [CITY_POP])
    assert threatening_share(inside, cons, np.array([10_000.0]))[0, 0] == 1.0
    # a narrow airport (closure radius 100 m) 10 km away beside the city: its arc adds 2·asin(0.01)/π
    airport = ConsequenceConfig(urban_density_per_km2=1000, airport_closure_radius_m=100)
    both = one_cell([near, (0.0, -10_000.0)], [True, False], [CITY_POP, 0.0])
    assert threatening_share(both, airport, np.array([20_000.0]))[0, 0] == pytest.approx(
        0.5 + 2 * math.asin(0.01) / math.pi)


def test_the_simulation_draws_the_same_share() -> None:
    """Tiny (SK–UA) at 2.5 km cells, every euro on drone defence: engaging every detected drone the plan defeats
    59.5%; engaging only threatening ones (a mean share of 0.138 of the drones over the border: Košice and the
    airports within 300 km, the FPVs' 10 km reach aside), 8.2%. The simulation draws a heading per drone and
    tests its ray against each asset's disc: 8.1% and 8.2% (measured 2026-12-04), within a point."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        data = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
        data["theater"]["cell_length_m"] = 2500
        data["objective"]["conventional_weight"] = 0
        data.setdefault("roe", {})["engage_only_threatening"] = True
        plan = solve_scenario(load_scenario(write_yaml(Path(tmp) / "tiny-threat.yaml", data)))
        assert plan.problem.engage_share is not None and 0.1 < plan.problem.engage_share.mean() < 0.2
        assert 0.05 < plan.summary["defeat_rate_all_exact"] < 0.12
        write_plan(plan, Path(tmp) / "plan")
        r = simulate(Path(tmp) / "plan", drones=40_000)
    for row in r.table.itertuples(index=False):
        assert abs(row.difference_pp) <= 1.0, row


def test_an_identification_delay_shrinks_the_envelope(tmp_path, tiny_dict) -> None:
    """An engagement needs the drone inside the envelope for the reaction time plus the delay: reach =
    √(r² − ((t + δ)·v / 2)²). For the interceptor drone against a Shahed, the catalog's range r, reaction t and the
    Shahed's speed v give the reach without delay; 60 s more shortens it by hand; so long a delay that (t + δ)·v/2
    passes r leaves the interceptor no engagement at all."""
    from planner.geo.theater import build_theater
    from planner.problem import build_problem

    def problem(delay: float | None, per_nation: dict | None = None):
        data = {**tiny_dict, "roe": {**tiny_dict.get("roe", {})}}
        if delay is not None:
            data["roe"]["identification_delay_s"] = delay
        if per_nation is not None:
            data["roe"]["identification_delay_s_per_nation"] = per_nation
        sc = load_scenario(write_yaml(tmp_path / "d.yaml", data))
        return sc, build_problem(sc, build_theater(sc))

    sc, p0 = problem(None)
    eff, th = sc.catalog.effectors["interceptor_drone"], sc.catalog.threats["shahed_136"]
    r, t, v = eff.range_m.value, eff.reaction_time_s.value, th.speed_mps.value

    def reach(delay: float) -> float:
        half = (t + delay) * v / 2
        return math.sqrt(r * r - half * half) if half < r else 0.0

    e, k = p0.effector_ids.index("interceptor_drone"), p0.threat_ids.index("shahed_136")
    pairs0 = int(((p0.eng_effector == e) & (p0.eng_threat == k)).sum())
    _, p60 = problem(60.0)
    pairs60 = int(((p60.eng_effector == e) & (p60.eng_threat == k)).sum())
    assert reach(60.0) < reach(0.0) and 0 < pairs60 < pairs0
    never = 2 * r / v + 1  # (t + δ)·v/2 > r
    _, p_never = problem(never)
    assert not ((p_never.eng_effector == e) & (p_never.eng_threat == k)).any()
    _, p_sk = problem(0.0, {"SK": never})  # the per-nation delay replaces the default
    assert not ((p_sk.eng_effector == e) & (p_sk.eng_threat == k)).any()


@pytest.mark.parametrize(("roe", "pattern"), [
    ({"identification_delay_s": -1}, r"roe.identification_delay_s: -1 is not valid: input should be greater than or "
                                     r"equal to 0"),
    ({"identification_delay_s": 7200}, r"roe.identification_delay_s: .*at most 3,600 s"),
    ({"identification_delay_s_per_nation": {"PL": 30}}, r"roe.identification_delay_s_per_nation names PL, which is "
                                                          r"not among geodata.defenders"),
])
def test_identification_delay_errors_name_the_field(tmp_path, tiny_dict, roe, pattern) -> None:
    from planner.errors import ConfigError

    data = {**tiny_dict, "roe": {**tiny_dict.get("roe", {}), **roe}}
    with pytest.raises(ConfigError) as err:
        load_scenario(write_yaml(tmp_path / "bad.yaml", data))
    assert "bad.yaml" in str(err.value) and re.search(pattern, str(err.value)), str(err.value)


def test_built_up_radius_by_hand() -> None:
    """1,000 residents at 1,500 per km²: a disc of 1000/1500 km², radius √(1000/(1500π)) km = 460.7 m, widened by the
    500 m margin: 960.7 m. 100,000 residents: 4,607 m + 500."""
    from planner.physics import disc_radius_m

    assert disc_radius_m(np.array([1_000.0, 100_000.0]), 1_500, 500) == pytest.approx([960.66, 5106.6], abs=0.1)


def test_hold_fire_over_built_up_caps_kinetic_fire(tmp_path) -> None:
    """Poland 9-10 Sep 2025 with the rule: the settlements of 1,000+ near the border become no-fire zones (kind
    built_up; the shipped layer holds GeoNames' places of 500+ within 25 km of a border). Border cells they cross
    keep their kinetic pairs unless wholly inside, and a share of their crossings is barred (measured 2026-12-05: 83
    places, 7 of 150 cells at 5 km, Włodawa over 69% of one); candidate sites inside a village may still fire.
    Without the rule there are no built-up zones and no share."""
    from planner.geo.coverage import build_coverage
    from planner.geo.theater import build_theater

    base = CONFIGS / "incidents"
    data = absolutise(yaml.safe_load((base / "poland-2025-09.yaml").read_text()), base)
    off = load_scenario(write_yaml(tmp_path / "off.yaml", data))
    data["roe"]["hold_fire_over_built_up"] = True
    on = load_scenario(write_yaml(tmp_path / "on.yaml", data))
    th_off, th_on = build_theater(off), build_theater(on)
    assert "built_up" not in set(th_off.no_fire_zones["kind"])
    built = th_on.no_fire_zones[th_on.no_fire_zones["kind"] == "built_up"]
    assert len(built) > 10 and built["radius_m"].min() >= 960.6
    share = build_coverage(th_on, on).cell_no_fire
    assert build_coverage(th_off, off).cell_no_fire.max() == 0.0
    assert 0 < int((share > 0).sum()) < len(share) // 4 and share.max() <= 1.0
    assert th_on.sites["in_no_fire_zone"].sum() == th_off.sites["in_no_fire_zone"].sum()
    from planner.problem import build_problem

    p = build_problem(on, th_on)  # the cells partly inside keep their kinetic pairs (constraint 4b caps them)
    partial = np.flatnonzero((p.cell_no_fire > 0) & (p.cell_no_fire < 1))
    assert len(partial) and np.isin(partial, p.eng_cell[p.effector_kinetic[p.eng_effector]]).all()


@pytest.mark.parametrize(("roe", "geodata", "pattern"), [
    ({"hold_fire_over_built_up": True}, {"settlements": None},
     r"roe.hold_fire_over_built_up applies to SK but geodata.settlements is not set: set it"),
    ({"hold_fire_over_built_up_per_nation": {"PL": True}}, {},
     r"roe.hold_fire_over_built_up_per_nation names PL, which is not among geodata.defenders"),
    ({"built_up_density_per_km2": 0}, {}, r"roe.built_up_density_per_km2: 0 is not valid: input should be greater "
                                          r"than 0"),
])
def test_hold_fire_over_built_up_errors_name_the_field(tmp_path, tiny_dict, roe, geodata, pattern) -> None:
    from planner.errors import ConfigError

    data = {**tiny_dict, "roe": {**tiny_dict.get("roe", {}), **roe}, "geodata": {**tiny_dict["geodata"], **geodata}}
    with pytest.raises(ConfigError) as err:
        load_scenario(write_yaml(tmp_path / "bad.yaml", data))
    assert "bad.yaml" in str(err.value) and re.search(pattern, str(err.value)), str(err.value)


def test_settlements_without_population_are_refused(tmp_path, tiny_dict) -> None:
    """A settlements file without a population column: the message names the file, the column and the fix."""
    import geopandas as gpd
    import shapely

    from planner.errors import GeodataError
    from planner.geo.borders import load_geodata

    gpd.GeoDataFrame({"name": ["Somewhere"]}, geometry=[shapely.Point(22.0, 48.9)], crs="EPSG:4326").to_file(
        tmp_path / "places.gpkg", layer="places", driver="GPKG", engine="pyogrio")
    data = {**tiny_dict, "roe": {**tiny_dict.get("roe", {}), "hold_fire_over_built_up": True},
            "geodata": {**tiny_dict["geodata"], "settlements": str(tmp_path / "places.gpkg"),
                        "settlements_layer": "places"}}
    with pytest.raises(GeodataError, match=r"geodata.settlements: .*places.gpkg has no column 'population' "
                                           r"\(columns: name\): add the residents of each place"):
        load_geodata(load_scenario(write_yaml(tmp_path / "s.yaml", data)))
