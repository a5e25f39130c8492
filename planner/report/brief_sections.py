"""Each analysis's part of the briefing: its tables (in the Tables section) and its charts (in the Charts
section). :mod:`planner.registry` names each function as the analysis's ``section``; :func:`analysis_parts`
gives the parts of the analyses a run holds, in the registry's order."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.registry import BRIEFED
from planner.report import charts as ch
from planner.report.brief_inputs import Analysis, BriefRun
from planner.report.brief_tables import eur, num, pct, table, txt
from planner.report.document import Table


@dataclass(frozen=True)
class Chart:
    """A chart of the briefing: ``charts/<name>.png`` (and .pdf), drawn when the briefing is written."""

    name: str
    caption: str
    draw: Callable[[], Any]  # a matplotlib figure


@dataclass(frozen=True)
class BriefPart:
    """What one analysis adds to the briefing."""

    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


def analysis_parts(run: BriefRun) -> list[BriefPart]:
    """The parts of the analyses in ``run``, in the order of :data:`planner.registry.BRIEFED`."""
    return [entry.load("section")(run.analyses[entry.kind], run) for entry in BRIEFED if entry.kind in run.analyses]


def stress(a: Analysis, run: BriefRun) -> BriefPart:
    t = table(a.table, f"Stress cases (expensive failure: below {pct(a.doc['target'])} while the money is spent)", {
        "case": ("case", txt), "defeat_rate_value": ("defeated (value-weighted)", pct),
        "leakers_per_raid": ("leak per raid", lambda x: num(x, 1)), "munitions_eur": ("munitions", eur),
        "eur_per_defeat": ("€ per defeat", eur),
        "expensive_failure": ("", lambda x: "EXPENSIVE FAILURE" if x else "")})
    return BriefPart((t,), (Chart("stress", "Stress-test outcomes", lambda: ch.stress_figure(a.table, a.doc)),))


def uncertainty(a: Analysis, run: BriefRun) -> BriefPart:
    return BriefPart(charts=(Chart("uncertainty", "The plan over the catalogs' uncertainty",
                                   lambda: ch.uncertainty_figure(a.table, a.summary)),))


def simulation(a: Analysis, run: BriefRun) -> BriefPart:
    m = a.summary
    t = table(a.table, f"Independent simulation ({num(m.get('drones'))} drones in {num(m.get('raids'))} raids, seed "
                       f"{m.get('seed')}) against the exact evaluation", {
        "threat": ("threat class", txt), "defeat_rate_sim": ("simulated", lambda x: pct(x, 1)),
        "standard_error": ("± 2 s.e.", lambda x: pct(2 * x, 1)), "defeat_rate_exact": ("exact", lambda x: pct(x, 1)),
        "difference_pp": ("difference (points)", lambda x: num(x, 1))})
    return BriefPart((t,))


def frontier(a: Analysis, run: BriefRun) -> BriefPart:
    t = table(a.table, "Frontier: drone defence against conventional forces at the scenario's budget", {
        "point": ("point", txt), "drone_spend_eur": ("drone defence", eur),
        "conventional_capability": ("conventional (L2A8 eq.)", num),
        "defeat_rate_value_exact": ("defeated (value-weighted)", pct), "gap": ("proven gap", lambda x: pct(x, 2)),
        "dominated": ("", lambda x: "dominated" if x else "")})
    charts = [Chart("frontier", "Frontier: drone defence against conventional forces",
                    lambda: ch.frontier_figure(a.table, a.doc))]
    if a.doc.get("budget_sweep"):
        charts.append(Chart("budget-sweep", "The objective at other budgets",
                            lambda: ch.budget_figure(pd.DataFrame(a.doc["budget_sweep"]), a.doc)))
    return BriefPart((t,), tuple(charts))


def premium(a: Analysis, run: BriefRun) -> BriefPart:
    ref = a.doc.get("reference_option") or "conventional"
    t = a.table
    step_col = f"step_in_{ref}_units"
    for col in ("drone_cost_eur", "marginal_eur_per_point", step_col, "gap", "knee"):
        if col not in t:
            t[col] = math.nan
    tab = table(t, "Impenetrability premium: the least cost of each defeat-rate target", {
        "target": ("target", pct), "drone_cost_eur": ("least cost", lambda x: eur(x) if x == x else "unreachable"),
        "marginal_eur_per_point": ("€ per extra point", eur), step_col: (f"step in {ref}", num),
        "gap": ("proven gap", lambda x: pct(x, 2)),
        "knee": ("", lambda x: "knee" if x is not None and x == x and bool(x) else "")})
    return BriefPart((tab,), (Chart("premium", "The impenetrability premium",
                                    lambda: ch.premium_figure(a.table, a.doc)),))
