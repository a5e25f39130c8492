"""Incident replay: the Poland 2025-09 config, what the replay reports, and clear errors."""

from __future__ import annotations

import copy

import pytest
import yaml

from planner.analysis.incident import replay
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.report.incident import write_incident
from tests.conftest import CONFIGS, absolutise, write_yaml
from tests.schema_check import assert_matches_schema
from tests.test_config_valid import run_cli

INCIDENT = CONFIGS / "incidents" / "poland-2025-09.yaml"
ROMANIA = CONFIGS / "incidents" / "romania-2025-09.yaml"


@pytest.fixture(scope="module")
def result():
    return replay(load_scenario(INCIDENT), targets=(0.5,))  # 0.7 and 0.85 take about a minute each


def test_poland_config_loads_with_sources() -> None:
    sc = load_scenario(INCIDENT)
    inc = sc.config.incident
    assert inc is not None and inc.drones.range == (19, 23) and inc.drones_defeated.value == 4
    assert {"cf96", "cf97", "cf98", "cf78"} <= {s for f in (inc.drones, inc.drones_defeated,
                                                            inc.munitions_spent_eur) for s in f.source}
    assert INCIDENT.read_text().splitlines()[0] == "# yaml-language-server: $schema=../schema/scenario.schema.json"


def test_replay_rows(result) -> None:
    t = result.table.set_index("case")
    obs = t.loc["observed"]
    assert obs["defeat_rate"] == pytest.approx(4 / 21)
    assert obs["defeat_rate_low"] == pytest.approx(2 / 23) and obs["defeat_rate_high"] == pytest.approx(8 / 19)
    assert obs["munitions_eur_per_defeat"] == pytest.approx(1_104_000 / 4)
    posture = t.loc["posture as it was (model)"]
    # The modelled raid is the incident's size; the posture is the five units in service and nothing else.
    assert posture["drones_per_raid"] == pytest.approx(21, abs=0.05)
    assert posture["sensors"] == 3 and posture["effectors"] == 2
    # Two fighter pairs with 8 missiles each can fire at most 16 shots in a raid.
    assert posture["shots_per_raid"] <= 16 + 1e-6
    # The Polish pair fires AIM-120 (€1.84M, 0.7 a kill), the Dutch pair AIM-9X class (€368,000, 0.8): per defeat
    # the posture pays between the two.
    assert 368_000 / 0.8 < posture["munitions_eur_per_defeat"] < 1_840_000 / 0.7
    assert posture["detect_rate"] == pytest.approx(t.loc["posture under the scenario's rules (model)", "detect_rate"])
    wall = t.loc["drone wall (model)"]
    assert wall["defeat_rate"] >= posture["defeat_rate"]
    assert wall["drone_defence_eur_over_horizon"] <= 3.5e9 * (1 + 1e-6) + 1
    cheap = t.loc["cheapest wall for 50% (model)"]
    assert cheap["defeat_rate"] >= 0.5 - 1e-3 and cheap["gap"] <= 0.01 + 1e-9
    assert cheap["drone_defence_eur_over_horizon"] <= wall["drone_defence_eur_over_horizon"]
    for _, r in t.iterrows():
        assert 0 <= r["defeat_rate"] <= 1
    m = result.summary
    assert m["model_minus_observed_pp"] == pytest.approx(100 * (posture["defeat_rate"] - 4 / 21))
    # Calibration (issue #14): under the rule of that night (engage only drones whose route leads to a protected
    # asset, not fitted to this case) the posture as it was falls inside the sources' range, 2/23 to 8/19; without
    # it the model gives 40.8%, near the top of the range (measured 2026-12-04 with the AIM-120 pair: 11.0% with it;
    # with the AIM-9X-class pair before: 11.5% and 43.6%).
    assert t.loc["posture under the scenario's rules (model)", "defeat_rate"] > posture["defeat_rate"]
    assert obs["defeat_rate_low"] <= posture["defeat_rate"] <= obs["defeat_rate_high"]
    assert m["model_within_observed_range"]
    assert m["wall_drone_defence_eur"] == wall["drone_defence_eur_over_horizon"]  # one figure for the wall's cost
    assert set(result.plans) == {"wall", "wall-50"}


def test_outputs_and_cli(result, tmp_path) -> None:
    out = write_incident(result, tmp_path / "inc")
    assert_matches_schema(out, "incident")
    assert (out / "incident.png").stat().st_size > 10_000
    assert (out / "plans" / "wall" / "plan.json").exists() and (out / "incident.csv").exists()
    res = run_cli("incident", str(INCIDENT), "--out", str(tmp_path / "cli"), "--targets", "")
    assert res.returncode == 0, res.stderr
    assert "posture as it was" in res.stdout and (tmp_path / "cli" / "incident.json").exists()


def incident_dict() -> dict:
    return absolutise(yaml.safe_load(INCIDENT.read_text()), INCIDENT.parent)


