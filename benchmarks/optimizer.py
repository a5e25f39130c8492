"""Optimizer benchmark: the default scenario at several cell lengths (run by hand, not by make test).

    .venv/bin/python benchmarks/optimizer.py configs/eastern-flank.yaml 10000 5000 2000 1000 [--time-limit 120]

Each size runs in its own process. Prints a Markdown row per size: cells, sites, variables,
constraints, non-zeros (summed over the national models with strategy sectors), seconds to build the
theater and the problem, to solve (wall clock) and to evaluate exactly, the whole, the proven gap,
the status, and peak memory: the sampled resident memory of the process and its worker processes
together. ``--strategy`` overrides the scenario's solver strategy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import time


class TreeMemory:
    """Peak resident memory of this process and its children (the sector workers), sampled from /proc."""

    def __init__(self, every_s: float = 0.2) -> None:
        import os
        import threading

        self.pid, self.peak_kb, self.every_s = os.getpid(), 0, every_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            return 0

    def _tree(self) -> list[int]:
        import os

        pids, parent = [self.pid], {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as fh:
                        parent[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
        frontier = [self.pid]
        while frontier:
            kids = [c for c, pp in parent.items() if pp in frontier]
            pids += kids
            frontier = kids
        return pids

    def _run(self) -> None:
        while not self.stop.wait(self.every_s):
            self.peak_kb = max(self.peak_kb, sum(self._rss_kb(p) for p in self._tree()))

    def close(self) -> int:
        self.stop.set()
        self.thread.join()
        return self.peak_kb


def one(config: str, length: float, time_limit: float | None, strategy: str | None) -> dict[str, object]:
    from planner.config.io import load_scenario
    from planner.geo.theater import build_theater
    from planner.lp.result import FixedPlan
    from planner.lp.solve import solve
    from planner.problem import build_problem

    mem = TreeMemory()
    t_all = time.perf_counter()
    sc = load_scenario(config)
    th_cfg = sc.config.theater.model_copy(update={"cell_length_m": length})
    solver = sc.config.solver.model_copy(update={"time_limit_s": time_limit or sc.config.solver.time_limit_s,
                                                 "strategy": strategy or sc.config.solver.strategy})
    sc = dataclasses.replace(sc, config=sc.config.model_copy(update={"theater": th_cfg, "solver": solver}))
    t0 = time.perf_counter()
    th = build_theater(sc)
    t1 = time.perf_counter()
    p = build_problem(sc, th)
    t2 = time.perf_counter()
    s = solve(p)
    t3 = time.perf_counter()
    x = solve(p, fixed=FixedPlan(sensors=s.sensors, effectors=s.effectors, conventional=s.conventional,
                                 cost_eur=p.costs(s.sensors, s.effectors, s.engagements, s.conventional)["total"],
                                 engagements=s.engagements))
    t4 = time.perf_counter()
    peak_tree = mem.close()
    return {"cell_km": length / 1000, "cells": len(th.cells), "sites": len(th.sites), **s.sizes,
            "theater_s": round(t1 - t0, 2), "problem_s": round(t2 - t1, 2), "model_build_s": round(s.build_s, 2),
            "solve_s": round(s.solve_s, 1), "solve_wall_s": round(t3 - t2, 1), "exact_s": round(t4 - t3, 1),
            "total_s": round(t4 - t_all, 1), "gap": s.gap, "status": s.status,
            "strategy": s.info.strategy or p.solver.strategy, "value_exact": p.drone_value(x.engagements),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "peak_tree_mb": round(peak_tree / 1024),
            # each national MILP's solve seconds and final gap at the last price (strategy sectors)
            "sectors_last_price": {n: [d["solve_s"], round(d["gap"], 4)] for n, d in
                                   (s.info.price_evaluations[-1]["sectors"] if s.info.price_evaluations else {}).items()}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("lengths", nargs="*", type=float, default=[10_000, 5_000, 2_000, 1_000])
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--strategy", choices=["sectors", "lp_screen", "full"], default=None)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.config, a.lengths[0], a.time_limit, a.strategy)))
        return
    print("| cell | cells | sites | variables | constraints | non-zeros | theater s | problem s | solve s | "
          "exact s | total s | gap | status | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for length in a.lengths:
        cmd = [sys.executable, __file__, a.config, str(length), "--one"]
        if a.time_limit:
            cmd += ["--time-limit", str(a.time_limit)]
        if a.strategy:
            cmd += ["--strategy", a.strategy]
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
        gap = "n/a" if r["gap"] is None else f"{100 * r['gap']:.2f}%"
        print(f"| {r['cell_km']:g} km | {r['cells']:,} | {r['sites']:,} | {r['variables']:,} | {r['constraints']:,} | "
              f"{r['nonzeros']:,} | {r['theater_s']} | {r['problem_s']} | {r['solve_wall_s']} | {r['exact_s']} | "
              f"{r['total_s']} | {gap} | {r['status']} | {r['peak_tree_mb']:,} |", flush=True)


if __name__ == "__main__":
    main()
