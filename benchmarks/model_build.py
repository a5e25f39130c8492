"""One nation's priced model built site by site and over runs of sites (issue #18: what planner/lp/runs.py saves).
Run by hand, not by make test.

    .venv/bin/python benchmarks/model_build.py configs/eastern-flank.yaml FI --cell-m 1000 --site-spacing-m 2000

Builds the nation's part of the scenario (with the memory guard lifted: the size is the point) and its model at the
first price twice, each in a process of its own (so that the memory one build frees does not hide the other's):
first with every row written site by site (``RUN_MIN_SITES`` above any row), then as the planner writes it; prints
one Markdown row each: build seconds, rows, columns, non-zeros and the process's resident memory added by the build.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from nation import national_part, shape_arguments  # benchmarks/ is the script's own folder, first on the path

import planner.lp.kill_chain as kill_chain
from planner.lp.formulation import build_model


def _rss_mb() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) // 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shape_arguments(ap)
    ap.add_argument("--one", choices=["site_by_site", "runs"], default=None, help="(internal) one build, no header")
    a = ap.parse_args()
    if a.one is None:
        print("| rows written | build s | rows | columns | non-zeros | memory added MB |\n|---|---|---|---|---|---|",
              flush=True)
        for one in ("site_by_site", "runs"):
            subprocess.run([sys.executable, *sys.argv, "--one", one], check=True)
        return
    p, sub, mu = national_part(a, lift_memory_guard=True)
    del p
    if a.one == "site_by_site":
        kill_chain.RUN_MIN_SITES = 10**12
    label = "site by site" if a.one == "site_by_site" else f"over runs (≥ {kill_chain.RUN_MIN_SITES} sites)"
    before = _rss_mb()
    t0 = time.perf_counter()
    prob, _ = build_model(sub, money_price=mu)
    seconds = time.perf_counter() - t0
    nonzeros = sum(len(c) for c in prob.constraints.values())
    print(f"| {label} | {seconds:.1f} | {len(prob.constraints):,} | {len(prob.variables()):,} | {nonzeros:,} | "
          f"{_rss_mb() - before:,} |", flush=True)


if __name__ == "__main__":
    main()
