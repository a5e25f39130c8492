"""Solving a scenario into a :class:`Plan`: the optimizer's choice, its promise and its exact value.

The plan holds plain tables keyed by ids; reports read plans, never the model.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner import escort, reprs
from planner.analysis.burden import burden_sharing
from planner.analysis.exchange import exchange_table
from planner.config.io import Scenario
from planner.errors import InfeasibleError
from planner.geo.theater import Theater, build_theater
from planner.lp.families import explain
from planner.lp.result import FixedPlan, Solved
from planner.lp.runner import Runner
from planner.lp.solve import solve, workers
from planner.problem import PlanningProblem, build_problem


@dataclass(repr=False)
class Plan:
    """A solved plan. Tables are pandas DataFrames; ``cells``/``sites`` join the theater by id."""

    scenario: Scenario
    theater: Theater
    problem: PlanningProblem
    solved: Solved
    exact: Solved
    summary: dict[str, Any]
    threats: pd.DataFrame  # per threat class: demand, defeat rates (LP and exact), leakers, cost-exchange
    spend: pd.DataFrame  # one row per (category, nation, system): units and euros
    units: pd.DataFrame  # one row per (site, system) built
    cells: pd.DataFrame  # per cell: detection and defeat probability and leakers per class (exact)
    sites: pd.DataFrame  # per site: systems placed, cost
    conventional: pd.DataFrame  # per conventional option: units, cost, capability
    exchange: pd.DataFrame  # cost-exchange three ways per (nation, threat class): planner.analysis.exchange
    timings: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        return reprs.plan_text(self)

    def _repr_html_(self) -> str:
        return reprs.plan_html(self)

    def geo_cells(self) -> Any:
        """The border cells with the theater's geometry (a GeoDataFrame in the working CRS): the rows of cells.csv."""
        cols = ["cell_id", "border_id", "defender", "neighbour", "length_m", "geometry"]
        return self.theater.cells[cols].merge(self.cells.drop(columns="nation"), on="cell_id")

    def geo_sites(self) -> Any:
        """The sites the plan builds on with the theater's geometry (a GeoDataFrame in the working CRS)."""
        sites = self.theater.sites.merge(self.sites.drop(columns="nation"), on="site_id")
        return sites[sites["systems"] != ""]


def fixed_plan(problem: PlanningProblem, s: Solved) -> FixedPlan:
    """The solved plan held fixed (builds, conventional units, total cost, planned engagements)."""
    return FixedPlan(sensors=s.sensors, effectors=s.effectors, conventional=s.conventional,
                     cost_eur=_costs(problem, s)["total"], engagements=s.engagements)


def _costs(p: PlanningProblem, s: Solved) -> dict[str, float]:
    return p.costs(s.sensors, s.effectors, s.engagements, s.conventional)


def kills(p: PlanningProblem, s: Solved) -> np.ndarray:
    """Expected kills per raid, (N, T)."""
    return np.einsum("nte,et->nt", s.engagements, p.p_kill)


def exact_detection(p: PlanningProblem, s: Solved) -> np.ndarray:
    """Exact P(detect) per (cell, threat): 1 − exp(−Σ looks) for the sensors the plan built."""
    return p.detection_probability(s.sensors)


def value_of(p: PlanningProblem, s: Solved) -> float:
    """Value-weighted expected drones defeated over the horizon (the drone part of the objective)."""
    return float((kills(p, s) * p.value).sum() * p.raids)


#: Share of ``solver.time_limit_s`` kept for the exact evaluation; the search for the plan has the rest.
EXACT_EVALUATION_SHARE = 0.3


