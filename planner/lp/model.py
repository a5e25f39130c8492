"""The kill-chain MILP, built from a :class:`PlanningProblem` with pulp (pulp lives in planner.lp and, for their
small knapsacks, planner.analysis; never in the geometry layer).

Formulation (docs/formulation.md gives it in full): binary builds per (site, system); log-survival
detection potentials δ with chord cuts below 1 − e^(−δ); engagement flows per (cell, threat,
effector) bounded by detections, by reach, and by magazines shared evenly among the cells a unit
covers; decoys drawing their share of shots; a budget row over acquisition, operation and munitions;
integer conventional units.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from planner.errors import InfeasibleError, SolverError
from planner.problem import PlanningProblem

log = logging.getLogger(__name__)

#: Breakpoints of the piecewise-linear under-estimate of 1 − exp(−δ). The last one is where the
#: cap sits: detection is never promised above 1 − e^(−6.9) ≈ 0.999. (A further chord towards
#: 1 − 1e-6 has a slope of 1e-4; with it HiGHS 1.16's presolve returned a sub-optimal plan as
#: "optimal" on a covering test, so the promise stops at 99.9%, on the safe side.)
BREAKPOINTS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.6, 6.9)


def money_scale(p: PlanningProblem) -> float:
    """Budget rows count money in units of this many euros (10⁶ for a budget of billions, 10⁻³ for a
    budget of a few euros), so that their right-hand side stays between 10³ and 10⁴ for the solver: HiGHS's
    tolerances are absolute, and a cheap shot in a budget row of 1 fell below them (a wrong "optimal")."""
    return 10.0 ** (math.floor(math.log10(max(p.budget_eur, 1e-9))) - 3)

#: Euros count this much against objective value, to break ties toward the cheaper of equal plans.
COST_TIE_BREAK = 1e-12


def chords() -> list[tuple[float, float]]:
    """(intercept, slope) of each chord between consecutive breakpoints, plus the final flat cap."""
    out = []
    for a, b in zip(BREAKPOINTS[:-1], BREAKPOINTS[1:], strict=True):
        fa, fb = 1 - math.exp(-a), 1 - math.exp(-b)
        slope = (fb - fa) / (b - a)
        out.append((fa - slope * a, slope))
    out.append((1 - math.exp(-BREAKPOINTS[-1]), 0.0))
    return out


@dataclass
class FixedPlan:
    """A plan held fixed for exact evaluation: builds, conventional units and its total cost."""

    sensors: np.ndarray  # (M, S) 0/1
    effectors: np.ndarray  # (M, E) 0/1
    conventional: np.ndarray  # (C,) units
    cost_eur: float
    engagements: np.ndarray | None = None  # (N, T, E) planned, for a nation-by-nation evaluation
    nation_spend_eur: dict[int, float] | None = None  # or each nation's planned spend directly


@dataclass
class Solved:
    """Raw numbers from one solve, in the problem's index space (no ids, no geometry)."""

    status: str
    sensors: np.ndarray  # (M, S)
    effectors: np.ndarray  # (M, E)
    conventional: np.ndarray  # (C,)
    detected: np.ndarray  # (N, T) expected detections per raid
    engagements: np.ndarray  # (N, T, E) expected engagements per raid
    objective: float
    gap: float | None
    build_s: float
    solve_s: float
    sizes: dict[str, int] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)  # how it was solved (strategy, sectors, prices)


def _affine(terms: list[tuple[pulp.LpVariable, float]], constant: float = 0.0) -> pulp.LpAffineExpression:
    """An expression from (variable, coefficient) pairs; repeated variables are summed (pulp would
    keep only the last)."""
    acc: dict[pulp.LpVariable, float] = {}
    for var, coef in terms:
        acc[var] = acc.get(var, 0.0) + coef
    return pulp.LpAffineExpression(list(acc.items()), constant=constant)


def _build_vars(prob: pulp.LpProblem, p: PlanningProblem, role: int, sites: np.ndarray, types: np.ndarray,
                ids: tuple[str, ...], label: str, *, cat: str, fixed: FixedPlan | None = None,
                allowed: tuple[np.ndarray, np.ndarray] | None = None,
                required: tuple[np.ndarray, np.ndarray] | None = None) -> dict[tuple[int, int], pulp.LpVariable]:
    """One build variable per (site, system) that covers anything from that site."""
    in_service = (p.in_service_sensors, p.in_service_effectors)[role]
    out: dict[tuple[int, int], pulp.LpVariable] = {}
    for j, k in sorted(set(zip(sites.tolist(), types.tolist(), strict=True))):
        fix = None if fixed is None else float((fixed.sensors, fixed.effectors)[role][j, k])
        if fix is None and allowed is not None and not allowed[role][j, k]:
            fix = 0.0
        if fix is None and required is not None and required[role][j, k]:
            fix = 1.0
        if fix is None and in_service[j, k]:
            fix = 1.0
        lo, hi = (0.0, 1.0) if fix is None else (fix, fix)
        out[j, k] = prob.add_variable(f"build_{label}[{p.site_ids[j]},{ids[k]}]", lo, hi, cat)
    return out


