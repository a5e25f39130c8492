"""The briefing's tables (per threat class, spending, units, sectors, each analysis, the assumptions and
sources, the manifest) and the number formats of its text."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from planner.report.brief_inputs import BriefRun
from planner.report.document import Table


def pct(x: Any, digits: int = 0) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{100 * float(x):.{digits}f}%"


def eur(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    sign, x = ("−" if x < 0 and round(abs(x)) > 0 else ""), abs(x)  # −€204.6M, not €-204.6M
    if x >= 1e9:
        return f"{sign}€{x / 1e9:,.2f}bn"
    if x >= 1e6:
        return f"{sign}€{x / 1e6:,.1f}M"
    return f"{sign}€{x:,.0f}"


def num(x: Any, digits: int = 0) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{float(x):,.{digits}f}"


def drone_weights(cells: pd.DataFrame) -> pd.Series:
    """Each cell's weight in a share of "drones defeated": the drones crossing it over the horizon (``drones_all``),
    so that the shares on maps and in tables are the headline's definition (plan.json's defeat_rate_all_exact) over
    their cells. Run folders written before that column: leakers / (1 − p_defeat), the same where p_defeat < 1."""
    if "drones_all" in cells:
        return cells["drones_all"].fillna(0.0)
    p = cells["p_defeat_all"].fillna(0.0)
    return (cells["leakers_all"] / (1.0 - p).where(p < 1.0)).fillna(0.0)


def border_sectors(run: BriefRun) -> pd.DataFrame:
    """Per border (defender–neighbour segment): length, share of its drones defeated, leakers over the horizon."""
    c = run.cells.copy()
    c["drones"] = drone_weights(c)
    c["w"] = c["p_defeat_all"].fillna(0) * c["drones"]
    g = c.groupby(["border_id", "defender"], as_index=False).agg(length_m=("length_m", "sum"), w=("w", "sum"),
                                                                 drones=("drones", "sum"), leakers=("leakers_all", "sum"))
    g["defeat"] = g["w"] / g["drones"].where(g["drones"] > 0)
    return g.drop(columns=["w", "drones"]).sort_values("leakers", ascending=False).reset_index(drop=True)


def table(df: pd.DataFrame, caption: str, cols: dict[str, tuple[str, Callable[[Any], str]]], note: str = "",
          numeric: list[bool] | None = None) -> Table:
    """A briefing table of ``df``'s columns ``cols`` (column: (heading, format))."""
    rows = [[fmt(r[c]) for c, (_, fmt) in cols.items()] for r in df.to_dict(orient="records")]
    return Table(caption, [label for label, _ in cols.values()], rows, note, numeric)


def txt(x: Any) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def tables(run: BriefRun) -> list[Table]:
    """The plan's tables (the analyses add theirs: planner.report.brief_sections)."""
    d = run.doc
    out = []
    threats = pd.DataFrame(d["threats"])
    names = {k: v.name for k, v in run.scenario.catalog.threats.items()}
    threats["name"] = threats["threat"].map(names).fillna(threats["threat"])
    out.append(table(threats, "Per threat class over the horizon (exact evaluation beside the optimizer's promise)", {
        "name": ("threat class", txt), "drones_over_horizon": ("drones", num),
        "defeat_rate_lp": ("promised", pct), "defeat_rate_exact": ("defeated (exact)", lambda x: pct(x, 1)),
        "detect_rate_exact": ("detected", pct), "leakers_per_raid": ("leak per raid", lambda x: num(x, 1)),
        "munitions_eur_per_defeat": ("munitions € per kill", eur),
        "threat_unit_cost_eur": ("drone's cost", eur),
        "munitions_exchange_ratio": ("exchange ratio", lambda x: num(x, 2))},
        "Exchange ratio: munitions euros per drone defeated over the drone's cost (below 1: the defender spends less)."))
    if d.get("escort"):  # crewed incursions: escorted, not defeated
        out.append(table(pd.DataFrame(d["escort"]), "Crewed incursions over the horizon: detected and met in time by "
                         "an escort (exact evaluation)", {
                             "nation": ("nation", txt), "threat": ("crewed class", txt), "response": ("response", txt),
                             "incursions_over_horizon": ("incursions", lambda x: num(x, 1)),
                             "detected_share_exact": ("detected", pct), "met_share_exact": ("met in time", pct),
                             "required_met_share": ("required", pct), "alert_units": ("alert units", num),
                             "alert_posture_eur_over_horizon": ("alert posture", eur),
                             "sorties_eur_over_horizon": ("sorties (outside the budget)", eur)},
                         "The alert posture (alert units bought and run) is in the drone-defence spend; the sorties' "
                         "flying cost is the air force's, beside it."))
    if d.get("burden"):  # funding: who pays, who hosts, who is protected
        b = d["burden"]
        out.append(table(pd.DataFrame(b["nations"]), f"Who pays, who hosts, who is protected (fair share by "
                         f"{'GDP' if b['key'] == 'gdp' else b['key'].replace('_', ' ')})", {
                             "nation": ("nation", txt), "hosts_eur": ("hosts", eur), "pays_eur": ("pays", eur),
                             "pays_for_others_eur": ("of which for others", eur), "fair_share_eur": ("fair share", eur),
                             "gap_eur": ("gap", eur), "unfunded_eur": ("unfunded", eur),
                             "drones_defeated_over_horizon_exact": ("drones defeated over it", num)},
                         f"The plan's drone-defence bill ({eur(b['bill_eur'])} over the horizon) paid by the funding "
                         "sources, each only for the hosts it names, as close to the fair shares as their rules allow; "
                         "gap: what a nation pays less its fair share."))
    from planner.report.charts import spending_table

    sp = spending_table(pd.DataFrame(d["spend"])).iloc[::-1]
    sp["total"] = sp.sum(axis=1)
    sp = sp.reset_index().rename(columns={"index": "nation"})
    out.append(table(sp, "Drone-defence spending by nation and category over the horizon",
                     {"nation": ("nation", txt), **{c: (c, eur) for c in sp.columns if c not in ("nation",)}}))
    spend = pd.DataFrame(d["spend"])
    units = spend[spend["category"].isin(["sensor", "effector"])].pivot_table(
        index=["category", "system"], columns="nation", values="units", aggfunc="sum", fill_value=0)
    units["all"] = units.sum(axis=1)
    units = units.reset_index()
    out.append(table(units, "Units by system and nation (sensors and effectors built or kept in service)",
                     {"category": ("", txt), "system": ("system", txt),
                      **{c: (c, num) for c in units.columns if c not in ("category", "system")}}))
    conv = pd.DataFrame(d.get("conventional", []))
    if len(conv):
        out.append(table(conv, "Conventional forces bought with what is left", {
            "option": ("option", txt), "units": ("units", num), "acquisition_eur": ("acquisition", eur),
            "operation_eur": ("operation", eur), "capability": ("Leopard-2A8 equivalents", lambda x: num(x, 1))}))
    sec = border_sectors(run)
    out.append(table(sec, "Border sectors, most leakers first", {
        "border_id": ("border", txt), "defender": ("defender", txt), "length_m": ("km", lambda x: num(x / 1000)),
        "defeat": ("share of its drones defeated", pct), "leakers": ("leakers over the horizon", num)}))
    return out


