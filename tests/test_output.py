"""Output folders: written atomically, never over what dronewall did not write, every bad --out named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.errors import ConfigError
from planner.outdir import MARKER, atomic_output_dir, check_output_dir, kept_outputs
from tests.conftest import CONFIGS


def _ours(folder: Path, *names: str) -> Path:
    """A folder as dronewall writes it: its files and the marker that lists them."""
    with atomic_output_dir(folder) as tmp:
        for name in names:
            (tmp / name).write_text("x")
    return folder


def test_success_replaces_our_folder_whole(tmp_path: Path) -> None:
    out = _ours(tmp_path / "run", "stale.txt")
    with atomic_output_dir(out) as tmp:
        assert tmp != out and tmp.parent == out.parent
        (tmp / "plan.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "plan.json"]
    assert json.loads((out / MARKER).read_text())["entries"] == ["plan.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert out in kept_outputs()


def test_failure_leaves_the_old_result(tmp_path: Path) -> None:
    out = _ours(tmp_path / "run", "plan.json")
    with pytest.raises(RuntimeError), atomic_output_dir(out) as tmp:
        (tmp / "plan.json").write_text("half")
        raise RuntimeError("solver died")
    assert (out / "plan.json").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_interrupt_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "new"
    with pytest.raises(KeyboardInterrupt), atomic_output_dir(out) as tmp:
        (tmp / "a").write_text("x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_folder_of_user_files_is_refused_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    (out / "notes").mkdir(parents=True)
    files = {"README-copy.md": "readme", "notes/my-data.csv": "a,b\n1,2\n", "thesis-draft.txt": "chapter 1"}
    for name, text in files.items():
        (out / name).write_text(text)
    with pytest.raises(ConfigError, match=r"--out: '.*thesis' holds files dronewall did not write "
                                          r"\(README-copy.md, notes/, thesis-draft.txt\).*--force"):
        with atomic_output_dir(out) as tmp:
            (tmp / "plan.json").write_text("{}")
    assert {n: (out / n).read_text() for n in files} == files
    assert [p.name for p in tmp_path.iterdir()] == ["thesis"]
    with atomic_output_dir(out, force=True) as tmp:  # said so: replaced
        (tmp / "plan.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "plan.json"]


def test_a_user_file_added_to_a_run_folder_is_refused(tmp_path: Path) -> None:
    out = _ours(tmp_path / "run", "plan.json")
    (out / "my-notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match=r"did not write \(my-notes.txt\)"):
        check_output_dir(out)


def test_nested_analysis_folders_are_ours_unless_they_hold_user_files(tmp_path: Path) -> None:
    run = _ours(tmp_path / "run", "plan.json")
    _ours(run / "stress", "stress.json")
    check_output_dir(run)  # a plan folder with its stress test in it: ours
    (run / "stress" / "mine.txt").write_text("x")
    with pytest.raises(ConfigError, match=r"stress/mine.txt"):
        check_output_dir(run)


def test_folders_written_before_markers_are_recognised(tmp_path: Path) -> None:
    old = tmp_path / "old-run"
    (old / "stress").mkdir(parents=True)
    for name in ("plan.json", "manifest.json", "cells.csv", "map.png", "stress/stress.json"):
        (old / name).write_text("x")
    check_output_dir(old)
    (old / "thesis.docx").write_text("x")
    with pytest.raises(ConfigError, match=r"did not write \(thesis.docx\)"):
        check_output_dir(old)


def test_empty_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert check_output_dir(tmp_path / "empty") == tmp_path / "empty"


@pytest.mark.parametrize(("out", "message"), [
    (".", "is the current folder or contains it"),
    ("", "is empty|is the current folder"),
    ("..", "is the current folder or contains it"),
])
def test_out_edge_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str, message: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(ConfigError, match=message):
        check_output_dir(out)
    assert list(tmp_path.iterdir()) == [work] and list(work.iterdir()) == []


def test_out_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match=r"lies under .*file, which is a file, not a folder"):
        check_output_dir(tmp_path / "file" / "out")
    with pytest.raises(ConfigError, match="exists and is not a folder"):
        check_output_dir(tmp_path / "file")


def test_out_in_a_folder_we_may_not_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    with pytest.raises(ConfigError, match=r"cannot write into .*locked \(permission denied\)"):
        check_output_dir(locked / "out")


def test_out_may_not_hold_the_inputs(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    scenario = tmp_path / "cfg" / "s.yaml"
    scenario.write_text("x")
    with pytest.raises(ConfigError, match=r"holds .*s.yaml, which this command reads"):
        check_output_dir(tmp_path / "cfg", inputs=[scenario])
    with pytest.raises(ConfigError, match="which this command reads"):
        with atomic_output_dir(tmp_path / "cfg", keep=tmp_path / "cfg"):
            pass


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_killed_command_are_removed(tmp_path: Path) -> None:
    out = _ours(tmp_path / "run", "plan.json")
    dead = _dead_pid()
    leftover = tmp_path / f".run.tmp-{dead}-abc123"
    leftover.mkdir()
    (leftover / "plan.json").write_text("half")
    live = tmp_path / f".run.tmp-{os.getppid()}-abc123"  # a live process's: maybe another command at work
    live.mkdir()
    other = tmp_path / f".other.tmp-{dead}-abc123"  # another output's: not ours to judge here
    other.mkdir()
    with atomic_output_dir(out) as tmp:
        (tmp / "plan.json").write_text("new")
    assert not leftover.exists() and live.exists() and other.exists()


def test_a_run_folder_left_aside_is_put_back(tmp_path: Path) -> None:
    out = _ours(tmp_path / "run", "plan.json")
    aside = tmp_path / f".run.old-{_dead_pid()}-abc123"
    out.rename(aside)  # killed between the two renames of a replacement
    with pytest.raises(RuntimeError), atomic_output_dir(out):
        raise RuntimeError("this run fails too")
    assert (out / "plan.json").read_text() == "x"
    assert not aside.exists()


def test_cli_refuses_a_folder_of_user_files(tmp_path: Path) -> None:
    """The whole command: exit 1, a message naming --out and the files, nothing solved, files intact."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis-draft.txt").write_text("chapter 1")
    done = subprocess.run([str(Path(sys.executable).parent / "dronewall"), "run", str(CONFIGS / "tiny.yaml"),
                           "--out", str(out)], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 1
    assert "error: --out:" in done.stderr and "thesis-draft.txt" in done.stderr and "Traceback" not in done.stderr
    assert (out / "thesis-draft.txt").read_text() == "chapter 1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