def _kill_chain(prob: pulp.LpProblem, p: PlanningProblem, xs: dict[tuple[int, int], pulp.LpVariable],
                ye: dict[tuple[int, int], pulp.LpVariable], *, fixed: FixedPlan | None = None, tag: str = "",
                ) -> tuple[dict[tuple[int, int], tuple[pulp.LpVariable, float]],
                           dict[tuple[int, int, int], pulp.LpVariable]]:
    """Detection and engagement rows of one world (``p``'s ranges and probabilities) over given builds.

    Returns the detection rates {(cell, threat): (rate, λ)} and engagement flows {(cell, threat, effector)}.
    ``tag`` suffixes every name, so several worlds can share one model and its builds (robust planning).
    """
    # ---- detection: one detection rate per cell and group of threats that the same looks see alike ----
    looks: dict[tuple[int, int], list[tuple[int, int, float]]] = defaultdict(list)
    for i, t, j, s, w in zip(p.det_cell.tolist(), p.det_threat.tolist(), p.det_site.tolist(),
                             p.det_sensor.tolist(), p.det_weight.tolist(), strict=True):
        looks[i, t].append((j, s, w))
    alike: dict[tuple[int, tuple[tuple[int, int, float], ...]], list[int]] = defaultdict(list)
    for (i, t), sig in looks.items():
        if p.demand[i, t] > 0:
            alike[i, tuple(sorted(sig))].append(t)
    detected: dict[tuple[int, int], tuple[pulp.LpVariable, float]] = {}  # (i, t) -> (rate, λ_it)
    cuts = chords()
    for (i, sig), ts in alike.items():
        name = f"{p.cell_ids[i]},{p.threat_ids[ts[0]]}"
        rate = prob.add_variable(f"detect_rate[{name}]{tag}", 0, 1)
        for t in ts:
            detected[i, t] = (rate, float(p.demand[i, t]))
        terms = [(xs[j, s], w) for j, s, w in sig]
        if fixed is not None:
            delta = sum(w * float(v.lowBound) for v, w in terms)  # builds are fixed: bounds hold their values
            rate.upBound = 1 - math.exp(-delta)
            continue
        # Union bound, valid for integer builds (1 − Π(1 − p) ≤ Σ p) and much tighter than the chords
        # in the relaxation, where a fraction of one likely sensor would otherwise "detect" everything.
        prob.addConstraint(pulp.LpConstraint(
            _affine([(rate, 1.0)] + [(v, -(1 - math.exp(-w))) for v, w in terms]), pulp.LpConstraintLE,
            f"union[{name}]{tag}", 0))
        delta = prob.add_variable(f"delta[{name}]{tag}", 0)
        prob.addConstraint(pulp.LpConstraint(_affine([(delta, 1.0)] + [(v, -w) for v, w in terms]),
                                             pulp.LpConstraintEQ, f"looks[{name}]{tag}", 0))
        for k, (a, b) in enumerate(cuts):
            if b == 0:
                rate.upBound = a
                continue
            prob.addConstraint(pulp.LpConstraint(_affine([(rate, 1.0), (delta, -b)]), pulp.LpConstraintLE,
                                                 f"chord{k}[{name}]{tag}", a))

    # ---- engagement: reach rows shared by the threats an effector reaches from the same sites ------
    reach: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    cover: dict[tuple[int, int], set[int]] = defaultdict(set)
    for i, t, j, e in zip(p.eng_cell.tolist(), p.eng_threat.tolist(), p.eng_site.tolist(),
                          p.eng_effector.tolist(), strict=True):
        if (i, t) in detected:
            reach[i, t, e].append(j)
            cover[i, e].add(j)
    same_reach: dict[tuple[int, int, tuple[int, ...]], list[int]] = defaultdict(list)
    for (i, t, e), sites in reach.items():
        same_reach[i, e, tuple(sorted(sites))].append(t)
    eng: dict[tuple[int, int, int], pulp.LpVariable] = {}
    for (i, e, sites), ts in same_reach.items():
        builds = [(ye[j, e], 1.0) for j in sites]
        if len(ts) > 1 and len(sites) > 1:  # Σ_j y_je once, in a cover variable, for all these threats
            name = f"cover[{p.cell_ids[i]},{p.threat_ids[ts[0]]},{p.effector_ids[e]}]{tag}"
            shared = prob.add_variable(name, 0, 1)
            prob.addConstraint(pulp.LpConstraint(_affine([(shared, 1.0)] + [(y, -1.0) for y, _ in builds]),
                                                 pulp.LpConstraintLE, name, 0))
            builds = [(shared, 1.0)]
        for t in ts:
            lam = float(p.demand[i, t])
            name = f"{p.cell_ids[i]},{p.threat_ids[t]},{p.effector_ids[e]}"
            v = prob.add_variable(f"engage[{name}]{tag}", 0, lam)
            eng[i, t, e] = v
            prob.addConstraint(pulp.LpConstraint(_affine([(v, 1.0)] + [(y, -lam * c) for y, c in builds]),
                                                 pulp.LpConstraintLE, f"reach[{name}]{tag}", 0))
    by_cell_threat: dict[tuple[int, int], list[pulp.LpVariable]] = defaultdict(list)
    by_cell_eff: dict[tuple[int, int], list[tuple[int, pulp.LpVariable]]] = defaultdict(list)
    for (i, t, e), v in eng.items():
        by_cell_threat[i, t].append(v)
        by_cell_eff[i, e].append((t, v))
    for (i, t), vs in by_cell_threat.items():
        rate, lam = detected[i, t]
        prob.addConstraint(pulp.LpConstraint(_affine([(rate, -lam)] + [(v, 1.0) for v in vs]),
                                             pulp.LpConstraintLE, f"engaged_le_detected[{p.cell_ids[i]},"
                                             f"{p.threat_ids[t]}]{tag}", 0))
    for (i, e), tv in by_cell_eff.items():
        load = p.surge_factor * p.effector_shots[e]
        terms = [(v, load) for _, v in tv]
        terms += [(ye[j, e], -p.effector_magazine[e] * p.mag_share[j, e]) for j in sorted(cover[i, e])]
        prob.addConstraint(pulp.LpConstraint(_affine(terms), pulp.LpConstraintLE,
                                             f"magazine[{p.cell_ids[i]},{p.effector_ids[e]}]{tag}", 0))
        # Decoys draw shots: what an effector fires at in a cell follows the detected mix.
        decoys = [(t, v) for t, v in tv if p.threat_decoy[t]]
        if decoys and len(decoys) < len(tv):
            lam_d = sum(p.demand[i, t] for t, _ in decoys) * (1 - p.decoy_discrimination)
            lam_r = sum(p.demand[i, t] for t, _ in tv if not p.threat_decoy[t])
            phi = lam_d / (lam_d + lam_r) if lam_d + lam_r > 0 else 0.0
            if phi > 0:
                terms = [(v, (1.0 if p.threat_decoy[t] else 0.0) - phi) for t, v in tv]
                prob.addConstraint(pulp.LpConstraint(_affine(terms), pulp.LpConstraintGE,
                                                     f"decoy_share[{p.cell_ids[i]},{p.effector_ids[e]}]{tag}", 0))
    return detected, eng


