"""``dronewall pathway``: the scenario's procurement pathway planned (:mod:`planner.analysis.pathway`) and tabulated: each year's plan as it stands at the year's end (its money, what is in service, what it
defeats, detects and escorts, the milestones it meets) and the units in service per nation and system."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.analysis.pathway import Schedule, YearPlan, plan_pathway, schedule
from planner.config.io import Scenario
from planner.errors import ConfigError
from planner.escort import crewed_classes
from planner.geo.theater import build_theater
from planner.lp.solve import workers
from planner.problem import PlanningProblem, build_problem

__all__ = ["PathwayResult", "pathway", "tabulate"]


@dataclass
class PathwayResult:
    table: pd.DataFrame  # one row per year
    units: pd.DataFrame  # one row per (year, nation, category, system): units in service at the year's end
    nations: pd.DataFrame  # one row per (year, nation): units hosted, spend, shares over its border
    meta: dict[str, Any] = field(default_factory=dict)


def pathway(scenario: Scenario, *, progress: Callable[[str], None] | None = None) -> PathwayResult:
    """Plan the scenario's pathway (:mod:`planner.analysis.pathway`) and tabulate it."""
    cfg = scenario.config.pathway
    if cfg is None:
        raise ConfigError([("pathway", "the scenario has no pathway section: add start_year and budget_eur_per_year "
                                       "(and lead times, production, milestones; docs/configuration.md)")])
    if scenario.config.objective.kind == "min_cost":
        raise ConfigError([("objective.kind", "a pathway plans the most each year's money buys: use max_defeat or "
                                              "max_defeat_with_floor, not min_cost")])
    t0 = time.perf_counter()
    p = build_problem(scenario, build_theater(scenario))
    sched = schedule(cfg, p)
    held = p.costs(p.in_service_sensors.astype(float), p.in_service_effectors.astype(float),
                   np.zeros((*p.demand.shape, len(p.effector_ids))), p.conv_min_units.astype(float))["total"]
    if held > sched.committed_eur[0] * (1 + 1e-9):
        raise ConfigError([("pathway.budget_eur_per_year", f"the first year's €{sched.committed_eur[0]:,.0f} does not "
                            f"pay for running the units in service and buying the conventional holdings "
                            f"(€{held:,.0f} as budget.total_eur counts it): raise budget_eur_per_year[0] to at least "
                            "that")])
    with workers(p) as runner:
        plans = plan_pathway(p, sched, time_limit_s=cfg.time_limit_s, say=progress, runner=runner)
    return tabulate(scenario, p, sched, plans, seconds=time.perf_counter() - t0)


def _shares(p: PlanningProblem, x: Any, crewed: np.ndarray) -> dict[str, float]:
    """Exact shares of a year's plan: value-weighted and armed drones defeated, drones detected, incursions met."""
    kills = np.einsum("nte,et->nt", x.engagements, p.p_kill)
    drone = ~crewed
    value = float((p.demand[:, drone] * p.value[:, drone]).sum())
    armed = drone & ~p.threat_decoy
    detected = p.detection_probability(x.sensors) * p.demand
    def share(num: float, den: float) -> float:
        return num / den if den > 0 else math.nan

    out = {"defeat_share_value": share(float((kills[:, drone] * p.value[:, drone]).sum()), value),
           "defeat_share_armed": share(float(kills[:, armed].sum()), float(p.demand[:, armed].sum())),
           "detect_share": share(float(detected[:, drone].sum()), float(p.demand[:, drone].sum())),
           "escort_share": math.nan}
    if crewed.any() and p.demand[:, crewed].sum() > 0:
        esc = x.escorts if x.escorts is not None else np.zeros((*p.demand.shape, len(p.effector_ids)))
        met = np.einsum("nte,e->nt", esc, p.effector_p_meet)
        out["escort_share"] = float(met[:, crewed].sum() / p.demand[:, crewed].sum())
    return out


def _milestones(scenario: Scenario, year: int, shares: dict[str, float]) -> list[dict[str, Any]]:
    cfg = scenario.config.pathway
    out = []
    for m in (cfg.milestones if cfg else []):
        if m.year != year:
            continue
        checks = {k: (getattr(m, k), shares[key]) for k, key in (("defeat_share", "defeat_share_value"),
                                                                 ("detect_share", "detect_share"),
                                                                 ("escort_share", "escort_share"))
                  if getattr(m, k) is not None}
        met = all(not math.isnan(have) and have >= need - 1e-9 for need, have in checks.values())
        out.append({"year": year, "name": m.name, "source": m.source, "met": met,
                    "targets": {k: {"target": need, "reached": None if math.isnan(have) else have}
                                for k, (need, have) in checks.items()}})
    return out


