"""``dronewall adversary``: the nominal plan beside the plan made against the adversary who sees it (issue #15;
docs/analyses.md, "The adversary who sees the plan").

Both plans are evaluated exactly against the scenario's raid and against each one's best response
(planner.analysis.respond); every axis's worst attack is evaluated against both (where the wall is thin); the
price of robustness is what the adversary-aware plan gives up on the scenario's raid, and the money it moves between
drone defence and conventional forces (in Leopard-2A8 equivalents of capability).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.adversary import Attacker, build_attacker
from planner.analysis.aware import FRONTIER_POINTS, nation_rates, plan_against
from planner.analysis.respond import Response, describe, rate_and_leak, worst_case
from planner.analysis.stress import failure_target
from planner.config.io import Scenario
from planner.errors import ConfigError
from planner.geo.coverage import build_coverage
from planner.geo.theater import Theater, build_theater
from planner.lp.evaluate import plan_parts
from planner.lp.result import FixedPlan, Solved
from planner.lp.runner import Runner
from planner.lp.solve import solve, workers
from planner.plan import Plan, fixed_plan, solve_problem, tabulate
from planner.problem import PlanningProblem, build_problem

__all__ = ["AdversaryResult", "adversary"]


@dataclass
class AdversaryResult:
    table: pd.DataFrame  # one row per (plan, raid): exact figures
    plans: dict[str, Plan]  # "nominal" and "aware"
    summary: dict[str, Any] = field(default_factory=dict)
    axes: pd.DataFrame = field(default_factory=pd.DataFrame)  # per axis: where it is, its worst leak against each plan
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)  # per cell: its axis and midpoint (the map)
    #: The adversary-aware frontier: plans of the search at other leak caps, each against the scenario's raid and its
    #: best response, and the € of each unit of worst-case leak cut.
    frontier: pd.DataFrame = field(default_factory=pd.DataFrame)


def _row(p: PlanningProblem, plan: str, raid: str, demand: np.ndarray, kills: np.ndarray, fixed: FixedPlan,
         conv_score: float) -> dict[str, Any]:
    rate, leak = rate_and_leak(p, demand, kills)
    row = {"plan": plan, "raid": raid, "defeat_rate_value": rate, "leaked_value_over_horizon": leak,
           "drones_per_raid": float(demand.sum()), "leakers_per_raid": float((demand - kills).sum()),
           "drone_defence_eur": float(sum((fixed.nation_spend_eur or {}).values())),
           "conventional_capability": conv_score}
    for t, tid in enumerate(p.threat_ids):
        row[f"defeat_{tid}"] = float(kills[:, t].sum() / demand[:, t].sum()) if demand[:, t].sum() > 0 else math.nan
    return row


def _spend(p: PlanningProblem, s: Solved) -> dict[int, float]:
    """Each nation's drone-defence money in a solved plan: its builds and the munitions of its engagements."""
    builds = p.build_cost_by_nation(s.sensors, s.effectors)
    shots = np.einsum("nte,et,e->n", s.engagements, p.shots(), p.effector_cost_per_shot_eur) * p.raids
    return {n: float(builds[n] + shots[p.cell_nation == n].sum()) for n in range(len(p.nations))}


