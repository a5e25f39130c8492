"""The ``dronewall`` command line.

Every user error ends in one clear message on stderr and a non-zero exit code, never a traceback:
1 bad config or data, 2 infeasible, 3 solver failure, 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from planner import __version__
from planner.config.schema import all_schemas, scenario_schema
from planner.errors import DronewallError
from planner.report import DEFAULT_MARKING

app = typer.Typer(
    name="dronewall",
    help="Plan a counter-drone 'drone wall' and weigh it against conventional forces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False, show_time=False)],
        force=True,
    )


def _version(value: bool) -> None:
    if value:
        out_console.print(f"dronewall {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step (CRS chosen, sizes).")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    _setup_logging(verbose)


@app.command()
def validate(config: Annotated[Path, typer.Argument(help="Scenario YAML file.")]) -> None:
    """Check a scenario, its catalogs and its geodata; print what is wrong, or a summary."""
    from planner.config.io import load_scenario
    from planner.geo.borders import load_geodata
    from planner.sizes import check_size

    scenario = load_scenario(config)
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


class SchemaKind(str, Enum):
    scenario = "scenario"
    sources = "sources"
    threats = "threats"
    sensors = "sensors"
    effectors = "effectors"
    conventional = "conventional"


@app.command()
def schema(
    kind: Annotated[SchemaKind, typer.Option("--kind", help="Which schema to print.")] = SchemaKind.scenario,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write every schema (<kind>.schema.json) into this folder.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (or of a catalog), or write them all to a folder."""
    if out is None:
        schemas = all_schemas()
        text = json.dumps(schemas[kind.value] if kind != SchemaKind.scenario else scenario_schema(), indent=2)
        sys.stdout.write(text + "\n")
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, sch in all_schemas().items():
        (out / f"{name}.schema.json").write_text(json.dumps(sch, indent=2) + "\n")
    out_console.print(f"wrote {len(all_schemas())} schemas to {out}")


@app.command()
def theater(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced whole on success).")] = Path(
        "out/theater"
    ),
    force: ForceOption = False,
) -> None:
    """Build the theater (border cells, candidate sites, assets) and write a GeoPackage and a PNG."""
    from planner.config.io import load_scenario
    from planner.geo.theater import build_theater
    from planner.report.theater import write_theater

    t0 = time.perf_counter()
    scenario = load_scenario(config)
    _check_out(out, force, scenario)
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


ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace --out even if it holds files dronewall did not write (they are deleted).")]
MarkingOption = Annotated[str, typer.Option("--marking", help="Banner at the top and bottom of every map and page.")]
DpiOption = Annotated[int, typer.Option("--dpi", help="Resolution of the PNG maps and charts.", min=72, max=1200)]


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced whole on success).")] = Path(
        "out/plan"
    ),
    brief: Annotated[bool, typer.Option("--brief", help="Also write the briefing into OUT/brief "
                                                        "(as `dronewall brief OUT`).")] = False,
    marking: MarkingOption = DEFAULT_MARKING,
    force: ForceOption = False,
) -> None:
    """Solve the scenario: where to put which systems, what it defeats, what it costs, what it leaves for tanks."""
    from planner.config.io import load_scenario
    from planner.plan import solve_scenario
    from planner.report.plan import write_plan

    _check_marking(marking)
    scenario = load_scenario(config)
    _check_out(out, force, scenario)
    with err_console.status(f"planning '{scenario.name}' (solver time limit "
                            f"{scenario.config.solver.time_limit_s:g} s)..."):
        plan = solve_scenario(scenario)
        write_plan(plan, out, force=force)
    s = plan.summary
    spend = s["spend_eur"]
    out_console.print(f"plan '{s['scenario']}' {escape('[' + s['config_hash'][:8] + ']')}: solver {s['solver']['status']}, "
                      f"gap {_pct(s['solver']['gap'])}, {s['timings_s']['total_s']:.1f} s")
    out_console.print(f"spend €{spend['total'] / 1e9:.2f}bn of €{s['budget_eur'] / 1e9:.2f}bn: drone defence "
                      f"€{spend['drone_defence'] / 1e9:.2f}bn (munitions €{spend['munitions'] / 1e6:.0f}M), "
                      f"conventional €{spend['conventional'] / 1e9:.2f}bn "
                      f"({s['conventional_capability']:.0f} Leopard-2A8 equivalents)", highlight=False)
    table = Table(title="per threat class (defeat: LP promise / exact evaluation; CER: munitions € per kill / "
                        "drone's cost)")
    for col in ("threat", "LP", "exact", "detect", "leak/raid", "€/kill", "CER"):
        table.add_column(col, justify="left" if col == "threat" else "right")
    for r in plan.threats.itertuples(index=False):
        table.add_row(r.threat, _pct(r.defeat_rate_lp), _pct(r.defeat_rate_exact), _pct(r.detect_rate_exact),
                      f"{r.leakers_per_raid:.1f}", _eur(r.munitions_eur_per_defeat), _ratio(r.munitions_exchange_ratio))
    out_console.print(table)
    out_console.print(f"results in {out}/ (plan.json, plan.gpkg, cells.csv, sites.csv, map.png, manifest.json)")
    if brief:
        _brief(out, out / "brief", (), marking, 300, True, None, "", False)


