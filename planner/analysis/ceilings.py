"""Physical ceilings: the highest share of each threat class any plan could defeat, whatever the money, and the limit
that sets it (issue #14: "the physical reason a target stays out of reach, named by class and limit").

For each class the ceiling takes every candidate site built with every system the scenario allows, magazines and
money unlimited: a drone crossing a cell is detected at most at the model's detection cap, may be engaged only
where some effector reaches it from a candidate site under the rules of engagement (and, under
``roe.engage_only_threatening``, only if its route threatens an asset), and is killed at most with the best kill
probability of an engagement (with ``kill_chain.layered``, 1 − Π over the layers of (1 − the layer's best)). The
LP's promise never exceeds it (a test checks it on the tiny scenario). The limit is named in words: no effector can
engage the class (and why, effector by effector: no kill probability, altitude, the envelope against its speed),
the share of its crossings no candidate sensor or effector reaches, or the best kill per engagement."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from planner.lp.kill_chain import BREAKPOINTS, point_routes
from planner.physics import max_engagement_distance_m
from planner.problem import PlanningProblem
from planner.routes import route_reach_m

#: The model's detection promise never exceeds 1 − e^(−last breakpoint).
DETECTION_CAP = 1 - math.exp(-BREAKPOINTS[-1])


def _with_point_defence(p: PlanningProblem, t: int, kill: np.ndarray) -> np.ndarray:
    """Per cell, the best kill of the border's layers and then of the point-defence sites on its routes (each route's
    share of the drones, its sites in order, each site's types in layers): 1 − (1 − border) · (1 − Σ_routes share ·
    (1 − Π_sites (1 − site's kill)))."""
    sel = np.flatnonzero(p.pt_threat == t)
    if not len(sel):
        return kill
    route, _ = point_routes(p)
    routes: dict[tuple[int, int], tuple[float, dict[int, dict[int, float]]]] = {}
    for q in sel.tolist():
        i, j, e = int(p.pt_cell[q]), int(p.pt_site[q]), int(p.pt_effector[q])
        share, sites = routes.setdefault((i, int(route[q])), (float(p.pt_share[q]), {}))
        layers = sites.setdefault(j, {})
        layer = p.layer(e, t)
        layers[layer] = max(layers.get(layer, 0.0), float(p.p_kill[e, t]))
    point = np.zeros(len(kill))
    for (i, _), (share, sites) in routes.items():
        point[i] += share * (1 - math.prod(1 - q for layers in sites.values() for q in layers.values()))
    return 1 - (1 - kill) * (1 - np.minimum(point, 1.0))


def class_ceilings(scenario: Any, p: PlanningProblem) -> pd.DataFrame:
    """One row per class with drones: its ceiling (share of its drones), the share of its crossings some candidate
    site can engage, the best kill per engagement there, and the binding limit in words."""
    rows = []
    for t, tid in enumerate(p.threat_ids):
        lam = p.demand[:, t]
        if lam.sum() <= 0:
            continue
        kill = np.zeros(len(lam))
        best_by_cell: dict[int, dict[int, float]] = {}
        for i, e in zip(p.eng_cell[p.eng_threat == t].tolist(), p.eng_effector[p.eng_threat == t].tolist(),
                        strict=True):
            layer = p.layer(e, t)
            best_by_cell.setdefault(i, {})
            best_by_cell[i][layer] = max(best_by_cell[i].get(layer, 0.0), float(p.p_kill[e, t]))
        for i, layers in best_by_cell.items():
            kill[i] = 1 - math.prod(1 - q for q in layers.values())
        kill = _with_point_defence(p, t, kill)
        detectable = np.zeros(len(lam), dtype=bool)
        detectable[p.det_cell[p.det_threat == t]] = True
        share = p.engage_share[:, t] if p.engage_share is not None else np.ones(len(lam))
        ceiling = float((lam * DETECTION_CAP * detectable * share * kill).sum() / lam.sum())
        reached = float(lam[kill > 0].sum() / lam.sum())
        seen = float(lam[detectable].sum() / lam.sum())
        best = float(kill.max(initial=0.0))
        mean = float((lam * kill).sum() / lam.sum())
        at_best = float(lam[kill >= best - 1e-9].sum() / lam.sum()) if best > 0 else 0.0
        rows.append({"threat": tid, "ceiling": ceiling, "detectable_share": seen, "engageable_share": reached,
                     "best_kill": best, "mean_kill": mean,
                     "limit": _limit(scenario, p, t, tid, (seen, reached, best, mean, at_best), share, lam)})
    return pd.DataFrame(rows, columns=["threat", "ceiling", "detectable_share", "engageable_share", "best_kill",
                                       "mean_kill", "limit"])


def value_ceiling(p: PlanningProblem, ceilings: pd.DataFrame) -> float:
    """The value-weighted ceiling: each class's ceiling weighted by its share of the drones' value."""
    value = (p.value * p.demand).sum(0)
    by_class = dict(zip(ceilings["threat"], ceilings["ceiling"], strict=True))
    total = value.sum()
    return float(sum(value[t] * by_class.get(tid, 0.0) for t, tid in enumerate(p.threat_ids)) / total) if total else 0.0


def _limit(scenario: Any, p: PlanningProblem, t: int, tid: str, shares: tuple[float, ...], share: np.ndarray,
           lam: np.ndarray) -> str:
    seen, reached, best, mean, at_best = shares
    if seen <= 0:
        return "no sensor can detect it from any candidate site"
    if reached <= 0:
        th = scenario.catalog.threats[tid]
        depth = min(scenario.config.theater.site_depths_m)
        flight = float(route_reach_m(scenario.config, [th])[0]) / th.speed_mps.value
        why = [f"{e}: {_why_not(scenario.catalog.effectors[e], th, tid, depth, flight)}" for e in p.effector_ids]
        return "no effector can engage it (" + "; ".join(why) + ")"
    if p.engage_share is not None and float((lam * share).sum() / lam.sum()) < 0.5:
        return (f"the rules let only {100 * float((lam * share).sum() / lam.sum()):.0f}% of its drones be engaged "
                "(roe.engage_only_threatening)")
    if seen < 0.99:
        return f"{100 * (1 - seen):.0f}% of its crossings lie beyond every sensor's reach from the candidate sites"
    if reached < 0.99:
        return f"{100 * (1 - reached):.0f}% of its crossings lie beyond every effector's reach from the candidate sites"
    what = "the kill of its layers together" if p.layer_rank.size else "the kill per engagement"
    if mean >= 0.995:
        return (f"detection: {what} is at least 99.5% on average over its crossings, so the ceiling is the detection the model "
                f"promises at most, {100 * DETECTION_CAP:.1f}% (docs/formulation.md, constraint 2)")
    return (f"{what}: at most {100 * mean:.0f}% on average over its crossings (the best, "
            f"{100 * best:.0f}%, reaches {100 * at_best:.0f}% of them)")


def _why_not(eff: Any, th: Any, tid: str, depth_m: float, flight_s: float = float("inf")) -> str:
    """Why an effector cannot engage a class anywhere, from the catalogs and the nearest row of candidate sites;
    ``flight_s``: the drone's flight inland after crossing (its route reach or range over its speed)."""
    if tid not in eff.p_kill_per_shot:
        return "no kill probability"
    if th.altitude_m.value > eff.max_altitude_m.value:
        return f"flies at {th.altitude_m.value:,.0f} m, above its {eff.max_altitude_m.value:,.0f} m"
    if eff.reaction_time_s.value > flight_s:
        return (f"its {eff.reaction_time_s.value:g} s reaction is longer than the {flight_s:,.0f} s the drone flies "
                "inland after crossing (route reach or range over speed)")
    reach = max_engagement_distance_m(eff.range_m.value, eff.reaction_time_s.value, th.speed_mps.value)
    if reach <= 0:
        return (f"at {th.speed_mps.value:g} m/s it crosses the {eff.range_m.value:,.0f} m envelope before the "
                f"{eff.reaction_time_s.value:g} s reaction")
    if reach < depth_m:
        return (f"its envelope reaches {reach:,.0f} m, short of the border from the nearest candidate sites "
                f"({depth_m:,.0f} m inland)")
    return ("rules of engagement, an identification delay (roe.identification_delay_s) or no-fire zones bar it where "
            "it could reach")
