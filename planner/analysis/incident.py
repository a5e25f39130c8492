"""Incident replay: a real raid against the posture as it was and against a drone-wall plan (docs/analyses.md).

The scenario's ``incident`` block says what happened (drones, drones shot down, munitions spent, each
with its sources and range); its ``threats.density`` models one raid of that size; its
``systems.in_service`` units are the posture as it was. Three rows come out, per raid:

* **observed**: the sources' figures (defeat rate with its range from the low/high counts);
* **posture as it was (model)**: the units in service alone, builds fixed, detection exact, every shot
  they have allowed (magazines limit them, money does not), under the rules of that night
  (``incident.engage_only_threatening``: only drones whose route led to a protected asset): what the model says
  that posture achieves; ``incident.roe`` is what it was allowed or chose to engage (``escort_only``: it held fire);
* **posture under the scenario's rules (model)**, where that night's rules differ: what the same units would have
  done had they engaged as the scenario allows;
* **drone wall (model)**: the scenario's optimal plan within its budget (units in service included),
  evaluated exactly on one raid.

The gap between the first two rows is a check on the model; the gap between the last two is what the
wall would have bought. Costs: munitions per raid and per drone defeated, the munitions cost-exchange
(€ per defeat over the defeated drones' unit cost), and all-in € per defeat over the horizon.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.config.io import Scenario, display_path
from planner.errors import ConfigError, InfeasibleError
from planner.escort import crewed_classes
from planner.geo.theater import Theater, build_theater
from planner.lp import sectors
from planner.lp.result import FixedPlan, Solved
from planner.lp.solve import solve
from planner.plan import Plan, solve_problem, tabulate
from planner.problem import PlanningProblem, build_problem

#: Money no posture runs out of in one raid (its magazines bind first).
UNLIMITED_EUR = 1e15


@dataclass
class IncidentResult:
    table: pd.DataFrame  # rows: observed, posture as it was (model), [under the scenario's rules], drone wall (model)
    plans: dict[str, Plan]  # "wall"
    summary: dict[str, Any] = field(default_factory=dict)


#: Defeat rates (every threat class) of the cheapest walls the replay also prices.
DEFAULT_TARGETS = (0.5, 0.7, 0.85)


def replay(scenario: Scenario, *, targets: tuple[float, ...] = DEFAULT_TARGETS,
           theater: Theater | None = None) -> IncidentResult:
    """Replay the scenario's incident: observed figures, the posture as it was, the scenario's drone-wall
    plan, and the cheapest wall reaching each of ``targets`` (per-class defeat rate, every class)."""
    inc = scenario.config.incident
    where = display_path(scenario.path)
    if inc is None:
        raise ConfigError([(f"{where}: incident", "this scenario has no incident block to replay: add one "
                                                  "(see configs/incidents/poland-2025-09.yaml)")])
    if not scenario.config.systems.in_service:
        raise ConfigError([(f"{where}: systems.in_service", "the posture as it was is the units in service: "
                                                            "list the sensors and effectors of that day there")])
    for tau in targets:
        if not 0 < tau < 1:
            raise ConfigError([("--targets", f"{tau:g} is not a defeat rate: give numbers between 0 and 1")])
    t0 = time.perf_counter()
    theater = theater or build_theater(scenario)
    p = build_problem(scenario, theater)
    sensors = p.in_service_sensors.astype(float)
    effectors = p.in_service_effectors.astype(float)
    p_night = p  # the posture under the rules of that night
    rules: dict[str, Any] = {"engage_only_threatening": True} if inc.engage_only_threatening else {}
    if inc.roe is not None:
        rules.update(default=inc.roe, per_nation={})
    if rules:
        cfg = scenario.config
        night = cfg.model_copy(update={"roe": cfg.roe.model_copy(update=rules)})
        p_night = build_problem(dataclasses.replace(scenario, config=night), theater)
    crewed = crewed_classes(scenario.catalog, p.threat_ids)
    posture = _evaluate_fixed(p_night, sensors, effectors)
    solved, exact = solve_problem(p)
    wall = tabulate(scenario, theater, p, solved, exact, {})

    observed_rate = inc.drones_defeated.value / inc.drones.value
    d_lo, d_hi = inc.drones.range
    k_lo, k_hi = inc.drones_defeated.range
    raid_cost = _raid_unit_cost(p)
    spent = inc.munitions_spent_eur
    obs = {"case": "observed", "drones_per_raid": inc.drones.value,
           "defeated_per_raid": inc.drones_defeated.value, "defeat_rate": observed_rate,
           "detect_rate": inc.drones_detected.value / inc.drones.value if inc.drones_detected else math.nan,
           "defeat_rate_low": k_lo / d_hi, "defeat_rate_high": min(k_hi / d_lo, 1.0),
           "munitions_eur_per_raid": spent.value if spent else math.nan,
           "munitions_eur_per_defeat": spent.value / inc.drones_defeated.value
           if spent and inc.drones_defeated.value > 0 else math.nan,
           "drone_unit_cost_eur": raid_cost}
    if crewed.any():  # crewed incursions: the escorts observed
        obs["escorted_per_raid"] = inc.escorted.value if inc.escorted else math.nan
        obs["escort_rate"] = obs["escorted_per_raid"] / inc.drones.value
    obs["munitions_exchange_ratio"] = obs["munitions_eur_per_defeat"] / raid_cost
    posture_row = _model_row("posture as it was (model)", p_night, posture, sensors, effectors, crewed)
    wall_row = _model_row("drone wall (model)", p, wall.exact, wall.solved.sensors, wall.solved.effectors, crewed,
                          gap=wall.solved.gap)
    rows = [obs, posture_row]
    if rules:  # what the same units would have done under the scenario's rules
        rows.append(_model_row("posture under the scenario's rules (model)", p, _evaluate_fixed(p, sensors, effectors),
                               sensors, effectors, crewed))
    rows.append(wall_row)
    plans = {"wall": wall}
    unreachable = {}
    # Crewed classes are escorted or monitored, not defeated: the cheapest walls aim at the drones only.
    drones = [t for t in range(len(p.threat_ids)) if not crewed[t] and p.demand[:, t].sum() > 0]
    for tau in targets if drones else ():
        q = dataclasses.replace(p, objective="min_cost", conventional_weight=0.0,
                                defeat_targets=dict.fromkeys(drones, float(tau)))
        name = f"cheapest wall for {100 * tau:g}% (model)"
        try:
            solved, exact = solve_problem(q)
        except InfeasibleError as exc:
            unreachable[name] = str(exc)
            continue
        plans[f"wall-{100 * tau:g}"] = tabulate(scenario, theater, q, solved, exact, {})
        rows.append(_model_row(name, q, exact, solved.sensors, solved.effectors, crewed, gap=solved.gap))
    table = pd.DataFrame(rows)
    summary = {
        "scenario": scenario.name, "config_hash": scenario.config_hash(), "incident": inc.name, "date": inc.date,
        "sources": sorted({s for f in (inc.drones, inc.drones_defeated, inc.drones_detected, inc.escorted,
                                       inc.munitions_spent_eur) if f
                           for s in f.source}),
        "modelled_drones_per_raid": float(p.demand.sum()),
        "in_service": [{"system": u.system, "note": u.note} for u in scenario.config.systems.in_service],
        "wall_budget_eur": p.budget_eur, "wall_horizon_years": p.horizon_years, "raids_over_horizon": p.raids,
        "wall_new_units": int(((wall.solved.sensors > 0.5) & ~p.in_service_sensors).sum()
                              + ((wall.solved.effectors > 0.5) & ~p.in_service_effectors).sum()),
        "wall_drone_defence_eur": float(wall_row["drone_defence_eur_over_horizon"]),  # the wall row's (exact)
        "wall_gap": wall.solved.gap,
        "model_minus_observed_pp": 100 * (posture_row["defeat_rate"] - observed_rate),
        "model_within_observed_range": bool(obs["defeat_rate_low"] <= posture_row["defeat_rate"]
                                            <= obs["defeat_rate_high"]),
        "wall_minus_posture_pp": 100 * (wall_row["defeat_rate"] - posture_row["defeat_rate"]),
        "targets": list(targets) if drones else [], "unreachable": unreachable,
        **({"escort_observed": obs["escort_rate"], "escort_posture_model": posture_row["escort_rate"],
            "alert_posture_eur_per_year": posture_row["alert_posture_eur_per_year"]} if crewed.any() else {}),
        "seconds": time.perf_counter() - t0,
    }
    return IncidentResult(table=table, plans=plans, summary=summary)


def _evaluate_fixed(p: PlanningProblem, sensors: np.ndarray, effectors: np.ndarray) -> Solved:
    """Engagements and escorts per raid of fixed builds with money no object (exact detection)."""
    fixed = FixedPlan(sensors=sensors, effectors=effectors, conventional=np.zeros(len(p.conv_ids)),
                          cost_eur=UNLIMITED_EUR, nation_spend_eur=dict.fromkeys(range(len(p.nations)), UNLIMITED_EUR))
    q = dataclasses.replace(p, nation_cap_eur={}, defeat_targets={}, objective="max_defeat", conventional_weight=0.0)
    return sectors.evaluate(q, fixed) if sectors.applies(q) else solve(q, fixed=fixed)


def _raid_unit_cost(p: PlanningProblem) -> float:
    """Mean unit cost of the raid's drones (the modelled mix)."""
    per_class = p.demand.sum(0)
    return float((per_class * p.threat_unit_cost_eur).sum() / max(per_class.sum(), 1e-12))


