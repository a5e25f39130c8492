"""Choosing among plans already found: one plan per nation and integer conventional units, within a budget
or reaching a value (small multiple-choice knapsacks), and the conventional term of the priced bound.
Used by the decomposition by nation (planner.lp.sectors) and by the sweeps' families of plans."""

from __future__ import annotations

import numpy as np
import pulp

from planner.errors import InfeasibleError, SolverError
from planner.lp.formulation import COST_TIE_BREAK, define_conventional_value, money_scale
from planner.lp.kill_chain import affine
from planner.lp.result import SectorPlan
from planner.lp.solver import make_solver, quiet_stdout
from planner.problem import PlanningProblem


def conventional_values(p: PlanningProblem, kind: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Conventional euros per unit over the horizon, objective value per unit, and μ_conv."""
    k = p.conv_cost_eur
    w = p.conventional_weight if kind == "max_defeat" else 0.0
    val = w * p.conv_score
    mu = float(np.max(val / k)) if len(k) and w > 0 else 0.0
    return k, val, max(mu, 0.0)


def lowest_price(p: PlanningProblem, k: np.ndarray, val: np.ndarray) -> float:
    """The lowest price on money at which the conventional term stays bounded: the most value per euro an option
    keeps however many units are bought. Linear value: μ_conv (max val/k). Capability areas: a point is worth its
    share beyond the requirement where the area has no saturation, nothing past saturation, so below the first
    pieces' price money may still be worth more in drone defence (a duality bracket the pricing must search). An
    option with a most-units limit (a procurement pathway's) keeps nothing: its term is bounded at any price."""
    unbounded = np.array([p.conv_upper(c) is None for c in range(len(k))], dtype=bool)  # capped: a bounded term
    if not len(k) or not np.any(val[unbounded]):
        return 0.0
    if p.capability_is_linear():
        return float(np.max(val[unbounded] / k[unbounded]))
    tail = np.where(~np.isfinite(p.area_below), 1.0, np.where(np.isinf(p.area_beyond), p.area_beyond_share, 0.0))
    return float(np.max((_weight(p, val) * (p.conv_area_points @ tail) / k)[unbounded]))


def _weight(p: PlanningProblem, val: np.ndarray) -> float:
    """The weight per Leopard-2A8 equivalent behind ``val`` (:func:`conventional_values`: conventional_weight ×
    score where the objective values conventional units, zeros where it does not)."""
    return p.conventional_weight if np.any(val) else 0.0


def conventional_value_terms(prob: pulp.LpProblem, p: PlanningProblem, u: list[pulp.LpVariable],
                             val: np.ndarray) -> list[tuple[pulp.LpVariable, float]]:
    """Objective terms of conventional units: ``val`` per unit where the value is linear, else the capability
    areas' concave pieces (:func:`planner.lp.formulation.define_conventional_value`)."""
    if p.capability_is_linear():
        return [(u[c], float(val[c])) for c in range(len(u))]
    return define_conventional_value(prob, p, u, _weight(p, val))


def conventional_worth(p: PlanningProblem, units: np.ndarray, val: np.ndarray) -> float:
    """The value of conventional units (C,) behind ``val``: linear, or concave over the capability areas."""
    return float((val * units).sum()) if p.capability_is_linear() else p.conventional_value(units, _weight(p, val))


def conventional_term(p: PlanningProblem, k: np.ndarray, val: np.ndarray, mu: float,
                       floor: float) -> tuple[float, np.ndarray]:
    """max over conventional units of Σ (val − μ k) u with u ≥ minimum holdings and the floor met."""
    if not len(k):
        return 0.0, np.zeros(0)
    prob = pulp.LpProblem("conventional_term", pulp.LpMaximize)
    u = [prob.add_variable(f"u{c}", int(p.conv_min_units[c]), p.conv_upper(c), "Integer") for c in range(len(k))]
    if p.capability_is_linear():
        prob.setObjective(pulp.LpAffineExpression([(u[c], float(val[c] - mu * k[c]) - COST_TIE_BREAK * k[c])
                                                   for c in range(len(k))]))
    else:
        prob.setObjective(affine(conventional_value_terms(prob, p, u, val)
                                 + [(u[c], -float(mu * k[c]) - COST_TIE_BREAK * k[c]) for c in range(len(k))]))
    if floor > 0:
        prob.addConstraint(pulp.LpAffineExpression([(u[c], float(p.conv_score[c])) for c in range(len(k))]) >= floor,
                           "floor")
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(time_limit_s=30, mip_rel_gap=0.0)))
    if prob.status != pulp.LpStatusOptimal:
        raise InfeasibleError("the conventional floor cannot be met")
    units = np.array([round(x.value() or 0.0) for x in u], dtype=float)
    return conventional_worth(p, units, val) - float((mu * k * units).sum()), units


