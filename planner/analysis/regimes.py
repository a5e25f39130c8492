"""Threat regimes: the split between drone defence and conventional forces when the future may be peace, a grey-zone
campaign or war (docs/analyses.md).

For each regime of ``threats.regimes`` (:mod:`planner.config.regimes`) the scenario is planned as if that regime
were certain; then once across all regimes at their weights: one set of builds and conventional units, each
regime with its own engagements (the robust model's expected mode, each regime's drone value times its weight),
the budget holding in every regime (so the munitions of the dearest future must be affordable). Every plan is then
evaluated exactly in every regime: builds and conventional units fixed, detection exact, engagements re-optimised
within the munitions money the plan leaves (the budget less its builds and conventional buy), shared among nations
as the plan's own munitions are (by drones faced where it planned none).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.config.io import Scenario
from planner.config.regimes import WEIGHTED, ThreatRegime
from planner.errors import ConfigError
from planner.escort import crewed_classes
from planner.geo.theater import build_theater
from planner.lp.result import FixedPlan, Solved
from planner.lp.runner import Runner
from planner.lp.solve import solve, solve_robust, workers
from planner.plan import solve_problem
from planner.problem import PlanningProblem, build_problem


@dataclass
class RegimesResult:
    table: pd.DataFrame  # one row per (plan, regime it is evaluated in)
    plans: pd.DataFrame  # one row per plan: what it buys, and its weighted figures across the regimes
    meta: dict[str, Any] = field(default_factory=dict)


def regime_problem(p: PlanningProblem, regime: ThreatRegime) -> PlanningProblem:
    """The scenario's problem under one regime: its raids a year, every class's drones per raid scaled."""
    return dataclasses.replace(p, demand=p.demand * regime.drones_per_raid_factor, raids_per_year=regime.raids_per_year)


def munitions_money(p: PlanningProblem, s: Solved) -> dict[int, float]:
    """Each nation's spend allowed in an evaluation: its builds plus a share of the munitions money the plan
    leaves (budget − builds − conventional buy), shared as the plan's own munitions are (by drones faced where the
    plan fires none)."""
    builds = p.build_cost_by_nation(s.sensors, s.effectors)
    conventional = float((s.conventional * p.conv_cost_eur).sum())
    left = max(p.budget_eur - float(builds.sum()) - conventional, 0.0)
    planned = p.spend_by_nation(s.sensors, s.effectors, s.engagements) - builds
    share = planned if planned.sum() > 0 else np.bincount(p.cell_nation, weights=p.demand.sum(1),
                                                          minlength=len(p.nations))
    share = share / share.sum() if share.sum() > 0 else np.full(len(p.nations), 1 / len(p.nations))
    return {n: float(builds[n] + left * share[n]) for n in range(len(p.nations))}


def _evaluate(q: PlanningProblem, s: Solved, spend: dict[int, float], runner: Runner | None,
              crewed: np.ndarray) -> dict[str, float]:
    """The plan's exact evaluation in regime ``q``; its counts and rates are of drones, as plan.json's are (crewed
    incursions, ``crewed`` (T,), are escorted or shot and reported apart)."""
    fixed = FixedPlan(sensors=s.sensors, effectors=s.effectors, conventional=s.conventional,
                      cost_eur=sum(spend.values()) + float((s.conventional * q.conv_cost_eur).sum()),
                      nation_spend_eur=spend)
    x = solve(q, fixed=fixed, runner=runner)
    kills = np.einsum("nte,et->nt", x.engagements, q.p_kill)
    total_value = float((q.value * q.demand).sum())
    drone = ~crewed
    armed = ~q.threat_decoy & drone
    return {"drones_over_horizon": float(q.demand[:, drone].sum() * q.raids),
            "defeat_rate_value_exact": float((kills * q.value).sum() / total_value) if total_value > 0 else math.nan,
            "defeat_rate_all_exact": float(kills[:, drone].sum() / max(q.demand[:, drone].sum(), 1e-12)),
            "defeat_rate_armed_exact": float(kills[:, armed].sum() / max(q.demand[:, armed].sum(), 1e-12)),
            "value_defeated_exact": float((kills * q.value).sum() * q.raids),
            "munitions_eur": q.costs(x.sensors, x.effectors, x.engagements, x.conventional)["munitions"]}


def regimes(scenario: Scenario, *, progress: Callable[[str], None] | None = None) -> RegimesResult:
    """Plan the scenario for each threat regime alone and across all at their weights; evaluate every plan in
    every regime (see the module docstring)."""
    regs = scenario.config.threats.regimes
    if not regs:
        raise ConfigError([("threats.regimes", "the scenario defines no threat regimes: add e.g. peacetime, "
                                               "grey_zone and war with their weights (docs/configuration.md)")])
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    p = build_problem(scenario, build_theater(scenario))
    if p.objective != "max_defeat":
        raise ConfigError([("objective.kind", f"regimes weigh drone defence against conventional forces by "
                                              f"conventional_weight, which '{p.objective}' does not use: use "
                                              "kind max_defeat")])
    problems = {name: regime_problem(p, r) for name, r in regs.items()}
    plans: dict[str, Solved] = {}
    seconds: dict[str, float] = {}
    with workers(p) as runner:  # one set of worker processes for the regimes' solves
        for name, q in problems.items():
            say(f"planning for {name} alone")
            t1 = time.perf_counter()
            plans[name] = solve_problem(q, runner)[0]
            seconds[name] = time.perf_counter() - t1
    say("planning across the regimes")
    t1 = time.perf_counter()
    n_regimes = len(problems)
    worlds = [dataclasses.replace(q, value=q.value * regs[name].weight * n_regimes) for name, q in problems.items()]
    plans[WEIGHTED] = solve_robust(worlds, mode="expected")
    seconds[WEIGHTED] = time.perf_counter() - t1
    with workers(p) as runner:  # and for every evaluation
        crewed = crewed_classes(scenario.catalog, p.threat_ids)
        rows, summary = _evaluations(p, problems, regs, plans, seconds, say, runner, crewed)
    meta = {"scenario": scenario.name, "config_hash": scenario.config_hash(), "budget_eur": p.budget_eur,
            "horizon_years": p.horizon_years, "conventional_weight": p.conventional_weight,
            "regimes": {k: r.model_dump() for k, r in regs.items()}, "conventional_ids": list(p.conv_ids),
            "conventional_names": {c: scenario.catalog.conventional[c].name for c in p.conv_ids},
            "seconds": round(time.perf_counter() - t0, 2)}
    return RegimesResult(table=pd.DataFrame(rows), plans=pd.DataFrame(summary), meta=meta)


def _evaluations(p: PlanningProblem, problems: dict[str, PlanningProblem], regs: dict[str, ThreatRegime],
                 plans: dict[str, Solved], seconds: dict[str, float], say: Callable[[str], None],
                 runner: Runner | None, crewed: np.ndarray) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every plan evaluated in every regime (rows), and what each plan buys with its weighted figures (summary)."""
    rows, summary = [], []
    for plan_name, s in plans.items():
        own = problems.get(plan_name, problems[next(iter(problems))])
        spend = munitions_money(own, s)
        builds = float(own.build_cost_by_nation(s.sensors, s.effectors).sum())
        conventional = float((s.conventional * p.conv_cost_eur).sum())
        units = {f"units_{c}": int(round(s.conventional[i])) for i, c in enumerate(p.conv_ids)}
        weighted_value = 0.0
        for name, q in problems.items():
            say(f"evaluating the {plan_name} plan in {name}")
            ev = _evaluate(q, s, spend, runner, crewed)
            weighted_value += regs[name].weight * ev["value_defeated_exact"]
            rows.append({"plan": plan_name, "regime": name, "weight": regs[name].weight, **ev})
        summary.append({"plan": plan_name, "drone_builds_eur": builds, "munitions_allowance_eur":
                        sum(spend.values()) - builds, "drone_defence_eur": sum(spend.values()),
                        "conventional_eur": conventional, **units,
                        "conventional_capability": float((s.conventional * p.conv_score).sum()),
                        "weighted_value_defeated_exact": weighted_value,
                        "weighted_objective_exact": weighted_value + p.conventional_value(s.conventional,
                                                                                          p.conventional_weight),
                        "gap": s.gap, "status": s.status, "seconds": round(seconds[plan_name], 2)})
    return rows, summary
