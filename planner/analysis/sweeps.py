"""Frontier (drone defence against conventional capability) and the impenetrability premium.

Both sweep one right-hand side over a :class:`planner.analysis.family.Family` of national plans, so
every point is a small knapsack and carries a proven gap (docs/analyses.md).
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

from planner.adversary import Attacker, build_attacker
from planner.analysis.ceilings import class_ceilings, value_ceiling
from planner.analysis.family import GRID, Choice, Family, build_family, describe, reference_price
from planner.analysis.respond import worst_case
from planner.config.io import Scenario
from planner.errors import ConfigError, InfeasibleError, SolverError
from planner.geo.coverage import build_coverage
from planner.geo.theater import Theater, build_theater
from planner.lp.choice import cheapest_conventional, conventional_values, conventional_worth
from planner.lp.result import FixedPlan, Solved, SolveInfo
from planner.lp.runner import Runner, worker_count
from planner.lp.sectors import FALLBACK_MAX_PAIRS, evaluate, sector_nations
from planner.lp.solve import solve
from planner.plan import Plan, tabulate
from planner.problem import PlanningProblem, build_problem

DEFAULT_TARGETS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)
#: Rounds of adding prices where a sweep point's gap stays above the target.
REFINE_ROUNDS = 3
#: A refinement round starts only while the sweep has run less than this many times solver.time_limit_s:
#: the points with little drone money keep duality gaps that more prices barely close (each round costs
#: about as much as the first grid), so a sweep stops refining and reports their gaps instead.
REFINE_BUDGET_FACTOR = 3.0
#: A frontier's grid of prices shares this many times solver.time_limit_s: it goes one price cheaper at a time (the
#: cheapest prices make the largest national MILPs, each of which may use its whole time limit) and adds none past
#: the deadline, each point keeping its proven gap. At 3 the seventh price's MILPs were squeezed and the frontier's top
#: came out dominated; at 4 the default's frontier is the same as without a budget (docs/performance.md).
FAMILY_BUDGET_FACTOR = 4.0


def _may_refine(p: PlanningProblem, t0: float, refine_until_s: float | None) -> bool:
    limit = REFINE_BUDGET_FACTOR * p.solver.time_limit_s if refine_until_s is None \
        else refine_until_s
    return time.perf_counter() - t0 < limit


def _check_refine(refine_until_s: float | None) -> None:
    if refine_until_s is not None and not refine_until_s >= 0:
        raise ConfigError([("--refine-until", f"{refine_until_s:g} is not a time: give seconds, 0 or more")])
REFERENCE_OPTION = "leopard_2a8"


@dataclass
class SweepResult:
    """A table of sweep points, each point's plan, and what the sweep was."""

    kind: str
    table: pd.DataFrame
    plans: dict[str, Plan]
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


def _setup(scenario: Scenario, theater: Theater | None, workers: int | None,
           progress: Callable[[int, int], None] | None, scheduler: str | None,
           max_money: float | None = None) -> tuple[Theater, PlanningProblem, Family]:
    """The theater, the problem and its family of national plans. With ``max_money`` (a frontier: no
    point spends more on drone defence) the grid stops one step below the first price whose plans
    spend it all: cheaper prices make the largest national MILPs and no point would use them."""
    theater = theater or build_theater(scenario)
    p = build_problem(scenario, theater)
    if p.objective == "min_cost":
        p = _as_max_defeat(p)
    if max_money is None:
        return theater, p, build_family(p, workers=workers, progress=progress, scheduler=scheduler)
    ref = reference_price(p)
    fam = build_family(p, prices=[ref * g for g in GRID if g >= 0.25], workers=workers, progress=progress,
                       scheduler=scheduler, deadline=time.time() + FAMILY_BUDGET_FACTOR * p.solver.time_limit_s)
    while True:
        ps, cost, _ = fam._totals()
        if cost[0] >= max_money or ps[0] <= ref * min(GRID) or fam.stopped or time.time() >= (fam.deadline or 0):
            break
        fam.extend([ps[0] / 4], progress=progress)
    fam.deadline = None  # the grid's budget: refinement rounds (--refine-until) give each MILP its time limit again
    return theater, p, fam


def _runner(p: PlanningProblem, fam: Family) -> Runner:
    """Workers for the exact evaluations of a sweep's points (the family's cluster, if it has one)."""
    return Runner(fam.workers if worker_count(p, len(fam.nations)) > 1 else 1, fam.scheduler)


