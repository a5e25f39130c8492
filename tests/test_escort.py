"""Escort of crewed incursions (issue #16): an alert unit meets a crewed class only when its reaction time plus the
flight to the track fit the class's escort window; a nation that may not shoot crewed aircraft engages drones and
escorts the aircraft; escort requirements are held, explained when out of reach, and checked; the Estonia replay of
19 Sep 2025 meets the incursion and fires nothing."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.config.io import load_scenario
from planner.errors import ConfigError, InfeasibleError
from planner.escort import escort_pairs, escort_reach_m
from planner.geo.theater import build_theater
from planner.lp import check as checks
from planner.lp.families import violations
from planner.plan import solve_problem, solve_scenario
from planner.problem import build_problem
from tests.conftest import CONFIGS, ROOT, write_yaml
from tests.lp_helpers import make_problem

CASES = json.loads((ROOT / "tests" / "data" / "hand_cases.json").read_text())


def test_escort_reach_is_the_flight_the_window_leaves() -> None:
    """fighter_aim120 against mig_31: window 1,800 s, reaction (to take-off) 900 s, transit 280 m/s, so it meets the
    track from 280 × (1,800 − 900) = 252 km, inside its 300 km radius of action. Against mi_8 (window 300 s < the
    900 s to take off) from nowhere; against a drone (not crewed) from nowhere; an effector with no escort block
    (gun_35mm) never."""
    sc = load_scenario(CONFIGS / "eastern-flank.yaml")
    effs = [sc.catalog.effectors[e] for e in ("fighter_aim120", "gun_35mm")]
    ths = [sc.catalog.threats[t] for t in ("mig_31", "mi_8", "shahed_136")]
    reach = escort_reach_m(effs, ths)
    assert reach[0] == pytest.approx([252_000.0, 0.0, 0.0])
    assert reach[1] == pytest.approx([0.0, 0.0, 0.0])
    # a radius of action shorter than that flight binds instead
    short = effs[0].model_copy(update={"range_m": effs[0].range_m.model_copy(update={"value": 100_000.0})})
    assert escort_reach_m([short], ths[:1])[0, 0] == pytest.approx(100_000.0)


def test_escort_pairs_only_in_time_and_where_due() -> None:
    """Two cells due an escort and one not; a site 250 km from cell 0 is in time (≤ 252 km), 255 km from cell 1 is
    not; cell 2 (not due) gets no pair however near. The one pair keeps the unit's escorts whole (one cell)."""
    reach = np.array([[252_000.0]])
    due = np.array([[True], [True], [False]])
    pairs = escort_pairs(reach, due, pi=np.array([0, 1, 2]), pj=np.array([0, 0, 0]),
                         pd=np.array([250_000.0, 255_000.0, 1_000.0]), n_sites=1, n_cells=3)
    assert pairs.cell.tolist() == [0] and pairs.site.tolist() == [0] and pairs.effector.tolist() == [0]
    assert pairs.share.tolist() == [[1.0]]


def one_cell(min_share: float, *, in_time: bool = True, budget: float = 100.0, **kw: Any):
    """One cell with one crewed incursion a raid (λ = 1); a sensor (€10, p_detect 0.9) at site 0; an alert unit (€50,
    p_meet 0.95, 2 escorts a raid, €1,000 a sortie) at site 1, which meets the class in time (an escort pair) or not;
    no engagement pairs (the crewed class may not be shot)."""
    p = make_problem(demand=[[1.0]], det=[(0, 0, 0, 0, 0.9)], eng=[], n_sites=2, sensor_cost=[10.0],
                     effector_cost=[50.0], p_kill=[[0.0]], budget=budget, value=[[0.0]], **kw)
    esc = ([0], [0], [1], [0]) if in_time else ([], [], [], [])
    return dataclasses.replace(
        p, escort_due=np.array([[True]]), esc_cell=np.array(esc[0], np.int64), esc_threat=np.array(esc[1], np.int64),
        esc_site=np.array(esc[2], np.int64), esc_effector=np.array(esc[3], np.int64),
        esc_share=np.array([[0.0], [1.0 if in_time else 0.0]]), effector_escorts=np.array([2.0]),
        effector_p_meet=np.array([0.95]), effector_sortie_eur=np.array([1000.0]),
        min_escort=np.array([[min_share]]))


