"""The constraint families, declared once: what each holds, where its rows are built, how a plan is checked
against it, whether it holds per nation, and how it explains an infeasible scenario from the data.

A family's rows are built by one ``define_*`` function (:mod:`planner.lp.formulation`, and
:mod:`planner.lp.kill_chain` for the rows of one world), shared by the nominal and the robust (multi-world)
models; its check recomputes it from arrays (:mod:`planner.lp.check`). ``per_nation`` says that the family holds
within each nation on its own: the decomposition by nation (:mod:`planner.lp.sectors`) then keeps it in every
national model (:func:`national`: ``PlanningProblem.sector`` slices its arrays by axis), and the candidate plans
made outside a model — each nation's empty plan — are held to it (:func:`per_nation_violations`), so an empty plan that
breaks it is never chosen. A family that spans nations (the flank's budget, the conventional floor, class targets)
is left out of national models (``Family.national``) and held by the choice among national plans instead.

Adding a family: its ``define_*`` function, its check, an entry here; the arrays it needs on
``PlanningProblem`` under their axis (``planner.problem.AXES``); an explanation if it can make a scenario
infeasible (docs/architecture.md).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.errors import SolverError
from planner.lp import check as checks
from planner.lp.result import FixedPlan, Solved
from planner.problem import PlanningProblem

__all__ = ["FAMILIES", "Family", "check", "explain", "no_rate", "per_nation_violations", "national", "parts",
           "violations", "why_infeasible"]

#: Explains, from the data, why no plan meets the family: one line per reason (none: it is not the cause).
#: ``best_rate(p, t)`` is the best defeat rate of class ``t`` any plan reaches within the budget (a solve).
Explainer = Callable[[PlanningProblem, Callable[[PlanningProblem, int], float]], list[str]]


@dataclass(frozen=True)
class Family:
    name: str
    holds: str  # what it holds, in a line
    define: str  # the function building its rows, in planner.lp
    check: checks.Checker
    per_nation: bool
    explain: Explainer | None = None
    #: The values its fields take in a national sub-problem (:func:`national`): a family that spans nations is
    #: left out there and held by the choice among national plans.
    national: tuple[tuple[str, Any], ...] = ()


def _explain_in_service(p: PlanningProblem, _best: Callable[[PlanningProblem, int], float]) -> list[str]:
    run = float(p.build_cost_by_nation(p.in_service_sensors.astype(float), p.in_service_effectors.astype(float)).sum())
    if run <= p.budget_eur:
        return []
    nations = sorted(set(p.site_nation.tolist()))
    where = f" in {p.nations[nations[0]]}" if len(nations) == 1 and len(p.nations) > 1 else ""
    return [f"the units in service{where} cost more to operate than {'its' if where else 'the'} budget allows "
            f"(€{p.budget_eur / 1e9:.2f}bn): €{run / 1e9:.2f}bn over the horizon"]


def _explain_caps(p: PlanningProblem, _best: Callable[[PlanningProblem, int], float]) -> list[str]:
    run = p.build_cost_by_nation(p.in_service_sensors.astype(float), p.in_service_effectors.astype(float))
    return [f"the units in service in {p.nations[n]} cost €{run[n] / 1e9:.2f}bn to operate, more than its cap "
            f"(budget.per_nation_eur, €{cap / 1e9:.2f}bn)" for n, cap in p.nation_cap_eur.items() if run[n] > cap]


def _explain_floor(p: PlanningProblem, _best: Callable[[PlanningProblem, int], float]) -> list[str]:
    if p.objective != "max_defeat_with_floor":
        return []
    best = p.budget_eur / float(np.min(p.conv_cost_eur / p.conv_score)) if len(p.conv_score) else 0.0
    if best >= p.conventional_floor:
        return []
    return [f"conventional_floor {p.conventional_floor:g} is unreachable within €{p.budget_eur / 1e9:.2f}bn: "
            f"at most about {best:.1f} capability points"]


def _explain_targets(p: PlanningProblem, best_rate: Callable[[PlanningProblem, int], float]) -> list[str]:
    out = []
    for t, rate in p.defeat_targets.items():
        reach = best_rate(p, t)
        if reach + 1e-6 < rate:
            out.append(f"defeat-rate target {rate:g} for {p.threat_ids[t]} is unreachable within "
                       f"€{p.budget_eur / 1e9:.2f}bn: best reachable {reach:.3f}")
    return out


def surveillance_shortfall(p: PlanningProblem) -> list[str]:
    """The surveillance requirements no plan can meet, from the data: each with the share every candidate
    sensor together would detect (exactly; the plan's promise stays below it)."""
    best = p.detection_shares(p.demand * p.detection_probability(np.ones(p.in_service_sensors.shape)))
    return [f"systems.min_detection: {p.nations[n]} requires {share:.3f} of {p.threat_ids[t]} detected; "
            f"every candidate sensor together detects {best[n, t]:.3f}"
            for n, t, share in p.detection_requirements() if best[n, t] < share]


def _explain_surveillance(p: PlanningProblem, _best: Callable[[PlanningProblem, int], float]) -> list[str]:
    return surveillance_shortfall(p)


def _explain_escort(p: PlanningProblem, _best: Callable[[PlanningProblem, int], float]) -> list[str]:
    """The escort requirements no plan can meet, from the data: every candidate sensor and alert unit built, each
    detected incursion met with the best P(meet) of the types that reach it in time (the escorts a raid not
    counted, so the share is an upper bound)."""
    if not p.escort_requirements():
        return []
    best_meet = np.zeros(p.demand.shape)
    np.maximum.at(best_meet, (p.esc_cell, p.esc_threat), p.effector_p_meet[p.esc_effector])
    met = p.demand * p.detection_probability(np.ones(p.in_service_sensors.shape)) * best_meet
    out = []
    for n, t, share in p.escort_requirements():
        best = float(met[p.cell_nation == n, t].sum() / p.demand[p.cell_nation == n, t].sum())
        if best < share:
            out.append(f"escort.min_share: {p.nations[n]} requires {share:.3f} of {p.threat_ids[t]} met in time; "
                       f"every candidate sensor and alert unit together meet at most {best:.3f} (an alert unit must "
                       "reach the track within the class's escort_window_s: its reaction time plus the flight at "
                       "its transit speed)")
    return out


#: Every family, in the order the model builds them and their violations are reported.
FAMILIES: tuple[Family, ...] = (
    Family("builds", "builds 0 or 1; units in service kept; conventional units whole, at least the holdings",
           "formulation.define_builds, formulation.define_conventional", checks.check_builds, per_nation=True),
    Family("detection", "detection rates under the chords of 1 − e^(−Σ looks) and the union bound; engaged ≤ "
           "detected", "kill_chain.define_detection", checks.check_detection, per_nation=True),
    Family("reach", "engagements only from built units in reach, within the rules of engagement; kinetic ones only "
           "at drones crossing outside no-fire zones", "kill_chain.define_reach", checks.check_reach, per_nation=True),
    Family("magazines", "shots at surge within the shared magazines; decoys draw their share",
           "kill_chain.define_magazines", checks.check_magazines, per_nation=True),
    Family("surveillance", "systems.min_detection: each required share of a nation's drones detected",
           "formulation.define_min_detection", checks.check_surveillance, per_nation=True,
           explain=_explain_surveillance),
    Family("escort", "escort sorties only from alert units built that meet the class in time, at most one per detected "
           "incursion, within the units' escorts a raid", "kill_chain.define_escort", checks.check_escort,
           per_nation=True),
    Family("escort requirements", "escort.min_share: each required share of a nation's crewed incursions met",
           "formulation.define_min_escort", checks.check_escort_requirements, per_nation=True,
           explain=_explain_escort),
    Family("budget", "budget.total_eur over the horizon: acquisition, operation, munitions, conventional units",
           "formulation.define_budget", checks.check_budget, per_nation=False, explain=_explain_in_service),
    Family("national caps", "budget.per_nation_eur: each capped nation's builds and munitions",
           "formulation.define_national_caps", checks.check_national_caps, per_nation=True, explain=_explain_caps,
           national=(("nation_cap_eur", {}),)),  # carried into a nation's model as its budget (national())
    Family("unit caps", "most units in service of a type per nation and of a conventional option (a procurement "
           "pathway's lead times and production)", "formulation.define_unit_caps", checks.check_unit_caps,
           per_nation=True),
    Family("conventional floor", "objective.conventional_floor: the conventional capability bought",
           "formulation.define_floor", checks.check_floor, per_nation=False, explain=_explain_floor,
           national=(("conventional_floor", 0.0),)),
    Family("class targets", "objective.defeat_targets: each class's expected defeats",
           "formulation.define_targets", checks.check_targets, per_nation=False, explain=_explain_targets,
           national=(("defeat_targets", {}),)),
)


def national(p: PlanningProblem, nation: int) -> tuple[PlanningProblem, np.ndarray, np.ndarray]:
    """One nation's model: its cells, sites and pairs (``PlanningProblem.sector``), every family that spans
    nations left out (``Family.national``), and its money the flank's budget or its cap, whichever is less (the
    caller prices or rations money). Returns it with the indices of its cells and sites in ``p``."""
    sub, ci, si = p.sector(nation)
    cap = p.nation_cap_eur.get(nation)
    changes = {name: copy.copy(value) for f in FAMILIES for name, value in f.national}
    return dataclasses.replace(sub, budget_eur=p.budget_eur if cap is None else min(cap, p.budget_eur),
                               **changes), ci, si


def parts(p: PlanningProblem) -> list[tuple[str, PlanningProblem, np.ndarray, np.ndarray]]:
    """What a decomposition priced on money solves apart, each with a label and the indices of its cells and sites:
    every nation (:func:`national`) where no unit covers another nation's cells; otherwise one part, the whole
    flank's cells and sites, every family that spans nations left out but the national caps (rows there)."""
    used = set(p.cell_nation.tolist()) | set(p.site_nation.tolist())
    if p.is_sectored():
        return [(p.nations[n], *national(p, n)) for n in range(len(p.nations)) if n in used]
    ci, si = np.arange(len(p.cell_ids)), np.arange(len(p.site_ids))
    changes = {name: copy.copy(value) for f in FAMILIES if f.name != "national caps" for name, value in f.national}
    return [("the flank", dataclasses.replace(p.subset(ci, si), **changes), ci, si)]


def violations(p: PlanningProblem, s: Solved, *, fixed: FixedPlan | None = None,
               targets: dict[int, float] | None = None, objective: str | None = None,
               families: tuple[Family, ...] = FAMILIES) -> list[str]:
    """Every constraint the plan breaks, one line each ("family: what and by how much")."""
    ctx = checks.Context(fixed=fixed, targets=targets, objective=objective)
    return [v for family in families for v in family.check(p, s, ctx)]


def check(p: PlanningProblem, s: Solved, *, fixed: FixedPlan | None = None,
          targets: dict[int, float] | None = None, objective: str | None = None) -> Solved:
    """``s`` if it holds every family; a :class:`SolverError` naming what it breaks otherwise."""
    found = violations(p, s, fixed=fixed, targets=targets, objective=objective)
    if found:
        raise SolverError("the solver returned a plan that breaks its constraints (a bug: please report it with "
                          "the scenario): " + "; ".join(found[:5]) + (f"; and {len(found) - 5} more"
                                                                     if len(found) > 5 else ""))
    return s


PER_NATION = tuple(f for f in FAMILIES if f.per_nation)


def per_nation_violations(sub: PlanningProblem, sensors: np.ndarray, effectors: np.ndarray, detected: np.ndarray,
                          engagements: np.ndarray, point: np.ndarray | None = None) -> list[str]:
    """What a candidate national plan (on the nation's model, :func:`national`) breaks among the families that
    hold per nation, one line each; empty when it may be chosen."""
    s = Solved(status="candidate", sensors=sensors, effectors=effectors, conventional=np.zeros(0),
               detected=detected, engagements=engagements, objective=0.0, gap=None, build_s=0.0, solve_s=0.0,
               point=point)
    return violations(sub, s, families=PER_NATION)


def explain(p: PlanningProblem, best_rate: Callable[[PlanningProblem, int], float],
            families: tuple[Family, ...] = FAMILIES) -> list[str]:
    """Why ``p`` has no plan, from the data: every family's explanation that applies (none: the families find no
    cause in the data, and the caller must not guess one)."""
    return [line for f in families if f.explain is not None for line in f.explain(p, best_rate)]


def family(name: str) -> Family:
    """The family called ``name``."""
    return next(f for f in FAMILIES if f.name == name)


def no_rate(_p: PlanningProblem, _t: int) -> float:
    """The best-rate callback of :func:`explain` for a model without class targets (a national one): never called."""
    raise AssertionError("a national sub-problem has no class targets")


def why_infeasible(sub: PlanningProblem, nation: str) -> str:
    """Why one nation's model has no plan, from the data: the families' explanations (a national model keeps the
    families that hold per nation, and its budget is the nation's money). Never a guess: where the data show no
    cause, the message says so."""
    reasons = explain(sub, no_rate)
    if reasons:
        advice = ": lower the share, or allow more sensors (systems.sensors)" if surveillance_shortfall(sub) else ""
        return "; ".join(reasons) + advice
    if sub.detection_requirements():  # each share reachable, the operation of units in service affordable
        return (f"{nation}'s surveillance requirement (systems.min_detection) costs more than the money it may spend "
                f"(€{sub.budget_eur / 1e9:.2f}bn, with the operation of its units in service): lower the share or "
                "raise the budget")
    return (f"{nation}'s model has no plan, and no constraint family finds the cause in the data (a bug: "
            "please report it with the scenario)")
