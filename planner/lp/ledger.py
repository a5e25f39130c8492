"""A gap shared by the national MILPs of one price evaluation (planner.lp.sectors).

The flank's proven gap is the sum of the nations' absolute gaps (each MILP's bound less its plan) plus what
combining their plans loses. Each nation is given a share of the allowed sum as its own absolute gap, in
proportion to the drones it faces; but the small nations typically stop well inside theirs while the largest
one runs on to the last of its share. A ledger pools the allowance: every MILP publishes its current gap (while
it runs, from HiGHS's callback; at its end, its final gap), a nation not yet started counts at its own share,
and a running MILP stops as soon as the ledger's sum is within the allowance for the whole flank. Each MILP
still stops at its own share as before (HiGHS's ``mip_abs_gap``): the ledger only ends it sooner, when the
others left room. The sum is then within the allowance as surely as with fixed shares: a running MILP's gap
only shrinks, and a nation that starts later stops at its share at the latest (or at its time limit, as before).

The allowance is a share of the flank's bound, and the nations' own bounds are part of that bound: each MILP also
publishes a lower bound on its own (its plan's objective, constants included; before it has a plan, the best of
its plans at earlier prices or its cheapest plan, :func:`gap_ledger`'s ``floors``), and the allowance grows by ``growth`` times their sum
(:func:`allowance`). Every such figure only grows while the MILPs run, so a stop allowed once stays allowed, and
the sum at the end is within the allowance at the end (issue #18: with sites every 2 km the national plans' values
add 40% to the base μ·B).

The ledger also holds each task's deadline, so that one started while others still ran gets their time when they
finish early (:func:`extend_due`, planner.lp.runner): the watch ends a MILP past its deadline once it has a plan;
without one it runs on to HiGHS's own limit, the batch's end.

The ledger is a folder of a few small files per task (written atomically, read by every worker), so it serves
worker processes on this machine; tasks sent to a Dask cluster get no seat (planner.lp.sectors) and keep their own
shares and deadlines.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GAP_POLL_S", "POOL_AFTER_S", "PREFIX", "LedgerSeat", "Watch", "allowance", "due", "extend_due", "gap_ledger",
           "publish", "publish_low", "reset", "total"]

#: How often (seconds of a MILP's run) a worker publishes its gap and reads the others'.
GAP_POLL_S = 0.5

#: A MILP stops on the ledger's sum only once it has run this long (HiGHS's own clock for the MILP's search: a first
#: plan's search before it, planner.lp.warm, does not count). The ledger is for long
#: solves; below it a MILP stops at its own share, where it always did, so quick solves (each national MILP of the
#: default scenario takes 0.3-5 s) give the same plan run after run: a stop that depends on the others' progress
#: depends on timing. (20 s until the thirteenth session; at 10 s the large national MILPs of the dense-site row stop
#: where their roots' cuts have closed the gap enough, docs/performance.md.)
POOL_AFTER_S = 10.0


@dataclass(frozen=True)
class LedgerSeat:
    """One task's place in a ledger: its folder, its key, the allowed sum of every task's absolute gap (before it
    grows: :func:`allowance`), the task's own share of it (what it counts at until it publishes its own gap), how
    much the allowance grows per unit of the tasks' lower bounds, and this task's lower bound before it has a plan."""

    folder: str
    key: int
    allowance: float
    share: float = 0.0
    growth: float = 0.0
    floor: float = 0.0


def _path(folder: str | Path, key: int, kind: str = "gap") -> Path:
    return Path(folder) / f"{key}.{kind}"


def _write(path: Path, value: float) -> None:
    """Write a number atomically; silently nothing where the folder is gone (a remote worker, a closed ledger)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(repr(float(value)))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _read(path: Path, default: float) -> float:
    try:
        return float(path.read_text())
    except (OSError, ValueError):
        return default


def publish(seat: LedgerSeat, gap: float) -> None:
    """Write this task's absolute gap (``inf`` before it has a plan)."""
    _write(_path(seat.folder, seat.key), gap)


def publish_low(seat: LedgerSeat, value: float) -> None:
    """Write a lower bound on this task's own bound (a plan's objective, constants included; at least its floor).
    The caller publishes only ever larger ones (:class:`Watch`)."""
    _write(_path(seat.folder, seat.key, "low"), max(float(value), seat.floor))


def allowance(seat: LedgerSeat, lows: float | None = None) -> float:
    """The allowed sum of gaps now: the seat's allowance plus ``growth`` times the sum of the tasks' lower bounds
    (``lows``, read from the ledger if not given; where that sum is positive, the allowance alone if a file cannot
    be read)."""
    if not seat.growth:
        return seat.allowance
    if lows is None:
        lows = _sums(seat.folder)[1]
    return seat.allowance + seat.growth * max(lows, 0.0) if math.isfinite(lows) else seat.allowance


def due(seat: LedgerSeat) -> float:
    """This task's deadline (a ``time.time()``; ``inf`` where none is set)."""
    return _read(_path(seat.folder, seat.key, "due"), math.inf)


def reset(seat: LedgerSeat) -> None:
    """Back to the task's share and no deadline, as the task starts (again, where a broken worker pool makes the
    runner solve every task once more in its own process: a killed worker leaves its last live gap behind)."""
    publish(seat, seat.share)
    publish_low(seat, seat.floor)
    with contextlib.suppress(OSError):
        _path(seat.folder, seat.key, "due").unlink()


