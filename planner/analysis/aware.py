"""Planning against the adversary who sees the plan (issue #15; docs/formulation.md, "Planning against the
adversary"; docs/analyses.md, "The adversary who sees the plan").

The defender chooses builds and conventional units knowing the attacker (:mod:`planner.adversary`) will answer with
its best response. The objective is the plan's conventional value less the value the best response leaks:

    max  w · S(u) − max_c leak_c(x)      within the budget,

over the attacks c the adversary may choose. With the whole raid on one axis (one group, ``concentrate_share`` 1)
an attack on axis a meets only the nation that holds it, so for a leak cap θ the flank splits by nation:

    J(θ) = −θ + W(B − Σ_n C_n(θ)),   C_n(θ) = the least money holding every attack on n to θ (planner.lp.guard),

W(m) the most conventional value money m buys (the knapsack of the decomposition). J is searched over θ (a falling
grid, then golden sections about the best); the attacks are generated as they bind (column-and-constraint
generation): after each plan every axis's worst attack is evaluated exactly and those leaking more than the cap
join the set, until none does. The plan is then held to the adversary's full best response (the spread raid
included: planner.analysis.respond), exactly: that is the plan's value. The upper bound is the model's: it comes from
the MILPs' bounds on C_n between the caps tried (C_n falls as θ rises), and the model's detection chords promise a
little less than the exact evaluation finds, so a plan's exact value may pass it (the gap is then 0).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.adversary import Attacker, raid
from planner.analysis.respond import Response, axis_leaks, best_response
from planner.errors import ConfigError, InfeasibleError
from planner.lp.choice import conventional_values, conventional_worth, pick_plans
from planner.lp.evaluate import Part, part_kills, plan_parts
from planner.lp.guard import leak_value
from planner.lp.result import FixedPlan, SectorPlan
from planner.lp.runner import Runner
from planner.lp.solve import evaluates_by_nation
from planner.lp.tasks import SectorTask, TaskResult
from planner.problem import PlanningProblem

__all__ = ["AwarePlan", "nation_rates", "plan_against"]

#: Caps tried on the first falling grid: each this share of the one before.
GRID_RATIO = 0.7
#: Golden-section steps about the best cap of the grid.
REFINE_STEPS = 4
#: Rounds of attack generation at most.
MAX_ROUNDS = 8
#: An attack joins the set when it leaks more than the cap by this share.
VIOLATION = 1e-3
#: Each national MILP at one cap stops after this long (its proven bound still counts in the gap).
CAP_TIME_S = 20.0
#: Plans of the last search kept as points of the adversary-aware frontier (spread over their drone-defence money).
FRONTIER_POINTS = 6
#: Each national MILP at one cap may also stop within this share of the search's gap × the budget, split among the
#: nations (an absolute gap in euros, beside the relative one; HiGHS stops at whichever is met first): a nation's few
#: millions need not be proven to 1% of themselves when the search weighs the whole budget. The search's gap stays
#: honest: it is computed from the MILPs' proven bounds.
ABS_GAP_SHARE = 0.5


@dataclass
class Guarded:
    """The national plans holding the attacks to one cap, with what is left for conventional units."""

    cap: float
    results: list[TaskResult] | None  # None: some nation cannot hold its attacks to the cap, or found no plan in time
    cost: float = math.inf  # drone defence, € over the horizon (each nation's plan and its dearest munitions)
    cost_bound: float = math.inf  # the MILPs' proven lower bounds on it
    conv_units: np.ndarray = field(default_factory=lambda: np.zeros(0))
    conv_value: float = -math.inf
    objective: float = -math.inf  # conv_value − cap


@dataclass
class AwarePlan:
    """The adversary-aware plan and the evidence for it."""

    fixed: FixedPlan  # builds, conventional units, each nation's spend (its plan and its dearest munitions)
    cap: float  # the leak cap the national plans were bought for
    response: Response  # the adversary's best response to it (all choices, the spread included)
    objective: float  # conventional value − the best response's leak, + the shift: a proven value of the plan
    bound: float  # no plan does better (the attacks in the set, the MILPs' bounds), + the shift
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


def _attack(att: Attacker, parts: list[list[Part]], h: int, s: int, a: int, k: int) -> PlanningProblem:
    """Nation k's problem under the attack (profile h, share s, axis a): the cells the drones cross, every site."""
    part = parts[h][k]
    demand = raid(att, att.decoy_shares[s], (a,))[part.cells]
    cells = np.flatnonzero(demand.sum(axis=1) > 0)
    sub = part.problem.subset(cells, np.arange(len(part.problem.site_ids)))
    return dataclasses.replace(sub, demand=demand[cells])


