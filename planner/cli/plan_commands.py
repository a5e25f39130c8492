"""The commands that read a scenario and plan: ``validate``, ``schema``, ``init``, ``theater`` and ``run``."""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from planner.cli.common import (
    ForceOption,
    MarkingOption,
    check_marking,
    check_out,
    emit_json,
    err_console,
    eur,
    load_scenario_cli,
    out_console,
    pct,
    ratio,
)
from planner.config.schema import all_schemas
from planner.registry import ANALYSES
from planner.report import DEFAULT_MARKING


def validate(config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")]) -> None:
    """Check a scenario, its catalogs and its geodata; print what is wrong, or a summary."""
    from planner.geo.borders import load_geodata
    from planner.sizes import check_size

    scenario = load_scenario_cli(config)
    geodata = load_geodata(scenario)
    size = check_size(scenario, geodata)  # refuses a scenario that would not fit in memory
    cat = scenario.catalog
    n_assumed = sum(1 for _, f in cat.figures() if not f.source)
    out_console.print(f"[green]ok[/green] {escape(str(config))}: scenario '{escape(scenario.name)}' "
                      f"{escape('[' + scenario.short_hash() + ']')}", highlight=False)
    out_console.print(
        f"   catalogs: {len(cat.threats)} threats, {len(cat.sensors)} sensors, {len(cat.effectors)} effectors, "
        f"{len(cat.conventional)} conventional options; {len(cat.figures())} figures "
        f"({n_assumed} marked as assumptions only), {len(cat.sources)} sources"
    )
    out_console.print(
        f"   geodata: {len(geodata.borders)} borders, {geodata.borders.length.sum() / 1000:,.0f} km, "
        f"{len(geodata.assets)} assets; CRS {geodata.crs_reason}"
    )
    out_console.print(f"   size (estimate): {escape(size.describe())}", highlight=False)
    emit_json({"ok": True, "config": config, "scenario": scenario.name, "config_hash": scenario.config_hash(),
               "catalogs": {"threats": len(cat.threats), "sensors": len(cat.sensors), "effectors": len(cat.effectors),
                            "conventional": len(cat.conventional), "figures": len(cat.figures()),
                            "assumptions_only": n_assumed, "sources": len(cat.sources)},
               "geodata": {"borders": len(geodata.borders), "border_km": float(geodata.borders.length.sum() / 1000),
                           "assets": len(geodata.assets), "crs": geodata.crs_reason},
               "size_estimate": size.describe()})


#: Every schema `dronewall schema` prints: the scenario, each catalog, the nations file, plan.json and each
#: analysis's <kind>.json (planner.registry).
SchemaKind = Enum("SchemaKind", {k: k for k in ("scenario", "sources", "threats", "sensors", "effectors",  # type: ignore[misc]
                                                "conventional", "nations", "plan", *(a.kind for a in ANALYSES))},
                  type=str)


def schema(
    kind: Annotated[SchemaKind, typer.Option(
        "--kind", help="Which schema to print: a scenario file, a catalog, the nations file, plan.json (plan) or an "
        "analysis's <kind>.json (decision, stress, ...).")] = SchemaKind.scenario,  # type: ignore[attr-defined]
    out: Annotated[
        Path | None, typer.Option("--out", help="Write every schema (<kind>.schema.json) into this folder.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files, a catalog, plan.json or an analysis's document, or write them all
    to a folder."""
    # outputs' schemas: not the config layer's
    from planner.report.plan_schema import plan_schema
    from planner.report.schemas import analysis_schemas

    schemas = {**all_schemas(), "plan": plan_schema(), **analysis_schemas()}
    if out is None:
        sys.stdout.write(json.dumps(schemas[kind.value], indent=2) + "\n")
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, sch in schemas.items():
        (out / f"{name}.schema.json").write_text(json.dumps(sch, indent=2) + "\n")
    out_console.print(f"wrote {len(schemas)} schemas to {out}")


def init(
    folder: Annotated[Path, typer.Argument(help="Folder to copy the shipped scenarios, catalogs and geodata into.")],
) -> None:
    """Copy the shipped scenarios, catalogs and geodata into FOLDER, to edit (FOLDER/configs, FOLDER/geodata)."""
    from planner.config.shipped import copy_shipped, shipped_scenarios

    written = copy_shipped(folder)
    names = ", ".join(f"{folder}/configs/{p.relative_to(p.parents[1]) if p.parent.name == 'incidents' else p.name}"
                      for p in shipped_scenarios().values())
    out_console.print(f"wrote {', '.join(str(w) for w in written)}: edit a scenario, then `dronewall validate` it "
                      f"({names})", highlight=False)

def theater(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced whole on success).")] = Path(
        "out/theater"
    ),
    force: ForceOption = False,
) -> None:
    """Build the theater (border cells, candidate sites, assets) and write a GeoPackage and a PNG."""
    from planner.geo.theater import build_theater
    from planner.report.theater import write_theater

    t0 = time.perf_counter()
    scenario = load_scenario_cli(config)
    check_out(out, force, scenario)
    th = build_theater(scenario)
    paths = write_theater(th, out, force=force)
    summary = th.summary()
    table = Table(title=f"theater '{scenario.name}' [{scenario.short_hash()}]")
    for col in ("nation", "border km", "cells", "sites"):
        table.add_column(col, justify="right" if col != "nation" else "left")
    for nation, row in summary["per_nation"].items():  # type: ignore[union-attr]
        table.add_row(nation, f"{row['border_km']:,.1f}", str(row["cells"]), str(row["sites"]))
    table.add_row("all", f"{summary['border_km']:,.1f}", str(summary["cells"]), str(summary["sites"]),
                  style="bold")
    out_console.print(table)
    out_console.print(f"CRS: {th.crs_reason}")
    out_console.print(f"{summary['assets']} protected assets, {summary['no_fire_zones']} no-fire zones")
    out_console.print(f"results in {out}/ ({', '.join(p.name for p in paths.values())}) "
                      f"in {time.perf_counter() - t0:.1f} s")
    emit_json({"out": out, "files": [p.name for p in paths.values()], "crs": th.crs_reason, **summary})


def run(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced whole on success).")] = Path(
        "out/plan"
    ),
    brief: Annotated[bool, typer.Option("--brief", help="Also write the briefing into OUT/brief "
                                                        "(as `dronewall brief OUT`).")] = False,
    marking: MarkingOption = DEFAULT_MARKING,
    formats: Annotated[str, typer.Option("--formats", help="Also write the map layers as OUT/layers/<layer>.fgb "
                                         "(FlatGeobuf) or .parquet (GeoParquet, needs pyarrow), comma-separated; "
                                         "plan.gpkg is always written.")] = "",
    force: ForceOption = False,
) -> None:
    """Solve the scenario: where to put which systems, what it defeats, what it costs, what it leaves for tanks."""
    from planner.cli.brief_commands import write_brief
    from planner.plan import solve_scenario
    from planner.report.plan import write_plan
    from planner.report.plan_layers import check_formats
    from planner.runfolder import INPUTS, RUN_FILES

    check_marking(marking)
    layer_formats = check_formats(formats.split(","))
    scenario = load_scenario_cli(config)
    check_out(out, force, scenario)
    with err_console.status(f"planning '{scenario.name}' (solver time limit "
                            f"{scenario.config.solver.time_limit_s:g} s)..."):
        plan = solve_scenario(scenario)
        write_plan(plan, out, force=force, formats=layer_formats)
    s = plan.summary
    spend = s["spend_eur"]
    sv = s["solver"]
    drone_gap = sv.get("gap_drone_defence_max")
    out_console.print(f"plan '{s['scenario']}' {escape('[' + s['config_hash'][:8] + ']')}: solver {sv['status']}: "
                      f"{sv['status_text']}"
                      + (f"; drone-defence part within {100 * drone_gap:.2f}% at most" if drone_gap is not None else "")
                      + f", {s['timings_s']['total_s']:.1f} s", highlight=False)
    out_console.print(f"spend €{spend['total'] / 1e9:.2f}bn of €{s['budget_eur'] / 1e9:.2f}bn: drone defence "
                      f"€{spend['drone_defence'] / 1e9:.2f}bn (munitions €{spend['munitions'] / 1e6:.0f}M), "
                      f"conventional €{spend['conventional'] / 1e9:.2f}bn "
                      f"({s['conventional_capability']:.0f} Leopard-2A8 equivalents)", highlight=False)
    table = Table(title="per threat class (defeat: LP promise / exact evaluation; CER: munitions € per kill / "
                        "drone's cost)")
    for col in ("threat", "LP", "exact", "detect", "leak/raid", "€/kill", "CER"):
        table.add_column(col, justify="left" if col == "threat" else "right")
    for r in plan.threats.itertuples(index=False):
        table.add_row(r.threat, pct(r.defeat_rate_lp), pct(r.defeat_rate_exact), pct(r.detect_rate_exact),
                      f"{r.leakers_per_raid:.1f}", eur(r.munitions_eur_per_defeat), ratio(r.munitions_exchange_ratio))
    out_console.print(table)
    out_console.print(f"results in {out}/ ({', '.join(RUN_FILES)}, {INPUTS}/)")
    if brief:
        write_brief(out, out / "brief", (), marking, 300, True, None, "", False)
    emit_json({"out": out, **({"brief": out / "brief"} if brief else {}), **s})
