"""The briefing: one HTML file (and a PDF) that puts a plan and its analyses in front of a minister.

Bottom line up front (what the money buys, what it costs in tanks, where and how the plan fails), then the
maps, the charts, the tables, the assumptions and sources of every catalog figure the plan used, and the
manifest. It reads a run folder, as written by ``dronewall run`` (plan.json, plan.gpkg, manifest.json) with any
analyses written into it (``stress/``, ``uncertainty/``, ``simulation/``) or given beside it (``frontier``,
``premium`` folders), never the model.

The content is built once as a :class:`Briefing` (sections of paragraphs, tables and figures) and rendered
twice: :func:`render_html` (self-contained: images inlined) and :func:`render_pdf` (reportlab, no browser).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import ConfigError
from planner.report.briefing_maps import DEFAULT_MARKING
from planner.report.document import Briefing, Figure, Section, Table, render_html, render_pdf

#: Analyses a briefing can include: kind -> the key of its rows in ``<kind>.json``.
ANALYSES = {"stress": "cases", "uncertainty": "draws", "simulation": "threats", "frontier": "points",
            "premium": "points"}
REFERENCE_TANK = "leopard_2a8"


# --------------------------------------------------------------------------------------------------------------
# Reading a run folder
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Analysis:
    kind: str
    folder: Path
    doc: dict[str, Any]

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.doc.get(ANALYSES[self.kind], []))

    @property
    def summary(self) -> dict[str, Any]:
        """The analysis's summary without its rows (uncertainty.json's rows stand where its draw count was)."""
        out = {k: v for k, v in self.doc.items() if k != ANALYSES[self.kind]}
        if self.kind == "uncertainty":
            out["draws"] = len(self.doc.get("draws", []))
        return out


@dataclass
class RunFolder:
    """A plan folder and the analyses of the same scenario found in it or named beside it."""

    folder: Path
    doc: dict[str, Any]  # plan.json
    manifest: dict[str, Any]
    scenario: Any  # planner.config.io.Scenario
    cells: pd.DataFrame  # cells.csv
    analyses: dict[str, Analysis] = field(default_factory=dict)


def load_run(run_dir: Path, extra: list[Path] | tuple[Path, ...] = ()) -> RunFolder:
    """Read ``run_dir`` (a folder written by ``dronewall run``) and its analyses.

    Analyses are the sub-folders of ``run_dir`` holding one of ``<kind>.json`` (:data:`ANALYSES`) and every
    folder in ``extra``. Each must come from the plan's scenario as it is now (same config hash), else a
    :class:`ConfigError` names the folder.
    """
    from planner.config.io import display_path, json_field, load_json
    from planner.output import read_plan_folder

    run_dir = Path(run_dir)
    doc, _, scenario = read_plan_folder(run_dir)
    again = "run the plan again (`dronewall run`)"
    manifest = load_json(run_dir / "manifest.json", what="the run's manifest")
    for kind in ("sources", "threats", "sensors", "effectors", "conventional"):
        json_field(manifest, f"files_sha256.{kind}.path", str, source=display_path(run_dir / "manifest.json"),
                   fix=again)
    try:
        cells = pd.read_csv(run_dir / "cells.csv")
    except (ValueError, OSError) as exc:  # missing, empty or not CSV (pandas' errors are ValueErrors)
        msg = f"cannot be read as a table ({exc}): {again}"
        raise ConfigError([(display_path(run_dir / "cells.csv"), msg)]) from None
    run = RunFolder(folder=run_dir, doc=doc, manifest=manifest, scenario=scenario, cells=cells)
    folders = {d.resolve(): False for d in sorted(run_dir.iterdir()) if d.is_dir()}  # resolved path: named?
    for d in map(Path, extra):
        folders[d.resolve()] = True
    for folder, explicit in folders.items():
        kinds = [k for k in ANALYSES if (folder / f"{k}.json").is_file()]
        if not kinds:
            if explicit:
                raise ConfigError([("--analysis", f"{folder} holds none of {', '.join(k + '.json' for k in ANALYSES)}: "
                                                  "give a folder written by dronewall stress, uncertainty, simulate, "
                                                  "frontier or premium")])
            continue
        kind = kinds[0]
        apath = folder / f"{kind}.json"
        adoc = load_json(apath, what=f"the {kind} analysis")
        fix = f"run `dronewall {kind}` again"
        rows = json_field(adoc, ANALYSES[kind], list, source=display_path(apath), fix=fix)
        if not all(isinstance(r, dict) for r in rows):
            raise ConfigError([(ANALYSES[kind], f"expected a list of JSON objects: {fix}")],
                              source=display_path(apath))
        if kind == "stress":
            json_field(adoc, "target", (int, float), source=display_path(apath), fix=fix)
        if adoc.get("config_hash") != doc.get("config_hash"):
            raise ConfigError([(str(folder / f"{kind}.json"),
                                f"this {kind} analysis was made from another scenario or an older version of it "
                                f"(config hash {str(adoc.get('config_hash'))[:8]} ≠ the plan's "
                                f"{str(doc.get('config_hash'))[:8]}): run it again on this plan's scenario, or "
                                "leave it out")])
        if kind in run.analyses:
            raise ConfigError([("--analysis", f"two {kind} analyses ({run.analyses[kind].folder} and {folder}): "
                                              "give one")])
        run.analyses[kind] = Analysis(kind, folder, adoc)
    return run


# --------------------------------------------------------------------------------------------------------------
# The content
# --------------------------------------------------------------------------------------------------------------

def _pct(x: Any, digits: int = 0) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{100 * float(x):.{digits}f}%"


def _eur(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    if abs(x) >= 1e9:
        return f"€{x / 1e9:,.2f}bn"
    if abs(x) >= 1e6:
        return f"€{x / 1e6:,.1f}M"
    return f"€{x:,.0f}"


def _n(x: Any, digits: int = 0) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{float(x):,.{digits}f}"


def _sectors(run: RunFolder) -> pd.DataFrame:
    """Per border (defender–neighbour segment): length, length-weighted defeat rate, leakers over the horizon."""
    c = run.cells.copy()
    c["w"] = c["p_defeat_all"].fillna(0) * c["length_m"]
    g = c.groupby(["border_id", "defender"], as_index=False).agg(length_m=("length_m", "sum"), w=("w", "sum"),
                                                                 leakers=("leakers_all", "sum"))
    g["defeat"] = g["w"] / g["length_m"]
    return g.drop(columns="w").sort_values("leakers", ascending=False).reset_index(drop=True)


def _tank_cost(run: RunFolder) -> tuple[str, float] | None:
    """(name, € over the horizon) of the reference tank: acquisition and operation for the plan's horizon."""
    conv = run.scenario.catalog.conventional
    if REFERENCE_TANK not in conv:
        return None
    opt = conv[REFERENCE_TANK]
    years = float(run.doc.get("horizon_years", 0))
    return opt.name, float(opt.unit_cost_eur.value + years * opt.operating_cost_eur_per_year.value)


