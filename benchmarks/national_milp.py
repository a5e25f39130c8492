"""One nation's priced MILP, timed with and without primal help (issue #18: where the by-nation pricing spends its
time when sites stand every 2 km or cells are 1 km long). Run by hand, not by make test.

    .venv/bin/python benchmarks/national_milp.py configs/eastern-flank.yaml FI [--cell-m 5000] [--site-spacing-m 2000]
        [--price-per-meur 2.632] [--modes plain,highs_alone,lp_start,thin_start5,own_start]

The nation's model (planner.lp.families.parts) is solved at one price on money, single-threaded, to the gap the
flank's pricing gives it (1% relative, or 3/4 of 1% of μ·budget times the nation's share of the drones), as
planner.lp.sectors does on its first evaluation:

- ``plain``: as sectors solves it (no MIP start given; a large model, ``warm.worth_it``, gets its first plan from its
  LP relaxation, planner.lp.warm, its twins counted once and the layered kill chain's cuts);
- ``highs_alone``: the same as a small model: no first plan, twins or cuts (HiGHS's own search from nothing);
- ``lp_start``: the LP relaxation, then the MILP over the builds it uses (2% gap), then the whole MILP started
  from that plan; the time is the sum;
- ``thin_start<k>``: the MILP over every k-th candidate site (by index: the sites of a station and its depths are
  neighbours; 2% gap), then the whole MILP started from that plan; both lines are printed;
- ``own_start``: the whole MILP started from the ``plain`` run's plan (a perfect start: what primal help could
  buy at most; run ``plain`` first).

Prints one line per mode: wall time, objective, proven bound and gap.
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np
import pulp
from nation import national_part, shape_arguments  # benchmarks/ is the script's own folder, first on the path

from planner.lp import warm
from planner.lp.formulation import build_model
from planner.lp.solver import extract, make_solver, quiet_stdout
from planner.lp.tasks import SectorTask, TaskResult, solve_sector


def _row(mode: str, seconds: float, r: TaskResult) -> str:
    gap = (r.bound - r.objective) / max(abs(r.bound), 1e-9)
    return f"| {mode} | {seconds:.1f} | {r.objective:.2f} | {r.bound:.2f} | {100 * gap:.2f}% | {r.outcome} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shape_arguments(ap)
    ap.add_argument("--price-per-meur", type=float, default=None, help="default: the first price sectors tries")
    ap.add_argument("--modes", default="plain,highs_alone,own_start")
    ap.add_argument("--time-limit", type=float, default=300.0)
    a = ap.parse_args()
    p, sub, mu = national_part(a)
    if a.price_per_meur is not None:
        mu = a.price_per_meur / 1e6
    share = float(sub.demand.sum() / p.demand.sum())
    task = SectorTask(problem=sub, price=mu, threads=1, time_limit_s=a.time_limit, mip_rel_gap=0.01,
                      mip_abs_gap=0.75 * 0.01 * mu * p.budget_eur * share)
    print(f"{a.nation}: {len(sub.cell_ids)} cells, {len(sub.site_ids)} sites, price {mu * 1e6:.4g} per M€, "
          f"absolute gap allowed {task.mip_abs_gap:.1f}")
    print("| mode | wall s | objective | bound | gap | outcome |\n|---|---|---|---|---|---|")
    plain: TaskResult | None = None
    for mode in a.modes.split(","):
        t0 = time.perf_counter()
        if mode == "plain":
            plain = r = solve_sector(task)
        elif mode == "highs_alone":
            with mock.patch.object(warm, "worth_it", lambda _: False):
                r = solve_sector(task)
        elif mode == "lp_start":
            relaxed, var = build_model(sub, money_price=mu, relax=True)
            with quiet_stdout():
                relaxed.solve(make_solver(sub.solver.replace(threads=1), mip=False))
            if relaxed.status != pulp.LpStatusOptimal:
                raise SystemExit("the LP relaxation did not solve")
            lp = extract(relaxed, var, sub, integral=False)
            support = (np.asarray(lp["sensors"]) > 1e-6, np.asarray(lp["effectors"]) > 1e-6)
            first = solve_sector(task.replace(allowed=support, mip_rel_gap=0.02, mip_abs_gap=None))
            r = solve_sector(task.replace(start=(first.sensors, first.effectors)))
        elif mode.startswith("thin_start"):  # thin_start<k>: the MILP over every k-th site (2% gap), then the whole
            k = int(mode.removeprefix("thin_start") or 5)
            keep = (np.arange(len(sub.site_ids)) % k == 0)[:, None]
            mask = (np.broadcast_to(keep, (len(sub.site_ids), len(sub.sensor_ids))).copy(),
                    np.broadcast_to(keep, (len(sub.site_ids), len(sub.effector_ids))).copy())
            first = solve_sector(task.replace(allowed=mask, mip_rel_gap=0.02, mip_abs_gap=None))
            print(_row(f"({mode}: the thinned MILP)", time.perf_counter() - t0, first), flush=True)
            r = solve_sector(task.replace(start=(first.sensors, first.effectors)))
        elif mode == "own_start":
            if plain is None:
                raise SystemExit("own_start needs plain first (--modes plain,own_start)")
            r = solve_sector(task.replace(start=(plain.sensors, plain.effectors)))
        else:
            raise SystemExit(f"unknown mode {mode!r}")
        print(_row(mode, time.perf_counter() - t0, r), flush=True)


if __name__ == "__main__":
    main()
