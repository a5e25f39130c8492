"""`dronewall run` end to end on the tiny scenario: outputs, their content, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

import planner
from planner.plan import solve_scenario
from tests.conftest import CONFIGS, write_yaml


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "tiny"
    res = run_cli("run", str(CONFIGS / "tiny.yaml"), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    return out


def test_run_writes_every_output(tiny_run: Path) -> None:
    assert sorted(p.name for p in tiny_run.iterdir()) == [
        ".dronewall-output.json", "cells.csv", "inputs", "manifest.json", "map.png", "plan.gpkg", "plan.json",
        "sites.csv"]
    assert set(gpd.list_layers(tiny_run / "plan.gpkg")["name"]) == {"cells", "sites", "site_systems", "coverage",
                                                                      "assets", "no_fire_zones", "layer_styles"}
    assert (tiny_run / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_plan_json_content(tiny_run: Path) -> None:
    plan = json.loads((tiny_run / "plan.json").read_text())
    assert plan["spend_eur"]["total"] <= plan["budget_eur"] * (1 + 1e-9)
    assert plan["solver"]["status"] in ("optimal", "gap_above_target")
    assert plan["value_defeated_exact"] >= plan["value_defeated_lp"] - 1e-6
    for t in plan["threats"]:
        assert 0 <= t["defeat_rate_lp"] <= 1 and 0 <= t["defeat_rate_exact"] <= 1
        assert t["leakers_per_raid"] >= -1e-9
    assert {"sensor", "effector"} & set(plan["spend_by_category_eur"])
    cells = pd.read_csv(tiny_run / "cells.csv")
    assert cells["p_defeat_all"].between(0, 1).all()
    manifest = json.loads((tiny_run / "manifest.json").read_text())
    assert len(manifest["config_sha256"]) == 64 and manifest["versions"]["pulp"]
    assert "scenario" in manifest["files_sha256"]


def test_csv_headers_say_their_units_and_cells_have_coordinates(tiny_run: Path) -> None:
    """cells.csv names its counts over the horizon (docs/outputs.md), gives each cell's midpoint, keeps 6 decimal
    places; the run-folder reader gives the plan's own names back (and reads a folder written before)."""
    from planner.runfolder import read_run_folder

    text = (tiny_run / "cells.csv").read_text()
    cells = pd.read_csv(tiny_run / "cells.csv")
    assert {"leakers_over_horizon_all", "drones_over_horizon_all", "leakers_over_horizon_shahed_136", "lon",
            "lat"} <= set(cells.columns)
    assert not {"leakers_all", "drones_all"} & set(cells.columns)
    assert cells["lon"].between(22.0, 23.0).all() and cells["lat"].between(48.3, 49.2).all()  # on SK-UA
    assert max(len(v.partition(".")[2]) for line in text.splitlines()[1:] for v in line.split(",")) <= 6
    read = read_run_folder(tiny_run, cells=True).cells
    assert read is not None and {"leakers_all", "drones_all", "leakers_shahed_136"} <= set(read.columns)
    sites = pd.read_csv(tiny_run / "sites.csv")
    assert {"cost_eur", "lon", "lat", "depth_m"} <= set(sites.columns)


def test_library_matches_cli(tiny_run: Path) -> None:
    plan = planner.solve(planner.load_scenario(CONFIGS / "tiny.yaml"))
    on_disk = json.loads((tiny_run / "plan.json").read_text())
    assert plan.summary["value_defeated_lp"] == pytest.approx(on_disk["value_defeated_lp"], rel=1e-6)


def test_run_json_is_the_plans_summary(tmp_path: Path) -> None:
    """`dronewall run --json`: the plan's summary (plan.json's headline figures) and where it was written, on stdout
    alone."""
    res = run_cli("run", "tiny", "--out", str(tmp_path / "p"), "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    plan = json.loads((tmp_path / "p" / "plan.json").read_text())
    assert doc["out"] == str(tmp_path / "p") and doc["config_hash"] == plan["config_hash"]
    assert doc["spend_eur"]["total"] == pytest.approx(plan["spend_eur"]["total"])


def test_kinetic_effectors_respect_no_fire_zones() -> None:
    plan = solve_scenario(planner.load_scenario(CONFIGS / "poland.yaml"))
    p = plan.problem
    kinetic = p.effector_kinetic[p.eng_effector]
    assert not (kinetic & p.site_no_fire[p.eng_site]).any()
    assert not (kinetic & (p.cell_no_fire[p.eng_cell] >= 1)).any()
    built = plan.units.merge(plan.theater.sites[["site_id", "in_no_fire_zone"]], on="site_id")
    kin_ids = {e for e, k in zip(p.effector_ids, p.effector_kinetic, strict=True) if k}
    assert not built[built["system"].isin(kin_ids) & built["in_no_fire_zone"]].shape[0]


def test_unreachable_target_exits_2(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    tiny_dict["objective"] = {"kind": "min_cost", "defeat_targets": {"shahed_136": 0.999}}
    cfg = write_yaml(tmp_path / "target.yaml", tiny_dict)
    res = run_cli("run", str(cfg), "--out", str(tmp_path / "out"))
    assert res.returncode == 2, res.stderr
    assert "defeat-rate target 0.999 for shahed_136 is unreachable" in res.stderr.replace("\n", " ")
    assert "best reachable" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()


def test_min_cost_meets_its_target(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    tiny_dict["objective"] = {"kind": "min_cost", "defeat_targets": {"shahed_136": 0.3}}
    plan = solve_scenario(planner.load_scenario(write_yaml(tmp_path / "t.yaml", tiny_dict)))
    row = plan.threats.set_index("threat").loc["shahed_136"]
    assert row["defeat_rate_lp"] >= 0.3 - 1e-6
    assert plan.summary["spend_eur"]["conventional"] == 0


def _site_lonlat(index: int) -> tuple[float, float]:
    th = planner.build_theater(planner.load_scenario(CONFIGS / "tiny.yaml"))
    pt = th.sites.to_crs("EPSG:4326").geometry.iloc[index]
    return float(pt.x), float(pt.y)


def test_in_service_units_cost_only_their_operation(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    lon, lat = _site_lonlat(3)
    tiny_dict["systems"]["in_service"] = [{"system": "radar_short_3d", "lon": lon + 0.01, "lat": lat,
                                           "note": "a radar bought last year"}]
    plan = planner.solve(planner.load_scenario(write_yaml(tmp_path / "s.yaml", tiny_dict)))
    old = plan.units[plan.units["in_service"]]
    assert len(old) == 1 and old["system"].iloc[0] == "radar_short_3d" and old["site_id"].iloc[0] == "site-00003"
    assert old["acquisition_eur"].iloc[0] == 0 and old["operation_eur"].iloc[0] > 0
    new = plan.units[~plan.units["in_service"] & (plan.units["system"] == "radar_short_3d")]
    spend = plan.summary["spend_eur"]
    unit = plan.scenario.catalog.sensors["radar_short_3d"].unit_cost_eur.value
    assert spend["sensor_acquisition"] == pytest.approx(len(new) * unit)


def test_in_service_unit_far_from_any_site(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    tiny_dict["systems"]["in_service"] = [{"system": "gun_35mm", "lon": 14.4, "lat": 50.1}]
    with pytest.raises(planner.ConfigError, match=r"systems\.in_service\[0\]: 'gun_35mm' at 50\.1000N 14\.4000E "
                                                  r"is \d+\.\d km from the nearest candidate site"):
        planner.solve(planner.load_scenario(write_yaml(tmp_path / "s.yaml", tiny_dict)))
