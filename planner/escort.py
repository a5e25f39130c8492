"""Escort of crewed incursions: which border cells' crewed aircraft each alert unit can meet in time, and what the
rules ask of each nation (docs/formulation.md, "Escort of crewed incursions").

A crewed class (``manned: true``) crossing a cell of a nation that may not shoot it (roe other than shoot_all) and
whose response is ``escort`` is *due an escort*: an alert unit of a type with an ``escort`` block, built at a site at
a distance d from the cell's midpoint, meets it in time when its reaction time plus d over its transit speed fits
the class's escort window (from the first track to the intruder leaving the airspace), and d is within its radius of
action. A unit meets at most ``escorts_per_raid`` incursions a raid, shared evenly among the cells it can reach (as
magazines are). No-fire zones do not apply: an escort fires nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.config.catalog import Effector, Threat
from planner.problem_arrays import magazine_shares, stack

__all__ = ["EscortPairs", "crewed_classes", "effector_escort_fields", "escort_due", "escort_pairs", "escort_reach_m", "escort_summary", "crewed_worth",
           "min_escort_array", "responses"]


def crewed_classes(catalog: Any, threat_ids: Sequence[str]) -> np.ndarray:
    """(T,) True for each crewed class of ``threat_ids``: its incursions are escorted or shot and reported apart,
    never counted as drones (plan.json's drone counts and rates, and every analysis's)."""
    return np.array([catalog.threats[t].manned for t in threat_ids], dtype=bool)


@dataclass(frozen=True)
class EscortPairs:
    """Escort pairs (cell, crewed class, site, alert type) and the share (M, E) of a unit's escorts a raid kept for
    each cell it can reach."""

    cell: np.ndarray
    threat: np.ndarray
    site: np.ndarray
    effector: np.ndarray
    share: np.ndarray

    def fields(self) -> dict[str, Any]:
        """The pairs as the planning problem's ``esc_*`` fields."""
        return {"esc_cell": self.cell, "esc_threat": self.threat, "esc_site": self.site, "esc_effector": self.effector,
                "esc_share": self.share}


def escort_reach_m(effectors: Sequence[Effector], threats: Sequence[Threat]) -> np.ndarray:
    """(E, T) the farthest site from a cell at which an alert unit meets a crewed class in time: its radius of action,
    or the distance it flies at its transit speed in the escort window less its reaction time if that is less; 0 where
    it cannot escort or the class is not crewed."""
    out = np.zeros((len(effectors), len(threats)))
    for k, eff in enumerate(effectors):
        if eff.escort is None:
            continue
        for t, th in enumerate(threats):
            if th.manned and th.escort_window_s is not None:
                flying = th.escort_window_s.value - eff.reaction_time_s.value
                if flying > 0:
                    out[k, t] = min(eff.range_m.value, eff.escort.transit_speed_mps.value * flying)
    return out


def escort_due(cfg: Any, cell_defender: Sequence[str], threats: Sequence[Threat], demand: np.ndarray) -> np.ndarray | None:
    """(N, T) the crewed incursions due an escort: a crewed class with drones over a cell whose nation may not shoot
    it (roe other than shoot_all) and escorts (escort.response); None when there are none."""
    manned = np.array([t.manned for t in threats], dtype=bool)
    if not manned.any():
        return None
    escorts = np.array([cfg.escort.applied(cfg.roe, n) == "escort" for n in cell_defender], dtype=bool)
    due = escorts[:, None] & manned[None, :] & (demand > 0)
    return due if due.any() else None


def escort_pairs(reach: np.ndarray, due: np.ndarray | None, pi: np.ndarray, pj: np.ndarray, pd: np.ndarray,
                 n_sites: int, n_cells: int) -> EscortPairs:
    """Escort pairs from the (cell, site) pairs ``pi``, ``pj`` at distances ``pd``: each alert type and crewed class
    whose escort reach (E, T) covers the distance, over the cells due an escort."""
    parts: list[tuple[np.ndarray, ...]] = []
    if due is not None:
        for e in range(reach.shape[0]):
            for t in range(reach.shape[1]):
                if reach[e, t] <= 0:
                    continue
                m = (pd <= reach[e, t]) & due[pi, t]
                n = int(m.sum())
                parts.append((pi[m], np.full(n, t), pj[m], np.full(n, e)))
    cell, threat, site, effector = stack(parts, 4, np.int64)
    return EscortPairs(cell, threat, site, effector, magazine_shares(n_sites, reach.shape[0], n_cells, site, effector,
                                                                     cell))


