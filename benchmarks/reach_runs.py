"""How much the reach of each effector type would shrink if written over runs of consecutive candidate sites
(issue #18: sizing the prefix-sum lever before building it). Run by hand, not by make test.

    .venv/bin/python benchmarks/reach_runs.py "1 km cells and sites every 2 km"

Builds one shape of ``benchmarks/shapes.py`` and counts, per effector type, the distinct (cell, site) pairs it may
engage over (the non-zeros its reach and magazine rows carry per cell today, classes aside) and the runs they form
along the type's own chain of candidate sites (the sites in index order that reach any cell: a station's depths
are neighbours, stations follow the border). A row written over prefix sums of the builds along that chain needs
two non-zeros per run instead of one per site. Prints one Markdown row per type and the totals.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

import numpy as np
from shapes import SHAPES, variant  # benchmarks/ is the script's own folder, first on the path

from planner.config.io import load_scenario
from planner.geo.theater import build_theater
from planner.problem import build_problem


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shape", choices=list(SHAPES))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, length = variant(a.shape, Path(tmp))
        sc = load_scenario(str(path))
        theater = sc.config.theater.model_copy(update={"cell_length_m": length})
        sc = dataclasses.replace(sc, config=sc.config.model_copy(update={"theater": theater}))
        p = build_problem(sc, build_theater(sc))
    n_cells, n_sites = len(p.cell_ids), len(p.site_ids)
    key = np.unique((p.eng_effector.astype(np.int64) * n_cells + p.eng_cell) * n_sites + p.eng_site)
    eff, rest = np.divmod(key, n_cells * n_sites)
    cell, site = np.divmod(rest, n_sites)
    print(f"{a.shape}: {n_cells:,} cells, {n_sites:,} sites, {len(p.eng_cell):,} engagement pairs (with classes)")
    print("| effector type | (cell, site) pairs | runs | sites per cell | runs per cell |\n|---|---|---|---|---|")
    pairs = runs = 0
    for k, name in enumerate(p.effector_ids):
        m = eff == k
        if not m.any():
            continue
        chain = np.searchsorted(np.unique(site[m]), site[m])  # the site's place in the type's chain
        c = cell[m]  # sorted by (cell, site): a run starts where the cell changes or the chain skips a site
        start = np.ones(len(c), dtype=bool)
        start[1:] = (c[1:] != c[:-1]) | (chain[1:] != chain[:-1] + 1)
        n_c = len(np.unique(c))
        print(f"| {name} | {int(m.sum()):,} | {int(start.sum()):,} | {m.sum() / n_c:.1f} | {start.sum() / n_c:.2f} |")
        pairs, runs = pairs + int(m.sum()), runs + int(start.sum())
    print(f"| all | {pairs:,} | {runs:,} | | |")


if __name__ == "__main__":
    main()
