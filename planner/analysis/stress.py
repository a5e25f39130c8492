"""Stress tests: hold a plan fixed and degrade the world (docs/analyses.md).

Cases: jamming (detection and kill probabilities scaled), saturation (raid size × k), more decoys
(decoy classes × k), the adversary who has seen the plan (its best response: the axis, altitude profile and decoy
share of the scenario's ``adversary`` section that leave the most value-weighted leakers, planner.analysis.respond),
and the loss of the k sensor units that see the most. Each case is an exact evaluation of the same builds
(detection exact, engagements re-optimised under the same rules, the money each nation's part of the plan
spends), so a case with every multiplier at 1 reproduces the plan's own exact figures.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.adversary import SPREAD, build_attacker
from planner.analysis.respond import best_response, describe
from planner.config.io import Scenario
from planner.errors import ConfigError
from planner.escort import crewed_classes
from planner.geo.coverage import Coverage, build_coverage
from planner.geo.theater import Theater, build_theater
from planner.lp.result import FixedPlan
from planner.lp.runner import Runner
from planner.lp.solve import solve, workers
from planner.problem import PlanningProblem, build_problem
from planner.runfolder import read_plan_folder


@dataclass(frozen=True)
class Case:
    """One degraded world. Multipliers of 1 and no adversary or losses is the nominal case."""

    name: str
    detect: float = 1.0  # × single-look detection probability
    kill: float = 1.0  # × single-shot kill probability
    raid: float = 1.0  # × every class's drones per raid
    decoys: float = 1.0  # × decoy classes' drones per raid
    adversary: bool = False  # the adversary's best response to the plan (planner.analysis.respond)
    sensors_lost: int = 0  # the sensor units that see the most are lost


#: Without a class target in the scenario, a case is an expensive failure below this share of the nominal rate.
NOMINAL_SHARE = 0.8

DEFAULT_CASES = (
    Case("nominal"),
    Case("jamming: detection ×0.7, kill ×0.8", detect=0.7, kill=0.8),
    Case("heavy jamming: detection ×0.5, kill ×0.6", detect=0.5, kill=0.6),
    Case("saturation: raids ×2", raid=2.0),
    Case("saturation: raids ×4", raid=4.0),
    Case("decoys ×3", decoys=3.0),
    Case("adversary's best response: axis, altitude, decoys", adversary=True),
    Case("10 sensors lost", sensors_lost=10),
    Case("50 sensors lost", sensors_lost=50),
)


@dataclass
class LoadedPlan:
    """A plan read back from its output folder, with the problem it was solved on."""

    scenario: Scenario
    problem: PlanningProblem
    fixed: FixedPlan
    document: dict[str, Any]
    theater: Theater
    coverage: Coverage  # the theater's geometry as arrays, reused by the problems of catalog draws (uncertainty)


@dataclass
class StressResult:
    table: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def load_plan(plan_dir: Path) -> LoadedPlan:
    """Read plan.json, sites.csv and manifest.json of a ``dronewall run`` folder and rebuild its problem."""
    doc, sites, scenario = read_plan_folder(plan_dir)  # checks the JSON and CSV fields read below
    theater = build_theater(scenario)
    coverage = build_coverage(theater, scenario)
    p = build_problem(scenario, theater, coverage)
    index = {sid: j for j, sid in enumerate(p.site_ids)}
    unknown = sorted(set(sites["site_id"]) - set(index), key=str)
    if unknown:
        shown = ", ".join(map(str, unknown[:5])) + (", ..." if len(unknown) > 5 else "")
        msg = f"site(s) {shown} are not among the scenario's candidate sites: run the plan again"
        raise ConfigError([(str(Path(plan_dir) / "sites.csv"), msg)])
    sensors = np.zeros((len(p.site_ids), len(p.sensor_ids)))
    effectors = np.zeros((len(p.site_ids), len(p.effector_ids)))
    for sid, systems in zip(sites["site_id"], sites["systems"], strict=True):
        for system in filter(None, str(systems).split(",")):
            if system in p.sensor_ids:
                sensors[index[sid], p.sensor_ids.index(system)] = 1
            elif system in p.effector_ids:
                effectors[index[sid], p.effector_ids.index(system)] = 1
    conv = np.zeros(len(p.conv_ids))
    for r in doc.get("conventional", []):
        if r["option"] in p.conv_ids:
            conv[p.conv_ids.index(r["option"])] = r["units"]
    spend = pd.DataFrame(doc["spend"], columns=["nation", "total_eur"])
    by_nation = {p.nations.index(n): float(v) for n, v in
                 spend[spend["nation"].isin(p.nations)].groupby("nation")["total_eur"].sum().items()}
    fixed = FixedPlan(sensors=sensors, effectors=effectors, conventional=conv,
                          cost_eur=float(doc["spend_eur"]["total"]), nation_spend_eur=by_nation)
    return LoadedPlan(scenario=scenario, problem=p, fixed=fixed, document=doc, theater=theater, coverage=coverage)


def degrade(p: PlanningProblem, case: Case, fixed: FixedPlan) -> tuple[PlanningProblem, FixedPlan]:
    """The problem (and plan) of one case (the adversary's best response aside: :func:`_stress` finds it)."""
    for name, v in (("detect", case.detect), ("kill", case.kill), ("raid", case.raid), ("decoys", case.decoys)):
        if not (v >= 0 and math.isfinite(v)):
            raise ConfigError([(f"case '{case.name}'", f"{name} multiplier {v} must be a finite number ≥ 0")])
    pd_single = 1 - np.exp(-p.det_weight)
    det_weight = -np.log(np.maximum(1 - np.clip(pd_single * case.detect, 0, 1), 1e-6))
    if case.adversary and (case.detect, case.kill, case.raid, case.decoys, case.sensors_lost) != (1, 1, 1, 1, 0):
        raise ConfigError([(f"case '{case.name}'", "the adversary's best response is found in the nominal world: "
                                                   "leave the other multipliers at 1 and no sensors lost")])
    n = p.effector_shots[:, None]
    p_kill = 1 - (1 - np.clip(1 - (1 - p.p_kill) ** (1 / n), 0, 1) * case.kill) ** n
    demand = p.demand * case.raid * np.where(p.threat_decoy, case.decoys, 1.0)[None, :]
    sensors = fixed.sensors
    if case.sensors_lost:
        sensors = sensors.copy()
        seen = np.zeros_like(sensors)
        np.add.at(seen, (p.det_site, p.det_sensor), p.demand[p.det_cell, p.det_threat] * p.det_weight)
        seen[sensors < 0.5] = -1
        order = np.argsort(-seen, axis=None)[:case.sensors_lost]
        for flat in order:
            j, s = np.unravel_index(flat, sensors.shape)
            if sensors[j, s] > 0.5:
                sensors[j, s] = 0
    q = dataclasses.replace(p, det_weight=det_weight, p_kill=p_kill, demand=demand)
    return q, dataclasses.replace(fixed, sensors=sensors)


def stress(loaded: LoadedPlan, cases: tuple[Case, ...] = DEFAULT_CASES, *,
           target: float | None = None) -> StressResult:
    """Evaluate the plan in every case; flag an expensive failure where the value-weighted defeat rate falls
    below ``target`` while the spending stays. Default target: the scenario's lowest class target if it
    has targets, else 80% of the plan's own nominal rate (the plan loses a fifth of what it buys)."""
    if target is not None and not 0 <= target <= 1:
        raise ConfigError([("--target", f"{target:g} is not a defeat rate: give a number between 0 and 1")])
    with workers(loaded.problem) as runner:  # one set of worker processes for every case's evaluation
        return _stress(loaded, cases, target, runner)


def failure_target(p: PlanningProblem, nominal_rate: float, target: float | None) -> tuple[float, str]:
    """The defeat rate below which a plan fails, and where it comes from: ``target`` as given (``--target``), else
    the scenario's lowest class target, else NOMINAL_SHARE of the plan's nominal (value-weighted, exact) rate."""
    if target is not None:
        return target, "--target"
    if p.defeat_targets:
        return min(p.defeat_targets.values()), "scenario class targets"
    return NOMINAL_SHARE * nominal_rate, f"{NOMINAL_SHARE:.0%} of the nominal rate"


def _stress(loaded: LoadedPlan, cases: tuple[Case, ...], target: float | None, runner: Runner) -> StressResult:
    p, fixed = loaded.problem, loaded.fixed
    nominal = solve(p, fixed=fixed, runner=runner)
    k0 = np.einsum("nte,et->nt", nominal.engagements, p.p_kill)
    target, target_from = failure_target(
        p, float((k0 * p.value).sum() / max((p.value * p.demand).sum(), 1e-12)), target)
    drone_fixed = p.costs(fixed.sensors, fixed.effectors, np.zeros_like(nominal.engagements),
                          np.zeros(len(p.conv_ids)))["drone_defence"]
    # The counts are of drones, as plan.json's: crewed incursions are escorted or shot and reported apart.
    drone = ~crewed_classes(loaded.scenario.catalog, p.threat_ids)
    rows = []
    meta_adversary: dict[str, Any] | None = None
    for case in cases:
        q, f = degrade(p, case, fixed)
        choice = None
        if case.adversary:  # the raid the adversary chooses once it has seen the plan
            q, choice, response = _best_response(loaded, q, f, runner)
            meta_adversary = response
        x = nominal if case == Case("nominal") else solve(q, fixed=f, runner=runner)
        kills = np.einsum("nte,et->nt", x.engagements, q.p_kill)
        r = q.raids
        value_total = float((q.value * q.demand).sum())
        munitions = float(np.einsum("nte,et,e->", x.engagements, q.shots(), q.effector_cost_per_shot_eur) * r)
        drones, killed = float(q.demand[:, drone].sum()), float(kills[:, drone].sum())
        defeated = killed * r
        row = {"case": case.name, "detect_x": case.detect, "kill_x": case.kill, "raid_x": case.raid,
               "decoys_x": case.decoys, "adversary": choice, "sensors_lost": case.sensors_lost,
               "defeat_rate_value": float((kills * q.value).sum() / value_total) if value_total > 0 else math.nan,
               "defeat_rate_all": killed / max(drones, 1e-12),
               "drones_over_horizon": drones * r, "defeated_over_horizon": defeated,
               "leakers_over_horizon": drones * r - defeated,
               "leakers_per_raid": drones - killed, "munitions_eur": munitions,
               "drone_defence_eur": drone_fixed + munitions,
               "eur_per_defeat": (drone_fixed + munitions) / defeated if defeated > 0 else math.nan,
               "leaked_value_over_horizon": float(r * (q.value * (q.demand - kills)).sum())}
        for t, tid in enumerate(q.threat_ids):
            row[f"defeat_{tid}"] = float(kills[:, t].sum() / q.demand[:, t].sum()) if q.demand[:, t].sum() > 0 \
                else math.nan
        row["expensive_failure"] = bool(row["defeat_rate_value"] < target and drone_fixed > 0)
        rows.append(row)
    meta = {"scenario": loaded.scenario.name, "config_hash": loaded.scenario.config_hash(), "target": target,
            "drone_defence_fixed_eur": drone_fixed,
            "rule": "expensive failure: value-weighted defeat rate below the target while the plan's spending stays",
            "target_from": target_from, "adversary": meta_adversary}
    return StressResult(table=pd.DataFrame(rows), meta=meta)


def _best_response(loaded: LoadedPlan, p: PlanningProblem, fixed: FixedPlan, runner: Runner) -> tuple[
        PlanningProblem, str, dict[str, Any]]:
    """The adversary's best response to the plan (planner.analysis.respond): its world with the raid it chooses, the
    choice in words, and what the document keeps of it."""
    att = build_attacker(loaded.scenario, loaded.theater, loaded.coverage, p)
    r = best_response(att, fixed, runner)
    choice = describe(att, r)
    world = att.worlds[att.profiles.index(r.profile)]
    doc = {"axes": [None if a == SPREAD else att.axis_names[a] for a in r.axes],
           "profile": r.profile, "decoy_share": r.decoy_share, "leaked_value_over_horizon": r.damage,
           "nominal_leaked_value_over_horizon": r.nominal_damage, "evaluations": r.evaluations,
           "seconds": round(r.seconds, 2), "axis_count": len(att.axis_names),
           "choices": len(att.profiles) * len(att.decoy_shares) * (len(att.axis_names) + 1) ** len(att.groups)}
    return dataclasses.replace(world, demand=r.demand), choice, doc
