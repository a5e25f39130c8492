"""The cheapest builds that hold every attack in a set to a leak cap (issue #15: planning against an adversary who
sees the plan; docs/formulation.md, "Planning against the adversary").

Each attack is a world: the problem's cells, sites and systems with that attack's drones per raid (and, for an
altitude profile, its pairs). The worlds share the builds; each has its own kill chain (detection, reach, layers,
magazines, decoys) and its own munitions. The model finds the least money — builds, plus the munitions of the
dearest world (a nation stocks for the worst attack it must meet) — such that in every world the value leaked over
the horizon, raids × Σ value × (drones − kills), is at most the cap.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pulp

from planner.lp.formulation import (
    define_builds,
    define_min_detection,
    define_min_escort,
    define_unit_caps,
    money_scale,
    money_terms,
)
from planner.lp.kill_chain import affine, define_kill_chain
from planner.problem import PlanningProblem

__all__ = ["build_guard_model", "leak_value"]


def leak_value(p: PlanningProblem) -> float:
    """The value of every drone of ``p``'s raids over the horizon: what leaks if nothing is killed."""
    return float(p.raids * (p.value * p.demand).sum())


def build_guard_model(worlds: list[PlanningProblem], leak_cap: float, caps: list[float | None] | None = None,
                      required: tuple[int, ...] = ()) -> tuple[pulp.LpProblem, dict[str, Any]]:
    """Least money such that each world leaks at most ``leak_cap`` (value units over the horizon), or its own cap
    where ``caps`` gives one (a floor on the scenario's raid is a world with a cap of its own; ``math.inf``: no cap).
    In the worlds ``required`` (indices: the scenario's raid) the nation's surveillance and escort requirements hold
    too (systems.min_detection, escort.min_share), as in the planning model. All worlds index sites and systems alike
    (one nation's sub-problems of one scenario do); conventional options are left out.
    Returns the model and its variables: builds, each world's engagements, and ``spend`` (scaled money of the
    dearest world, builds included)."""
    if caps is not None and len(caps) != len(worlds):
        raise ValueError(f"{len(caps)} caps for {len(worlds)} worlds")
    p = worlds[0]
    prob = pulp.LpProblem(f"dronewall_guard_{p.name}".replace("-", "_"), pulp.LpMinimize)
    det_site = np.concatenate([q.det_site for q in worlds])
    det_sensor = np.concatenate([q.det_sensor for q in worlds])
    eng_site = np.concatenate([a for q in worlds for a in (q.eng_site, q.pt_site, q.esc_site)])
    eng_effector = np.concatenate([a for q in worlds for a in (q.eng_effector, q.pt_effector, q.esc_effector)])
    xs = define_builds(prob, p, 0, det_site, det_sensor, p.sensor_ids, "sensor", cat="Integer")
    ye = define_builds(prob, p, 1, eng_site, eng_effector, p.effector_ids, "effector", cat="Integer")
    scale = money_scale(p)
    spend = prob.add_variable("spend_dearest_world", 0, p.budget_eur / scale)  # never more than the budget
    engagements = []
    for k, q in enumerate(worlds):
        tag = f"@w{k}"
        world = define_kill_chain(prob, q, xs, ye, tag=tag)
        money = money_terms(q, xs, ye, world.engage, [])
        prob.addConstraint(pulp.LpConstraint(affine([(v, c / scale) for v, c in money.terms] + [(spend, -1.0)]),
                                             pulp.LpConstraintLE, f"spend{tag}", -money.fixed / scale))
        # leaked ≤ cap  ⇔  value killed ≥ value of the drones − cap (value units over the horizon)
        killed = [(v, q.raids * q.value[i, t] * q.p_kill[e, t]) for (i, t, e), v in world.engage.items()]
        own = caps[k] if caps is not None else None
        need = leak_value(q) - (leak_cap if own is None else own)
        if need > 0:
            prob.addConstraint(pulp.LpConstraint(affine(killed), pulp.LpConstraintGE, f"leak_cap{tag}", need))
        if k in required:
            define_min_detection(prob, q, world.detected, tag=tag)
            define_min_escort(prob, q, world.escort, tag=tag)
        engagements.append(world.engage)
    for n, cap in p.nation_cap_eur.items():
        if np.any(p.site_nation == n):
            spend.upBound = min(float(spend.upBound), cap / scale)
    define_unit_caps(prob, p, xs, ye)
    prob.setObjective(affine([(spend, 1.0)]))
    return prob, {"sensors": xs, "effectors": ye, "engage": engagements, "spend": spend, "scale": scale}
