"""Reading a run folder for the briefing: the plan (plan.json, cells.csv, manifest.json, its scenario) and the
analyses of the same scenario written into it or named beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import ConfigError

#: Analyses a briefing can include: kind -> the key of its rows in ``<kind>.json``.
ANALYSES = {"stress": "cases", "uncertainty": "draws", "simulation": "threats", "frontier": "points",
            "premium": "points"}


@dataclass
class Analysis:
    kind: str
    folder: Path
    doc: dict[str, Any]

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.doc.get(ANALYSES[self.kind], []))

    @property
    def summary(self) -> dict[str, Any]:
        """The analysis's summary without its rows (uncertainty.json's rows stand where its draw count was)."""
        out = {k: v for k, v in self.doc.items() if k != ANALYSES[self.kind]}
        if self.kind == "uncertainty":
            out["draws"] = len(self.doc.get("draws", []))
        return out


@dataclass
class RunFolder:
    """A plan folder and the analyses of the same scenario found in it or named beside it."""

    folder: Path
    doc: dict[str, Any]  # plan.json
    manifest: dict[str, Any]
    scenario: Any  # planner.config.io.Scenario
    cells: pd.DataFrame  # cells.csv
    analyses: dict[str, Analysis] = field(default_factory=dict)


def load_run(run_dir: Path, extra: list[Path] | tuple[Path, ...] = ()) -> RunFolder:
    """Read ``run_dir`` (a folder written by ``dronewall run``) and its analyses.

    Analyses are the sub-folders of ``run_dir`` holding one of ``<kind>.json`` (:data:`ANALYSES`) and every
    folder in ``extra``. Each must come from the plan's scenario as it is now (same config hash), else a
    :class:`ConfigError` names the folder.
    """
    from planner.config.io import display_path, json_field, load_json
    from planner.output import read_plan_folder

    run_dir = Path(run_dir)
    doc, _, scenario = read_plan_folder(run_dir)
    again = "run the plan again (`dronewall run`)"
    manifest = load_json(run_dir / "manifest.json", what="the run's manifest")
    for kind in ("sources", "threats", "sensors", "effectors", "conventional"):
        json_field(manifest, f"files_sha256.{kind}.path", str, source=display_path(run_dir / "manifest.json"),
                   fix=again)
    try:
        cells = pd.read_csv(run_dir / "cells.csv")
    except (ValueError, OSError) as exc:  # missing, empty or not CSV (pandas' errors are ValueErrors)
        msg = f"cannot be read as a table ({exc}): {again}"
        raise ConfigError([(display_path(run_dir / "cells.csv"), msg)]) from None
    run = RunFolder(folder=run_dir, doc=doc, manifest=manifest, scenario=scenario, cells=cells)
    folders = {d.resolve(): False for d in sorted(run_dir.iterdir()) if d.is_dir()}  # resolved path: named?
    for d in map(Path, extra):
        folders[d.resolve()] = True
    for folder, explicit in folders.items():
        kinds = [k for k in ANALYSES if (folder / f"{k}.json").is_file()]
        if not kinds:
            if explicit:
                raise ConfigError([("--analysis", f"{folder} holds none of {', '.join(k + '.json' for k in ANALYSES)}: "
                                                  "give a folder written by dronewall stress, uncertainty, simulate, "
                                                  "frontier or premium")])
            continue
        kind = kinds[0]
        apath = folder / f"{kind}.json"
        adoc = load_json(apath, what=f"the {kind} analysis")
        fix = f"run `dronewall {kind}` again"
        rows = json_field(adoc, ANALYSES[kind], list, source=display_path(apath), fix=fix)
        if not all(isinstance(r, dict) for r in rows):
            raise ConfigError([(ANALYSES[kind], f"expected a list of JSON objects: {fix}")],
                              source=display_path(apath))
        if kind == "stress":
            json_field(adoc, "target", (int, float), source=display_path(apath), fix=fix)
        if adoc.get("config_hash") != doc.get("config_hash"):
            raise ConfigError([(str(folder / f"{kind}.json"),
                                f"this {kind} analysis was made from another scenario or an older version of it "
                                f"(config hash {str(adoc.get('config_hash'))[:8]} ≠ the plan's "
                                f"{str(doc.get('config_hash'))[:8]}): run it again on this plan's scenario, or "
                                "leave it out")])
        if kind in run.analyses:
            raise ConfigError([("--analysis", f"two {kind} analyses ({run.analyses[kind].folder} and {folder}): "
                                              "give one")])
        run.analyses[kind] = Analysis(kind, folder, adoc)
    return run
