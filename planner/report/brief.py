"""The briefing: one HTML file (and a PDF) that puts a plan and its analyses in front of a minister.

Bottom line up front (what the money buys, what it costs in tanks, where and how the plan fails), then the
maps, the charts, the tables, the assumptions and sources of every catalog figure the plan used, and the
manifest. It reads a run folder, as written by ``dronewall run`` (plan.json, plan.gpkg, manifest.json) with any
analyses written into it (``stress/``, ``uncertainty/``, ``simulation/``) or given beside it (``frontier``,
``premium`` folders), never the model.

The content is built once as a :class:`Briefing` (sections of paragraphs, tables and figures) and rendered
twice: :func:`render_html` (self-contained: images inlined) and :func:`render_pdf` (reportlab, no browser).
The run folder is read by :mod:`planner.report.brief_inputs` (:func:`load_run`, through
:mod:`planner.runfolder`), the plan's tables are built by :mod:`planner.report.brief_tables` and each analysis's
tables and charts by the function :mod:`planner.registry` names as its ``section``
(:mod:`planner.report.brief_sections`), in the registry's order; this module writes the bottom line (where the
analyses it knows add a sentence) and assembles and writes the whole.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from planner.registry import BRIEFED
from planner.report import short_names
from planner.report.brief_inputs import Analysis, BriefRun, load_run
from planner.report.brief_nations import nation_section
from planner.report.brief_sections import BriefPart, adversary_finding, analysis_parts
from planner.report.brief_tables import (
    border_sectors,
    eur,
    manifest_tables,
    num,
    pct,
    scenario_table,
    sources_tables,
    tables,
    used_figures,
)
from planner.report.briefing_maps import DEFAULT_MARKING
from planner.report.document import Briefing, Figure, Section, render_html, render_pdf

__all__ = ["REFERENCE_TANK", "Analysis", "BriefRun", "bottom_line", "build_briefing", "load_run", "used_figures",
           "write_briefing"]

REFERENCE_TANK = "leopard_2a8"


# --------------------------------------------------------------------------------------------------------------
# The content
# --------------------------------------------------------------------------------------------------------------

def _tank_cost(run: BriefRun) -> tuple[str, float] | None:
    """(name, € over the horizon) of the reference tank: acquisition and operation for the plan's horizon."""
    conv = run.scenario.catalog.conventional
    if REFERENCE_TANK not in conv:
        return None
    opt = conv[REFERENCE_TANK]
    years = float(run.doc.get("horizon_years", 0))
    return opt.name, float(opt.unit_cost_eur.value + years * opt.operating_cost_eur_per_year.value)


def decision_line(run: BriefRun) -> str:
    """The first BLUF bullet: the recommended split, the exchange rate it rests on in euros, and what would change
    it (the split at half and double the weight, from the decision analysis)."""
    from planner.report.decision import factor_name, money, units_text

    d = run.doc
    spend, budget = d["spend_eur"], float(d["budget_eur"])
    names = {k: v.name for k, v in run.scenario.catalog.conventional.items()}
    rows = pd.DataFrame(d.get("conventional", []))
    bought = (", ".join(f"{int(r.units):,} × {names.get(r.option, r.option)}" for r in rows.itertuples() if r.units > 0)
              if len(rows) else "") or "no conventional units"
    text = (f"**The decision.** Of {eur(budget)} over {d['horizon_years']} years, put **{eur(spend['drone_defence'])} "
            f"({pct(spend['drone_defence'] / budget)}) into drone defence** and {eur(spend['conventional'])} into "
            f"conventional forces ({bought}).")
    be = d.get("break_even")
    if be and be.get("break_even_eur_per_drone") is not None:
        opt = names.get(be["marginal_option"], be["marginal_option"])
        cons = d.get("consequence")
        if cons:
            valued = (f"drones of average consequence (a leaker of the scenario's mean armed drone would do "
                      f"{money(cons['value_unit_eur'])} of harm: strikes on the cities on its route, airports closed, "
                      f"the response it draws; objective.consequence)")
        else:
            valued = f"drones (a decoy {run.scenario.config.objective.decoy_weight:g})"
        text += (f" Why: drone defence is funded while one more drone defeated costs less than "
                 f"**{money(be['break_even_eur_per_drone'])}**, what the scenario says a drone defeated is worth: "
                 f"objective.conventional_weight counts {be['conventional_weight']:g} {valued} as one Leopard-2A8 "
                 f"equivalent, and the next {opt} buys an equivalent for {money(be['marginal_eur_per_point'])} over "
                 "the horizon.")
    dec = run.analyses.get("decision")
    if dec is not None:
        t = dec.table
        ids = list(dec.doc.get("conventional_ids", []))
        others = [r for _, r in t.iterrows() if float(r["factor"]) != 1.0]
        if others:
            text += " What would change it: " + "; ".join(
                f"valued at {money(r['break_even_eur_per_drone'])} ({factor_name(r['factor'])}), drone defence gets "
                f"{eur(r['drone_defence_eur'])} and the rest buys {units_text(r, names, ids)}" for r in others) + "."
    else:
        text += " (`dronewall decision RUN_DIR` gives the split at half and double this value.)"
    return text


