"""The solver settings a planning problem carries: validated once from ``solver:`` in the scenario
(:class:`planner.config.scenario.SolverConfig`), then passed around typed — no ``dict.get`` with a default
repeated at every use. Strategies derive variants with :meth:`SolverSettings.replace` (a tighter gap for a small
knapsack, one thread per worker, a run's deadline)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["MIN_SOLVE_S", "RUN_MIN_SITES", "SEGMENT_CELLS", "SolverSettings"]

#: The least time a solver call is given once the run's deadline has passed (seconds).
MIN_SOLVE_S = 0.5
#: A reach or magazine row over at least this many candidate sites of one type is written over runs of consecutive
#: sites (planner.lp.runs); the size estimate (planner.sizes) counts such rows' pairs apart.
RUN_MIN_SITES = 200
#: Cells per segment (about) where one part is cut into segments along the border (planner.lp.segments): small enough
#: that a segment's MILP solves in seconds, large enough that few units straddle two segments.
SEGMENT_CELLS = 120


@dataclass(frozen=True)
class SolverSettings:
    """How to solve: the backend, the strategy and the limits (defaults are the scenario schema's)."""

    backend: Literal["highs", "cbc"] = "highs"
    strategy: Literal["sectors", "lp_screen", "full"] = "sectors"
    time_limit_s: float = 120.0  # one solver call's limit
    mip_rel_gap: float = 0.01
    mip_abs_gap: float | None = None  # objective units; set by the pricing chains, never by a scenario
    threads: int | None = 2  # None: the solver's own count (a solve in this process: HiGHS keeps its first)
    seed: int = 0
    memory_limit_gb: float | None = None
    deadline: float | None = None  # a time.time() bounding a whole run (search and exact evaluation)

    @classmethod
    def from_config(cls, solver: Any) -> SolverSettings:
        """From a validated ``SolverConfig`` (or anything with its fields)."""
        return cls(backend=solver.backend, strategy=solver.strategy, time_limit_s=float(solver.time_limit_s),
                   mip_rel_gap=float(solver.mip_rel_gap), threads=int(solver.threads), seed=int(solver.seed),
                   memory_limit_gb=solver.memory_limit_gb)

    def replace(self, **changes: Any) -> SolverSettings:
        """A copy with ``changes`` (field names are checked)."""
        return dataclasses.replace(self, **changes)

    def time_left(self) -> float:
        """The time a solver call may take now: ``time_limit_s`` cut to what is left before ``deadline`` (never
        below :data:`MIN_SOLVE_S`)."""
        if self.deadline is None:
            return self.time_limit_s
        return min(self.time_limit_s, max(self.deadline - time.time(), MIN_SOLVE_S))

    def as_dict(self) -> dict[str, Any]:
        """The scenario-level settings for plan.json (without the run's deadline)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k not in ("deadline", "mip_abs_gap")}
