"""The search over leak caps of the adversary-aware plan (issue #15; :mod:`planner.analysis.aware`; docs/formulation.md,
"Planning against the adversary").

For a set of attacks and a leak cap θ the flank splits by nation: each nation's guard MILP (planner.lp.guard) finds
the least money C_n(θ) holding its attacks to θ, and J(θ) = −θ + W(B − Σ_n C_n(θ)), W the conventional value the rest
of the budget buys. :func:`search` looks for the best θ: a falling grid, golden sections about the best, then the
interval that bounds J the most split in two until the bound is within the gap. C falls as θ rises, so a lower bound
on C at one cap bounds J over the interval below it (:func:`intervals`).

Below the best cap found so far a cap is first bounded by the guard models' LP relaxations (a few seconds, where the
MILPs of the low caps run to their time limit): when even that bound on the money leaves J below the best, no plan
there can beat it, and the MILPs are not solved (the cap is **bounded**: its bound counts, it has no plan).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from planner.adversary import Attacker, raid
from planner.errors import InfeasibleError
from planner.lp.evaluate import Part
from planner.lp.guard import leak_value
from planner.lp.runner import Runner
from planner.lp.tasks import SectorTask, TaskResult
from planner.problem import PlanningProblem

__all__ = ["Guarded", "attack_problem", "guard", "intervals", "search", "top_leak", "upper_bound"]

#: Caps tried on the first falling grid: each this share of the one before.
GRID_RATIO = 0.7
#: Golden-section steps about the best cap of the grid.
REFINE_STEPS = 4
#: Each national MILP at one cap stops after this long (its proven bound still counts in the gap).
CAP_TIME_S = 20.0
#: Each national MILP at one cap may also stop within this share of the search's gap × the budget, split among the
#: nations (an absolute gap in euros, beside the relative one; HiGHS stops at whichever is met first): a nation's few
#: millions need not be proven to 1% of themselves when the search weighs the whole budget. The search's gap stays
#: honest: it is computed from the MILPs' proven bounds.
ABS_GAP_SHARE = 0.5

#: (axis, profile, decoy share) indices of each nation's attacks: (profile h, share s, axis a).
Attacks = list[list[tuple[int, int, int]]]
#: The conventional units the budget buys beside so much drone defence (€), and their value.
Conventional = Callable[[float], tuple[np.ndarray, float]]


@dataclass
class Guarded:
    """The national plans holding the attacks to one cap, with what is left for conventional units."""

    cap: float
    results: list[TaskResult] | None  # None: some nation cannot hold its attacks to the cap, or found no plan in time
    cost: float = math.inf  # drone defence, € over the horizon (each nation's plan and its dearest munitions)
    cost_bound: float = math.inf  # the proven lower bound on it (the MILPs' bounds, or the LP relaxations')
    conv_units: np.ndarray = field(default_factory=lambda: np.zeros(0))
    conv_value: float = -math.inf
    objective: float = -math.inf  # conv_value − cap
    #: Only the LP relaxations were solved: cost_bound holds (inf: they prove no plan exists), no plan was sought (none
    #: here beats the best).
    bounded: bool = False


def attack_problem(att: Attacker, parts: list[list[Part]], h: int, s: int, a: int, k: int) -> PlanningProblem:
    """Nation k's problem under the attack (profile h, share s, axis a): the cells the drones cross, every site."""
    part = parts[h][k]
    demand = raid(att, att.decoy_shares[s], (a,))[part.cells]
    cells = np.flatnonzero(demand.sum(axis=1) > 0)
    sub = part.problem.subset(cells, np.arange(len(part.problem.site_ids)))
    return dataclasses.replace(sub, demand=demand[cells])


def top_leak(att: Attacker, parts: list[list[Part]], attacks: Attacks) -> float:
    """The most any attack in the set leaks against nothing built: the value of its drones."""
    return max(float(att.problem.raids * (parts[h][k].problem.value * raid(att, att.decoy_shares[s], (a,))[
        parts[h][k].cells]).sum()) for k, ks in enumerate(attacks) for h, s, a in ks)


