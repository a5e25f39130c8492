"""The analyses: ``frontier``, ``premium``, ``robust`` and ``incident`` plan a scenario many times; ``stress``,
``simulate`` and ``uncertainty`` test a plan already written by ``dronewall run``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from planner.cli.common import (
    ForceOption,
    OutOption,
    RefineOption,
    SchedulerOption,
    SeedOption,
    WorkersOption,
    check_out,
    err_console,
    eur,
    out_console,
    parse_floats,
    pct,
    progress_bar,
    ratio,
)


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

    budget_list = parse_floats(budgets, "--budgets", "3e9,6e9,9e9")
    scenario = load_scenario(config)
    check_out(out, force, scenario)
    progress, tick = progress_bar("national plans")
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
                      pct(r.defeat_rate_value_exact), pct(r.gap), "dominated" if r.dominated else "")
    out_console.print(table)
    out_console.print(f"results in {out}/ (frontier.csv, frontier.json, frontier.png"
                      f"{', budget_sweep.csv, budget_sweep.png' if budget_list else ''}, points/) "
                      f"in {result.meta['seconds']:.0f} s")


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

    target_list = parse_floats(targets, "--targets", "0.5,0.9,0.99")
    scenario = load_scenario(config)
    check_out(out, force, scenario)
    progress, tick = progress_bar("national plans")
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
            table.add_row(pct(r["target"]), "unreachable", "", "", "", f"best {pct(r['best_reachable_rate_lp'])}")
            continue
        step = r.get(f"step_in_{ref}_units")
        table.add_row(pct(r["target"]), f"€{r['drone_cost_eur'] / 1e9:.2f}bn",
                      "" if r.get("marginal_eur_per_point") != r.get("marginal_eur_per_point") else
                      f"€{r['marginal_eur_per_point'] / 1e6:,.0f}M",
                      "" if step is None or step != step else f"{step:,.0f}", pct(r["gap"]),
                      "knee" if r.get("knee") else "")
    out_console.print(table)
    out_console.print(f"results in {out}/ (premium.csv, premium.json, premium.png, points/) "
                      f"in {result.meta['seconds']:.0f} s")


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

    folder = check_out(out or Path(plan_dir) / "stress", force, inputs=[plan_dir])
    loaded = load_plan(plan_dir)
    with err_console.status("stress cases..."):
        result = run_stress(loaded, target=target)
    write_stress(result, folder, force=force)
    table = Table(title=f"stress test of '{loaded.scenario.name}' (expensive failure: below "
                        f"{pct(result.meta['target'])} while spending stays)")
    for col in ("case", "defeat", "leak/raid", "munitions", "€/defeat", ""):
        table.add_column(col, justify="left" if col in ("case", "") else "right")
    for r in result.table.itertuples(index=False):
        table.add_row(r.case, pct(r.defeat_rate_value), f"{r.leakers_per_raid:.1f}", f"€{r.munitions_eur / 1e6:,.0f}M",
                      eur(r.eur_per_defeat), "EXPENSIVE FAILURE" if r.expensive_failure else "")
    out_console.print(table)
    out_console.print(f"results in {folder}/ (stress.csv, stress.json, stress.png)")


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

    folder = check_out(out or Path(plan_dir) / "simulation", force, inputs=[plan_dir])
    with err_console.status(f"simulating {drones:,} drones..."):
        result = run_simulation(plan_dir, drones=drones, seed=seed)
    write_simulation(result, folder, force=force)
    m = result.meta
    table = Table(title=f"simulation of '{m['scenario']}': {m['drones']:,} drones in {m['raids']:,} raids, seed {m['seed']}")
    for col in ("threat", "drones", "simulated", "± 2 s.e.", "exact", "difference"):
        table.add_column(col, justify="left" if col == "threat" else "right")
    for r in result.table.itertuples(index=False):
        table.add_row(r.threat, f"{r.drones_simulated:,}", pct(r.defeat_rate_sim), pct(2 * r.standard_error),
                      pct(r.defeat_rate_exact), f"{r.difference_pp:+.1f} pp")
    out_console.print(table)
    out_console.print(f"results in {folder}/ (simulation.csv, simulation.json)")


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

    folder = check_out(out or Path(plan_dir) / "uncertainty", force, inputs=[plan_dir])
    loaded = load_plan(plan_dir)
    with err_console.status(f"{draws} catalog draws..."):
        result = run_uncertainty(loaded, draws=draws, seed=seed, target=target)
    write_uncertainty(result, folder, force=force)
    m = result.summary
    out_console.print(f"'{m['scenario']}': {m['draws']} draws (seed {m['seed']}): value-weighted defeat "
                      f"{pct(m['rate_p05'])} – {pct(m['rate_p50'])} – {pct(m['rate_p95'])} (5th, 50th, 95th "
                      f"percentile; nominal {pct(m['nominal_rate'])}); probability of missing "
                      f"{pct(m['target'])}: {pct(m['p_miss_target'])}; drone defence "
                      f"€{m['drone_defence_eur_p05'] / 1e9:.2f}–{m['drone_defence_eur_p95'] / 1e9:.2f}bn", highlight=False)
    out_console.print(f"results in {folder}/ (uncertainty.csv, uncertainty.json, uncertainty.png)")


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
    check_out(out, force, scenario)
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
        table.add_row(name, pct(r["nominal_rate"]), pct(r["planning_worst"]), pct(r["held_out_worst"]),
                      pct(r["held_out_p05"]), pct(r["held_out_mean"]), f"{r['drone_defence_eur'] / 1e9:.2f}",
                      f"{r['conventional_capability']:.0f}")
    out_console.print(table)
    out_console.print(f"(plan. = the {m['worlds_planned']} planning worlds; h-o = {m['holdout']} held-out draws; "
                      "conv. = conventional capability)", highlight=False)
    out_console.print(f"price of robustness: {m['price_of_robustness_pp']:+.1f} pp at the nominal catalogs; gain in "
                      f"the worst held-out draw {m['gain_held_out_worst_pp']:+.1f} pp, at the 5th percentile "
                      f"{m['gain_held_out_p05_pp']:+.1f} pp (solver tolerance ±{m['resolution_pp']:.1f} pp)",
                      highlight=False)
    out_console.print(f"results in {folder}/ (robust.csv, robust.json, robust.png, plans/) in {m['seconds']:.0f} s")


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

    target_list = parse_floats(targets, "--targets", "0.5,0.7,0.85") if targets.strip() else []
    scenario = load_scenario(config)
    check_out(out, force, scenario)
    with err_console.status("replaying the incident..."):
        result = replay(scenario, targets=tuple(target_list or ()))
    folder = write_incident(result, out, force=force)
    m = result.summary
    table = Table(title=f"{m['incident']} ({m['date']}): one raid of {m['modelled_drones_per_raid']:.0f} drones")
    for col in ("case", "defeated", "rate", "€/defeat", "× drone", "all-in €/defeat", "gap"):
        table.add_column(col, justify="left" if col == "case" else "right")
    for r in result.table.itertuples(index=False):
        rate = pct(r.defeat_rate) + (f" ({pct(r.defeat_rate_low)}–{pct(r.defeat_rate_high)})"
                                      if r.defeat_rate_low == r.defeat_rate_low else "")
        table.add_row(r.case, f"{r.defeated_per_raid:.1f}", rate, eur(r.munitions_eur_per_defeat),
                      ratio(r.munitions_exchange_ratio), eur(getattr(r, "all_in_eur_per_defeat", float("nan"))),
                      pct(getattr(r, "gap", float("nan"))))
    out_console.print(table)
    out_console.print(f"the model's posture as it was: {m['model_minus_observed_pp']:+.1f} pp against the observed "
                      f"rate ({'within' if m['observed_within_model_range'] else 'outside'} the sources' range); "
                      f"the wall adds {m['wall_minus_posture_pp']:+.1f} pp for "
                      f"€{m['wall_drone_defence_eur'] / 1e9:.2f}bn over {m['wall_horizon_years']} years",
                      highlight=False)
    for name, why in m["unreachable"].items():
        out_console.print(f"{name}: unreachable ({why})", highlight=False)
    out_console.print(f"results in {folder}/ (incident.csv, incident.json, incident.png, plans/)")
