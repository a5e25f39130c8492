"""The kill-chain MILP, built from a :class:`PlanningProblem` with pulp (build only: solving is
planner.lp.solver's, strategies are planner.lp.strategies' and planner.lp.sectors').

Formulation (docs/formulation.md gives it in full): binary builds per (site, system); log-survival
detection potentials δ with chord cuts below 1 − e^(−δ); engagement flows per (cell, threat,
effector) bounded by detections, by reach, and by magazines shared evenly among the cells a unit
covers; decoys drawing their share of shots; a budget row over acquisition, operation and munitions;
integer conventional units.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from planner.lp.kill_chain import affine, define_kill_chain
from planner.lp.result import FixedPlan
from planner.lp.solver import extract
from planner.problem import PlanningProblem


def money_scale(p: PlanningProblem) -> float:
    """Budget rows count money in units of this many euros (10⁶ for a budget of billions, 10⁻³ for a
    budget of a few euros), so that their right-hand side stays between 10³ and 10⁴ for the solver: HiGHS's
    tolerances are absolute, and a cheap shot in a budget row of 1 fell below them (a wrong "optimal")."""
    return 10.0 ** (math.floor(math.log10(max(p.budget_eur, 1e-9))) - 3)


#: Euros count this much against objective value, to break ties toward the cheaper of equal plans.
COST_TIE_BREAK = 1e-12


def define_builds(prob: pulp.LpProblem, p: PlanningProblem, role: int, sites: np.ndarray, types: np.ndarray,
                ids: tuple[str, ...], label: str, *, cat: str, fixed: FixedPlan | None = None,
                allowed: tuple[np.ndarray, np.ndarray] | None = None,
                required: tuple[np.ndarray, np.ndarray] | None = None,
                most: tuple[np.ndarray, np.ndarray] | None = None) -> dict[tuple[int, int], pulp.LpVariable]:
    """One build variable per (site, system) that covers anything from that site: 0 or 1 unit, or up to ``most``
    units of a placement counting its twins' (planner.lp.twins)."""
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
        lo, hi = (0.0, 1.0 if most is None else float(most[role][j, k])) if fix is None else (fix, fix)
        out[j, k] = prob.add_variable(f"build_{label}[{p.site_ids[j]},{ids[k]}]", lo, hi, cat)
    return out


@dataclass
class Money:
    """Euros over the horizon of a model's plan at one world's prices: terms, terms by nation, and the constants
    (operation of units in service the model has no variable for), in all and by nation."""

    terms: list[tuple[pulp.LpVariable, float]]
    by_nation: dict[int, list[tuple[pulp.LpVariable, float]]]
    fixed: float
    fixed_by_nation: dict[int, float]


def money_terms(p: PlanningProblem, xs: dict[tuple[int, int], pulp.LpVariable],
                ye: dict[tuple[int, int], pulp.LpVariable], eng: dict[tuple[int, int, int], pulp.LpVariable],
                conv: list[pulp.LpVariable], fixed: FixedPlan | None = None,
                share: tuple[np.ndarray, np.ndarray] | None = None) -> Money:
    """Euros over the horizon at ``p``'s prices.

    Units in service cost only their operation; those the model has no variable for (they cover
    nothing, e.g. a kinetic unit inside a no-fire zone) still cost it, as a constant. So does, in an exact
    evaluation, a unit the ``fixed`` plan built that covers nothing in this world (a catalog draw with shorter
    ranges): it was bought and is run, whatever it covers. ``share`` (sensors (M, S), effectors (M, E)) counts only
    that share of each unit's acquisition and operation: a segment's part of a unit several segments use
    (:mod:`planner.lp.segments`).
    """
    horizon = p.horizon_years
    in_service = (p.in_service_sensors, p.in_service_effectors)
    cost_terms: list[tuple[pulp.LpVariable, float]] = []
    nation_terms: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    fixed_cost = 0.0
    nation_fixed: dict[int, float] = defaultdict(float)
    for role, (var_map, unit, op) in enumerate(((xs, p.sensor_unit_cost_eur, p.sensor_operating_eur_per_year),
                                                (ye, p.effector_unit_cost_eur, p.effector_operating_eur_per_year))):
        part = np.ones(in_service[role].shape) if share is None else share[role]
        for (j, k), v in var_map.items():
            c = ((0.0 if in_service[role][j, k] else unit[k]) + horizon * op[k]) * part[j, k]
            cost_terms.append((v, c))
            nation_terms[int(p.site_nation[j])].append((v, c))
        for j, k in zip(*np.nonzero(in_service[role]), strict=True):
            if (j, k) not in var_map:
                fixed_cost += horizon * op[k] * part[j, k]
                nation_fixed[int(p.site_nation[j])] += horizon * op[k] * part[j, k]
        if fixed is not None:
            built = fixed.sensors if role == 0 else fixed.effectors
            for j, k in zip(*np.nonzero((built > 0.5) & ~in_service[role]), strict=True):
                if (j, k) not in var_map:
                    fixed_cost += unit[k] + horizon * op[k]
                    nation_fixed[int(p.site_nation[j])] += unit[k] + horizon * op[k]
    shots = p.shots()
    for (i, t, e), v in eng.items():
        c = p.raids * shots[e, t] * p.effector_cost_per_shot_eur[e]
        cost_terms.append((v, c))
        nation_terms[int(p.cell_nation[i])].append((v, c))
    for c, u in enumerate(conv):
        cost_terms.append((u, p.conv_unit_cost_eur[c] + horizon * p.conv_operating_eur_per_year[c]))
    return Money(cost_terms, nation_terms, fixed_cost, nation_fixed)