def bottom_line(run: BriefRun) -> list[str]:
    """The BLUF bullets: what the money buys, what it costs in tanks, where and how the plan fails, how sure."""
    d = run.doc
    spend = d["spend_eur"]
    years = d.get("horizon_years")
    threats = pd.DataFrame(d["threats"])
    units = d.get("units_by_system", {})
    names = short_names(run.scenario.catalog)
    bought = ", ".join(f"{n:,} {names.get(k, k)}" for k, n in sorted(units.items(), key=lambda kv: -kv[1])) or "nothing"
    out = [
        decision_line(run),
        f"**What the money buys.** {eur(spend['drone_defence'])} of the {eur(d['budget_eur'])} budget over {years} "
        f"years goes to drone defence ({bought}). Against the scenario's raids ({num(d['drones_over_horizon'])} drones "
        f"over the horizon) it defeats **{pct(d['defeat_rate_all_exact'])} of all drones** and "
        f"{pct(d['defeat_rate_armed_exact'])} of armed ones (exact evaluation; the optimizer promised "
        f"{pct(d['defeat_rate_all_lp'])}), at {eur(d['drone_defence_eur_per_defeat'])} of drone defence per "
        f"drone defeated ({eur(d['munitions_eur_per_defeat'])} in munitions; both as the exact evaluation fights).",
    ]
    tank = _tank_cost(run)
    conv = pd.DataFrame(d.get("conventional", []))
    kept = conv[conv["units"] > 0] if len(conv) else conv
    conv_names = {k: v.name for k, v in run.scenario.catalog.conventional.items()}
    kept_text = (", ".join(f"{int(r.units)} × {conv_names.get(r.option, r.option)}" for r in kept.itertuples())
                 or "no conventional units")
    rate = d["conventional_capability"] / spend["conventional"] if spend.get("conventional") else math.nan
    text = "**What it costs in tanks.** "
    if tank:
        text += (f"The drone-defence money would buy and run **{spend['drone_defence'] / tank[1]:,.0f} {tank[0]}s** "
                 f"for {years} years ({eur(tank[1])} each)")
        text += (f", or about {spend['drone_defence'] * rate:,.0f} Leopard-2A8 equivalents at this plan's "
                 "conventional mix. " if math.isfinite(rate) else ". ")
    text += (f"The rest, {eur(spend['conventional'])}, buys {kept_text}: "
             f"{d['conventional_capability']:,.0f} Leopard-2A8 equivalents.")
    fr = run.analyses.get("frontier")
    if fr is not None and len(fr.table):
        t = fr.table
        top = t.loc[t["conventional_capability"].idxmax()]
        text += (f" On the frontier, the most conventional point keeps {top['conventional_capability']:,.0f} "
                 f"equivalents ({top['conventional_capability'] - d['conventional_capability']:+,.0f} against this "
                 f"plan) and defeats {pct(top['defeat_rate_value_exact'])} of drones (value-weighted).")
    out.append(text)
    if d.get("burden"):  # funding: who pays against the fair shares
        b = d["burden"]
        rows = sorted(b["nations"], key=lambda r: r["gap_eur"])
        key = "GDP" if b["key"] == "gdp" else b["key"].replace("_", " ")
        text = (f"**Who pays.** The funding sources pay {eur(b['bill_eur'] - b['unfunded_eur'])} of the "
                f"{eur(b['bill_eur'])} drone-defence bill" + (f" ({eur(b['unfunded_eur'])} unfunded)" if
                                                            b["unfunded_eur"] >= 1 else "")
                + f". Against fair shares by {key}, ")
        gaps = [f"{r['name']} pays {eur(abs(r['gap_eur']))} {'more' if r['gap_eur'] > 0 else 'less'}"
                for r in ([rows[-1], rows[0]] if len(rows) > 1 else rows) if abs(r["gap_eur"]) >= 1]
        text += ("; ".join(gaps) + " than its share (the widest gaps; the Nations section gives each)." if gaps
                 else "each nation pays its share.")
        out.append(text)

    sectors = border_sectors(run)
    worst = sectors.head(3)
    weak = threats.sort_values("defeat_rate_exact").head(2)
    leak_raid = float(threats["leakers_per_raid"].sum())
    out.append(
        f"**Where it fails.** {leak_raid:,.0f} drones still cross per raid. Most leak across "
        + "; ".join(f"{r.border_id} ({num(r.leakers)} over the horizon, {pct(r.defeat)} defeated)"
                    for r in worst.itertuples())
        + ". The weakest threat classes are "
        + " and ".join(f"{names.get(r.threat, r.threat)} ({pct(r.defeat_rate_exact)} defeated, "
                       f"{num(r.leakers_per_raid, 1)} leak per raid)"
                       for r in weak.itertuples()) + ".")
    st = run.analyses.get("stress")
    if st is not None:
        t = st.table
        failed = t[t["expensive_failure"].astype(bool)].sort_values("defeat_rate_value")
        text = (f"**How it fails.** Held fixed under {len(t)} stress cases, it is an expensive failure in "
                f"{len(failed)} (defeat below {pct(st.doc['target'])} while the money is spent)")
        if len(failed):
            text += ". Worst: " + "; ".join(f"{r.case} ({pct(r.defeat_rate_value)})" for r in failed.head(3).itertuples())
        out.append(text + ".")
    else:
        out.append("**How it fails.** No stress test in this run: `dronewall stress RUN_DIR`, then brief again, "
                   "shows it under jamming, saturation, decoys and an adversary who has seen the plan.")
    adv = run.analyses.get("adversary")
    if adv is not None:
        out.append(adversary_finding(adv.doc))
    sure = (f"**How sure.** The optimizer's promise is checked by an exact evaluation "
            f"({pct(d['defeat_rate_all_lp'], 1)} promised, {pct(d['defeat_rate_all_exact'], 1)} evaluated); "
            f"{d['solver'].get('status_text', 'proven gap ' + pct(d['solver']['gap'], 2))}"
            + (f", and the drone-defence part, which the gap of the whole objective understates, within "
               f"{pct(d['solver']['gap_drone_defence_max'], 2)} at most" if d['solver'].get('gap_drone_defence_max')
               is not None else "") + ".")
    un = run.analyses.get("uncertainty")
    if un is not None:
        m = un.summary
        sure += (f" Over {m['draws']} draws of the catalogs' low/high ranges the value-weighted defeat rate spans "
                 f"{pct(m['rate_p05'])}–{pct(m['rate_p95'])} (5th–95th percentile); it misses "
                 f"the {pct(m['target'])} target in {pct(m['p_miss_target'])} of draws.")
        top = (m.get("sensitivity") or {}).get("defeat_rate_value") or []
        if top:
            sure += (" Most of that spread comes from " + ", ".join(
                f"{r['input']} (S1 {r['S1']:.2f} ± {r['S1_conf']:.2f})" for r in top[:3]) + " (RBD-FAST on the "
                "Latin-hypercube draws).")
    sim = run.analyses.get("simulation")
    if sim is not None:
        diff = pd.DataFrame(sim.doc["threats"])["difference_pp"].abs().max()
        sure += f" An independent simulation agrees within {diff:.1f} points per threat class."
    out.append(sure)
    return out


