"""Run folders: the scenario a run was made from, kept inside it, and reading a run folder back
(folders are written atomically by :mod:`planner.outdir`).

A run folder keeps its scenario as it was resolved (``inputs/scenario.json``: the validated config and
catalogs) with copies of its catalog and geodata files, so that stress, simulate, uncertainty, brief and
maps work on a run folder copied elsewhere, with the original scenario file changed or gone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from planner.config.io import Scenario

#: The folder, inside a run folder, that keeps the run's inputs.
INPUTS = "inputs"


def write_inputs(scenario: Scenario, folder: Path) -> None:
    """Keep ``scenario`` in ``folder``: ``scenario.json`` (config and catalogs as validated) and a copy of each
    catalog and geodata file it read (one copy of a file read several times)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies: dict[Path, str] = {}
    files = {}
    for key, src in sorted(scenario.files.items()):
        src = Path(src)
        if src not in copies:
            name = src.name if src.name not in copies.values() else f"{len(copies)}-{src.name}"
            shutil.copy2(src, folder / name)
            copies[src] = name
        files[key] = copies[src]
    doc = {"config": scenario.config.model_dump(mode="json"), "catalog": scenario.catalog.model_dump(mode="json"),
           "files": files, "config_hash": scenario.config_hash()}
    (folder / "scenario.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def read_inputs(run_dir: Path) -> Scenario | None:
    """The scenario kept in a run folder, or None for a folder written before runs kept their inputs."""
    from planner.config.catalog import Catalog
    from planner.config.io import Scenario, display_path, json_field, load_json
    from planner.config.scenario import ScenarioConfig
    from planner.errors import ConfigError

    folder = Path(run_dir) / INPUTS
    path = folder / "scenario.json"
    if not path.is_file():
        return None
    doc = load_json(path, what="the run's scenario")
    shown, again = display_path(path), "run the plan again (`dronewall run`)"
    files = json_field(doc, "files", dict, source=shown, fix=again)
    try:
        scenario = Scenario(config=ScenarioConfig.model_validate(json_field(doc, "config", dict, source=shown, fix=again)),
                            catalog=Catalog.model_validate(json_field(doc, "catalog", dict, source=shown, fix=again)),
                            path=path.resolve(), files={k: (folder / str(v)).resolve() for k, v in files.items()})
    except ValueError as exc:  # pydantic's ValidationError: written by another version, or edited
        raise ConfigError([(shown, f"not a scenario this version reads ({str(exc).splitlines()[0]}): {again}")]) from None
    missing = sorted(k for k, f in scenario.files.items() if not f.is_file())
    if missing:
        raise ConfigError([(shown, f"the copies of {', '.join(missing)} are missing from {display_path(folder)}: "
                                   f"{again}")])
    return scenario


def read_plan_folder(plan_dir: Path) -> tuple[dict, pd.DataFrame, Scenario]:
    """plan.json, sites.csv and the scenario of a folder written by ``dronewall run``, checked: the files
    are there, the scenario file still is, and it has not changed since the plan was made."""
    from planner.config.io import display_path, json_field, load_json, load_scenario
    from planner.errors import ConfigError

    plan_dir = Path(plan_dir)
    needed = [plan_dir / n for n in ("plan.json", "sites.csv", "manifest.json")]
    missing = [p.name for p in needed if not p.exists()]
    if missing:
        raise ConfigError([("PLAN_DIR", f"{plan_dir} has no {', '.join(missing)}: give a folder written by "
                                        "`dronewall run`")])
    again = "run the plan again (`dronewall run`)"
    doc = load_json(needed[0], what="the plan")
    manifest = load_json(needed[2], what="the run's manifest")
    shown = display_path(needed[0])
    recorded = Path(json_field(manifest, "files_sha256.scenario.path", str, source=display_path(needed[2]),
                               fix=again))
    kept = read_inputs(plan_dir)  # the scenario as the run resolved it; older folders point to the file
    path = kept.path if kept is not None else recorded
    if kept is None and not path.is_file():
        raise ConfigError([("manifest.json", f"the plan's scenario file {path} is not there any more (and the "
                                             f"folder keeps no copy, {INPUTS}/): run the plan again")])
    # What the readers of a plan use (stress, simulate, uncertainty, brief, maps), checked before they use it.
    num, opt = (int, float), (int, float, type(None))
    json_field(doc, "scenario", str, source=shown, fix=again)
    json_field(doc, "config_hash", str, source=shown, fix=again)
    json_field(doc, "spend_eur.total", num, source=shown, fix=again)
    rows = {"spend": {"category": str, "nation": str, "total_eur": num, "munitions_eur": num},
            "threats": {"threat": str, "defeat_rate_exact": opt, "detect_rate_exact": opt},
            "conventional": {"option": str, "units": num}}
    for key, fields in rows.items():
        for i, row in enumerate(json_field(doc, key, list, source=shown, fix=again)):
            for name, kind in fields.items():
                json_field(row, name, kind, source=f"{shown}: {key}[{i}]", fix=again)
    scenario = kept if kept is not None else load_scenario(path)
    if scenario.config_hash() != doc.get("config_hash"):
        raise ConfigError([(str(path), "the scenario changed since the plan was made (config hash "
                                       f"{scenario.config_hash()[:8]} ≠ {str(doc.get('config_hash'))[:8]}): run "
                                       "the plan again")])
    try:
        sites = pd.read_csv(needed[1], dtype={"site_id": str, "systems": str}).fillna({"systems": ""})
    except (ValueError, OSError) as exc:  # pandas' EmptyDataError and ParserError are ValueErrors
        raise ConfigError([(display_path(needed[1]), f"not a readable CSV table ({exc}): {again}")]) from None
    absent = sorted({"site_id", "systems"} - set(sites.columns))
    if absent:
        raise ConfigError([(display_path(needed[1]), f"has no column {', '.join(absent)}: {again}")])
    return doc, sites, scenario