def test_escort_requirement_by_hand() -> None:
    """To meet 80% of the incursions the plan needs the sensor and the alert unit (€60 of €100): the promise can
    reach 0.89055 detected (the detection chord at δ = −ln 0.1) × 0.95 = 0.84602 ≥ 0.8, and a planning model sends
    just the sorties the requirement needs (escorts carry no value there): 0.8. The exact evaluation (detection
    exact, 0.9) sends a sortie to every detected incursion: 0.9 sorties, 0.855 met (≥ the promise)."""
    exp = CASES["escort_one_cell"]
    p = one_cell(0.8)
    lp, exact = solve_problem(p)
    assert lp.sensors.sum() == exp["sensors_built"] and lp.effectors.sum() == exp["effectors_built"]
    assert checks.escort_shares(p, lp.escorts)[0, 0] == pytest.approx(exp["met_lp"], abs=1e-5)
    assert exact.escorts is not None
    assert exact.escorts.sum() == pytest.approx(exp["sorties_exact"], abs=1e-6)
    assert float(exact.escorts.sum() * 0.95) == pytest.approx(exp["met_exact"], abs=1e-6)


def test_units_in_service_escort_without_a_requirement() -> None:
    """No requirement, the sensor and the alert unit in service: the exact evaluation still sends a sortie to every
    detected incursion it can (doctrine, not a choice): 0.9 sorties, 0.855 met."""
    p = one_cell(0.0)
    p = dataclasses.replace(p, in_service_sensors=np.array([[True], [False]]),
                            in_service_effectors=np.array([[False], [True]]))
    _, exact = solve_problem(p)
    assert exact.escorts is not None and exact.escorts.sum() == pytest.approx(0.9, abs=1e-6)


def test_an_escort_out_of_time_is_not_feasible() -> None:
    """The same cell with the alert unit out of time (no escort pair): nothing can meet the incursion, so 80% is
    out of reach and the explanation says so from the data (0 at most), naming the escort window."""
    with pytest.raises(InfeasibleError, match=r"EUR|escort.min_share: AA requires 0.800 of t0 met in time; every "
                       r"candidate sensor and alert unit together meet at most 0.000.*escort_window_s"):
        solve_problem(one_cell(0.8, in_time=False))
    # and a share above what the best posture can meet (0.9 × 0.95 = 0.855)
    with pytest.raises(InfeasibleError, match=r"meet at most 0.855"):
        solve_problem(one_cell(0.86))


def test_the_checker_catches_sorties_beyond_detection() -> None:
    """A plan whose escorts exceed the incursions detected, or that sends sorties with no unit built, is refused."""
    p = one_cell(0.8)
    lp, _ = solve_problem(p)
    bad = dataclasses.replace(lp, escorts=lp.escorts * 2)
    assert any("incursions detected" in v for v in violations(p, bad))
    none_built = dataclasses.replace(lp, effectors=np.zeros_like(lp.effectors))
    assert any("alert units built in time" in v for v in violations(p, none_built))


def _with_crewed(tmp_path: Path, tiny: dict[str, Any], **changes: Any) -> Path:
    data = {**tiny, "threats": {**tiny["threats"], "density": [
        {"threat": "shahed_136", "drones_per_raid_per_100km": 1.0},
        {"threat": "mig_31", "drones_per_raid_per_100km": 0.5}]},
        "systems": {**tiny["systems"], "sensors": ["acoustic_node", "radar_short_3d", "radar_long"],
                    "effectors": ["gun_35mm", "interceptor_drone", "fighter_aim120"]},
        "budget": {"total_eur": 2.0e9, "horizon_years": 10}}
    data.update(changes)
    return write_yaml(tmp_path / "crewed.yaml", data)


@pytest.fixture(scope="module")
def crewed_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """Slovakia under shoot_unmanned with Shaheds and MiG-31 incursions, 80% of the incursions to be met: the plan
    and its run folder."""
    import yaml

    from planner.report.plan import write_plan
    from tests.conftest import absolutise

    tmp = tmp_path_factory.mktemp("crewed")
    tiny = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
    path = _with_crewed(tmp, tiny, escort={"min_share": [{"nation": "SK", "threat": "mig_31", "share": 0.8}]})
    plan = solve_scenario(load_scenario(path))
    return plan, write_plan(plan, tmp / "plan")


def test_shoot_unmanned_engages_drones_and_escorts_fighters(crewed_plan: tuple[Any, Path]) -> None:
    """The plan of :func:`crewed_plan` engages Shaheds and never a MiG-31 (no engagement pair exists for it), sends
    escorts to MiG-31s only, meets at least 80% of them in time (exact), and reports the response, the sorties
    (outside the budget) and the alert posture's cost, in plan.json too (valid against its schema)."""
    plan, folder = crewed_plan
    p, x = plan.problem, plan.exact
    mig, shahed = p.threat_ids.index("mig_31"), p.threat_ids.index("shahed_136")
    assert not (p.eng_threat == mig).any() and (p.esc_threat == mig).all() and len(p.esc_threat)
    assert x.engagements[:, mig].sum() == 0 and x.engagements[:, shahed].sum() > 0
    assert x.escorts is not None and x.escorts[:, shahed].sum() == 0
    row = plan.summary["escort"][0]
    assert row["nation"] == "SK" and row["response"] == "escort" and row["threat"] == "mig_31"
    assert row["met_share_exact"] >= 0.8 - 1e-6
    assert row["sorties_eur_over_horizon"] > 0 and row["alert_units"] >= 1
    assert row["alert_posture_eur_over_horizon"] >= 123e6 + 9.3e6 * 10 - 1  # one new F-16 pair, bought and run
    doc = json.loads((folder / "plan.json").read_text())
    assert doc["escort"][0]["met_share_exact"] == pytest.approx(row["met_share_exact"])
    import jsonschema

    from planner.report.plan_schema import plan_schema

    jsonschema.validate(doc, plan_schema())


