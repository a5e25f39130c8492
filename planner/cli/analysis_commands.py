"""The analyses: ``frontier``, ``premium``, ``tornado``, ``robust`` and ``incident`` plan a scenario many times;
``stress``, ``simulate`` and ``uncertainty`` test a plan already written by ``dronewall run``.

Each command declares its options (typer reads them from its signature) and hands them to :func:`run_analysis`,
which does what every analysis does the same way, from its entry in :mod:`planner.registry`: read the input,
check ``--out``, run with a spinner or a progress bar, write the folder, print the console table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from planner.cli.common import (
    AdversaryOption,
    ForceOption,
    OutOption,
    RefineOption,
    SchedulerOption,
    SeedOption,
    WorkersOption,
    check_out,
    emit_json,
    err_console,
    json_mode,
    load_scenario_cli,
    parse_floats,
    progress_bar,
)


def run_analysis(command: str, source: Path, out: Path | None, force: bool, **options: Any) -> None:
    """Run the analysis of ``dronewall <command>`` on ``source`` (a scenario file or a run folder, as the
    analysis :attr:`~planner.registry.AnalysisEntry.reads`) with ``options`` (the keyword arguments of its
    ``run``), write it into ``out`` (None: ``source/<kind>`` for an analysis of a run folder, else
    ``out/<command>``) and print its console table."""
    from planner.cli.analysis_tables import Ran
    from planner.registry import by_command

    entry = by_command(command)
    subject: Any = source
    if entry.reads == "scenario":
        subject = load_scenario_cli(source)
        folder = check_out(out or Path("out") / command, force, subject)
    else:
        folder = check_out(out or Path(source) / entry.kind, force, inputs=[source])
        if entry.reads == "plan":
            from planner.analysis.stress import load_plan

            subject = load_plan(source)
    waiting = entry.waiting.format(**options)
    run = entry.load("run")
    if entry.progress == "bar":
        progress, tick = progress_bar(waiting)
        with progress:
            result = run(subject, **options, progress=tick)
    elif entry.progress == "messages":
        with err_console.status(waiting) as status:
            result = run(subject, **options, progress=lambda msg: status.update(
                f"{waiting.removesuffix('...')}: {msg}..."))
    else:
        with err_console.status(waiting):
            result = run(subject, **options)
    folder = entry.load("write")(result, folder, force=force)
    entry.load("console")(Ran(result=result, folder=folder, subject=subject, options=options))
    if json_mode():
        import json

        emit_json({"out": folder, "command": command, **json.loads((folder / f"{entry.kind}.json").read_text())})


def frontier(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
    out: OutOption = Path("out/frontier"),
    points: Annotated[int, typer.Option("--points", help="Points on the drone/conventional frontier.")] = 11,
    budgets: Annotated[str | None, typer.Option(
        "--budgets", help="Also sweep the total budget: comma-separated euros, e.g. 3e9,6e9,9e9.")] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    refine_until: RefineOption = None,
    adversary: AdversaryOption = False,
    force: ForceOption = False,
) -> None:
    """Drone defence against conventional capability: defeat rates as money moves from one to the other."""
    budget_list = parse_floats(budgets, "--budgets", "3e9,6e9,9e9")
    run_analysis("frontier", config, out, force, points=points, budgets=budget_list, workers=workers,
                 scheduler=scheduler, refine_until_s=refine_until, adversary=adversary)


def premium(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
    out: OutOption = Path("out/premium"),
    targets: Annotated[str, typer.Option(
        "--targets", help="Defeat-rate targets, value-weighted, comma-separated.")] = "0.5,0.7,0.8,0.9,0.95,0.99,0.999",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    refine_until: RefineOption = None,
    adversary: AdversaryOption = False,
    force: ForceOption = False,
) -> None:
    """The impenetrability premium: the least cost of each defeat-rate target and of each extra point."""
    target_list = parse_floats(targets, "--targets", "0.5,0.9,0.99")
    run_analysis("premium", config, out, force, targets=tuple(target_list or ()), workers=workers,
                 scheduler=scheduler, refine_until_s=refine_until, adversary=adversary)


def tornado(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
    out: OutOption = Path("out/tornado"),
    inputs: Annotated[str | None, typer.Option(
        "--inputs", help="Inputs to move, comma-separated: catalog figures with a range by their path (e.g. "
                         "conventional.leopard_2a8.unit_cost_eur, effectors.gun_35mm.p_kill_per_shot.shahed_136) "
                         "or scenario knobs by their config path, optionally with a range "
                         "(objective.conventional_weight=20:120). Default: a curated list.")] = None,
    bisect_steps: Annotated[int, typer.Option(
        "--bisect-steps", help="Halvings of the bracket of each flip (0: report the bracket only).")] = 6,
    mip_rel_gap: Annotated[float | None, typer.Option(
        "--mip-rel-gap", help="Solver gap for every solve (default: the scenario's solver.mip_rel_gap); smaller "
                              "shrinks the swings that are the solver's tolerance, at more time per solve.")] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    force: ForceOption = False,
) -> None:
    """Which inputs move the split between drone defence and conventional forces, and where it flips."""
    names = [v for v in inputs.split(",") if v.strip()] if inputs is not None else None
    run_analysis("tornado", config, out, force, inputs=names, bisect_steps=bisect_steps, mip_rel_gap=mip_rel_gap,
                 workers=workers, scheduler=scheduler)


def alternatives(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
    out: OutOption = Path("out/alternatives"),
    tolerance: Annotated[float, typer.Option(
        "--tolerance", help="How far below the best plan's objective an alternative may be (0.03: within 3%).")] = 0.03,
    aims: Annotated[str, typer.Option(
        "--aims", help="Comma-separated: most_tanks, most_conventional, most_drone_defence, fewest_nations.")] = (
        "most_tanks,most_conventional,most_drone_defence,fewest_nations"),
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    force: ForceOption = False,
) -> None:
    """Near-optimal alternatives: plans within a tolerance of the best that differ as much as possible (most tanks,
    most drone defence, fewest nations, ...)."""
    run_analysis("alternatives", config, out, force, tolerance=tolerance,
                 aims=tuple(a.strip() for a in aims.split(",") if a.strip()), workers=workers, scheduler=scheduler)


def regimes(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file with threats.regimes.")],
    out: OutOption = Path("out/regimes"),
    force: ForceOption = False,
) -> None:
    """Plan for each threat regime (peacetime, grey zone, war, ...) alone and across all at their weights; every
    plan evaluated in every regime."""
    run_analysis("regimes", config, out, force)


def pathway(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file with a pathway section.")],
    out: OutOption = Path("out/pathway"),
    force: ForceOption = False,
) -> None:
    """The plan built up year by year: money committed each year, lead times, production, milestones; what is in
    service at each year's end and what it achieves."""
    run_analysis("pathway", config, out, force)