def used_figures(run: BriefRun) -> list[tuple[str, Any]]:
    """The catalog figures this plan used: its threat classes, and the systems and options the scenario allows."""
    cat, systems = run.scenario.catalog, run.scenario.config.systems
    threats = {t["threat"] for t in run.doc["threats"]}
    used = {"threats": threats,
            "sensors": set(cat.sensors) if systems.sensors is None else set(systems.sensors),
            "effectors": set(cat.effectors) if systems.effectors is None else set(systems.effectors),
            "conventional": set(cat.conventional) if systems.conventional is None else set(systems.conventional)}
    out = []
    for path, fig in cat.figures():
        parts = path.split(".")
        if parts[1] not in used[parts[0]]:
            continue
        if any(p in cat.threats and p not in threats for p in parts[2:]):
            continue
        out.append((path, fig))
    return out


def sources_tables(run: BriefRun) -> list[Table]:
    cat = run.scenario.catalog
    figs = used_figures(run)
    rows = []
    for path, f in figs:
        rng = "" if f.low is None and f.high is None else f"{_g(f.range[0])} – {_g(f.range[1])}"
        rows.append([path, _g(f.value), rng, ", ".join(f.source), f.assumption or ""])
    cited = sorted({s for _, f in figs for s in f.source}, key=lambda s: (not s.startswith("cf"), _natural(s)))
    n_assumed = sum(1 for _, f in figs if not f.source)
    figures = Table(f"Every catalog figure the plan used ({len(figs)}: {len(figs) - n_assumed} with a source, "
                    f"{n_assumed} resting on a stated assumption only)", ["figure", "value", "low – high", "sources",
                                                                          "assumption"], rows,
                    "Units are in the field names (_eur, _m, _mps, _m2, _kg; probabilities without unit). "
                    "Catalog files: " + ", ".join(f"{k} {p}" for k, p in _catalog_paths(run).items()),
                    numeric=[False, True, True, False, False])
    src_rows = [[sid, cat.sources[sid].citation, cat.sources[sid].url or "", cat.sources[sid].note or ""]
                for sid in cited if sid in cat.sources]
    sources = Table(f"Sources cited by those figures ({len(src_rows)})", ["id", "citation", "address", "note"],
                    src_rows, numeric=[False] * 4)
    return [figures, sources]


def _catalog_paths(run: BriefRun) -> dict[str, str]:
    files = run.manifest.get("files_sha256", {})
    return {k: Path(v["path"]).name for k, v in files.items() if k in ("threats", "sensors", "effectors",
                                                                        "conventional", "sources")}