def _floats(text: str | None, option: str, example: str) -> list[float] | None:
    """A comma-separated list of numbers from the command line, or a clear error naming the option."""
    from planner.errors import ConfigError

    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError([(option, f"'{text}' is not a list of numbers: write e.g. {example}")]) from None


def _progress(label: str):  # noqa: ANN202 - a rich Progress used as a context and callback
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True)
    task = progress.add_task(label, total=None)

    def tick(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, tick


OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced whole on success).")]
WorkersOption = Annotated[int | None, typer.Option("--workers", help="Worker processes (default: solver.threads).",
                                                   min=1)]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Run the national MILPs on an existing Dask cluster, e.g. tcp://10.0.0.5:8786.")]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Random seed (default: solver.seed).")]
RefineOption = Annotated[float | None, typer.Option(
    "--refine-until", help="Add prices where a point's gap is above target only before this many seconds "
                           "(default: 3 × solver.time_limit_s); longer runs give tighter proven gaps.")]


@app.command()
def frontier(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: OutOption = Path("out/frontier"),
    points: Annotated[int, typer.Option("--points", help="Points on the drone/conventional frontier.")] = 11,
    budgets: Annotated[str | None, typer.Option(
        "--budgets", help="Also sweep the total budget: comma-separated euros, e.g. 3e9,6e9,9e9.")] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    refine_until: RefineOption = None,
    force: ForceOption = False,
) -> None:
    """Drone defence against conventional capability: defeat rates as money moves from one to the other."""
    from planner.analysis.sweeps import frontier as run_frontier
    from planner.config.io import load_scenario
    from planner.report.sweeps import write_sweep

    budget_list = _floats(budgets, "--budgets", "3e9,6e9,9e9")
    scenario = load_scenario(config)
    _check_out(out, force, scenario)
    progress, tick = _progress("national plans")
    with progress:
        result = run_frontier(scenario, points=points, budgets=budget_list, workers=workers, progress=tick,
                              scheduler=scheduler, refine_until_s=refine_until)
    write_sweep(result, out, force=force)
    table = Table(title=f"frontier of '{scenario.name}' at €{result.meta['budget_eur'] / 1e9:.1f}bn "
                        "(defeat: value-weighted, exact)")
    for col in ("point", "conventional", "drone €bn", "defeat", "gap", ""):
        table.add_column(col, justify="left" if col in ("point", "") else "right")
    for r in result.table.itertuples(index=False):
        table.add_row(r.point, f"{r.conventional_capability:.0f}", f"{r.drone_spend_eur / 1e9:.2f}",
                      _pct(r.defeat_rate_value_exact), _pct(r.gap), "dominated" if r.dominated else "")
    out_console.print(table)
    out_console.print(f"results in {out}/ (frontier.csv, frontier.json, frontier.png"
                      f"{', budget_sweep.csv, budget_sweep.png' if budget_list else ''}, points/) "
                      f"in {result.meta['seconds']:.0f} s")