def test_errors(tmp_path, tiny_dict) -> None:
    plain = write_yaml(tmp_path / "plain.yaml", tiny_dict)
    with pytest.raises(ConfigError, match="plain.yaml: incident: this scenario has no incident block"):
        replay(load_scenario(plain))
    no_units = incident_dict()
    no_units["systems"]["in_service"] = []
    path = write_yaml(tmp_path / "no_units.yaml", no_units)
    with pytest.raises(ConfigError, match="systems.in_service: the posture as it was is the units in service"):
        replay(load_scenario(path))
    with pytest.raises(ConfigError, match="--targets: 1.5 is not a defeat rate"):
        replay(load_scenario(INCIDENT), targets=(1.5,))
    too_many = incident_dict()
    too_many["incident"]["drones_defeated"] = {"value": 30, "source": ["cf96"]}
    path = write_yaml(tmp_path / "too_many.yaml", too_many)
    with pytest.raises(ConfigError, match=r"incident: drones_defeated \(30\) exceeds drones \(21\)"):
        load_scenario(path)
    seen = incident_dict()
    seen["incident"]["drones_detected"] = {"value": 25, "source": ["cf96"]}
    path = write_yaml(tmp_path / "seen.yaml", seen)
    with pytest.raises(ConfigError, match=r"incident: drones_detected \(25\) exceeds drones \(21\)"):
        load_scenario(path)
    bad_rule = incident_dict()
    bad_rule["incident"]["roe"] = "shoot_everything"
    path = write_yaml(tmp_path / "rule.yaml", bad_rule)
    with pytest.raises(ConfigError, match=r"incident\.roe: 'shoot_everything' is not valid"):
        load_scenario(path)
    unknown = copy.deepcopy(incident_dict())
    unknown["incident"]["drones"]["source"] = ["cf9999"]
    path = write_yaml(tmp_path / "unknown.yaml", unknown)
    with pytest.raises(ConfigError, match="incident.drones.source: unknown source id 'cf9999'"):
        load_scenario(path)
    bare = incident_dict()
    bare["incident"]["drones"] = 21
    path = write_yaml(tmp_path / "bare.yaml", bare)
    with pytest.raises(ConfigError, match="incident.drones: .*bare number"):
        load_scenario(path)
    res = run_cli("incident", str(plain), "--out", str(tmp_path / "x"))
    assert res.returncode == 1 and "no incident block" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "x").exists()


def test_romania_replay_holds_fire_and_detects() -> None:
    """Romania, 13 Sep 2025 (measured 2026-12-04): one Shahed-type drone, tracked (1 of 1 detected) and escorted by two
    fighter pairs that held fire (incident.roe: escort_only). The posture as it was detects 90.3% of such drones and,
    holding fire, defeats none, as observed; had it engaged as the scenario allows it would have defeated 23.3% (the
    model spreads the drone along the 516 km of the RO-UA border, of which the 165 km of the Danube delta lie within the
    fighters' reach from their snapped sites); a €1bn wall 83.3%."""
    r = replay(load_scenario(ROMANIA), targets=())
    t = r.table.set_index("case")
    assert t.loc["observed", "defeat_rate"] == 0 and t.loc["observed", "detect_rate"] == 1
    posture = t.loc["posture as it was (model)"]
    assert posture["defeat_rate"] == 0 and posture["shots_per_raid"] == 0 and posture["detect_rate"] > 0.8
    assert r.summary["model_within_observed_range"]
    fired = t.loc["posture under the scenario's rules (model)"]
    assert 0 < fired["defeat_rate"] < t.loc["drone wall (model)", "defeat_rate"]
    assert {"cfr1", "cfr2", "cfr3"} <= set(r.summary["sources"])


def test_poland_replay_holding_fire_over_built_up_areas(tmp_path) -> None:
    """Poland also holding kinetic fire over its settlements of 1,000+ (roe.hold_fire_over_built_up, not fitted):
    the posture as it was stays inside the sources' range and defeats no more than without the rule, as does the
    posture under the scenario's rules (measured 2026-12-05: 10.8% against 11.0%, 39.9% against 40.8%)."""
    data = absolutise(yaml.safe_load(INCIDENT.read_text()), INCIDENT.parent)
    data["roe"]["hold_fire_over_built_up"] = True
    held = replay(load_scenario(write_yaml(tmp_path / "held.yaml", data)), targets=()).table.set_index("case")
    free = replay(load_scenario(INCIDENT), targets=()).table.set_index("case")
    for case in ("posture as it was (model)", "posture under the scenario's rules (model)"):
        assert held.loc[case, "defeat_rate"] <= free.loc[case, "defeat_rate"] + 1e-9
    assert held.loc["posture under the scenario's rules (model)", "defeat_rate"] < \
        free.loc["posture under the scenario's rules (model)", "defeat_rate"]
    assert 2 / 23 <= held.loc["posture as it was (model)", "defeat_rate"] <= 8 / 19