def pick_plans(p: PlanningProblem, plans: list[list[SectorPlan]], k: np.ndarray, val: np.ndarray,
          floor: float) -> tuple[list[int], np.ndarray, float]:
    """One plan per sector and the conventional units: the best combination within the budget."""
    prob = pulp.LpProblem("sector_choice", pulp.LpMaximize)
    z = [[prob.add_variable(f"z{n}_{q}", 0, 1 if pl.admissible else 0, "Integer") for q, pl in enumerate(ps)]
         for n, ps in enumerate(plans)]
    u = [prob.add_variable(f"u{c}", int(p.conv_min_units[c]), p.conv_upper(c), "Integer") for c in range(len(k))]
    terms = [(z[n][q], pl.value - COST_TIE_BREAK * pl.cost) for n, ps in enumerate(plans) for q, pl in enumerate(ps)]
    if p.capability_is_linear():
        terms += [(u[c], float(val[c]) - COST_TIE_BREAK * float(k[c])) for c in range(len(k))]
    else:
        terms += conventional_value_terms(prob, p, u, val) + [(u[c], -COST_TIE_BREAK * float(k[c]))
                                                              for c in range(len(k))]
    prob.setObjective(affine(terms) if not p.capability_is_linear() else pulp.LpAffineExpression(terms))
    for n, zs in enumerate(z):
        prob.addConstraint(pulp.LpAffineExpression([(v, 1.0) for v in zs]) == 1, f"one_plan_{n}")
    scale = money_scale(p)  # the budget row in scaled money, as in the model (solver numerics)
    spend = [(z[n][q], pl.cost / scale) for n, ps in enumerate(plans) for q, pl in enumerate(ps)]
    spend += [(u[c], float(k[c]) / scale) for c in range(len(k))]
    prob.addConstraint(pulp.LpAffineExpression(spend) <= p.budget_eur / scale, "budget")
    if floor > 0 and not len(k):
        raise InfeasibleError(f"conventional_floor {floor:g} needs conventional options, and the scenario allows none")
    if floor > 0:
        prob.addConstraint(pulp.LpAffineExpression([(u[c], float(p.conv_score[c])) for c in range(len(k))]) >= floor,
                           "floor")
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(time_limit_s=30, mip_rel_gap=1e-6)))
    if prob.status == pulp.LpStatusInfeasible:
        raise InfeasibleError("no combination of national plans and conventional units fits the budget")
    if prob.status != pulp.LpStatusOptimal:  # (a choice it could not prove is no proof that none fits)
        raise SolverError(f"the choice of national plans and conventional units did not finish: solver status "
                          f"'{pulp.LpStatus[prob.status]}'")
    choice = [int(np.argmax([zv.value() or 0.0 for zv in zs])) for zs in z]
    units = np.array([round(x.value() or 0.0) for x in u], dtype=float)
    return choice, units, float(pulp.value(prob.objective) or 0.0)


def choose_among(p: PlanningProblem, plans: list[list[SectorPlan]], *, budget: float | None = None,
                 min_value: float | None = None,
                 conventional: tuple[np.ndarray, np.ndarray, float] | None = None) -> tuple[list[int], np.ndarray]:
    """One plan per nation (and, with ``conventional`` = (euros per unit, value per unit, capability floor),
    integer conventional units): the most value within ``budget`` euros, or the cheapest reaching
    ``min_value``. Returns each nation's plan index and the units (empty without ``conventional``)."""
    import math

    prob = pulp.LpProblem("family_choice", pulp.LpMinimize if min_value is not None else pulp.LpMaximize)
    z = [[prob.add_variable(f"z{n}_{q}", 0, 1 if pl.admissible else 0, "Integer") for q, pl in enumerate(ps)]
         for n, ps in enumerate(plans)]
    scale = money_scale(p)  # money rows in scaled units, as in the model (solver numerics)
    value = pulp.LpAffineExpression([(z[n][q], pl.value) for n, ps in enumerate(plans) for q, pl in enumerate(ps)])
    cost = pulp.LpAffineExpression([(z[n][q], pl.cost / scale) for n, ps in enumerate(plans)
                                    for q, pl in enumerate(ps)])
    for n, zs in enumerate(z):
        prob.addConstraint(pulp.LpAffineExpression([(v, 1.0) for v in zs]) == 1, f"one_{n}")
    u: list[pulp.LpVariable] = []
    conv_value = pulp.LpAffineExpression()
    if conventional is not None:
        k, val, floor = conventional
        u = [prob.add_variable(f"u{c}", int(p.conv_min_units[c]), p.conv_upper(c), "Integer") for c in range(len(k))]
        cost = cost + pulp.LpAffineExpression([(u[c], float(k[c]) / scale) for c in range(len(k))])
        conv_value = affine(conventional_value_terms(prob, p, u, val))
        if floor > 0:
            prob.addConstraint(pulp.LpAffineExpression([(u[c], float(p.conv_score[c])) for c in range(len(k))])
                               >= floor, "floor")
    if budget is not None:
        if math.isfinite(budget):
            prob.addConstraint(cost <= budget / scale, "budget")
        prob.setObjective(value + conv_value - COST_TIE_BREAK * scale * cost)
    if min_value is not None:
        prob.addConstraint(value >= min_value, "target")
        prob.setObjective(cost - 1e-9 * value)  # scaled money: the tie-break stays small
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(time_limit_s=30, mip_rel_gap=1e-7)))
    if prob.status != pulp.LpStatusOptimal:
        raise InfeasibleError("no combination of the family's national plans meets the requirement")
    picked = [int(np.argmax([v.value() or 0.0 for v in zs])) for zs in z]
    return picked, np.array([round(x.value() or 0.0) for x in u], dtype=float)


