"""``dronewall compare RUN_A RUN_B`` (issue #17): what changed between two runs, in their inputs and their outcome,
from the run folders alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.config.io import load_scenario
from planner.plan import solve_scenario
from planner.report.compare import compare_runs
from planner.report.plan import write_plan
from tests.conftest import write_yaml
from tests.test_config_valid import run_cli


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any, Any]:
    """Tiny at €300M, and at €400M with the interceptor drone's unit cost doubled."""
    import yaml

    from tests.conftest import CATALOGS, CONFIGS, absolutise

    tmp = tmp_path_factory.mktemp("compare")
    tiny = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
    effectors = (CATALOGS / "effectors.yaml").read_text().replace(
        "unit_cost_eur: {value: 200000, low: 100000, high: 500000", "unit_cost_eur: {value: 400000, low: 100000, "
        "high: 500000", 1)
    assert "value: 400000" in effectors
    (tmp / "effectors.yaml").write_text(effectors)
    other = {**tiny, "budget": {**tiny["budget"], "total_eur": 4.0e8},
             "catalogs": {**tiny["catalogs"], "effectors": str(tmp / "effectors.yaml")}}
    plans = [solve_scenario(load_scenario(write_yaml(tmp / f"{name}.yaml", data)))
             for name, data in (("a", tiny), ("b", other))]
    return (write_plan(plans[0], tmp / "run-a"), write_plan(plans[1], tmp / "run-b"), *plans)


def test_compare_names_what_changed(two_runs: tuple[Path, Path, Any, Any]) -> None:
    """The budget and the catalog figure that changed, the effectors file by its hash, and the outcome's change
    (b − a), each as the plans say."""
    run_a, run_b, plan_a, plan_b = two_runs
    r = compare_runs(run_a, run_b)
    assert not r["same_inputs"]
    assert {"path": "budget.total_eur", "a": 3.0e8, "b": 4.0e8} in r["inputs"]["scenario"]
    assert [x["path"] for x in r["inputs"]["files"]] == ["effectors"]
    assert {"path": "effectors.interceptor_drone.unit_cost_eur", "a": 200000.0, "b": 400000.0} \
        in r["inputs"]["catalog_figures"]
    head = {x["key"]: x for x in r["outcome"]["headline"]}
    assert head["budget_eur"]["change"] == pytest.approx(1.0e8)
    spend = plan_b.summary["spend_eur"]["drone_defence"] - plan_a.summary["spend_eur"]["drone_defence"]
    assert head["spend_eur.drone_defence"]["change"] == pytest.approx(spend)
    assert head["defeat_rate_all_exact"]["b"] == pytest.approx(plan_b.summary["defeat_rate_all_exact"])


def test_compare_a_run_with_itself(two_runs: tuple[Path, Path, Any, Any]) -> None:
    run_a, _, _, _ = two_runs
    r = compare_runs(run_a, run_a)
    assert r["same_inputs"] and not any(r["inputs"].values())
    assert all(x["change"] in (0, None) for part in r["outcome"].values() for x in part)


def test_cli_compare(two_runs: tuple[Path, Path, Any, Any], tmp_path: Path) -> None:
    run_a, run_b, _, _ = two_runs
    res = run_cli("compare", str(run_a), str(run_b), "--out", str(tmp_path / "cmp"))
    assert res.returncode == 0, res.stderr
    assert "budget.total_eur" in res.stdout and "effectors.interceptor_drone.unit_cost_eur" in res.stdout
    assert json.loads((tmp_path / "cmp" / "compare.json").read_text())["outcome"]["headline"][0]["change"] == 1.0e8
    bad = run_cli("compare", str(run_a), str(tmp_path))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "plan.json" in bad.stderr
