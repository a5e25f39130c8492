"""The analyses' registry (planner.registry, issue #12): every analysis command is registered and every
registered analysis has a command; each entry's functions exist; the briefing's loader, its sections and the
output-folder checks follow the registry."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
import pytest

from planner import outdir
from planner.cli import analysis_commands, app
from planner.errors import ConfigError
from planner.outdir import check_output_dir
from planner.registry import ANALYSES, BRIEFED, AnalysisEntry, by_command, by_kind, resolve
from planner.runfolder import read_analysis, write_analysis_files


def _analysis_commands() -> list[str]:
    """The commands of `dronewall` defined in planner.cli.analysis_commands, as typer has them."""
    return [c.callback.__name__ for c in app.registered_commands
            if c.callback is not None and c.callback.__module__ == analysis_commands.__name__]


def test_every_analysis_command_is_registered_and_every_entry_is_a_command() -> None:
    commands = _analysis_commands()
    assert len(commands) == len(set(commands))
    assert set(commands) == {a.command for a in ANALYSES}
    assert len({a.kind for a in ANALYSES}) == len(ANALYSES)
    assert all(by_command(a.command) is a and by_kind(a.kind) is a for a in ANALYSES)


@pytest.mark.parametrize("entry", ANALYSES, ids=lambda a: a.command)
def test_each_entry_names_functions_that_exist(entry: AnalysisEntry) -> None:
    run, write, console = entry.load("run"), entry.load("write"), entry.load("console")
    assert callable(run) and callable(console)
    assert "force" in inspect.signature(write).parameters
    if entry.progress != "status":
        assert "progress" in inspect.signature(run).parameters
    if entry.section is not None:
        assert callable(entry.load("section"))
    else:
        with pytest.raises(LookupError):
            entry.load("section")
    assert entry.reads in ("scenario", "plan", "run_dir")
    # the command passes run's keyword arguments: each one the waiting message names is an option of the command
    command = getattr(analysis_commands, entry.command)
    named = {f for f in ("draws", "drones") if "{" + f in entry.waiting}
    assert named <= set(inspect.signature(command).parameters)


def test_resolve_names_module_and_object() -> None:
    assert resolve("planner.registry:by_kind") is by_kind


def test_the_briefing_includes_the_registered_sections() -> None:
    assert [a.kind for a in BRIEFED] == ["decision", "stress", "uncertainty", "simulation", "frontier", "premium", "tornado",
                                           "alternatives", "regimes", "pathway", "adversary"]
    assert {a.kind for a in ANALYSES} - {a.kind for a in BRIEFED} == {"robust", "incident"}


@pytest.mark.parametrize("entry", ANALYSES, ids=lambda a: a.kind)
def test_analysis_files_round_trip_and_are_recognised_as_dronewalls(entry: AnalysisEntry, tmp_path: Path) -> None:
    """What write_analysis_files writes, read_analysis reads back; a folder of those files written before
    folders had markers is recognised as dronewall's (planner.outdir takes the names from the registry)."""
    folder = tmp_path / entry.kind
    folder.mkdir()
    table = pd.DataFrame({"case": ["a", "b"], "rate": [0.5, float("nan")]})
    summary = {"scenario": "s", "config_hash": "0" * 64, **{n: 0.8 for n in entry.numbers}}
    extra = {name: pd.DataFrame({"x": [1, 2]}) for name in entry.extra}
    write_analysis_files(folder, entry.kind, table, summary, extra=extra, plans={} if entry.plans else None)
    doc = read_analysis(folder, entry.kind)
    assert doc[entry.rows] == [{"case": "a", "rate": 0.5}, {"case": "b", "rate": None}]
    assert {k: v for k, v in doc.items() if k not in (entry.rows, *entry.extra)} == summary
    assert all(doc[name] == [{"x": 1}, {"x": 2}] for name in entry.extra)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{entry.kind}.csv", f"{entry.kind}.json", *(f"{n}.csv" for n in entry.extra)])
    (folder / f"{entry.kind}.png").write_bytes(b"")
    if entry.plans:
        (folder / entry.plans).mkdir()
    assert f"{entry.kind}.json" in outdir.LEGACY_RESULTS
    check_output_dir(folder)  # no marker, but every name is one dronewall gives: not refused
    if entry.reads != "scenario":  # written into RUN_DIR/<kind>: a run folder may hold it
        (tmp_path / "plan.json").write_text("{}")
        check_output_dir(tmp_path)
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="holds files dronewall did not write"):
        check_output_dir(folder)


def test_read_analysis_checks_the_registered_rows_and_numbers(tmp_path: Path) -> None:
    (tmp_path / "simulation.json").write_text('{"threats": [1, 2]}')
    with pytest.raises(ConfigError, match=r"simulation\.json: threats: expected a list of JSON objects: run "
                                          r"`dronewall simulate` again"):
        read_analysis(tmp_path, "simulation")
    (tmp_path / "stress.json").write_text('{"cases": [], "target": "high"}')
    with pytest.raises(ConfigError, match=r"stress\.json: target: expected a number, got a string"):
        read_analysis(tmp_path, "stress")
