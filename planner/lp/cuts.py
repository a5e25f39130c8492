"""A pool of cuts (valid inequalities Σ coef · variable ≤ 0) and their separation at the root of a large MILP.

A model may hold more valid rows than it needs: the layered kill chain's cuts (planner.lp.kill_chain,
``define_layer_cuts``) are a row per (cell, class, later type, earlier layer), 30,113 in Finland's model with sites
every 2 km, of which 2,974 bind at the relaxation's optimum. Written into the model, they all slow every LP of the
search (Finland's MILP 29.0 s against 15.0 s separated; at 1 km cells with sites every 2 km the models grow by
two thirds and the flank's gap after 300 s went from 22% to 42%). Kept in a pool instead, the ones the relaxation
violates are added to the HiGHS model, the relaxation solved again, and so on for a few rounds (a cutting-plane loop
at the root, as a MILP solver's own separators do): the relaxation's bound is the one with every cut to within the
last round, and the MILP searches with the rows that bind only. The rows hold for every plan once its cover variables stand at
min(1, Σ y), which costs it nothing, so the model's optimum and its proven bound are those of the model without them
(docs/formulation.md, constraint 4c).

The model's own rows of a few families (:data:`WITHHELD`) are handled alike in the relaxation's rounds: the first
solve goes without them, and each round puts back those the last solution violates. Every round's optimum bounds the
MILP (it relaxes the relaxation), and once no withheld row is violated it is the relaxation's own optimum. Before the
MILP every withheld row is back, in its place, so the MILP is the model as built. Finland's relaxation at 1 km cells
with sites every 2 km withholds 99,482 of its 181,238 rows, puts back 30,771 in 6 rounds, and reaches the same
optimum in 12.7 s against 127.1 s in one solve (docs/performance.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp
from scipy.sparse import csc_matrix, csr_matrix

from planner.lp.solver import allow, run_interruptibly, time_left
from planner.lp.warm import MIN_SECONDS, FirstPlan

__all__ = ["COLD_FACTOR", "ROUNDS", "WITHHELD", "CutPool", "Separation", "withheld"]

log = logging.getLogger(__name__)

#: Rounds of the cutting-plane loop that may add cuts: solve the relaxation, add the cuts it violates (rounds that put
#: back withheld rows come besides). Finland with sites every 2 km (twins counted) adds 713 rows in the first round and
#: none in the second (docs/performance.md).
ROUNDS = 5

#: A row is violated when its left side exceeds this (engagements are in drones a raid; a cell's class brings 0.01–10;
#: HiGHS's feasibility tolerance is 1e-7, so rows violated by its noise alone do not cost a round).
TOLERANCE = 1e-6

#: The model's rows withheld from the relaxation's first solve (by the start of their names, as pulp keeps them:
#: planner.lp.kill_chain's chords below 1 − e^(−δ), later layers' engagements within the earlier layers' survivors,
#: magazines and decoys' shares of them). At 1 km cells with sites every 2 km, few of them bind: Finland's LP without
#: them has a third of its optimum's value too many, and the rounds put back 30,771 of 99,482. Withholding the reach
#: rows too (51,266 more) made the second round take 91 s: each engagement's reach row binds where it is used.
WITHHELD = ("chord", "engaged_le_survivors", "magazine_", "decoy_share_")

#: One solve of the whole relaxation from no basis against the rounds that withheld rows took (for
#: planner.lp.warm's ``cold_s``: HiGHS's own root solves the whole model): Finland at 1 km cells with sites every
#: 2 km, 127.1 s against 12.7 s; Romania there, 51.6 s against 16.8 s; at 5 km cells 1.9 s against 0.8 s and 1.4 s
#: against 1.0 s (one thread; docs/performance.md). HiGHS's root takes about ROOT_FACTOR times the former.
COLD_FACTOR = 4.0


def withheld(prob: pulp.LpProblem) -> list[pulp.LpConstraint]:
    """The rows of ``prob`` whose names start as one of :data:`WITHHELD`."""
    return [c for c in prob.constraints() if c.name.startswith(WITHHELD)]


@dataclass
class CutPool:
    """Rows Σ coef · variable ≤ 0 over a pulp model's variables, stored flat: row r's terms are
    ``variables[starts[r]:starts[r + 1]]`` with their ``coefs``."""

    names: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    variables: list[pulp.LpVariable] = field(default_factory=list)
    coefs: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.names)

    def add(self, name: str, terms: list[tuple[pulp.LpVariable, float]]) -> None:
        """One row; a variable named twice counts its coefficients summed."""
        acc: dict[pulp.LpVariable, float] = {}
        for var, coef in terms:
            acc[var] = acc.get(var, 0.0) + coef
        self.names.append(name)
        self.variables.extend(acc)
        self.coefs.extend(acc.values())
        self.starts.append(len(self.variables))

    def write_into(self, prob: pulp.LpProblem) -> None:
        """Every row into the pulp model (all at once, not by separation: small models and tests)."""
        for r, name in enumerate(self.names):
            a, b = self.starts[r], self.starts[r + 1]
            prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(
                list(zip(self.variables[a:b], self.coefs[a:b], strict=True))), pulp.LpConstraintLE, name, 0))

    def matrix(self, n_cols: int) -> csr_matrix:
        """The rows over the HiGHS model's columns (each pulp variable's ``index`` once pulp has passed it on)."""
        index = np.fromiter((v.index for v in self.variables), dtype=np.int64, count=len(self.variables))
        return csr_matrix((np.asarray(self.coefs, dtype=float), index, np.asarray(self.starts, dtype=np.int64)),
                          shape=(len(self.names), n_cols))


@dataclass
class Separation:
    """Adds a pool's violated rows to the HiGHS model of a MILP before its search (called by the solver with the
    model once pulp has passed it on): solves of the relaxation within ``time_limit_s``, up to :data:`ROUNDS` that add
    cuts. ``withheld``: rows of the model (pulp's, whose ``index`` is their HiGHS row once pulp has passed it on) the
    first solve goes without; the rounds put back those violated, and the model leaves with all of them, in their
    places. ``first``: the first plan that follows (planner.lp.warm), whose relaxation's time it shares: that loses the
    seconds spent here, and where the first plan will still run it solves the relaxation again from the basis left
    here; else the solver's state is cleared (HiGHS would take the relaxation's solution as a start of its own)."""

    pool: CutPool
    time_limit_s: float
    first: FirstPlan | None = None
    withheld: Sequence[pulp.LpConstraint] = ()
    #: What happened (logged at debug level; the tests read it): cuts added, rounds, withheld rows put back in them,
    #: seconds, the last bound, and the seconds a solve of the whole relaxation from no basis takes (about what HiGHS's
    #: root LP will take): the first solve's where nothing was withheld, else :data:`COLD_FACTOR` times the rounds'.
    added: int = 0
    rounds: int = 0
    put_back: int = 0
    seconds: float = 0.0
    bound: float | None = None
    cold_s: float | None = None

    def __call__(self, h: Any) -> None:
        import highspy

        t0 = time.perf_counter()
        lp = h.getLp()
        n_cols = int(lp.num_col_)
        integrality = np.asarray(lp.integrality_, dtype=np.uint8)
        ints = np.flatnonzero(integrality == int(highspy.HighsVarType.kInteger)).astype(np.int32)
        if not (len(self.pool) or len(self.withheld)) or not len(ints):
            return
        rows = self.pool.matrix(n_cols)
        model = _Rows(lp, [c.index for c in self.withheld])
        del lp
        budget = time_left(h)  # the MILP's, which these runs use up
        h.changeColsIntegrality(len(ints), ints, np.zeros(len(ints), dtype=np.uint8))
        taken = np.zeros(rows.shape[0], dtype=bool)
        model.withhold(h)
        cut_rounds = 0
        while True:
            left = self.time_limit_s - (time.perf_counter() - t0)
            if left < 0.5:
                break
            allow(h, left, mip=False)
            ran = time.perf_counter()
            run_interruptibly(h.run)
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            if not self.rounds and not len(model.out):
                self.cold_s = time.perf_counter() - ran
            self.rounds += 1
            self.bound = float(h.getInfo().objective_function_value)
            x = np.asarray(h.getSolution().col_value, dtype=float)
            if self.first is not None:
                self.first.relaxed_x, self.first.known_bound = x, self.bound
            back = model.put_back(h, x)
            self.put_back += back
            # cuts once no withheld row is violated: a solution that violates them violates cuts the relaxation holds
            # (Finland at 1 km cells: 48,312 cuts added instead of 2,462)
            new = np.flatnonzero((rows @ x > TOLERANCE) & ~taken) if not back and cut_rounds < ROUNDS \
                else np.zeros(0, dtype=np.int64)
            if not len(new) and not back:
                break
            cut_rounds += not back
            if len(new):
                cut = rows[new]
                h.addRows(len(new), np.full(len(new), -np.inf), np.zeros(len(new)), cut.nnz,
                          cut.indptr[:-1].astype(np.int32), cut.indices.astype(np.int32), cut.data)
                model.order.extend((-1 - new).tolist())
                taken[new] = True
                self.added += len(new)
        withheld = model.restore(h, rows)
        h.changeColsIntegrality(len(ints), ints, integrality[ints])
        self.seconds = time.perf_counter() - t0
        if withheld and self.bound is not None:  # (the whole relaxation's solve from no basis, estimated)
            self.cold_s = COLD_FACTOR * self.seconds
        if self.first is not None and self.cold_s is not None:
            self.first.cold_s = self.cold_s
        if self.first is not None:  # the relaxation's time, spent here
            relax = self.first.time_limit_s if self.first.relax_limit_s is None else self.first.relax_limit_s
            self.first.relax_limit_s = max(relax - self.seconds, 0.0)
        if self.first is None or self.first.time_limit_s < MIN_SECONDS:
            h.clearSolver()
        allow(h, max(budget - self.seconds, 1.0), mip=True)
        log.debug("cuts: %d rows added in %d rounds, %d of %d withheld rows put back, %.1f s, relaxation %s",
                  self.added, self.rounds, self.put_back, withheld, self.seconds, self.bound)


class _Rows:
    """The withheld rows of a HiGHS model (``lp``, a copy of it) and the model's rows as they stand: ``order`` holds,
    for each row of the model now, its row in ``lp`` (≥ 0) or the cut it is (−1 − its row in the pool)."""

    def __init__(self, lp: Any, withheld: Sequence[int]) -> None:
        self.out = np.unique(np.asarray(withheld, dtype=np.int64))
        self.order: list[int] = list(range(int(lp.num_row_)))
        if not len(self.out):
            return
        import highspy

        a, shape = lp.a_matrix_, (int(lp.num_row_), int(lp.num_col_))
        data = (np.asarray(a.value_, dtype=float), np.asarray(a.index_, dtype=np.int64),
                np.asarray(a.start_, dtype=np.int64)[:shape[a.format_ == highspy.MatrixFormat.kColwise] + 1])
        self.matrix = csc_matrix(data, shape=shape).tocsr() if a.format_ == highspy.MatrixFormat.kColwise \
            else csr_matrix(data, shape=shape)
        self.lower = np.asarray(lp.row_lower_, dtype=float)
        self.upper = np.asarray(lp.row_upper_, dtype=float)
        self.waiting = self.out.copy()  # (withheld and not put back)

    def withhold(self, h: Any) -> None:
        if len(self.out):
            h.deleteRows(len(self.out), self.out.astype(np.int32))
            keep = np.ones(len(self.order), dtype=bool)
            keep[self.out] = False
            self.order = np.flatnonzero(keep).tolist()

    def put_back(self, h: Any, x: np.ndarray) -> int:
        """Adds the withheld rows ``x`` violates; their count."""
        if not len(self.out) or not len(self.waiting):
            return 0
        act = self.matrix[self.waiting] @ x
        bad = (act > self.upper[self.waiting] + TOLERANCE) | (act < self.lower[self.waiting] - TOLERANCE)
        back = self.waiting[bad]
        if len(back):
            self._add(h, back)
            self.order.extend(back.tolist())
            self.waiting = self.waiting[~bad]
        return len(back)

    def _add(self, h: Any, which: np.ndarray) -> None:
        part = self.matrix[which]
        h.addRows(len(which), self.lower[which], self.upper[which], part.nnz, part.indptr[:-1].astype(np.int32),
                  part.indices.astype(np.int32), part.data)

    def restore(self, h: Any, pool: csr_matrix) -> int:
        """Every row back in its place, the cuts added (rows of ``pool``) after them, with the basis the rounds left
        (rows never put back basic); the count of rows withheld."""
        if not len(self.out):
            return 0
        import highspy

        basis = h.getBasis()
        valid = bool(basis.valid)
        status: dict[int, Any] = dict(zip(self.order, basis.row_status, strict=True)) if valid else {}
        cuts = [k for k in self.order if k < 0]
        h.deleteRows(len(self.order), np.arange(len(self.order), dtype=np.int32))
        self._add(h, np.arange(self.matrix.shape[0]))
        if cuts:
            pool_rows = pool[[-1 - k for k in cuts]]
            h.addRows(len(cuts), np.full(len(cuts), -np.inf), np.zeros(len(cuts)), pool_rows.nnz,
                      pool_rows.indptr[:-1].astype(np.int32), pool_rows.indices.astype(np.int32), pool_rows.data)
        if valid:
            basic = highspy.HighsBasisStatus.kBasic
            basis.row_status = [status.get(k, basic) for k in range(self.matrix.shape[0])] + [status[k] for k in cuts]
            h.setBasis(basis)
        return len(self.out)
