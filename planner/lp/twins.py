"""Twin placements: candidate (site, system) placements a model cannot tell apart, counted as one (issue #18).

With sites every 2 km and cells 5 km long, neighbouring candidate sites often see exactly the same cells: a sensor
type's detection pairs (cell, class, weight) are the same from both, or an effector type's engagement pairs (cell,
class) and magazine share. Each such placement is a binary build with the same coefficients in every row, so the
model holds m interchangeable copies of one column (two fifths of the effector placements of Finland's model at
that siting). The model here keeps one column per group of twins, an integer count of units in 0..m
(:func:`planner.lp.formulation.define_builds`), and a plan's count goes back to the group's first sites
(:meth:`Twins.spread`).

An exact reformulation: every row is linear in the builds and the twins' coefficients are equal, so a plan of the
site-by-site model sums to a plan of the counted one with the same row values and objective, and a count spreads
back to as many twins with the same values again; the optimum and the proven bound are those of the site-by-site
model (tests/test_twins.py). Placements that differ in anything a row reads are never twins: another nation,
a unit in service, a build barred, a segment's share of the unit's cost, or any point-defence or escort pair (their
rows name the site); nor, to be safe, a no-fire site beside one that is not (no row reads the flag: a no-fire
zone acts through the pairs).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from planner.problem import PlanningProblem
from planner.problem_axes import AXES

__all__ = ["Twins", "find_twins", "without_barred"]


@dataclass(frozen=True)
class Twins:
    """Groups of twin placements per role (0: sensors, 1: effectors): each an (M, K) array of the group's first
    placement's count of twins (0 for the others, 1 for a placement without twins) and the groups themselves,
    (system, sites in index order) with at least two sites."""

    most: tuple[np.ndarray, np.ndarray]
    groups: tuple[tuple[tuple[int, tuple[int, ...]], ...], tuple[tuple[int, tuple[int, ...]], ...]]

    @property
    def merged(self) -> int:
        """How many placements the model leaves out (counted in their group's first)."""
        return sum(len(sites) - 1 for role in self.groups for _, sites in role)

    def reduce(self, p: PlanningProblem) -> PlanningProblem:
        """``p`` without the detection and engagement pairs of the placements counted in another's column."""
        gone = [m == 0 for m in self.most]
        return _only_pairs(p, det=~gone[0][p.det_site, p.det_sensor], eng=~gone[1][p.eng_site, p.eng_effector])

    def gather(self, sensors: np.ndarray, effectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A plan's builds (0/1 per site) as the counted model's: each group's units counted in its first site."""
        out = (np.array(sensors, dtype=float), np.array(effectors, dtype=float))
        for arr, groups in zip(out, self.groups, strict=True):
            for k, sites in groups:
                idx = list(sites)
                total = float(np.rint(arr[idx, k]).sum())
                arr[idx, k] = 0.0
                arr[sites[0], k] = total
        return out

    def spread(self, sensors: np.ndarray, effectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The counted model's builds back to 0/1 per site: a group's n units on its first n sites."""
        out = (np.array(sensors, dtype=float), np.array(effectors, dtype=float))
        for arr, groups in zip(out, self.groups, strict=True):
            for k, sites in groups:
                n = int(np.rint(arr[sites[0], k]))
                arr[list(sites), k] = 0.0
                arr[list(sites[:n]), k] = 1.0
        return out


def without_barred(p: PlanningProblem, allowed: tuple[np.ndarray, np.ndarray]) -> PlanningProblem:
    """``p`` without the detection and engagement pairs of the placements ``allowed`` (sensors (M, S), effectors
    (M, E)) bars, as :meth:`Twins.reduce` drops those of twins: a barred build is fixed at 0, so its pairs add nothing
    to any row, and the model without them has the same optimum and plans, built faster (the whole model over the
    units the segments chose, planner.lp.segments). Each (cell, class, type) keeps at least one pair, so the model
    keeps every detection and engagement variable and the rows written where a key has pairs (the decoy rows where
    a type's pairs reach a decoy); a unit in service keeps its pairs (the model fixes it at 0 if barred, where
    without pairs it would count it as operated); point-defence and escort pairs stay (their rows name the site)."""
    n_t = len(p.threat_ids)
    return _only_pairs(
        p, det=_kept((allowed[0] | p.in_service_sensors)[p.det_site, p.det_sensor],
                     (p.det_cell.astype(np.int64) * n_t + p.det_threat) * len(p.sensor_ids) + p.det_sensor),
        eng=_kept((allowed[1] | p.in_service_effectors)[p.eng_site, p.eng_effector],
                  (p.eng_cell.astype(np.int64) * n_t + p.eng_threat) * len(p.effector_ids) + p.eng_effector))


def _only_pairs(p: PlanningProblem, *, det: np.ndarray, eng: np.ndarray) -> PlanningProblem:
    """``p`` with the detection and engagement pairs the masks keep (every field of their axes sliced); ``p`` itself
    where both keep all."""
    changes = {name: getattr(p, name)[mask] for axis, mask in (("det", det), ("eng", eng)) if not mask.all()
               for name in AXES[axis]}
    return dataclasses.replace(p, **changes) if changes else p


def _kept(open_: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The pairs to keep: those of open placements, and each ``key``'s first pair where it has no open one."""
    if not len(open_):
        return open_
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    some = np.zeros(len(first), dtype=bool)
    some[group.ravel()[open_]] = True
    out = open_.copy()
    out[first[~some]] = True
    return out


def _columns(site: np.ndarray, kind: np.ndarray, rows: tuple[np.ndarray, ...]) -> dict[tuple[int, int], bytes]:
    """Each placement's (site, kind) pairs as bytes: ``rows`` (parallel to ``site``) sorted within the placement."""
    if not len(site):
        return {}
    order = np.lexsort((*reversed(rows), kind, site))
    s, k = site[order], kind[order]
    data = np.stack([np.asarray(r, dtype=float)[order] for r in rows])
    starts = np.flatnonzero(np.r_[True, (s[1:] != s[:-1]) | (k[1:] != k[:-1])])
    ends = np.r_[starts[1:], len(s)]
    return {(int(s[a]), int(k[a])): data[:, a:b].tobytes() for a, b in zip(starts.tolist(), ends.tolist(),
                                                                           strict=True)}


def find_twins(p: PlanningProblem, *, allowed: tuple[np.ndarray, np.ndarray] | None = None,
               share: tuple[np.ndarray, np.ndarray] | None = None) -> Twins:
    """The twin placements of ``p``'s model (with ``allowed`` builds and a segment's cost ``share``, as
    :func:`planner.lp.formulation.build_model` takes them)."""
    named = set(zip(p.pt_site.tolist(), p.pt_effector.tolist(), strict=True)) \
        | set(zip(p.esc_site.tolist(), p.esc_effector.tolist(), strict=True))
    columns = (_columns(p.det_site, p.det_sensor, (p.det_cell, p.det_threat, p.det_weight)),
               _columns(p.eng_site, p.eng_effector, (p.eng_cell, p.eng_threat)))
    in_service = (p.in_service_sensors, p.in_service_effectors)
    most = (np.ones(in_service[0].shape, dtype=np.int64), np.ones(in_service[1].shape, dtype=np.int64))
    found: list[tuple[tuple[int, tuple[int, ...]], ...]] = []
    for role, cols in enumerate(columns):
        alike: dict[tuple[int, tuple[object, ...]], list[int]] = defaultdict(list)
        for (j, k), pairs in cols.items():
            if in_service[role][j, k] or (role == 1 and (j, k) in named) \
                    or (allowed is not None and not allowed[role][j, k]):
                continue
            alike[k, (int(p.site_nation[j]), bool(p.site_no_fire[j]), pairs,
                      None if share is None else float(share[role][j, k]),
                      float(p.mag_share[j, k]) if role == 1 else None)].append(j)
        groups = tuple(sorted((key[0], tuple(sorted(sites))) for key, sites in alike.items() if len(sites) > 1))
        for k, sites in groups:
            most[role][list(sites), k] = 0
            most[role][sites[0], k] = len(sites)
        found.append(groups)
    return Twins(most=most, groups=(found[0], found[1]))
