"""Rows over many sites of one type, written over runs of consecutive sites (issue #18).

A cell's reach row sums the builds of every candidate site of a type that can engage over it, and its magazine row
the same builds weighted by each unit's magazine share (docs/formulation.md, constraints 4-5). A long-reach type
over densely placed sites reaches hundreds of sites from every cell (the fighters: 517 a cell with sites every
2 km), and the sites a cell sees form a few runs of consecutive sites along the border (4.9 a cell for the fighters;
`benchmarks/reach_runs.py`). Along each type's chain of candidate sites (in index order: a station's depths are
neighbours, the stations follow the border) a prefix sum P_k = Σ_(m ≤ k) w_m y_m turns the sum over the run from a to
b into P_b − P_(a−1): two terms instead of one per site, at the cost of one variable and one row per site of the
chain. An exact reformulation: every plan keeps its rows' values, so the optimum, the bound and the exact evaluation
are those of the rows written site by site (tests/test_runs.py).

Only rows over at least :data:`RUN_MIN_SITES` sites are written so; the shipped scenarios at their own siting reach at
most 166 sites of a type from a cell, so their models (and plans) are those written site by site.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pulp

from planner.settings import RUN_MIN_SITES

__all__ = ["RUN_MIN_SITES", "Chain", "chain", "run_terms", "runs"]


@dataclass(frozen=True)
class Chain:
    """One type's candidate sites in index order and the prefix sums of their weighted builds along them."""

    sites: np.ndarray
    prefix: tuple[pulp.LpVariable, ...]


def chain(prob: pulp.LpProblem, builds: Sequence[tuple[int, pulp.LpVariable]], weight: Callable[[int], float],
          name: str) -> Chain:
    """The prefix sums P_k = P_(k−1) + w(j_k) y_(j_k) over ``builds`` ((site, build variable), any order), each a
    variable with its defining row, named ``name[k]``."""
    ordered = sorted(builds, key=lambda jy: jy[0])
    prefix: list[pulp.LpVariable] = []
    for k, (j, y) in enumerate(ordered):
        v = prob.add_variable(f"{name}[{k}]", 0, None)
        terms = [(v, 1.0), (y, -weight(j))] + ([(prefix[-1], -1.0)] if prefix else [])
        prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintEQ, f"{name}_sum[{k}]",
                                             0))
        prefix.append(v)
    return Chain(sites=np.array([j for j, _ in ordered], dtype=np.int64), prefix=tuple(prefix))


def runs(chain_sites: np.ndarray, sites: Sequence[int]) -> list[tuple[int, int]] | None:
    """The runs (first, last position along the chain) that ``sites`` (sorted, distinct) form along ``chain_sites``,
    or None if a site is not on the chain."""
    pos = np.searchsorted(chain_sites, np.asarray(sites, dtype=np.int64))
    if not len(pos) or pos[-1] >= len(chain_sites) or not np.array_equal(chain_sites[pos], sites):
        return None
    breaks = np.flatnonzero(np.diff(pos) != 1) + 1
    firsts, lasts = np.r_[0, breaks], np.r_[breaks - 1, len(pos) - 1]
    return list(zip(pos[firsts].tolist(), pos[lasts].tolist(), strict=True))


def run_terms(ch: Chain, sites: Sequence[int], coef: float) -> list[tuple[pulp.LpVariable, float]] | None:
    """coef × Σ over ``sites`` (sorted, distinct) of the chain's weighted builds, as ± prefix sums per run; None if a
    site is not on the chain (the caller then writes the sites one by one)."""
    found = runs(ch.sites, sites)
    if found is None:
        return None
    terms: list[tuple[pulp.LpVariable, float]] = []
    for a, b in found:
        terms.append((ch.prefix[b], coef))
        if a > 0:
            terms.append((ch.prefix[a - 1], -coef))
    return terms