def define_conventional(prob: pulp.LpProblem, p: PlanningProblem, *, fixed: FixedPlan | None = None,
               relax: bool = False) -> list[pulp.LpVariable]:
    conv = []
    for c, cid in enumerate(p.conv_ids):
        if fixed is None:
            conv.append(prob.add_variable(f"conventional[{cid}]", int(p.conv_min_units[c]), p.conv_upper(c),
                                          "Continuous" if relax else "Integer"))
        else:
            u = float(fixed.conventional[c])
            conv.append(prob.add_variable(f"conventional[{cid}]", u, u, "Continuous"))
    return conv


def define_conventional_value(prob: pulp.LpProblem, p: PlanningProblem, conv: list[pulp.LpVariable],
                              weight: float, *, tag: str = "") -> list[tuple[pulp.LpVariable, float]]:
    """Objective terms of the conventional units' value at ``weight`` per Leopard-2A8 equivalent valued in full
    (objective.capability_areas): linear without requirements (weight × score per unit); otherwise, per area with a
    requirement, two pieces — points below it at full weight, points beyond it (up to saturation) at
    beyond_requirement_share — whose sum is at most the points bought. The value is concave, so a maximisation
    fills the first piece first."""
    if weight == 0 or p.capability_is_linear():
        return [(u, weight * p.conv_score[c]) for c, u in enumerate(conv)]
    terms: list[tuple[pulp.LpVariable, float]] = []
    for a, area in enumerate(p.area_ids):
        points = [(u, float(p.conv_area_points[c, a])) for c, u in enumerate(conv) if p.conv_area_points[c, a] > 0]
        if not points:
            continue
        if not np.isfinite(p.area_below[a]):  # no requirement: linear
            terms += [(u, weight * x) for u, x in points]
            continue
        below = prob.add_variable(f"capability_below[{area}]{tag}", 0, float(p.area_below[a]))
        beyond = prob.add_variable(f"capability_beyond[{area}]{tag}", 0,
                                   float(p.area_beyond[a]) if np.isfinite(p.area_beyond[a]) else None)
        prob.addConstraint(pulp.LpConstraint(affine([(below, 1.0), (beyond, 1.0)] + [(u, -x) for u, x in points]),
                                             pulp.LpConstraintLE, f"capability_points[{area}]{tag}", 0))
        terms += [(below, weight), (beyond, weight * float(p.area_beyond_share[a]))]
    return terms


def define_min_detection(prob: pulp.LpProblem, p: PlanningProblem,
                         detected: dict[tuple[int, int], tuple[pulp.LpVariable, float]], *, tag: str = "") -> None:
    """Surveillance requirements (systems.min_detection): Σ over a nation's cells of λ_it · rate_it ≥ share ·
    Σ λ_it for each required (nation, class). On the promise, which the exact evaluation never falls below."""
    for n, t, share in p.detection_requirements():
        cells = np.flatnonzero(p.cell_nation == n)
        terms = [(detected[i, t][0], detected[i, t][1]) for i in cells.tolist() if (i, t) in detected]
        need = share * float(p.demand[cells, t].sum())
        prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintGE,
                                             f"min_detection[{p.nations[n]},{p.threat_ids[t]}]{tag}", need))