def _model_row(case: str, p: PlanningProblem, x: Solved, sensors: np.ndarray, effectors: np.ndarray,
               crewed: np.ndarray, *, gap: float | None = None) -> dict[str, Any]:
    engagements = x.engagements
    detected = p.demand * p.detection_probability(sensors)  # exact, whether or not the rules let it engage
    kills = np.einsum("nte,et->nt", engagements, p.p_kill)
    defeated = float(kills.sum())
    drones = float(p.demand.sum())
    munitions = float(np.einsum("nte,et,e->", engagements, p.shots(), p.effector_cost_per_shot_eur))
    killed_by_class = kills.sum(0)
    unit_cost = (float((killed_by_class * p.threat_unit_cost_eur).sum() / defeated) if defeated > 1e-12
                 else _raid_unit_cost(p))
    costs = p.costs(sensors, effectors, engagements, np.zeros(len(p.conv_ids)))
    # All-in: the horizon's acquisition and operation plus this raid's munitions at every raid.
    build = costs["drone_defence"] - costs["munitions"]
    all_in = build + munitions * p.raids
    row: dict[str, Any] = {
        "case": case, "drones_per_raid": drones, "defeated_per_raid": defeated,
        "defeat_rate": defeated / drones if drones > 0 else math.nan,
        "detect_rate": float(detected.sum()) / drones if drones > 0 else math.nan,
        "defeat_rate_low": math.nan, "defeat_rate_high": math.nan,
        "munitions_eur_per_raid": munitions,
        "munitions_eur_per_defeat": munitions / defeated if defeated > 1e-12 else math.nan,
        "drone_unit_cost_eur": unit_cost,
        "all_in_eur_per_defeat": all_in / (defeated * p.raids) if defeated > 1e-12 else math.nan,
        "drone_defence_eur_over_horizon": all_in,
        "sensors": int((sensors > 0.5).sum()), "effectors": int((effectors > 0.5).sum()),
        "shots_per_raid": float(np.einsum("nte,et->", engagements, p.shots())),
        "gap": math.nan if gap is None else gap,  # the solver's proven gap on the plan (none: fixed posture)
    }
    row["munitions_exchange_ratio"] = row["munitions_eur_per_defeat"] / unit_cost
    for t, tid in enumerate(p.threat_ids):
        row[f"defeat_{tid}"] = float(kills[:, t].sum() / max(p.demand[:, t].sum(), 1e-12))
    if crewed.any():  # crewed incursions: met by an escort in time (each sortie with its type's p_meet)
        met = 0.0 if x.escorts is None else float(np.einsum("nte,e->", x.escorts, p.effector_p_meet))
        alert = (p.effector_escorts > 0)[None, :] & (effectors > 0.5)
        row.update(escorted_per_raid=met, escort_rate=met / max(float(p.demand[:, crewed].sum()), 1e-12),
                   sorties_eur_per_raid=0.0 if x.escorts is None else float(
                       np.einsum("nte,e->", x.escorts, p.effector_sortie_eur)),
                   alert_posture_eur_per_year=float((alert * p.effector_operating_eur_per_year).sum()))
    return row