def _cost_terms(p: PlanningProblem, xs: dict[tuple[int, int], pulp.LpVariable],
                ye: dict[tuple[int, int], pulp.LpVariable], eng: dict[tuple[int, int, int], pulp.LpVariable],
                conv: list[pulp.LpVariable]) -> tuple[list[tuple[pulp.LpVariable, float]],
                                                      dict[int, list[tuple[pulp.LpVariable, float]]],
                                                      float, dict[int, float]]:
    """Euros over the horizon at ``p``'s prices: (terms, terms by nation, constant, constant by nation).

    Units in service cost only their operation; those the model has no variable for (they cover
    nothing, e.g. a kinetic unit inside a no-fire zone) still cost it, as a constant.
    """
    horizon = p.horizon_years
    in_service = (p.in_service_sensors, p.in_service_effectors)
    cost_terms: list[tuple[pulp.LpVariable, float]] = []
    nation_terms: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    fixed_cost = 0.0
    nation_fixed: dict[int, float] = defaultdict(float)
    for role, (var_map, unit, op) in enumerate(((xs, p.sensor_unit_cost_eur, p.sensor_operating_eur_per_year),
                                                (ye, p.effector_unit_cost_eur, p.effector_operating_eur_per_year))):
        for (j, k), v in var_map.items():
            c = (0.0 if in_service[role][j, k] else unit[k]) + horizon * op[k]
            cost_terms.append((v, c))
            nation_terms[int(p.site_nation[j])].append((v, c))
        for j, k in zip(*np.nonzero(in_service[role]), strict=True):
            if (j, k) not in var_map:
                fixed_cost += horizon * op[k]
                nation_fixed[int(p.site_nation[j])] += horizon * op[k]
    for (i, _t, e), v in eng.items():
        c = p.raids * p.effector_shots[e] * p.effector_cost_per_shot_eur[e]
        cost_terms.append((v, c))
        nation_terms[int(p.cell_nation[i])].append((v, c))
    for c, u in enumerate(conv):
        cost_terms.append((u, p.conv_unit_cost_eur[c] + horizon * p.conv_operating_eur_per_year[c]))
    return cost_terms, nation_terms, fixed_cost, nation_fixed