def solve_problem(problem: PlanningProblem, runner: Runner | None = None) -> tuple[Solved, Solved]:
    """Solve the MILP, then evaluate its plan exactly (detection exact, engagements re-optimised).

    ``solver.time_limit_s`` bounds both together: the search for the plan (national MILPs, pricing rounds)
    must end by three quarters of it, the exact evaluation by the whole of it. ``runner`` lends worker processes
    that outlive the call (several solves of one scenario); without it the call starts its own.
    """
    limit = problem.solver.time_limit_s
    deadline = time.time() + limit
    search = dataclasses.replace(problem, solver=problem.solver.replace(
        deadline=deadline - EXACT_EVALUATION_SHARE * limit))
    evaluation = dataclasses.replace(problem, solver=problem.solver.replace(deadline=deadline))
    with (contextlib.nullcontext(runner) if runner is not None else workers(problem)) as runner:
        try:
            solved = solve(search, runner=runner)
        except InfeasibleError as exc:
            raise InfeasibleError(_explain_infeasible(problem, str(exc))) from None
        return solved, solve(evaluation, fixed=fixed_plan(problem, solved), runner=runner)


def _explain_infeasible(p: PlanningProblem, found: str) -> str:
    """Why no plan exists, from the data: each constraint family's explanation (planner.lp.families.explain)."""
    parts = explain(p, best_reachable_rate)
    if not parts:
        parts.append("the targets are each reachable alone but not together within the budget" if p.defeat_targets
                     else found)
    return "; ".join(parts)


def best_reachable_rate(p: PlanningProblem, t: int) -> float:
    """The highest defeat rate for threat class ``t`` any plan reaches within the budget (LP promise)."""
    value = np.zeros_like(p.value)
    value[:, t] = 1.0
    q = dataclasses.replace(p, value=value, objective="max_defeat", conventional_weight=0.0, defeat_targets={})
    s = solve(q)
    return float(kills(q, s)[:, t].sum() / max(p.demand[:, t].sum(), 1e-12))


def area_table(p: PlanningProblem, units: np.ndarray) -> list[dict[str, Any]]:
    """Per capability area: Leopard-2A8 equivalents bought, the requirement left after the points in service
    (null: no requirement, valued linearly) and how many of the points bought it values in full."""
    if not len(p.area_ids) or not len(units):
        return []
    bought = units @ p.conv_area_points
    return [{"area": a, "points_bought": float(bought[k]),
             "requirement_left_points": float(p.area_below[k]) if np.isfinite(p.area_below[k]) else None,
             "points_valued_in_full": float(min(bought[k], p.area_below[k]))}
            for k, a in enumerate(p.area_ids)]


def break_even(p: PlanningProblem, units: np.ndarray) -> dict[str, Any]:
    """The exchange rate behind a plan with conventional ``units`` (C,), in euros: what one more euro buys on the
    conventional side, as € per value-weighted drone defeated (None when no conventional unit adds value: drone
    defence is then worth any price), with the option that sets it and its euros per valued point."""
    k, w = p.conv_cost_eur, p.conventional_weight
    base = p.conventional_value(units, 1.0)
    best, option = 0.0, None
    for c in range(len(p.conv_ids)):
        step = np.zeros(len(p.conv_ids))
        step[c] = 1
        per_eur = (p.conventional_value(units + step, 1.0) - base) / k[c] if k[c] > 0 else 0.0
        if per_eur > best:
            best, option = per_eur, p.conv_ids[c]
    if option is None or w <= 0:
        return {"break_even_eur_per_drone": None, "marginal_option": None, "marginal_eur_per_point": None}
    return {"break_even_eur_per_drone": 1.0 / (w * best), "marginal_option": option,
            "marginal_eur_per_point": 1.0 / best}


def consequence_summary(p: PlanningProblem, defeated: np.ndarray, demand: np.ndarray,
                        raids: float) -> dict[str, Any] | None:
    """With objective.consequence: what one value unit is in euros (a leaker of the scenario's mean armed drone),
    and the harm the drones would do over the horizon if none were defeated, the harm the plan averts and the harm
    left (exact evaluation; ``defeated`` and ``demand`` per raid, (N, T)). None when drones are counted."""
    if p.harm_eur is None:
        return None
    at_stake = float((demand * p.harm_eur).sum() * raids)
    averted = float((defeated * p.harm_eur).sum() * raids)
    return {"value_unit_eur": p.value_unit_eur, "harm_at_stake_eur": at_stake, "harm_averted_exact_eur": averted,
            "harm_left_exact_eur": at_stake - averted,
            "harm_per_leaker_eur": {tid: float(np.average(p.harm_eur[:, t], weights=demand[:, t]))
                                    if demand[:, t].sum() > 0 else None for t, tid in enumerate(p.threat_ids)}}


