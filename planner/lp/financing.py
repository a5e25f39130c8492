"""Who pays for a plan: its drone-defence bill, host by host, allocated among the funding sources (a nation's budget,
a pledge, a pooled fund), each paying only for the hosts it names and at most its money (docs/analyses.md, "Who
pays, who hosts").

A small LP, solved lexicographically in one objective: first as much of the bill funded as the sources' rules allow
(a euro left unfunded costs more than any deviation from fair shares can), then each paying nation's payments as
close as they can be to its fair share of the bill (the sum of the absolute gaps, in units of the bill). A pooled
fund's payments count for its contributors by their shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulp

from planner.errors import SolverError
from planner.lp.kill_chain import affine
from planner.lp.solver import make_solver, quiet_stdout
from planner.settings import SolverSettings

__all__ = ["Allocation", "Source", "allocate"]


@dataclass(frozen=True)
class Source:
    """Money that pays: its name, euros, the paying nations' shares of it, the hosts it may pay for."""

    name: str
    eur: float
    shares: dict[str, float]
    hosts: frozenset[str]


@dataclass(frozen=True)
class Allocation:
    """Euros from each source to each host, what no source could pay per host, and each nation's payments."""

    paid: dict[tuple[str, str], float]  # (source, host) -> EUR
    unfunded: dict[str, float]  # host -> EUR no source may pay
    pays: dict[str, float]  # nation -> EUR (its sources, and its shares of pooled ones)


def allocate(bill: dict[str, float], sources: list[Source], fair: dict[str, float]) -> Allocation:
    """Allocate ``bill`` (EUR per host) among ``sources``, closest to the ``fair`` shares (EUR per nation) once as
    much as possible is funded."""
    total = max(sum(bill.values()), 1.0)
    prob = pulp.LpProblem("financing", pulp.LpMinimize)
    a = {(s.name, h): prob.add_variable(f"pay[{s.name},{h}]", 0, None) for s in sources for h in bill
         if h in s.hosts and bill[h] > 0}
    short = {h: prob.add_variable(f"unfunded[{h}]", 0, None) for h in bill}
    nations = list(dict.fromkeys([*fair, *(n for s in sources for n in s.shares)]))
    over = {n: prob.add_variable(f"over[{n}]", 0, None) for n in nations}
    under = {n: prob.add_variable(f"under[{n}]", 0, None) for n in nations}
    for h, eur in bill.items():
        terms = [(v, 1.0) for (_, hh), v in a.items() if hh == h] + [(short[h], 1.0)]
        prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintEQ, f"bill[{h}]", eur / total))
    for s in sources:
        terms = [(v, 1.0) for (name, _), v in a.items() if name == s.name]
        if terms:
            prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintLE, f"money[{s.name}]", s.eur / total))
    for n in nations:
        terms = [(v, s.shares[n]) for s in sources if n in s.shares for (name, _), v in a.items() if name == s.name]
        prob.addConstraint(pulp.LpConstraint(affine([*terms, (over[n], -1.0), (under[n], 1.0)]), pulp.LpConstraintEQ,
                                             f"fair[{n}]", fair.get(n, 0.0) / total))
    # Every euro unfunded weighs more than the largest possible sum of gaps (2, in units of the bill).
    prob.setObjective(affine([(v, 10.0) for v in short.values()] + [(v, 1.0) for v in (*over.values(), *under.values())]))
    with quiet_stdout():
        prob.solve(make_solver(SolverSettings(time_limit_s=60, mip_rel_gap=0.0, threads=1), mip=False))
    if prob.status != pulp.LpStatusOptimal:
        raise SolverError(f"the financing LP ended '{pulp.LpStatus[prob.status]}' (a bug: please report it)")
    paid = {k: max(v.value() or 0.0, 0.0) * total for k, v in a.items()}
    pays = {n: sum(paid[(s.name, h)] * s.shares[n] for s in sources if n in s.shares for (name, h) in paid
                   if name == s.name) for n in nations}
    return Allocation(paid=paid, unfunded={h: max(v.value() or 0.0, 0.0) * total for h, v in short.items()}, pays=pays)