def tabulate(scenario: Scenario, p: PlanningProblem, sched: Schedule, plans: list[YearPlan], *,
             seconds: float) -> PathwayResult:
    """One row per year, the units in service per (year, nation, system), and the pathway's summary."""
    cat = scenario.catalog
    crewed = crewed_classes(cat, p.threat_ids)
    rows, units, nations, reached = [], [], [], []
    before: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    for k, yp in enumerate(plans):
        x = yp.exact
        costs = p.costs(x.sensors, x.effectors, x.engagements, x.conventional)
        shares = _shares(p, x, crewed)
        now = (x.sensors > 0.5, x.effectors > 0.5, np.round(x.conventional))
        was = before or (p.in_service_sensors, p.in_service_effectors, p.conv_min_units.astype(float))
        bought = ((now[0] & ~p.in_service_sensors).sum(0), (now[1] & ~p.in_service_effectors).sum(0),
                  now[2] - p.conv_min_units)  # units of each type bought by then (beyond the scenario's holdings)
        limited = [ids[i] for r, ids in enumerate((p.sensor_ids, p.effector_ids, p.conv_ids))
                   for i in np.flatnonzero(np.isfinite(sched.most_units(r, k + 1)) & (sched.most_units(r, k + 1) > 0))
                   if bought[r][i] >= sched.most_units(r, k + 1)[i] - 0.5]
        waiting = [ids[i] for r, ids in enumerate((p.sensor_ids, p.effector_ids, p.conv_ids))
                   for i in np.flatnonzero(sched.lead[r] >= k + 1)]
        ms = _milestones(scenario, yp.year, shares)
        reached += ms
        rows.append({"year": yp.year, "committed_eur": float(sched.committed_eur[k]), "spent_eur": costs["total"],
                     "drone_defence_eur": costs["drone_defence"], "conventional_eur": costs["conventional"],
                     "sensors": int(now[0].sum()), "effectors": int(now[1].sum()),
                     "conventional_units": int(now[2].sum()),
                     "new_units": int((now[0] & ~was[0]).sum() + (now[1] & ~was[1]).sum()),
                     "new_conventional_units": int(np.maximum(now[2] - was[2], 0).sum()),
                     "conventional_points": float((now[2] * p.conv_score).sum()) if len(p.conv_score) else 0.0,
                     **{f"{key}_exact": v for key, v in shares.items()},
                     "at_production_limit": ", ".join(limited), "not_yet_delivered": ", ".join(waiting),
                     "milestones_met": sum(m["met"] for m in ms), "milestones": len(ms),
                     "requirements_unmet": yp.unmet,
                     "gap": yp.solved.gap, "seconds": round(yp.seconds, 2)})
        for r, (label, ids) in enumerate((("sensor", p.sensor_ids), ("effector", p.effector_ids))):
            for n, nation in enumerate(p.nations):
                have = now[r][p.site_nation == n].sum(0)
                had = was[r][p.site_nation == n].sum(0)
                units += [{"year": yp.year, "nation": nation, "category": label, "system": ids[i],
                           "units": int(have[i]), "new": int(have[i] - had[i])} for i in np.flatnonzero(have)]
        nations += _nation_rows(p, x, yp.year, crewed, now, was)
        units += [{"year": yp.year, "nation": "", "category": "conventional", "system": p.conv_ids[c],
                   "units": int(now[2][c]), "new": int(now[2][c] - was[2][c])} for c in np.flatnonzero(now[2])]
        before = now
    cfg = scenario.config.pathway
    assert cfg is not None
    names = {**{i: s.name for i, s in cat.sensors.items()}, **{i: e.name for i, e in cat.effectors.items()},
             **{i: c.name for i, c in cat.conventional.items()}}
    meta = {"scenario": scenario.name, "config_hash": scenario.config_hash(), "calendar_years": list(sched.years),
            "budget_eur_per_year": list(cfg.budget_eur_per_year), "horizon_years": p.horizon_years,
            "lead_time_years": dict(cfg.lead_time_years), "units_per_year": dict(cfg.units_per_year),
            "milestones": reached, "system_names": names, "seconds": round(seconds, 2),
            "method": "end state first (all money, systems delivered and units produced by then), then each earlier "
                      "year first to last: what earlier years bought kept in service, only what the end state buys"}
    return PathwayResult(table=pd.DataFrame(rows), units=pd.DataFrame(
        units, columns=["year", "nation", "category", "system", "units", "new"]), nations=pd.DataFrame(nations),
        meta=meta)


def _nation_rows(p: PlanningProblem, x: Any, year: int, crewed: np.ndarray, now: tuple[np.ndarray, ...],
                 was: tuple[np.ndarray, ...]) -> list[dict[str, Any]]:
    """Per nation at the end of ``year``: units it hosts (new that year), its drone-defence spend (builds where they
    stand, munitions where fired) and the exact shares over its border."""
    spend = p.spend_by_nation(x.sensors, x.effectors, x.engagements)
    kills = np.einsum("nte,et->nt", x.engagements, p.p_kill)
    detected = p.detection_probability(x.sensors) * p.demand
    out = []
    for n, nation in enumerate(p.nations):
        cells, sites, drone = p.cell_nation == n, p.site_nation == n, ~crewed
        value = float((p.demand[cells][:, drone] * p.value[cells][:, drone]).sum())
        lam = float(p.demand[cells][:, drone].sum())
        if not cells.any() and not sites.any():
            continue
        out.append({"year": year, "nation": nation,
                    "units": int(now[0][sites].sum() + now[1][sites].sum()),
                    "new_units": int((now[0][sites] & ~was[0][sites]).sum() + (now[1][sites] & ~was[1][sites]).sum()),
                    "drone_defence_eur": float(spend[n]),
                    "defeat_share_value_exact": float((kills[cells][:, drone] * p.value[cells][:, drone]).sum()) / value
                    if value > 0 else math.nan,
                    "detect_share_exact": float(detected[cells][:, drone].sum()) / lam if lam > 0 else math.nan})
    return out