#: Objective weight of one expected escort meeting (per raid) in an exact evaluation. The escort is doctrine, not a
#: choice: every detected incursion an alert unit can meet in time is met. With the builds fixed, escorts share no
#: row with engagements or money (sorties are flown outside the budget) but the detection rate's upper bound, so the
#: weight sends every sortie there is without moving anything else (and is taken out of the objective reported). A
#: planning model gives escorts no weight: escort.min_share rows are what make a plan build for escort.
ESCORT_WEIGHT = 1.0


def escort_terms(p: PlanningProblem, escort: dict[tuple[int, int, int], pulp.LpVariable],
                 weight: float = 1.0) -> list[tuple[pulp.LpVariable, float]]:
    """Expected escorts met per raid, times ``weight``: Σ p_meet(e) · sorties."""
    return [(v, weight * float(p.effector_p_meet[e])) for (_i, _t, e), v in escort.items()]


def define_min_escort(prob: pulp.LpProblem, p: PlanningProblem, escort: dict[tuple[int, int, int], pulp.LpVariable],
                      *, tag: str = "") -> None:
    """Escort requirements (escort.min_share): Σ over a nation's cells of p_meet · sorties ≥ share · Σ λ for each
    required (nation, crewed class). On the promise, which the exact evaluation never falls below."""
    for n, t, share in p.escort_requirements():
        cells = set(np.flatnonzero(p.cell_nation == n).tolist())
        terms = [(v, float(p.effector_p_meet[e])) for (i, tt, e), v in escort.items() if tt == t and i in cells]
        need = share * float(p.demand[p.cell_nation == n, t].sum())
        prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintGE,
                                             f"min_escort[{p.nations[n]},{p.threat_ids[t]}]{tag}", need))


def define_budget(prob: pulp.LpProblem, p: PlanningProblem, money: Money, limit_eur: float, *,
                  worst: pulp.LpVariable | None = None, tag: str = "") -> None:
    """The budget row, in scaled money (:func:`money_scale`): euro coefficients of 10⁹ left HiGHS with primal
    infeasibilities of a few 10⁻⁶ after "optimal" (reported as a solve error). With ``worst`` (robust planning),
    one world's spend is at most ``worst``, the dearest world's, whose upper bound is the budget."""
    scale = money_scale(p)
    terms = [(v, c / scale) for v, c in money.terms]
    if worst is None:
        prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintLE, f"budget{tag}",
                                             (limit_eur - money.fixed) / scale))
        return
    worst.upBound = limit_eur / scale
    prob.addConstraint(pulp.LpConstraint(affine(terms + [(worst, -1.0)]), pulp.LpConstraintLE, f"spend{tag}",
                                         -money.fixed / scale))


def define_national_caps(prob: pulp.LpProblem, p: PlanningProblem, money: Money, *, tag: str = "") -> None:
    """budget.per_nation_eur: what each capped nation's sites build and its cells fire, within its cap."""
    scale = money_scale(p)
    for n, cap in p.nation_cap_eur.items():
        prob.addConstraint(pulp.LpConstraint(affine([(v, c / scale) for v, c in money.by_nation[n]]),
                                             pulp.LpConstraintLE, f"nation_budget[{p.nations[n]}]{tag}",
                                             (cap - money.fixed_by_nation[n]) / scale))


def define_unit_caps(prob: pulp.LpProblem, p: PlanningProblem, xs: dict[tuple[int, int], pulp.LpVariable],
                     ye: dict[tuple[int, int], pulp.LpVariable]) -> None:
    """Most units of a type in service per nation (a procurement pathway's lead times and production): Σ builds over
    the nation's sites, units in service without a variable counted as built. Conventional limits are bounds."""
    for role, (caps, var_map, in_service, ids) in enumerate(((p.sensor_max_units, xs, p.in_service_sensors,
                                                             p.sensor_ids),
                                                            (p.effector_max_units, ye, p.in_service_effectors,
                                                             p.effector_ids))):
        if not caps.size:
            continue
        for n, k in zip(*np.nonzero(np.isfinite(caps)), strict=True):
            sites = np.flatnonzero(p.site_nation == n)
            terms = [(var_map[j, k], 1.0) for j in sites.tolist() if (j, k) in var_map]
            if not terms:
                continue
            held = sum(1 for j in sites.tolist() if in_service[j, k] and (j, k) not in var_map)
            prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintLE,
                                                 f"units[{p.nations[n]},{('sensor', 'effector')[role]}_{ids[k]}]",
                                                 float(caps[n, k]) - held))


