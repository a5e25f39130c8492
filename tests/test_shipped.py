"""Shipped scenarios by name (issue #17): `dronewall run eastern-flank`, `load_scenario("tiny")`, and `dronewall init`
copying them to edit, refusing a folder that already has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.config.io import load_scenario
from planner.config.shipped import copy_shipped, resolve_scenario, shipped_scenarios
from planner.errors import ConfigError
from tests.conftest import CONFIGS
from tests.test_config_valid import run_cli


def test_scenarios_by_name() -> None:
    assert set(shipped_scenarios()) >= {"eastern-flank", "poland", "tiny", "poland-2025-09"}
    assert load_scenario("tiny").path == (CONFIGS / "tiny.yaml").resolve()
    assert resolve_scenario("poland-2025-09") == CONFIGS / "incidents" / "poland-2025-09.yaml"
    with pytest.raises(ConfigError, match=r"'nope' is neither a scenario file nor a shipped scenario: give a YAML "
                                          r"path, or one of: eastern-flank, poland, tiny, ukraine-2024-h1, estonia-2025-09, "
                                          r"poland-2025-09"):
        load_scenario("nope")
    with pytest.raises(ConfigError, match=r"file not found: nope.yaml"):  # a path stays a path
        load_scenario("nope.yaml")


def test_init_copies_and_never_overwrites(tmp_path) -> None:
    written = copy_shipped(tmp_path / "mine")
    assert [p.name for p in written] == ["configs", "geodata"]
    copy = load_scenario(tmp_path / "mine" / "configs" / "tiny.yaml")  # relative paths hold in the copy
    assert copy.config.name == "tiny" and copy.files["geodata.borders"].is_relative_to(tmp_path / "mine")
    (tmp_path / "mine" / "configs" / "tiny.yaml").write_text("edited")
    res = run_cli("init", str(tmp_path / "mine"))
    assert res.returncode != 0 and "already exist: choose an empty folder (nothing was written)" in res.stderr
    assert (tmp_path / "mine" / "configs" / "tiny.yaml").read_text() == "edited"
    ok = run_cli("init", str(tmp_path / "other"))
    assert ok.returncode == 0 and (tmp_path / "other" / "geodata" / "eastern_flank.gpkg").is_file()


def test_a_user_install_finds_its_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip install --user` puts the data under the user's base (~/.local/share/dronewall): it is looked for there,
    after the source tree and sys.prefix, and found when only it holds the data."""
    import site

    from planner.config import shipped

    data = tmp_path / "share" / "dronewall"
    (data / "configs").mkdir(parents=True)
    (data / "geodata").mkdir()
    (data / "configs" / "eastern-flank.yaml").write_text("name: x\n")
    monkeypatch.setattr(site, "USER_BASE", str(tmp_path))
    assert data in shipped.data_roots()
    monkeypatch.setattr(shipped, "data_roots", lambda: [tmp_path / "nowhere", data])
    assert shipped.shipped_root() == data