def _conv_vars(prob: pulp.LpProblem, p: PlanningProblem, *, fixed: FixedPlan | None = None,
               relax: bool = False) -> list[pulp.LpVariable]:
    conv = []
    for c, cid in enumerate(p.conv_ids):
        if fixed is None:
            conv.append(prob.add_variable(f"conventional[{cid}]", int(p.conv_min_units[c]), None,
                                          "Continuous" if relax else "Integer"))
        else:
            u = float(fixed.conventional[c])
            conv.append(prob.add_variable(f"conventional[{cid}]", u, u, "Continuous"))
    return conv


def build_model(problem: PlanningProblem, *, fixed: FixedPlan | None = None,
                target_override: dict[int, float] | None = None, objective: str | None = None,
                relax: bool = False, allowed: tuple[np.ndarray, np.ndarray] | None = None,
                required: tuple[np.ndarray, np.ndarray] | None = None, money_price: float | None = None,
                ) -> tuple[pulp.LpProblem, dict[str, Any]]:
    """Build the MILP (or, with ``fixed``, the exact-evaluation LP). Returns the model and its variables.

    ``relax`` makes builds continuous (the LP relaxation); ``allowed`` = (sensors (M,S), effectors
    (M,E)) boolean masks bars every other build (upper bound 0); ``required`` forces builds (lower
    bound 1), which tests use to enumerate plans. ``money_price`` (objective units per euro) prices
    money instead of rationing it: the objective becomes value − price × cost (the budget row stays),
    which is how the sector decomposition (planner.lp.sectors) splits the flank by nation.
    """
    p = problem
    kind = objective or p.objective
    n_cells, n_threats = p.demand.shape
    n_sites = len(p.site_ids)
    targets = p.defeat_targets if target_override is None else target_override
    if money_price is not None:
        kind = "priced"
    sense = pulp.LpMinimize if kind == "min_cost" and fixed is None else pulp.LpMaximize
    prob = pulp.LpProblem(f"dronewall_{p.name}".replace("-", "_"), sense)
    # "Integer" in [0, 1] rather than "Binary": pulp resets a Binary's bounds to 0..1, undoing a fix to 0.
    cat = "Continuous" if fixed is not None or relax else "Integer"
    kw = {"cat": cat, "fixed": fixed, "allowed": allowed, "required": required}
    xs = _build_vars(prob, p, 0, p.det_site, p.det_sensor, p.sensor_ids, "sensor", **kw)
    ye = _build_vars(prob, p, 1, p.eng_site, p.eng_effector, p.effector_ids, "effector", **kw)
    conv = _conv_vars(prob, p, fixed=fixed, relax=relax)
    detected, eng = _kill_chain(prob, p, xs, ye, fixed=fixed)

    # ---- cost -----------------------------------------------------------------------------------
    cost_terms, nation_terms, fixed_cost, nation_fixed = _cost_terms(p, xs, ye, eng, conv)
    cost = _affine(cost_terms)
    budget = p.budget_eur if fixed is None else fixed.cost_eur * (1 + 1e-9) + 1.0
    # Money rows are scaled (money_scale): euro coefficients of 10⁹ left HiGHS with primal infeasibilities
    # of a few 10⁻⁶ after "optimal" (reported as a solve error).
    scale = money_scale(p)
    prob.addConstraint(pulp.LpConstraint(_affine([(v, c / scale) for v, c in cost_terms]), pulp.LpConstraintLE,
                                         "budget", (budget - fixed_cost) / scale))
    for n, cap in p.nation_cap_eur.items():
        prob.addConstraint(pulp.LpConstraint(_affine([(v, c / scale) for v, c in nation_terms[n]]),
                                             pulp.LpConstraintLE, f"nation_budget[{p.nations[n]}]",
                                             (cap - nation_fixed[n]) / scale))

    # ---- objective and class targets --------------------------------------------------------------
    kills_value = [(v, p.raids * p.value[i, t] * p.p_kill[e, t]) for (i, t, e), v in eng.items()]
    capability = [(u, p.conv_score[c]) for c, u in enumerate(conv)]
    if kind == "max_defeat_with_floor":
        prob.addConstraint(pulp.LpConstraint(_affine(capability), pulp.LpConstraintGE, "conventional_floor",
                                             p.conventional_floor))
    if targets:
        per_class: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        for (_i, t, e), v in eng.items():
            per_class[t].append((v, p.p_kill[e, t]))
        for t, rate in targets.items():
            total = float(p.demand[:, t].sum())
            prob.addConstraint(pulp.LpConstraint(_affine(per_class.get(t, [])), pulp.LpConstraintGE,
                                                 f"defeat_target[{p.threat_ids[t]}]", rate * total))
    if fixed is not None or kind != "min_cost":
        weight = p.conventional_weight if kind == "max_defeat" else 0.0
        price = COST_TIE_BREAK if money_price is None else max(money_price, COST_TIE_BREAK)
        obj = kills_value + [(u, weight * s) for u, s in capability] + [(v, -price * c) for v, c in cost_terms]
        prob.setObjective(_affine(obj))
    else:
        prob.setObjective(cost)

    variables = {"sensors": xs, "effectors": ye, "conventional": conv, "detected": detected, "engage": eng,
                 "shape": (n_cells, n_threats, n_sites)}
    return prob, variables