def build_briefing(run: BriefRun, maps: list[Path], charts: list[tuple[str, Path]], *,
                   marking: str = DEFAULT_MARKING, webmap: str | None = None,
                   nation_names: dict[str, str] | None = None, parts: list[BriefPart] | None = None) -> Briefing:
    """Assemble the briefing. ``maps``: PNG paths of the static maps (overview first); ``charts``: (caption, PNG);
    ``parts``: the analyses' tables and charts (:func:`~planner.report.brief_sections.analysis_parts`)."""
    d = run.doc
    cname = nation_names or {}
    maps_section = Section("Maps", "maps", [
        "The border is coloured by the exact expected share of drones defeated (cividis: dark is weak, yellow is "
        "strong; it reads in greyscale). Sites carry one symbol and colour per system type. "
        + ("The interactive map, with popups per site and per border cell, is beside this file." if webmap else "")])
    for png in maps:
        nation = png.stem.removeprefix("map-")
        caption = "The whole flank" if nation == "overview" else f"{cname.get(nation, nation)} ({nation})"
        maps_section.blocks.append(Figure(caption, png, [p for p in (png.with_suffix(".pdf"), png.with_suffix(".svg"))
                                                         if p.exists()]))
    charts_section = Section("Charts", "charts", [Figure(cap, png, [p for p in (png.with_suffix(".pdf"),
                                                                                png.with_suffix(".svg")) if p.exists()])
                                                  for cap, png in charts])
    missing = [a.command for a in BRIEFED if a.kind not in run.analyses]
    if missing:
        charts_section.blocks.append(
            "Not in this run: " + ", ".join(missing) + ". Each is a command (`dronewall " + missing[0] + " …`); "
            "give its folder with `--analysis DIR` (or write it into the run folder) and brief again.")
    sources = Section("Assumptions and sources", "sources", [
        "Every number below enters the plan. A figure rests on the sources listed or, where no public source gives "
        "it, on the stated assumption; low and high bounds are given where sources disagree.",
        scenario_table(run), *sources_tables(run)])
    parts = analysis_parts(run) if parts is None else parts
    sections = [maps_section, nation_section(run, run.cells, cname), charts_section,
                Section("Tables", "tables", [*tables(run), *(t for part in parts for t in part.tables)]), sources,
                Section("Manifest", "manifest", ["What made these numbers, so that they can be made again: "
                                                 "`dronewall run " + Path(run.scenario.path).name + "` with the "
                                                 "inputs and software below.", *manifest_tables(run)])]
    spend = d["spend_eur"]
    links = [("interactive map", webmap)] if webmap else []
    return Briefing(
        title=f"dronewall briefing — {d['scenario']} [{str(d['config_hash'])[:8]}]",
        subtitle=(f"{eur(d['budget_eur'])} over {d['horizon_years']} years: {eur(spend['drone_defence'])} on drone "
                  f"defence, {eur(spend['conventional'])} on conventional forces; "
                  f"{pct(d['defeat_rate_all_exact'])} of drones defeated"),
        marking=marking, bluf=bottom_line(run), sections=sections, links=links)


