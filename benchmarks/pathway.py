"""Pathway benchmark: a scenario's procurement pathway, timed year by year (run by hand, not by make test).

    .venv/bin/python benchmarks/pathway.py configs/eastern-flank.yaml [--time-limit 180]

Prints the wall clock of the whole (theater and problem built, every year planned and evaluated exactly, the tables)
and a Markdown row per year: its solve's seconds, its proven gap, units in service and new, the exact shares, and
the milestones met. The acceptance of issue #16: the default scenario's five years each to a 1% gap in at most
2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from planner.analysis.roadmap import pathway
    from planner.config.io import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--time-limit", type=float, default=None, help="pathway.time_limit_s (default: the scenario's)")
    args = parser.parse_args()
    scenario = load_scenario(args.config)
    if scenario.config.pathway is None:
        sys.exit(f"{args.config}: no pathway section")
    if args.time_limit is not None:
        pathway_cfg = scenario.config.pathway.model_copy(update={"time_limit_s": args.time_limit})
        scenario = dataclasses.replace(scenario, config=scenario.config.model_copy(update={"pathway": pathway_cfg}))
    t0 = time.perf_counter()
    result = pathway(scenario)
    wall = time.perf_counter() - t0
    print(f"{args.config.name}: pathway {result.meta['calendar_years'][0]}-{result.meta['calendar_years'][-1]} in "
          f"{wall:.1f} s wall (time limit {scenario.config.pathway.time_limit_s:g} s)\n")
    print("| year | solve s | gap | units (new) | defeated (value) | detected | milestones met |")
    print("|---|---|---|---|---|---|---|")
    for r in result.table.itertuples():
        print(f"| {r.year} | {r.seconds:.1f} | {100 * r.gap:.2f}% | {r.sensors + r.effectors} ({r.new_units}) | "
              f"{100 * r.defeat_share_value_exact:.1f}% | {100 * r.detect_share_exact:.1f}% | "
              f"{r.milestones_met}/{r.milestones} |")


if __name__ == "__main__":
    main()