def test_the_simulation_meets_as_the_exact_evaluation(crewed_plan: tuple[Any, Path]) -> None:
    """The independent simulation draws each incursion's crossing, the looks of every radar and the alert unit's
    sorties raid by raid. The model plans on the expected 0.436 incursions a raid against the unit's 2 escorts; the
    simulation draws a Poisson number, and in a raid with n > 2 incursions n − 2 go unmet: Σ (n − 2)·P(n) / λ = 2.5% of
    them. Its share met is the exact evaluation's less that loss, within 1 point (about 3 standard errors at 8,000
    incursions)."""
    from planner.simulate import simulate

    plan, folder = crewed_plan
    lam = plan.summary["escort"][0]["incursions_per_raid"]
    loss = sum((n - 2) * math.exp(-lam) * lam ** n / math.factorial(n) for n in range(3, 30)) / lam
    r = simulate(folder, drones=24_000, seed=3).table.set_index("threat")
    assert r.loc["mig_31", "drones_simulated"] > 6_000
    assert abs(r.loc["mig_31", "escort_rate_sim"] - r.loc["mig_31", "escort_rate_exact"] * (1 - loss)) < 0.01
    assert np.isnan(r.loc["shahed_136", "escort_rate_sim"])


def test_shoot_all_engages_crewed_aircraft(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """Under shoot_all the MiG-31 is engaged like a drone (fighter pairs reach it) and due no escort."""
    path = _with_crewed(tmp_path, tiny_dict, roe={"default": "shoot_all"})
    sc = load_scenario(path)
    p = build_problem(sc, build_theater(sc))
    mig = p.threat_ids.index("mig_31")
    assert (p.eng_threat == mig).any() and p.escort_due is None and not len(p.esc_cell)


def test_monitor_sends_no_escort(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """A nation that only monitors crewed incursions has none due an escort: no pair, no sortie."""
    sc = load_scenario(_with_crewed(tmp_path, tiny_dict, escort={"response_per_nation": {"SK": "monitor"}}))
    p = build_problem(sc, build_theater(sc))
    assert p.escort_due is None and not len(p.esc_cell)


@pytest.mark.parametrize(("escort", "roe", "message"), [
    ({"min_share": [{"nation": "SK", "threat": "shahed_136", "share": 0.5}]}, None,
     r"escort.min_share\[0\].threat: 'shahed_136' is not a crewed threat class \(manned: true\); crewed classes: "
     r"mig_31, il_20, mi_8"),
    ({"min_share": [{"nation": "SK", "share": 0.5}], "response_per_nation": {"SK": "monitor"}}, None,
     r"escort.min_share\[0\].nation: SK's response to crewed incursions is monitor: set "
     r"escort.response_per_nation.SK: escort, or drop the requirement"),
    ({"min_share": [{"nation": "SK", "share": 0.5}]}, {"default": "shoot_all"},
     r"escort.min_share\[0\].nation: SK is under roe shoot_all: it engages crewed aircraft rather than escorting "
     r"them"),
    ({"min_share": [{"nation": "PL", "share": 0.5}]}, None, r"escort.min_share\[0\].nation: 'PL' is not a defender"),
    ({"min_share": [{"nation": "SK", "threat": "il_20", "share": 0.5}]}, None,
     r"escort.min_share\[0\].threat: 'il_20' has no raid density in threats.density"),
    ({"response_per_nation": {"PL": "monitor"}}, None,
     r"escort.response_per_nation names PL, which is not among geodata.defenders"),
    ({"min_share": [{"nation": "all", "share": 0.5}], "response": "monitor"}, None,
     r"escort.min_share\[0\].nation: 'all', but no defender escorts crewed incursions"),
])
def test_escort_config_errors(tmp_path: Path, tiny_dict: dict[str, Any], escort: dict[str, Any],
                              roe: dict[str, Any] | None, message: str) -> None:
    changes: dict[str, Any] = {"escort": escort}
    if roe is not None:
        changes["roe"] = roe
    with pytest.raises(ConfigError, match=message):
        load_scenario(_with_crewed(tmp_path, tiny_dict, **changes))


def test_no_escorting_effector_is_an_error(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    data = {**tiny_dict, "threats": {**tiny_dict["threats"], "density": [
        {"threat": "mig_31", "drones_per_raid_per_100km": 0.5}]},
        "escort": {"min_share": [{"nation": "SK", "share": 0.5}]}}
    with pytest.raises(ConfigError, match=r"escort.min_share\[0\]: no allowed effector can escort \(an effector "
                                          r"with an escort block, e.g. fighter_aim120\): allow one in systems.effectors"):
        load_scenario(write_yaml(tmp_path / "s.yaml", data))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t["mig_31"].pop("escort_window_s"),
     r"a crewed class \(manned: true\) needs escort_window_s"),
    (lambda t: t["shahed_136"].update(escort_window_s={"value": 600, "assumption": "a test of the refusal"}),
     r"escort_window_s applies to crewed classes only \(manned: true\): remove it"),
])
def test_catalog_escort_errors(tmp_path: Path, catalog_copy: Path, tiny_dict: dict[str, Any], edit: Any,
                               message: str) -> None:
    import yaml

    threats = yaml.safe_load((catalog_copy / "threats.yaml").read_text())
    edit(threats["threats"])
    write_yaml(catalog_copy / "threats.yaml", threats)
    data = {**tiny_dict, "catalogs": {**tiny_dict["catalogs"], "threats": str(catalog_copy / "threats.yaml")}}
    with pytest.raises(ConfigError, match=message):
        load_scenario(write_yaml(tmp_path / "s.yaml", data))