@app.command()
def premium(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: OutOption = Path("out/premium"),
    targets: Annotated[str, typer.Option(
        "--targets", help="Defeat-rate targets, value-weighted, comma-separated.")] = "0.5,0.7,0.8,0.9,0.95,0.99,0.999",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    refine_until: RefineOption = None,
    force: ForceOption = False,
) -> None:
    """The impenetrability premium: the least cost of each defeat-rate target and of each extra point."""
    from planner.analysis.sweeps import premium as run_premium
    from planner.config.io import load_scenario
    from planner.report.sweeps import write_sweep

    target_list = _floats(targets, "--targets", "0.5,0.9,0.99")
    scenario = load_scenario(config)
    _check_out(out, force, scenario)
    progress, tick = _progress("national plans")
    with progress:
        result = run_premium(scenario, targets=tuple(target_list or ()), workers=workers, progress=tick,
                             scheduler=scheduler, refine_until_s=refine_until)
    write_sweep(result, out, force=force)
    ref = result.meta["reference_option"]
    table = Table(title=f"impenetrability premium of '{scenario.name}' (value-weighted defeat, LP promise)")
    for col in ("target", "least cost", "€ per extra point", f"step in {ref}", "gap", ""):
        table.add_column(col, justify="right" if col not in ("",) else "left")
    for r in result.table.to_dict(orient="records"):
        if not r["reachable"]:
            table.add_row(_pct(r["target"]), "unreachable", "", "", "", f"best {_pct(r['best_reachable_rate_lp'])}")
            continue
        step = r.get(f"step_in_{ref}_units")
        table.add_row(_pct(r["target"]), f"€{r['drone_cost_eur'] / 1e9:.2f}bn",
                      "" if r.get("marginal_eur_per_point") != r.get("marginal_eur_per_point") else
                      f"€{r['marginal_eur_per_point'] / 1e6:,.0f}M",
                      "" if step is None or step != step else f"{step:,.0f}", _pct(r["gap"]),
                      "knee" if r.get("knee") else "")
    out_console.print(table)
    out_console.print(f"results in {out}/ (premium.csv, premium.json, premium.png, points/) "
                      f"in {result.meta['seconds']:.0f} s")


@app.command()
def stress(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/stress).")] = None,
    target: Annotated[float | None, typer.Option(
        "--target", help="Value-weighted defeat rate below which a case is an expensive failure "
                         "(default: the scenario's lowest class target, else 80% of the plan's nominal rate).")] = None,
    force: ForceOption = False,
) -> None:
    """Hold a plan fixed and degrade the world: jamming, saturation, decoys, an adaptive adversary, lost sensors."""
    from planner.analysis.stress import load_plan
    from planner.analysis.stress import stress as run_stress
    from planner.report.stress import write_stress

    folder = _check_out(out or Path(plan_dir) / "stress", force, inputs=[plan_dir])
    loaded = load_plan(plan_dir)
    with err_console.status("stress cases..."):
        result = run_stress(loaded, target=target)
    write_stress(result, folder, force=force)
    table = Table(title=f"stress test of '{loaded.scenario.name}' (expensive failure: below "
                        f"{_pct(result.meta['target'])} while spending stays)")
    for col in ("case", "defeat", "leak/raid", "munitions", "€/defeat", ""):
        table.add_column(col, justify="left" if col in ("case", "") else "right")
    for r in result.table.itertuples(index=False):
        table.add_row(r.case, _pct(r.defeat_rate_value), f"{r.leakers_per_raid:.1f}", f"€{r.munitions_eur / 1e6:,.0f}M",
                      _eur(r.eur_per_defeat), "EXPENSIVE FAILURE" if r.expensive_failure else "")
    out_console.print(table)
    out_console.print(f"results in {folder}/ (stress.csv, stress.json, stress.png)")


@app.command()
def simulate(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/simulation).")] = None,
    drones: Annotated[int, typer.Option("--drones", help="Simulate raids until this many drones have crossed.")] = 100_000,
    seed: SeedOption = None,
    force: ForceOption = False,
) -> None:
    """An independent per-drone Monte Carlo of raids against the plan, compared with its exact evaluation."""
    from planner.report.simulation import write_simulation
    from planner.simulate import simulate as run_simulation

    folder = _check_out(out or Path(plan_dir) / "simulation", force, inputs=[plan_dir])
    with err_console.status(f"simulating {drones:,} drones..."):
        result = run_simulation(plan_dir, drones=drones, seed=seed)
    write_simulation(result, folder, force=force)
    m = result.meta
    table = Table(title=f"simulation of '{m['scenario']}': {m['drones']:,} drones in {m['raids']:,} raids, seed {m['seed']}")
    for col in ("threat", "drones", "simulated", "± 2 s.e.", "exact", "difference"):
        table.add_column(col, justify="left" if col == "threat" else "right")
    for r in result.table.itertuples(index=False):
        table.add_row(r.threat, f"{r.drones_simulated:,}", _pct(r.defeat_rate_sim), _pct(2 * r.standard_error),
                      _pct(r.defeat_rate_exact), f"{r.difference_pp:+.1f} pp")
    out_console.print(table)
    out_console.print(f"results in {folder}/ (simulation.csv, simulation.json)")


