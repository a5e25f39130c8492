"""Optimizer benchmark: the default scenario at several cell lengths (run by hand, not by make test).

    .venv/bin/python benchmarks/optimizer.py configs/eastern-flank.yaml 10000 5000 2000 1000 [--time-limit 120]

Each size runs in its own process so that peak memory (max RSS) is its own. Prints a Markdown row
per size: cells, sites, variables, constraints, non-zeros, build and solve seconds, gap, status,
peak memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import time


def one(config: str, length: float, time_limit: float | None) -> dict[str, object]:
    from planner.config.io import load_scenario
    from planner.geo.theater import build_theater
    from planner.lp.model import solve
    from planner.problem import build_problem

    sc = load_scenario(config)
    th_cfg = sc.config.theater.model_copy(update={"cell_length_m": length})
    solver = sc.config.solver.model_copy(update={"time_limit_s": time_limit or sc.config.solver.time_limit_s})
    sc = dataclasses.replace(sc, config=sc.config.model_copy(update={"theater": th_cfg, "solver": solver}))
    t0 = time.perf_counter()
    th = build_theater(sc)
    t1 = time.perf_counter()
    p = build_problem(sc, th)
    t2 = time.perf_counter()
    s = solve(p)
    return {"cell_km": length / 1000, "cells": len(th.cells), "sites": len(th.sites), **s.sizes,
            "theater_s": round(t1 - t0, 2), "problem_s": round(t2 - t1, 2), "model_build_s": round(s.build_s, 2),
            "solve_s": round(s.solve_s, 1), "gap": s.gap, "status": s.status,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("lengths", nargs="*", type=float, default=[10_000, 5_000, 2_000, 1_000])
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.config, a.lengths[0], a.time_limit)))
        return
    print("| cell | cells | sites | variables | constraints | non-zeros | theater s | problem s | build s | "
          "solve s | gap | status | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for length in a.lengths:
        cmd = [sys.executable, __file__, a.config, str(length), "--one"]
        if a.time_limit:
            cmd += ["--time-limit", str(a.time_limit)]
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
        gap = "n/a" if r["gap"] is None else f"{100 * r['gap']:.2f}%"
        print(f"| {r['cell_km']:g} km | {r['cells']:,} | {r['sites']:,} | {r['variables']:,} | {r['constraints']:,} | "
              f"{r['nonzeros']:,} | {r['theater_s']} | {r['problem_s']} | {r['model_build_s']} | {r['solve_s']} | "
              f"{gap} | {r['status']} | {r['peak_rss_mb']:,} |", flush=True)


if __name__ == "__main__":
    main()
