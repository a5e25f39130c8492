"""systems.max_units: the most units of a type a nation may field (a posture's holdings, the crews it has).

The constraint family (planner.lp.formulation.define_unit_caps, checked by planner.lp.check.check_unit_caps) is
the procurement pathway's, hand-tested in tests/test_pathway.py; here the scenario file's side: the limit reaches the
plan, binds where the money would buy more, and bad entries are named.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.geo.theater import build_theater
from planner.plan import solve_scenario
from planner.problem import build_problem
from tests.conftest import write_yaml


def _tiny(tiny_dict: dict, tmp_path: Path, caps: list[dict]) -> Path:
    data = {**tiny_dict, "systems": {**tiny_dict["systems"], "max_units": caps},
            "objective": {"kind": "max_defeat", "conventional_weight": 0}}  # drone defence only: no money to tanks
    return write_yaml(tmp_path / "capped.yaml", data)


def _units(plan, system: str) -> int:  # type: ignore[no-untyped-def]
    return int((plan.units["system"] == system).sum())


def test_a_limit_binds_where_the_money_buys_more(tiny_dict: dict, tmp_path: Path) -> None:
    free = solve_scenario(load_scenario(_tiny(tiny_dict, tmp_path, [])))
    built = _units(free, "interceptor_drone")
    assert built >= 3  # the tiny budget buys several teams: a limit of 2 must bind
    capped = solve_scenario(load_scenario(_tiny(tiny_dict, tmp_path, [
        {"system": "interceptor_drone", "nation": "SK", "units": 2, "note": "crews trained"}])))
    assert _units(capped, "interceptor_drone") == 2
    assert capped.summary["defeat_rate_all_exact"] <= free.summary["defeat_rate_all_exact"] + 1e-9


def test_zero_units_bars_a_type(tiny_dict: dict, tmp_path: Path) -> None:
    plan = solve_scenario(load_scenario(_tiny(tiny_dict, tmp_path, [
        {"system": "interceptor_drone", "nation": "each", "units": 0}])))
    assert _units(plan, "interceptor_drone") == 0


def test_limits_become_per_nation_arrays(tiny_dict: dict, tmp_path: Path) -> None:
    scenario = load_scenario(_tiny(tiny_dict, tmp_path, [
        {"system": "acoustic_node", "nation": "each", "units": 7},
        {"system": "gun_35mm", "nation": "SK", "units": 1}]))
    p = build_problem(scenario, build_theater(scenario))
    sk = p.nations.index("SK")
    assert p.sensor_max_units[sk, p.sensor_ids.index("acoustic_node")] == 7
    assert np.isinf(p.sensor_max_units[sk, p.sensor_ids.index("radar_short_3d")])
    assert p.effector_max_units[sk, p.effector_ids.index("gun_35mm")] == 1
    assert np.isinf(p.effector_max_units[sk, p.effector_ids.index("interceptor_drone")])


@pytest.mark.parametrize(("entry", "message"), [
    ({"system": "tank", "nation": "SK", "units": 1}, r"systems.max_units\[0\].system: unknown sensor or effector 'tank'"),
    ({"system": "manpads", "nation": "SK", "units": 1},
     r"systems.max_units\[0\].system: 'manpads' has a limit but is not in systems.effectors: add it there"),
    ({"system": "gun_35mm", "nation": "PL", "units": 1}, r"systems.max_units\[0\].nation: 'PL' is not a defender"),
    ({"system": "gun_35mm", "nation": "SK", "units": -1}, r"systems.max_units.0.units: -1 is not valid"),
    ({"system": "gun_35mm", "units": 1}, r"systems.max_units.0.nation: required field is missing"),
])
def test_bad_limits_are_named(tiny_dict: dict, tmp_path: Path, entry: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_scenario(_tiny(tiny_dict, tmp_path, [entry]))


def test_a_type_limited_twice_is_named(tiny_dict: dict, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"systems.max_units\[1\]: 'gun_35mm' in SK is limited twice"):
        load_scenario(_tiny(tiny_dict, tmp_path, [{"system": "gun_35mm", "nation": "SK", "units": 1},
                                                   {"system": "gun_35mm", "nation": "SK", "units": 2}]))