@app.command()
def uncertainty(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/uncertainty).")] = None,
    draws: Annotated[int, typer.Option("--draws", help="Catalog draws (triangular on low, value, high).")] = 100,
    seed: SeedOption = None,
    target: Annotated[float | None, typer.Option(
        "--target", help="Value-weighted defeat rate a draw must reach (default: the scenario's lowest class "
                         "target, else 80% of the plan's nominal rate).")] = None,
    force: ForceOption = False,
) -> None:
    """Monte Carlo over the catalogs' low/high ranges: the spread of the plan's defeat rate and cost."""
    from planner.analysis.stress import load_plan
    from planner.analysis.uncertainty import uncertainty as run_uncertainty
    from planner.report.uncertainty import write_uncertainty

    folder = _check_out(out or Path(plan_dir) / "uncertainty", force, inputs=[plan_dir])
    loaded = load_plan(plan_dir)
    with err_console.status(f"{draws} catalog draws..."):
        result = run_uncertainty(loaded, draws=draws, seed=seed, target=target)
    write_uncertainty(result, folder, force=force)
    m = result.summary
    out_console.print(f"'{m['scenario']}': {m['draws']} draws (seed {m['seed']}): value-weighted defeat "
                      f"{_pct(m['rate_p05'])} – {_pct(m['rate_p50'])} – {_pct(m['rate_p95'])} (5th, 50th, 95th "
                      f"percentile; nominal {_pct(m['nominal_rate'])}); probability of missing "
                      f"{_pct(m['target'])}: {_pct(m['p_miss_target'])}; drone defence "
                      f"€{m['drone_defence_eur_p05'] / 1e9:.2f}–{m['drone_defence_eur_p95'] / 1e9:.2f}bn", highlight=False)
    out_console.print(f"results in {folder}/ (uncertainty.csv, uncertainty.json, uncertainty.png)")


@app.command()
def robust(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: OutOption = Path("out/robust"),
    draws: Annotated[int, typer.Option("--draws", help="Catalog draws the robust plan is planned against "
                                                       "(besides the nominal catalogs).")] = 4,
    mode: Annotated[str, typer.Option("--mode", help="worst: maximise the worst world's defeats; expected: "
                                                     "their mean.")] = "worst",
    holdout: Annotated[int, typer.Option("--holdout", help="Fresh draws both plans are tested in.")] = 20,
    seed: SeedOption = None,
    workers: WorkersOption = None,
    force: ForceOption = False,
) -> None:
    """Plan against a set of catalog draws and report the price of robustness against the nominal plan."""
    from planner.analysis.robust import robust as run_robust
    from planner.config.io import load_scenario
    from planner.report.robust import write_robust

    scenario = load_scenario(config)
    _check_out(out, force, scenario)
    with err_console.status("robust planning...") as status:
        result = run_robust(scenario, draws=draws, mode=mode, holdout=holdout, seed=seed, workers=workers,
                            progress=lambda msg: status.update(f"robust planning: {msg}..."))
    folder = write_robust(result, out, force=force)
    m = result.summary
    table = Table(title=f"'{m['scenario']}': nominal against robust ({m['mode']}, {m['worlds_planned']} worlds, "
                        f"seed {m['seed']}); value-weighted defeat, exact")
    for col in ("plan", "nominal", "plan. worst", "h-o worst", "h-o 5th", "h-o mean", "drone €bn", "conv."):
        table.add_column(col, justify="left" if col == "plan" else "right")
    for name, r in m["plans"].items():
        table.add_row(name, _pct(r["nominal_rate"]), _pct(r["planning_worst"]), _pct(r["held_out_worst"]),
                      _pct(r["held_out_p05"]), _pct(r["held_out_mean"]), f"{r['drone_defence_eur'] / 1e9:.2f}",
                      f"{r['conventional_capability']:.0f}")
    out_console.print(table)
    out_console.print(f"(plan. = the {m['worlds_planned']} planning worlds; h-o = {m['holdout']} held-out draws; "
                      "conv. = conventional capability)", highlight=False)
    out_console.print(f"price of robustness: {m['price_of_robustness_pp']:+.1f} pp at the nominal catalogs; gain in "
                      f"the worst held-out draw {m['gain_held_out_worst_pp']:+.1f} pp, at the 5th percentile "
                      f"{m['gain_held_out_p05_pp']:+.1f} pp (solver tolerance ±{m['resolution_pp']:.1f} pp)",
                      highlight=False)
    out_console.print(f"results in {folder}/ (robust.csv, robust.json, robust.png, plans/) in {m['seconds']:.0f} s")


