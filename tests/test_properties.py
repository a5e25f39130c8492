"""Property tests (hypothesis): random config values never end in a traceback; theaters stay sound."""

from __future__ import annotations

import copy
import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.config.io import load_scenario
from planner.geo.theater import build_theater
from tests.conftest import CONFIGS, absolutise
from tests.test_theater import assert_theater_sound

BASE = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)


def _leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        out = [prefix] if prefix else []
        for k, v in node.items():
            out += _leaf_paths(v, (*prefix, k))
        return out
    if isinstance(node, list):
        out = [prefix]
        for i, v in enumerate(node):
            out += _leaf_paths(v, (*prefix, i))
        return out
    return [prefix]


# Every existing field, plus a few that do not exist (misspellings, new sections).
PATHS = _leaf_paths(BASE) + [("budget", "per_nation_eur", "SK"), ("roe", "per_nation", "SK"),
                             ("objective", "kind"), ("objective", "defeat_targets"), ("geodata", "crs"),
                             ("solver", "mip_rel_gap"), ("extra_section",), ("theater", "typo_m")]

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["SK", "UA", "PL-BY", "SK-UA", "all", "shahed_136", "min_cost", "EPSG:4326", "EPSG:3035",
                     "shoot_all", "gun_35mm", "cbc"]),
    st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=4), st.sampled_from(["SK", "UA", "shahed_136"])),
             max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(-3, 3), st.floats(-2, 2)), max_size=2),
)


def _apply(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = data
    for key in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(key, {})
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return  # an earlier mutation replaced this branch
        if not isinstance(node, dict | list):
            return
    last = path[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=3))
def test_random_config_values_never_raise_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str],
                                                      mutations: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = copy.deepcopy(BASE)
    for path, value in mutations:
        _apply(data, path, value)
    cfg = tmp_path / "random.yaml"
    cfg.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    monkeypatch.setattr(sys, "argv", ["dronewall", "validate", str(cfg)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "Traceback" not in err
    if code == 1:
        assert "error:" in err


@settings(max_examples=15, deadline=None)
@given(cell_km=st.floats(0.5, 60.0), spacing_km=st.floats(2.0, 40.0),
       depths_km=st.lists(st.floats(0.5, 40.0), min_size=1, max_size=3, unique=True))
def test_theater_sound_for_any_grid(cell_km: float, spacing_km: float, depths_km: list[float]) -> None:
    scenario = load_scenario(CONFIGS / "tiny.yaml")
    theater_cfg = scenario.config.theater.model_copy(update={
        "cell_length_m": cell_km * 1000, "site_spacing_m": spacing_km * 1000,
        "site_depths_m": [d * 1000 for d in depths_km]})
    th = build_theater(dataclasses.replace(scenario, config=scenario.config.model_copy(
        update={"theater": theater_cfg})))
    if len(th.sites):
        assert_theater_sound(th)
    else:  # very deep rows may not fit on Slovakia's land: then there is no site at all, not a wrong one
        assert max(depths_km) > 20
    weights = th.cells[[c for c in th.cells.columns if c.startswith("raid_")]]
    assert (weights >= 0).all().all()
