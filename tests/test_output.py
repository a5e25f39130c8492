"""Outputs are written atomically: a failure leaves the previous result (or nothing) in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import DronewallError
from planner.output import atomic_output_dir


def test_success_replaces_the_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    with atomic_output_dir(out) as tmp:
        assert tmp != out and tmp.parent == out.parent
        (tmp / "plan.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["plan.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_failure_leaves_the_old_result(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "plan.json").write_text("old")
    with pytest.raises(RuntimeError), atomic_output_dir(out) as tmp:
        (tmp / "plan.json").write_text("half")
        raise RuntimeError("solver died")
    assert (out / "plan.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_interrupt_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "new"
    with pytest.raises(KeyboardInterrupt), atomic_output_dir(out) as tmp:
        (tmp / "a").write_text("x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_out_must_not_be_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(DronewallError, match="exists and is not a folder"), atomic_output_dir(f):
        pass
