"""The adversary's best response to a plan (issue #15; docs/analyses.md, "The adversary who sees the plan").

The plan is fixed; the attacker (:mod:`planner.adversary`) picks an altitude profile, a decoy share and, for each
group of classes, an axis of the border or the scenario's spread, to leave the most **damage**: value-weighted
leakers over the horizon, raids × Σ value × (drones − kills), the kills from the plan's exact evaluation (detection
exact, engagements re-optimised against the raid that comes, within what each nation's part of the plan spends).

Exact, by decomposition. A part (a nation, where no unit covers another's cells) sees only its own cells' drones, so
a choice's damage is the sum of its parts' damages, and a part's damage depends only on its view of the choice: for
each group, spread, moved onto one of the part's axes, or moved away (its unmoved share stays). Every view is
evaluated once (its part's exact LP), then a small dynamic programme over the parts assigns each group to at most
one part's axis. With one group that is 2 × parts + axes LPs per profile and decoy share, instead of an LP of the
whole flank per axis. :func:`enumerate_response` evaluates every choice on the whole flank (the test oracle).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.adversary import AWAY, SPREAD, Attacker, raid
from planner.lp.evaluate import Part, part_kills, plan_parts
from planner.lp.result import FixedPlan
from planner.lp.runner import Runner
from planner.lp.solve import evaluates_by_nation, solve
from planner.problem import PlanningProblem

__all__ = ["Response", "axis_leaks", "best_response", "describe", "enumerate_response", "rate_and_leak", "worst_case"]


@dataclass
class Response:
    """The attacker's best choice against a plan, and what it leaves."""

    damage: float  # value-weighted leakers over the horizon (plan value units)
    nominal_damage: float  # the same for the scenario's raid (catalog altitudes, its decoy share, its spread)
    profile: str  # altitude profile
    decoy_share: float | None  # None: the scenario's
    axes: tuple[int, ...]  # per group: the axis moved onto, or SPREAD
    demand: np.ndarray  # (N, T) drones per raid of the best choice
    kills: np.ndarray  # (N, T) expected kills per raid against it
    evaluations: int = 0  # exact-evaluation LPs solved
    seconds: float = 0.0


def describe(att: Attacker, r: Response) -> str:
    """The best response in words: where (each group's axis, or spread), how high, with what decoy share."""
    where = ", ".join("spread" if a == SPREAD else att.axis_names[a] for a in r.axes) or "spread"
    share = "the scenario's decoy share" if r.decoy_share is None else f"decoy share {r.decoy_share:g}"
    return f"{where}; altitude {r.profile}; {share}"


def worst_case(att: Attacker, fixed: FixedPlan, runner: Runner | None = None,
               response: Response | None = None) -> dict[str, Any]:
    """A plan's figures against the adversary's best response to it (``response`` where already known), as columns
    of an analysis's table: the value-weighted share defeated, the value leaked over the horizon and the choice in
    words."""
    r = best_response(att, fixed, runner) if response is None else response
    rate, _ = rate_and_leak(att.problem, r.demand, r.kills)
    return {"best_response_rate_value": rate, "best_response_leak": r.damage, "best_response": describe(att, r)}


def rate_and_leak(world: PlanningProblem, demand: np.ndarray, kills: np.ndarray) -> tuple[float, float]:
    """The value-weighted share of a raid (``demand`` per raid, cells × classes) defeated (NaN where its drones carry
    no value) and the value leaked over the horizon, raids × Σ value × (drones − kills)."""
    value = float((world.value * demand).sum())
    rate = float((world.value * kills).sum() / value) if value > 0 else math.nan
    return rate, _damage(world, np.arange(len(demand)), demand, kills)


def _damage(world: Any, cells: np.ndarray, demand: np.ndarray, kills: np.ndarray) -> float:
    return float(world.raids * (world.value[cells] * (demand - kills)).sum())


def _views(att: Attacker, part_axes: np.ndarray, spread: frozenset[int]) -> list[tuple[int, ...]]:
    """A part's views of the choices in which the groups ``spread`` stay spread: each other group on one of the
    part's axes or away."""
    options = [(SPREAD,) if g in spread else (AWAY, *part_axes.tolist()) for g in range(len(att.groups))]
    return [tuple(v) for v in itertools.product(*options)]


