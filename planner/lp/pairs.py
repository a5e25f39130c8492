"""The engagement pairs of a planning problem grouped as the kill chain's rows use them (planner.lp.kill_chain,
``define_reach``): the sites in reach of each (cell, class, effector type) and each (cell, type)'s sites with their
magazine shares. Grouped with numpy rather than pair by pair: Finland's national model at 1 km cells with sites every
2 km has 6.9M pairs, which took 5.5 s pair by pair and take 3.0 s so (docs/performance.md)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from planner.problem import PlanningProblem

__all__ = ["sites_in_reach"]


def sites_in_reach(p: PlanningProblem, seen: np.ndarray) -> tuple[dict[tuple[int, int, int], tuple[int, ...]],
                                                                   defaultdict[tuple[int, int], dict[int, float]]]:
    """Over the engagement pairs of the (cell, class) ``seen`` marks (cells × classes, bool): the sites in reach of
    each (cell, class, effector), sorted (a site named twice is there twice), and each (cell, effector)'s sites with
    their magazine shares; both keyed in the order the pairs first name them."""
    reach: dict[tuple[int, int, int], tuple[int, ...]] = {}
    cover: defaultdict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    if not len(p.eng_cell):
        return reach, cover
    keep = np.flatnonzero(seen[p.eng_cell, p.eng_threat])
    if not len(keep):
        return reach, cover
    cell, threat = p.eng_cell[keep].astype(np.int64), p.eng_threat[keep].astype(np.int64)
    site, eff = p.eng_site[keep].astype(np.int64), p.eng_effector[keep].astype(np.int64)
    n_threats, n_effectors, n_sites = seen.shape[1], max(len(p.effector_ids), 1), int(site.max()) + 1
    first, bounds, order = _groups((cell * n_threats + threat) * n_effectors + eff, site, n_sites)
    sites = site[order].tolist()
    for (i, t, e), a, b in zip(zip(cell[first].tolist(), threat[first].tolist(), eff[first].tolist(), strict=True),
                               *bounds, strict=True):
        reach[i, t, e] = tuple(sites[a:b])
    pair = cell * n_effectors + eff
    once = np.unique(pair * n_sites + site, return_index=True)[1]  # each (cell, effector, site) once, its first pair
    first, bounds, order = _groups(pair[once], site[once], n_sites, once)
    js, shares = site[once][order].tolist(), p.mag_share[site[once][order], eff[once][order]].astype(float).tolist()
    for (i, e), a, b in zip(zip(cell[first].tolist(), eff[first].tolist(), strict=True), *bounds, strict=True):
        cover[i, e] = dict(zip(js[a:b], shares[a:b], strict=True))
    return reach, cover


def _groups(key: np.ndarray, site: np.ndarray, n_sites: int, pos: np.ndarray | None = None
            ) -> tuple[np.ndarray, tuple[list[int], list[int]], np.ndarray]:
    """The distinct values of ``key`` (≥ 0) in the order the pairs first name them: each one's first pair (its
    position, or its ``pos`` where the pairs are a selection), where its pairs start and end in ``order``, and
    ``order`` (the pairs by key, then site)."""
    order = np.argsort(key * n_sites + site)
    starts = np.flatnonzero(np.r_[True, key[order][1:] != key[order][:-1]])
    ends = np.r_[starts[1:], len(order)]
    first = np.minimum.reduceat(order if pos is None else pos[order], starts)
    by_first = np.argsort(first, kind="stable")
    return first[by_first], (starts[by_first].tolist(), ends[by_first].tolist()), order