def _short_names(run: RunFolder) -> dict[str, str]:
    """Display names of systems and threat classes without their parenthesised examples."""
    cat = run.scenario.catalog
    return {k: re.sub(r"\s*\(.*?\)", "", v.name).strip() for kind in (cat.sensors, cat.effectors, cat.threats)
            for k, v in kind.items()}


def bottom_line(run: RunFolder) -> list[str]:
    """The BLUF bullets: what the money buys, what it costs in tanks, where and how the plan fails, how sure."""
    d = run.doc
    spend = d["spend_eur"]
    years = d.get("horizon_years")
    threats = pd.DataFrame(d["threats"])
    units = d.get("units_by_system", {})
    names = _short_names(run)
    bought = ", ".join(f"{n:,} {names.get(k, k)}" for k, n in sorted(units.items(), key=lambda kv: -kv[1])) or "nothing"
    out = [
        f"**What the money buys.** {_eur(spend['drone_defence'])} of the {_eur(d['budget_eur'])} budget over {years} "
        f"years goes to drone defence ({bought}). Against the scenario's raids ({_n(d['drones_over_horizon'])} drones "
        f"over the horizon) it defeats **{_pct(d['defeat_rate_all_exact'])} of all drones** and "
        f"{_pct(d['defeat_rate_armed_exact'])} of armed ones (exact evaluation; the optimizer promised "
        f"{_pct(d['defeat_rate_all_lp'])}), at {_eur(d['drone_defence_eur_per_defeat'])} of drone defence per "
        f"drone defeated ({_eur(d['munitions_eur_per_defeat'])} in munitions).",
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
                 f"for {years} years ({_eur(tank[1])} each)")
        text += (f", or about {spend['drone_defence'] * rate:,.0f} Leopard-2A8 equivalents at this plan's "
                 "conventional mix. " if math.isfinite(rate) else ". ")
    text += (f"The rest, {_eur(spend['conventional'])}, buys {kept_text}: "
             f"{d['conventional_capability']:,.0f} Leopard-2A8 equivalents.")
    fr = run.analyses.get("frontier")
    if fr is not None and len(fr.table):
        t = fr.table
        top = t.loc[t["conventional_capability"].idxmax()]
        text += (f" On the frontier, the most conventional point keeps {top['conventional_capability']:,.0f} "
                 f"equivalents ({top['conventional_capability'] - d['conventional_capability']:+,.0f} against this "
                 f"plan) and defeats {_pct(top['defeat_rate_value_exact'])} of drones (value-weighted).")
    out.append(text)

    sectors = _sectors(run)
    worst = sectors.head(3)
    weak = threats.sort_values("defeat_rate_exact").head(2)
    leak_raid = float(threats["leakers_per_raid"].sum())
    out.append(
        f"**Where it fails.** {leak_raid:,.0f} drones still cross per raid. Most leak across "
        + "; ".join(f"{r.border_id} ({_n(r.leakers)} over the horizon, {_pct(r.defeat)} defeated)"
                    for r in worst.itertuples())
        + ". The weakest threat classes are "
        + " and ".join(f"{names.get(r.threat, r.threat)} ({_pct(r.defeat_rate_exact)} defeated, "
                       f"{_n(r.leakers_per_raid, 1)} leak per raid)"
                       for r in weak.itertuples()) + ".")
    st = run.analyses.get("stress")
    if st is not None:
        t = st.table
        failed = t[t["expensive_failure"].astype(bool)].sort_values("defeat_rate_value")
        text = (f"**How it fails.** Held fixed under {len(t)} stress cases, it is an expensive failure in "
                f"{len(failed)} (defeat below {_pct(st.doc['target'])} while the money is spent)")
        if len(failed):
            text += ". Worst: " + "; ".join(f"{r.case} ({_pct(r.defeat_rate_value)})" for r in failed.head(3).itertuples())
        out.append(text + ".")
    else:
        out.append("**How it fails.** No stress test in this run: `dronewall stress RUN_DIR`, then brief again, "
                   "shows it under jamming, saturation, decoys and an adversary that picks the weakest sector.")
    sure = (f"**How sure.** The optimizer's promise is checked by an exact evaluation "
            f"({_pct(d['defeat_rate_all_lp'], 1)} promised, {_pct(d['defeat_rate_all_exact'], 1)} evaluated; proven "
            f"gap {_pct(d['solver']['gap'], 1)}).")
    un = run.analyses.get("uncertainty")
    if un is not None:
        m = un.summary
        sure += (f" Over {m['draws']} draws of the catalogs' low/high ranges the value-weighted defeat rate spans "
                 f"{_pct(m['rate_p05'])}–{_pct(m['rate_p95'])} (5th–95th percentile); it misses "
                 f"the {_pct(m['target'])} target in {_pct(m['p_miss_target'])} of draws.")
    sim = run.analyses.get("simulation")
    if sim is not None:
        diff = pd.DataFrame(sim.doc["threats"])["difference_pp"].abs().max()
        sure += f" An independent simulation agrees within {diff:.1f} points per threat class."
    out.append(sure)
    return out