def _guard(att: Attacker, parts: list[list[Part]], attacks: list[list[tuple[int, int, int]]], cap: float,
           runner: Runner, starts: list[tuple[np.ndarray, np.ndarray] | None], conventional: Callable[[float], tuple[
               np.ndarray, float]], gap: float, floor: float = 0.0) -> Guarded:
    """Every nation's cheapest plan holding its attacks to ``cap`` (and, with a ``floor``, the scenario's raid over
    its border to at most 1 − floor of its value), and the conventional units the rest buys."""
    tasks = []
    for k, part in enumerate(parts[0]):
        worlds = [_attack(att, parts, h, s, a, k) for h, s, a in attacks[k]]
        caps: list[float | None] = [None] * len(worlds)
        if floor > 0 and leak_value(part.problem) > 0:  # the scenario's raid over the nation, a cap of its own
            worlds.append(part.problem)
            caps.append((1 - floor) * leak_value(part.problem))
        if not worlds:  # no attack on this nation: its units in service, nothing new
            worlds, caps = [dataclasses.replace(part.problem, demand=np.zeros(part.problem.demand.shape))], [None]
        tasks.append(SectorTask(problem=worlds[0], worlds=tuple(worlds[1:]), leak_cap=cap, threads=1,
                                start=starts[k], time_limit_s=CAP_TIME_S, mip_rel_gap=gap,
                                mip_abs_gap=ABS_GAP_SHARE * gap * att.problem.budget_eur / len(parts[0]),
                                world_caps=tuple(caps) if floor > 0 else ()))
    results = runner.map(tasks)
    if any(r.outcome == "infeasible" for r in results):  # proven: no money holds some nation to the cap
        return Guarded(cap, None)
    bad = [r for r in results if r.outcome not in ("solved", "timeout")]
    if bad:
        raise InfeasibleError(f"a national plan against the adversary failed: {bad[0].outcome} {bad[0].message}")
    bound = sum(r.bound for r in results)  # a timed-out MILP's bound (0 without one) still bounds its money
    if any(r.outcome == "timeout" for r in results):
        return Guarded(cap, None, cost_bound=bound)
    cost = sum(r.objective for r in results)
    units, value = conventional(cost)
    return Guarded(cap, results, cost=cost, cost_bound=bound, conv_units=units, conv_value=value,
                   objective=value - cap)


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
    top_leak = 0.0
    for rnd in range(MAX_ROUNDS):
        leaks = axis_leaks(att, plan, runner)  # every single-axis attack against the plan, exactly
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
        top_leak = max(top_leak, _top(att, parts, attacks))
        best = _search(att, parts, attacks, runner, conventional, tried, starts, say, gap=gap, shift=top_leak,
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
        rounds[-1]["cap"] = cap
    assert best is not None
    response = best_response(att, plan, runner)
    objective = conventional_worth(p, plan.conventional, val) - response.damage
    bound = _upper_bound(tried, conventional)
    names = [(att.axis_names[a], att.profiles[h], att.decoy_shares[s]) for ks in attacks for h, s, a in ks]
    # The nominal plan is a plan too: where it does better against its own best response (and meets the floor), it is
    # the answer.
    nominal_response = best_response(att, fixed, runner)
    nominal_objective = conventional_worth(p, fixed.conventional, val) - nominal_response.damage
    if nominal_objective > objective and _meets_floor(parts[0], nominal_floor, runner):
        plan, response, objective = fixed, nominal_response, nominal_objective
    # Values are reported shifted by the most any attack in the set leaks against nothing built (a constant): the
    # worst case's value stopped plus the conventional value, as the nominal objective counts value defeated.
    shift = max(top_leak, response.damage)
    return AwarePlan(fixed=plan, cap=best.cap, response=response, objective=objective + shift, bound=bound + shift,
                     gap=max(bound - objective, 0.0) / max(abs(bound + shift), abs(objective + shift), 1e-9),
                     rounds=rounds, attacks=names, seconds=time.perf_counter() - t0, nominal_response=nominal_response,
                     nominal_objective=nominal_objective + shift,
                     points=[(c, _fixed(p, parts[0], tried[c])) for c in _spread(tried, best.cap, points)])


def _meets_floor(parts: list[Part], floor: float, runner: Runner) -> bool:
    """Each part's plan defeats at least ``floor`` of the value of the scenario's raid over it (exact evaluation)."""
    return floor <= 0 or all(rate >= floor - 1e-9 for rate in nation_rates(parts, runner).values())


def nation_rates(parts: list[Part], runner: Runner | None = None) -> dict[str, float]:
    """Each part's share of the value of the scenario's raid over it that its plan defeats (exact evaluation); parts
    whose raid carries no value are left out."""
    kills = part_kills([(part, part.problem.demand) for part in parts], runner)
    out = {}
    for part, x in zip(parts, kills, strict=True):
        total = leak_value(part.problem)
        if total > 0:
            out[part.label] = 1 - part.problem.raids * float((part.problem.value * (part.problem.demand - x)).sum()) \
                / total
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


def _top(att: Attacker, parts: list[list[Part]], attacks: list[list[tuple[int, int, int]]]) -> float:
    """The most any attack in the set leaks against nothing built: the value of its drones."""
    return max(float(att.problem.raids * (parts[h][k].problem.value * raid(att, att.decoy_shares[s], (a,))[
        parts[h][k].cells]).sum()) for k, ks in enumerate(attacks) for h, s, a in ks)


def _search(att: Attacker, parts: list[list[Part]], attacks: list[list[tuple[int, int, int]]], runner: Runner,
            conventional: Callable[[float], tuple[np.ndarray, float]], tried: dict[float, Guarded],
            starts: list[tuple[np.ndarray, np.ndarray] | None], say: Callable[[str], None], *, gap: float,
            shift: float, deadline: float, floor: float = 0.0) -> Guarded | None:
    """The best cap for this set of attacks: a falling grid from the most any attack could leak, golden sections
    about the best, then the interval that bounds the objective the most split in two until the bound is within
    ``gap`` (of the objective shifted by ``shift``) or the ``deadline`` (a ``time.perf_counter()``). Every cap tried
    is kept in ``tried`` (for the bound); ``starts`` (each nation's last plan, a MIP start) is updated."""
    top = _top(att, parts, attacks)

    def at(cap: float) -> Guarded:
        if cap not in tried:
            g = _guard(att, parts, attacks, cap, runner, starts, conventional, gap, floor)
            tried[cap] = g
            if g.results is not None:
                for k, r in enumerate(g.results):
                    starts[k] = (r.sensors, r.effectors)
            say(f"leak cap {cap:,.0f}: drone defence €{g.cost / 1e6:,.0f}M, objective {g.objective:,.1f}")
        return tried[cap]

    caps = [top]
    falls = 0
    while True:
        g = at(caps[-1])
        if g.objective == -math.inf:  # no plan at this cap (none exists, or none within the budget or in time)
            break
        if caps[-1] <= 1e-9 * max(top, 1.0) or time.perf_counter() > deadline:
            break  # nothing leaks at all, or no time left
        if len(caps) > 1 and g.objective < tried[caps[-2]].objective:
            falls += 1
            if falls >= 2:
                break
        caps.append(caps[-1] * GRID_RATIO)
    ok = [c for c in sorted(tried) if tried[c].objective > -math.inf]
    if not ok:
        return None
    best = max(ok, key=lambda c: tried[c].objective)
    lo = max([c for c in tried if c < best], default=best * GRID_RATIO)
    hi = min([c for c in tried if c > best], default=best)
    for _ in range(REFINE_STEPS):  # golden sections in [lo, hi] about the best
        if hi - lo <= 1e-6 * max(hi, 1.0) or time.perf_counter() > deadline:
            break
        c = lo + 0.382 * (hi - lo) if best - lo > hi - best else best + 0.382 * (hi - best)
        g = at(c)
        if g.objective > tried[best].objective:
            lo, hi = (lo, best) if c < best else (best, hi)
            best = c
        elif c < best:
            lo = c
        else:
            hi = c
    while time.perf_counter() < deadline:  # split the interval that bounds J the most, until the bound is near
        best = max(tried, key=lambda c: tried[c].objective)
        lo, hi, term = max(_intervals(tried, conventional), key=lambda iv: iv[2])
        if term - tried[best].objective <= gap * max(abs(tried[best].objective + shift), 1e-9) or hi - lo < 1e-9 * max(hi, 1.0):
            break
        at((lo + hi) / 2)
    return tried[max(tried, key=lambda c: tried[c].objective)]


def _intervals(tried: dict[float, Guarded], conventional: Callable[[float], tuple[np.ndarray, float]]) -> list[
        tuple[float, float, float]]:
    """(c_lo, c_hi, the most J can be for a cap in (c_lo, c_hi]) for each interval between the caps tried. For θ in it
    the money needed is at least the best bound at any cap ≥ c_hi (C falls as θ rises), so J(θ) ≤ −c_lo + W(B − that);
    the interval below a cap proven to hold no plan holds none either."""
    caps = sorted(tried)
    out = []
    floor_bound = 0.0  # the largest proven bound at the caps above (the envelope, built from the top)
    envelope = {}
    for c in reversed(caps):
        floor_bound = max(floor_bound, tried[c].cost_bound)
        envelope[c] = floor_bound
    for i, c in enumerate(caps):
        if envelope[c] == math.inf:
            continue
        below = caps[i - 1] if i else 0.0
        out.append((below, c, conventional(envelope[c])[1] - below))
    return out


def _upper_bound(tried: dict[float, Guarded], conventional: Callable[[float], tuple[np.ndarray, float]]) -> float:
    """No cap does better than this with the attacks of the last round (:func:`_intervals`; the caps above the
    largest tried, which needs nothing new but a floor's plan, do no better than it)."""
    return max((term for _, _, term in _intervals(tried, conventional)), default=-math.inf)



