"""Physical ceilings (issue #14): the most any plan could defeat whatever the money, and the limit named."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import yaml

from planner.analysis.ceilings import DETECTION_CAP, class_ceilings, value_ceiling
from planner.config.io import load_scenario
from planner.geo.theater import build_theater
from planner.plan import kills, solve_problem
from planner.problem import build_problem
from tests.conftest import CONFIGS, absolutise, write_yaml
from tests.test_layers import P_DETECT, two_effectors


def test_layered_ceiling_by_hand() -> None:
    """One cell, two effector types (0.5 and 0.4 an engagement): one layer, 0.5 × the detection cap; two layers,
    (1 − 0.5 · 0.6) × the cap. The LP's promise stays below (detection there is 1 − e^(−1), under the cap)."""
    for ranks, kill in ((None, 0.5), ([[0], [1]], 1 - 0.5 * 0.6)):
        p = two_effectors(ranks)
        c = class_ceilings(None, p)
        assert c.loc[0, "ceiling"] == pytest.approx(DETECTION_CAP * kill)
        assert "at most" in c.loc[0, "limit"]
        lp, _ = solve_problem(p)
        assert kills(p, lp).sum() / 10 <= c.loc[0, "ceiling"] + 1e-9
        assert kills(p, lp).sum() / 10 == pytest.approx(P_DETECT * kill, rel=1e-6)


def test_a_near_certain_kill_names_detection_as_the_limit() -> None:
    """Two layers killing 0.99 and 0.9: 1 − 0.01 · 0.1 = 0.999 at the cell; the ceiling is the detection cap times
    that, and the limit named is detection, not the kill."""
    p = dataclasses.replace(two_effectors([[0], [1]]), p_kill=np.array([[0.99], [0.9]]))
    c = class_ceilings(None, p)
    assert c.loc[0, "ceiling"] == pytest.approx(DETECTION_CAP * 0.999)
    assert c.loc[0, "limit"].startswith("detection: the kill of its layers together is at least 99.5%")


def test_no_effector_reaches_and_why(tmp_path) -> None:
    """Tiny (SK–UA) with the 35 mm gun alone: its 4 km envelope (3,992 m against a Shahed at 50 m/s after its 10 s
    reaction) stops short of the border from candidate sites 5 km inland: nothing can be defeated, and the limit
    says so."""
    data = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
    data["systems"]["effectors"] = ["gun_35mm"]
    sc = load_scenario(write_yaml(tmp_path / "gun.yaml", data))
    p = build_problem(sc, build_theater(sc))
    c = class_ceilings(sc, p).set_index("threat")
    assert (c["ceiling"] == 0).all()
    assert "gun_35mm: its envelope reaches 3,992 m, short of the border from the nearest candidate sites (5,000 m " \
           "inland)" in c.loc["shahed_136", "limit"]
    assert value_ceiling(p, c.reset_index()) == 0.0


def test_the_promise_never_exceeds_the_ceiling(tmp_path) -> None:
    """Tiny with every euro on drone defence: the value-weighted share the LP promises is below the ceiling."""
    data = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
    data["objective"]["conventional_weight"] = 0
    data["budget"]["total_eur"] = 3e9
    sc = load_scenario(write_yaml(tmp_path / "rich.yaml", data))
    p = build_problem(sc, build_theater(sc))
    lp, _ = solve_problem(p)
    rate = float((kills(p, lp) * p.value).sum() / (p.demand * p.value).sum())
    assert 0.3 < rate <= value_ceiling(p, class_ceilings(sc, p)) + 1e-9


def test_why_not_names_a_reaction_longer_than_the_flight() -> None:
    """A fighter on 900 s alert against a drone that flies 333 s inland (10 km at 30 m/s): the reason given is the
    time, not the rules of engagement."""
    from types import SimpleNamespace as NS

    from planner.analysis.ceilings import _why_not

    fighter = NS(p_kill_per_shot={"d": NS(value=0.8)}, max_altitude_m=NS(value=15_000), range_m=NS(value=300_000),
                 reaction_time_s=NS(value=900))
    drone = NS(altitude_m=NS(value=100), speed_mps=NS(value=30))
    assert _why_not(fighter, drone, "d", 3_000, 10_000 / 30) == (
        "its 900 s reaction is longer than the 333 s the drone flies inland after crossing (route reach or range "
        "over speed)")
    assert _why_not(fighter, drone, "d", 3_000).startswith("rules of engagement, an identification delay")