def _table(df: pd.DataFrame, caption: str, cols: dict[str, tuple[str, Callable[[Any], str]]], note: str = "",
           numeric: list[bool] | None = None) -> Table:
    rows = [[fmt(r[c]) for c, (_, fmt) in cols.items()] for r in df.to_dict(orient="records")]
    return Table(caption, [label for label, _ in cols.values()], rows, note, numeric)


def _txt(x: Any) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def tables(run: RunFolder) -> list[Table]:
    d = run.doc
    out = []
    threats = pd.DataFrame(d["threats"])
    names = {k: v.name for k, v in run.scenario.catalog.threats.items()}
    threats["name"] = threats["threat"].map(names).fillna(threats["threat"])
    out.append(_table(threats, "Per threat class over the horizon (exact evaluation beside the optimizer's promise)", {
        "name": ("threat class", _txt), "drones_over_horizon": ("drones", _n),
        "defeat_rate_lp": ("promised", _pct), "defeat_rate_exact": ("defeated (exact)", lambda x: _pct(x, 1)),
        "detect_rate_exact": ("detected", _pct), "leakers_per_raid": ("leak per raid", lambda x: _n(x, 1)),
        "munitions_eur_per_defeat": ("munitions € per kill", _eur),
        "threat_unit_cost_eur": ("drone's cost", _eur),
        "munitions_exchange_ratio": ("exchange ratio", lambda x: _n(x, 2))},
        "Exchange ratio: munitions euros per drone defeated over the drone's cost (below 1: the defender spends less)."))
    from planner.report.charts import spending_table

    sp = spending_table(pd.DataFrame(d["spend"])).iloc[::-1]
    sp["total"] = sp.sum(axis=1)
    sp = sp.reset_index().rename(columns={"index": "nation"})
    out.append(_table(sp, "Drone-defence spending by nation and category over the horizon",
                      {"nation": ("nation", _txt), **{c: (c, _eur) for c in sp.columns if c not in ("nation",)}}))
    spend = pd.DataFrame(d["spend"])
    units = spend[spend["category"].isin(["sensor", "effector"])].pivot_table(
        index=["category", "system"], columns="nation", values="units", aggfunc="sum", fill_value=0)
    units["all"] = units.sum(axis=1)
    units = units.reset_index()
    out.append(_table(units, "Units by system and nation (sensors and effectors built or kept in service)",
                      {"category": ("", _txt), "system": ("system", _txt),
                       **{c: (c, _n) for c in units.columns if c not in ("category", "system")}}))
    conv = pd.DataFrame(d.get("conventional", []))
    if len(conv):
        out.append(_table(conv, "Conventional forces bought with what is left", {
            "option": ("option", _txt), "units": ("units", _n), "acquisition_eur": ("acquisition", _eur),
            "operation_eur": ("operation", _eur), "capability": ("Leopard-2A8 equivalents", lambda x: _n(x, 1))}))
    sec = _sectors(run)
    out.append(_table(sec, "Border sectors, most leakers first", {
        "border_id": ("border", _txt), "defender": ("defender", _txt), "length_m": ("km", lambda x: _n(x / 1000)),
        "defeat": ("defeated (length-weighted)", _pct), "leakers": ("leakers over the horizon", _n)}))
    st = run.analyses.get("stress")
    if st is not None:
        out.append(_table(st.table, f"Stress cases (expensive failure: below {_pct(st.doc['target'])} while the "
                                    "money is spent)", {
            "case": ("case", _txt), "defeat_rate_value": ("defeated (value-weighted)", _pct),
            "leakers_per_raid": ("leak per raid", lambda x: _n(x, 1)), "munitions_eur": ("munitions", _eur),
            "eur_per_defeat": ("€ per defeat", _eur),
            "expensive_failure": ("", lambda x: "EXPENSIVE FAILURE" if x else "")}))
    fr = run.analyses.get("frontier")
    if fr is not None:
        out.append(_table(fr.table, "Frontier: drone defence against conventional forces at the scenario's budget", {
            "point": ("point", _txt), "drone_spend_eur": ("drone defence", _eur),
            "conventional_capability": ("conventional (L2A8 eq.)", _n),
            "defeat_rate_value_exact": ("defeated (value-weighted)", _pct), "gap": ("proven gap", lambda x: _pct(x, 1)),
            "dominated": ("", lambda x: "dominated" if x else "")}))
    sim = run.analyses.get("simulation")
    if sim is not None:
        m = sim.summary
        out.append(_table(sim.table, f"Independent simulation ({_n(m.get('drones'))} drones in {_n(m.get('raids'))} "
                                     f"raids, seed {m.get('seed')}) against the exact evaluation", {
            "threat": ("threat class", _txt), "defeat_rate_sim": ("simulated", lambda x: _pct(x, 1)),
            "standard_error": ("± 2 s.e.", lambda x: _pct(2 * x, 1)), "defeat_rate_exact": ("exact", lambda x: _pct(x, 1)),
            "difference_pp": ("difference (points)", lambda x: _n(x, 1))}))
    pr = run.analyses.get("premium")
    if pr is not None:
        ref = pr.doc.get("reference_option") or "conventional"
        t = pr.table
        step_col = f"step_in_{ref}_units"
        for col in ("drone_cost_eur", "marginal_eur_per_point", step_col, "gap", "knee"):
            if col not in t:
                t[col] = math.nan
        out.append(_table(t, "Impenetrability premium: the least cost of each defeat-rate target", {
            "target": ("target", _pct), "drone_cost_eur": ("least cost", lambda x: _eur(x) if x == x else "unreachable"),
            "marginal_eur_per_point": ("€ per extra point", _eur), step_col: (f"step in {ref}", _n),
            "gap": ("proven gap", lambda x: _pct(x, 1)), "knee": ("", lambda x: "knee" if x is not None and x == x and bool(x) else "")}))
    return out