def guard(att: Attacker, parts: list[list[Part]], attacks: Attacks, cap: float, runner: Runner,
          starts: list[tuple[np.ndarray, np.ndarray] | None], conventional: Conventional, gap: float,
          floor: float = 0.0, *, relax: bool = False) -> Guarded:
    """Every nation's cheapest plan holding its attacks to ``cap`` (and, with a ``floor``, the scenario's raid over
    its border to at most 1 − floor of its value; where the nation has surveillance or escort requirements, they hold
    on that raid), and the conventional units the rest buys; with ``relax``, only
    the bound the guard models' LP relaxations prove on that money (:attr:`Guarded.bounded`)."""
    tasks = []
    for k, part in enumerate(parts[0]):
        worlds = [attack_problem(att, parts, h, s, a, k) for h, s, a in attacks[k]]
        caps: list[float | None] = [None] * len(worlds)
        own = part.problem  # the scenario's raid over the nation: a world with a cap of its own, if any
        floored = floor > 0 and leak_value(own) > 0
        if floored or own.detection_requirements() or own.escort_requirements():  # (its requirements hold on it)
            worlds.append(own)
            caps.append((1 - floor) * leak_value(own) if floored else math.inf)
        if not worlds:  # no attack on this nation: its units in service, nothing new
            worlds, caps = [dataclasses.replace(own, demand=np.zeros(own.demand.shape))], [None]
        required = len(worlds) - 1 if worlds[-1] is own else None
        tasks.append(SectorTask(problem=worlds[0], worlds=tuple(worlds[1:]), leak_cap=cap, threads=1,
                                start=starts[k], time_limit_s=CAP_TIME_S, mip_rel_gap=gap,
                                mip_abs_gap=ABS_GAP_SHARE * gap * att.problem.budget_eur / len(parts[0]),
                                world_caps=tuple(caps) if required is not None else (), relax=relax,
                                required_world=required))
    results = runner.map(tasks)
    if any(r.outcome == "infeasible" for r in results):  # proven (by the relaxation too): no money holds some nation
        return Guarded(cap, None, bounded=relax)
    if relax:  # a relaxation that did not finish proves nothing (0): the MILPs will tell
        return Guarded(cap, None, cost_bound=sum(r.bound for r in results if r.outcome == "solved"), bounded=True)
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


def search(att: Attacker, parts: list[list[Part]], attacks: Attacks, runner: Runner, conventional: Conventional,
           tried: dict[float, Guarded], starts: list[tuple[np.ndarray, np.ndarray] | None], say: Callable[[str], None],
           *, gap: float, shift: float, deadline: float, floor: float = 0.0) -> Guarded | None:
    """The best cap for this set of attacks: a falling grid from the most any attack could leak, golden sections
    about the best, then the interval that bounds the objective the most split in two until the bound is within
    ``gap`` (of the objective shifted by ``shift``) or the ``deadline`` (a ``time.perf_counter()``). Every cap tried
    is kept in ``tried`` (for the bound); ``starts`` (each nation's last plan, a MIP start) is updated."""
    top = top_leak(att, parts, attacks)

    def at(cap: float) -> Guarded:
        if cap in tried:
            return tried[cap]
        best = _best(tried)
        lp = None
        if best is not None and cap < best.cap:  # below the best: its relaxation may show no plan here beats it
            lp = guard(att, parts, attacks, cap, runner, starts, conventional, gap, floor, relax=True)
            if lp.cost_bound == math.inf or conventional(lp.cost_bound)[1] - cap <= best.objective:
                tried[cap] = lp
                say(f"leak cap {cap:,.0f}: " + ("no plan holds it" if lp.cost_bound == math.inf else
                                                f"none better (drone defence at least €{lp.cost_bound / 1e6:,.0f}M)"))
                return lp
        g = guard(att, parts, attacks, cap, runner, starts, conventional, gap, floor)
        if lp is not None:
            g.cost_bound = max(g.cost_bound, lp.cost_bound)
        tried[cap] = g
        if g.results is not None:
            for k, r in enumerate(g.results):
                starts[k] = (r.sensors, r.effectors)
        say(f"leak cap {cap:,.0f}: drone defence €{g.cost / 1e6:,.0f}M, objective {g.objective:,.1f}")
        return g

    caps = [top]
    falls = 0
    while True:
        before = _best(tried)
        g = at(caps[-1])
        if g.bounded or g.objective == -math.inf:
            break  # no plan here (none exists, or none within the budget or the time), or none that beats the best
        if caps[-1] <= 1e-9 * max(top, 1.0) or time.perf_counter() > deadline:
            break  # nothing leaks at all, or no time left
        if before is not None and g.objective < before.objective:  # J fell below the best
            falls += 1
            if falls >= 2:
                break
        caps.append(caps[-1] * GRID_RATIO)
    first = _best(tried)
    if first is None:
        return None
    best = first.cap
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
        now = _best(tried)
        assert now is not None
        lo, hi, term = max(intervals(tried, conventional), key=lambda iv: iv[2])
        if term - now.objective <= gap * max(abs(now.objective + shift), 1e-9) or hi - lo < 1e-9 * max(hi, 1.0):
            break
        at((lo + hi) / 2)
    return _best(tried)


def _best(tried: dict[float, Guarded]) -> Guarded | None:
    """The cap with the best objective among those with a plan within the budget."""
    ok = [g for g in tried.values() if g.objective > -math.inf]
    return max(ok, key=lambda g: g.objective) if ok else None


def intervals(tried: dict[float, Guarded], conventional: Conventional) -> list[tuple[float, float, float]]:
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


def upper_bound(tried: dict[float, Guarded], conventional: Conventional) -> float:
    """No cap does better than this with the attacks of the last round (:func:`intervals`; the caps above the
    largest tried, which needs nothing new but what a floor or the nation's requirements ask, do no better than it)."""
    return max((term for _, _, term in intervals(tried, conventional)), default=-math.inf)
