"""Shoot-look-shoot (issue #14): an effector with doctrine shoot_look_shoot fires one shot at a time until a kill,
so an engagement costs its expected shots, not the whole salvo; the kill probability is the salvo's. By hand, in the
magazines and the money, and against the independent simulation, which fires shot by shot."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import yaml

from planner.config.io import load_scenario
from planner.plan import solve_problem, solve_scenario
from planner.report.plan import write_plan
from planner.simulate import simulate
from tests.conftest import CONFIGS, absolutise, write_yaml
from tests.lp_helpers import make_problem

P_DETECT = 1 - math.exp(-1.0)  # δ = 1 on a chord breakpoint: the promise is exact


def one_cell(look: bool, magazine: float = 1e6) -> object:
    """λ = 10 a raid, detected D = 10 (1 − e^(−1)); one effector, 2 shots of 0.5 each: 0.75 an engagement, €1 a
    shot; budget ample."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_DETECT)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.75]], shots=[2.0], cost_per_shot=[1.0], magazine=[magazine],
                     budget=100.0)
    return dataclasses.replace(p, effector_look=np.array([look]))


def test_expected_shots_by_hand() -> None:
    """Up to 2 shots of 0.5: the second is fired half the time, 1 + 0.5 = 1.5 = (1 − 0.5²)/0.5 shots an engagement
    against 2 in a salvo. Every detected drone is engaged either way: munitions 2 D against 1.5 D a raid. With a
    magazine of 6 shots a raid, a salvo engages 3 drones, shoot-look-shoot 4: kills 3 · 0.75 against 4 · 0.75."""
    d = 10 * P_DETECT
    salvo, look = one_cell(False), one_cell(True)
    assert salvo.shots().tolist() == [[2.0]] and look.shots()[0, 0] == pytest.approx(1.5)
    for p, shots in ((salvo, 2.0), (look, 1.5)):
        _, exact = solve_problem(p)
        assert exact.engagements.sum() == pytest.approx(d, rel=1e-6)
        munitions = p.costs(exact.sensors, exact.effectors, exact.engagements, exact.conventional)["munitions"]
        assert munitions == pytest.approx(shots * d, rel=1e-6)
    for fires_look, engaged in ((False, 3.0), (True, 4.0)):
        p = one_cell(fires_look, magazine=6.0)
        _, exact = solve_problem(p)
        assert exact.engagements.sum() == pytest.approx(engaged, rel=1e-6)


def test_shoot_look_shoot_from_the_catalog() -> None:
    """The interceptor drone, n shots of per-shot kill p: (1 − (1 − p)^n)/p shots when fired shoot-look-shoot, n in a
    salvo; a class it cannot engage: n. Derived from the problem's p_kill, so halving the per-shot kill (a stress
    case) raises the expected shots."""
    from planner.geo.theater import build_theater
    from planner.problem import build_problem

    sc = load_scenario(CONFIGS / "tiny.yaml")
    drone = sc.catalog.effectors["interceptor_drone"]
    look = sc.catalog.model_copy(update={"effectors": {**sc.catalog.effectors, "interceptor_drone": drone.model_copy(
        update={"doctrine": "shoot_look_shoot"})}})
    p = build_problem(dataclasses.replace(sc, catalog=look), build_theater(sc))
    e, t = p.effector_ids.index("interceptor_drone"), p.threat_ids.index("shahed_136")
    per_shot, n = drone.p_kill_per_shot["shahed_136"].value, round(drone.shots_per_engagement.value)
    assert p.shots()[e, t] == pytest.approx((1 - (1 - per_shot) ** n) / per_shot)
    gun = p.effector_ids.index("gun_35mm")
    assert p.shots()[gun, t] == round(sc.catalog.effectors["gun_35mm"].shots_per_engagement.value)
    weaker = 1 - (1 - per_shot / 2) ** n
    degraded = dataclasses.replace(p, p_kill=np.where(np.arange(len(p.effector_ids))[:, None] == e, weaker, p.p_kill))
    assert degraded.shots()[e, t] == pytest.approx((1 - (1 - per_shot / 2) ** n) / (per_shot / 2))
    assert degraded.shots()[e, t] > p.shots()[e, t]


def test_the_simulation_fires_shot_by_shot(catalog_copy, tmp_path) -> None:
    """Tiny (SK–UA) at 2.5 km cells with the interceptor drone fired shoot-look-shoot: the plan's munitions are its
    expected shots; the simulation, firing one shot at a time within the same money, agrees within 2 points."""
    effectors = catalog_copy / "effectors.yaml"
    data = yaml.safe_load(effectors.read_text())
    data["effectors"]["interceptor_drone"]["doctrine"] = "shoot_look_shoot"
    effectors.write_text(yaml.safe_dump(data, sort_keys=False))
    cfg = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
    cfg["catalogs"]["effectors"] = str(effectors)
    cfg["theater"]["cell_length_m"] = 2500
    plan = solve_scenario(load_scenario(write_yaml(tmp_path / "tiny-sls.yaml", cfg)))
    p = plan.problem
    e = p.effector_ids.index("interceptor_drone")
    assert p.effector_look[e] and (p.shots()[e] < p.effector_shots[e]).any()
    write_plan(plan, tmp_path / "plan")
    r = simulate(tmp_path / "plan", drones=40_000)
    for row in r.table.itertuples(index=False):
        assert abs(row.difference_pp) <= 2.0, row
