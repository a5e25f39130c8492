"""The planning problem: the one array-based object that crosses from geometry to the LP.

:func:`build_problem` turns a scenario and its theater into numbers: demand per cell and threat,
sparse detection and engagement coverage, costs, limits. Nothing here imports pulp, and nothing in
``planner.lp`` imports shapely or geopandas.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner import depth, escort, routes
from planner import problem_arrays as arrays
from planner.config.io import Scenario
from planner.geo.coverage import Coverage, build_coverage
from planner.geo.theater import Theater
from planner.physics import detection_log_survival, p_kill_engagement, sensor_range_m
from planner.problem_axes import AXES, INDEXES  # noqa: F401 - the fields by axis (PlanningProblem.subset)
from planner.settings import SolverSettings
from planner.value import drone_value


@dataclass(frozen=True)
class PlanningProblem:
    """Index sets, coefficient arrays and sparse coverage of one scenario.

    Shapes: N cells, T threats, M sites, S sensor types, E effector types, C conventional options.
    Detection pairs ``det_*`` and engagement pairs ``eng_*`` are parallel 1-D arrays (COO form).
    """

    name: str
    config_hash: str
    nations: tuple[str, ...]
    cell_ids: np.ndarray
    cell_nation: np.ndarray  # (N,) index into nations
    cell_no_fire: np.ndarray  # (N,) share of the cell's crossings inside no-fire zones: no kinetic fire there
    cell_engage: np.ndarray  # (N,) bool: rules of engagement allow engaging here
    cell_asset_value: np.ndarray  # (N,) value of the protected assets nearest the cell (resident-equivalents)
    threat_ids: tuple[str, ...]
    threat_decoy: np.ndarray  # (T,) bool
    threat_unit_cost_eur: np.ndarray  # (T,)
    demand: np.ndarray  # (N, T) expected drones per raid
    value: np.ndarray  # (N, T) value of defeating one drone
    site_ids: np.ndarray
    site_nation: np.ndarray  # (M,)
    site_no_fire: np.ndarray  # (M,) bool
    sensor_ids: tuple[str, ...]
    sensor_unit_cost_eur: np.ndarray
    sensor_operating_eur_per_year: np.ndarray
    effector_ids: tuple[str, ...]
    effector_unit_cost_eur: np.ndarray
    effector_operating_eur_per_year: np.ndarray
    effector_kinetic: np.ndarray
    effector_shots: np.ndarray  # shots per engagement
    effector_cost_per_shot_eur: np.ndarray
    effector_magazine: np.ndarray  # shots per unit per raid
    p_kill: np.ndarray  # (E, T) per engagement
    det_cell: np.ndarray
    det_threat: np.ndarray
    det_site: np.ndarray
    det_sensor: np.ndarray
    det_weight: np.ndarray  # −ln(1 − p_detect) of one look
    eng_cell: np.ndarray
    eng_threat: np.ndarray
    eng_site: np.ndarray
    eng_effector: np.ndarray
    mag_share: np.ndarray  # (M, E): share of a unit's magazine reserved for each cell it covers
    in_service_sensors: np.ndarray  # (M, S) bool: a unit already in service (operation cost only)
    in_service_effectors: np.ndarray  # (M, E) bool
    conv_ids: tuple[str, ...]
    conv_unit_cost_eur: np.ndarray
    conv_operating_eur_per_year: np.ndarray
    conv_score: np.ndarray
    conv_min_units: np.ndarray
    budget_eur: float
    nation_cap_eur: dict[int, float]
    horizon_years: int
    raids_per_year: float
    surge_factor: float
    decoy_discrimination: float
    objective: str
    conventional_weight: float
    conventional_floor: float
    defeat_targets: dict[int, float]
    solver: SolverSettings = field(default_factory=SolverSettings)
    #: (nations, T): least share of each class's drones over a nation's border to detect (0: no requirement;
    #: an empty array: none anywhere). systems.min_detection.
    min_detection: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    #: Conventional capability areas (objective.capability_areas; none: the linear score). conv_area_points (C, A):
    #: Leopard-2A8 equivalents per unit in each area; per area, the points valued in full (below the requirement
    #: left after the points in service; inf: no requirement), the points valued at area_beyond_share beyond it.
    area_ids: tuple[str, ...] = ()
    conv_area_points: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    area_below: np.ndarray = field(default_factory=lambda: np.zeros(0))
    area_beyond: np.ndarray = field(default_factory=lambda: np.zeros(0))
    area_beyond_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: objective.consequence: a leaker's harm (N, T), EUR, and the euros of a value unit (planner.value); else None.
    harm_eur: np.ndarray | None = None
    value_unit_eur: float = float("nan")
    #: kill_chain.layered: (E, T) layer of each effector type along a class's track, 0 outermost (empty: one layer).
    layer_rank: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    #: (nations, T, K, K): whether layer k may engage a drone that survived layer l in the time left (empty: always).
    layer_follow: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0, 0), dtype=bool))
    #: roe.engage_only_threatening: the share of a cell's detected drones of a class that may be engaged (N, T).
    engage_share: np.ndarray | None = None
    #: (E,) True for an effector that fires shoot-look-shoot (doctrine): one shot at a time until a kill.
    effector_look: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: kill_chain.point_defence: engagement pairs of the inland sites (Q,): the drones of a cell and class on a route
    #: (pt_share of the cell's) that pass the site, its place on the route (pt_route, pt_order), and the share of the
    #: unit's magazine kept for the cell (docs/formulation.md, "Point defence"). Empty without point defence.
    pt_cell: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pt_threat: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pt_site: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pt_effector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pt_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pt_magazine: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pt_route: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pt_order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: Crewed incursions (planner.escort): (N, T) due an escort (None: none); escort pairs (cell, class, site, alert
    #: type); (M, E) share of a unit's escorts a raid per cell it reaches (None: no pairs); per type (E,) escorts a
    #: raid per unit, P(meet), a sortie's euros; (nations, T) escort.min_share (empty: none).
    escort_due: np.ndarray | None = None
    esc_cell: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    esc_threat: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    esc_site: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    esc_effector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    esc_share: np.ndarray | None = None
    effector_escorts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    effector_p_meet: np.ndarray = field(default_factory=lambda: np.zeros(0))
    effector_sortie_eur: np.ndarray = field(default_factory=lambda: np.zeros(0))
    min_escort: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    #: Most units in service of each type per nation, (nations, S) and (nations, E) (empty: no cap), and of each
    #: conventional option (C,) (empty: none): a procurement pathway's lead times and production (planner.pathway).
    sensor_max_units: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    effector_max_units: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    conv_max_units: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def shots(self) -> np.ndarray:
        """Expected shots of an engagement (E, T): n in a salvo; p_kill / (its kill per shot) shoot-look-shoot."""
        n = np.repeat(self.effector_shots[:, None], len(self.threat_ids), axis=1)
        per_shot = 1 - (1 - self.p_kill) ** (1 / n)  # derived from p_kill: a degraded or drawn p_kill moves it
        look = self.effector_look if self.effector_look.size else np.zeros(len(self.effector_ids), dtype=bool)
        return np.where(look[:, None] & (per_shot > 0), self.p_kill / np.where(per_shot > 0, per_shot, 1), n)

    def layer(self, effector: int, threat: int) -> int:
        """The layer of an effector type against a class along its track (0: outermost; one layer if not layered)."""
        return int(self.layer_rank[effector, threat]) if self.layer_rank.size else 0

    def capability_is_linear(self) -> bool:
        """True when no capability area has a requirement: conventional value is conventional_weight × score."""
        return not np.isfinite(self.area_below).any()

    def conventional_value(self, units: np.ndarray, weight: float) -> float:
        """Objective value of conventional units (C,) at ``weight`` per Leopard-2A8 equivalent valued in full:
        per area, full value up to the requirement, area_beyond_share of it beyond, nothing past saturation."""
        if self.capability_is_linear():
            return float(weight * (units * self.conv_score).sum())
        x = units @ self.conv_area_points
        first = np.minimum(x, self.area_below)
        second = np.minimum(np.maximum(x - self.area_below, 0.0), self.area_beyond)
        return float(weight * (first + self.area_beyond_share * second).sum())

    def detection_requirements(self) -> list[tuple[int, int, float]]:
        """(nation, threat, share) of every surveillance requirement on a class this problem has drones of."""
        if not self.min_detection.size:
            return []
        out = []
        for n, t in zip(*np.nonzero(self.min_detection > 0), strict=True):
            if self.demand[self.cell_nation == n, t].sum() > 0:
                out.append((int(n), int(t), float(self.min_detection[n, t])))
        return out

    def escort_requirements(self) -> list[tuple[int, int, float]]:
        """(nation, crewed class, share) of every escort requirement on a class this problem has incursions of."""
        if not self.min_escort.size:
            return []
        return [(int(n), int(t), float(self.min_escort[n, t])) for n, t in zip(*np.nonzero(self.min_escort > 0),
                                                                                strict=True)
                if self.demand[self.cell_nation == n, t].sum() > 0]

    def conv_upper(self, c: int) -> float | None:
        """The most units of conventional option ``c`` a plan may hold (None: no limit)."""
        return float(self.conv_max_units[c]) if self.conv_max_units.size and np.isfinite(self.conv_max_units[c]) else None

    def detection_shares(self, detected: np.ndarray) -> dict[tuple[int, int], float]:
        """Share of each required (nation, class)'s drones that ``detected`` (N, T) detects."""
        return {(n, t): float(detected[self.cell_nation == n, t].sum() / self.demand[self.cell_nation == n, t].sum())
                for n, t, _ in self.detection_requirements()}

    @property
    def raids(self) -> float:
        """Raids over the planning horizon."""
        return self.raids_per_year * self.horizon_years

    def costs(self, sensors: np.ndarray, effectors: np.ndarray, engagements: np.ndarray,
              conventional: np.ndarray) -> dict[str, float]:
        """Euros over the horizon of a plan, by category. Units in service are operated (whether the
        plan uses them or not) but not bought."""
        h = self.horizon_years
        sens_new = np.clip(sensors - self.in_service_sensors, 0, None).sum(0)
        sens_run = np.maximum(sensors, self.in_service_sensors).sum(0)
        eff_new = np.clip(effectors - self.in_service_effectors, 0, None).sum(0)
        eff_run = np.maximum(effectors, self.in_service_effectors).sum(0)
        sens_acq = float((sens_new * self.sensor_unit_cost_eur).sum())
        sens_op = float((sens_run * self.sensor_operating_eur_per_year).sum() * h)
        eff_acq = float((eff_new * self.effector_unit_cost_eur).sum())
        eff_op = float((eff_run * self.effector_operating_eur_per_year).sum() * h)
        munitions = float(np.einsum("nte,et,e->", engagements, self.shots(), self.effector_cost_per_shot_eur)
                          * self.raids)
        conv = float((conventional * self.conv_cost_eur).sum())
        drone = sens_acq + sens_op + eff_acq + eff_op + munitions
        return {"sensor_acquisition": sens_acq, "sensor_operation": sens_op, "effector_acquisition": eff_acq,
                "effector_operation": eff_op, "munitions": munitions, "drone_defence": drone, "conventional": conv,
                "total": drone + conv}

    @property
    def conv_cost_eur(self) -> np.ndarray:
        """Euros per unit of each conventional option over the horizon: acquisition and operation."""
        return np.asarray(self.conv_unit_cost_eur + self.horizon_years * self.conv_operating_eur_per_year)

    def build_cost_by_nation(self, sensors: np.ndarray, effectors: np.ndarray) -> np.ndarray:
        """Acquisition and operation over the horizon of a plan's builds, per nation (by site), (nations,).
        Units in service are operated, not bought, and counted where they stand."""
        h = self.horizon_years
        per_site = np.zeros(len(self.site_ids))
        for built, old, unit, op in ((sensors, self.in_service_sensors, self.sensor_unit_cost_eur,
                                      self.sensor_operating_eur_per_year),
                                     (effectors, self.in_service_effectors, self.effector_unit_cost_eur,
                                      self.effector_operating_eur_per_year)):
            per_site += np.clip(built - old, 0, None) @ unit + np.maximum(built, old) @ op * h
        return np.bincount(self.site_nation, weights=per_site, minlength=len(self.nations))

    def spend_by_nation(self, sensors: np.ndarray, effectors: np.ndarray, engagements: np.ndarray) -> np.ndarray:
        """Drone-defence euros over the horizon by nation, (nations,): builds where they stand (by site),
        munitions where they are fired (by cell)."""
        shots = np.einsum("nte,et,e->n", engagements, self.shots(), self.effector_cost_per_shot_eur) * self.raids
        return self.build_cost_by_nation(sensors, effectors) + np.bincount(self.cell_nation, weights=shots,
                                                                             minlength=len(self.nations))

    def detection_probability(self, sensors: np.ndarray) -> np.ndarray:
        """Exact P(detect) per (cell, threat), (N, T): 1 − exp(−Σ looks) over the sensors built (M, S)."""
        built = sensors[self.det_site, self.det_sensor] > 0.5
        delta = np.zeros(self.demand.shape)
        np.add.at(delta, (self.det_cell[built], self.det_threat[built]), self.det_weight[built])
        return 1.0 - np.exp(-delta)

    def drone_value(self, engagements: np.ndarray) -> float:
        """Value-weighted expected drones defeated over the horizon by these engagements (N, T, E)."""
        return float((np.einsum("nte,et->nt", engagements, self.p_kill) * self.value).sum() * self.raids)

    def is_sectored(self) -> bool:
        """True when no site covers another nation's cells: the nations are then independent sectors,
        linked only by the shared budget and the conventional purchases."""
        return bool(np.all(self.cell_nation[self.det_cell] == self.site_nation[self.det_site])
                    and np.all(self.cell_nation[self.eng_cell] == self.site_nation[self.eng_site]))

    def sector(self, nation: int) -> tuple[PlanningProblem, np.ndarray, np.ndarray]:
        """One nation's cells and sites (:meth:`subset`), with their indices here; what a national model keeps of the
        shared fields is the constraint families' choice (:func:`planner.lp.families.national`)."""
        ci = np.flatnonzero(self.cell_nation == nation)
        si = np.flatnonzero(self.site_nation == nation)
        return self.subset(ci, si), ci, si

    def subset(self, ci: np.ndarray, si: np.ndarray) -> PlanningProblem:
        """The sub-problem of the cells ``ci`` and sites ``si`` (sorted indices), without conventional options: every
        field sliced by its axis in :data:`AXES` (pairs whose cell and site are both kept, renumbered), shared ones
        kept whole."""
        renumber = {"cell": np.full(len(self.cell_ids), -1, dtype=np.int64),
                    "site": np.full(len(self.site_ids), -1, dtype=np.int64)}
        renumber["cell"][ci] = np.arange(len(ci))
        renumber["site"][si] = np.arange(len(si))
        keep = {"cell": ci, "site": si, "conv": slice(0, 0),
                "det": (renumber["cell"][self.det_cell] >= 0) & (renumber["site"][self.det_site] >= 0),
                "eng": (renumber["cell"][self.eng_cell] >= 0) & (renumber["site"][self.eng_site] >= 0),
                "pt": (renumber["cell"][self.pt_cell] >= 0) & (renumber["site"][self.pt_site] >= 0),
                "esc": (renumber["cell"][self.esc_cell] >= 0) & (renumber["site"][self.esc_site] >= 0)}
        changes: dict[str, Any] = {}
        for axis, names in AXES.items():
            if axis == "shared":
                continue
            for name in names:
                if getattr(self, name) is None or (axis == "pt" and len(getattr(self, name)) != len(self.pt_cell)):
                    continue  # an optional field this problem has not (pt_route, pt_order: its pairs' routes unset)
                value = getattr(self, name)[keep[axis]]
                changes[name] = renumber[INDEXES[name]][value].astype(value.dtype, copy=False) if name in INDEXES \
                    else value
        return dataclasses.replace(self, **changes)

    def sizes(self) -> dict[str, int]:
        return {"cells": len(self.cell_ids), "threats": len(self.threat_ids), "sites": len(self.site_ids),
                "sensor_types": len(self.sensor_ids), "effector_types": len(self.effector_ids),
                "detection_pairs": len(self.det_cell), "engagement_pairs": len(self.eng_cell),
                "point_defence_pairs": len(self.pt_cell), "escort_pairs": len(self.esc_cell)}


