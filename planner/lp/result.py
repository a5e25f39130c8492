"""What the solve layer hands back: raw arrays in the problem's index space (no ids, no geometry, no pulp)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

__all__ = ["FixedPlan", "SectorPlan", "SolveInfo", "Solved"]


@dataclass(frozen=True)
class SolveInfo:
    """How a plan was solved, for plan.json's ``solver`` section (:meth:`as_dict`)."""

    strategy: str = ""  # sectors, lp_screen, full, or family (a point of a sweep)
    sectors: tuple[str, ...] = ()  # the nations solved one by one
    workers: int | None = None  # worker processes
    price_evaluations: tuple[dict[str, Any], ...] = ()  # each price on money tried: bound, plan value, gap
    bound: float | None = None  # the proven bound on the objective
    robust: dict[str, Any] | None = None  # robust planning: mode and number of worlds
    flank_wide_milp: dict[str, Any] | None = None  # the flank-wide MILP a small problem's pricing fell back on
    plan_from: str | None = None  # where the plan came from when not the sectors' knapsack
    wall_s: float | None = None  # seconds of the whole search
    point: str | None = None  # a sweep's point

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set, in declaration order."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not (isinstance(value, tuple | str) and len(value) == 0):
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass
class FixedPlan:
    """A plan held fixed for exact evaluation: builds, conventional units and its total cost."""

    sensors: np.ndarray  # (M, S) 0/1
    effectors: np.ndarray  # (M, E) 0/1
    conventional: np.ndarray  # (C,) units
    cost_eur: float
    engagements: np.ndarray | None = None  # (N, T, E) planned, for a nation-by-nation evaluation
    nation_spend_eur: dict[int, float] | None = None  # or each nation's planned spend directly


@dataclass
class Solved:
    """Raw numbers from one solve, in the problem's index space (no ids, no geometry)."""

    status: str
    sensors: np.ndarray  # (M, S)
    effectors: np.ndarray  # (M, E)
    conventional: np.ndarray  # (C,)
    detected: np.ndarray  # (N, T) expected detections per raid
    engagements: np.ndarray  # (N, T, E) expected engagements per raid
    objective: float
    gap: float | None
    build_s: float
    solve_s: float
    sizes: dict[str, int] = field(default_factory=dict)
    info: SolveInfo = field(default_factory=SolveInfo)  # how it was solved (strategy, sectors, prices)
    #: (Q,) engagements per raid of each point-defence pair (kill_chain.point_defence; part of ``engagements``); None
    #: where a plan was assembled without them (the checker then checks their rows on the totals only).
    point: np.ndarray | None = None
    #: (N, T, E) escort sorties per raid to crewed incursions (planner.escort); None where a plan was assembled
    #: without them (none sent).
    escorts: np.ndarray | None = None


@dataclass
class SectorPlan:
    price: float
    sensors: np.ndarray
    effectors: np.ndarray
    detected: np.ndarray
    engagements: np.ndarray
    value: float  # value-weighted drones defeated over the horizon
    cost: float  # euros over the horizon, in-service operation and munitions included
    admissible: bool = True  # False: kept for its place only (a nation's empty plan below its min_detection)
    point: np.ndarray | None = None  # (Q,) point-defence engagements, as Solved.point
    escorts: np.ndarray | None = None  # (N, T, E) escort sorties, as Solved.escorts