def cheapest_conventional(p: PlanningProblem, floor: float) -> np.ndarray:
    """Integer conventional units reaching ``floor`` capability (and the minimum holdings) at least cost."""
    k = p.conv_cost_eur
    prob = pulp.LpProblem("cheapest_conventional", pulp.LpMinimize)
    u = [prob.add_variable(f"u{c}", int(p.conv_min_units[c]), p.conv_upper(c), "Integer") for c in range(len(k))]
    prob.setObjective(pulp.LpAffineExpression([(u[c], float(k[c])) for c in range(len(k))]))
    if floor > 0:
        prob.addConstraint(pulp.LpAffineExpression([(u[c], float(p.conv_score[c])) for c in range(len(k))]) >= floor)
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(time_limit_s=30, mip_rel_gap=0.0)))
    return np.array([round(x.value() or 0.0) for x in u], dtype=float)


#: What a near-optimal alternative aims at (modelling to generate alternatives): the most armour points (tanks), the
#: most conventional capability, the most drones defeated, the fewest nations with drone defence of their own.
AIMS = ("most_tanks", "most_conventional", "most_drone_defence", "fewest_nations")


def choose_alternative(p: PlanningProblem, plans: list[list[SectorPlan]], *, aim: str, min_objective: float,
                       k: np.ndarray, val: np.ndarray, armour: np.ndarray) -> tuple[list[int], np.ndarray]:
    """One plan per nation and integer conventional units within the budget whose objective (drone value plus
    conventional value) is at least ``min_objective``, best for ``aim`` (:data:`AIMS`; ``armour``: each option's
    armour points). Returns each nation's plan index and the units."""
    if aim not in AIMS:
        raise ValueError(f"aim {aim!r}: use one of {', '.join(AIMS)}")
    prob = pulp.LpProblem(f"alternative_{aim}", pulp.LpMinimize if aim == "fewest_nations" else pulp.LpMaximize)
    z = [[prob.add_variable(f"z{n}_{q}", 0, 1 if pl.admissible else 0, "Integer") for q, pl in enumerate(ps)]
         for n, ps in enumerate(plans)]
    u = [prob.add_variable(f"u{c}", int(p.conv_min_units[c]), p.conv_upper(c), "Integer") for c in range(len(k))]
    for n, zs in enumerate(z):
        prob.addConstraint(pulp.LpAffineExpression([(v, 1.0) for v in zs]) == 1, f"one_{n}")
    scale = money_scale(p)
    spend = [(z[n][q], pl.cost / scale) for n, ps in enumerate(plans) for q, pl in enumerate(ps)]
    spend += [(u[c], float(k[c]) / scale) for c in range(len(k))]
    prob.addConstraint(pulp.LpAffineExpression(spend) <= p.budget_eur / scale, "budget")
    value = [(z[n][q], pl.value) for n, ps in enumerate(plans) for q, pl in enumerate(ps)]
    prob.addConstraint(affine(value + conventional_value_terms(prob, p, u, val)) >= min_objective, "near_optimal")
    if aim == "most_tanks":
        goal = [(u[c], float(armour[c])) for c in range(len(k))] + [(u[c], 1e-6 * float(p.conv_score[c]))
                                                                   for c in range(len(k))]
    elif aim == "most_conventional":
        goal = [(u[c], float(p.conv_score[c])) for c in range(len(k))]
    elif aim == "most_drone_defence":
        goal = value
    else:  # fewest nations building anything new (their plan defeats something)
        goal = [(z[n][q], 1.0) for n, ps in enumerate(plans) for q, pl in enumerate(ps) if pl.value > 0]
        goal += [(z[n][q], -1e-9 * pl.value) for n, ps in enumerate(plans) for q, pl in enumerate(ps)]
    prob.setObjective(affine(goal))
    with quiet_stdout():
        prob.solve(make_solver(p.solver.replace(time_limit_s=30, mip_rel_gap=1e-7)))
    if prob.status != pulp.LpStatusOptimal:
        raise InfeasibleError(f"no combination of the family's plans is within the tolerance for {aim}")
    picked = [int(np.argmax([v.value() or 0.0 for v in zs])) for zs in z]
    return picked, np.array([round(x.value() or 0.0) for x in u], dtype=float)
