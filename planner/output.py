"""Reading run folders (written atomically by :mod:`planner.outdir`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from planner.config.io import Scenario


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
    path = Path(json_field(manifest, "files_sha256.scenario.path", str, source=display_path(needed[2]),
                           fix=again))
    if not path.is_file():
        raise ConfigError([("manifest.json", f"the plan's scenario file {path} is not there any more: run the plan "
                                             "again")])
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
    scenario = load_scenario(path)
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