def adversary(scenario: Scenario, *, theater: Theater | None = None, time_limit_s: float = 300.0,
              frontier_points: int = FRONTIER_POINTS, nominal_floor: float = 0.0,
              progress: Callable[[str], None] | None = None) -> AdversaryResult:
    """Plan nominally, find the adversary's best response, plan against the adversary (planner.analysis.aware), and
    compare the two plans against both raids. ``time_limit_s`` bounds the adversary-aware search; ``frontier_points``
    of its plans (0: none) are held to their best responses (the adversary-aware frontier); ``nominal_floor``: each
    nation's adversary-aware plan also defeats at least this share of the value of the scenario's raid over its
    border (planner.analysis.aware.plan_against)."""
    if time_limit_s <= 0:
        raise ConfigError([("--time-limit", f"{time_limit_s:g} s is no time: give a positive number of seconds")])
    if not 0 <= nominal_floor < 1:
        raise ConfigError([("--nominal-floor", f"{nominal_floor:g} is not a share: give 0 (none) up to below 1, e.g. "
                                               "0.5")])
    cfg = scenario.config
    if cfg.objective.kind == "min_cost" or cfg.objective.defeat_targets:
        raise ConfigError([(f"{scenario.path}: objective", "planning against the adversary maximises the worst case "
                            "within the budget: use objective kind max_defeat or max_defeat_with_floor without class "
                            "targets")])
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    theater = theater or build_theater(scenario)
    coverage = build_coverage(theater, scenario)
    p = build_problem(scenario, theater, coverage)
    att = build_attacker(scenario, theater, coverage, p)
    with workers(p) as lent, (contextlib.nullcontext(lent) if lent is not None else Runner(1)) as runner:
        say("nominal plan")
        solved_n, exact_n = solve_problem(p, runner)
        nominal_plan = tabulate(scenario, theater, p, solved_n, exact_n, {})
        fixed_n = dataclasses.replace(fixed_plan(p, solved_n), nation_spend_eur=_spend(p, solved_n), engagements=None)
        say("planning against the adversary")
        aware = plan_against(att, fixed_n, runner, gap=p.solver.mip_rel_gap, time_limit_s=time_limit_s, progress=say,
                             points=frontier_points, nominal_floor=nominal_floor)
        say("both plans against both raids")
        exact_a = solve(p, fixed=aware.fixed, runner=runner)
        aware_solved = dataclasses.replace(exact_a, status="optimal", gap=aware.gap)
        aware_plan = tabulate(scenario, theater, p, aware_solved, exact_a, {"solve_s": aware.seconds})
        leaks = {"nominal": aware.nominal_leaks, "aware": aware.leaks}
        say("the adversary-aware frontier")
        chosen = (aware.cap, exact_a, aware.response) if aware.fixed is not fixed_n else None
        frontier = _frontier(att, p, aware.points, chosen, runner)
    plans = {"nominal": nominal_plan, "aware": aware_plan}
    assert aware.nominal_response is not None
    responses = {"nominal": aware.nominal_response, "aware": aware.response}
    rows = []
    for name, fixed, exact in (("nominal", fixed_n, exact_n), ("aware", aware.fixed, exact_a)):
        score = float((fixed.conventional * p.conv_score).sum()) if len(p.conv_ids) else 0.0
        kills = np.einsum("nte,et->nt", exact.engagements, p.p_kill)
        rows.append(_row(p, name, "the scenario's raid", p.demand, kills, fixed, score))
        r = responses[name]
        rows.append(_row(p, name, f"best response: {describe(att, r)}", r.demand, r.kills, fixed, score))
    table = pd.DataFrame(rows)
    cells = _cells(att, p, theater)
    axes = _axes(att, p, cells, leaks)
    summary = _summary(scenario, p, att, table, aware, responses)
    summary["nominal_floor"] = nominal_floor
    if nominal_floor > 0:  # the floor holds in the planning model; what the exact evaluation finds, nation by nation
        summary["nation_rates_exact"] = {name: nation_rates(plan_parts(att.worlds[0], fx, by_nation=True))
                                         for name, fx in (("nominal", fixed_n), ("aware", aware.fixed))}
    summary["seconds"] = time.perf_counter() - t0
    return AdversaryResult(table=table, plans=plans, summary=summary, axes=axes, cells=cells, frontier=frontier)


def _frontier(att: Attacker, p: PlanningProblem, points: list[tuple[float, FixedPlan]],
              chosen: tuple[float, Solved, Response] | None, runner: Runner) -> pd.DataFrame:
    """Each point's plan against the scenario's raid and against its own best response (both exact), by drone money
    (``chosen``: the adversary-aware plan's cap, exact evaluation and best response, already known; None when the
    nominal plan did better); ``eur_per_leak_cut``: the drone-defence € of each unit of value the best response leaks
    less than at the point before."""
    rows = []
    for k, (cap, fixed) in enumerate(points):
        mine = chosen is not None and cap == chosen[0]
        exact = chosen[1] if chosen is not None and mine else solve(p, fixed=fixed, runner=runner)
        rate, leak = rate_and_leak(p, p.demand, np.einsum("nte,et->nt", exact.engagements, p.p_kill))
        rows.append({"point": f"aware-{k:02d}", "leak_cap": cap, "chosen": mine,
                     "drone_defence_eur": float(sum((fixed.nation_spend_eur or {}).values())),
                     "conventional_capability": float((fixed.conventional * p.conv_score).sum()),
                     **{f"units_{c}": int(fixed.conventional[i]) for i, c in enumerate(p.conv_ids)},
                     "defeat_rate_value": rate, "leaked_value_over_horizon": leak,
                     **worst_case(att, fixed, runner, chosen[2] if chosen is not None and mine else None)})
    out = pd.DataFrame(rows)
    if len(out):
        out["eur_per_leak_cut"] = _eur_per_leak_cut(out["drone_defence_eur"].to_numpy(),
                                                     out["best_response_leak"].to_numpy())
    return out


