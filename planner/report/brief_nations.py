"""The briefing's page per nation (issue #16): what it hosts and what that buys over its border, the rules it
applies, its crewed incursions, with a funding section what it pays against its fair share, and with a pathway
analysis its year-by-year build-up. Read from the run
folder (plan.json, cells.csv, the scenario kept in inputs/), never the model."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.report import short_names
from planner.report.brief_inputs import BriefRun
from planner.report.brief_tables import eur, num, pct
from planner.report.document import Section

__all__ = ["nation_section"]


def _rules(cfg: Any, nation: str, crewed: bool) -> str:
    """The rules of engagement as they apply to ``nation`` (with its response to crewed incursions where the scenario
    has any)."""
    roe = cfg.roe
    mode = roe.per_nation.get(nation, roe.default)
    text = {"shoot_unmanned": "engages drones, not crewed aircraft", "shoot_all": "engages drones and crewed aircraft",
            "escort_only": "engages nothing (tracks and escorts)"}[mode] + f" (roe {mode})"
    delay = roe.identification_delay(nation)
    if delay:
        text += f"; {delay:g} s to identify before weapons release"
    if roe.holds_fire_over_built_up(nation):
        text += f"; no kinetic fire over settlements of {roe.built_up_min_population:,}+ residents"
    if roe.engage_only_threatening:
        text += "; only drones heading for a protected asset"
    if crewed and mode != "shoot_all":
        text += f"; crewed incursions: {cfg.escort.response_of(nation)}"
    return text


def nation_section(run: BriefRun, cells: pd.DataFrame, names: dict[str, str]) -> Section:
    """One block per defending nation, in the order of the scenario's defenders."""
    d, cfg = run.doc, run.scenario.config
    spend = pd.DataFrame(d["spend"])
    burden = {r["nation"]: r for r in (d.get("burden") or {}).get("nations", [])}
    escorts = pd.DataFrame(d.get("escort") or [])
    path = run.analyses.get("pathway")
    build_up = pd.DataFrame(path.doc.get("pathway_nations", [])) if path is not None else pd.DataFrame()
    cat = run.scenario.catalog
    systems = short_names(cat)  # "Short-range 3D drone radar", not radar_short_3d
    crewed = any(cat.threats[x.threat].manned for x in cfg.threats.density if x.threat in cat.threats)
    blocks: list[Any] = ["Each defending nation: what it hosts and what that buys over its border (exact "
                         "evaluation), the rules it applies" + (", and what it pays against its fair share of the "
                                                                 "bill" if burden else "") + "."]
    for nation in cfg.geodata.defenders:
        here = cells[cells["defender"] == nation]
        drones = float(here["drones_all"].sum())
        leakers = float(here["leakers_all"].sum())
        units = spend[(spend["nation"] == nation) & spend["category"].isin(["sensor", "effector"])]
        built = ", ".join(f"{int(r.units)} {systems.get(r.system, r.system)}"
                          for r in units.sort_values("units", ascending=False).itertuples())
        lines = [f"**Hosts** {eur(d['spend_by_nation_eur'].get(nation, 0.0))} of drone defence over the horizon: "
                 + (built or "no unit") + ".",
                 f"**Gets** {pct((drones - leakers) / drones if drones > 0 else float('nan'))} of the "
                 f"{num(drones)} drones crossing its {num(float(here['length_m'].sum()) / 1000)} km of border defeated; "
                 f"{num(leakers)} leak over the horizon.",
                 f"**Rules** {_rules(cfg, nation, crewed)}."]
        if len(escorts) and (escorts["nation"] == nation).any():
            lines.append("**Crewed incursions** " + "; ".join(
                f"{r.threat}: {r.response}, {pct(r.detected_share_exact)} detected, {pct(r.met_share_exact)} met in "
                f"time" for r in escorts[escorts["nation"] == nation].itertuples()) + ".")
        if len(build_up) and (build_up["nation"] == nation).any():
            lines.append("**Build-up** (the pathway's plans, exact at each year's end; euros through-life) " + "; ".join(
                f"{r.year}: {r.units} units (+{r.new_units}), {eur(r.drone_defence_eur)}, "
                f"{pct(r.defeat_share_value_exact)} defeated" for r in build_up[build_up["nation"] == nation].itertuples())
                + ".")
        b = burden.get(nation)
        if b is not None:
            lines.append(f"**Pays** {eur(b['pays_eur'])} (of which {eur(b['pays_for_others_eur'])} for others) "
                         f"against a fair share of {eur(b['fair_share_eur'])}: a gap of {eur(b['gap_eur'])}"
                         + (f"; {eur(b['unfunded_eur'])} of what it hosts is unfunded" if b["unfunded_eur"] >= 1 else "")
                         + ".")
        blocks += [f"**{names.get(nation, nation)} ({nation})**", lines]
    others = [r for n, r in burden.items() if n not in cfg.geodata.defenders]
    if others:
        blocks.append("**Paying nations that host nothing**")
        blocks.append([f"{names.get(r['nation'], r['name'])} ({r['nation']}) pays {eur(r['pays_eur'])} against a fair "
                       f"share of {eur(r['fair_share_eur'])}: a gap of {eur(r['gap_eur'])}." for r in others])
    return Section("Nations", "nations", blocks)
