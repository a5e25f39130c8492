"""The commands that read a run folder to brief on it: ``maps`` (static maps for slides) and ``brief`` (the
briefing); ``dronewall run --brief`` writes the briefing through :func:`write_brief` too."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import (
    DpiOption,
    ForceOption,
    MarkingOption,
    check_marking,
    check_out,
    err_console,
    out_console,
)
from planner.report import DEFAULT_MARKING


def maps(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/maps).")] = None,
    marking: MarkingOption = DEFAULT_MARKING,
    dpi: DpiOption = 300,
    formats: Annotated[str, typer.Option("--formats", help="Comma-separated: png, pdf, svg.")] = "png,pdf",
    force: ForceOption = False,
) -> None:
    """Briefing maps of a plan: the whole flank and one per nation (PNG at 300 dpi, PDF)."""
    import time

    from planner.errors import ConfigError
    from planner.outdir import atomic_output_dir
    from planner.report.briefing_maps import load_map_inputs, write_maps

    kinds = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    bad = [f for f in kinds if f not in ("png", "pdf", "svg")]
    if bad or not kinds:
        raise ConfigError([("--formats", f"'{formats}' is not a list of png, pdf, svg: write e.g. png,pdf")])
    check_marking(marking)
    t0 = time.perf_counter()
    folder = check_out(out or Path(plan_dir) / "maps", force, inputs=[plan_dir])
    inputs = load_map_inputs(plan_dir)
    with atomic_output_dir(folder, keep=Path(plan_dir), force=force) as tmp, err_console.status("drawing maps..."):
        paths = write_maps(inputs, tmp, marking=marking, dpi=dpi, formats=kinds)
    out_console.print(f"{len(paths)} files in {folder}/ (map-overview and one map per nation; "
                      f"{', '.join(kinds)}) in {time.perf_counter() - t0:.1f} s")


def brief(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run` (with any analyses in it).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: RUN_DIR/brief; replaced "
                                                                 "whole on success).")] = None,
    analysis: Annotated[list[Path] | None, typer.Option(
        "--analysis", "-a", help="A frontier, premium, stress, uncertainty or simulation folder of the same "
                                 "scenario to include (repeatable); those inside RUN_DIR are found by themselves.")] = None,
    marking: MarkingOption = DEFAULT_MARKING,
    dpi: DpiOption = 300,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write briefing.pdf.")] = True,
    tiles: Annotated[str | None, typer.Option(
        "--tiles", help="Tile server for the interactive map's background, e.g. "
                        "https://tile.example.org/{z}/{x}/{y}.png (default: none; the shipped geodata).")] = None,
    tiles_attribution: Annotated[str, typer.Option("--tiles-attribution", help="Credit line the tiles require.")] = "",
    force: ForceOption = False,
) -> None:
    """The briefing: one HTML file (and a PDF) with the bottom line up front, maps, charts, tables, sources, manifest."""
    check_marking(marking)
    write_brief(run_dir, out or Path(run_dir) / "brief", tuple(analysis or ()), marking, dpi, pdf, tiles,
                tiles_attribution, force)


def write_brief(run_dir: Path, out: Path, analyses: tuple[Path, ...], marking: str, dpi: int, pdf: bool,
                tiles: str | None, tiles_attribution: str, force: bool) -> None:
    """Check the tile server and ``out``, write the briefing of ``run_dir`` and say what it holds."""
    from planner.errors import ConfigError
    from planner.report.brief import write_briefing

    if tiles is not None and not all(k in tiles for k in ("{z}", "{x}", "{y}")):
        raise ConfigError([("--tiles", f"'{tiles}' has no {{z}}, {{x}} and {{y}}: give a tile URL template, e.g. "
                                       "https://tile.example.org/{z}/{x}/{y}.png")])
    check_out(out, force, inputs=[run_dir, *analyses])
    with err_console.status("writing the briefing (maps, charts, interactive map, report)..."):
        result = write_briefing(run_dir, out, analyses=analyses, marking=marking, dpi=dpi, pdf=pdf, tiles=tiles,
                                tiles_attribution=tiles_attribution, force=force)
    included = ", ".join(result["analyses"]) or "none (run stress, frontier, premium, uncertainty or adversary to add them)"
    out_console.print(f"briefing in {out}/ (briefing.html{', briefing.pdf' if pdf else ''}, interactive-map.html, "
                      f"maps/, charts/, slides/) in {result['timings_s']['total_s']:.1f} s; analyses included: {included}",
                      highlight=False)


def compare(
    run_a: Annotated[Path, typer.Argument(help="A folder written by `dronewall run` (the reference).")],
    run_b: Annotated[Path, typer.Argument(help="Another run folder, compared with the first.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write compare.json into this folder "
                                                                 "(replaced whole on success).")] = None,
    force: ForceOption = False,
) -> None:
    """What changed between two runs: their inputs (scenario settings, catalog figures) and their outcome."""
    import json

    from rich.table import Table

    from planner.cli.common import eur, pct
    from planner.outdir import atomic_output_dir
    from planner.report.compare import compare_runs

    if out is not None:
        check_out(out, force, inputs=[run_a, run_b])
    result = compare_runs(run_a, run_b)
    inputs = result["inputs"]
    if result["same_inputs"]:
        out_console.print("the same inputs (config hash "
                          f"{str(result['a']['config_hash'])[:8]}): only the solve can differ", highlight=False)
    for title, rows in (("scenario settings that differ", inputs["scenario"]),
                        ("input files that differ (SHA-256)", inputs["files"]),
                        ("catalog figures that differ", inputs["catalog_figures"])):
        if not rows:
            continue
        table = Table(title=f"{title} ({len(rows)})")
        for col in ("setting", "A", "B"):
            table.add_column(col)
        for r in rows[:30]:
            table.add_row(r["path"], *(text if len(text := str(r[k])) <= 80 else text[:77] + "..." for k in "ab"))
        out_console.print(table)
        if len(rows) > 30:
            out_console.print(f"and {len(rows) - 30} more (all in compare.json with --out)")

    def fmt(key: str, x: float | None) -> str:
        if x is None:
            return "n/a"
        if "eur" in key or key.startswith("spend"):
            return eur(x)
        if "rate" in key or key.startswith("defeat") or key.endswith("gap"):
            return pct(x)
        return f"{x:,.0f}" if key.startswith("units") else f"{x:,.1f}"

    outcome = result["outcome"]
    table = Table(title=f"outcome: {result['a']['scenario']} (A) and {result['b']['scenario']} (B)")
    for col in ("", "A", "B", "B − A"):
        table.add_column(col, justify="left" if not col else "right")
    for part, key_fmt in (("headline", None), ("defeat_by_class", "defeat"), ("units_by_system", "units"),
                          ("spend_by_nation_eur", "spend")):
        for r in outcome[part]:
            if part != "headline" and r["change"] == 0:
                continue
            key = r["key"] if key_fmt is None else f"{key_fmt}.{r['key']}"
            label = r["what"] if part == "headline" else f"{key_fmt}: {r['key'].removeprefix('defeat.')}"
            change = r["change"]
            sign = "+" if change is not None and change > 0 else ("−" if change is not None and change < 0 else "")
            table.add_row(label, fmt(key, r["a"]), fmt(key, r["b"]),
                          "" if change is None else sign + fmt(key, abs(change)))
    out_console.print(table)
    if out is not None:
        with atomic_output_dir(out, force=force) as tmp:
            (tmp / "compare.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        out_console.print(f"results in {out}/ (compare.json)")
