"""Theater sizes and build times of a scenario at several cell lengths (run by hand, not by make test).

    .venv/bin/python benchmarks/theater_sizes.py configs/eastern-flank.yaml 10000 5000 2000 1000

Prints a Markdown table: cell length, cells, candidate sites, assets, build seconds, and the same
with site spacing equal to the cell length.
"""

from __future__ import annotations

import dataclasses
import sys
import time

from planner.config.io import load_scenario
from planner.geo.borders import load_geodata
from planner.geo.theater import build_theater


def main(argv: list[str]) -> None:
    config, lengths = argv[0], [float(x) for x in argv[1:]] or [10_000, 5_000, 2_000, 1_000]
    scenario = load_scenario(config)
    t0 = time.perf_counter()
    geodata = load_geodata(scenario)
    print(f"geodata load: {time.perf_counter() - t0:.2f} s; {geodata.borders.length.sum() / 1000:,.1f} km\n")
    print("| cell length | site spacing | cells | sites | assets | build s |")
    print("|---|---|---|---|---|---|")
    base_spacing = scenario.config.theater.site_spacing_m
    for spacing_same in (False, True):
        for length in lengths:
            spacing = length if spacing_same else base_spacing
            th_cfg = scenario.config.theater.model_copy(update={"cell_length_m": length, "site_spacing_m": spacing})
            sc = dataclasses.replace(scenario, config=scenario.config.model_copy(update={"theater": th_cfg}))
            t = time.perf_counter()
            th = build_theater(sc, geodata)
            dt = time.perf_counter() - t
            print(f"| {length / 1000:g} km | {spacing / 1000:g} km | {len(th.cells):,} | {len(th.sites):,} | "
                  f"{len(th.assets)} | {dt:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