def extend_due(seat: LedgerSeat, when: float) -> None:
    """Set this task's deadline, or move it later (never earlier once set)."""
    current = due(seat)
    if not math.isfinite(current) or when > current:
        _write(_path(seat.folder, seat.key, "due"), when)


def total(folder: str | Path) -> float:
    """The sum of the gaps in the ledger (``inf`` if any task has no plan yet or a file cannot be read)."""
    return _sums(folder)[0]


def _sums(folder: str | Path) -> tuple[float, float]:
    """The sums of the gaps and of the lower bounds in the ledger, in one pass over its files (the gaps' ``inf``
    and the bounds' ``-inf`` where a file, or the folder, cannot be read)."""
    gaps, lows = 0.0, 0.0
    try:
        names = list(Path(folder).iterdir())
    except OSError:
        return math.inf, -math.inf
    for p in names:
        if p.suffix == ".gap":
            gaps += _read(p, math.inf)
        elif p.suffix == ".low":
            lows += _read(p, -math.inf)
    return gaps, lows


@contextlib.contextmanager
def gap_ledger(shares: list[float], allowance: float, *, growth: float = 0.0,
               floors: list[float] | None = None) -> Iterator[list[LedgerSeat]]:
    """A ledger for tasks whose own allowed gaps are ``shares`` (absolute, summing to at most ``allowance``): one
    seat per task, each at its share until the task publishes its own. With ``growth``, the allowance grows by that
    many times the sum of the tasks' lower bounds on their own bounds, each at its ``floors`` entry until the task
    publishes a larger one. The folder is removed on exit."""
    _sweep()
    # ignore_cleanup_errors: a worker still writing while an interrupt unwinds must not replace the interrupt
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-", dir=_shm(), ignore_cleanup_errors=True) as folder:
        lows = [0.0] * len(shares) if floors is None else floors
        seats = [LedgerSeat(folder=folder, key=k, allowance=float(allowance), share=float(share),
                            growth=float(growth), floor=float(low))
                 for k, (share, low) in enumerate(zip(shares, lows, strict=True))]
        for seat in seats:
            publish(seat, seat.share)
            publish_low(seat, seat.floor)
        yield seats


#: The ledger folders' name: the prefix, then the process id of the run that made it.
PREFIX = "dronewall-gaps-"


def _sweep() -> None:
    """Remove the ledger folders of runs whose process is gone (a run killed outright cannot remove its own)."""
    root = Path(_shm() or tempfile.gettempdir())
    for folder in root.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)) or not folder.is_dir():
            continue
        with contextlib.suppress(OSError):  # another user's, or gone meanwhile: not this run's business
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _shm() -> str | None:
    """A memory-backed folder where the system has one (the ledger is read twice a second by every worker)."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class Watch:
    """HiGHS's MIP-interrupt callback for one seat: at most every :data:`GAP_POLL_S` seconds it publishes the MILP's
    current absolute gap (and, with ``value_of``, the objective of its plan, constants included, from HiGHS's
    incumbent) and interrupts the solve once the ledger's sum is within the allowance (after ``after_s``
    of the MILP's run), or once the task's deadline has passed (never before the MILP has a plan). ``stopped`` says
    why it did ("gap", "due") or None."""

    def __init__(self, seat: LedgerSeat, poll_s: float = GAP_POLL_S, after_s: float | None = None,
                 value_of: Callable[[float], float] | None = None) -> None:
        self.seat, self.poll_s, self.value_of = seat, poll_s, value_of
        self.low = seat.floor
        self.after_s = POOL_AFTER_S if after_s is None else after_s
        self.next_at = 0.0
        self.stopped: str | None = None
        self.alive = Path(seat.folder).is_dir()

    def __call__(self, callback_type: int, message: str, data_out: Any, data_in: Any, user_data: Any) -> None:
        if not self.alive:
            return
        now = time.monotonic()
        if now < self.next_at:
            return
        self.next_at = now + self.poll_s
        try:  # called from inside HiGHS: whatever goes wrong here must not end the solve, only this watch
            self._look(data_out, data_in)
        except Exception:  # noqa: BLE001 - a watch that fails leaves the MILP to its own gap and limit
            self.alive = False

    def _look(self, data_out: Any, data_in: Any) -> None:
        primal, dual = float(data_out.mip_primal_bound), float(data_out.mip_dual_bound)
        if not (math.isfinite(primal) and math.isfinite(dual)) or abs(primal) >= 1e30 or abs(dual) >= 1e30:
            return
        publish(self.seat, abs(primal - dual))
        value = None if self.value_of is None else self.value_of(primal)
        if value is not None and value > self.low:
            self.low = value
            publish_low(self.seat, self.low)
        ran = float(getattr(data_out, "running_time", 0.0))  # unknown: never pooled (quick solves stay deterministic)
        if ran >= self.after_s and self._within():
            self.stopped = "gap"
        elif time.time() >= due(self.seat):
            self.stopped = "due"
        if self.stopped:
            data_in.user_interrupt = True

    def _within(self) -> bool:
        """Whether the ledger's sum of gaps is within its allowance now (one pass over its files)."""
        gaps, lows = _sums(self.seat.folder)
        return gaps <= allowance(self.seat, lows)
