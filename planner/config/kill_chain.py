"""How the kill chain treats a drone that survives an engagement (issue #14, layered defence)."""

from __future__ import annotations

from pydantic import Field

from planner.config.base import _Section


class KillChainConfig(_Section):
    """Engagement layers: whether a drone that survives one effector's engagement meets the next."""

    layered: bool = Field(
        False, description="false: each detected drone is engaged at most once (one layer). true: the effector types "
        "that reach a class form layers along its track, the one reaching farthest first (types with equal reach "
        "share a layer); a drone that survives a layer's engagement may be engaged by each later layer once "
        "(docs/formulation.md, constraint 3).")