#: Robust planning: how the worlds' values are combined (docs/analyses.md, "Robust planning").
ROBUST_MODES = ("worst", "expected")


def build_robust_model(problems: list[PlanningProblem], *, mode: str, money_price: float | None = None,
                       allowed: tuple[np.ndarray, np.ndarray] | None = None,
                       relax: bool = False) -> tuple[pulp.LpProblem, dict[str, Any]]:
    """One set of builds planned against several worlds (the nominal problem and catalog draws).

    Every world has its own detection and engagement rows over the shared builds and conventional
    units; the budget (and each nation's cap) holds in every world at that world's prices. The
    objective is the worst world's value-weighted defeats (``worst``) or their mean (``expected``),
    plus the conventional score; with ``money_price`` the worst-priced spend is priced instead of capped.
    All worlds must index cells, sites and systems alike (draws of one scenario do).
    """
    if mode not in ROBUST_MODES:
        raise ValueError(f"robust mode {mode!r}: use one of {', '.join(ROBUST_MODES)}")
    p = problems[0]
    kind = "priced" if money_price is not None else p.objective
    if kind not in ("max_defeat", "max_defeat_with_floor", "priced") or p.defeat_targets:
        raise ValueError("robust planning maximises defeats within the budget (objective max_defeat or "
                         "max_defeat_with_floor, no class targets)")
    prob = pulp.LpProblem(f"dronewall_robust_{p.name}".replace("-", "_"), pulp.LpMaximize)
    kw = {"cat": "Continuous" if relax else "Integer", "allowed": allowed}
    det_site = np.concatenate([q.det_site for q in problems])
    det_sensor = np.concatenate([q.det_sensor for q in problems])
    eng_site = np.concatenate([q.eng_site for q in problems])
    eng_effector = np.concatenate([q.eng_effector for q in problems])
    xs = _build_vars(prob, p, 0, det_site, det_sensor, p.sensor_ids, "sensor", **kw)
    ye = _build_vars(prob, p, 1, eng_site, eng_effector, p.effector_ids, "effector", **kw)
    conv = _conv_vars(prob, p, relax=relax)
    scale = money_scale(p)
    spend = prob.add_variable("spend_worst_world", 0)  # scaled money: the dearest world's spend
    worlds = []
    values = []
    for k, q in enumerate(problems):
        tag = f"@w{k}"
        detected, eng = _kill_chain(prob, q, xs, ye, tag=tag)
        cost_terms, nation_terms, fixed_cost, nation_fixed = _cost_terms(q, xs, ye, eng, conv)
        prob.addConstraint(pulp.LpConstraint(_affine([(v, c / scale) for v, c in cost_terms] + [(spend, -1.0)]),
                                             pulp.LpConstraintLE, f"spend{tag}", -fixed_cost / scale))
        for n, cap in q.nation_cap_eur.items():
            prob.addConstraint(pulp.LpConstraint(_affine([(v, c / scale) for v, c in nation_terms[n]]),
                                                 pulp.LpConstraintLE, f"nation_budget[{q.nations[n]}]{tag}",
                                                 (cap - nation_fixed[n]) / scale))
        values.append([(v, q.raids * q.value[i, t] * q.p_kill[e, t]) for (i, t, e), v in eng.items()])
        worlds.append({"detected": detected, "engage": eng})
    spend.upBound = p.budget_eur / scale
    capability = [(u, p.conv_score[c]) for c, u in enumerate(conv)]
    if kind == "max_defeat_with_floor":
        prob.addConstraint(pulp.LpConstraint(_affine(capability), pulp.LpConstraintGE, "conventional_floor",
                                             p.conventional_floor))
    if mode == "expected":
        obj = [(v, c / len(values)) for terms in values for v, c in terms]
    else:
        z = prob.add_variable("worst_world_value", None, None)
        for k, terms in enumerate(values):
            prob.addConstraint(pulp.LpConstraint(_affine([(z, 1.0)] + [(v, -c) for v, c in terms]),
                                                 pulp.LpConstraintLE, f"worst_world[{k}]", 0))
        obj = [(z, 1.0)]
    weight = p.conventional_weight if kind == "max_defeat" else 0.0
    price = COST_TIE_BREAK if money_price is None else max(money_price, COST_TIE_BREAK)
    obj += [(u, weight * s) for u, s in capability] + [(spend, -price * scale)]
    prob.setObjective(_affine(obj))
    shape = (*p.demand.shape, len(p.site_ids))
    return prob, {"sensors": xs, "effectors": ye, "conventional": conv, "worlds": worlds, "shape": shape}


