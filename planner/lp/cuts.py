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
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp
from scipy.sparse import csr_matrix

from planner.lp.solver import allow, run_interruptibly, time_left
from planner.lp.warm import MIN_SECONDS, FirstPlan

__all__ = ["ROUNDS", "CutPool", "Separation"]

log = logging.getLogger(__name__)

#: Rounds of the cutting-plane loop: solve the relaxation, add the rows it violates. Finland with sites every 2 km
#: (twins counted) adds 713 rows in the first round and none in the second (docs/performance.md).
ROUNDS = 5

#: A row is violated when its left side exceeds this (engagements are in drones a raid; a cell's class brings 0.01–10;
#: HiGHS's feasibility tolerance is 1e-7, so rows violated by its noise alone do not cost a round).
TOLERANCE = 1e-6


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
    model once pulp has passed it on): up to :data:`ROUNDS` solves of the relaxation within ``time_limit_s``.
    ``first``: the first plan that follows (planner.lp.warm), whose relaxation's time it shares: that loses the seconds
    spent here, and where the first plan will still run it solves the relaxation again from the basis left here; else
    the solver's state is cleared (HiGHS would take the relaxation's solution as a start of its own)."""

    pool: CutPool
    time_limit_s: float
    first: FirstPlan | None = None
    #: What happened (logged at debug level; the tests read it): rows added, rounds, seconds, the last bound, and the
    #: seconds of the first solve where it reached the optimum (from no basis: about what HiGHS's root LP will take).
    added: int = 0
    rounds: int = 0
    seconds: float = 0.0
    bound: float | None = None
    cold_s: float | None = None

    def __call__(self, h: Any) -> None:
        import highspy

        t0 = time.perf_counter()
        lp = h.getLp()
        n_cols = int(lp.num_col_)
        integrality = np.asarray(lp.integrality_, dtype=np.uint8)
        del lp
        ints = np.flatnonzero(integrality == int(highspy.HighsVarType.kInteger)).astype(np.int32)
        if not len(self.pool) or not len(ints):
            return
        rows = self.pool.matrix(n_cols)
        budget = time_left(h)  # the MILP's, which these runs use up
        h.changeColsIntegrality(len(ints), ints, np.zeros(len(ints), dtype=np.uint8))
        taken = np.zeros(rows.shape[0], dtype=bool)
        while self.rounds < ROUNDS:
            left = self.time_limit_s - (time.perf_counter() - t0)
            if left < 0.5:
                break
            allow(h, left, mip=False)
            ran = time.perf_counter()
            run_interruptibly(h.run)
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            if not self.rounds:
                self.cold_s = time.perf_counter() - ran
            self.rounds += 1
            self.bound = float(h.getInfo().objective_function_value)
            x = np.asarray(h.getSolution().col_value, dtype=float)
            if self.first is not None:
                self.first.relaxed_x, self.first.known_bound = x, self.bound
            new = np.flatnonzero((rows @ x > TOLERANCE) & ~taken)
            if not len(new):
                break
            cut = rows[new]
            h.addRows(len(new), np.full(len(new), -np.inf), np.zeros(len(new)), cut.nnz,
                      cut.indptr[:-1].astype(np.int32), cut.indices.astype(np.int32), cut.data)
            taken[new] = True
            self.added += len(new)
        h.changeColsIntegrality(len(ints), ints, integrality[ints])
        self.seconds = time.perf_counter() - t0
        if self.first is not None and self.cold_s is not None:
            self.first.cold_s = self.cold_s
        if self.first is not None:  # the relaxation's time, spent here
            relax = self.first.time_limit_s if self.first.relax_limit_s is None else self.first.relax_limit_s
            self.first.relax_limit_s = max(relax - self.seconds, 0.0)
        if self.first is None or self.first.time_limit_s < MIN_SECONDS:
            h.clearSolver()
        allow(h, max(budget - self.seconds, 1.0), mip=True)
        log.debug("cuts: %d rows added in %d rounds, %.1f s, relaxation %s", self.added, self.rounds, self.seconds,
                  self.bound)