def _place(att: Attacker, part_axes: list[np.ndarray], spread: frozenset[int],
           damage_of: Any) -> tuple[float, tuple[int, ...]]:
    """The most damage with the groups ``spread`` left spread and every other group on one axis: a dynamic programme
    over the parts, its state the groups already placed. ``damage_of(k, view)``: part k's damage in that view."""
    n_groups = len(att.groups)
    free = [g for g in range(n_groups) if g not in spread]
    value: dict[frozenset[int], tuple[float, dict[int, int]]] = {frozenset(): (0.0, {})}
    for k, axes in enumerate(part_axes):
        local: dict[frozenset[int], tuple[float, dict[int, int]]] = {}
        for view in _views(att, axes, spread):
            here = frozenset(g for g in free if view[g] != AWAY)
            d = damage_of(k, view)
            if here not in local or d > local[here][0]:
                local[here] = (d, {g: view[g] for g in here})
        nxt: dict[frozenset[int], tuple[float, dict[int, int]]] = {}
        for used, (v0, placed) in value.items():
            for here, (d, where) in local.items():
                if not used & here and (used | here not in nxt or v0 + d > nxt[used | here][0]):
                    nxt[used | here] = (v0 + d, {**placed, **where})
        value = nxt
    total, placed = value.get(frozenset(free), (-math.inf, {}))
    return total, tuple(placed.get(g, SPREAD) for g in range(n_groups))


class _Views:
    """Every part view met so far (profile, share, part, view), each with its drones, the value of its drones (the
    most damage it could do) and, once its exact LP is solved, its damage and kills."""

    def __init__(self, att: Attacker, worlds: list[list[Part]]) -> None:
        self.att, self.worlds = att, worlds
        self.index: dict[tuple[int, int, int, tuple[int, ...]], int] = {}
        self.seen: dict[tuple[int, int, bytes], int] = {}
        self.jobs: list[tuple[Part, np.ndarray]] = []
        self.bound: list[float] = []
        self.damage: list[float | None] = []
        self.kills: list[np.ndarray | None] = []

    def job(self, h: int, s: int, k: int, view: tuple[int, ...]) -> int:
        key = (h, s, k, view)
        if key not in self.index:
            part = self.worlds[h][k]
            demand = raid(self.att, self.att.decoy_shares[s], view)[part.cells]
            seen = (h, k, demand.tobytes())
            if seen not in self.seen:
                self.seen[seen] = len(self.jobs)
                self.jobs.append((part, demand))
                empty = not demand.sum() > 0
                self.bound.append(_damage(part.problem, np.arange(len(part.cells)), demand, np.zeros(demand.shape)))
                self.damage.append(0.0 if empty else None)
                self.kills.append(np.zeros(demand.shape) if empty else None)
            self.index[key] = self.seen[seen]
        return self.index[key]

    def value(self, h: int, s: int, k: int, view: tuple[int, ...]) -> float:
        """The view's damage where solved, else the value of its drones (never less than its damage)."""
        j = self.job(h, s, k, view)
        known = self.damage[j]
        return self.bound[j] if known is None else known

    def solve(self, ids: list[int], runner: Runner | None) -> None:
        for j, x in zip(ids, part_kills([self.jobs[j] for j in ids], runner), strict=True):
            part, demand = self.jobs[j]
            self.kills[j], self.damage[j] = x, _damage(part.problem, np.arange(len(part.cells)), demand, x)

    @property
    def solved(self) -> int:
        return sum(1 for (_, d), x in zip(self.jobs, self.damage, strict=True) if x is not None and d.sum() > 0)


def _local(axes: tuple[int, ...], part_axes: np.ndarray) -> tuple[int, ...]:
    """A part's view of a choice: each group spread, on one of the part's axes, or away."""
    return tuple(a if a == SPREAD or a in part_axes else AWAY for a in axes)


