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


def _worst_column(t: pd.DataFrame) -> dict[str, tuple[str, Callable[[Any], str]]]:
    """The column of a sweep run with --adversary: each point's plan against the adversary's best response to it."""
    return {"best_response_rate_value": ("against its best response", pct)} if "best_response_rate_value" in t else {}


def frontier(a: Analysis, run: BriefRun) -> BriefPart:
    t = table(a.table, "Frontier: drone defence against conventional forces at the scenario's budget", {
        "point": ("point", txt), "drone_spend_eur": ("drone defence", eur),
        "conventional_capability": ("conventional (L2A8 eq.)", num),
        "defeat_rate_value_exact": ("defeated (value-weighted)", pct),
        **_worst_column(a.table), "gap": ("proven gap", lambda x: pct(x, 2)),
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
        **_worst_column(t), "gap": ("proven gap", lambda x: pct(x, 2)),
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


def adversary(a: Analysis, run: BriefRun) -> BriefPart:
    from planner.report.adversary import adversary_figure, aware_frontier_figure

    m = a.doc
    names = {"nominal": "nominal (planned against the scenario's raid)",
             "aware": "adversary-aware (planned against the best response)"}
    plans = pd.DataFrame([{"plan": names[k], **v} for k, v in m["plans"].items()])
    shift = m["drone_defence_shift_eur"]
    note = (f"Planning against the adversary {'gives up' if m['price_of_robustness_pp'] >= 0 else 'gains'} "
            f"{abs(m['price_of_robustness_pp']):.1f} points of defeat on the scenario's raid and "
            f"{leak_change(m, 'the value the worst case leaks')}; it spends {money_change(shift)} on drone defence and buys {abs(m['conventional_capability_shift']):,.0f} "
            f"{'more' if m['conventional_capability_shift'] >= 0 else 'fewer'} Leopard-2A8 equivalents of conventional "
            f"capability (proven gap {pct(m['gap'], 1)}; the upper bound is "
            "the model's).")
    t = table(plans, f"The adversary who sees the plan (best of {m['choices']:,} choices, exact; expensive failure "
                     f"below {pct(m['target'])} while the money is spent)", {
        "plan": ("plan", txt), "drone_defence_eur": ("drone defence", eur),
        "conventional_capability": ("conventional (L2A8 eq.)", num),
        "nominal_rate": ("defeated: the scenario's raid", pct), "best_response_rate": ("its best response", pct),
        "best_response": ("the best response", txt),
        "expensive_failure": ("", lambda x: "EXPENSIVE FAILURE" if x else "")}, note=note)
    fr = pd.DataFrame(m.get("adversary_frontier", []))
    tabs = [t]
    if len(fr):
        tabs.append(table(fr, "The adversary-aware frontier: the least drone defence holding the attacks planned "
                              "against to each leak cap, the rest of the budget in conventional forces, each plan "
                              "against its own best response (exact)", {
            "point": ("point", lambda x: txt(x)), "drone_defence_eur": ("drone defence", eur),
            "conventional_capability": ("conventional (L2A8 eq.)", num),
            "defeat_rate_value": ("the scenario's raid", pct), "best_response_rate_value": ("its best response", pct),
            "best_response_leak": ("value it leaks", num),
            "eur_per_leak_cut": ("€ per unit of leak cut", lambda x: "" if x is None or x != x else eur(x)),
            "best_response": ("the best response", txt),
            "chosen": ("", lambda x: "chosen" if x else "")}))
    nominal = run.analyses.get("frontier")
    return BriefPart(tuple(tabs), (
        Chart("adversary-frontier", "What drone-defence money buys against the adversary who sees the plan",
              lambda: aware_frontier_figure(fr, m, nominal.table if nominal is not None else None)),
        Chart("adversary", "Where the adversary would come: each axis's worst attack against each plan",
              lambda: adversary_figure(m, pd.DataFrame(m["adversary_axes"]), pd.DataFrame(m["adversary_cells"])))))


def leak_change(m: dict[str, Any], what: str) -> str:
    """'cuts <what> by 19%', 'raises <what> by 40%' or 'leaves <what> about as it was': how the adversary-aware plan
    moves what its best response leaks (a floor may make it leak more than the nominal plan)."""
    cut = m["worst_case_leak_cut"]
    if abs(cut) < 5e-3:
        return f"leaves {what} about as it was"
    return f"{'cuts' if cut > 0 else 'raises'} {what} by {pct(abs(cut))}"


def money_change(shift: float) -> str:
    """'€547.8M less', '€12.0M more' or 'the same'."""
    return "the same" if abs(shift) < 1 else f"{eur(abs(shift))} {'less' if shift < 0 else 'more'}"


def adversary_finding(m: dict[str, Any]) -> str:
    """The adversary analysis in a sentence or three, for the briefing's findings."""
    n, w = m["plans"]["nominal"], m["plans"]["aware"]

    def verdict(p: dict[str, Any], still: bool = False) -> str:
        return ("; still an expensive failure" if still else " — an expensive failure") if p["expensive_failure"] \
            else ""

    text = (f"**Against an adversary who sees it.** The nominal plan (as `dronewall adversary` solves it) defeats "
            f"{pct(n['nominal_rate'])} of the scenario's raid "
            f"(value-weighted) but {pct(n['best_response_rate'])} once the adversary answers it ({n['best_response']})"
            f"{verdict(n)}. ")
    if w["drone_defence_eur"] == n["drone_defence_eur"] and w["best_response_rate"] == n["best_response_rate"]:
        return text + "No plan within the budget does better against that adversary (`dronewall adversary`)."
    shift = m["drone_defence_shift_eur"]
    held = (f" (every nation held to defeat {pct(m['nominal_floor'])} of the scenario's raid over its border)"
            if m.get("nominal_floor") else "")
    text += (f"Planned against that adversary{held}, {eur(w['drone_defence_eur'])} of drone defence ("
             f"{money_change(shift)}) and {w['conventional_capability']:,.0f} Leopard-2A8 equivalents "
             f"({m['conventional_capability_shift']:+,.0f}) {leak_change(m, 'what the worst attack leaks')} "
             f"({w['best_response']}: {pct(w['best_response_rate'])} defeated"
             f"{verdict(w, still=n['expensive_failure'])}) and defeats {pct(w['nominal_rate'])} of the scenario's "
             "raid.")
    if n["expensive_failure"] != w["expensive_failure"]:
        text += (" The expensive-failure verdict changes: " + ("the adversary-aware plan is no longer one."
                 if n["expensive_failure"] else "the adversary-aware plan becomes one" + (
                     " (it spends less where it cannot hold)." if shift < 0 else ".")))
    fr = pd.DataFrame(m.get("adversary_frontier", []))
    if len(fr) and "best_response_rate_value" in fr:
        fr = fr[fr["best_response_rate_value"].notna()]  # (a raid carrying no value has no rate)
    if len(fr):
        held = fr[fr["best_response_rate_value"] >= m["target"]].sort_values("drone_defence_eur")
        top = fr.loc[fr["best_response_rate_value"].idxmax()]
        text += (f" The cheapest of the {len(fr)} adversary-aware plans tried that stays above the expensive-failure "
                 f"line ({pct(m['target'])}) against its best response spends {eur(held['drone_defence_eur'].iloc[0])} "
                 "on drone defence." if len(held) else
                 f" None of the {len(fr)} adversary-aware plans tried ({eur(fr['drone_defence_eur'].min())}–"
                 f"{eur(fr['drone_defence_eur'].max())} of drone defence) stays above the expensive-failure line "
                 f"({pct(m['target'])}) against its best response: the best holds {pct(top['best_response_rate_value'])}"
                 f" at {eur(top['drone_defence_eur'])}.")
    return text
