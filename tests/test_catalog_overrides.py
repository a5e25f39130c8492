"""catalogs.overrides: a scenario's own reading of a catalog figure (the 2024 Shahed flew lower than the catalog's
2025 profile), applied to that scenario only, recorded with its reason; bad entries named with their fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.config.io import load_scenario
from planner.errors import ConfigError
from tests.conftest import write_yaml


def _with(tiny_dict: dict, tmp_path: Path, overrides: list[dict]) -> Path:
    return write_yaml(tmp_path / "o.yaml", {**tiny_dict, "catalogs": {**tiny_dict.get("catalogs", {}),
                                                                          "overrides": overrides}})


def test_an_override_sets_the_figure_for_this_scenario_only(tiny_dict: dict, tmp_path: Path) -> None:
    plain = load_scenario(write_yaml(tmp_path / "p.yaml", tiny_dict))
    sc = load_scenario(_with(tiny_dict, tmp_path, [
        {"catalog": "threats", "id": "shahed_136", "field": "altitude_m", "value": 500,
         "note": "2024 profile: assumption, 100-1,500 m"}]))
    fig = sc.catalog.threats["shahed_136"].altitude_m
    assert fig.value == 500 and fig.low == plain.catalog.threats["shahed_136"].altitude_m.low
    assert "2024 profile" in (fig.assumption or "") and "the catalog gives 1500" in (fig.assumption or "")
    assert fig.source == plain.catalog.threats["shahed_136"].altitude_m.source
    assert plain.catalog.threats["shahed_136"].altitude_m.value == 1500
    assert sc.config_hash() != plain.config_hash()


def test_a_value_beyond_the_catalogs_range_widens_it_unless_a_range_is_given(tiny_dict: dict, tmp_path: Path) -> None:
    sc = load_scenario(_with(tiny_dict, tmp_path, [
        {"catalog": "threats", "id": "shahed_136", "field": "speed_mps", "value": 60, "note": "a faster variant, assumption"}]))
    fig = sc.catalog.threats["shahed_136"].speed_mps
    assert (fig.value, fig.high) == (60, 60)
    with pytest.raises(ConfigError, match=r"catalogs.overrides\[0\]: value 60 lies outside its range 40-50: widen"):
        load_scenario(_with(tiny_dict, tmp_path, [
            {"catalog": "threats", "id": "shahed_136", "field": "speed_mps", "value": 60, "low": 40, "high": 50,
             "note": "a faster variant, assumption"}]))


@pytest.mark.parametrize(("entry", "message"), [
    ({"catalog": "threats", "id": "shahed_999", "field": "altitude_m", "value": 1, "note": "a note long enough"},
     r"catalogs.overrides\[0\].id: no entry 'shahed_999' in the threats catalog"),
    ({"catalog": "threats", "id": "shahed_136", "field": "guidance", "value": 1, "note": "a note long enough"},
     r"catalogs.overrides\[0\].field: 'guidance' is not a figure of threats.shahed_136: one of .*altitude_m"),
    ({"catalog": "tanks", "id": "shahed_136", "field": "altitude_m", "value": 1, "note": "a note long enough"},
     r"catalogs.overrides.0.catalog"),
    ({"catalog": "threats", "id": "shahed_136", "field": "altitude_m", "value": 500, "note": "short"},
     r"catalogs.overrides.0.note"),
    ({"catalog": "threats", "id": "shahed_136", "field": "altitude_m", "value": 2e6, "note": "far too high here"},
     r"catalogs.overrides\[0\].value: Value error, altitude_m must be at most 1,000,000 m"),
])
def test_bad_overrides_are_named(tiny_dict: dict, tmp_path: Path, entry: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_scenario(_with(tiny_dict, tmp_path, [entry]))