def build_start(var: dict[str, Any], sensors: np.ndarray, effectors: np.ndarray) -> dict[pulp.LpVariable, float]:
    """A MIP start from a plan's builds: every build variable set to the plan's 0/1 (fixed ones left out)."""
    start: dict[pulp.LpVariable, float] = {}
    for (key, arr) in (("sensors", sensors), ("effectors", effectors)):
        for (j, k), v in var[key].items():
            if v.lowBound != v.upBound:
                start[v] = float(arr[j, k] > 0.5)
    return start


def robust_extract(prob: pulp.LpProblem, var: dict[str, Any], problems: list[PlanningProblem]) -> dict[str, Any]:
    """The shared builds and each world's detections and engagements (arrays), from a solved robust model."""
    worlds = [_extract(prob, {**var, **w}, q, integral=True) for q, w in zip(problems, var["worlds"], strict=True)]
    first = worlds[0]
    return {"sensors": first["sensors"], "effectors": first["effectors"], "conventional": first["conventional"],
            "objective": first["objective"], "worlds": [{"detected": w["detected"], "engagements": w["engagements"]}
                                                          for w in worlds]}


_HIGHS_THREADS: list[int] = []


def _highs_threads(requested: int | None) -> int | None:
    """HiGHS fixes its thread pool at the first solve of a process; a later, different count makes every
    solve fail ('Not Solved'). Keep the first count and say so when another is asked for."""
    # 0 records that the first solve left the count to HiGHS: later solves must not name one either.
    if not _HIGHS_THREADS:
        _HIGHS_THREADS.append(0 if requested is None else int(requested))
    elif requested is not None and requested != _HIGHS_THREADS[0]:
        log.debug("HiGHS keeps %s threads for the whole process; solver.threads=%d applies in a new process",
                  _HIGHS_THREADS[0] or "its default", requested)
    return _HIGHS_THREADS[0] or None


class _StartedHiGHS(pulp.HiGHS):
    """pulp's HiGHS with a MIP start: values for some integer columns (HiGHS completes them with an LP)."""

    start: dict[pulp.LpVariable, float] | None = None

    def callSolver(self, lp: pulp.LpProblem) -> None:  # pulp calls it so
        if self.start:
            index = np.array([v.index for v in self.start], dtype=np.int32)
            lp.solverModel.setSolution(len(index), index, np.array(list(self.start.values()), dtype=float))
        run_interruptibly(lp.solverModel.run)


def run_interruptibly(run: Any) -> None:
    """Call ``run`` (a solver's blocking C call); from the main thread, in a helper thread, so that Ctrl-C
    ends the command at once rather than when the solver returns. The abandoned solve stops at its time
    limit or with the process (the helper thread is a daemon)."""
    if threading.current_thread() is not threading.main_thread():
        run()
        return
    failure: list[BaseException] = []

    def target() -> None:
        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failure.append(exc)

    helper = threading.Thread(target=target, name="dronewall-solver", daemon=True)
    helper.start()
    while helper.is_alive():
        helper.join(0.1)
    if failure:
        raise failure[0]


#: The least time a solver call is given once the run's deadline has passed (seconds).
MIN_SOLVE_S = 0.5


def time_limit(options: dict[str, Any]) -> float | None:
    """The time a solver call may take now: ``time_limit_s``, cut to what is left before ``deadline`` (a
    ``time.time()`` that bounds a whole run: its MILPs, pricing rounds and exact evaluation)."""
    limit = options.get("time_limit_s")
    deadline = options.get("deadline")
    if deadline is None:
        return limit
    left = max(float(deadline) - time.time(), MIN_SOLVE_S)
    return left if limit is None else min(float(limit), left)


def make_solver(options: dict[str, Any], *, mip: bool = True, start: dict[pulp.LpVariable, float] | None = None) -> Any:
    """The pulp solver for the scenario's solver options (HiGHS through highspy, or CBC). ``start`` gives
    HiGHS a MIP start (values of integer variables; CBC ignores it). The time limit is cut to the run's
    ``deadline`` where the options carry one (:func:`time_limit`)."""
    options = {**options, "time_limit_s": time_limit(options)}
    if options.get("backend", "highs") == "highs":
        solver = _StartedHiGHS(mip=mip, msg=False, timeLimit=options.get("time_limit_s"),
                               gapRel=options.get("mip_rel_gap"), gapAbs=options.get("mip_abs_gap"),
                               threads=_highs_threads(options.get("threads")), random_seed=options.get("seed", 0),
                               output_flag=False)
        solver.start = start if mip else None
        return solver
    kw = {"mip": mip, "msg": False, "timeLimit": options.get("time_limit_s"), "gapRel": options.get("mip_rel_gap"),
          "threads": options.get("threads")}
    coin = pulp.COIN_CMD(**kw)
    if coin.available():  # CBC installed on its own (e.g. `pip install pulp[cbc]`, the PuLP 4 way)
        return coin
    with warnings.catch_warnings():  # pulp 3.3 deprecates its bundled CBC, which it still ships
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**kw)


