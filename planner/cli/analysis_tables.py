"""What each analysis command prints when it is done: its table and where its results are. Each function is
named by its analysis's ``console`` in :mod:`planner.registry` and called by
:func:`planner.cli.analysis_commands.run_analysis` with a :class:`Ran`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from planner.cli.common import eur, out_console, pct, ratio


@dataclass(frozen=True)
class Ran:
    """An analysis that has run and been written."""

    result: Any  # what the analysis returned
    folder: Path  # where it was written
    subject: Any  # what it ran on: the Scenario, the LoadedPlan or the run folder's path
    options: Mapping[str, Any]  # the options it ran with


def frontier(ran: Ran) -> None:
    result, out = ran.result, ran.folder
    table = Table(title=f"frontier of '{ran.subject.name}' at €{result.meta['budget_eur'] / 1e9:.1f}bn "
                        "(defeat: value-weighted, exact)")
    worst = "best_response_rate_value" in result.table
    for col in ("point", "conventional", "drone €bn", "defeat", *(("vs best response",) if worst else ()), "gap", ""):
        table.add_column(col, justify="left" if col in ("point", "") else "right")
    for r in result.table.to_dict(orient="records"):
        table.add_row(r["point"], f"{r['conventional_capability']:.0f}", f"{r['drone_spend_eur'] / 1e9:.2f}",
                      pct(r["defeat_rate_value_exact"]), *((pct(r["best_response_rate_value"]),) if worst else ()),
                      pct(r["gap"]), "dominated" if r["dominated"] else "")
    out_console.print(table)
    out_console.print(f"results in {out}/ (frontier.csv, frontier.json, frontier.png"
                      f"{', budget_sweep.csv, budget_sweep.png' if ran.options['budgets'] else ''}, points/) "
                      f"in {result.meta['seconds']:.0f} s")


def premium(ran: Ran) -> None:
    result, out = ran.result, ran.folder
    ref = result.meta["reference_option"] or "conventional"  # (none: the scenario buys no conventional option)
    table = Table(title=f"impenetrability premium of '{ran.subject.name}' (value-weighted defeat, LP promise)")
    worst = "best_response_rate_value" in result.table
    for col in ("target", "least cost", "€ per extra point", f"step in {ref}", *(("vs best response",) if worst else ()),
                "gap", ""):
        table.add_column(col, justify="right" if col not in ("",) else "left")
    for r in result.table.to_dict(orient="records"):
        if not r["reachable"]:
            table.add_row(pct(r["target"]), "unreachable", "", "", *(("",) if worst else ()), "",
                          f"best {pct(r['best_reachable_rate_lp'])}")
            continue
        step = r.get(f"step_in_{ref}_units")
        table.add_row(pct(r["target"]), f"€{r['drone_cost_eur'] / 1e9:.2f}bn",
                      "" if r.get("marginal_eur_per_point") != r.get("marginal_eur_per_point") else
                      f"€{r['marginal_eur_per_point'] / 1e6:,.0f}M",
                      "" if step is None or step != step else f"{step:,.0f}",
                      *((pct(r["best_response_rate_value"]),) if worst else ()), pct(r["gap"]),
                      "knee" if r.get("knee") else "")
    out_console.print(table)
    if "physical_ceiling_value" in result.meta:
        top = max(result.table["target"], default=0.0)
        out_console.print(f"physics allow at most {pct(result.meta['physical_ceiling_value'])} value-weighted, whatever "
                          "the money (every candidate site built, magazines unlimited); by class:", highlight=False)
        for c in result.meta["ceilings"]:
            if c["ceiling"] < top:
                out_console.print(f"  {c['threat']}: at most {pct(c['ceiling'])}: {c['limit']}", highlight=False)
    out_console.print(f"results in {out}/ (premium.csv, premium.json, premium.png, points/) "
                      f"in {result.meta['seconds']:.0f} s")


def stress(ran: Ran) -> None:
    result = ran.result
    table = Table(title=f"stress test of '{ran.subject.scenario.name}' (expensive failure: below "
                        f"{pct(result.meta['target'])} while spending stays)")
    for col in ("case", "defeat", "leak/raid", "munitions", "€/defeat", ""):
        table.add_column(col, justify="left" if col in ("case", "") else "right")
    for r in result.table.itertuples(index=False):
        table.add_row(r.case, pct(r.defeat_rate_value), f"{r.leakers_per_raid:.1f}", f"€{r.munitions_eur / 1e6:,.0f}M",
                      eur(r.eur_per_defeat), "EXPENSIVE FAILURE" if r.expensive_failure else "")
    out_console.print(table)
    adv = result.meta.get("adversary")
    if adv:
        share = "the scenario's decoy share" if adv["decoy_share"] is None else f"decoy share {adv['decoy_share']:g}"
        axes = ", ".join(a or "spread" for a in adv["axes"]) or "spread"
        out_console.print(f"the adversary's best response: {axes}, altitude {adv['profile']}, {share}: value leaked "
                          f"×{adv['leaked_value_over_horizon'] / max(adv['nominal_leaked_value_over_horizon'], 1e-12):.1f} "
                          f"the scenario's raid (best of {adv['choices']:,} choices, exact: {adv['evaluations']} national "
                          f"LPs in {adv['seconds']:.1f} s)", highlight=False)
    out_console.print(f"results in {ran.folder}/ (stress.csv, stress.json, stress.png)")


def simulation(ran: Ran) -> None:
    result = ran.result
    m = result.meta
    table = Table(title=f"simulation of '{m['scenario']}': {m['drones']:,} drones in {m['raids']:,} raids, seed {m['seed']}")
    for col in ("threat", "drones", "simulated", "± 2 s.e.", "exact", "difference"):
        table.add_column(col, justify="left" if col == "threat" else "right")
    for r in result.table.itertuples(index=False):
        table.add_row(r.threat, f"{r.drones_simulated:,}", pct(r.defeat_rate_sim), pct(2 * r.standard_error),
                      pct(r.defeat_rate_exact), f"{r.difference_pp:+.1f} pp")
    out_console.print(table)
    out_console.print(f"results in {ran.folder}/ (simulation.csv, simulation.json)")


def uncertainty(ran: Ran) -> None:
    m = ran.result.summary
    out_console.print(f"'{m['scenario']}': {m['draws']} draws (seed {m['seed']}): value-weighted defeat "
                      f"{pct(m['rate_p05'])} – {pct(m['rate_p50'])} – {pct(m['rate_p95'])} (5th, 50th, 95th "
                      f"percentile; nominal {pct(m['nominal_rate'])}); probability of missing "
                      f"{pct(m['target'])}: {pct(m['p_miss_target'])}; drone defence "
                      f"€{m['drone_defence_eur_p05'] / 1e9:.2f}–{m['drone_defence_eur_p95'] / 1e9:.2f}bn", highlight=False)
    out_console.print(f"results in {ran.folder}/ (uncertainty.csv, uncertainty.json, uncertainty.png)")


def robust(ran: Ran) -> None:
    m = ran.result.summary
    table = Table(title=f"'{m['scenario']}': nominal against robust ({m['mode']}, {m['worlds_planned']} worlds, "
                        f"seed {m['seed']}); value-weighted defeat, exact")
    for col in ("plan", "nominal", "plan. worst", "h-o worst", "h-o 5th", "h-o mean", "drone €bn", "conv."):
        table.add_column(col, justify="left" if col == "plan" else "right")
    for name, r in m["plans"].items():
        table.add_row(name, pct(r["nominal_rate"]), pct(r["planning_worst"]), pct(r["held_out_worst"]),
                      pct(r["held_out_p05"]), pct(r["held_out_mean"]), f"{r['drone_defence_eur'] / 1e9:.2f}",
                      f"{r['conventional_capability']:.0f}")
    out_console.print(table)
    out_console.print(f"(plan. = the {m['worlds_planned']} planning worlds; h-o = {m['holdout']} held-out draws; "
                      "conv. = conventional capability)", highlight=False)
    out_console.print(f"price of robustness: {m['price_of_robustness_pp']:+.1f} pp at the nominal catalogs; gain in "
                      f"the worst held-out draw {m['gain_held_out_worst_pp']:+.1f} pp, at the 5th percentile "
                      f"{m['gain_held_out_p05_pp']:+.1f} pp"
                      + (f" (solver tolerance ±{m['resolution_pp']:.1f} pp)" if m["resolution_pp"] is not None else ""),
                      highlight=False)
    out_console.print(f"results in {ran.folder}/ (robust.csv, robust.json, robust.png, plans/) in {m['seconds']:.0f} s")


def adversary(ran: Ran) -> None:
    m = ran.result.summary
    table = Table(title=f"'{m['scenario']}': the nominal plan and the plan made against the adversary who sees it "
                        f"(best of {m['choices']:,} choices, exact)")
    for col in ("plan", "drone €bn", "conv.", "its raid", "best response", "leaked ×", "its best response"):
        table.add_column(col, justify="left" if col in ("plan", "its best response") else "right")
    for name, r in m["plans"].items():
        table.add_row(name, f"{r['drone_defence_eur'] / 1e9:.2f}", f"{r['conventional_capability']:.0f}",
                      pct(r["nominal_rate"]), pct(r["best_response_rate"]),
                      f"{r['best_response_leak'] / max(r['nominal_leak'], 1e-12):.1f}",
                      r["best_response"] + (" (EXPENSIVE FAILURE)" if r["expensive_failure"] else ""))
    out_console.print(table)
    out_console.print("(value-weighted defeat; conv. = conventional capability, Leopard-2A8 equivalents; leaked × = "
                      "value leaked by the best response over that of the scenario's raid)", highlight=False)
    cut = m["worst_case_leak_cut"]
    out_console.print(f"price of robustness: {m['price_of_robustness_pp']:+.1f} pp on the scenario's raid; the worst "
                      f"case leaks {100 * abs(cut):.0f}% {'less' if cut >= 0 else 'more'}; drone defence "
                      f"{m['drone_defence_shift_eur'] / 1e9:+.2f}bn, conventional {m['conventional_capability_shift']:+.0f} "
                      f"points; gap {100 * m['gap']:.1f}% ({len(m['attacks_planned_against'])} attacks planned against, "
                      f"{m['search_s']:.0f} s)" + (f"; every nation held to defeat {pct(m['nominal_floor'])} of the "
                                                   "scenario's raid over its border" if m.get("nominal_floor") else ""),
                      highlight=False)
    out_console.print(f"results in {ran.folder}/ (adversary.csv, adversary.json, adversary.png, adversary_axes.csv, "
                      f"adversary_cells.csv, adversary_frontier.csv, adversary_frontier.png, plans/) in "
                      f"{m['seconds']:.0f} s")


def incident(ran: Ran) -> None:
    result = ran.result
    m = result.summary
    crewed = "escort_observed" in m  # crewed incursions: escorts, not defeats
    n = round(m["modelled_drones_per_raid"])
    what = ("incursion" if n == 1 else "incursions") if crewed else ("drone" if n == 1 else "drones")
    table = Table(title=f"{m['incident']} ({m['date']}): one raid of {n} {what}")
    cols = (("case", "detected", "escorted", "escort rate", "sorties €", "alert €/year") if crewed else
            ("case", "detected", "defeated", "rate", "€/defeat", "× drone", "all-in €/defeat", "gap"))
    for col in cols:
        table.add_column(col, justify="left" if col == "case" else "right")
    for r in result.table.itertuples(index=False):
        if crewed:
            table.add_row(r.case, pct(r.detect_rate), f"{r.escorted_per_raid:.2f}", pct(r.escort_rate),
                          eur(r.sorties_eur_per_raid), eur(r.alert_posture_eur_per_year))
            continue
        rate = pct(r.defeat_rate) + (f" ({pct(r.defeat_rate_low)}–{pct(r.defeat_rate_high)})"
                                      if r.defeat_rate_low == r.defeat_rate_low else "")
        table.add_row(r.case, pct(getattr(r, "detect_rate", float("nan"))), f"{r.defeated_per_raid:.1f}", rate,
                      eur(r.munitions_eur_per_defeat),
                      ratio(r.munitions_exchange_ratio), eur(getattr(r, "all_in_eur_per_defeat", float("nan"))),
                      pct(getattr(r, "gap", float("nan"))))
    out_console.print(table)
    if crewed:
        out_console.print(f"the model's posture as it was meets {pct(m['escort_posture_model'])} of such incursions "
                          f"in time (observed {pct(m['escort_observed'])}); its alert posture costs "
                          f"{eur(m['alert_posture_eur_per_year'])} a year; nothing was fired, and the model fires "
                          f"nothing ({m['model_minus_observed_pp']:+.1f} pp defeated against the observed)",
                          highlight=False)
    else:
        out_console.print(f"the model's posture as it was: {m['model_minus_observed_pp']:+.1f} pp against the observed "
                          f"rate ({'within' if m['model_within_observed_range'] else 'outside'} the sources' range); "
                          f"the wall adds {m['wall_minus_posture_pp']:+.1f} pp for "
                          f"€{m['wall_drone_defence_eur'] / 1e9:.2f}bn over {m['wall_horizon_years']} years",
                          highlight=False)
    for name, why in m["unreachable"].items():
        out_console.print(f"{name}: unreachable ({why})", highlight=False)
    out_console.print(f"results in {ran.folder}/ (incident.csv, incident.json, incident.png, plans/)")


def decision(ran: Ran) -> None:
    from planner.report.decision import money, units_text

    result, out = ran.result, ran.folder
    m = result.meta
    names = m.get("conventional_names", {})
    table = Table(title=f"the split of '{m['scenario']}' at €{m['budget_eur'] / 1e9:.1f}bn by the value of a drone "
                        "defeated (value-weighted, exact evaluation)")
    for col in ("weight", "a drone worth", "drone defence", "conventional buy", "defeat", "gap"):
        table.add_column(col, justify="left" if col == "conventional buy" else "right")
    for _, r in result.table.iterrows():
        table.add_row(f"{r['conventional_weight']:g} (×{r['factor']:g})",
                      money(r["break_even_eur_per_drone"]), money(r["drone_defence_eur"]),
                      units_text(r, names, m["conventional_ids"]), pct(r["defeat_rate_value_exact"]),
                      "" if r["gap"] is None or r["gap"] != r["gap"] else f"{100 * r['gap']:.2f}%")
    out_console.print(table)
    out_console.print(f"results in {out}/ (decision.csv, decision.json, decision.png) in {m['seconds']:.0f} s")


def tornado(ran: Ran) -> None:
    from planner.report.tornado import headline

    result, m = ran.result, ran.result.meta
    table = Table(title=f"what moves the split of '{m['scenario']}' (€{m['budget_eur'] / 1e9:.2f}bn; drone defence "
                        f"€{m['nominal_drone_defence_eur'] / 1e9:.3f}bn, {pct(m['nominal_drone_share'])})")
    for col in ("#", "input", "low – high", "drone €bn", "swing", "flips at"):
        table.add_column(col, justify="left" if col in ("input", "low – high") else "right",
                         no_wrap=col in ("#", "low – high", "drone €bn", "swing"))
    for r in result.table.itertuples(index=False):
        table.add_row(str(r.rank), r.label, f"{r.low_text} – {r.high_text}",
                      f"{r.low_drone_defence_eur / 1e9:.3f}–{r.high_drone_defence_eur / 1e9:.3f}",
                      f"{100 * r.swing_share:.1f} pp" + ("*" if r.within_tolerance else ""), r.flip_at or "–")
    out_console.print(table)
    tol = m.get("nominal_resolution_eur")
    if tol is not None and tol == tol:
        out_console.print(f"* within the solver's tolerance (at a {m['mip_rel_gap']:g} gap a plan's drone spend is "
                          f"known to about €{tol / 1e6:,.0f}M, the nominal's and a moved plan's together to about "
                          f"€{2 * tol / 1e6:,.0f}M; --mip-rel-gap tightens it)", highlight=False)
    out_console.print(headline(result.table, m), highlight=False)
    if m["left_out"]:
        out_console.print(f"left out of the default list (name them with --inputs): {', '.join(m['left_out'])}",
                          highlight=False)
    out_console.print(f"results in {ran.folder}/ (tornado.csv, tornado.json, tornado_points.csv, tornado.png): "
                      f"{m['solves']} solves in {m['seconds']:.0f} s", highlight=False)


def regimes(ran: Ran) -> None:
    from planner.report.decision import money, units_text

    result, out = ran.result, ran.folder
    m, t = result.meta, result.table
    names = m.get("conventional_names", {})
    regs = list(m["regimes"])
    table = Table(title=f"threat regimes of '{m['scenario']}' at €{m['budget_eur'] / 1e9:.1f}bn: each plan's split "
                        "and its defeat rate in each regime (value-weighted, exact)")
    for col in ("planned for", "drone defence", "conventional buy", *regs, "gap"):
        table.add_column(col, justify="left" if col in ("planned for", "conventional buy") else "right")
    for _, r in result.plans.iterrows():
        rates = [pct(float(t[(t["plan"] == r["plan"]) & (t["regime"] == g)]["defeat_rate_value_exact"].iloc[0]))
                 for g in regs]
        table.add_row(str(r["plan"]), money(r["drone_defence_eur"]), units_text(r, names, m["conventional_ids"]),
                      *rates, f"{100 * r['gap']:.2f}%" if r["gap"] == r["gap"] else "")
    out_console.print(table)
    out_console.print("weights: " + ", ".join(f"{g} {m['regimes'][g]['weight']:g}" for g in regs))
    out_console.print(f"results in {out}/ (regimes.csv, regime_plans.csv, regimes.json, regimes.png) "
                      f"in {m['seconds']:.0f} s")


def pathway(ran: Ran) -> None:
    result, out = ran.result, ran.folder
    m, t = result.meta, result.table
    escorts = bool(t["escort_share_exact"].notna().any())
    table = Table(title=f"the pathway of '{m['scenario']}': what is in service at each year's end (exact)")
    for col in ("year", "money", "spent", "units", "defeated", "detected",
                *(("escorted",) if escorts else ()), "milestones", "gap"):
        table.add_column(col, justify="left" if col == "milestones" else "right")
    for _, r in t.iterrows():
        table.add_row(str(r["year"]), f"€{r['committed_eur'] / 1e9:.2f}bn", f"€{r['spent_eur'] / 1e9:.2f}bn",
                      f"{r['sensors'] + r['effectors']} (+{r['new_units']})",
                      pct(r["defeat_share_value_exact"]), pct(r["detect_share_exact"]),
                      *((pct(r["escort_share_exact"]),) if escorts else ()),
                      f"{r['milestones_met']}/{r['milestones']} met" if r["milestones"] else "",
                      pct(r["gap"]))
    out_console.print(table)
    out_console.print("money: committed by the year's end; spent: through-life, as the budget counts it (buying and "
                      "running over the horizon, munitions, conventional units); units: sensors and effectors in "
                      "service (new that year); defeated: value-weighted", highlight=False)
    for _, r in t.iterrows():
        if r["not_yet_delivered"]:
            out_console.print(f"not delivered by the end of {r['year']}: {r['not_yet_delivered']}", highlight=False)
        if r["at_production_limit"]:
            out_console.print(f"at their production limit at the end of {r['year']}: {r['at_production_limit']}",
                              highlight=False)
    rates = t["defeat_share_value_exact"].tolist()
    for year, before, after in zip(t["year"].tolist()[1:], rates, rates[1:], strict=False):
        if after < before - 0.005:
            out_console.print(f"{year}: drones defeated fall from {pct(before)} to {pct(after)}: the year's plan moves "
                              "munitions money to conventional units produced by then", highlight=False)
    late = t[t["gap"] > ran.subject.config.solver.mip_rel_gap + 1e-9]
    if len(late):
        out_console.print(f"[bold]warning:[/bold] {', '.join(map(str, late['year']))} stopped above the "
                          f"{pct(ran.subject.config.solver.mip_rel_gap)} gap (pathway.time_limit_s ran out): raise it "
                          "before relying on those years")
    for _, r in t.iterrows():
        if r["requirements_unmet"]:
            out_console.print(f"{r['year']} planned without its requirements (surveillance, escort, conventional "
                              f"floor: every nation's), which no plan meets yet: {r['requirements_unmet']}",
                              highlight=False)
    for ms in m["milestones"]:
        reached = ", ".join(f"{k.replace('_share', '')} {pct(v['reached'])} (target {pct(v['target'])})"
                            for k, v in ms["targets"].items())
        out_console.print(f"{ms['year']} {ms['name']}: {'met' if ms['met'] else 'missed'} ({reached})",
                          highlight=False)
    out_console.print(f"results in {out}/ (pathway.csv, pathway_units.csv, pathway_nations.csv, pathway.json, pathway.png) "
                      f"in {m['seconds']:.0f} s", highlight=False)


def alternatives(ran: Ran) -> None:
    from planner.report.alternatives import LABELS
    from planner.report.decision import money, units_text

    result, out = ran.result, ran.folder
    m = result.meta
    table = Table(title=f"plans of '{m['scenario']}' within {100 * m['tolerance']:g}% of the best (objective: "
                        "drones defeated + weight × conventional value)")
    for col in ("plan", "below best", "drone defence", "conventional buy", "nations", "defeat"):
        table.add_column(col, justify="left" if col in ("plan", "conventional buy") else "right")
    for _, r in result.table.iterrows():
        same = r["same_as"] if isinstance(r["same_as"], str) and r["same_as"] else ""
        table.add_row(LABELS.get(r["plan"], r["plan"]) + (f" (= {LABELS.get(same, same)})" if same else ""),
                      f"{100 * r['below_best']:.2f}%", money(r["drone_defence_eur"]),
                      units_text(r, m.get("conventional_names", {}), m["conventional_ids"]),
                      str(r["nations_building"]), "" if same else pct(r["defeat_rate_value_exact"]))
    out_console.print(table)
    out_console.print(f"results in {out}/ (alternatives.csv, alternatives.json, alternatives.png, plans/) "
                      f"in {m['seconds']:.0f} s")