def test_estonia_replay_meets_the_incursion_and_fires_nothing() -> None:
    """Estonia, 19 Sep 2025: one formation of three MiG-31 met by the F-35 pair from Ämari and escorted out, nothing
    fired. The posture as it was (one long-range radar, p_detect 0.9, and the alert pair, p_meet 0.95, in time
    everywhere on the 284 km border: from its site it reaches 280 × (1,800 − 900) = 252 km) detects 0.9 and meets
    0.9 × 0.95 = 0.855 of it; defeats none and fires no shot; its alert posture costs the pair's operation, €12.5M a
    year (fighter_aim9x). The wall beside it meets at least the 90% it must."""
    from planner.analysis.incident import replay

    result = replay(load_scenario(CONFIGS / "incidents" / "estonia-2025-09.yaml"), targets=())
    rows = result.table.set_index("case")
    posture = rows.loc["posture as it was (model)"]
    assert posture["detect_rate"] == pytest.approx(0.9, abs=1e-6)
    assert posture["escort_rate"] == pytest.approx(0.855, abs=1e-4)
    assert posture["defeat_rate"] == 0 and posture["shots_per_raid"] == 0
    assert rows.loc["observed", "escort_rate"] == 1.0
    assert result.summary["alert_posture_eur_per_year"] == pytest.approx(12.5e6)
    assert rows.loc["drone wall (model)", "escort_rate"] >= 0.9 - 1e-6
    assert math.isclose(result.summary["model_minus_observed_pp"], 0.0, abs_tol=1e-9)


def test_incident_escorted_beyond_incursions_is_refused(tmp_path: Path) -> None:
    import yaml

    from tests.conftest import absolutise

    data = absolutise(yaml.safe_load((CONFIGS / "incidents" / "estonia-2025-09.yaml").read_text()),
                      CONFIGS / "incidents")
    data["incident"]["escorted"]["value"] = 2
    with pytest.raises(ConfigError, match=re.escape("escorted (2) exceeds drones (1): no more incursions can be "
                                                    "escorted than entered")):
        load_scenario(write_yaml(tmp_path / "e.yaml", data))


def test_crewed_incursions_leave_the_drones_value_unit_alone(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """With objective.consequence a value unit is a leaker of the mean armed drone: adding MiG-31 incursions (no
    warhead, escorted) must not move what a Shahed defeated is worth."""
    base = {**tiny_dict, "objective": {**tiny_dict.get("objective", {}), "consequence": {}}}
    plain = load_scenario(write_yaml(tmp_path / "plain.yaml", base))
    crewed = load_scenario(_with_crewed(tmp_path, base))
    p, q = (build_problem(sc, build_theater(sc)) for sc in (plain, crewed))
    t_p, t_q = p.threat_ids.index("shahed_136"), q.threat_ids.index("shahed_136")
    assert q.value_unit_eur == pytest.approx(p.value_unit_eur, rel=1e-12)
    assert q.value[:, t_q] == pytest.approx(p.value[:, t_p], rel=1e-12)
