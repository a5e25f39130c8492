"""Where a national MILP's LP relaxation puts its units (issue #18: the root gap of the 1 km and dense-site rows).
Run by hand, not by make test.

    .venv/bin/python benchmarks/lp_relaxation.py configs/eastern-flank.yaml FI [--cell-m 1000] [--site-spacing-m 2000]

Builds the nation's model (planner.lp.families.parts) at the first price the by-nation pricing tries, solves its
LP relaxation on one thread and prints, per sensor and effector system, the units the relaxation buys, how many
sites hold a whole unit and how many a fraction of one.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pulp
from nation import national_part, shape_arguments  # benchmarks/ is the script's own folder, first on the path

from planner.lp.formulation import build_model
from planner.lp.solver import extract, make_solver, quiet_stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shape_arguments(ap, cell_m=1000.0)
    a = ap.parse_args()
    _, sub, mu = national_part(a)
    t0 = time.perf_counter()
    relaxed, var = build_model(sub, money_price=mu, relax=True)
    with quiet_stdout():
        relaxed.solve(make_solver(sub.solver.replace(threads=1), mip=False))
    if relaxed.status != pulp.LpStatusOptimal:
        raise SystemExit("the LP relaxation did not solve")
    lp = extract(relaxed, var, sub, integral=False)
    print(f"{a.nation}: {len(sub.cell_ids)} cells, {len(sub.site_ids)} sites, price {mu * 1e6:.4g} per M€; LP "
          f"objective {pulp.value(relaxed.objective):.2f} in {time.perf_counter() - t0:.1f} s")
    print("| system | units | sites with a whole unit | sites with a fraction (their units) |\n|---|---|---|---|")
    for arr, ids in ((np.asarray(lp["sensors"]), sub.sensor_ids), (np.asarray(lp["effectors"]), sub.effector_ids)):
        for k, sid in enumerate(ids):
            col = arr[:, k]
            frac = col[(col > 1e-6) & (col < 1 - 1e-6)]
            if col.sum() > 1e-6:
                print(f"| {sid} | {col.sum():.1f} | {(col > 1 - 1e-6).sum()} | {len(frac)} ({frac.sum():.1f}) |")


if __name__ == "__main__":
    main()
