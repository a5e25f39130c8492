"""Scenario sections turned into the planning problem's arrays where the conversion is more than a lookup:
surveillance requirements per (nation, class), and conventional capability areas with their requirement pieces."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["capability_area_arrays", "min_detection_array"]


def min_detection_array(cfg: Any, nations: tuple[str, ...], threat_ids: tuple[str, ...]) -> np.ndarray:
    """systems.min_detection as a (nations, threats) array of shares (the largest where entries overlap)."""
    out = np.zeros((len(nations), len(threat_ids)))
    for req in cfg.systems.min_detection:
        ns = range(len(nations)) if req.nation == "all" else [nations.index(req.nation)]
        ts = range(len(threat_ids)) if req.threat == "all" else [threat_ids.index(req.threat)]
        for n in ns:
            for t in ts:
                out[n, t] = max(out[n, t], req.share)
    return out


def capability_area_arrays(cfg: Any, convs: list[Any]) -> dict[str, Any]:
    """Capability-area fields of the problem: every area an option names, the scenario's listed areas with their
    requirement pieces, the others linear."""
    areas = tuple(dict.fromkeys(a for c in convs for a in c.capability_areas))
    points = np.array([[c.capability_score.value * c.capability_areas.get(a, 0.0) for a in areas] for c in convs])
    below, beyond, share = np.full(len(areas), np.inf), np.zeros(len(areas)), np.ones(len(areas))
    for k, a in enumerate(areas):
        req = cfg.objective.capability_areas.get(a)
        if req is not None:
            below[k], beyond[k] = req.segments()
            share[k] = req.beyond_requirement_share
    return {"area_ids": areas, "conv_area_points": points.reshape(len(convs), len(areas)), "area_below": below,
            "area_beyond": beyond, "area_beyond_share": share}