def gap_text(gap: float | None, target: float) -> str:
    """A proven gap in words against its target, with enough digits to be true (1.03% is not "1.0%")."""
    if gap is None or not np.isfinite(gap):
        return "no proven gap (the solver returned no bound)"
    shown = f"{100 * gap:.2f}%" if gap < 0.1 else f"{100 * gap:.1f}%"
    if gap <= target + 1e-9:
        return f"the plan is proven within {shown} of the best (target {100 * target:g}%)"
    return (f"the solver stopped {shown} from the best bound, above the {100 * target:g}% target: the plan may be "
            "improvable")


def confidence(p: PlanningProblem, s: Solved) -> dict[str, Any]:
    """How far the plan may be from the best, beside the whole objective's proven gap (issue #13, "honest
    confidence"): the same absolute gap against the drone-defence part of the objective alone (an upper bound on
    that part's gap: all of the slack is charged to it, none to the conventional units), each nation's national
    MILP gap at the last price on money (strategy sectors), and the status in words."""
    out: dict[str, Any] = {"status_text": gap_text(s.gap, p.solver.mip_rel_gap)}
    if s.gap is None:
        return out
    if s.info.bound is not None:
        slack = max(s.info.bound - s.objective, 0.0)
    elif s.gap < 1:  # gap = slack / max(|bound|, |plan|) ≤ slack / (|plan| + slack): slack ≤ gap·|plan| / (1 − gap)
        slack = s.gap * abs(s.objective) / (1 - s.gap)
    else:
        return out
    drone = value_of(p, s)
    out["gap_drone_defence_max"] = slack / drone if drone > 0 else None
    if s.info.price_evaluations:
        out["gap_by_nation_last_price"] = {n: v["gap"] for n, v in s.info.price_evaluations[-1]["sectors"].items()}
    return out


def solve_scenario(scenario: Scenario, theater: Theater | None = None) -> Plan:
    """Build the theater and the problem, solve, evaluate exactly, and tabulate the plan."""
    t0 = time.perf_counter()
    theater = theater or build_theater(scenario)
    t1 = time.perf_counter()
    problem = build_problem(scenario, theater)
    t2 = time.perf_counter()
    solved, exact = solve_problem(problem)
    t3 = time.perf_counter()
    timings = {"theater_s": t1 - t0, "problem_s": t2 - t1, "model_build_s": solved.build_s,
               "solve_s": solved.solve_s, "exact_evaluation_s": exact.build_s + exact.solve_s, "total_s": t3 - t0}
    return tabulate(scenario, theater, problem, solved, exact, timings)