def _as_max_defeat(p: PlanningProblem) -> PlanningProblem:
    return dataclasses.replace(p, objective="max_defeat", defeat_targets={})


def _evaluate(scenario: Scenario, theater: Theater, p: PlanningProblem, choice: Choice, units: np.ndarray,
              gap: float | None, info: SolveInfo, runner: Runner | None = None) -> Plan:
    """The exact evaluation of a family choice, tabulated like any plan."""
    _, val, _ = conventional_values(p, p.objective)
    solved = Solved(status="optimal" if gap is not None and gap <= p.solver.mip_rel_gap + 1e-9
                        else "gap_above_target", sensors=choice.sensors, effectors=choice.effectors,
                        conventional=units, detected=choice.detected, engagements=choice.engagements,
                        objective=choice.value + conventional_worth(p, units, val), gap=gap, build_s=0.0, solve_s=0.0,
                        sizes={}, info=info, escorts=choice.escorts)
    fixed = _fixed(p, choice, units)
    exact = evaluate(p, fixed, runner) if p.is_sectored() and len(sector_nations(p)) > 1 \
        else solve(p, fixed=fixed)
    return tabulate(scenario, theater, p, solved, exact, {})


def _fixed(p: PlanningProblem, choice: Choice, units: np.ndarray) -> FixedPlan:
    """A family choice with its conventional units, as a plan to evaluate."""
    return FixedPlan(sensors=choice.sensors, effectors=choice.effectors, conventional=units,
                     cost_eur=choice.cost + float((p.conv_cost_eur * units).sum()), engagements=choice.engagements)


def _attacker(scenario: Scenario, theater: Theater, p: PlanningProblem, adversary: bool) -> Attacker | None:
    """The scenario's adversary (``--adversary``: each point is also held to its best response), or None."""
    return build_attacker(scenario, theater, build_coverage(theater, scenario), p) if adversary else None


def _worst(att: Attacker | None, p: PlanningProblem, choice: Choice, units: np.ndarray,
           runner: Runner) -> dict[str, Any]:
    """A point's figures against the adversary's best response to its plan (planner.analysis.respond), if asked."""
    return {} if att is None else worst_case(att, _fixed(p, choice, units), runner)


def _rates(plan: Plan) -> dict[str, float]:
    p = plan.problem
    out = {"defeat_rate_value_lp": plan.summary["value_defeated_lp"] / _total_value(p),
           "defeat_rate_value_exact": plan.summary["value_defeated_exact"] / _total_value(p),
           "defeat_rate_armed_exact": plan.summary["defeat_rate_armed_exact"]}
    for r in plan.threats.itertuples(index=False):
        out[f"defeat_{r.threat}"] = r.defeat_rate_exact
    return out


def _total_value(p: PlanningProblem) -> float:
    return float((p.value * p.demand).sum() * p.raids)