@app.command()
def incident(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file with an incident block, e.g. "
                                                "configs/incidents/poland-2025-09.yaml.")],
    out: OutOption = Path("out/incident"),
    targets: Annotated[str, typer.Option(
        "--targets", help="Also price the cheapest wall reaching these defeat rates (every class), "
                          "comma-separated; '' for none.")] = "0.5,0.7,0.85",
    force: ForceOption = False,
) -> None:
    """Replay a real incident: what happened, the posture as it was (model) and drone-wall plans."""
    from planner.analysis.incident import replay
    from planner.config.io import load_scenario
    from planner.report.incident import write_incident

    target_list = _floats(targets, "--targets", "0.5,0.7,0.85") if targets.strip() else []
    scenario = load_scenario(config)
    _check_out(out, force, scenario)
    with err_console.status("replaying the incident..."):
        result = replay(scenario, targets=tuple(target_list or ()))
    folder = write_incident(result, out, force=force)
    m = result.summary
    table = Table(title=f"{m['incident']} ({m['date']}): one raid of {m['modelled_drones_per_raid']:.0f} drones")
    for col in ("case", "defeated", "rate", "€/defeat", "× drone", "all-in €/defeat", "gap"):
        table.add_column(col, justify="left" if col == "case" else "right")
    for r in result.table.itertuples(index=False):
        rate = _pct(r.defeat_rate) + (f" ({_pct(r.defeat_rate_low)}–{_pct(r.defeat_rate_high)})"
                                      if r.defeat_rate_low == r.defeat_rate_low else "")
        table.add_row(r.case, f"{r.defeated_per_raid:.1f}", rate, _eur(r.munitions_eur_per_defeat),
                      _ratio(r.munitions_exchange_ratio), _eur(getattr(r, "all_in_eur_per_defeat", float("nan"))),
                      _pct(getattr(r, "gap", float("nan"))))
    out_console.print(table)
    out_console.print(f"the model's posture as it was: {m['model_minus_observed_pp']:+.1f} pp against the observed "
                      f"rate ({'within' if m['observed_within_model_range'] else 'outside'} the sources' range); "
                      f"the wall adds {m['wall_minus_posture_pp']:+.1f} pp for "
                      f"€{m['wall_drone_defence_eur'] / 1e9:.2f}bn over {m['wall_horizon_years']} years",
                      highlight=False)
    for name, why in m["unreachable"].items():
        out_console.print(f"{name}: unreachable ({why})", highlight=False)
    out_console.print(f"results in {folder}/ (incident.csv, incident.json, incident.png, plans/)")


@app.command()
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
    _check_marking(marking)
    t0 = time.perf_counter()
    folder = _check_out(out or Path(plan_dir) / "maps", force, inputs=[plan_dir])
    inputs = load_map_inputs(plan_dir)
    with atomic_output_dir(folder, keep=Path(plan_dir), force=force) as tmp, err_console.status("drawing maps..."):
        paths = write_maps(inputs, tmp, marking=marking, dpi=dpi, formats=kinds)
    out_console.print(f"{len(paths)} files in {folder}/ (map-overview and one map per nation; "
                      f"{', '.join(kinds)}) in {time.perf_counter() - t0:.1f} s")


@app.command()
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
    _check_marking(marking)
    _brief(run_dir, out or Path(run_dir) / "brief", tuple(analysis or ()), marking, dpi, pdf, tiles, tiles_attribution,
           force)