def tabulate(scenario: Scenario, theater: Theater, p: PlanningProblem, s: Solved, x: Solved,
             timings: dict[str, float]) -> Plan:
    """Turn raw solver arrays into the plan's tables."""
    raids = p.raids
    k_lp, k_ex = kills(p, s), kills(p, x)
    crewed = escort.crewed_classes(scenario.catalog, p.threat_ids)
    drone = ~crewed  # "all" counts drones: crewed incursions are escorted or shot, reported apart (summary["escort"])
    demand = p.demand
    pdet = exact_detection(p, s)
    costs = _costs(p, s)
    munitions_by_class = np.einsum("nte,et,e->t", s.engagements, p.shots(), p.effector_cost_per_shot_eur) * raids
    threats = pd.DataFrame({
        "threat": p.threat_ids,
        "decoy": p.threat_decoy,
        "drones_per_raid": demand.sum(0),
        "drones_over_horizon": demand.sum(0) * raids,
        "defeat_rate_lp": k_lp.sum(0) / np.maximum(demand.sum(0), 1e-12),
        "defeat_rate_exact": k_ex.sum(0) / np.maximum(demand.sum(0), 1e-12),
        "detect_rate_exact": (pdet * demand).sum(0) / np.maximum(demand.sum(0), 1e-12),
        "leakers_per_raid": demand.sum(0) - k_ex.sum(0),
        "leakers_over_horizon": (demand.sum(0) - k_ex.sum(0)) * raids,
        "munitions_eur_over_horizon": munitions_by_class,
        "munitions_eur_per_defeat": munitions_by_class / np.maximum(k_lp.sum(0) * raids, 1e-12),
        "threat_unit_cost_eur": p.threat_unit_cost_eur,
    })
    threats["munitions_exchange_ratio"] = threats["munitions_eur_per_defeat"] / threats["threat_unit_cost_eur"]
    threats.loc[k_lp.sum(0) <= 1e-9, ["munitions_eur_per_defeat", "munitions_exchange_ratio"]] = np.nan

    # Units and spend by site and system.
    rows = []
    h = p.horizon_years
    for kind, arr, old, ids, unit, op in (
        ("sensor", s.sensors, p.in_service_sensors, p.sensor_ids, p.sensor_unit_cost_eur,
         p.sensor_operating_eur_per_year),
        ("effector", s.effectors, p.in_service_effectors, p.effector_ids, p.effector_unit_cost_eur,
         p.effector_operating_eur_per_year),
    ):
        for j, k in zip(*np.nonzero((arr > 0.5) | old), strict=True):
            rows.append({"site_id": p.site_ids[j], "nation": p.nations[p.site_nation[j]], "category": kind,
                         "system": ids[k], "units": 1, "in_service": bool(old[j, k]),
                         "acquisition_eur": 0.0 if old[j, k] else float(unit[k]), "operation_eur": float(op[k] * h)})
    units = pd.DataFrame(rows, columns=["site_id", "nation", "category", "system", "units", "in_service",
                                        "acquisition_eur", "operation_eur"])
    mun = np.einsum("nte,et,e->ne", s.engagements, p.shots(), p.effector_cost_per_shot_eur) * raids
    spend_rows = []
    if len(units):
        g = units.groupby(["category", "nation", "system"], as_index=False)[["units", "acquisition_eur",
                                                                          "operation_eur"]].sum()
        for r in g.itertuples(index=False):
            spend_rows.append({"category": r.category, "nation": r.nation, "system": r.system, "units": r.units,
                               "acquisition_eur": r.acquisition_eur, "operation_eur": r.operation_eur,
                               "munitions_eur": 0.0})
    for n_idx, nation in enumerate(p.nations):
        for e, eid in enumerate(p.effector_ids):
            m = float(mun[p.cell_nation == n_idx, e].sum())
            if m > 0:
                spend_rows.append({"category": "munitions", "nation": nation, "system": eid, "units": 0,
                                   "acquisition_eur": 0.0, "operation_eur": 0.0, "munitions_eur": m})
    conv = pd.DataFrame({
        "option": p.conv_ids, "units": s.conventional.astype(int),
        "acquisition_eur": s.conventional * p.conv_unit_cost_eur,
        "operation_eur": s.conventional * p.conv_operating_eur_per_year * h,
        "capability": s.conventional * p.conv_score,
    })
    for r in conv[conv["units"] > 0].itertuples(index=False):
        spend_rows.append({"category": "conventional", "nation": "all", "system": r.option, "units": r.units,
                           "acquisition_eur": r.acquisition_eur, "operation_eur": r.operation_eur,
                           "munitions_eur": 0.0})
    spend = pd.DataFrame(spend_rows, columns=["category", "nation", "system", "units", "acquisition_eur",
                                              "operation_eur", "munitions_eur"])
    spend["total_eur"] = spend[["acquisition_eur", "operation_eur", "munitions_eur"]].sum(axis=1)

    cells = pd.DataFrame({"cell_id": p.cell_ids, "nation": np.array(p.nations)[p.cell_nation]})
    for t, tid in enumerate(p.threat_ids):
        lam = demand[:, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            cells[f"p_detect_{tid}"] = np.where(lam > 0, pdet[:, t], np.nan)
            cells[f"p_defeat_{tid}"] = np.where(lam > 0, k_ex[:, t] / lam, np.nan)
        cells[f"leakers_{tid}"] = (lam - k_ex[:, t]) * raids
    tot = demand[:, drone].sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cells["p_defeat_all"] = np.where(tot > 0, k_ex[:, drone].sum(1) / tot, np.nan)
    cells["leakers_all"] = (tot - k_ex[:, drone].sum(1)) * raids
    cells["drones_all"] = tot * raids  # crossing the cell over the horizon: the weight of any share of "drones defeated"

    site_cost = units.assign(cost=units["acquisition_eur"] + units["operation_eur"]).groupby("site_id").agg(
        systems=("system", lambda v: ",".join(sorted(v))), cost_eur=("cost", "sum"))
    sites = pd.DataFrame({"site_id": p.site_ids, "nation": np.array(p.nations)[p.site_nation]}).merge(
        site_cost, left_on="site_id", right_index=True, how="left").fillna({"systems": "", "cost_eur": 0.0})

    defeated_total_h = float(k_ex[:, drone].sum() * raids)
    fought = _costs(p, x)  # the plan's costs with the munitions of its exact evaluation's engagements
    demand_total = float(demand[:, drone].sum())
    real = ~p.threat_decoy & drone
    summary = {
        "scenario": p.name,
        "config_hash": p.config_hash,
        "objective_kind": p.objective,
        "budget_eur": p.budget_eur,
        "horizon_years": p.horizon_years,
        "raids_over_horizon": raids,
        "spend_eur": costs,
        "conventional_capability": float((s.conventional * p.conv_score).sum()),
        "conventional_by_area": area_table(p, s.conventional),
        "break_even": ({**break_even(p, s.conventional), "conventional_weight": p.conventional_weight}
                       if p.objective == "max_defeat" and len(p.conv_ids) else None),
        "consequence": consequence_summary(p, k_ex, demand, raids),
        "value_defeated_lp": value_of(p, s),
        "value_defeated_exact": value_of(p, x),
        "defeat_rate_all_lp": float(k_lp[:, drone].sum() / max(demand_total, 1e-12)),
        "defeat_rate_all_exact": float(k_ex[:, drone].sum() / max(demand_total, 1e-12)),
        "defeat_rate_armed_exact": float(k_ex[:, real].sum() / max(demand[:, real].sum(), 1e-12)),
        "drones_defeated_over_horizon_exact": defeated_total_h,
        "drones_over_horizon": demand_total * raids,
        # The headline € per drone defeated is the exact evaluation's, like the headline rates (and the stress test's
        # nominal row): the plan's fixed drone-defence costs and the munitions its exact engagements fire, over the
        # drones they defeat. The per-class cost-exchange figures use the planned (LP) engagements instead.
        "drone_defence_eur_per_defeat": fought["drone_defence"] / defeated_total_h if defeated_total_h > 0 else None,
        "munitions_eur_per_defeat": fought["munitions"] / defeated_total_h if defeated_total_h > 0 else None,
        "solver": {"status": s.status, "gap": s.gap, **confidence(p, s), **s.sizes, "backend": p.solver.backend,
                   "strategy": s.info.strategy or p.solver.strategy,
                   "time_limit_s": p.solver.time_limit_s, "mip_rel_gap": p.solver.mip_rel_gap,
                   **{k: v for k, v in s.info.as_dict().items() if k != "strategy"}},
        "problem": p.sizes(),
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
    escorts = escort.escort_summary(p, crewed, pdet * demand, x.escorts, s.effectors,
                                    escort.responses(scenario.config, p.nations))
    if escorts is not None:  # crewed incursions (planner.escort)
        summary["escort"] = escorts
    burden = burden_sharing(scenario, p, s, x)
    if burden is not None:  # funding: who pays, who hosts (planner.analysis.burden)
        summary["burden"] = burden
    exchange = exchange_table(p, s.sensors, s.effectors, s.engagements, x.engagements)
    return Plan(scenario=scenario, theater=theater, problem=p, solved=s, exact=x, summary=summary, threats=threats,
                spend=spend, units=units, cells=cells, sites=sites, conventional=conv, exchange=exchange,
                timings=timings)
