"""Robust planning: one plan against a set of catalog draws, and the price of that robustness (docs/analyses.md).

The nominal plan is the ordinary optimum at the catalogs' central figures. The robust plan shares one
set of builds across the nominal world and ``draws`` catalog draws (triangular on each ranged figure,
as in :mod:`planner.analysis.uncertainty`) and maximises the worst world's value-weighted defeats
(``worst``) or their mean (``expected``), within the budget in every world at that world's prices.

Both plans are then evaluated exactly in the nominal world, in the planning draws and in ``holdout``
fresh draws the robust plan never saw. The **price of robustness** is what the robust plan gives up in
the nominal world (percentage points of value-weighted defeat, and the money it moves); its **gain**
is what it adds in the worst and the 5th-percentile held-out draw.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.analysis.uncertainty import _rate, draw_problem, evaluate_in_world
from planner.config.io import Scenario, display_path
from planner.errors import ConfigError
from planner.geo.coverage import build_coverage
from planner.geo.theater import Theater, build_theater
from planner.lp.formulation import ROBUST_MODES
from planner.lp.result import FixedPlan, Solved
from planner.lp.runner import Runner, worker_count
from planner.lp.solve import solve, solve_robust
from planner.plan import Plan, fixed_plan, solve_problem, tabulate
from planner.problem import PlanningProblem, build_problem

MODES = ROBUST_MODES


@dataclass
class RobustResult:
    table: pd.DataFrame  # one row per (plan, world): exact value-weighted and per-class defeat rates, spend
    plans: dict[str, Plan]  # "nominal" and "robust"
    summary: dict[str, Any] = field(default_factory=dict)


def robust(scenario: Scenario, *, draws: int = 4, mode: str = "worst", holdout: int = 20, seed: int | None = None,
           theater: Theater | None = None, workers: int | None = None,
           progress: Callable[[str], None] | None = None) -> RobustResult:
    """Plan against the nominal world and ``draws`` catalog draws; compare with the nominal plan in
    ``holdout`` fresh draws. ``workers`` caps the worker processes (default: ``solver.threads``)."""
    if mode not in MODES:
        raise ConfigError([("--mode", f"'{mode}' is not a robust mode: use one of {', '.join(MODES)}")])
    if draws < 1:
        raise ConfigError([("--draws", f"{draws} is too few: plan against at least one draw")])
    if holdout < 1:
        raise ConfigError([("--holdout", f"{holdout} is too few: test the plans in at least one fresh draw")])
    if workers is not None and workers < 1:
        raise ConfigError([("--workers", f"{workers} is not a number of workers: give 1 or more")])
    cfg = scenario.config
    if cfg.objective.kind == "min_cost" or cfg.objective.defeat_targets:
        raise ConfigError([(f"{display_path(scenario.path)}: objective",
                            "robust planning maximises defeats within the budget: use objective kind max_defeat "
                            "or max_defeat_with_floor without class targets (`dronewall premium` finds the "
                            "least cost of a defeat rate)")])
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    seed = cfg.solver.seed if seed is None else seed
    if workers is not None:
        scenario = dataclasses.replace(scenario, config=cfg.model_copy(
            update={"solver": cfg.solver.model_copy(update={"threads": workers})}))
    theater = theater or build_theater(scenario)
    coverage = build_coverage(theater, scenario)
    p = build_problem(scenario, theater, coverage)
    planning_rng, holdout_rng = (np.random.default_rng([seed, k]) for k in (0, 1))
    # The planning worlds differ in how systems perform and what they cost, not in what a defeat is worth:
    # their value weights stay nominal (a drawn warhead mass would otherwise make the lightest world "worst").
    worlds = [dataclasses.replace(draw_problem(scenario, p, theater, coverage, planning_rng), value=p.value)
              for _ in range(draws)]

    say("nominal plan")
    solved_n, exact_n = solve_problem(p)
    nominal = tabulate(scenario, theater, p, solved_n, exact_n, {})
    say(f"robust plan against {1 + draws} worlds ({mode})")
    t1 = time.perf_counter()
    # Every world adds the nominal problem's size again: the time limit grows with the worlds, and the
    # nominal plan is the MIP start.
    q = dataclasses.replace(p, solver=p.solver.replace(time_limit_s=p.solver.time_limit_s * (1 + draws)))
    solved_r = solve_robust([q, *worlds], mode=mode, start=(solved_n.sensors, solved_n.effectors))
    robust_s = time.perf_counter() - t1
    exact_r = solve(p, fixed=fixed_plan(p, solved_r))
    robust_plan = tabulate(scenario, theater, p, solved_r, exact_r, {"solve_s": robust_s})
    plans = {"nominal": nominal, "robust": robust_plan}

    rows: list[dict[str, Any]] = []
    fixed = {name: (fixed_plan(p, s), _munitions(p, s)) for name, s in (("nominal", solved_n), ("robust", solved_r))}
    for name, x in (("nominal", exact_n), ("robust", exact_r)):
        rows.append({"plan": name, "world": "nominal", "set": "nominal", **_row(p, x, fixed[name][0])})
    with Runner(worker_count(p, len(p.nations))) as runner:
        say(f"both plans in {draws} planning draws")
        for d, q in enumerate(worlds):
            for name, (f, mun) in fixed.items():
                rows.append({"plan": name, "world": f"draw {d}", "set": "planning",
                             **evaluate_in_world(q, f, mun, runner)})
        say(f"both plans in {holdout} held-out draws")
        for d in range(holdout):
            q = draw_problem(scenario, p, theater, coverage, holdout_rng)
            for name, (f, mun) in fixed.items():
                rows.append({"plan": name, "world": f"held-out {d}", "set": "held-out",
                             **evaluate_in_world(q, f, mun, runner)})
    table = pd.DataFrame(rows)
    summary = _summary(scenario, p, table, plans, solved_r, mode=mode, draws=draws, holdout=holdout, seed=seed)
    summary["seconds"] = time.perf_counter() - t0
    summary["robust_solve_s"] = robust_s
    return RobustResult(table=table, plans=plans, summary=summary)


def _munitions(p: PlanningProblem, s: Solved) -> dict[str, float]:
    """Munitions euros the plan sets aside in the nominal world, by nation name."""
    per_cell = np.einsum("nte,et,e->n", s.engagements, p.shots(), p.effector_cost_per_shot_eur) * p.raids
    return {nation: float(per_cell[p.cell_nation == n].sum()) for n, nation in enumerate(p.nations)}


def _row(p: PlanningProblem, x: Solved, f: FixedPlan) -> dict[str, Any]:
    kills = np.einsum("nte,et->nt", x.engagements, p.p_kill)
    costs = p.costs(f.sensors, f.effectors, x.engagements, f.conventional)
    row = {"defeat_rate_value": _rate(p, x.engagements), "drone_defence_eur": costs["drone_defence"],
           "total_eur": costs["total"]}
    for t, tid in enumerate(p.threat_ids):
        row[f"defeat_{tid}"] = float(kills[:, t].sum() / max(p.demand[:, t].sum(), 1e-12))
    return row


def _summary(scenario: Scenario, p: PlanningProblem, table: pd.DataFrame, plans: dict[str, Plan],
             solved_r: Solved, *, mode: str, draws: int, holdout: int, seed: int) -> dict[str, Any]:
    per_plan: dict[str, Any] = {}
    total_value = float((p.value * p.demand).sum() * p.raids)
    for name, plan in plans.items():
        t = table[table["plan"] == name]
        held = t[t["set"] == "held-out"]["defeat_rate_value"].to_numpy()
        planning = t[t["set"] == "planning"]["defeat_rate_value"].to_numpy()
        nominal_rate = float(t[t["set"] == "nominal"]["defeat_rate_value"].iloc[0])
        per_plan[name] = {
            "nominal_rate": nominal_rate,
            "planning_worst": float(min(planning.min(), nominal_rate)),
            "planning_mean": float(np.mean([nominal_rate, *planning])),
            "held_out_worst": float(held.min()), "held_out_p05": float(np.quantile(held, 0.05)),
            "held_out_mean": float(held.mean()), "held_out_p95": float(np.quantile(held, 0.95)),
            "drone_defence_eur": float(plan.summary["spend_eur"]["drone_defence"]),
            "conventional_capability": float(plan.summary["conventional_capability"]),
            "conventional_units": {cid: int(u) for cid, u in zip(p.conv_ids, plan.solved.conventional, strict=True)
                                   if u},
            "gap": plan.solved.gap,
            # What the solver's gap is worth in points of value-weighted defeat: differences between
            # the plans smaller than the two resolutions together are within the solvers' tolerance.
            # (None when no drone carries value: no rate to resolve.)
            "resolution_pp": 100 * (plan.solved.gap or 0.0) * abs(plan.solved.objective) / total_value
            if total_value > 0 else None,
        }
    n, r = per_plan["nominal"], per_plan["robust"]
    return {
        "scenario": scenario.name, "config_hash": scenario.config_hash(), "mode": mode, "draws": draws,
        "holdout": holdout, "seed": seed, "worlds_planned": 1 + draws,
        "rule": "triangular draws on (low, value, high) of every ranged catalog figure; the robust plan's "
                "budget holds in every planning world at that world's prices",
        "plans": per_plan,
        "price_of_robustness_pp": 100 * (n["nominal_rate"] - r["nominal_rate"]),
        "gain_held_out_worst_pp": 100 * (r["held_out_worst"] - n["held_out_worst"]),
        "gain_held_out_p05_pp": 100 * (r["held_out_p05"] - n["held_out_p05"]),
        "gain_held_out_mean_pp": 100 * (r["held_out_mean"] - n["held_out_mean"]),
        "resolution_pp": None if n["resolution_pp"] is None else n["resolution_pp"] + r["resolution_pp"],
        "drone_defence_shift_eur": r["drone_defence_eur"] - n["drone_defence_eur"],
        "conventional_capability_shift": r["conventional_capability"] - n["conventional_capability"],
        "robust_solver": {k: v for k, v in solved_r.info.as_dict().items()
                          if k in ("strategy", "robust", "bound", "sectors")}
        | {"gap": solved_r.gap},
    }

