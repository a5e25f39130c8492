"""Decomposition along the border: one priced model (a nation's at a price on money) cut into segments of
consecutive cells, linked by the units that several segments use.

Every kill-chain row belongs to one cell (detection, reach, point defence, magazines: a unit's magazine is shared
among the cells it covers in fixed shares), so cells interact only through the builds. The cells are ordered along
the border by the graph in which two cells are adjacent when one unit could serve both (reverse Cuthill-McKee,
which keeps adjacent cells close in the order) and cut into segments S_1..S_K. Segment k's model holds its cells
and every unit that covers any of them, and pays a share w_bk of each unit b's acquisition and operation
(Σ_k w_bk = 1, w ≥ 0). For every such choice of shares

    L(w) = Σ_k max over plans of segment k [V_k − μ (Σ_b w_bk c_b x_b + munitions fired over S_k)]

is an upper bound on the whole model's optimum: the best plan, restricted to each segment, is a plan there (its
money stays within the budget, as w ≤ 1), and its segment terms add up to its objective. The segments are small
MILPs, solved side by side in the workers, with HiGHS's proven bound standing in for each maximum. The shares are the
Lagrangian multipliers of the copies' agreement: where the segments disagree on a unit, those that build it pay
more (a projected subgradient step of Polyak's length). A plan for the whole model comes from its MILP over the
units some segment built, started from their union; the gap reported is between that plan and the least L(w), so
it is a proven gap for the whole model (docs/formulation.md, "Solving").
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import reverse_cuthill_mckee

from planner.lp.tasks import SectorTask, TaskResult, solve_sector
from planner.problem import PlanningProblem
from planner.settings import SEGMENT_CELLS

__all__ = ["SEGMENT_CELLS", "applies", "count", "order_cells", "partition", "solve_segmented"]

#: Rounds of shares (each solves every segment once, then the whole model over the units they chose).
MAX_ROUNDS = 6

#: Polyak's step is this share of (bound − plan) / ‖g‖²: the plan, not the bound, is usually what is off, so a full
#: step overshoots (measured on Finland at 1 km cells: the bound rose from 684 to 693 after a full step).
STEP = 0.25

#: Share of the gap target each segment's MILP is solved to (their bounds add up; so do their gaps); below 1 the rest
#: is kept for the plan over the units they chose, at 1 none is (the part's gap, bound against plan, decides whether
#: another round runs). Cross-border coverage at 5 km cells, 2 cores (two runs each): 0.5 took 35-39 s to 0.40%, 0.75
#: took 30-32 s to 0.44%, 1.0 took 28-30 s to 0.67%. With the eighteenth session's code, paired runs in one hour
#: (three each): 0.75 28.7-31.4 s to 0.44%, 1.0 25.8-27.6 s to 0.47%; Poland alone at 1 km cells 22.5 s and 21.9 s,
#: 0.73% both (docs/performance.md).
SEGMENT_GAP_SHARE = 1.0

#: Share of the time left a round gives its segments (the rest: the whole model over the units they chose).
SEGMENT_TIME_SHARE = 0.6


def applies(p: PlanningProblem, size: int | None = None) -> bool:
    """Whether a priced model of ``p`` is cut into segments: at least two segments of ``size`` cells, no conventional
    options, and no row that sums over cells besides money (surveillance shares, class targets). Measured against
    the model as one (flank-wide ``lp_screen``): Poland alone at 1 km cells (960 cells, 180 sites, 8 segments each
    holding about half the sites) 0.79% in 26 s against 2.2% after 133 s."""
    return (len(p.cell_ids) >= 2 * (SEGMENT_CELLS if size is None else size) and not len(p.conv_ids)
            and not p.defeat_targets and not p.detection_requirements() and not p.escort_requirements())


def _incidence(p: PlanningProblem) -> csr_matrix:
    """Cells × sites: 1 where a unit at the site could serve the cell (detection, engagement, point defence, escort)."""
    cells = np.concatenate([p.det_cell, p.eng_cell, p.pt_cell, p.esc_cell]).astype(np.int64)
    sites = np.concatenate([p.det_site, p.eng_site, p.pt_site, p.esc_site]).astype(np.int64)
    b = csr_matrix((np.ones(len(cells)), (cells, sites)), shape=(len(p.cell_ids), len(p.site_ids)))
    b.data[:] = 1.0
    return b


def order_cells(p: PlanningProblem) -> np.ndarray:
    """The cells in an order along the border: reverse Cuthill-McKee on the graph of cells one unit could serve
    together (no geometry needed; cells no unit covers come where the order puts them)."""
    b = _incidence(p)
    a = (b @ b.T).tocsr()
    return np.asarray(reverse_cuthill_mckee(a, symmetric_mode=True), dtype=np.int64)


def count(p: PlanningProblem, size: int | None = None) -> int:
    """How many segments :func:`partition` cuts ``p`` into."""
    return max(1, round(len(p.cell_ids) / (SEGMENT_CELLS if size is None else size)))


def partition(p: PlanningProblem, size: int | None = None) -> list[np.ndarray]:
    """The cells cut into segments of about ``size`` consecutive cells along :func:`order_cells` (sorted indices)."""
    return [np.sort(part) for part in np.array_split(order_cells(p), count(p, size)) if len(part)]


@dataclass
class _Segment:
    cells: np.ndarray  # indices in the whole model
    sites: np.ndarray
    problem: PlanningProblem
    used: tuple[np.ndarray, np.ndarray]  # (sites, S) and (sites, E): the builds this segment's model has
    share: tuple[np.ndarray, np.ndarray]  # the share of each of those units' cost it pays
    plan: tuple[np.ndarray, np.ndarray] | None = None  # its last builds


def _used(sub: PlanningProblem) -> tuple[np.ndarray, np.ndarray]:
    sensors = np.zeros(sub.in_service_sensors.shape, dtype=bool)
    sensors[sub.det_site, sub.det_sensor] = True
    effectors = np.zeros(sub.in_service_effectors.shape, dtype=bool)
    effectors[np.concatenate([sub.eng_site, sub.pt_site, sub.esc_site]),
              np.concatenate([sub.eng_effector, sub.pt_effector, sub.esc_effector])] = True
    return sensors, effectors


def _segments(p: PlanningProblem, blocks: list[np.ndarray]) -> list[_Segment]:
    """Each block's model, and first shares: each unit's cost split in proportion to its coverage pairs in each
    segment, each weighted by the value at stake in its cell (evenly where none is)."""
    b = _incidence(p)
    out = []
    for cells in blocks:
        sites = np.flatnonzero(np.asarray(b[cells].sum(axis=0)).ravel() > 0)
        sub = p.subset(cells, sites)
        out.append(_Segment(cells, sites, sub, _used(sub), (np.zeros(0), np.zeros(0))))
    at_stake = (p.demand * p.value).sum(axis=1)  # (N,)
    for role in (0, 1):
        weights = []
        for seg in out:
            sub = seg.problem
            w = np.zeros(seg.used[role].shape)
            if role == 0:
                np.add.at(w, (sub.det_site, sub.det_sensor), at_stake[seg.cells][sub.det_cell])
            else:
                np.add.at(w, (np.concatenate([sub.eng_site, sub.pt_site]),
                              np.concatenate([sub.eng_effector, sub.pt_effector])),
                          at_stake[seg.cells][np.concatenate([sub.eng_cell, sub.pt_cell])])
            weights.append(w + seg.used[role] * 1e-9)  # evenly where nothing is at stake
        total = np.zeros((len(p.site_ids), weights[0].shape[1]))
        for seg, w in zip(out, weights, strict=True):
            total[seg.sites] += w
        for seg, w in zip(out, weights, strict=True):
            share = np.where(seg.used[role], w / np.maximum(total[seg.sites], 1e-300), 0.0)
            seg.share = (share, seg.share[1]) if role == 0 else (seg.share[0], share)
    return out


def _unit_costs(p: PlanningProblem) -> tuple[np.ndarray, np.ndarray]:
    """Each (site, system)'s acquisition and operation over the horizon (operation only for units in service)."""
    h = p.horizon_years
    sensors = np.where(p.in_service_sensors, 0.0, p.sensor_unit_cost_eur) + h * p.sensor_operating_eur_per_year
    effectors = np.where(p.in_service_effectors, 0.0, p.effector_unit_cost_eur) + h * p.effector_operating_eur_per_year
    return np.broadcast_to(sensors, p.in_service_sensors.shape), np.broadcast_to(effectors, p.in_service_effectors.shape)


