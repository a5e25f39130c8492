"""Who pays, who hosts, who is protected: a plan's drone-defence bill by host nation, paid by the scenario's funding
sources (planner.lp.financing), beside each nation's fair share of the bill by the chosen key (GDP, defence spending
or population, sourced in the nations file) and the drones its territory sees defeated (docs/analyses.md).

The plan is made first (the budget and its per-nation caps decide what is built); the sources then pay for it. A
nation's *bill* (what it hosts) is its drone defence: the systems on its territory, bought and run over the horizon,
and the munitions fired over its border. Conventional purchases belong to no nation and are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.config.io import Scenario
from planner.escort import crewed_classes
from planner.lp.financing import Source, allocate
from planner.lp.result import Solved
from planner.problem import PlanningProblem

__all__ = ["burden_sharing", "key_value"]


def key_value(figures: Any, key: str) -> float:
    """A nation's weight under the fair-share key (1 for ``equal``)."""
    return 1.0 if key == "equal" else float(getattr(figures, {"gdp": "gdp_eur", "defence_spending":
                                                              "defence_spending_eur", "population": "population"}[key]).value)


def burden_sharing(scenario: Scenario, p: PlanningProblem, s: Solved, x: Solved) -> dict[str, Any] | None:
    """The burden-sharing report of a plan (``s`` as planned, ``x`` its exact evaluation): per nation what it pays,
    hosts and gets, its fair share and the gap; per source what it paid; None without a funding section."""
    f = scenario.config.funding
    if f is None:
        return None
    spend = p.spend_by_nation(s.sensors, s.effectors, s.engagements)
    bill = {n: float(spend[k]) for k, n in enumerate(p.nations)}
    total = sum(bill.values())
    nations = list(dict.fromkeys([*p.nations, *f.payers()]))
    weight = {n: key_value(scenario.nations[n], f.key) for n in nations}
    fair = {n: total * weight[n] / sum(weight.values()) for n in nations}
    sources = [Source(name=src.name, eur=src.eur, shares=src.shares(),
                      hosts=frozenset(p.nations if src.hosts == "all" else src.hosts)) for src in f.sources]
    alloc = allocate(bill, sources, fair)
    crewed = crewed_classes(scenario.catalog, p.threat_ids)
    kills = np.einsum("nte,et->nt", x.engagements, p.p_kill)[:, ~crewed]
    value = (kills * p.value[:, ~crewed]).sum(1) * p.raids
    rows = []
    for n in nations:
        cells = p.cell_nation == p.nations.index(n) if n in p.nations else np.zeros(len(p.cell_ids), dtype=bool)
        to_others = sum(eur * src.shares.get(n, 0.0) for src in sources for (name, h), eur in alloc.paid.items()
                        if name == src.name and h != n)
        rows.append({"nation": n, "name": scenario.nations[n].name, "hosts_eur": bill.get(n, 0.0),
                     "pays_eur": alloc.pays.get(n, 0.0), "pays_for_others_eur": to_others,
                     "unfunded_eur": alloc.unfunded.get(n, 0.0),
                     "drones_defeated_over_horizon_exact": float(kills[cells].sum() * p.raids),
                     "value_defeated_exact": float(value[cells].sum()), "key_value": weight[n],
                     "fair_share_eur": fair[n], "gap_eur": alloc.pays.get(n, 0.0) - fair[n]})
    used = [{"source": src.name, "eur": src.eur,
             "paid_eur": sum(v for (name, _), v in alloc.paid.items() if name == src.name),
             "paid_to": {h: v for (name, h), v in alloc.paid.items() if name == src.name and v > 0.5},
             "paid_by": src.shares} for src in sources]
    return {"key": f.key, "bill_eur": total, "unfunded_eur": sum(alloc.unfunded.values()), "nations": rows,
            "sources": used}
