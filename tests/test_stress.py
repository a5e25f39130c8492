"""Stress tests on the tiny scenario's plan: the nominal case reproduces the plan, degradations hurt."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from planner.analysis.stress import Case, load_plan, stress
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.plan import solve_scenario
from planner.report.plan import write_plan
from planner.report.stress import write_stress
from tests.conftest import CONFIGS, with_crewed_incursions, write_yaml
from tests.schema_check import assert_matches_schema


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "tiny"
    write_plan(solve_scenario(load_scenario(CONFIGS / "tiny.yaml")), out)
    return out


@pytest.fixture(scope="module")
def result(plan_dir):
    return stress(load_plan(plan_dir))


def test_nominal_case_reproduces_the_plan(plan_dir, result) -> None:
    doc = json.loads((plan_dir / "plan.json").read_text())
    nominal = result.table.iloc[0]
    assert nominal["case"] == "nominal"
    assert nominal["defeat_rate_all"] == pytest.approx(doc["defeat_rate_all_exact"], abs=1e-6)
    assert nominal["defeated_over_horizon"] == pytest.approx(doc["drones_defeated_over_horizon_exact"], rel=1e-6)
    for t in doc["threats"]:
        assert nominal[f"defeat_{t['threat']}"] == pytest.approx(t["defeat_rate_exact"], abs=1e-6)


def test_degradations_never_help(result) -> None:
    t = result.table.set_index("case")
    base = t.loc["nominal", "defeat_rate_value"]
    for case in t.index[1:]:
        assert t.loc[case, "defeat_rate_value"] <= base + 1e-6, case
    assert t.loc["heavy jamming: detection ×0.5, kill ×0.6", "defeat_rate_value"] <= \
        t.loc["jamming: detection ×0.7, kill ×0.8", "defeat_rate_value"] + 1e-6
    assert t.loc["saturation: raids ×4", "leakers_per_raid"] >= t.loc["saturation: raids ×2", "leakers_per_raid"]
    assert t.loc["50 sensors lost", "defeat_rate_value"] <= t.loc["10 sensors lost", "defeat_rate_value"] + 1e-6
    assert ((t["defeat_rate_value"] >= 0) & (t["defeat_rate_value"] <= 1)).all()
    flagged = t["defeat_rate_value"] < result.meta["target"]
    assert (t["expensive_failure"] == flagged).all()


def test_all_multipliers_at_one_is_the_nominal_case(plan_dir, result) -> None:
    again = stress(load_plan(plan_dir), (Case("nominal"), Case("ones", detect=1, kill=1, raid=1, decoys=1)))
    a, b = again.table.iloc[0], again.table.iloc[1]
    assert b["defeat_rate_value"] == pytest.approx(a["defeat_rate_value"], abs=1e-6)
    assert b["munitions_eur"] == pytest.approx(a["munitions_eur"], rel=1e-6, abs=1e-3)
    assert a["defeat_rate_value"] == pytest.approx(result.table.iloc[0]["defeat_rate_value"], abs=1e-9)


def test_outputs(result, tmp_path) -> None:
    out = write_stress(result, tmp_path / "stress")
    doc = assert_matches_schema(out, "stress")
    assert len(doc["cases"]) == len(result.table)
    assert doc["target"] == pytest.approx(0.8 * result.table.iloc[0]["defeat_rate_value"])
    assert not result.table.iloc[0]["expensive_failure"]
    assert (out / "stress.png").stat().st_size > 10_000 and (out / "stress.csv").exists()


def test_target_from_says_where_the_target_came_from(plan_dir, result) -> None:
    assert result.meta["target_from"] == "80% of the nominal rate"
    given = stress(load_plan(plan_dir), (Case("nominal"),), target=0.3)
    assert given.meta["target"] == 0.3 and given.meta["target_from"] == "--target"


def test_a_min_cost_plan_is_stressed_without_its_targets(tmp_path, tiny_dict) -> None:
    """A min_cost plan meets its class target (50% of the Shaheds) at nominal; a degraded world is evaluated
    without the target (which it cannot meet: before, every such case was refused as infeasible), the target
    being the yardstick of failure instead."""
    tiny_dict["objective"] = {"kind": "min_cost", "defeat_targets": {"shahed_136": 0.5}}
    out = tmp_path / "min-cost"
    write_plan(solve_scenario(load_scenario(write_yaml(tmp_path / "min-cost.yaml", tiny_dict))), out)
    r = stress(load_plan(out), (Case("nominal"), Case("kill", kill=0.5)))
    assert r.meta["target"] == 0.5 and r.meta["target_from"] == "scenario class targets"
    nominal, kill = r.table.iloc[0], r.table.iloc[1]
    assert nominal["defeat_shahed_136"] >= 0.5 - 1e-6
    assert kill["defeat_shahed_136"] < 0.5 and kill["expensive_failure"]


def test_crewed_incursions_are_counted_apart_as_in_the_plan(tmp_path, tiny_dict) -> None:
    """With MiG-31 incursions beside the drones, the nominal case's counts are plan.json's (they took the incursions
    in: 366 drones and 48.9% against the plan's 314 and 57.0%)."""
    out = tmp_path / "crewed"
    write_plan(solve_scenario(load_scenario(write_yaml(tmp_path / "crewed.yaml", with_crewed_incursions(tiny_dict)))),
               out)
    doc = json.loads((out / "plan.json").read_text())
    assert doc["escort"]
    nominal = stress(load_plan(out), (Case("nominal"),)).table.iloc[0]
    assert nominal["drones_over_horizon"] == pytest.approx(doc["drones_over_horizon"], rel=1e-9)
    assert nominal["defeat_rate_all"] == pytest.approx(doc["defeat_rate_all_exact"], abs=1e-6)
    assert nominal["defeated_over_horizon"] == pytest.approx(doc["drones_defeated_over_horizon_exact"], rel=1e-6)


def test_bad_plan_folders(plan_dir, tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"PLAN_DIR: .* has no plan\.json, sites\.csv, manifest\.json"):
        load_plan(tmp_path)
    with pytest.raises(ConfigError, match=r"--target: 1\.5 is not a defeat rate"):
        stress(load_plan(plan_dir), target=1.5)
    with pytest.raises(ConfigError, match=r"detect multiplier -1 must be a finite number ≥ 0"):
        stress(load_plan(plan_dir), (Case("bad", detect=-1),))


def test_changed_scenario_is_refused(plan_dir, tmp_path, tiny_dict) -> None:
    """A folder that keeps no inputs/ (written before runs kept them) reads its scenario file, and refuses it
    once changed. (One that keeps them uses its own copy: tests/test_run_folder.py.)"""
    copy = tmp_path / "plan"
    shutil.copytree(plan_dir, copy)
    shutil.rmtree(copy / "inputs")
    scenario = write_yaml(tmp_path / "tiny.yaml", tiny_dict)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files_sha256"]["scenario"]["path"] = str(scenario)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match=r"the scenario changed since the plan was made"):
        load_plan(copy)


def test_cli_without_traceback(tmp_path) -> None:
    r = subprocess.run([sys.executable, "-m", "planner.cli", "stress", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "has no plan.json" in r.stderr
