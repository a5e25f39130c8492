"""The gap the nations' MILPs share within one price evaluation (planner.lp.ledger)."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from planner.lp import ledger
from planner.lp.families import national
from planner.lp.tasks import SectorTask, solve_sector
from tests.test_sectors import two_cells


def _call(watch: ledger.Watch, primal: float, dual: float) -> bool:
    """One HiGHS callback with this incumbent and bound; whether the watch asked HiGHS to stop."""
    into = SimpleNamespace(user_interrupt=False)
    watch(0, "", SimpleNamespace(mip_primal_bound=primal, mip_dual_bound=dual), into, None)
    return into.user_interrupt


def test_a_milp_stops_once_the_flank_sum_fits() -> None:
    """Two nations allowed 2 and 3 (5 in all, the allowance 5). Nation 0 at gap 2.5 (incumbent −10, bound −12.5 in
    HiGHS's minimising sense) would put the sum at 5.5: it runs on. Once nation 1 finishes at 1, the sum is 3.5:
    it stops. Before it has a plan (an infinite incumbent) it publishes nothing and never stops."""
    with ledger.gap_ledger([2.0, 3.0], 5.0) as seats:
        assert ledger.total(seats[0].folder) == pytest.approx(5.0)
        watch = ledger.Watch(seats[0], poll_s=0.0)
        assert not _call(watch, math.inf, -12.5)
        assert ledger.total(seats[0].folder) == pytest.approx(5.0)
        assert not _call(watch, -10.0, -12.5)
        assert ledger.total(seats[0].folder) == pytest.approx(5.5)
        ledger.publish(seats[1], 1.0)
        assert _call(watch, -10.0, -12.5) and watch.stopped
        folder = Path(seats[0].folder)
    assert not folder.exists()  # the ledger removes its folder
    gone = ledger.Watch(seats[0], poll_s=0.0)  # a remote worker, or a closed ledger: the MILP keeps its own share
    assert not _call(gone, -10.0, -10.0)
    ledger.publish(seats[0], 1.0)  # writes nothing, raises nothing
    assert not folder.exists()


def test_a_nation_without_a_final_gap_counts_as_unbounded(tmp_path: Path) -> None:
    """An unreadable entry (a task that died mid-write) makes the sum infinite: no one stops on its account."""
    with ledger.gap_ledger([1.0, 1.0], 10.0) as seats:
        Path(seats[1].folder, "1.gap").write_text("not a number")
        assert ledger.total(seats[0].folder) == math.inf
        assert not _call(ledger.Watch(seats[0], poll_s=0.0), -1.0, -1.0)
    assert ledger.total(tmp_path / "missing") == math.inf


def test_the_watch_polls_at_most_every_interval() -> None:
    """Within ``poll_s`` of its last look the watch neither publishes nor stops the solve."""
    with ledger.gap_ledger([0.0, 0.0], 1.0) as seats:
        watch = ledger.Watch(seats[0], poll_s=3600.0)
        assert _call(watch, -1.0, -1.5)  # the first look: sum 0.5 ≤ 1
        assert not _call(ledger.Watch(seats[1], poll_s=3600.0), -1.0, -9.0)  # sum 8.5
        assert not _call(watch, -1.0, -1.0)  # an hour has not passed: not looked at
        assert ledger.total(seats[0].folder) == pytest.approx(8.5)


def test_a_seated_milp_publishes_its_final_gap_and_keeps_its_optimum() -> None:
    """Nation AA of ``two_cells`` alone at a price of 0.1 per euro: a sensor and an effector (€2) defeat
    10 · 0.89055 · 0.5 = 4.4528 for a price of 0.2, objective 4.2528, proven optimal. Seated in a ledger allowing
    nothing, it solves as without one and leaves its final gap, 0, in the ledger."""
    p = two_cells()
    sub = national(p, 0)[0]
    alone = solve_sector(SectorTask(problem=sub, price=0.1, threads=None, mip_rel_gap=0.0))
    with ledger.gap_ledger([0.0, 0.0], 0.0) as seats:
        seated = solve_sector(SectorTask(problem=sub, price=0.1, threads=None, mip_rel_gap=0.0, ledger=seats[0]))
        assert ledger.total(seats[0].folder) == pytest.approx(seated.bound - seated.objective, abs=1e-9)
    assert seated.objective == pytest.approx(alone.objective, abs=1e-9)
    assert seated.objective == pytest.approx(10 * 0.890550 * 0.5 - 0.2, abs=1e-4)
    assert seated.bound - seated.objective <= 1e-6
