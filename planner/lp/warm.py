"""A first plan for a large priced MILP from its LP relaxation: the MILP restricted to the builds the relaxation uses
(a relaxation-induced restriction, as in RINS and RENS), whose plan starts the whole MILP.

Where candidate sites are dense, HiGHS finds a good plan for a large national MILP late, while its bound settles
early. Finland's model with sites every 2 km at 5 km cells (245 cells, 1,178 sites, 3,657 sensor placements that see
a cell), alone on one thread at the first price of the default flank: HiGHS's first plan is worth 680.6 and stays so
for 55 s, while its bound is at 838.8 after 35 s; its plan reaches 820.8 at 60 s. Its LP relaxation uses 173 sensor
and 259 effector placements; the MILP over the 157 and 167 of them it gives more than a tenth of a unit finds 819.6 in
a few seconds (docs/performance.md, "A first plan from the LP relaxation"). Started from that plan, the whole MILP has
only its bound left to prove, and stops as soon as the flank's gap allows (planner.lp.ledger).

The three solves share one HiGHS model (the relaxation and the restriction change its integrality and bounds, then
put them back), so the model is built and passed to HiGHS once. The restriction is a heuristic only: its plan is a
plan of the whole model (every build it may use is one the whole model may use), and the bound stays the whole
MILP's own, or the relaxation's. Where the MILP's deadline is too near for HiGHS's own root after it, the search is
left out and the first plan is the MILP's plan (``FirstPlan.plan``). Small models skip it: HiGHS finds their plans
at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.lp.solver import allow, run_interruptibly, time_left
from planner.problem import PlanningProblem

__all__ = ["MIN_PLACEMENTS", "MIN_PLACEMENTS_PER_CELL", "MIN_SECONDS", "RELAX_SHARE", "RESTRICT_MIN", "ROOT_FACTOR",
           "TIME_SHARE", "FirstPlan", "worth_it"]

log = logging.getLogger(__name__)

#: Sensor placements (site, type) that see at least one cell, from which a model is large: it gets a first plan from
#: its LP relaxation, its twins counted as one and the layered kill chain's cuts. The default flank's largest national
#: model has 744 (Finland), with sites every 2 km 3,657 (Finland), 2,817 (Romania), 2,812 (Poland) and 1,936
#: (Lithuania), the next 1,011 (Latvia).
MIN_PLACEMENTS = 1500

#: Sensor placements that see a cell, on average over its cells, from which a model is large however few its cells:
#: candidate sites so dense that each cell has many near-equal ways of being seen, among which HiGHS's own search
#: finds good plans late. The default flank's national models have 25–50 (Slovakia to Romania; 81 in the Ukraine
#: replay), with sites every 2 km 133–243 (at 5 km cells and at 1 km alike: the count per cell does not depend on the
#: cell length), with sites every 5 km 53–99. Measured on the flank with sites every 2 km, where Estonia, Latvia,
#: Norway, Slovakia and Hungary have 264–1,011 placements: their MILPs took 6.0, 3.4, 3.6, 3.9 and 2.8 s as small
#: models (fourteenth session), 0.9–1.4 s (Norway 0.5 s) as large ones (fifteenth; docs/performance.md).
MIN_PLACEMENTS_PER_CELL = 100

#: A build the relaxation gives more than this share of a unit stays open in the restricted MILP; the others are shut.
RESTRICT_MIN = 0.1

#: Share of the time the MILP has (to its limit, or to its deadline in the gap ledger where that is sooner) that the
#: restricted MILP may take (the relaxation has RELAX_SHARE of it besides).
#: With 1 km cells and sites every 2 km, a first version that gave the restricted MILP a quarter of the limit,
#: whatever the deadline, left nations' MILPs without a bound by their deadlines: 37.9% after 300 s against 16.5%
#: without first plans.
TIME_SHARE = 0.25

#: Share of that time the LP relaxation (with the layered kill chain's cuts, planner.lp.cuts) may take, beside
#: TIME_SHARE for the restricted MILP (together all of it: where the relaxation takes long, there is no time for
#: HiGHS's own root either, and the search is left out). The relaxation's optimum is a bound the task keeps, and
#: without it neither a first plan nor HiGHS's own root is within reach: Finland's at 1 km cells with sites every
#: 2 km took 95 s on one thread (3 s with 5 km cells), and given a quarter of its 240 s it stopped unsolved, the MILP
#: ending at 40% with no better plan than HiGHS's rounding; given 0.7 of it (a trial), 5.2% (docs/performance.md,
#: the sixteenth session).
RELAX_SHARE = 0.75

#: HiGHS's own root (presolve, the LP from no basis, its cut rounds) against one solve of the relaxation from no basis:
#: Finland at 1 km cells with sites every 2 km, about 170 s against 95 s (docs/performance.md, the sixteenth session;
#: Romania's search running on to 317 s there was mostly a MILP run's limit counted on the wrong clock, since mended).
ROOT_FACTOR = 2.0

#: Below this many seconds for both, no first plan is sought (nor a restricted MILP in less than half of it).
MIN_SECONDS = 2.0


def worth_it(p: PlanningProblem) -> bool:
    """Whether the model of ``p`` (one nation's part, or a whole problem) is large enough for a first plan from its
    relaxation, twins and cuts: at least :data:`MIN_PLACEMENTS` sensor placements (site, type) that see a cell, or at
    least :data:`MIN_PLACEMENTS_PER_CELL` placements seeing each of its cells on average."""
    n_types = max(len(p.sensor_ids), 1)
    if len(p.det_site) < min(MIN_PLACEMENTS, MIN_PLACEMENTS_PER_CELL * len(p.cell_ids)):
        return False  # (fewer detection pairs than either count needs)
    placements = p.det_site.astype(np.int64) * n_types + p.det_sensor
    if len(np.unique(placements)) >= MIN_PLACEMENTS:
        return True
    seen = (p.det_cell.astype(np.int64) * len(p.site_ids) + p.det_site) * n_types + p.det_sensor
    return len(np.unique(seen)) >= MIN_PLACEMENTS_PER_CELL * max(len(p.cell_ids), 1)


@dataclass
class FirstPlan:
    """Finds a MIP start on the HiGHS model of a MILP, before its own search (called by the solver with the model,
    once pulp has passed it on). ``builds``: the build variables (pulp's, whose ``index`` is their HiGHS column once
    the model is passed on); ``time_limit_s``: what the restricted MILP may take (e.g. :data:`TIME_SHARE` of the
    MILP's time); ``mip_rel_gap``: the whole MILP's gap target."""

    builds: Sequence[Any]
    time_limit_s: float
    mip_rel_gap: float
    #: The relaxation's time (None: as much as ``time_limit_s``; a separation before spends it, planner.lp.cuts). An
    #: LP relaxation takes what it takes: Finland's at 1 km cells with sites every 2 km, 95 s.
    relax_limit_s: float | None = None
    #: When the whole MILP is due to stop (called for a ``time.time()`` once the first plan is found, as a deadline
    #: may have moved later meanwhile; None: at its time limit). Where less time is left then than ROOT_FACTOR times a
    #: solve of the relaxation from no basis took (``cold_s``), HiGHS's own root could not end before it; and where the
    #: first plan is within the MILP's gap target of the relaxation's bound (``known_bound``, the cuts' rounds'), the
    #: search has nothing to add. Either way it is left out, and the first plan is the MILP's plan (``plan``, every
    #: column's value).
    deadline: Callable[[], float] | None = None
    known_bound: float | None = None
    cold_s: float | None = None
    plan: np.ndarray | None = None
    #: The last relaxation solved before (planner.lp.cuts: its last round solved to the optimum, every column's
    #: value): the restricted MILP's builds where this relaxation is not solved in its time (the rounds' last cuts
    #: left it to solve again, and their time spent).
    relaxed_x: np.ndarray | None = None
    #: What happened (logged at debug level; the tests read it): seconds, the restricted plan's objective as HiGHS has
    #: it (pulp passes a maximisation negated; None: no plan), the build columns left open.
    seconds: float = 0.0
    objective: float | None = None
    kept: int = 0
    #: The relaxation's optimum as HiGHS has it (None: not solved to its optimum): a bound on the MILP.
    bound: float | None = None

    def __call__(self, h: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """The start (integer columns, their values) on ``h`` (a ``highspy.Highs`` holding the MILP), or None. ``h``
        leaves with its integrality, bounds and gap target put back, no solution or basis kept (else HiGHS would take
        the relaxation's or the restriction's as a start of its own), and its time limit less the time spent. Where a
        solve is interrupted (Ctrl-C), ``h`` is left as it is: the run goes on in its thread, and the model is
        abandoned."""
        import highspy

        t0 = time.perf_counter()
        try:
            return self._search(h, highspy)
        finally:
            self.seconds = time.perf_counter() - t0
            log.debug("first plan from the relaxation: %.1f s, %d build columns open, objective %s", self.seconds,
                      self.kept, self.objective)

    def _within(self, h: Any) -> bool:
        """Whether the restricted plan is within the whole MILP's gap target (relative, or ``h``'s absolute one) of the
        best relaxation bound known (HiGHS's sense: a minimisation, so the larger bound is the tighter)."""
        known = [b for b in (self.bound, self.known_bound) if b is not None]
        if self.objective is None or not known:
            return False
        gap = self.objective - max(known)
        return gap <= max(self.mip_rel_gap * abs(self.objective), float(h.getOptionValue("mip_abs_gap")[1]))

    def _search(self, h: Any, highspy: Any) -> tuple[np.ndarray, np.ndarray] | None:
        lp = h.getLp()  # (a copy of the model: only its integrality and bounds are kept)
        integrality = np.asarray(lp.integrality_, dtype=np.uint8)
        col_lower, col_upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
        del lp
        ints = np.flatnonzero(integrality == int(highspy.HighsVarType.kInteger)).astype(np.int32)
        cols = np.array([v.index for v in self.builds if v.lowBound != v.upBound], dtype=np.int32)
        if not len(ints) or not len(cols) or self.time_limit_s < MIN_SECONDS:
            h.clearSolver()  # nothing sought: no relaxation left behind (planner.lp.cuts may have solved one)
            return None
        budget, gap = time_left(h), h.getOptionValue("mip_rel_gap")[1]  # (the whole MILP's, which these runs use up)
        t0 = time.perf_counter()

        def restore() -> None:
            h.clearSolver()
            h.setOptionValue("mip_rel_gap", gap)
            allow(h, max(budget - (time.perf_counter() - t0), 1.0), mip=True)

        # The LP relaxation: every integer column continuous for one solve. (No try/finally around a run: after an
        # interrupt the run goes on in its thread, and the model must not change under it.)
        h.changeColsIntegrality(len(ints), ints, np.zeros(len(ints), dtype=np.uint8))
        relax = self.time_limit_s if self.relax_limit_s is None else self.relax_limit_s
        allow(h, max(relax, MIN_SECONDS / 2), mip=False)
        run_interruptibly(h.run)
        if self.cold_s is None:  # (no separation before: this solve started from no basis)
            self.cold_s = time.perf_counter() - t0
        relaxed = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if relaxed:
            self.bound = float(h.getInfo().objective_function_value)
            x = np.asarray(h.getSolution().col_value, dtype=float)
        elif self.relaxed_x is not None:  # (its bound is the separation's own)
            relaxed, x = True, self.relaxed_x
        h.changeColsIntegrality(len(ints), ints, integrality[ints])
        left = min(self.time_limit_s, budget - (time.perf_counter() - t0))  # (never past the whole MILP's limit)
        if not relaxed or left < MIN_SECONDS / 2:
            restore()
            return None
        # The MILP over the builds the relaxation gives more than RESTRICT_MIN of a unit; the others at their lower
        # bound (none built).
        shut = cols[x[cols] <= RESTRICT_MIN]
        self.kept = len(cols) - len(shut)
        h.changeColsBounds(len(shut), shut, col_lower[shut], col_lower[shut])
        allow(h, left, mip=True)
        h.setOptionValue("mip_rel_gap", self.mip_rel_gap / 2)
        run_interruptibly(h.run)
        found = h.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        x = np.asarray(h.getSolution().col_value, dtype=float)
        self.objective = float(h.getInfo().objective_function_value) if found else None
        h.changeColsBounds(len(shut), shut, col_lower[shut], col_upper[shut])
        restore()
        if found and (self._within(h) or self.deadline is not None
                      and self.deadline() - time.time() < ROOT_FACTOR * (self.cold_s or 0.0)):
            self.plan = x
        return (ints, np.round(x[ints])) if found else None