def _eur_per_leak_cut(money: np.ndarray, leak: np.ndarray) -> np.ndarray:
    """Along points by money, the € of each unit of worst-case leak cut: for a point leaking less than every cheaper
    one (the lower envelope), its extra money over the last such point per unit it leaks less; NaN elsewhere (a point
    that cuts nothing, or leaks more than a cheaper one: attacks outside the set planned against may beat a cap). The
    leak, not the rate, compares plans: each best response's rate has its own denominator."""
    out = np.full(len(money), np.nan)
    last = 0
    for i in range(1, len(money)):
        if leak[i] < leak[last] - 1e-9:
            out[i] = (money[i] - money[last]) / (leak[last] - leak[i])
            last = i
    return out


def _cells(att: Attacker, p: PlanningProblem, theater: Theater) -> pd.DataFrame:
    mid = theater.cells.geometry.interpolate(0.5, normalized=True).to_crs(4326)
    return pd.DataFrame({"cell_id": p.cell_ids, "axis": [att.axis_names[a] for a in att.axis],
                         "lon": mid.x.to_numpy(), "lat": mid.y.to_numpy()})


def _axes(att: Attacker, p: PlanningProblem, cells: pd.DataFrame,
          leaks: dict[str, dict[tuple[int, int, int], float]]) -> pd.DataFrame:
    rows = []
    for a, name in enumerate(att.axis_names):
        on = att.axis == a
        row: dict[str, Any] = {"axis": name, "nation": p.nations[int(p.cell_nation[on][0])], "km": float(att.axis_km[a]),
                               "lon": float(cells["lon"][on].mean()), "lat": float(cells["lat"][on].mean())}
        for plan, by in leaks.items():
            worst = max((v, h, s) for (h, s, b), v in by.items() if b == a)
            row[f"leak_{plan}"] = worst[0]
            row[f"profile_{plan}"] = att.profiles[worst[1]]
            row[f"decoy_share_{plan}"] = att.decoy_shares[worst[2]]
        rows.append(row)
    return pd.DataFrame(rows)


def _summary(scenario: Scenario, p: PlanningProblem, att: Attacker, table: pd.DataFrame, aware: Any,
             responses: dict[str, Response]) -> dict[str, Any]:
    t = table.set_index(["plan", table["raid"].str.startswith("best").map({True: "best", False: "nominal"})])
    nominal_rate = float(t.loc[("nominal", "nominal"), "defeat_rate_value"])
    target, target_from = failure_target(p, nominal_rate, None)
    per_plan: dict[str, dict[str, Any]] = {}
    for name in ("nominal", "aware"):
        r = responses[name]
        per_plan[name] = {
            "nominal_rate": float(t.loc[(name, "nominal"), "defeat_rate_value"]),
            "best_response_rate": float(t.loc[(name, "best"), "defeat_rate_value"]),
            "nominal_leak": float(t.loc[(name, "nominal"), "leaked_value_over_horizon"]),
            "best_response_leak": float(r.damage),
            "best_response": describe(att, r),
            "drone_defence_eur": float(t.loc[(name, "nominal"), "drone_defence_eur"]),
            "conventional_capability": float(t.loc[(name, "nominal"), "conventional_capability"]),
            "expensive_failure": bool(t.loc[(name, "best"), "defeat_rate_value"] < target),
        }
    n, a = per_plan["nominal"], per_plan["aware"]
    return {
        "scenario": scenario.name, "config_hash": scenario.config_hash(), "plans": per_plan,
        "target": target, "target_from": target_from,
        "choices": len(att.profiles) * len(att.decoy_shares) * (len(att.axis_names) + 1) ** len(att.groups),
        "axis_count": len(att.axis_names), "profiles": list(att.profiles),
        "decoy_shares": [s for s in att.decoy_shares if s is not None],
        "attacks_planned_against": [{"axis": ax, "profile": pr, "decoy_share": sh} for ax, pr, sh in aware.attacks],
        "leak_cap": aware.cap, "objective": aware.objective, "bound": aware.bound, "gap": aware.gap,
        "rounds": aware.rounds, "search_s": aware.seconds,
        "price_of_robustness_pp": 100 * (n["nominal_rate"] - a["nominal_rate"]),
        "worst_case_gain_pp": 100 * (a["best_response_rate"] - n["best_response_rate"]),
        "worst_case_leak_cut": 1 - a["best_response_leak"] / n["best_response_leak"] if n["best_response_leak"] else 0.0,
        "drone_defence_shift_eur": a["drone_defence_eur"] - n["drone_defence_eur"],
        "conventional_capability_shift": a["conventional_capability"] - n["conventional_capability"],
        "rule": "the adversary keeps each class's drones per raid and chooses an axis, an altitude profile and a decoy "
                "share to leak the most value; the aware plan maximises conventional value less that leak",
    }
