"""A run folder keeps its inputs (planner.output, issue #12): copied to another path with its scenario file,
catalogs and geodata gone, it still runs stress, simulate, uncertainty, maps and brief."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GEODATA, write_yaml

DRONEWALL = Path(sys.executable).parent / "dronewall"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DRONEWALL), *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


@pytest.mark.slow
def test_a_copied_run_folder_needs_nothing_else(tiny_dict: dict, catalog_copy: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    gpkg = str(shutil.copy(GEODATA / "eastern_flank.gpkg", work / "flank.gpkg"))
    data = {**tiny_dict, "catalogs": {k: str(catalog_copy / f"{k}.yaml") for k in tiny_dict["catalogs"]}}
    data["geodata"] = {**data["geodata"], **{k: gpkg for k in ("countries", "borders", "assets")}}
    scenario = write_yaml(work / "scenario.yaml", data)
    done = _cli("run", str(scenario), "--out", str(work / "run"), cwd=work)
    assert done.returncode == 0, done.stderr
    kept = json.loads((work / "run" / "inputs" / "scenario.json").read_text())
    assert kept["config_hash"] == json.loads((work / "run" / "plan.json").read_text())["config_hash"]

    moved = tmp_path / "elsewhere" / "run"
    shutil.copytree(work / "run", moved)
    shutil.rmtree(work)  # the scenario file, its geodata and the run folder's original place: gone
    shutil.rmtree(catalog_copy)  # and its catalogs
    for args in (["stress", str(moved)], ["simulate", str(moved), "--drones", "2000"],
                 ["uncertainty", str(moved), "--draws", "3"], ["maps", str(moved), "--formats", "png", "--dpi", "72"],
                 ["brief", str(moved), "--no-pdf", "--dpi", "72"]):
        done = _cli(*args, cwd=tmp_path)
        assert done.returncode == 0, f"{args[0]}: {done.stderr}"
        assert "Traceback" not in done.stderr
    assert {p.name for p in moved.iterdir()} >= {"stress", "simulation", "uncertainty", "maps", "brief"}


def test_a_folder_without_its_inputs_says_what_to_do(tmp_path: Path, tiny_dict: dict) -> None:
    """A folder from before runs kept their inputs, whose scenario file is gone: a message, not a traceback."""
    scenario = write_yaml(tmp_path / "s.yaml", tiny_dict)
    done = _cli("run", str(scenario), "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shutil.rmtree(tmp_path / "run" / "inputs")
    scenario.unlink()
    done = _cli("stress", str(tmp_path / "run"), cwd=tmp_path)
    assert done.returncode == 1
    assert "is not there any more (and the folder keeps no copy, inputs/)" in " ".join(done.stderr.split())