def _project_simplex(v: np.ndarray, total: float) -> np.ndarray:
    """The nearest point to ``v`` with non-negative entries summing to ``total`` (Euclidean projection)."""
    if not len(v) or not np.all(np.isfinite(v)):
        return np.full(len(v), total / max(len(v), 1))
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - total
    ind = np.arange(1, len(v) + 1)
    above = ind[u - css / ind > 0]
    if not len(above):  # round-off where ``total`` is negligible beside ``v``
        return np.full(len(v), total / len(v))
    rho = above[-1]
    return np.asarray(np.maximum(v - css[rho - 1] / rho, 0.0))


def _in_process(tasks: list[SectorTask]) -> list[TaskResult]:
    return [solve_sector(t) for t in tasks]


def solve_segmented(task: SectorTask, *, solve_many: Callable[[list[SectorTask]], list[TaskResult]] = _in_process,
                    workers: int = 1, size: int | None = None, rounds: int = MAX_ROUNDS) -> TaskResult:
    """Maximise value − price × money over ``task.problem`` by segments (module docstring), at ``task.price``.
    The task's settings carry the time limit, the gap targets (relative, and absolute where ``mip_abs_gap`` is
    set: the caller's share of a larger objective), the threads and the run's deadline; ``task.start`` (sensors
    (M, S), effectors (M, E)) starts every segment and the whole model. ``solve_many`` solves the segments' MILPs
    (e.g. a :class:`planner.lp.runner.Runner`'s ``map`` over ``workers`` processes; in this process by default);
    at most ``rounds`` rounds. Returns the plan with its objective and the least L(w) as its bound (arrays over the
    whole model), or outcome ``timeout`` when the whole model found no plan in time."""
    t0 = time.perf_counter()
    p, price, start = task.problem, float(task.price or 0.0), task.start
    settings = p.solver.replace(time_limit_s=task.time_limit_s or p.solver.time_limit_s,
                                mip_rel_gap=p.solver.mip_rel_gap if task.mip_rel_gap is None else task.mip_rel_gap)
    limit = settings.time_left()
    target, allowed = settings.mip_rel_gap, task.mip_abs_gap or 0.0
    segs = _segments(p, partition(p, size))
    stake = np.array([float((seg.problem.demand * seg.problem.value).sum()) for seg in segs])
    stake = stake / stake.sum() if stake.sum() > 0 else np.full(len(segs), 1 / len(segs))
    costs = _unit_costs(p)
    total_value = float((p.demand * p.value).sum() * p.raids)
    best: TaskResult | None = None
    least = math.inf
    step, stalled = STEP, 0
    build_s = solve_s = 0.0
    for round_ in range(rounds):
        left = limit - (time.perf_counter() - t0)
        if round_ and left < 2.0:
            break
        # Each segment at its shares (in parallel where workers are lent); the bound adds up their proven bounds.
        seg_limit = max(SEGMENT_TIME_SHARE * left * min(workers, len(segs)) / len(segs), 1.0)
        jobs = [SectorTask(problem=seg.problem, price=price, share=seg.share, threads=task.threads,
                           time_limit_s=seg_limit, mip_rel_gap=SEGMENT_GAP_SHARE * target,
                           mip_abs_gap=SEGMENT_GAP_SHARE * allowed * part or None,
                           start=seg.plan or (None if start is None else (start[0][seg.sites], start[1][seg.sites])))
                for seg, part in zip(segs, stake, strict=True)]
        bound = 0.0
        for seg, r in zip(segs, solve_many(jobs), strict=True):
            build_s, solve_s = build_s + r.build_s, solve_s + r.solve_s
            if not r.solved:  # no plan in time (or an error): bounded by all the value its drones hold
                seg.plan = None
                bound += float((seg.problem.demand * seg.problem.value).sum() * p.raids)
                continue
            seg.plan = (r.sensors, r.effectors)
            bound += r.bound
        least = min(least, bound, total_value)
        # The whole model over the units some segment built, started from their union (or the best plan so far).
        union = (p.in_service_sensors.copy(), p.in_service_effectors.copy())
        for seg in segs:
            if seg.plan is not None:
                union[0][seg.sites] |= seg.plan[0] > 0.5
                union[1][seg.sites] |= seg.plan[1] > 0.5
        if start is not None:
            union = (union[0] | (start[0] > 0.5), union[1] | (start[1] > 0.5))
        first = (union[0].astype(float), union[1].astype(float)) if best is None else (best.sensors, best.effectors)
        r = solve_sector(SectorTask(problem=p, price=price, threads=task.threads, allowed=union, start=first,
                                    time_limit_s=max(limit - (time.perf_counter() - t0), 1.0), mip_rel_gap=target / 2,
                                    mip_abs_gap=allowed / 2 or None))
        build_s, solve_s = build_s + r.build_s, solve_s + r.solve_s
        if r.solved and (best is None or r.objective > best.objective):
            best = r
        primal = best.objective if best is not None else -math.inf
        gap = (least - primal) / max(abs(least), abs(primal), 1e-9) if best is not None else math.inf
        if gap <= target or (best is not None and least - primal <= allowed):
            break
        stalled = 0 if bound <= least else stalled + 1
        if stalled >= 2:
            step, stalled = step / 2, 0
        if not _update_shares(segs, costs, price, step * (bound - max(primal, 0.0)), len(p.site_ids)):
            break  # the segments agree on every unit: the shares cannot move
    if best is None:
        return TaskResult(outcome="timeout", build_s=build_s, solve_s=solve_s)
    return best.replace(bound=max(least, best.objective), build_s=build_s, solve_s=solve_s)