def frontier(scenario: Scenario, *, points: int = 11, budgets: list[float] | None = None,
             theater: Theater | None = None, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None, scheduler: str | None = None,
             refine_until_s: float | None = None, adversary: bool = False) -> SweepResult:
    """Drone defence against conventional capability at the scenario's budget (ε-constraint on the
    capability kept), and, with ``budgets``, the scenario's own objective over other total budgets.
    Refinement rounds (more prices where a point's gap is above target) start only before
    ``refine_until_s`` seconds (default: REFINE_BUDGET_FACTOR × solver.time_limit_s). ``adversary``: each
    point's plan is also held to the adversary's best response (planner.analysis.respond)."""
    _check_refine(refine_until_s)
    if points < 2:
        raise ConfigError([("--points", f"{points} is too few: a frontier needs at least 2 points")])
    for budget in budgets or []:
        if not budget > 0:
            raise ConfigError([("--budgets", f"{budget:g} is not a budget: give positive euros, e.g. 3e9,6e9")])
    t0 = time.perf_counter()
    theater = theater or build_theater(scenario)
    p0 = build_problem(scenario, theater)
    if not len(p0.conv_ids):
        raise ConfigError([("systems.conventional", "the frontier trades drone defence against conventional "
                                                    "options: the scenario allows none")])
    if p0.objective == "max_defeat_with_floor":  # its points below the floor would be refused as infeasible
        raise ConfigError([("objective.kind", "the frontier sweeps the conventional capability from none to all the "
                                              "budget buys, so a conventional_floor has no place in it: run it with "
                                              "--set objective.kind=max_defeat (the floor is one point of the curve)")])
    # No point, and no budget of the sweep, spends more on drone defence than this.
    max_money = max([p0.budget_eur, *(budgets or [])]) - float((p0.conv_cost_eur * cheapest_conventional(p0, 0.0)).sum())
    theater, p, fam = _setup(scenario, theater, workers, progress, scheduler, max_money=max_money)
    k = p.conv_cost_eur
    target = p.solver.mip_rel_gap
    best_ratio = float(np.max(p.conv_score / k))
    base_units = cheapest_conventional(p, 0.0)
    cap_max = (p.budget_eur - float((k * base_units).sum())) * best_ratio + float((p.conv_score * base_units).sum())
    eps_units = []
    for floor in np.linspace(0.0, cap_max, points):
        units = cheapest_conventional(p, float(floor))
        while float((k * units).sum()) > p.budget_eur and floor > 0:  # integer units: what the budget buys
            floor -= float(np.min(p.conv_score[p.conv_score > 0]))
            units = cheapest_conventional(p, max(float(floor), 0.0))
        eps_units.append((float(floor), units))
    money = [p.budget_eur - float((k * u).sum()) for _, u in eps_units]

    def eps_choices() -> list[Choice]:
        return [fam.best_within(m) for m in money]

    def budget_choices() -> list[tuple[Choice, np.ndarray]]:
        return [fam.best_with_conventional(float(b)) for b in budgets or []]

    choices, bchoices = eps_choices(), budget_choices()
    for _ in range(REFINE_ROUNDS):  # add prices where a point's gap is above target
        if not _may_refine(p, t0, refine_until_s):
            break
        loose = [m for m, c in zip(money, choices, strict=True) if _gap_max(c.bound, c.value) > target]
        loose += [b - float((k * u).sum()) for b, (c, u) in zip(budgets or [], bchoices, strict=True)
                  if _gap_max(c.bound, _joint(p, c, u)) > target]
        if not loose:
            break
        fam.extend(fam.refine_for_money(loose), progress=progress)
        choices, bchoices = eps_choices(), budget_choices()

    choices = [_direct_if_loose(p, m, c, target) for m, c in zip(money, choices, strict=True)]
    att = _attacker(scenario, theater, p, adversary)
    with _runner(p, fam) as runner:
        return _frontier_tables(scenario, theater, p, fam, eps_units, money, choices, budgets, bchoices, k,
                                points, t0, runner, att)


def _frontier_tables(scenario: Scenario, theater: Theater, p: PlanningProblem, fam: Family,
                     eps_units: list[tuple[float, np.ndarray]], money: list[float], choices: list[Choice],
                     budgets: list[float] | None, bchoices: list[tuple[Choice, np.ndarray]], k: np.ndarray,
                     points: int, t0: float, runner: Runner, att: Attacker | None = None) -> SweepResult:
    rows, plans = [], {}
    for idx, ((floor, units), m, choice) in enumerate(zip(eps_units, money, choices, strict=True)):
        gap = _gap_max(choice.bound, choice.value)
        pid = f"eps-{idx:02d}"
        plan = _evaluate(scenario, theater, p, choice, units, gap, SolveInfo(strategy="family", point=pid), runner)
        plans[pid] = plan
        rows.append({"point": pid, "capability_floor": floor,
                     "conventional_capability": float((p.conv_score * units).sum()),
                     **{f"units_{c}": int(units[i]) for i, c in enumerate(p.conv_ids)},
                     "conventional_eur": float((k * units).sum()), "drone_money_eur": m, "drone_spend_eur": choice.cost,
                     "value_lp": choice.value, "value_bound": choice.bound, "gap": gap, **_rates(plan),
                     **_worst(att, p, choice, units, runner)})
    table = pd.DataFrame(rows)
    table["dominated"] = _dominated(table["conventional_capability"].to_numpy(),
                                    table["defeat_rate_value_exact"].to_numpy())
    extra = {}
    if budgets:
        brows = []
        for idx, (budget, (choice, units)) in enumerate(zip(budgets, bchoices, strict=True)):
            objective = _joint(p, choice, units)
            gap = _gap_max(choice.bound, objective)
            pid = f"budget-{idx:02d}"
            plan = _evaluate(scenario, theater, p, choice, units, gap, SolveInfo(strategy="family", point=pid), runner)
            plans[pid] = plan
            brows.append({"point": pid, "budget_eur": float(budget), "drone_spend_eur": choice.cost,
                          "conventional_eur": float((k * units).sum()),
                          "conventional_capability": float((p.conv_score * units).sum()),
                          **{f"units_{c}": int(units[i]) for i, c in enumerate(p.conv_ids)},
                          "objective": objective, "objective_bound": choice.bound, "gap": gap, **_rates(plan)})
        extra["budget_sweep"] = pd.DataFrame(brows)
    meta = {"scenario": scenario.name, "config_hash": scenario.config_hash(), "budget_eur": p.budget_eur,
            "points": points, "budgets_eur": list(budgets or []), "family": describe(fam), "adversary": att is not None,
            "seconds": round(time.perf_counter() - t0, 2)}
    return SweepResult(kind="frontier", table=table, plans=plans, meta=meta, extra=extra)