def build_problem(scenario: Scenario, theater: Theater, coverage: Coverage | None = None) -> PlanningProblem:
    """Compute demand, coverage and costs for the LP from a scenario and its theater.

    ``coverage`` is the theater's geometry as arrays (:func:`planner.geo.coverage.build_coverage`); a caller
    building several problems on one theater (catalog draws) passes it once."""
    coverage = coverage or build_coverage(theater, scenario)
    cfg = scenario.config
    cat = scenario.catalog
    cells, sites = theater.cells, theater.sites
    threat_ids = theater.threat_ids
    threats = [cat.threats[t] for t in threat_ids]
    sensor_ids = tuple(cfg.systems.sensors if cfg.systems.sensors is not None else cat.sensors)
    effector_ids = tuple(cfg.systems.effectors if cfg.systems.effectors is not None else cat.effectors)
    conv_ids = tuple(cfg.systems.conventional if cfg.systems.conventional is not None else cat.conventional)
    sensors = [cat.sensors[s] for s in sensor_ids]
    effectors = [cat.effectors[e] for e in effector_ids]
    nations = tuple(cfg.geodata.defenders)
    nation_index = {n: k for k, n in enumerate(nations)}

    demand = np.column_stack([cells[f"raid_{t}"].to_numpy(float) for t in threat_ids])
    decoy = np.array([t.decoy for t in threats])
    asset_value = cells["asset_value"].to_numpy(float)
    worth = drone_value(cfg.objective, threats, coverage, asset_value, demand)
    roe = cells["defender"].map(lambda n: cfg.roe.per_nation.get(n, cfg.roe.default))
    manned = np.array([t.manned for t in threats])
    value, harm = escort.crewed_worth(worth.value, worth.harm_eur, manned, (roe == "shoot_all").to_numpy())
    # shoot_unmanned may engage unmanned threats; shoot_all anything; escort_only nothing.
    cell_engage = (roe != "escort_only").to_numpy()
    unmanned_only = (roe == "shoot_unmanned").to_numpy()
    demand_engageable = ~(unmanned_only[:, None] & manned[None, :])
    cell_no_fire, site_no_fire = coverage.cell_no_fire, coverage.site_no_fire

    # Detection ranges (S, T) and engagement reach (E, T).
    det_range = np.array([[sensor_range_m(s, th, tid) for tid, th in zip(threat_ids, threats, strict=True)]
                          for s in sensors]).reshape(len(sensors), len(threats))
    pk = np.array([[p_kill_engagement(e, tid) for tid in threat_ids] for e in effectors]).reshape(
        len(effectors), len(threats))
    # Engagement reach (E, T), then per nation after its identification delay (nations, E, T), within the route's time.
    eng_range, *by_nation = arrays.engagement_reach(effectors, threats, pk, [0.0, *map(cfg.roe.identification_delay,
                                                                                    nations)], routes.route_reach_m(cfg, threats))
    reach_n = np.array(by_nation)
    esc_reach = escort.escort_reach_m(effectors, threats)
    max_range = float(max(det_range.max(initial=0.0), eng_range.max(initial=0.0), esc_reach.max(initial=0.0)))

    # All (cell, site) pairs within the largest range, with their distances (each nation covers its own
    # border cells only, unless coverage crosses borders).
    pairs = coverage.pairs(max_range, cross_border=cfg.theater.cross_border_coverage)
    pi, pj, pd = pairs.cell, pairs.site, pairs.distance_m
    cell_nation = cells["defender"].map(nation_index).to_numpy(np.int64)
    site_nation = sites["defender"].map(nation_index).to_numpy(np.int64)

    det_cell, det_threat, det_site, det_sensor, det_weight = arrays.detection_pairs(
        [detection_log_survival(s.p_detect.value) for s in sensors], det_range, pi, pj, pd)
    allowed = cell_engage[:, None] & demand_engageable & (demand > 0)
    kinetic = np.array([e.kinetic for e in effectors], dtype=bool)
    border = ~coverage.site_point[pj] if coverage.site_point.size else np.ones(len(pj), bool)  # see depth.py
    eng_cell, eng_threat, eng_site, eng_effector = arrays.engagement_pairs(
        kinetic, reach_n, site_nation[pj[border]], pi[border], pj[border], pd[border], allowed, cell_no_fire,
        site_no_fire)
    mag_share = arrays.magazine_shares(len(sites), len(effectors), len(cells), eng_site, eng_effector, eng_cell)
    point = depth.point_defence(cfg, threats, coverage, reach_n, cell_nation, site_nation, allowed,
                                site_no_fire[:, None] & kinetic[None, :], demand)
    in_sens, in_eff = arrays.in_service_arrays(coverage.in_service, len(sites), sensor_ids, effector_ids)
    due = escort.escort_due(cfg, cells["defender"].tolist(), threats, demand)
    escorts = escort.escort_pairs(esc_reach, due, pi, pj, pd, len(sites), len(cells))

    convs = [cat.conventional[c] for c in conv_ids]
    return PlanningProblem(
        name=scenario.name, config_hash=scenario.config_hash(), nations=nations,
        cell_ids=cells["cell_id"].to_numpy(), cell_nation=cell_nation,
        cell_no_fire=cell_no_fire, cell_engage=cell_engage, cell_asset_value=asset_value, threat_ids=threat_ids,
        threat_decoy=decoy,
        threat_unit_cost_eur=np.array([t.unit_cost_eur.value for t in threats]), demand=demand,
        value=value, harm_eur=harm, value_unit_eur=worth.unit_eur,
        site_ids=sites["site_id"].to_numpy(), site_nation=site_nation,
        site_no_fire=site_no_fire, sensor_ids=sensor_ids,
        sensor_unit_cost_eur=np.array([s.unit_cost_eur.value for s in sensors]),
        sensor_operating_eur_per_year=np.array([s.operating_cost_eur_per_year.value for s in sensors]),
        effector_ids=effector_ids, **arrays.effector_fields(effectors), **escort.effector_escort_fields(effectors),
        p_kill=pk, det_cell=det_cell, det_threat=det_threat, det_site=det_site, det_sensor=det_sensor,
        det_weight=det_weight, eng_cell=eng_cell, eng_threat=eng_threat, eng_site=eng_site,
        eng_effector=eng_effector, mag_share=mag_share, **point.fields(), in_service_sensors=in_sens, in_service_effectors=in_eff,
        conv_ids=conv_ids,
        conv_unit_cost_eur=np.array([c.unit_cost_eur.value for c in convs]),
        conv_operating_eur_per_year=np.array([c.operating_cost_eur_per_year.value for c in convs]),
        conv_score=np.array([c.capability_score.value for c in convs]),
        conv_min_units=np.array([cfg.systems.conventional_min_units.get(c, 0) for c in conv_ids], dtype=np.int64),
        budget_eur=cfg.budget.total_eur,
        nation_cap_eur={nation_index[n]: cap for n, cap in cfg.budget.per_nation_eur.items()},
        horizon_years=cfg.budget.horizon_years, raids_per_year=cfg.threats.raids_per_year,
        surge_factor=cfg.threats.raid_surge_factor, decoy_discrimination=cfg.threats.decoy_discrimination,
        objective=cfg.objective.kind, conventional_weight=cfg.objective.conventional_weight,
        conventional_floor=cfg.objective.conventional_floor,
        defeat_targets={threat_ids.index(t): r for t, r in cfg.objective.defeat_targets.items() if t in threat_ids},
        solver=SolverSettings.from_config(cfg.solver),
        min_detection=arrays.min_detection_array(cfg, nations, threat_ids),
        layer_rank=arrays.layer_ranks(eng_range) if cfg.kill_chain.layered else np.zeros((0, 0), dtype=np.int64),
        layer_follow=arrays.layer_follow(cfg, nations, effectors, threats, eng_range, routes.route_reach_m(cfg, threats), reach_n),
        engage_share=routes.engage_shares(cfg, threats, coverage),
        escort_due=due, **escorts.fields(), min_escort=escort.min_escort_array(cfg, nations, threats, threat_ids),
        **arrays.capability_area_arrays(cfg, convs), **arrays.max_unit_arrays(cfg, nations, sensor_ids, effector_ids))
