"""Interrupted and killed commands: exit 130 with a message, the previous result intact, no worker left.

Each test runs ``dronewall run`` on the default scenario (whole flank, national MILPs in two worker
processes) as a subprocess in its own process group, as a terminal would, and sends the signal at a
moment it can see from outside: the solve has started once worker processes exist; the writing has
started once the temporary output folder appears beside ``--out``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import CONFIGS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="process groups, Linux")]

DRONEWALL = Path(sys.executable).parent / "dronewall"


def _start(out: Path, config: Path = CONFIGS / "eastern-flank.yaml") -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(DRONEWALL), "run", str(config), "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, cwd=out.parent)


def _wait_for(what: str, check, proc: subprocess.Popen[bytes], timeout: float = 240.0):  # noqa: ANN001, ANN202
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        found = check()
        if found:
            return found
        if proc.poll() is not None:
            pytest.fail(f"dronewall ended (exit {proc.returncode}) before {what}: {proc.stderr.read().decode()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail(f"no {what} within {timeout} s")


def _workers(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    try:
        return [c for c in psutil.Process(proc.pid).children(recursive=True)
                if "multiprocessing" in " ".join(c.cmdline())]
    except psutil.Error:
        return []


def _solver_workers(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The spawned solver workers (not the resource tracker), once there are two."""
    found = [c for c in _workers(proc) if "spawn_main" in " ".join(c.cmdline())]
    return found if len(found) >= 2 else []


def _temp_folder(out: Path) -> Path | None:
    return next((p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.tmp-")), None)


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """A complete earlier result in the folder the interrupted run writes to (a quick tiny-scenario plan)."""
    out = tmp_path / "plan"
    done = subprocess.run([str(DRONEWALL), "run", str(CONFIGS / "tiny.yaml"), "--out", str(out)],
                          capture_output=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_ctrl_c_during_the_solve(previous: Path) -> None:
    before = _snapshot(previous)
    proc = _start(previous)
    workers = _wait_for("worker processes", lambda: _solver_workers(proc), proc)
    everyone = _workers(proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert err.decode().strip() == "interrupted: nothing was written"
    assert "Traceback" not in err.decode()
    assert _snapshot(previous) == before
    time.sleep(1)
    assert not _alive(workers + everyone)
    assert sorted(p.name for p in previous.parent.iterdir()) == ["plan"]


def test_ctrl_c_while_writing(previous: Path) -> None:
    before = _snapshot(previous)
    proc = _start(previous)
    _wait_for("a temporary output folder", lambda: _temp_folder(previous), proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "interrupted: nothing was written" in err.decode() and "Traceback" not in err.decode()
    assert _snapshot(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == ["plan"]


def test_sigkill_leaves_no_worker_and_the_next_run_cleans_up(previous: Path) -> None:
    before = _snapshot(previous)
    proc = _start(previous)
    workers = _wait_for("worker processes", lambda: _solver_workers(proc), proc)
    everyone = _workers(proc)  # the workers and multiprocessing's resource tracker
    proc.kill()
    proc.communicate(timeout=30)
    t0 = time.monotonic()
    while _alive(workers + everyone) and time.monotonic() - t0 < 5:
        time.sleep(0.1)
    assert not _alive(workers + everyone), "orphan processes 5 s after the parent was killed"
    assert _snapshot(previous) == before

    # Killed while writing: a temporary folder stays behind; the next run into the same place removes it.
    proc = _start(previous)
    tmp = _wait_for("a temporary output folder", lambda: _temp_folder(previous), proc)
    proc.kill()
    proc.communicate(timeout=30)
    assert tmp.exists() and _snapshot(previous) == before
    done = subprocess.run([str(DRONEWALL), "run", str(CONFIGS / "tiny.yaml"), "--out", str(previous)],
                          capture_output=True, cwd=previous.parent, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert "left by an interrupted command" in " ".join(done.stderr.decode().split())
    assert not tmp.exists()
    assert sorted(p.name for p in previous.parent.iterdir()) == ["plan"]


def test_sigterm_is_handled_like_ctrl_c(previous: Path) -> None:
    proc = _start(previous)
    workers = _wait_for("worker processes", lambda: _solver_workers(proc), proc)
    proc.terminate()  # the parent only, as a process manager would
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err.decode()
    assert "interrupted: nothing was written" in err.decode() and "Traceback" not in err.decode()
    time.sleep(1)
    assert not _alive(workers)


def test_ctrl_c_while_the_command_line_loads(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C before the command line has loaded ends as one later would: a message and 130."""
    import importlib.abc

    import planner.__main__ as entry

    class Interrupting(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):  # noqa: ANN001, ANN201
            if name == "planner.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "planner.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == 130
    assert capsys.readouterr().err == "interrupted: nothing was written\n"


def test_the_command_line_loads_light() -> None:
    """`import planner.cli` loads neither the geo stack nor the solver: a short window for Ctrl-C, a fast --help."""
    code = ("import sys, planner.cli; heavy = [m for m in ('geopandas', 'pulp', 'highspy', 'pandas', 'matplotlib') "
            "if m in sys.modules]; print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
