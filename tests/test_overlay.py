"""Scenarios built from others (issue #17): ``extends:`` overlays, ``--set`` and ``overrides``, scenarios from a
mapping or a model; every result validated as a whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.config.io import load_scenario
from planner.errors import ConfigError
from tests.conftest import CONFIGS, write_yaml

DENSITY = [{"threat": "shahed_136", "drones_per_raid_per_100km": 2.0}]


def test_an_overlay_is_the_base_with_its_changes(tmp_path: Path) -> None:
    """An overlay in another folder, extending a shipped scenario by name: sections merged field by field, lists
    replaced, the base's paths still found; the same config as the base with the same fields overridden."""
    overlay = write_yaml(tmp_path / "more.yaml", {"extends": "tiny", "name": "tiny-more",
                                                  "budget": {"total_eur": 4.0e8}, "threats": {"density": DENSITY}})
    got = load_scenario(overlay)
    want = load_scenario("tiny", overrides={"name": "tiny-more", "budget.total_eur": 4.0e8,
                                            "threats.density": DENSITY})
    def unplaced(sc: Any) -> dict[str, Any]:  # the config without its paths, which are relative to another folder
        doc = sc.config.model_dump(mode="json")
        doc.pop("catalogs")
        for key in ("countries", "borders", "assets", "settlements"):
            doc["geodata"].pop(key)
        return doc

    assert unplaced(got) == unplaced(want)
    assert {k: v.resolve() for k, v in got.files.items()} == {k: v.resolve() for k, v in want.files.items()}
    assert got.config.budget.horizon_years == 10 and got.config.objective.conventional_weight == 50  # kept
    assert got.files["geodata.countries"].resolve() == (CONFIGS.parent / "geodata" / "eastern_flank.gpkg").resolve()


def test_overlays_chain_and_null_removes_a_section(tmp_path: Path) -> None:
    """b extends a (by a relative path) extends the shipped default; ``pathway: null`` drops the base's pathway."""
    (tmp_path / "sub").mkdir()
    write_yaml(tmp_path / "a.yaml", {"extends": "eastern-flank", "name": "a", "budget": {"total_eur": 3.0e9}})
    b = write_yaml(tmp_path / "sub" / "b.yaml", {"extends": "../a.yaml", "name": "b", "pathway": None,
                                                 "solver": {"time_limit_s": 30}})
    sc = load_scenario(b)
    assert (sc.name, sc.config.budget.total_eur, sc.config.solver.time_limit_s) == ("b", 3.0e9, 30)
    assert sc.config.pathway is None and load_scenario("eastern-flank").config.pathway is not None
    assert sc.config.geodata.defenders == ["NO", "FI", "EE", "LV", "LT", "PL", "SK", "HU", "RO"]


def test_a_circle_of_overlays_is_refused(tmp_path: Path) -> None:
    write_yaml(tmp_path / "a.yaml", {"extends": "b.yaml", "name": "a"})
    write_yaml(tmp_path / "b.yaml", {"extends": "a.yaml", "name": "b"})
    with pytest.raises(ConfigError, match=r"extends: the scenarios extend each other in a circle .*break the circle"):
        load_scenario(tmp_path / "a.yaml")


def test_an_overlay_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"file not found: .*nowhere"):
        load_scenario(write_yaml(tmp_path / "a.yaml", {"extends": "nowhere.yaml", "name": "a"}))


@pytest.mark.parametrize(("overrides", "pattern"), [
    ({"budget.total_eur": -5}, r"with budget\.total_eur overridden: budget\.total_eur: -5 is not valid"),
    ({"threats.density.7.threat": "x"}, r"threats\.density\.7: the list has 2 entries: give an index from 0 to 1"),
    ({"name.first": "x"}, r"name\.first: name is 'tiny', not a section"),
    (["budget"], r"--set: 'budget' is not key=value"),
])
def test_overrides_are_validated(overrides: Any, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        load_scenario("tiny", overrides=overrides)


def test_override_of_a_list_entry_and_yaml_values() -> None:
    sc = load_scenario("tiny", overrides=["threats.density.0.drones_per_raid_per_100km=2.5",
                                          "systems.effectors=[gun_35mm]", "roe.per_nation.SK=escort_only"])
    assert sc.config.threats.density[0].drones_per_raid_per_100km == 2.5
    assert sc.config.systems.effectors == ["gun_35mm"] and sc.config.roe.per_nation == {"SK": "escort_only"}


def test_a_scenario_from_a_mapping_or_a_model() -> None:
    """load_scenario takes the sections as a mapping (paths relative to base_dir) or a ScenarioConfig; with_overrides
    re-validates where model_copy(update=...) would not."""
    data = yaml.safe_load((CONFIGS / "tiny.yaml").read_text())
    from_dict = load_scenario(data, base_dir=CONFIGS)
    assert from_dict.config_hash() == load_scenario("tiny").config_hash()
    assert load_scenario(from_dict.config, base_dir=CONFIGS).config_hash() == from_dict.config_hash()
    assert from_dict.with_overrides({"budget.total_eur": 2.0e8}).config.budget.total_eur == 2.0e8
    with pytest.raises(ConfigError, match=r"budget\.total_eur: -5 is not valid"):
        from_dict.with_overrides({"budget.total_eur": -5})


def test_set_on_the_command_line(tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, check=False,
                              timeout=120)

    bad = cli("validate", "tiny", "--set", "budget.total_eur=-3")
    assert bad.returncode == 1 and "with budget.total_eur overridden: budget.total_eur: -3 is not valid" in bad.stderr
    ok = cli("--set", "budget.total_eur=4e8", "--json", "validate", "tiny")
    assert ok.returncode == 0 and '"ok": true' in ok.stdout
    assert '"config_hash": "' + load_scenario("tiny", overrides={"budget.total_eur": 4e8}).config_hash() in ok.stdout


def test_set_is_refused_where_a_run_folder_is_read(tmp_path: Path) -> None:
    """A command that reads a run folder (stress, brief, …) has the run's scenario: --set there is an error, not
    silently ignored."""
    run = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "planner", "run", "tiny", "--out", str(run), "-q"],
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([sys.executable, "-m", "planner", "stress", str(run), "--set", "budget.total_eur=1e8"],
                         capture_output=True, text=True, check=False, timeout=300)
    assert bad.returncode == 1 and "--set: changes the scenario of a command that reads one" in bad.stderr
    assert not (run / "stress").exists()
