"""Shared fixtures: the repository's configs, and helpers that write variants of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
CATALOGS = CONFIGS / "catalogs"
GEODATA = ROOT / "geodata"


def absolutise(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make the file paths of a scenario dict absolute, so it can be written anywhere."""
    data = copy.deepcopy(data)
    cats = data.setdefault("catalogs", {})
    for kind in ("sources", "threats", "sensors", "effectors", "conventional"):
        cats[kind] = str((base / cats.get(kind, f"catalogs/{kind}.yaml")).resolve())
    for key in ("countries", "borders", "assets", "settlements"):
        if data["geodata"].get(key):
            data["geodata"][key] = str((base / data["geodata"][key]).resolve())
    return data


@pytest.fixture
def tiny_dict() -> dict[str, Any]:
    """The tiny scenario as a dict with absolute paths."""
    return absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)


def with_crewed_incursions(data: dict[str, Any]) -> dict[str, Any]:
    """The tiny scenario's dict with MiG-31 incursions beside its drones (escorted by fighters, shoot_unmanned), as
    the analyses must count them: apart from the drones, as plan.json does."""
    data["systems"]["effectors"].append("fighter_aim9x")
    data["systems"]["sensors"].append("radar_long")
    data["threats"]["density"].append({"threat": "mig_31", "drones_per_raid_per_100km": 0.5})
    data["roe"] = {"default": "shoot_unmanned"}
    data["escort"] = {"response": "escort"}
    data["budget"]["total_eur"] = 1e9
    return data


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalogs; returns its folder."""
    dst = tmp_path / "catalogs"
    dst.mkdir()
    for f in CATALOGS.glob("*.yaml"):
        (dst / f.name).write_text(f.read_text())
    return dst


@pytest.fixture(scope="session")
def tiny_briefed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny plan with a stress test, a frontier, a simulation and the adversary analysis inside its run folder and a
    premium beside it
    (``<run>/../premium``): what the briefing tests brief (tests/test_brief.py, tests/test_brief_pdf.py), made once."""
    from planner.analysis.adaptive import adversary
    from planner.analysis.stress import load_plan, stress
    from planner.analysis.sweeps import frontier, premium
    from planner.config.io import load_scenario
    from planner.plan import solve_scenario
    from planner.report.adversary import write_adversary
    from planner.report.plan import write_plan
    from planner.report.simulation import write_simulation
    from planner.report.stress import write_stress
    from planner.report.sweeps import write_sweep
    from planner.simulate import simulate

    root = tmp_path_factory.mktemp("briefed")
    scenario = load_scenario(CONFIGS / "tiny.yaml")
    out = root / "tiny"
    write_plan(solve_scenario(scenario), out)
    write_stress(stress(load_plan(out)), out / "stress")
    write_sweep(frontier(scenario, points=4, adversary=True), out / "frontier")
    write_sweep(premium(scenario, targets=(0.3, 0.6)), root / "premium")
    write_simulation(simulate(out, drones=2000, seed=1), out / "simulation")
    write_adversary(adversary(scenario, time_limit_s=60), out / "adversary")
    return out
