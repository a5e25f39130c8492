"""Run folders (planner.runfolder, issue #12): what is written is read back as it was, each file once; a run
folder keeps its inputs, so that copied to another path with its scenario file, catalogs and geodata gone, it
still runs stress, simulate, uncertainty, maps and brief."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from planner import runfolder
from planner.config.io import load_scenario
from planner.plan import Plan, solve_scenario
from planner.report.brief import load_run
from planner.report.briefing_maps import load_map_inputs
from planner.report.plan import write_plan
from planner.runfolder import (
    MANIFEST_JSON,
    RunFolder,
    manifest_document,
    plan_document,
    read_plan_folder,
    read_run_folder,
    write_plan_documents,
)
from tests.conftest import CONFIGS, GEODATA, write_yaml

DRONEWALL = Path(sys.executable).parent / "dronewall"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DRONEWALL), *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


@pytest.mark.slow
def test_a_copied_run_folder_needs_nothing_else(tiny_dict: dict, catalog_copy: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    gpkg = str(shutil.copy(GEODATA / "eastern_flank.gpkg", work / "flank.gpkg"))
    data = {**tiny_dict, "catalogs": {k: str(catalog_copy / f"{k}.yaml") for k in tiny_dict["catalogs"]}}
    data["geodata"] = {**data["geodata"], **{k: gpkg for k in ("countries", "borders", "assets", "settlements")}}
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


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    plan = solve_scenario(load_scenario(CONFIGS / "tiny.yaml"))
    out = write_plan(plan, tmp_path_factory.mktemp("runfolder") / "tiny")
    return plan, out


def _json(doc: dict) -> dict:
    return json.loads(json.dumps(doc))


def test_what_is_written_is_read_back(written: tuple[Plan, Path]) -> None:
    plan, out = written
    run = read_run_folder(out, cells=True, catalogs=True)
    assert isinstance(run, RunFolder) and run.folder == out
    assert run.doc == _json(plan_document(plan))
    assert run.manifest == _json(manifest_document(plan))
    assert run.scenario.config_hash() == plan.scenario.config_hash()
    built = plan.sites[plan.sites["systems"] != ""]
    assert sorted(run.sites["site_id"]) == sorted(built["site_id"].astype(str))
    assert dict(zip(run.sites["site_id"], run.sites["systems"], strict=True)) == dict(
        zip(built["site_id"].astype(str), built["systems"], strict=True))
    assert run.cells is not None and sorted(run.cells["cell_id"]) == sorted(plan.cells["cell_id"])
    assert read_run_folder(out).cells is None  # cells.csv only when asked for
    with pytest.raises(AttributeError):
        run.doc = {}  # type: ignore[misc]  # frozen
    # the old entry point, as planner.simulate and planner.analysis.stress call it, reads the same
    doc, sites, scenario = runfolder.read_plan_folder(out)
    assert doc == run.doc and scenario.config_hash() == run.scenario.config_hash()
    pd.testing.assert_frame_equal(sites, run.sites)
    assert read_plan_folder(out)[0] == doc


def test_plan_documents_of_an_analysis(written: tuple[Plan, Path], tmp_path: Path) -> None:
    plan, _ = written
    write_plan_documents({"a": plan, "b": plan}, tmp_path / "plans")
    for name in ("a", "b"):
        assert json.loads((tmp_path / "plans" / name / "plan.json").read_text()) == _json(plan_document(plan))


def test_the_briefing_reads_the_manifest_once(written: tuple[Plan, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """load_run reads plan.json and manifest.json once each, and the maps reuse what it read."""
    _, out = written
    reads: list[str] = []
    read_text = Path.read_text

    def counting(self: Path, *args: object, **kwargs: object) -> str:
        reads.append(self.name)
        return read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counting)
    run = load_run(out)
    load_map_inputs(run.run)
    assert reads.count(MANIFEST_JSON) == 1 and reads.count("plan.json") == 1