def _direct_if_loose(p: PlanningProblem, money: float, choice: Choice, target: float) -> Choice:
    """Where a small problem's point keeps a gap after refinement (a duality gap: little money, large
    units), solve it directly, drone defence only within ``money``, and keep the better plan and bound."""
    if _gap_max(choice.bound, choice.value) <= target or len(p.det_cell) + len(p.eng_cell) > FALLBACK_MAX_PAIRS \
            or money <= 0:
        return choice

    q = dataclasses.replace(p, objective="max_defeat", conventional_weight=0.0, budget_eur=money, conv_ids=(),
                            conv_unit_cost_eur=np.zeros(0), conv_operating_eur_per_year=np.zeros(0),
                            conv_score=np.zeros(0), conv_min_units=np.zeros(0, dtype=np.int64),
                            conv_area_points=np.zeros((0, len(p.area_ids))),
                            conventional_floor=0.0, solver=p.solver.replace(strategy="full"))
    try:
        s = solve(q)
    except (InfeasibleError, SolverError):
        return choice
    value = p.drone_value(s.engagements)
    bound = value / (1 - s.gap) if s.gap is not None and s.gap < 1 else choice.bound
    best = choice if choice.value >= value else Choice(
        sensors=s.sensors, effectors=s.effectors, detected=s.detected, engagements=s.engagements, value=value,
        cost=p.costs(s.sensors, s.effectors, s.engagements, np.zeros(len(p.conv_ids)))["drone_defence"],
        bound=choice.bound,
        escorts=s.escorts if s.escorts is not None else np.zeros(s.engagements.shape))
    best.bound = min(choice.bound, max(bound, best.value))
    return best


def _gap_max(bound: float, value: float) -> float:
    return max(bound - value, 0.0) / max(abs(bound), abs(value), 1e-9)


def _joint(p: PlanningProblem, choice: Choice, units: np.ndarray) -> float:
    """The scenario's objective for a family choice: drone value plus conventional weight × capability."""
    return choice.value + conventional_worth(p, units, conventional_values(p, p.objective)[1])