def define_floor(prob: pulp.LpProblem, p: PlanningProblem, conv: list[pulp.LpVariable], kind: str) -> None:
    """objective.conventional_floor: the conventional capability bought reaches the floor (that objective only)."""
    if kind != "max_defeat_with_floor":
        return
    prob.addConstraint(pulp.LpConstraint(affine([(u, p.conv_score[c]) for c, u in enumerate(conv)]),
                                         pulp.LpConstraintGE, "conventional_floor", p.conventional_floor))


def define_targets(prob: pulp.LpProblem, p: PlanningProblem, eng: dict[tuple[int, int, int], pulp.LpVariable],
                   targets: dict[int, float]) -> None:
    """objective.defeat_targets: each class's expected defeats per raid reach its share of the class's drones."""
    if not targets:
        return
    per_class: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    for (_i, t, e), v in eng.items():
        per_class[t].append((v, p.p_kill[e, t]))
    for t, rate in targets.items():
        total = float(p.demand[:, t].sum())
        prob.addConstraint(pulp.LpConstraint(affine(per_class.get(t, [])), pulp.LpConstraintGE,
                                             f"defeat_target[{p.threat_ids[t]}]", rate * total))


def build_model(problem: PlanningProblem, *, fixed: FixedPlan | None = None,
                target_override: dict[int, float] | None = None, objective: str | None = None,
                relax: bool = False, allowed: tuple[np.ndarray, np.ndarray] | None = None,
                required: tuple[np.ndarray, np.ndarray] | None = None, money_price: float | None = None,
                build_share: tuple[np.ndarray, np.ndarray] | None = None,
                most: tuple[np.ndarray, np.ndarray] | None = None,
                layer_cuts: bool = False) -> tuple[pulp.LpProblem, dict[str, Any]]:
    """Build the MILP (or, with ``fixed``, the exact-evaluation LP). Returns the model and its variables.

    ``relax`` makes builds continuous (the LP relaxation); ``allowed`` = (sensors (M,S), effectors
    (M,E)) boolean masks bars every other build (upper bound 0); ``required`` forces builds (lower
    bound 1), which tests use to enumerate plans. ``money_price`` (objective units per euro) prices
    money instead of rationing it: the objective becomes value − price × cost (the budget row stays),
    which is how the sector decomposition (planner.lp.sectors) splits the flank by nation. ``build_share`` counts a
    share of each unit's cost (:func:`money_terms`): a segment's model in the decomposition along the border.
    ``most`` (M,S), (M,E): the units a placement may count (its twins', planner.lp.twins; none: 0 or 1).
    ``layer_cuts``: the layered kill chain's cuts in ``variables["cuts"]`` (a :class:`planner.lp.cuts.CutPool`,
    not in the model: :class:`planner.lp.cuts.Separation` adds those the relaxation violates, or ``write_into``).
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
    kw: dict[str, Any] = {"cat": cat, "fixed": fixed, "allowed": allowed, "required": required, "most": most}
    xs = define_builds(prob, p, 0, p.det_site, p.det_sensor, p.sensor_ids, "sensor", **kw)
    ye = define_builds(prob, p, 1, np.concatenate([p.eng_site, p.pt_site, p.esc_site]),
                       np.concatenate([p.eng_effector, p.pt_effector, p.esc_effector]), p.effector_ids, "effector", **kw)
    conv = define_conventional(prob, p, fixed=fixed, relax=relax)
    world = define_kill_chain(prob, p, xs, ye, fixed=fixed, cuts=layer_cuts)
    money = money_terms(p, xs, ye, world.engage, conv, fixed, build_share)
    define_budget(prob, p, money, p.budget_eur if fixed is None else fixed.cost_eur * (1 + 1e-9) + 1.0)
    define_national_caps(prob, p, money)
    define_unit_caps(prob, p, xs, ye)
    if fixed is None:  # requirements of the planning, not of the world: the checker (planner/lp/check.py) holds an
        # exact evaluation to none of them either; a fixed plan was held to them when it was planned, and evaluated
        # in another world (a stress case, a catalog draw, drone defence alone) it may miss them
        define_min_detection(prob, p, world.detected)
        define_min_escort(prob, p, world.escort)
        define_floor(prob, p, conv, kind)
        define_targets(prob, p, world.engage, targets)
    if fixed is not None or kind != "min_cost":
        kills_value = [(v, p.raids * p.value[i, t] * p.p_kill[e, t]) for (i, t, e), v in world.engage.items()]
        weight = p.conventional_weight if kind == "max_defeat" else 0.0
        price = COST_TIE_BREAK if money_price is None else max(money_price, COST_TIE_BREAK)
        escort_weight = ESCORT_WEIGHT if fixed is not None else 0.0
        obj = kills_value + define_conventional_value(prob, p, conv, weight) + escort_terms(p, world.escort,
                                                                                             escort_weight)
        prob.setObjective(affine(obj + [(v, -price * c) for v, c in money.terms]))
    else:
        escort_weight = 0.0
        prob.setObjective(affine(money.terms))

    variables = {"sensors": xs, "effectors": ye, "conventional": conv, "detected": world.detected,
                 "engage": world.engage, "point": world.point, "escort": world.escort, "escort_weight": escort_weight,
                 "shape": (n_cells, n_threats, n_sites), "fixed_money": money.fixed, "cuts": world.cuts}
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
    kw: dict[str, Any] = {"cat": "Continuous" if relax else "Integer", "allowed": allowed}
    det_site = np.concatenate([q.det_site for q in problems])
    det_sensor = np.concatenate([q.det_sensor for q in problems])
    eng_site = np.concatenate([a for q in problems for a in (q.eng_site, q.pt_site, q.esc_site)])
    eng_effector = np.concatenate([a for q in problems for a in (q.eng_effector, q.pt_effector, q.esc_effector)])
    xs = define_builds(prob, p, 0, det_site, det_sensor, p.sensor_ids, "sensor", **kw)
    ye = define_builds(prob, p, 1, eng_site, eng_effector, p.effector_ids, "effector", **kw)
    conv = define_conventional(prob, p, relax=relax)
    scale = money_scale(p)
    spend = prob.add_variable("spend_worst_world", 0)  # scaled money: the dearest world's spend
    worlds = []
    values = []
    for k, q in enumerate(problems):
        tag = f"@w{k}"
        world = define_kill_chain(prob, q, xs, ye, tag=tag)
        define_min_detection(prob, q, world.detected, tag=tag)
        define_min_escort(prob, q, world.escort, tag=tag)
        money = money_terms(q, xs, ye, world.engage, conv)
        define_budget(prob, q, money, p.budget_eur, worst=spend, tag=tag)  # the budget holds in every world
        define_national_caps(prob, q, money, tag=tag)
        values.append([(v, q.raids * q.value[i, t] * q.p_kill[e, t]) for (i, t, e), v in world.engage.items()])
        worlds.append({"detected": world.detected, "engage": world.engage, "point": world.point,
                       "escort": world.escort})
    define_floor(prob, p, conv, kind)
    define_unit_caps(prob, p, xs, ye)
    if mode == "expected":
        obj = [(v, c / len(values)) for terms in values for v, c in terms]
    else:
        z = prob.add_variable("worst_world_value", None, None)
        for k, terms in enumerate(values):
            prob.addConstraint(pulp.LpConstraint(affine([(z, 1.0)] + [(v, -c) for v, c in terms]),
                                                 pulp.LpConstraintLE, f"worst_world[{k}]", 0))
        obj = [(z, 1.0)]
    weight = p.conventional_weight if kind == "max_defeat" else 0.0
    price = COST_TIE_BREAK if money_price is None else max(money_price, COST_TIE_BREAK)
    obj += define_conventional_value(prob, p, conv, weight) + [(spend, -price * scale)]
    prob.setObjective(affine(obj))
    shape = (*p.demand.shape, len(p.site_ids))
    return prob, {"sensors": xs, "effectors": ye, "conventional": conv, "worlds": worlds, "shape": shape}


def robust_extract(prob: pulp.LpProblem, var: dict[str, Any], problems: list[PlanningProblem]) -> dict[str, Any]:
    """The shared builds and each world's detections and engagements (arrays), from a solved robust model."""
    worlds = [extract(prob, {**var, **w}, q, integral=True) for q, w in zip(problems, var["worlds"], strict=True)]
    first = worlds[0]
    return {"sensors": first["sensors"], "effectors": first["effectors"], "conventional": first["conventional"],
            "objective": first["objective"], "worlds": [{"detected": w["detected"], "engagements": w["engagements"],
                                                           "point": w["point"], "escorts": w["escorts"]}
                                                          for w in worlds]}
