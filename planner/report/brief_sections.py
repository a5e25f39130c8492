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


def decision(a: Analysis, run: BriefRun) -> BriefPart:
    from planner.report.decision import decision_figure, factor_name, money, units_text

    names = {k: v.name for k, v in run.scenario.catalog.conventional.items()}
    ids = list(a.doc.get("conventional_ids", []))
    t = a.table.copy()
    t["weight"] = [f"{factor_name(f)} ({w:g})" for f, w in zip(t["factor"], t["conventional_weight"], strict=True)]
    t["buy"] = [units_text(r, names, ids) for _, r in t.iterrows()]
    tab = table(t, "The decision: the split at the scenario's exchange rate, half and double (a drone defeated is "
                   "worth the break-even: what the same euro buys in conventional capability)", {
        "weight": ("drones per L2A8 eq.", txt), "break_even_eur_per_drone": ("a drone defeated worth", money),
        "drone_defence_eur": ("drone defence", eur), "buy": ("conventional buy", txt),
        "defeat_rate_value_exact": ("defeated (value-weighted)", pct),
        "tanks_not_bought": ("L2A8 not bought", num)})
    return BriefPart((tab,), (Chart("decision", "The split by the value of a drone defeated",
                                    lambda: decision_figure(a.table, a.doc, names)),))


def tornado(a: Analysis, run: BriefRun) -> BriefPart:
    from planner.report.tornado import headline

    sentence = headline(a.table, a.doc)
    t = table(a.table, "What moves the split between drone defence and conventional forces: the plan at each "
                       "input's low and high value", {
        "label": ("input", txt), "low_text": ("low", txt), "high_text": ("high", txt),
        "low_drone_defence_eur": ("drone defence at low", eur), "high_drone_defence_eur": ("at high", eur),
        "swing_share": ("swing (share of budget)", lambda x: pct(x, 1)),
        "flip": ("flip", lambda x: txt(x))}, note=sentence)
    return BriefPart((t,), (Chart("tornado", "What moves the split: drone-defence spend at each input's low and "
                                  "high value", lambda: ch.tornado_figure(a.table, a.doc)),))


def regimes(a: Analysis, run: BriefRun) -> BriefPart:
    from planner.report.decision import money, units_text
    from planner.report.regimes import regimes_figure

    names = a.doc.get("conventional_names", {})
    plans = pd.DataFrame(a.doc["regime_plans"])
    regs = list(a.doc["regimes"])
    t = a.table
    for g in regs:
        plans[f"in_{g}"] = [float(t[(t["plan"] == p) & (t["regime"] == g)]["defeat_rate_value_exact"].iloc[0])
                            for p in plans["plan"]]
    plans["buy"] = [units_text(r, names, a.doc["conventional_ids"]) for _, r in plans.iterrows()]
    tab = table(plans, "Threat regimes: the plan for each regime alone and across them at their weights ("
                + ", ".join(f"{g} {a.doc['regimes'][g]['weight']:g}" for g in regs) + "), and how each does in each "
                "regime (value-weighted, exact)", {
                    "plan": ("planned for", txt), "drone_defence_eur": ("drone defence", money),
                    "buy": ("conventional buy", txt),
                    **{f"in_{g}": (f"defeated in {g}", pct) for g in regs}, "gap": ("proven gap", lambda x: pct(x, 2))})
    return BriefPart((tab,), (Chart("regimes", "Plans for each threat regime and across them",
                                    lambda: regimes_figure(a.table, pd.DataFrame(a.doc["regime_plans"]), a.doc)),))


def pathway(a: Analysis, run: BriefRun) -> BriefPart:
    from planner.report.decision import money
    from planner.report.pathway import pathway_figure

    t = a.table.copy()
    t["units"] = t["sensors"] + t["effectors"]
    t["met"] = [f"{m} of {n}" if n else "" for m, n in zip(t["milestones_met"], t["milestones"], strict=True)]
    t["held"] = ["not yet (see pathway.csv)" if u else "" for u in t.get("requirements_unmet", [""] * len(t))]
    names = a.doc.get("system_names", {})
    t["not_yet_delivered"] = [", ".join(names.get(i, i) for i in str(v).split(", ") if i) if isinstance(v, str) else ""
                              for v in t["not_yet_delivered"]]
    tab = table(t, "The pathway: what is in service at each year's end (builds kept, money committed by then, lead "
                   "times and production; money counted through-life, as the budget counts it), exact evaluation; "
                   "the end state is the pathway's own plan, within production, not the run's", {
                    "year": ("year", txt), "committed_eur": ("committed", money), "spent_eur": ("spent", money),
                    "drone_defence_eur": ("drone defence", money), "units": ("sensors and effectors", num),
                    "new_units": ("new", num), "defeat_share_value_exact": ("defeated (value-weighted)", pct),
                    "detect_share_exact": ("detected", pct), "met": ("milestones met", txt),
                    "held": ("requirements", txt), "not_yet_delivered": ("not yet delivered", txt),
                    "gap": ("proven gap", lambda x: pct(x, 2))})
    return BriefPart((tab,), (Chart("pathway", "The pathway: money, units and what they achieve year by year",
                                    lambda: pathway_figure(a.table, a.doc)),))


def alternatives(a: Analysis, run: BriefRun) -> BriefPart:
    from planner.report.alternatives import LABELS, alternatives_figure
    from planner.report.decision import money, units_text

    t = a.table.copy()
    t["name"] = [LABELS.get(p, p) + (f" (= {LABELS.get(s, s)})" if isinstance(s, str) and s else "")
                 for p, s in zip(t["plan"], t["same_as"], strict=True)]
    t["buy"] = [units_text(r, a.doc.get("conventional_names", {}), a.doc["conventional_ids"]) for _, r in t.iterrows()]
    tab = table(t, f"Near-optimal alternatives: plans within {100 * a.doc['tolerance']:g}% of the best objective that "
                   "differ as much as possible", {
                       "name": ("plan", txt), "below_best": ("below the best", lambda x: pct(x, 2)),
                       "drone_defence_eur": ("drone defence", money), "buy": ("conventional buy", txt),
                       "nations_building": ("nations building", num),
                       "defeat_rate_value_exact": ("defeated (value-weighted)", pct)})
    return BriefPart((tab,), (Chart("alternatives", "Plans within the tolerance of the best",
                                    lambda: alternatives_figure(a.table, a.doc)),))
