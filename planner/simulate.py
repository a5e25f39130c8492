"""An independent per-drone Monte Carlo of raids against a fixed plan (docs/validation.md).

It shares no model code with the optimizer: it reads the scenario (catalogs, rules, the theater's
cells and sites) and the plan's output folder, and re-derives every rule from the catalogs itself
(ranges, radar horizon, modality, reaction time, rules of engagement, no-fire zones). What it does
differently on purpose, so that agreement means something:

- each drone crosses at a uniformly random point of its cell, not at the cell's midpoint;
- the number of drones per raid and cell is Poisson, not its expectation;
- every sensor unit in range gets its own look (a drone is detected if any look succeeds);
- a detected drone is engaged by the unit in reach with the best kill probability that still has
  shots in its magazine (real magazines, no surge margin), while the nation's munitions money for
  the raids simulated (the plan's planned munitions per raid × raids, one pool per nation) lasts;
  a ``shoot_look_shoot`` unit fires one shot at a time until a kill (the model counts the expected shots);
  with ``kill_chain.layered``, a drone that survives is engaged again by the best unit of each later layer
  (units whose type reaches the class less far), outermost first, where the nation's identification delay and the
  slowest reaction of the built units of each layer from the one that missed it to this one fit its flight inland;
  drones arrive in random order;
- decoys are told apart with probability ``threats.decoy_discrimination`` and then not engaged;
- with ``roe.engage_only_threatening``, each drone gets a heading drawn inland and is engaged only if the ray along
  it meets a protected asset within reach (the model uses the share of such headings instead);
- with ``kill_chain.point_defence``, a drone that survives the border's units flies on (its heading drawn inland,
  up to its class's reach, or with ``kill_chain.routes: to_assets`` straight to an asset drawn by value) and meets,
  in the order it passes them, the inland sites whose units reach its route, each engaging it as the border's do
  (layers by reach); a unit there is barred from kinetic fire only
  if it stands in a no-fire zone. The model credits a site only with a corridor (kill_chain.point_defence_reach_m)
  and, with uniform headings, gives a drone to the nearest site whose corridor it passes, so the simulation may
  defeat more;
- a detected crewed incursion (``manned: true``) over a nation that may not shoot it and escorts (the scenario's
  ``escort`` section) is met by the alert unit with the best P(meet) that still has sorties this raid and reaches
  the crossing in time (reaction time plus the flight at its transit speed within the class's escort window, and
  within its radius of action); the model shares each unit's escorts evenly among the cells it reaches instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from planner.config.consequence import ConsequenceConfig
from planner.config.io import Scenario
from planner.errors import ConfigError
from planner.geo.theater import Theater, build_theater
from planner.runfolder import read_plan_folder
from planner.sim_routes import SimRoutes

_K2R = 2.0 * (4.0 / 3.0) * 6_371_000.0  # 4/3-earth radar horizon: d = √(2kR·h1) + √(2kR·h2)


@dataclass
class SimulationResult:
    table: pd.DataFrame  # per threat class: drones simulated, defeated, rate, its standard error
    meta: dict[str, Any] = field(default_factory=dict)


def _horizon(h1: float, h2: float) -> float:
    return math.sqrt(_K2R * max(h1, 0.0)) + math.sqrt(_K2R * max(h2, 0.0))


def _sense_range(sensor: Any, threat: Any, threat_id: str) -> float:
    alt = threat.altitude_m.value
    if sensor.modality == "passive_rf" and not threat.emits_rf:
        return 0.0
    if sensor.max_target_altitude_m is not None and alt > sensor.max_target_altitude_m.value:
        return 0.0
    if threat_id in sensor.detection_range_m_by_threat:
        r = sensor.detection_range_m_by_threat[threat_id].value
    elif sensor.modality == "radar":
        r = sensor.detection_range_m.value * (threat.rcs_m2.value / sensor.reference_rcs_m2) ** 0.25
    else:
        r = sensor.detection_range_m.value
    return min(r, _horizon(sensor.mast_height_m.value, alt)) if r > 0 else 0.0


def _reach(effector: Any, threat: Any, threat_id: str, delay_s: float = 0.0,
           flight_s: float = math.inf) -> tuple[float, float]:
    """(largest offset at which the threat stays in the envelope for the reaction time plus the nation's
    identification delay, kill per engagement); none when that time exceeds the drone's ``flight_s`` inland (it
    reaches the end of its route before the unit can fire)."""
    pk = effector.p_kill_per_shot.get(threat_id)
    if (pk is None or threat.altitude_m.value > effector.max_altitude_m.value
            or effector.reaction_time_s.value + delay_s > flight_s):
        return 0.0, 0.0
    half = (effector.reaction_time_s.value + delay_s) * threat.speed_mps.value / 2.0
    r = effector.range_m.value
    if half >= r:
        return 0.0, 0.0
    shots = max(1, round(effector.shots_per_engagement.value))
    return math.sqrt(r * r - half * half), 1.0 - (1.0 - pk.value) ** shots


def simulate(plan_dir: Path, *, drones: int = 100_000, seed: int | None = None,
             scenario: Scenario | None = None, theater: Theater | None = None) -> SimulationResult:
    """Simulate raids until at least ``drones`` drones have crossed; compare with the plan's exact evaluation."""
    if drones < 1:
        raise ConfigError([("--drones", f"{drones} is too few: simulate at least one drone")])
    doc, site_rows, planned = read_plan_folder(plan_dir)
    if scenario is None:
        scenario = planned
    elif scenario.config_hash() != doc.get("config_hash"):
        raise ConfigError([(str(scenario.path), "the scenario changed since the plan was made: run the plan again")])
    cfg, cat = scenario.config, scenario.catalog
    theater = theater or build_theater(scenario)
    rng = np.random.default_rng(cfg.solver.seed if seed is None else seed)
    cells, sites = theater.cells.reset_index(drop=True), theater.sites.reset_index(drop=True)
    threat_ids = list(theater.threat_ids)
    threats = [cat.threats[t] for t in threat_ids]

    # The plan's units: (site index, system id).
    site_index = {sid: j for j, sid in enumerate(sites["site_id"])}
    units = [(site_index[sid], s) for sid, systems in zip(site_rows["site_id"], site_rows["systems"], strict=True)
             for s in filter(None, str(systems).split(","))]
    sens_units = [(j, s) for j, s in units if s in cat.sensors]
    eff_units = [(j, e) for j, e in units if e in cat.effectors]
    site_xy = shapely.get_coordinates(sites.geometry.values)
    zones = shapely.union_all(theater.no_fire_zones.geometry.values) if len(theater.no_fire_zones) else None
    site_no_fire = sites["in_no_fire_zone"].to_numpy(bool)

    # Per unit and class: range and kill probability.
    s_xy = site_xy[[j for j, _ in sens_units]] if sens_units else np.zeros((0, 2))
    s_range = np.array([[_sense_range(cat.sensors[s], th, tid) for tid, th in zip(threat_ids, threats, strict=True)]
                        for _, s in sens_units]).reshape(len(sens_units), len(threats))
    s_pd = np.array([cat.sensors[s].p_detect.value for _, s in sens_units])
    e_xy = site_xy[[j for j, _ in eff_units]] if eff_units else np.zeros((0, 2))
    e_reach = np.zeros((len(eff_units), len(threats)))
    e_pk = np.zeros((len(eff_units), len(threats)))
    # A drone flies inland at most the route reach (objective.consequence) or its range, whichever is shorter.
    cons = cfg.objective.consequence or ConsequenceConfig()
    flight = [min(cons.route_reach_m, 1000.0 * th.range_km.value if th.range_km is not None else math.inf)
              / th.speed_mps.value for th in threats]
    for u, (j, e) in enumerate(eff_units):
        delay = cfg.roe.identification_delay(sites["defender"].iloc[j])
        for t, (tid, th) in enumerate(zip(threat_ids, threats, strict=True)):
            e_reach[u, t], e_pk[u, t] = _reach(cat.effectors[e], th, tid, delay, flight[t])
    # Layers along the track (kill_chain.layered): the units whose type reaches a class farthest engage it first.
    layered = cfg.kill_chain.layered
    e_layer = np.zeros((len(eff_units), len(threats)), dtype=np.int64)
    for t in range(len(threats)):
        reaches = sorted({float(r) for r in e_reach[:, t] if r > 0}, reverse=True)
        e_layer[:, t] = [reaches.index(float(r)) if r > 0 else len(reaches) for r in e_reach[:, t]]
    # Time left: a drone that survived layer l may meet layer L only if the nation's identification delay and the
    # slowest reaction of each layer from l to L (among the built units) fit its flight inland.
    react = np.array([cat.effectors[e].reaction_time_s.value for _, e in eff_units])
    slowest = np.zeros((len(threats), int(e_layer.max(initial=0)) + 1))
    np.maximum.at(slowest, (np.broadcast_to(np.arange(len(threats)), e_layer.shape), e_layer),
                  np.where(e_reach > 0, react[:, None], 0.0))
    span = np.cumsum(slowest, axis=1)
    e_kinetic = np.array([cat.effectors[e].kinetic for _, e in eff_units], dtype=bool)
    e_blocked_site = np.array([site_no_fire[j] for j, _ in eff_units], dtype=bool)
    e_shots = np.array([max(1, round(cat.effectors[e].shots_per_engagement.value)) for _, e in eff_units])
    # Shoot-look-shoot units fire one shot at a time (kill per shot from the engagement's), needing one in hand.
    e_look = np.array([cat.effectors[e].doctrine == "shoot_look_shoot" for _, e in eff_units], dtype=bool)
    e_pk1 = 1 - (1 - e_pk) ** (1 / np.maximum(e_shots, 1)[:, None]) if len(eff_units) else e_pk
    e_need = np.where(e_look, 1, e_shots)
    e_mag = np.array([cat.effectors[e].magazine_shots_per_raid.value for _, e in eff_units])
    e_cps = np.array([cat.effectors[e].cost_per_shot_eur.value for _, e in eff_units])
    e_nation = np.array([sites["defender"].iloc[j] for j, _ in eff_units])
    e_site = np.array([j for j, _ in eff_units], dtype=np.int64)
    # Escort of crewed incursions, re-derived: how far each alert unit meets each crewed class in time, its P(meet),
    # its sorties a raid; which nations escort.
    esc_reach = np.zeros((len(eff_units), len(threats)))
    for u, (_, e) in enumerate(eff_units):
        mission = cat.effectors[e].escort
        for t, th in enumerate(threats):
            if mission is not None and th.manned and th.escort_window_s is not None:
                flying = th.escort_window_s.value - cat.effectors[e].reaction_time_s.value
                esc_reach[u, t] = min(cat.effectors[e].range_m.value, mission.transit_speed_mps.value * max(flying, 0))
    esc_meet = np.array([cat.effectors[e].escort.p_meet.value if cat.effectors[e].escort else 0.0
                         for _, e in eff_units])
    esc_sorties = np.array([cat.effectors[e].escort.escorts_per_raid.value if cat.effectors[e].escort else 0.0
                            for _, e in eff_units])
    escorting = {n: cfg.escort.applied(cfg.roe, n) == "escort"
                 for n in cfg.geodata.defenders}
    s_nation = np.array([sites["defender"].iloc[j] for j, _ in sens_units])

    raids_total = cfg.threats.raids_per_year * cfg.budget.horizon_years
    spend = pd.DataFrame(doc["spend"])
    munitions_per_raid = (spend[spend["category"] == "munitions"].groupby("nation")["munitions_eur"].sum()
                          / raids_total).to_dict() if len(spend) else {}
    roe = {n: cfg.roe.per_nation.get(n, cfg.roe.default) for n in cfg.geodata.defenders}
    discrimination = cfg.threats.decoy_discrimination

    lam = np.column_stack([cells[f"raid_{t}"].to_numpy(float) for t in threat_ids])
    per_raid = float(lam.sum())
    if per_raid <= 0:
        raise ConfigError([("threats.density", "no drones cross the border in this scenario")])
    n_raids = max(1, math.ceil(drones / per_raid))
    s_tree = cKDTree(s_xy) if len(s_xy) else None
    e_tree = cKDTree(e_xy) if len(e_xy) else None
    s_max = float(s_range.max(initial=0.0))
    e_max = float(max(e_reach.max(initial=0.0), esc_reach.max(initial=0.0)))
    crossed = np.zeros(len(threats))
    escorted = np.zeros(len(threats))
    defeated = np.zeros(len(threats))
    detected = np.zeros(len(threats))
    lines = cells.geometry.values
    cell_nation = cells["defender"].to_numpy()

    # The plan's munitions money over the simulated raids, one pool per nation (as the optimizer's budget
    # is money over the horizon, not per raid): spent first come, first served.
    money = {n: v * n_raids for n, v in munitions_per_raid.items()}
    # Units at protected assets (kill_chain.point_defence) engage drones whose route passes within their reach;
    # every other unit, drones whose crossing is in reach.
    site_point = (sites["kind"] == "point").to_numpy(bool) if "kind" in sites else np.zeros(len(sites), bool)
    e_point = np.array([site_point[j] for j, _ in eff_units], dtype=bool)
    point_units = np.flatnonzero(e_point)
    routes = (SimRoutes(scenario, theater, threats) if cfg.roe.engage_only_threatening or len(point_units)
              else None)
    mag = e_mag.copy()

    def engage(cand: np.ndarray, t: int, nation: str) -> bool:
        """One engagement (layered: one per layer, outward in) by the best unit with shots left, until a kill."""
        cand = cand[mag[cand] >= e_need[cand]]
        survived: list[int] = []  # the layers that engaged the drone and missed
        for layer in (np.unique(e_layer[cand, t]) if layered else [None]):
            group = cand if layer is None else cand[(e_layer[cand, t] == layer) & (mag[cand] >= e_need[cand])]
            if not len(group) or any(cfg.roe.identification_delay(nation) + span[t, layer]
                                     - (span[t, first - 1] if first else 0.0) > flight[t] for first in survived):
                continue
            best = group[np.lexsort((-mag[group], -e_pk[group, t]))[0]]
            if e_look[best]:  # one shot at a time until a kill, the shots, the magazine or the money run out
                for shot in range(int(e_shots[best])):
                    if mag[best] < 1 or money.get(nation, 0.0) + 1e-6 < e_cps[best]:
                        break
                    money[nation] = money.get(nation, 0.0) - e_cps[best]
                    mag[best] -= 1
                    if rng.random() < e_pk1[best, t]:
                        return True
                    survived += [int(layer)] if layer is not None and not shot else []
                continue
            cost = e_shots[best] * e_cps[best]
            if money.get(nation, 0.0) + 1e-6 < cost:
                continue  # not this layer: a later one may cost less
            money[nation] = money.get(nation, 0.0) - cost
            mag[best] -= e_shots[best]
            if rng.random() < e_pk[best, t]:
                return True
            survived += [int(layer)] if layer is not None else []
        return False

    for _ in range(n_raids):
        counts = rng.poisson(lam)
        ci, ti = np.nonzero(counts)
        reps = counts[ci, ti]
        d_cell, d_threat = np.repeat(ci, reps), np.repeat(ti, reps)
        if not len(d_cell):
            continue
        order = rng.permutation(len(d_cell))
        d_cell, d_threat = d_cell[order], d_threat[order]
        frac = rng.random(len(d_cell))
        pts = shapely.line_interpolate_point(lines[d_cell], frac, normalized=True)
        xy = shapely.get_coordinates(pts)
        heading = (routes.headings(rng, lines[d_cell], frac, xy, cell_nation[d_cell]) if routes is not None
                   else np.zeros((len(d_cell), 2)))
        heading, route_len = (routes.aim(rng, xy, cell_nation[d_cell], d_threat, heading) if routes is not None
                              else (heading, np.zeros(len(d_cell))))
        threatening = (routes.threatening(xy, heading, d_threat) if routes is not None
                       and cfg.roe.engage_only_threatening else np.ones(len(d_cell), dtype=bool))
        in_zone = shapely.contains_xy(zones, xy[:, 0], xy[:, 1]) if zones is not None else np.zeros(len(xy), bool)
        near_s = s_tree.query_ball_point(xy, s_max) if s_tree is not None and s_max > 0 else [[]] * len(xy)
        near_e = e_tree.query_ball_point(xy, e_max) if e_tree is not None and e_max > 0 else [[]] * len(xy)
        mag[:] = e_mag
        sorties = esc_sorties.copy()
        for k in range(len(d_cell)):
            t, nation = d_threat[k], cell_nation[d_cell[k]]
            crossed[t] += 1
            th = threats[t]
            cand = np.asarray(near_s[k], dtype=np.int64)
            if len(cand):  # same nation only: each nation covers its own border (the scenario's rule)
                cand = cand[(s_nation[cand] == nation) | cfg.theater.cross_border_coverage]
                dist = np.hypot(*(s_xy[cand] - xy[k]).T)
                cand = cand[dist <= s_range[cand, t]]
            if not len(cand) or not (rng.random(len(cand)) < s_pd[cand]).any():
                continue
            detected[t] += 1
            if th.manned and escorting[nation]:  # met by the best alert unit in time with a sortie left
                cand = np.asarray(near_e[k], dtype=np.int64)
                cand = cand[((e_nation[cand] == nation) | cfg.theater.cross_border_coverage) & (sorties[cand] >= 1)]
                cand = cand[np.hypot(*(e_xy[cand] - xy[k]).T) <= esc_reach[cand, t]] if len(cand) else cand
                if len(cand):
                    best = cand[np.argmax(esc_meet[cand])]
                    sorties[best] -= 1
                    escorted[t] += rng.random() < esc_meet[best]
            if roe[nation] == "escort_only" or (roe[nation] == "shoot_unmanned" and th.manned):
                continue
            if th.decoy and discrimination > 0 and rng.random() < discrimination:
                continue
            if not threatening[k]:  # roe.engage_only_threatening: its route leads to no protected asset
                continue
            cand = np.asarray(near_e[k], dtype=np.int64)
            cand = cand[~e_point[cand]]
            if in_zone[k]:
                cand = cand[~e_kinetic[cand]]
            if len(cand):
                dist = np.hypot(*(e_xy[cand] - xy[k]).T)
                cand = cand[dist <= e_reach[cand, t]]
            stages = [cand[((e_nation[cand] == nation) | cfg.theater.cross_border_coverage) & (e_pk[cand, t] > 0)
                           & ~(e_kinetic[cand] & e_blocked_site[cand])]]
            if len(point_units) and routes is not None:  # then the point defences its route passes, in order
                near = point_units[(e_nation[point_units] == nation) & (e_pk[point_units, t] > 0)
                                   & ~(e_kinetic[point_units] & e_blocked_site[point_units])]
                v = e_xy[near] - xy[k]
                along = np.clip(v @ heading[k], 0.0, route_len[k])
                passed = np.hypot(*(v - along[:, None] * heading[k]).T) <= e_reach[near, t]
                near, along = near[passed], along[passed]
                for j in dict.fromkeys(e_site[near[np.argsort(along, kind="stable")]].tolist()):
                    stages.append(near[e_site[near] == j])
            for group in stages:
                if engage(group, t, nation):
                    defeated[t] += 1
                    break

    exact = {r["threat"]: r["defeat_rate_exact"] for r in doc["threats"]}
    exact_detect = {r["threat"]: r["detect_rate_exact"] for r in doc["threats"]}
    rate = np.divide(defeated, crossed, out=np.full(len(threats), np.nan), where=crossed > 0)
    se = np.sqrt(np.where(crossed > 0, rate * (1 - rate) / np.maximum(crossed, 1), np.nan))
    table = pd.DataFrame({"threat": threat_ids, "drones_simulated": crossed.astype(int),
                          "detect_rate_sim": detected / np.maximum(crossed, 1),
                          "detect_rate_exact": [exact_detect.get(t, np.nan) for t in threat_ids],
                          "defeated": defeated.astype(int), "defeat_rate_sim": rate, "standard_error": se,
                          "defeat_rate_exact": [exact.get(t, np.nan) for t in threat_ids]})
    table["difference_pp"] = 100 * (table["defeat_rate_sim"] - table["defeat_rate_exact"])
    crewed = np.array([th.manned for th in threats], dtype=bool)
    if crewed.any():  # crewed classes: the share met by an escort, simulated and exact (plan.json's escort rows)
        rows = pd.DataFrame(doc.get("escort") or [], columns=["threat", "met_over_horizon_exact",
                                                              "incursions_over_horizon"]).groupby("threat").sum()
        table["escort_rate_sim"] = np.where(crewed, escorted / np.maximum(crossed, 1), np.nan)
        table["escort_rate_exact"] = [rows.loc[t, "met_over_horizon_exact"] / rows.loc[t, "incursions_over_horizon"]
                                      if t in rows.index and rows.loc[t, "incursions_over_horizon"] > 0 else np.nan
                                      for t in threat_ids]
    meta = {"scenario": scenario.name, "config_hash": scenario.config_hash(), "raids": n_raids,
            "drones": int(crossed.sum()), "seed": cfg.solver.seed if seed is None else seed,
            "defeat_rate_all_sim": float(defeated[~crewed].sum() / max(crossed[~crewed].sum(), 1)),  # as plan.json
            "defeat_rate_all_exact": doc.get("defeat_rate_all_exact")}
    return SimulationResult(table=table, meta=meta)
