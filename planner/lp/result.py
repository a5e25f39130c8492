"""What the solve layer hands back: raw arrays in the problem's index space (no ids, no geometry, no pulp)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["FixedPlan", "SectorPlan", "Solved"]


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
    info: dict[str, Any] = field(default_factory=dict)  # how it was solved (strategy, sectors, prices)


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