# --------------------------------------------------------------------------------------------------------------
# The whole job
# --------------------------------------------------------------------------------------------------------------

def write_briefing(run_dir: Path, out: Path, *, analyses: tuple[Path, ...] = (), marking: str = DEFAULT_MARKING,
                   dpi: int = 300, pdf: bool = True, tiles: str | None = None,
                   tiles_attribution: str = "", force: bool = False) -> dict[str, Any]:
    """Write the briefing of ``run_dir`` into ``out`` (replaced whole on success): ``briefing.html``,
    ``briefing.pdf``, ``interactive-map.html``, ``maps/`` and ``charts/`` (PNG at ``dpi`` and PDF each), ``slides/``
    (16:9 PNGs: the bottom line, the overview map, each chart).
    Returns what was written, with timings."""
    import time

    from planner.outdir import atomic_output_dir
    from planner.report import charts as ch
    from planner.report.briefing_maps import load_map_inputs, write_maps
    from planner.report.slides import write_slides
    from planner.report.webmap import write_webmap

    t0 = time.perf_counter()
    run = load_run(run_dir, analyses)
    inputs = load_map_inputs(run.run)
    parts = analysis_parts(run)
    timings = {"read_s": time.perf_counter() - t0}
    with atomic_output_dir(Path(out), keep=Path(run_dir), force=force) as tmp:
        t = time.perf_counter()
        map_paths = write_maps(inputs, tmp / "maps", marking=marking, dpi=dpi, formats=("png", "pdf"))
        timings["maps_s"] = time.perf_counter() - t
        t = time.perf_counter()
        (tmp / "charts").mkdir()
        charts = []

        def chart(name: str, caption: str, fig: Any) -> None:
            paths = ch.save_figure(fig, tmp / "charts" / name, dpi=dpi, formats=("png", "pdf"),
                                   title=f"dronewall {caption}")
            charts.append((caption, paths[0]))

        chart("spending", "Drone-defence spending by nation and category",
              ch.spending_figure(run.doc, {k: v.name for k, v in run.scenario.catalog.conventional.items()}))
        for c in (c for part in parts for c in part.charts):
            chart(c.name, c.caption, c.draw())
        timings["charts_s"] = time.perf_counter() - t
        t = time.perf_counter()
        write_webmap(inputs, tmp / "interactive-map.html", marking=marking, tiles=tiles,
                     tiles_attribution=tiles_attribution)
        timings["webmap_s"] = time.perf_counter() - t
        t = time.perf_counter()
        pngs = [p for p in map_paths if p.suffix == ".png"]
        briefing = build_briefing(run, pngs, charts, marking=marking, webmap="interactive-map.html",
                                  nation_names=dict(zip(inputs.countries["country"], inputs.countries["name"], strict=True)),
                                  parts=parts)
        (tmp / "briefing.html").write_text(render_html(briefing, tmp), encoding="utf-8")
        timings["html_s"] = time.perf_counter() - t
        t = time.perf_counter()
        overview = [("map-overview", "The plan on the map", p) for p in pngs if p.stem == "map-overview"]
        write_slides(tmp / "slides", title=f"{run.doc['scenario']} [{run.doc['config_hash'][:8]}]",
                     bullets=bottom_line(run), marking=marking,
                     images=[*overview, *((path.stem, caption, path) for caption, path in charts)])
        timings["slides_s"] = time.perf_counter() - t
        if pdf:
            t = time.perf_counter()
            render_pdf(briefing, tmp / "briefing.pdf")
            timings["pdf_s"] = time.perf_counter() - t
        timings["total_s"] = time.perf_counter() - t0
        files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        (tmp / "brief.json").write_text(json.dumps({
            "scenario": run.doc["scenario"], "config_hash": run.doc["config_hash"], "run_dir": str(run_dir),
            "analyses": {k: str(v.folder) for k, v in run.analyses.items()}, "marking": marking, "dpi": dpi,
            "files": files, "timings_s": {k: round(v, 2) for k, v in timings.items()}}, indent=2) + "\n")
    return {"out": Path(out), "files": files, "analyses": sorted(run.analyses), "timings_s": timings}