def used_figures(run: RunFolder) -> list[tuple[str, Any]]:
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


def sources_tables(run: RunFolder) -> list[Table]:
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


def _catalog_paths(run: RunFolder) -> dict[str, str]:
    files = run.manifest.get("files_sha256", {})
    return {k: Path(v["path"]).name for k, v in files.items() if k in ("threats", "sensors", "effectors",
                                                                        "conventional", "sources")}


def _natural(s: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


def _g(x: float) -> str:
    return f"{x:,.6g}" if abs(x) >= 1e4 else f"{x:.6g}"


def scenario_table(run: RunFolder) -> Table:
    c = run.scenario.config
    rows = [["budget", _eur(c.budget.total_eur)], ["horizon", f"{c.budget.horizon_years} years"],
            ["defenders", ", ".join(c.geodata.defenders)], ["neighbours", ", ".join(c.geodata.neighbours)],
            ["raids per year", _g(c.threats.raids_per_year)], ["raid surge factor", _g(c.threats.raid_surge_factor)],
            ["objective", f"{c.objective.kind}"]]
    for dens in c.threats.density:
        borders = dens.borders if isinstance(dens.borders, str) else ", ".join(dens.borders)
        rows.append([f"density: {dens.threat}", f"{_g(dens.drones_per_raid_per_100km)} drones per raid per 100 km "
                                                f"({borders})"])
    rows += [["border cells", f"{c.theater.cell_length_m / 1000:g} km"], ["rules of engagement", c.roe.default],
             ["solver", f"{c.solver.backend}, {c.solver.strategy}, gap target {_pct(c.solver.mip_rel_gap, 1)}, "
                        f"time limit {c.solver.time_limit_s:g} s"]]
    weight = getattr(c.objective, "conventional_weight", None)
    if weight is not None:
        rows.append(["conventional weight", f"one Leopard-2A8 equivalent = {_g(weight)} drones defeated"])
    return Table(f"The scenario's planning assumptions ({Path(run.scenario.path).name})", ["setting", "value"], rows,
                 numeric=[False, False])


def manifest_tables(run: RunFolder) -> list[Table]:
    m = run.manifest
    files = [[k, str(v.get("path", "")), str(v.get("sha256", ""))[:16] + "…"] for k, v in m.get("files_sha256", {}).items()]
    versions = [[k, str(v)] for k, v in m.get("versions", {}).items()]
    timings = [[k, f"{v:.2f} s"] for k, v in m.get("timings_s", {}).items()]
    return [Table("Input files and their hashes (sha256, first 16 characters)", ["input", "path", "sha256"], files,
                  f"Config hash {m.get('config_sha256', '')}; solver status {m.get('status')}; seed {m.get('seed')}; "
                  f"CRS {m.get('crs')}.", numeric=[False] * 3),
            Table("Software", ["package", "version"], versions, numeric=[False, False]),
            Table("Timings of the plan", ["step", "time"], timings)]


def build_briefing(run: RunFolder, maps: list[Path], charts: list[tuple[str, Path]], *,
                   marking: str = DEFAULT_MARKING, webmap: str | None = None,
                   nation_names: dict[str, str] | None = None) -> Briefing:
    """Assemble the briefing. ``maps``: PNG paths of the static maps (overview first); ``charts``: (caption, PNG)."""
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
    missing = [k for k in ("frontier", "premium", "stress", "uncertainty") if k not in run.analyses]
    if missing:
        charts_section.blocks.append(
            "Not in this run: " + ", ".join(missing) + ". Each is a command (`dronewall " + missing[0] + " …`); "
            "give its folder with `--analysis DIR` (or write it into the run folder) and brief again.")
    sources = Section("Assumptions and sources", "sources", [
        "Every number below enters the plan. A figure rests on the sources listed or, where no public source gives "
        "it, on the stated assumption; low and high bounds are given where sources disagree.",
        scenario_table(run), *sources_tables(run)])
    sections = [maps_section, charts_section, Section("Tables", "tables", list(tables(run))), sources,
                Section("Manifest", "manifest", ["What made these numbers, so that they can be made again: "
                                                 "`dronewall run " + Path(run.scenario.path).name + "` with the "
                                                 "inputs and software below.", *manifest_tables(run)])]
    spend = d["spend_eur"]
    links = [("interactive map", webmap)] if webmap else []
    return Briefing(
        title=f"dronewall briefing — {d['scenario']} [{str(d['config_hash'])[:8]}]",
        subtitle=(f"{_eur(d['budget_eur'])} over {d['horizon_years']} years: {_eur(spend['drone_defence'])} on drone "
                  f"defence, {_eur(spend['conventional'])} on conventional forces; "
                  f"{_pct(d['defeat_rate_all_exact'])} of drones defeated"),
        marking=marking, bluf=bottom_line(run), sections=sections, links=links)


# --------------------------------------------------------------------------------------------------------------
# The whole job
# --------------------------------------------------------------------------------------------------------------

def write_briefing(run_dir: Path, out: Path, *, analyses: tuple[Path, ...] = (), marking: str = DEFAULT_MARKING,
                   dpi: int = 300, pdf: bool = True, tiles: str | None = None,
                   tiles_attribution: str = "", force: bool = False) -> dict[str, Any]:
    """Write the briefing of ``run_dir`` into ``out`` (replaced whole on success): ``briefing.html``,
    ``briefing.pdf``, ``interactive-map.html``, ``maps/`` and ``charts/`` (PNG at ``dpi`` and PDF each).
    Returns what was written, with timings."""
    import time

    from planner.outdir import atomic_output_dir
    from planner.report import charts as ch
    from planner.report.briefing_maps import load_map_inputs, write_maps
    from planner.report.webmap import write_webmap

    t0 = time.perf_counter()
    run = load_run(run_dir, analyses)
    inputs = load_map_inputs(run_dir, doc=run.doc, scenario=run.scenario)
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
        a = run.analyses
        if "frontier" in a:
            chart("frontier", "Frontier: drone defence against conventional forces",
                  ch.frontier_figure(a["frontier"].table, a["frontier"].doc))
            if a["frontier"].doc.get("budget_sweep"):
                chart("budget-sweep", "The objective at other budgets",
                      ch.budget_figure(pd.DataFrame(a["frontier"].doc["budget_sweep"]), a["frontier"].doc))
        if "premium" in a:
            chart("premium", "The impenetrability premium", ch.premium_figure(a["premium"].table, a["premium"].doc))
        if "stress" in a:
            chart("stress", "Stress-test outcomes", ch.stress_figure(a["stress"].table, a["stress"].doc))
        if "uncertainty" in a:
            chart("uncertainty", "The plan over the catalogs' uncertainty",
                  ch.uncertainty_figure(a["uncertainty"].table, a["uncertainty"].summary))
        timings["charts_s"] = time.perf_counter() - t
        t = time.perf_counter()
        write_webmap(inputs, tmp / "interactive-map.html", marking=marking, tiles=tiles,
                     tiles_attribution=tiles_attribution)
        timings["webmap_s"] = time.perf_counter() - t
        t = time.perf_counter()
        pngs = [p for p in map_paths if p.suffix == ".png"]
        briefing = build_briefing(run, pngs, charts, marking=marking, webmap="interactive-map.html",
                                  nation_names=dict(zip(inputs.countries["country"], inputs.countries["name"], strict=True)))
        (tmp / "briefing.html").write_text(render_html(briefing, tmp), encoding="utf-8")
        timings["html_s"] = time.perf_counter() - t
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