def _update_shares(segs: list[_Segment], costs: tuple[np.ndarray, np.ndarray], price: float, excess: float,
                   n_sites: int) -> bool:
    """One projected subgradient step on the prices each segment pays for its part of the units it shares
    (λ_bk = price · c_b · w_bk, Σ_k λ_bk fixed): a segment that builds a unit the other segments with a plan do not
    pays more. One step for sensors and effectors together, of Polyak's length ``excess`` / ‖g‖². False when no
    segment disagrees with another."""
    grads: list[list[np.ndarray]] = []
    for role in (0, 1):
        copies = np.zeros((n_sites, costs[role].shape[1]))
        builds = np.zeros_like(copies)
        for seg in segs:
            if seg.plan is not None:  # the segments without a plan in time have no say
                copies[seg.sites] += seg.used[role]
                builds[seg.sites] += seg.plan[role] * seg.used[role]
        mean = np.divide(builds, copies, out=np.zeros_like(builds), where=copies > 0)
        grads.append([(seg.plan[role] - mean[seg.sites]) * seg.used[role] if seg.plan is not None
                      else np.zeros(seg.used[role].shape) for seg in segs])
    norm = sum(float((g ** 2).sum()) for role_grads in grads for g in role_grads)
    if norm < 1e-12:
        return False
    t = max(excess, 0.0) / norm
    for role in (0, 1):
        width = costs[role].shape[1]
        lam = np.zeros((n_sites, width, len(segs)))
        shared = np.zeros((n_sites, width))
        for k, (seg, g) in enumerate(zip(segs, grads[role], strict=True)):
            lam[seg.sites, :, k] = np.where(seg.used[role], price * costs[role][seg.sites] * seg.share[role] + t * g,
                                            0.0)
            shared[seg.sites] += seg.used[role]
        for j, e in zip(*np.nonzero(shared > 1), strict=True):
            ks = [k for k, seg in enumerate(segs) if j in seg.sites
                  and seg.used[role][np.searchsorted(seg.sites, j), e]]
            total = price * costs[role][j, e]
            if total <= 0:
                continue
            lam[j, e, ks] = _project_simplex(lam[j, e, ks], total)
        for k, seg in enumerate(segs):
            total = price * costs[role][seg.sites]
            share = np.divide(lam[seg.sites, :, k], total, out=seg.share[role].copy(), where=total > 0)
            seg.share = (np.where(seg.used[0], share, 0.0), seg.share[1]) if role == 0 else \
                (seg.share[0], np.where(seg.used[1], share, 0.0))
    return True
