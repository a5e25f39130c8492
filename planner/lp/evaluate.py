"""A fixed plan's exact evaluation against many raids, part by part (issue #15: the attacker's best response).

A part is what the exact evaluation solves apart: a nation where no unit covers another nation's cells, else the
whole flank. Each part keeps what the plan spends there (its builds and the munitions it planned), so a raid that
brings more drones than planned is met with the money planned, as in the stress test. The kills of a part depend on
its own cells' drones only, so a raid's kills are the sum of its parts' (:func:`part_kills`), and the parts' results
make the whole's (:func:`merge`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from planner.errors import SolverError
from planner.lp.families import national, parts
from planner.lp.result import FixedPlan
from planner.lp.runner import Runner
from planner.lp.tasks import SectorTask
from planner.problem import PlanningProblem

__all__ = ["Part", "merge", "part_kills", "plan_parts", "sector_spend"]


@dataclass(frozen=True)
class Part:
    """One part of a problem with the plan's share of it: its problem, its cells and sites in the whole, the plan."""

    label: str
    problem: PlanningProblem
    cells: np.ndarray
    sites: np.ndarray
    plan: FixedPlan


def sector_spend(sub: PlanningProblem, nation: int, fixed: FixedPlan, ci: np.ndarray, si: np.ndarray) -> float:
    """What the plan spends in one nation: its builds and the munitions it planned over the nation's cells."""
    if fixed.nation_spend_eur is not None:
        return float(fixed.nation_spend_eur.get(nation, 0.0))
    if fixed.engagements is None:
        raise ValueError("a sector-wise exact evaluation needs the plan's engagements or each nation's spend")
    return sub.costs(fixed.sensors[si], fixed.effectors[si], fixed.engagements[ci], np.zeros(0))["total"]


def plan_parts(p: PlanningProblem, fixed: FixedPlan, *, by_nation: bool) -> list[Part]:
    """The parts of ``p`` the plan is evaluated in: one per nation where its exact evaluation goes by nation
    (``by_nation``, :func:`planner.lp.solve.evaluates_by_nation`: each nation within its own spend), else the whole
    problem within the plan's whole spend."""
    if not (by_nation and p.is_sectored()):  # the whole problem, its conventional units set apart with their cost
        ci, si = np.arange(len(p.cell_ids)), np.arange(len(p.site_ids))
        conv = float((fixed.conventional * p.conv_cost_eur).sum()) if len(p.conv_ids) else 0.0
        plan = FixedPlan(sensors=fixed.sensors, effectors=fixed.effectors, conventional=np.zeros(0),
                         cost_eur=fixed.cost_eur - conv)
        return [Part("the flank", p.subset(ci, si), ci, si, plan)]
    out = []
    found = parts(p)
    conv = float((fixed.conventional * p.conv_cost_eur).sum()) if len(p.conv_ids) else 0.0
    for label, _sub, ci, si in found:
        n = p.nations.index(label)
        sub, ci, si = national(p, n)
        alone = len(found) == 1 and fixed.nation_spend_eur is None and fixed.engagements is None
        planned = FixedPlan(sensors=fixed.sensors[si], effectors=fixed.effectors[si], conventional=np.zeros(0),
                            cost_eur=fixed.cost_eur - conv if alone else sector_spend(sub, n, fixed, ci, si))
        out.append(Part(label, sub, ci, si, planned))
    return out


def part_kills(jobs: Sequence[tuple[Part, np.ndarray]], runner: Runner | None = None) -> list[np.ndarray]:
    """Each job's expected kills per raid (the part's cells, classes) when the part's cells see ``demand`` (the
    part's cells, classes): the exact-evaluation LP of the part's plan. Jobs without drones are not solved."""
    out: list[np.ndarray] = [np.zeros(demand.shape) for _, demand in jobs]
    tasks: list[SectorTask] = []
    where: list[tuple[int, np.ndarray]] = []
    for k, (part, demand) in enumerate(jobs):
        cells = np.flatnonzero(demand.sum(axis=1) > 0)
        if len(cells):  # the cells without drones have no rows: the LP of the others (every site, its spend) alone
            sub = part.problem
            if len(cells) < len(sub.cell_ids):
                sub = sub.subset(cells, np.arange(len(sub.site_ids)))
            tasks.append(SectorTask(problem=replace(sub, demand=demand[cells]), fixed=part.plan, threads=1,
                                    mip_rel_gap=0.0))
            where.append((k, cells))
    if not tasks:
        return out
    if runner is None:
        with Runner(1) as own:
            results = own.map(tasks)
    else:
        results = runner.map(tasks)
    for (k, cells), task, r in zip(where, tasks, results, strict=True):
        if not r.solved:
            raise SolverError(f"the exact evaluation of {jobs[k][0].label} against a raid failed: {r.outcome} "
                              f"{r.message}".strip())
        out[k][cells] = np.einsum("nte,et->nt", r.engagements, task.problem.p_kill)
    return out


def merge(p: PlanningProblem, subs: list[tuple[PlanningProblem, np.ndarray, np.ndarray]],
          parts: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """The nations' detections, engagements, point-defence engagements and escorts (each part, a SectorPlan or a
    TaskResult, in its sub-problem's index space) put into the whole problem's."""
    detected = np.zeros(p.demand.shape)
    engagements = np.zeros((*p.demand.shape, len(p.effector_ids)))
    point: np.ndarray | None = np.zeros(len(p.pt_cell))
    escorts = np.zeros(engagements.shape)
    for (_, ci, si), part in zip(subs, parts, strict=True):
        detected[ci], engagements[ci] = part.detected, part.engagements
        if part.escorts is not None:
            escorts[ci] = part.escorts
        if point is not None and part.point is not None:  # None once a part is missing
            point[np.isin(p.pt_cell, ci) & np.isin(p.pt_site, si)] = part.point
        else:
            point = None
    return detected, engagements, point, escorts