def _dominated(capability: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """A point is dominated when another keeps at least as much capability and defeats at least as much,
    and more of one."""
    out = np.zeros(len(capability), dtype=bool)
    for i in range(len(capability)):
        better = (capability >= capability[i] - 1e-9) & (rate >= rate[i] - 1e-9) & \
            ((capability > capability[i] + 1e-9) | (rate > rate[i] + 1e-9))
        out[i] = bool(better.any())
    return out


def premium(scenario: Scenario, *, targets: tuple[float, ...] = DEFAULT_TARGETS, theater: Theater | None = None,
            workers: int | None = None, progress: Callable[[int, int], None] | None = None,
            scheduler: str | None = None, refine_until_s: float | None = None, adversary: bool = False) -> SweepResult:
    """The least drone-defence cost to reach each value-weighted defeat-rate target (LP promise), the
    marginal euros per extra point, the knee, and each step in conventional equivalents. ``adversary``: each
    target's plan is also held to the adversary's best response (planner.analysis.respond)."""
    _check_refine(refine_until_s)
    bad = [t for t in targets if not 0 < t < 1]
    if bad or not targets:
        raise ConfigError([("--targets", f"{bad or 'none'}: give defeat rates between 0 and 1, e.g. 0.5,0.9,0.99")])
    t0 = time.perf_counter()
    theater, p, fam = _setup(scenario, theater, workers, progress, scheduler)
    total = fam.total_value
    target_gap = p.solver.mip_rel_gap
    for _ in range(REFINE_ROUNDS):
        if not _may_refine(p, t0, refine_until_s):
            break
        loose = []
        for rate in targets:
            c = fam.cheapest_reaching(rate * total)
            if c is not None and max(c.cost - c.bound, 0.0) / max(c.cost, 1e-9) > target_gap:
                loose.append(rate * total)
        if not loose:
            break
        fam.extend(fam.refine_for_value(loose), progress=progress)
    ref = REFERENCE_OPTION if REFERENCE_OPTION in p.conv_ids else (p.conv_ids[0] if p.conv_ids else None)
    ref_cost = float(p.conv_cost_eur[p.conv_ids.index(ref)]) if ref else math.nan
    best = fam.best_within(math.inf)
    reach_bound = fam.reachable_bound() / total
    rows, plans = [], {}
    att = _attacker(scenario, theater, p, adversary)
    with _runner(p, fam) as runner:
        for idx, rate in enumerate(sorted(targets)):
            pid = f"target-{idx:02d}"
            choice = fam.cheapest_reaching(rate * total)
            row: dict[str, Any] = {"point": pid, "target": rate}
            if choice is None:
                row |= {"reachable": False, "best_reachable_rate_lp": best.value / total,
                        "reachable_rate_bound": min(reach_bound, 1.0)}
                rows.append(row)
                continue
            gap = max(choice.cost - choice.bound, 0.0) / max(choice.cost, 1e-9)
            plan = _evaluate(scenario, theater, p, choice, np.zeros(len(p.conv_ids)), gap,
                             SolveInfo(strategy="family", point=pid), runner)
            plans[pid] = plan
            row |= {"reachable": True, "drone_cost_eur": choice.cost, "drone_cost_bound_eur": choice.bound, "gap": gap,
                    "fits_budget": choice.cost <= p.budget_eur, **_rates(plan),
                    **_worst(att, p, choice, np.zeros(len(p.conv_ids)), runner)}
            rows.append(row)
    table = pd.DataFrame(rows)
    reached = table[table["reachable"]].reset_index(drop=True)
    if len(reached):
        cost = reached["drone_cost_eur"].to_numpy()
        rate = reached["target"].to_numpy()
        step = np.diff(cost, prepend=np.nan)
        table.loc[table["reachable"], "step_cost_eur"] = step
        table.loc[table["reachable"], "marginal_eur_per_point"] = step / (np.diff(rate, prepend=np.nan) * 100)
        table.loc[table["reachable"], f"step_in_{ref}_units" if ref else "step_in_conventional_units"] = \
            step / ref_cost if ref else np.nan
        table["knee"] = False
        knee = _knee(rate, cost)
        if knee is not None:
            table.loc[table["point"] == reached.loc[knee, "point"], "knee"] = True
    meta = {"scenario": scenario.name, "config_hash": scenario.config_hash(), "budget_eur": p.budget_eur,
            "measure": "value-weighted share of drones defeated (LP promise); exact rates alongside",
            "reference_option": ref, "reference_option_eur": ref_cost, "best_reachable_rate_lp": best.value / total,
            "reachable_rate_bound": min(reach_bound, 1.0), "family": describe(fam), "adversary": att is not None,
            "seconds": round(time.perf_counter() - t0, 2)}
    ceilings = class_ceilings(scenario, p)  # what physics allows whatever the money, and why
    meta |= {"physical_ceiling_value": value_ceiling(p, ceilings), "ceilings": ceilings.to_dict(orient="records")}
    return SweepResult(kind="premium", table=table, plans=plans, meta=meta)


def _knee(rate: np.ndarray, cost: np.ndarray) -> int | None:
    """Kneedle on a rising, convex cost curve: the point farthest below the chord from first to last,
    after scaling both axes to [0, 1]. None with fewer than three points."""
    if len(rate) < 3 or cost[-1] <= cost[0] or rate[-1] <= rate[0]:
        return None
    x = (rate - rate[0]) / (rate[-1] - rate[0])
    y = (cost - cost[0]) / (cost[-1] - cost[0])
    k = int(np.argmax(x - y))
    return k if 0 < k < len(rate) - 1 else None
