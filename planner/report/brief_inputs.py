"""Reading a run folder for the briefing: the plan (plan.json, cells.csv, manifest.json, its scenario, each read
once by :func:`planner.runfolder.read_run_folder`) and the analyses of the same scenario written into it or named
beside it (those :mod:`planner.registry` says the briefing includes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import ConfigError
from planner.registry import BRIEFED, by_kind
from planner.runfolder import RunFolder, analysis_kinds, read_analysis, read_run_folder


@dataclass(frozen=True, eq=False)
class Analysis:
    """One analysis found for the briefing: its kind, its folder and its ``<kind>.json``."""

    kind: str
    folder: Path
    doc: dict[str, Any]

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.doc.get(by_kind(self.kind).rows, []))

    @property
    def summary(self) -> dict[str, Any]:
        """The analysis's summary: its document with its rows replaced by their count (uncertainty.json's rows
        stand where its draw count was)."""
        rows = by_kind(self.kind).rows
        return {k: len(v) if k == rows else v for k, v in self.doc.items()}


@dataclass(frozen=True, eq=False)
class BriefRun:
    """A plan folder, read once, and the analyses of the same scenario found in it or named beside it."""

    run: RunFolder
    cells: pd.DataFrame  # cells.csv
    analyses: Mapping[str, Analysis]

    @property
    def folder(self) -> Path:
        return self.run.folder

    @property
    def doc(self) -> dict[str, Any]:  # plan.json
        return self.run.doc

    @property
    def manifest(self) -> dict[str, Any]:
        return self.run.manifest

    @property
    def scenario(self) -> Any:  # planner.config.io.Scenario
        return self.run.scenario


def load_run(run_dir: Path, extra: list[Path] | tuple[Path, ...] = ()) -> BriefRun:
    """Read ``run_dir`` (a folder written by ``dronewall run``) and its analyses.

    Analyses are the sub-folders of ``run_dir`` holding one of ``<kind>.json`` (the analyses the briefing
    includes, :data:`planner.registry.BRIEFED`) and every folder in ``extra``. Each must come from the plan's
    scenario as it is now (same config hash), else a :class:`ConfigError` names the folder.
    """
    run_dir = Path(run_dir)
    run = read_run_folder(run_dir, cells=True, catalogs=True)
    doc = run.doc
    analyses: dict[str, Analysis] = {}
    folders = {d.resolve(): False for d in sorted(run_dir.iterdir()) if d.is_dir()}  # resolved path: named?
    for d in map(Path, extra):
        folders[d.resolve()] = True
    for folder, explicit in folders.items():
        kinds = analysis_kinds(folder, BRIEFED)
        if not kinds:
            if explicit:
                commands = [a.command for a in BRIEFED]
                raise ConfigError([("--analysis", f"{folder} holds none of "
                                                  f"{', '.join(a.kind + '.json' for a in BRIEFED)}: give a folder "
                                                  f"written by dronewall {', '.join(commands[:-1])} or "
                                                  f"{commands[-1]}")])
            continue
        kind = kinds[0]
        adoc = read_analysis(folder, kind)
        if adoc.get("config_hash") != doc.get("config_hash"):
            raise ConfigError([(str(folder / f"{kind}.json"),
                                f"this {kind} analysis was made from another scenario or an older version of it "
                                f"(config hash {str(adoc.get('config_hash'))[:8]} ≠ the plan's "
                                f"{str(doc.get('config_hash'))[:8]}): run it again on this plan's scenario, or "
                                "leave it out")])
        if kind in analyses:
            raise ConfigError([("--analysis", f"two {kind} analyses ({analyses[kind].folder} and {folder}): "
                                              "give one")])
        analyses[kind] = Analysis(kind, folder, adoc)
    assert run.cells is not None  # asked for
    return BriefRun(run=run, cells=run.cells, analyses=analyses)