def _run(prob: pulp.LpProblem, problem: PlanningProblem, *, mip: bool, time_limit: float | None = None) -> float:
    options = dict(problem.solver)
    if time_limit is not None:
        options["time_limit_s"] = max(time_limit, 1.0)
    t = time.perf_counter()
    try:
        with _quiet_stdout():
            prob.solve(make_solver(options, mip=mip))
    except pulp.PulpSolverError as exc:
        raise SolverError(f"the {problem.solver.get('backend')} solver failed: {exc}") from None
    if prob.status == pulp.LpStatusInfeasible:
        raise InfeasibleError("the plan's constraints cannot all be met")
    if prob.status != pulp.LpStatusOptimal or prob.sol_status not in (pulp.LpSolutionOptimal,
                                                                      pulp.LpSolutionIntegerFeasible):
        raise SolverError(f"no usable plan: solver status '{pulp.LpStatus[prob.status]}' (solution status "
                          f"{prob.sol_status}); raise solver.time_limit_s or check the scenario")
    return time.perf_counter() - t


def _extract(prob: pulp.LpProblem, var: dict[str, Any], problem: PlanningProblem, *, integral: bool) -> dict[str, Any]:
    n_cells, n_threats, n_sites = var["shape"]
    rnd = round if integral else float
    sens = np.zeros((n_sites, len(problem.sensor_ids)))
    for (j, s), x in var["sensors"].items():
        sens[j, s] = rnd(x.value() or 0.0)
    effs = np.zeros((n_sites, len(problem.effector_ids)))
    for (j, e), y in var["effectors"].items():
        effs[j, e] = rnd(y.value() or 0.0)
    conv = np.array([rnd(u.value() or 0.0) for u in var["conventional"]], dtype=float)
    det = np.zeros((n_cells, n_threats))
    for (i, t), (rate, lam) in var["detected"].items():
        det[i, t] = lam * max(rate.value() or 0.0, 0.0)
    eng = np.zeros((n_cells, n_threats, len(problem.effector_ids)))
    for (i, t, e), v in var["engage"].items():
        eng[i, t, e] = max(v.value() or 0.0, 0.0)
    return {"sensors": sens, "effectors": effs, "conventional": conv, "detected": det, "engagements": eng,
            "objective": float(pulp.value(prob.objective) or 0.0)}


def _sizes(prob: pulp.LpProblem) -> dict[str, int]:
    return {"variables": prob.numVariables(), "constraints": prob.numConstraints(),
            "nonzeros": sum(len(c) for c in prob.constraints()),
            "integer_variables": sum(1 for v in prob.variables() if v.cat != "Continuous")}


def solve(problem: PlanningProblem, *, fixed: FixedPlan | None = None,
          target_override: dict[int, float] | None = None, objective: str | None = None) -> Solved:
    """Build and solve; map the values back to arrays. Raises InfeasibleError or SolverError.

    Strategy ``lp_screen``: solve the LP relaxation first (its optimum bounds every plan),
    then the MILP over the builds the relaxation uses; the gap is reported against the relaxation's
    bound, so it is a proven gap for the full problem. If the screened MILP is infeasible, or the
    strategy is ``full``, the MILP over all builds is solved directly. Strategy ``sectors`` (default)
    hands over to :mod:`planner.lp.sectors` where the problem decomposes by nation.
    """
    from planner.lp import sectors  # the decomposition builds on this module

    if sectors.applies(problem, objective=objective, target_override=target_override):
        return sectors.evaluate(problem, fixed) if fixed is not None else sectors.solve(problem)
    t0 = time.perf_counter()
    kw = {"target_override": target_override, "objective": objective}
    if fixed is not None:
        prob, var = build_model(problem, fixed=fixed, **kw)
        t1 = time.perf_counter()
        solve_s = _run(prob, problem, mip=False)
        out = _extract(prob, var, problem, integral=False)
        return Solved(status="optimal", gap=0.0, build_s=t1 - t0, solve_s=solve_s, sizes=_sizes(prob), **out)

    limit = float(time_limit(problem.solver) or 120)  # cut to the run's deadline where there is one
    bound: float | None = None
    allowed = None
    build_s = solve_s = 0.0
    strategy = "full" if problem.solver.get("strategy", "sectors") == "full" else "lp_screen"
    if strategy == "lp_screen":  # also where "sectors" does not apply
        relaxed, rvar = build_model(problem, relax=True, **kw)
        build_s += time.perf_counter() - t0
        solve_s += _run(relaxed, problem, mip=False, time_limit=limit)
        r = _extract(relaxed, rvar, problem, integral=False)
        bound = r["objective"]
        allowed = (r["sensors"] > 1e-6, r["effectors"] > 1e-6)
    t1 = time.perf_counter()
    prob, var = build_model(problem, allowed=allowed, **kw)
    build_s += time.perf_counter() - t1
    try:
        solve_s += _run(prob, problem, mip=True, time_limit=limit - solve_s)
    except InfeasibleError:
        if allowed is None:
            raise
        t2 = time.perf_counter()
        prob, var = build_model(problem, **kw)
        build_s += time.perf_counter() - t2
        solve_s += _run(prob, problem, mip=True, time_limit=limit - solve_s)
    out = _extract(prob, var, problem, integral=True)
    target = float(problem.solver.get("mip_rel_gap", 0.01))
    gap = _mip_gap(prob)
    if bound is not None:
        inc = out["objective"]
        proven = abs(bound - inc) / max(abs(bound), abs(inc), 1e-9)
        gap = proven if gap is None else max(gap, proven)
        remaining = limit - solve_s
        if gap > target + 1e-9 and remaining >= 5.0:
            # The relaxation's bound may be weak (small instances): the full MILP proves its own gap.
            t3 = time.perf_counter()
            full, fvar = build_model(problem, **kw)
            build_s += time.perf_counter() - t3
            solve_s += _run(full, problem, mip=True, time_limit=remaining)
            fgap = _mip_gap(full)
            fout = _extract(full, fvar, problem, integral=True)
            better = fout["objective"] > out["objective"] if full.sense == pulp.LpMaximize \
                else fout["objective"] < out["objective"]
            if fgap is not None and (fgap < gap or better):
                prob, out, gap = full, fout, min(gap, fgap) if not better else fgap
    status = "optimal" if gap is not None and gap <= target + 1e-9 else "gap_above_target"
    if gap is not None and gap > 0.1:
        log.warning("the plan is %.0f%% from the best bound when the time limit stopped the solver: "
                    "raise solver.time_limit_s or use coarser cells before relying on it", 100 * gap)
    return Solved(status=status, gap=gap, build_s=build_s, solve_s=solve_s, sizes=_sizes(prob),
                  info={"strategy": strategy}, **out)