def best_response(att: Attacker, fixed: FixedPlan, runner: Runner | None = None) -> Response:
    """The attacker's best choice against ``fixed`` (builds, conventional units, each nation's spend), exactly: see
    the module docstring. Views are solved lazily: for each profile, share and set of groups left spread, the best
    placement is found with each unsolved view at the value of its drones (a bound on its damage); its unsolved
    views are solved, the most promising placements' first (a batch for the workers at a time), until every best
    placement is solved or cannot beat the best solved one."""
    t0 = time.perf_counter()
    n_groups = len(att.groups)
    by_nation = evaluates_by_nation(att.problem) and all(w.is_sectored() for w in att.worlds)  # every world alike
    worlds = [plan_parts(w, fixed, by_nation=by_nation) for w in att.worlds]
    part_axes = [np.unique(att.axis[part.cells]) for part in worlds[0]]
    views = _Views(att, worlds)
    spread_all = (SPREAD,) * n_groups
    nominal_ids = [views.job(0, 0, k, spread_all) for k in range(len(worlds[0]))]
    views.solve([j for j in nominal_ids if views.damage[j] is None], runner)
    open_ = [(h, s, frozenset(c)) for h in range(len(att.worlds)) for s in range(len(att.decoy_shares))
             for r in range(n_groups + 1) for c in itertools.combinations(range(n_groups), r)]
    best: tuple[float, int, int, tuple[int, ...]] = (-math.inf, 0, 0, spread_all)
    batch = 2 * (runner.workers if runner is not None else 1)
    while open_:
        placements = []
        for h, s, spread in open_:
            total, axes = _place(att, part_axes, spread, lambda k, v, h=h, s=s: views.value(h, s, k, v))
            pending = {j for k in range(len(worlds[h]))
                       if views.damage[j := views.job(h, s, k, _local(axes, part_axes[k]))] is None}
            if not pending:  # solved: the most this profile, share and spread can do
                best = max(best, (total, h, s, axes))
            else:
                placements.append((total, (h, s, spread), pending))
        # the most promising first (best-first: a strong attack found early rules the weaker ones out unsolved)
        placements = sorted((pl for pl in placements if pl[0] > best[0]), key=lambda pl: -pl[0])
        open_ = [key for _, key, _ in placements]
        wanted: set[int] = set()
        for _, _, pending in placements:
            if len(wanted) >= batch:
                break
            wanted |= pending
        if wanted:
            views.solve(sorted(wanted), runner)
    total, h, s, axes = best
    demand = raid(att, att.decoy_shares[s], axes)
    response = np.zeros(demand.shape)
    for k, part in enumerate(worlds[h]):  # the best choice's kills, part by part, from its views
        kills = views.kills[views.job(h, s, k, _local(axes, part_axes[k]))]
        assert kills is not None
        response[part.cells] = kills
    nominal_damage = sum(views.value(0, 0, k, spread_all) for k in range(len(worlds[0])))
    out = Response(damage=total, nominal_damage=nominal_damage, profile=att.profiles[h],
                   decoy_share=att.decoy_shares[s], axes=axes, demand=demand, kills=response)
    out.evaluations, out.seconds = views.solved, time.perf_counter() - t0
    return out


def axis_leaks(att: Attacker, fixed: FixedPlan, runner: Runner | None = None) -> dict[tuple[int, int, int], float]:
    """One group: the value every attack on one axis leaks, {(profile, share, axis): leak}, each exactly (its
    nation's LP of the raid on the axis; the other nations' views of it, where some drones stay, theirs)."""
    if len(att.groups) != 1:
        raise ValueError("axis_leaks: one group only (each attack is the raid on one axis)")
    by_nation = evaluates_by_nation(att.problem) and all(w.is_sectored() for w in att.worlds)  # every world alike
    worlds = [plan_parts(w, fixed, by_nation=by_nation) for w in att.worlds]
    part_axes = [np.unique(att.axis[part.cells]) for part in worlds[0]]
    views = _Views(att, worlds)
    keys = [(h, s, a) for h in range(len(att.worlds)) for s in range(len(att.decoy_shares))
            for a in range(len(att.axis_names))]
    ids = {key: [views.job(key[0], key[1], k, _local((key[2],), axes)) for k, axes in enumerate(part_axes)]
           for key in keys}
    views.solve(sorted({j for js in ids.values() for j in js if views.damage[j] is None}), runner)
    return {key: float(sum(views.damage[j] or 0.0 for j in js)) for key, js in ids.items()}


def enumerate_response(att: Attacker, fixed: FixedPlan) -> Response:
    """Every choice evaluated on the whole problem (:func:`planner.lp.solve.solve` with the plan fixed): the oracle
    the tests hold :func:`best_response` to. (Axes + 1) ^ groups × profiles × shares evaluations."""
    t0 = time.perf_counter()
    best: tuple[float, int, int, tuple[int, ...]] = (-math.inf, 0, 0, ())
    options = [SPREAD, *range(len(att.axis_names))]
    nominal_damage = math.nan
    count = 0
    for h, world in enumerate(att.worlds):
        for s, share in enumerate(att.decoy_shares):
            for axes in itertools.product(options, repeat=len(att.groups)):
                demand = raid(att, share, axes)
                q = dataclasses.replace(world, demand=demand)
                x = solve(q, fixed=fixed)
                count += 1
                kills = np.einsum("nte,et->nt", x.engagements, q.p_kill)
                d = _damage(q, np.arange(len(q.cell_ids)), demand, kills)
                if h == 0 and s == 0 and all(a == SPREAD for a in axes):
                    nominal_damage = d
                if d > best[0]:
                    best = (d, h, s, tuple(axes))
    total, h, s, axes = best
    demand = raid(att, att.decoy_shares[s], axes)
    q = dataclasses.replace(att.worlds[h], demand=demand)
    kills = np.einsum("nte,et->nt", solve(q, fixed=fixed).engagements, q.p_kill)
    return Response(damage=total, nominal_damage=nominal_damage, profile=att.profiles[h],
                    decoy_share=att.decoy_shares[s], axes=axes, demand=demand, kills=kills, evaluations=count,
                    seconds=time.perf_counter() - t0)