def _check_out(out: Path, force: bool, scenario: Any = None, inputs: list[Path] | tuple[Path, ...] = ()) -> Path:
    """Refuse a bad --out before any work is done (the writer checks again when it writes)."""
    from planner.outdir import check_output_dir

    if scenario is not None:
        inputs = [*inputs, scenario.path, *scenario.files.values()]
    return check_output_dir(out, force=force, inputs=inputs)


def _check_marking(marking: str) -> None:
    from planner.errors import ConfigError

    if not marking.strip():
        raise ConfigError([("--marking", "the banner is empty: give the marking the maps carry, e.g. "
                                         "'UNCLASSIFIED — FOR EXERCISE'")])


def _brief(run_dir: Path, out: Path, analyses: tuple[Path, ...], marking: str, dpi: int, pdf: bool,
           tiles: str | None, tiles_attribution: str, force: bool) -> None:
    from planner.errors import ConfigError
    from planner.report.brief import write_briefing

    if tiles is not None and not all(k in tiles for k in ("{z}", "{x}", "{y}")):
        raise ConfigError([("--tiles", f"'{tiles}' has no {{z}}, {{x}} and {{y}}: give a tile URL template, e.g. "
                                       "https://tile.example.org/{z}/{x}/{y}.png")])
    _check_out(out, force, inputs=[run_dir, *analyses])
    with err_console.status("writing the briefing (maps, charts, interactive map, report)..."):
        result = write_briefing(run_dir, out, analyses=analyses, marking=marking, dpi=dpi, pdf=pdf, tiles=tiles,
                                tiles_attribution=tiles_attribution, force=force)
    included = ", ".join(result["analyses"]) or "none (run stress, frontier, premium, uncertainty to add them)"
    out_console.print(f"briefing in {out}/ (briefing.html{', briefing.pdf' if pdf else ''}, interactive-map.html, "
                      f"maps/, charts/) in {result['timings_s']['total_s']:.1f} s; analyses included: {included}",
                      highlight=False)


def _pct(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.1f}%"


def _eur(x: float) -> str:
    return "n/a" if x != x else f"€{x:,.0f}"


def _ratio(x: float) -> str:
    return "n/a" if x != x else f"{x:.2f}"


#: The signal that stopped the command (typer turns the KeyboardInterrupt it raises into exit code 130).
_stopped_by: list[int] = []


def _interrupted() -> None:
    """The message and exit code (128 + signal number) of a command stopped by Ctrl-C or SIGTERM."""
    import signal

    kept = []
    if "planner.outdir" in sys.modules:  # nothing can have been written before this module was loaded
        from planner.outdir import kept_outputs

        kept = kept_outputs()
    what = (f"kept {', '.join(str(p) for p in kept)} (complete); nothing else was written" if kept
            else "nothing was written")
    err_console.print(f"interrupted: {what}", highlight=False, soft_wrap=True)
    sys.exit(128 + (_stopped_by[-1] if _stopped_by else signal.SIGINT))


def _on_signal(signum: int, frame: object) -> None:
    _stopped_by.append(signum)
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point: run the app, turning user errors into messages and exit codes.

    Exit codes: 0 done, 1 bad input, 2 infeasible, 3 solver failure, 130 Ctrl-C, 143 SIGTERM.
    """
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)  # clean up as for Ctrl-C (temporary folders, workers)
    try:
        code = app(standalone_mode=False)
    except DronewallError as exc:
        err_console.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _interrupted()
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except RecursionError:
        err_console.print("[bold red]error:[/bold red] an input is nested too deeply to read: check the scenario, "
                          "catalog and run-folder files", highlight=False, soft_wrap=True)
        sys.exit(1)
    except Exception as exc:
        # Usage errors (typer vendors click, so match the class by name rather than import it).
        if any(cls.__name__ == "ClickException" for cls in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(1)  # bad arguments are bad input: exit code 2 means 'infeasible' here
        raise
    # With standalone_mode=False typer *returns* the code of a typer.Exit raised in a command, and turns
    # Ctrl-C (KeyboardInterrupt) into Exit(130): a returned 130 is an interrupt, never success.
    if code == 130:
        _interrupted()
    if isinstance(code, int) and code != 0:
        sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