def solve_robust(problems: list[PlanningProblem], *, mode: str = "worst",
                 start: tuple[np.ndarray, np.ndarray] | None = None) -> Solved:
    """Robust plan against several worlds (:func:`build_robust_model`), by nation where the problem
    decomposes; the nominal world's (``problems[0]``) detections and engagements are returned. ``start``
    (sensors, effectors) is a MIP start, e.g. the nominal plan."""
    from planner.lp import sectors  # the decomposition builds on this module

    p = problems[0]
    if sectors.applies(p):
        return sectors.solve(p, worlds=problems[1:], mode=mode, start=start)
    # One "sector" holding the whole problem, budget capped rather than priced: the same screened solve.
    target = float(p.solver.get("mip_rel_gap", 0.01))
    r = sectors._solve_sector({"problem": p, "worlds": problems[1:], "mode": mode, "price": None, "start": start,
                               "threads": p.solver.get("threads"), "time_limit_s": p.solver.get("time_limit_s"),
                               "mip_rel_gap": target})
    if r.get("infeasible"):
        raise InfeasibleError("the robust plan's constraints cannot all be met: the units in service cost more "
                              "than the budget in some draw")
    if "error" in r:
        raise SolverError(f"no usable robust plan ({r['error']}); raise solver.time_limit_s or plan against "
                          "fewer draws")
    gap = max(r["bound"] - r["objective"], 0.0) / max(abs(r["bound"]), abs(r["objective"]), 1e-9)
    status = "optimal" if gap <= target + 1e-9 else "gap_above_target"
    return Solved(status=status, sensors=r["sensors"], effectors=r["effectors"], conventional=r["conventional"],
                  detected=r["detected"], engagements=r["engagements"], objective=r["objective"], gap=gap,
                  build_s=r["build_s"], solve_s=r["solve_s"], sizes=r["sizes"],
                  info={"strategy": "full", "robust": {"mode": mode, "worlds": len(problems)}, "bound": r["bound"]})


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence what solver libraries print to file descriptor 1 (HiGHS prints a banner regardless)."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured streams (tests) have no descriptor
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def mip_dual_bound(prob: pulp.LpProblem) -> float | None:
    """The MILP's proven bound on its objective (HiGHS only), in the model's own sense."""
    model = getattr(prob, "solverModel", None)
    if model is None:
        return None
    try:
        bound = float(model.getInfo().mip_dual_bound)
    except Exception:  # noqa: BLE001 - CBC has no such info
        return None
    if not math.isfinite(bound):
        return None
    # pulp hands HiGHS a maximisation as the minimisation of the negated objective
    return -bound if prob.sense == pulp.LpMaximize else bound


def _mip_gap(prob: pulp.LpProblem) -> float | None:
    model = getattr(prob, "solverModel", None)
    if model is None:
        return None
    try:
        return float(model.getInfo().mip_gap)
    except Exception:  # noqa: BLE001 - CBC and older highspy have no such info
        return None