def crewed_worth(value: np.ndarray, harm: np.ndarray | None, manned: np.ndarray,
                 shoot_all: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The value (and harm) of defeating each class over each cell (N, T), with none for a crewed class over a nation
    that may not shoot it (``shoot_all`` (N,) False): escorted or monitored there, never defeated, so it weighs in no
    value-weighted rate or total (frontier, premium, decision, stress)."""
    keep = ~(manned[None, :] & ~shoot_all[:, None])
    return value * keep, None if harm is None else harm * keep


def effector_escort_fields(effectors: Sequence[Effector]) -> dict[str, Any]:
    """The effector types' escort figures as the problem's fields: escorts a raid per unit (0: cannot escort), the
    probability a sortie sent in time meets the intruder, and a sortie's flying cost."""
    def figure(name: str) -> np.ndarray:
        return np.array([getattr(e.escort, name).value if e.escort is not None else 0.0 for e in effectors])
    return {"effector_escorts": figure("escorts_per_raid"), "effector_p_meet": figure("p_meet"),
            "effector_sortie_eur": figure("sortie_cost_eur")}


def min_escort_array(cfg: Any, nations: tuple[str, ...], threats: Sequence[Threat],
                     threat_ids: tuple[str, ...]) -> np.ndarray:
    """escort.min_share as a (nations, threats) array of shares (the largest where entries overlap); 'all' nations
    are those that escort, 'all' classes the crewed ones."""
    out = np.zeros((len(nations), len(threat_ids)))
    for req in cfg.escort.min_share:
        ns = [nations.index(req.nation)] if req.nation != "all" else [
            k for k, n in enumerate(nations) if cfg.escort.applied(cfg.roe, n) == "escort"]
        ts = [threat_ids.index(req.threat)] if req.threat != "all" else [
            k for k, t in enumerate(threats) if t.manned]
        for n in ns:
            for t in ts:
                out[n, t] = max(out[n, t], req.share)
    return out


def responses(cfg: Any, nations: Sequence[str]) -> dict[str, str]:
    """Each nation's response to crewed incursions: shoot (roe shoot_all), escort or monitor."""
    return {n: cfg.escort.applied(cfg.roe, n) for n in nations}


def escort_summary(p: Any, crewed: np.ndarray, detected: np.ndarray, escorts: np.ndarray | None,
                   effectors: np.ndarray, response: dict[str, str]) -> list[dict[str, Any]] | None:
    """Per nation and crewed class (``crewed`` (T,) bool) with incursions: the response, incursions per raid and
    over the horizon, the share detected (``detected``: exact, per raid, (N, T)), the share met by an escort in time
    (``escorts`` (N, T, E) sorties per raid, each met with its type's p_meet), the requirement, the sorties flown
    over the horizon and their flying cost (outside the drone-defence budget: the air force's flying hours), and the
    alert posture's cost (acquisition and operation over the horizon of the alert units the nation hosts, whatever
    else they do; once per nation, on its first class's row, 0 on the others). None without crewed incursions."""
    if not crewed.any() or not p.demand[:, crewed].sum() > 0:
        return None
    esc = np.zeros((*p.demand.shape, len(p.effector_ids))) if escorts is None else escorts
    met = np.einsum("nte,e->nt", esc, p.effector_p_meet)
    sorties_eur = np.einsum("nte,e->nt", esc, p.effector_sortie_eur) * p.raids
    alert = (p.effector_escorts > 0)[None, :] & (np.maximum(effectors, p.in_service_effectors) > 0.5)
    new = alert & ~p.in_service_effectors
    posture = (new * p.effector_unit_cost_eur).sum(1) + (alert * p.effector_operating_eur_per_year).sum(1) * \
        p.horizon_years
    out = []
    for n, nation in enumerate(p.nations):
        rows = p.cell_nation == n
        first = True  # the alert posture is the nation's, once: on its first crewed class's row
        for t in np.flatnonzero(crewed):
            lam = float(p.demand[rows, t].sum())
            if lam <= 0:
                continue
            need = float(p.min_escort[n, t]) if p.min_escort.size else 0.0
            out.append({"nation": nation, "threat": p.threat_ids[t], "response": response[nation],
                        "incursions_per_raid": lam, "incursions_over_horizon": lam * p.raids,
                        "detected_share_exact": float(detected[rows, t].sum()) / lam,
                        "met_share_exact": float(met[rows, t].sum()) / lam,
                        "met_over_horizon_exact": float(met[rows, t].sum()) * p.raids,
                        "required_met_share": need or None,
                        "sorties_over_horizon": float(esc[rows, t].sum()) * p.raids,
                        "sorties_eur_over_horizon": float(sorties_eur[rows, t].sum()),
                        "alert_units": int(alert[p.site_nation == n].sum()) if first else 0,
                        "alert_posture_eur_over_horizon": float(posture[p.site_nation == n].sum()) if first else 0.0})
            first = False
    return out