def _natural(s: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


def _g(x: float) -> str:
    """A catalog or scenario figure for people: six significant digits at most, thousands separated, never in
    scientific notation (150,000,000, not 1.5e+08; 1,500 like 18,400; 0.00001)."""
    if not math.isfinite(x) or x == 0:
        return "n/a" if not math.isfinite(x) else "0"
    digits = max(0, 5 - math.floor(math.log10(abs(float(f"{x:.6g}")))))
    text = f"{float(f'{x:.6g}'):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def scenario_table(run: BriefRun) -> Table:
    c = run.scenario.config
    rows = [["budget", eur(c.budget.total_eur)], ["horizon", f"{c.budget.horizon_years} years"],
            ["defenders", ", ".join(c.geodata.defenders)], ["neighbours", ", ".join(c.geodata.neighbours)],
            ["raids per year", _g(c.threats.raids_per_year)], ["raid surge factor", _g(c.threats.raid_surge_factor)],
            ["objective", f"{c.objective.kind}"]]
    for dens in c.threats.density:
        borders = dens.borders if isinstance(dens.borders, str) else ", ".join(dens.borders)
        crewed = dens.threat in run.scenario.catalog.threats and run.scenario.catalog.threats[dens.threat].manned
        rows.append([f"density: {dens.threat}", f"{_g(dens.drones_per_raid_per_100km)} "
                                                f"{'incursions' if crewed else 'drones'} per raid per 100 km ({borders})"])
    cat = run.scenario.catalog
    if any(cat.threats[d.threat].manned for d in c.threats.density if d.threat in cat.threats):
        rows.append(["crewed incursions", crewed_text(c)])
    rows += [["border cells", f"{c.theater.cell_length_m / 1000:g} km"], ["rules of engagement", rules_text(c.roe)],
             ["solver", f"{c.solver.backend}, {c.solver.strategy}, gap target {pct(c.solver.mip_rel_gap, 1)}, "
                        f"time limit {c.solver.time_limit_s:g} s"]]
    weight = getattr(c.objective, "conventional_weight", None)
    if weight is not None:
        rows.append(["conventional weight", f"one Leopard-2A8 equivalent = {_g(weight)} drones defeated"])
    return Table(f"The scenario's planning assumptions ({Path(run.scenario.path).name})", ["setting", "value"], rows,
                 numeric=[False, False])


def rules_text(roe: Any) -> str:
    """The rules of engagement as applied: the default, each nation that differs, the identification delay, the
    threat-to-asset criterion and the hold-fire-over-built-up rule where set (a scenario with Poland under escort_only had printed only the default)."""
    own = {n: r for n, r in sorted(roe.per_nation.items()) if r != roe.default}
    text = roe.default + (" (" + ", ".join(f"{n}: {r}" for n, r in own.items()) + ")" if own else "")
    delays = {n: d for n, d in sorted(roe.identification_delay_s_per_nation.items())
              if d != roe.identification_delay_s}
    if roe.identification_delay_s or delays:
        text += f"; identification delay {roe.identification_delay_s:g} s" + (
            " (" + ", ".join(f"{n}: {d:g} s" for n, d in delays.items()) + ")" if delays else "")
    if roe.engage_only_threatening:
        text += "; only drones heading for a protected asset are engaged"
    places = f"settlements of {roe.built_up_min_population:,}+ residents"
    holding = sorted(n for n, h in roe.hold_fire_over_built_up_per_nation.items() if h)
    exempt = sorted(n for n, h in roe.hold_fire_over_built_up_per_nation.items() if not h)
    if roe.hold_fire_over_built_up:
        text += f"; no kinetic fire over {places}" + (f" (except {', '.join(exempt)})" if exempt else "")
    elif holding:
        text += f"; no kinetic fire over {places} in {', '.join(holding)}"
    return text


def crewed_text(c: Any) -> str:
    """What each nation does with crewed incursions (shoot under roe shoot_all, else escort or monitor) and the
    escort requirements."""
    by: dict[str, list[str]] = {}
    for n in c.geodata.defenders:
        mode = c.escort.applied(c.roe, n)
        by.setdefault(mode, []).append(n)
    text = "; ".join(f"{mode}: {', '.join(ns)}" for mode, ns in by.items())
    needs = [f"{pct(r.share, 0)} of {r.threat if r.threat != 'all' else 'crewed classes'} met in time in {r.nation}"
             for r in c.escort.min_share]
    return text + ("; required: " + ", ".join(needs) if needs else "")


def manifest_tables(run: BriefRun) -> list[Table]:
    m = run.manifest
    files = [[k, Path(str(v.get("path", ""))).name, str(v.get("sha256", ""))[:16] + "…"]  # no machine paths
             for k, v in m.get("files_sha256", {}).items()]
    versions = [[k, str(v)] for k, v in m.get("versions", {}).items()]
    timings = [[k, f"{v:.2f} s"] for k, v in m.get("timings_s", {}).items()]
    return [Table("Input files and their hashes (sha256, first 16 characters)", ["input", "path", "sha256"], files,
                  f"Config hash {m.get('config_sha256', '')}; solver status {m.get('status')}; seed {m.get('seed')}; "
                  f"CRS {m.get('crs')}.", numeric=[False] * 3),
            Table("Software", ["package", "version"], versions, numeric=[False, False]),
            Table("Timings of the plan", ["step", "time"], timings)]