def stress(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/stress).")] = None,
    target: Annotated[float | None, typer.Option(
        "--target", help="Value-weighted defeat rate below which a case is an expensive failure "
                         "(default: the scenario's lowest class target, else 80% of the plan's nominal rate).")] = None,
    force: ForceOption = False,
) -> None:
    """Hold a plan fixed and degrade the world: jamming, saturation, decoys, an adaptive adversary, lost sensors."""
    run_analysis("stress", plan_dir, out, force, target=target)


def decision(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/decision).")] = None,
    factors: Annotated[str, typer.Option(
        "--factors", help="Solve again with conventional_weight times each of these (the plan itself is 1).")] = "0.5,2",
    force: ForceOption = False,
) -> None:
    """The split between drone defence and conventional forces: the exchange rate behind it in euros per drone
    defeated, and the split at half and double the weight."""
    run_analysis("decision", plan_dir, out, force, factors=tuple(parse_floats(factors, "--factors", "0.5,2") or ()))


def simulate(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/simulation).")] = None,
    drones: Annotated[int, typer.Option("--drones", help="Simulate raids until this many drones have crossed.")] = 100_000,
    seed: SeedOption = None,
    force: ForceOption = False,
) -> None:
    """An independent per-drone Monte Carlo of raids against the plan, compared with its exact evaluation."""
    run_analysis("simulate", plan_dir, out, force, drones=drones, seed=seed)


def uncertainty(
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `dronewall run`.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PLAN_DIR/uncertainty).")] = None,
    draws: Annotated[int, typer.Option("--draws", help="Catalog draws (triangular on low, value, high).")] = 100,
    seed: SeedOption = None,
    target: Annotated[float | None, typer.Option(
        "--target", help="Value-weighted defeat rate a draw must reach (default: the scenario's lowest class "
                         "target, else 80% of the plan's nominal rate).")] = None,
    sampling: Annotated[str, typer.Option(
        "--sampling", help="random: independent triangular draws; lhs: a Latin hypercube over the ranged "
                           "figures (each range covered evenly) and global sensitivity indices.")] = "random",
    scheduler: SchedulerOption = None,
    force: ForceOption = False,
) -> None:
    """Monte Carlo over the catalogs' low/high ranges: the spread of the plan's defeat rate and cost."""
    run_analysis("uncertainty", plan_dir, out, force, draws=draws, seed=seed, target=target, sampling=sampling,
                 scheduler=scheduler)


def robust(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
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
    run_analysis("robust", config, out, force, draws=draws, mode=mode, holdout=holdout, seed=seed, workers=workers)


def adversary(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file, or a shipped scenario by name (eastern-flank, poland, tiny, ukraine-2024-h1, or an incident).")],
    out: OutOption = Path("out/adversary"),
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds for the search of the adversary-aware "
                                                                    "plan (its gap is reported).")] = 300.0,
    frontier_points: Annotated[int, typer.Option(
        "--frontier-points", min=0, help="Plans of the search at other leak caps to hold to their best responses (the "
                                         "adversary-aware frontier; 0: none).")] = 6,
    nominal_floor: Annotated[float, typer.Option(
        "--nominal-floor", help="Each nation's adversary-aware plan also defeats at least this share of the value of "
                                "the scenario's raid over its border (0: none; e.g. 0.5).")] = 0.0,
    force: ForceOption = False,
) -> None:
    """Plan against an adversary who sees the plan: the nominal plan beside the adversary-aware one, both against the
    scenario's raid and their best responses (axis, altitude, decoys), the price of robustness and the
    adversary-aware frontier."""
    run_analysis("adversary", config, out, force, time_limit_s=time_limit, frontier_points=frontier_points,
                 nominal_floor=nominal_floor)


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
    target_list = parse_floats(targets, "--targets", "0.5,0.7,0.85") if targets.strip() else []
    run_analysis("incident", config, out, force, targets=tuple(target_list or ()))
