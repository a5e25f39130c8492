"""systems.min_detection (issue #12): a nation may require a share of the drones over its border detected.

A nation under ``roe: escort_only`` used to get no sensors at all, since only kills carry value: with a
requirement it watches its border. The optimizer's side (every strategy, empty national plans barred,
hypothesis over random flanks) is tested in tests/test_sectors.py; here the scenario file's side.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.geo.theater import build_theater
from planner.plan import solve_scenario
from planner.problem import build_problem
from tests.conftest import write_yaml


def _escort_only(tiny_dict: dict, tmp_path: Path, requirement: list[dict] | None) -> Path:
    data = {**tiny_dict, "roe": {"default": "escort_only"}}
    if requirement is not None:
        data["systems"] = {**data["systems"], "min_detection": requirement}
    return write_yaml(tmp_path / "escort.yaml", data)


def test_escort_only_nation_watches_its_border_when_required(tiny_dict: dict, tmp_path: Path) -> None:
    blind = solve_scenario(load_scenario(_escort_only(tiny_dict, tmp_path, None)))
    assert blind.threats["detect_rate_exact"].max() == 0.0 and len(blind.units) == 0  # nothing to gain: no sensor
    scenario = load_scenario(_escort_only(tiny_dict, tmp_path, [{"nation": "SK", "share": 0.8}]))
    plan = solve_scenario(scenario)
    rates = plan.threats.set_index("threat")["detect_rate_exact"]
    assert (rates >= 0.8).all(), rates.to_dict()
    assert plan.threats["defeat_rate_exact"].max() == 0.0  # it still may not shoot
    assert set(plan.units["category"]) == {"sensor"}


def test_requirements_become_one_share_per_nation_and_class(tiny_dict: dict, tmp_path: Path) -> None:
    path = _escort_only(tiny_dict, tmp_path, [{"nation": "all", "share": 0.3},
                                              {"nation": "SK", "threat": "shahed_136", "share": 0.7}])
    scenario = load_scenario(path)
    p = build_problem(scenario, build_theater(scenario))
    shares = dict(zip(p.threat_ids, p.min_detection[p.nations.index("SK")], strict=True))
    assert shares == {"shahed_136": 0.7, "gerbera_decoy": 0.3}


@pytest.mark.parametrize(("entry", "message"), [
    ({"nation": "PL", "share": 0.5}, r"systems.min_detection\[0\].nation: 'PL' is not a defender"),
    ({"nation": "SK", "threat": "lancet_3", "share": 0.5}, r"systems.min_detection\[0\].threat: 'lancet_3' has "
                                                          r"no raid density|unknown threat"),
    ({"nation": "SK", "share": 1.0}, r"systems.min_detection.0.share: 1.0 is not valid"),
    ({"nation": "SK", "share": 0}, r"systems.min_detection.0.share: 0 is not valid"),
    ({"nation": "SK"}, r"systems.min_detection.0.share: required field is missing"),
])
def test_bad_requirements_are_named(tiny_dict: dict, tmp_path: Path, entry: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_scenario(_escort_only(tiny_dict, tmp_path, [entry]))
