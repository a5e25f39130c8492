"""Planning against the adversary who sees the plan (issue #15; docs/formulation.md, "Planning against the
adversary"; docs/analyses.md, "The adversary who sees the plan").

The defender chooses builds and conventional units knowing the attacker (:mod:`planner.adversary`) will answer with
its best response. The objective is the plan's conventional value less the value the best response leaks:

    max  w · S(u) − max_c leak_c(x)      within the budget,

over the attacks c the adversary may choose. With the whole raid on one axis (one group, ``concentrate_share`` 1)
an attack on axis a meets only the nation that holds it, so for a leak cap θ the flank splits by nation:

    J(θ) = −θ + W(B − Σ_n C_n(θ)),   C_n(θ) = the least money holding every attack on n to θ (planner.lp.guard),

W(m) the most conventional value money m buys (the knapsack of the decomposition). J is searched over θ
(planner.analysis.capsearch: a falling grid, golden sections about the best, then the interval that bounds J the
most split in two); the attacks are generated as they bind (column-and-constraint
generation): after each plan every axis's worst attack is evaluated exactly and those leaking more than the cap
join the set, until none does. The plan is then held to the adversary's full best response (the spread raid
included: planner.analysis.respond), exactly: that is the plan's value. The upper bound is the model's: it comes from
the proven bounds on C_n (the MILPs', or their LP relaxations' where those show a cap cannot beat the best) between
the caps tried (C_n falls as θ rises), and the model's detection chords promise a
little less than the exact evaluation finds, so a plan's exact value may pass it (the gap is then 0).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.adversary import Attacker
from planner.analysis.capsearch import Guarded, search, top_leak, upper_bound
from planner.analysis.respond import Response, axis_leaks, best_response, rate_and_leak
from planner.errors import ConfigError, InfeasibleError
from planner.lp.choice import conventional_values, conventional_worth, pick_plans
from planner.lp.evaluate import Part, part_kills, plan_parts
from planner.lp.guard import leak_value
from planner.lp.result import FixedPlan, SectorPlan
from planner.lp.runner import Runner
from planner.lp.solve import evaluates_by_nation
from planner.problem import PlanningProblem

__all__ = ["AwarePlan", "nation_rates", "plan_against"]

#: Rounds of attack generation at most.
MAX_ROUNDS = 8
#: An attack joins the set when it leaks more than the cap by this share.
VIOLATION = 1e-3
#: Plans of the last search kept as points of the adversary-aware frontier (spread over their drone-defence money).
FRONTIER_POINTS = 6


@dataclass
class AwarePlan:
    """The adversary-aware plan and the evidence for it."""

    fixed: FixedPlan  # builds, conventional units, each nation's spend (its plan and its dearest munitions)
    cap: float  # the leak cap the national plans were bought for
    response: Response  # the adversary's best response to it (all choices, the spread included)
    objective: float  # conventional value − the best response's leak, + the shift: a proven value of the plan
    bound: float  # no plan does better (the attacks in the set, the proven bounds on their money), + the shift
    #: Both shifted by the most an attack leaks against nothing built (a constant, so that the objective counts the
    #: worst case's value stopped plus the conventional value, as the nominal objective counts value defeated).
    gap: float
    rounds: list[dict[str, Any]]  # per round of attack generation: attacks in the set, caps tried, the plan's leak
    attacks: list[tuple[str, str, float | None]]  # (axis, profile, decoy share) of every attack planned against
    seconds: float = 0.0
    nominal_response: Response | None = None  # the best response to the nominal plan
    nominal_objective: float = math.nan  # the nominal plan's objective, shifted alike
    #: (cap, plan) of the last search's caps, a few spread over their drone-defence money, the chosen one among them:
    #: each holds the attacks planned against to its cap (the adversary-aware frontier; their best responses are not
    #: yet evaluated).
    points: list[tuple[float, FixedPlan]] = field(default_factory=list)
    #: Every single-axis attack's leak against the nominal plan and against this plan, {(profile, share, axis): leak}
    #: (planner.analysis.respond.axis_leaks), as the rounds found them.
    nominal_leaks: dict[tuple[int, int, int], float] = field(default_factory=dict)
    leaks: dict[tuple[int, int, int], float] = field(default_factory=dict)


def _check(att: Attacker) -> None:
    nations = set(att.problem.cell_nation.tolist()) | set(att.problem.site_nation.tolist())
    if not (all(w.is_sectored() for w in att.worlds) and (len(nations) == 1 or evaluates_by_nation(att.problem))):
        raise ConfigError([("theater.cross_border_coverage", "planning against the adversary splits the flank by "
                                                             "nation: set cross_border_coverage: false (and, with "
                                                             "several nations, solver.strategy: sectors)")])
    if len(att.groups) != 1 or att.concentrate < 1:
        raise ConfigError([("adversary", "planning against the adversary needs the raid to move as one group onto "
                                         "one axis (groups: null or one group, concentrate_share: 1): an attack "
                                         "then meets one nation, and the flank splits by nation")])


def _fixed(p: PlanningProblem, parts: list[Part], g: Guarded) -> FixedPlan:
    assert g.results is not None
    sensors = np.zeros((len(p.site_ids), len(p.sensor_ids)))
    effectors = np.zeros((len(p.site_ids), len(p.effector_ids)))
    spend = {}
    for part, r in zip(parts, g.results, strict=True):
        sensors[part.sites], effectors[part.sites] = r.sensors, r.effectors
        spend[p.nations.index(part.label)] = r.objective
    conv = float((g.conv_units * p.conv_cost_eur).sum()) if len(p.conv_ids) else 0.0
    return FixedPlan(sensors=sensors, effectors=effectors, conventional=g.conv_units, cost_eur=g.cost + conv,
                     nation_spend_eur=spend)


def plan_against(att: Attacker, fixed: FixedPlan, runner: Runner, *, gap: float = 0.01, time_limit_s: float = 300.0,
                 progress: Callable[[str], None] | None = None, points: int = FRONTIER_POINTS,
                 nominal_floor: float = 0.0) -> AwarePlan:
    """The adversary-aware plan (see the module docstring), starting from the attacks that beat ``fixed`` (the
    nominal plan). ``gap``: the national MILPs' and the search's relative gap; ``time_limit_s`` bounds the search;
    ``points``: the plans of the last search kept for the adversary-aware frontier (:attr:`AwarePlan.points`);
    ``nominal_floor``: each nation's plan also defeats at least this share of the value of the scenario's raid over
    its border (in the planning model; the nominal plan is the answer only if it meets it too, exactly)."""
    _check(att)
    if not 0 <= nominal_floor < 1:
        raise ConfigError([("--nominal-floor", f"{nominal_floor:g} is not a share: give 0 (none) up to below 1, e.g. "
                                               "0.5")])
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    p = att.problem
    kind = p.objective if p.objective in ("max_defeat", "max_defeat_with_floor") else "max_defeat"
    k_conv, val, _ = conventional_values(p, kind)
    floor = p.conventional_floor if kind == "max_defeat_with_floor" else 0.0

    def conventional(drone_eur: float) -> tuple[np.ndarray, float]:
        """The conventional units the budget buys beside ``drone_eur`` of drone defence, and their value."""
        if drone_eur > p.budget_eur:
            return np.zeros(len(p.conv_ids)), -math.inf
        dummy = SectorPlan(price=0.0, sensors=np.zeros((0, 0)), effectors=np.zeros((0, 0)), detected=np.zeros((0, 0)),
                           engagements=np.zeros((0, 0, 0)), value=0.0, cost=drone_eur)
        try:
            _, units, value = pick_plans(p, [[dummy]], k_conv, val, floor)
        except InfeasibleError:
            return np.zeros(len(p.conv_ids)), -math.inf
        return units, value

    parts = [plan_parts(w, fixed, by_nation=True) for w in att.worlds]
    nation_of_axis = {}
    for k, part in enumerate(parts[0]):
        for a in np.unique(att.axis[part.cells]).tolist():
            nation_of_axis[a] = k
    attacks: list[list[tuple[int, int, int]]] = [[] for _ in parts[0]]
    plan, cap, rounds = fixed, -math.inf, []
    tried: dict[float, Guarded] = {}
    best: Guarded | None = None
    starts: list[tuple[np.ndarray, np.ndarray] | None] = [(part.plan.sensors, part.plan.effectors)
                                                          for part in parts[0]]  # the nominal plan's, nation by nation
    shift = 0.0  # the most any attack of the set leaks against nothing built
    leaks: dict[tuple[int, int, int], float] = {}
    nominal_leaks = leaks
    for rnd in range(MAX_ROUNDS):
        leaks = axis_leaks(att, plan, runner)  # every single-axis attack against the plan, exactly
        leaks_of = plan
        if not rnd:
            nominal_leaks = leaks
        added = 0
        for a, k in nation_of_axis.items():
            worst = max(((leak, h, s) for (h, s, b), leak in leaks.items() if b == a), default=None)
            if worst is not None and worst[0] > cap * (1 + VIOLATION) + 1e-9 and (worst[1], worst[2], a) not in attacks[k]:
                attacks[k].append((worst[1], worst[2], a))
                added += 1
        rounds.append({"round": rnd, "attacks": sum(map(len, attacks)), "added": added,
                       "worst_leak": max(leaks.values()), "seconds": round(time.perf_counter() - t0, 1)})
        say(f"round {rnd + 1}: {added} attacks added ({sum(map(len, attacks))} in all)")
        if not added or (best is not None and time.perf_counter() - t0 > time_limit_s):
            break  # (the first search always runs, however short the time: there is no plan before it)
        tried = {}
        shift = max(shift, top_leak(att, parts, attacks))
        best = search(att, parts, attacks, runner, conventional, tried, starts, say, gap=gap, shift=shift,
                      deadline=t0 + time_limit_s, floor=nominal_floor)
        if best is None:
            if nominal_floor > 0:
                raise ConfigError([("--nominal-floor", f"no plan within the budget holds every nation to defeat "
                                                       f"{nominal_floor:.0%} of the scenario's raid over its border "
                                                       "(and the adversary's attacks to a leak): lower the floor")])
            raise InfeasibleError("no plan within the budget holds the adversary's attacks to any leak: the "
                                  "attacks leak more than the money can stop")
        cap, plan = best.cap, _fixed(p, parts[0], best)
        rounds[-1]["caps_tried"] = len(tried)
        rounds[-1]["caps_bounded"] = sum(g.bounded for g in tried.values())  # by their LP relaxations alone
        rounds[-1]["cap"] = cap
    assert best is not None
    response = best_response(att, plan, runner)
    objective = conventional_worth(p, plan.conventional, val) - response.damage
    bound = upper_bound(tried, conventional)
    names = [(att.axis_names[a], att.profiles[h], att.decoy_shares[s]) for ks in attacks for h, s, a in ks]
    # The nominal plan is a plan too: where it does better against its own best response (and meets the floor), it is
    # the answer.
    nominal_response = best_response(att, fixed, runner)
    nominal_objective = conventional_worth(p, fixed.conventional, val) - nominal_response.damage
    if nominal_objective > objective and _meets_floor(parts[0], nominal_floor, runner):
        plan, response, objective = fixed, nominal_response, nominal_objective
    if leaks_of is not plan:  # (the rounds ran out before checking the last plan, or the nominal one did better)
        leaks = nominal_leaks if plan is fixed else axis_leaks(att, plan, runner)
    # Values are reported shifted by the most any attack in the set leaks against nothing built (a constant): the
    # worst case's value stopped plus the conventional value, as the nominal objective counts value defeated.
    shift = max(shift, response.damage)
    return AwarePlan(fixed=plan, cap=best.cap, response=response, objective=objective + shift, bound=bound + shift,
                     gap=max(bound - objective, 0.0) / max(abs(bound + shift), abs(objective + shift), 1e-9),
                     rounds=rounds, attacks=names, seconds=time.perf_counter() - t0, nominal_response=nominal_response,
                     nominal_objective=nominal_objective + shift,
                     points=[(c, _fixed(p, parts[0], tried[c])) for c in _spread(tried, best.cap, points)],
                     nominal_leaks=nominal_leaks, leaks=leaks)


def _meets_floor(parts: list[Part], floor: float, runner: Runner) -> bool:
    """Each part's plan defeats at least ``floor`` of the value of the scenario's raid over it (exact evaluation)."""
    return floor <= 0 or all(rate >= floor - 1e-9 for rate in nation_rates(parts, runner).values())


def nation_rates(parts: list[Part], runner: Runner | None = None) -> dict[str, float]:
    """Each part's share of the value of the scenario's raid over it that its plan defeats (exact evaluation); parts
    whose raid carries no value are left out."""
    kills = part_kills([(part, part.problem.demand) for part in parts], runner)
    out = {}
    for part, x in zip(parts, kills, strict=True):
        rate, _ = rate_and_leak(part.problem, part.problem.demand, x)
        if leak_value(part.problem) > 0:
            out[part.label] = rate
    return out


def _spread(tried: dict[float, Guarded], chosen: float, n: int = FRONTIER_POINTS) -> list[float]:
    """Up to ``n`` caps with plans within the budget, evenly spaced by rank of drone-defence money from the least to
    the most, the ``chosen`` cap among them; by money, falling caps."""
    caps = sorted((c for c, g in tried.items() if g.objective > -math.inf), key=lambda c: (tried[c].cost, -c))
    if n <= 0:
        return []
    if n == 1:
        return [chosen]
    if len(caps) > n:
        keep = {caps[round(i * (len(caps) - 1) / (n - 1))] for i in range(n)}
        if chosen not in keep:
            inner = keep - {caps[0], caps[-1]} or keep  # (two points: an end gives way)
            keep.discard(min(inner, key=lambda c: (abs(tried[c].cost - tried[chosen].cost), c)))
            keep.add(chosen)
        caps = [c for c in caps if c in keep]
    return caps
