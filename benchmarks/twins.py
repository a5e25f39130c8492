"""Twin placements of each national model (planner.lp.twins, issue #18): placements and pairs before and after
counting twins as one, per nation, for a shape of a scenario (run by hand, not by make test; no solve).

    .venv/bin/python benchmarks/twins.py configs/eastern-flank.yaml [--cell-m 5000] [--site-spacing-m 2000]

Prints one Markdown row per nation: sensor and effector placements (a site and a type with a pair), detection and
engagement pairs, each as before → after, and the seconds :func:`planner.lp.twins.find_twins` took.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from nation import shape_arguments, shaped_problem  # benchmarks/: the script's folder, first on the path

from planner.lp import families
from planner.lp.twins import find_twins


def _placements(site: np.ndarray, kind: np.ndarray) -> int:
    return len(set(zip(site.tolist(), kind.tolist(), strict=True)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shape_arguments(ap, nation=False)
    p = shaped_problem(ap.parse_args())
    print("| nation | sensor placements | effector placements | detection pairs | engagement pairs | find s |")
    print("|---|---|---|---|---|---|")
    for label, sub, _, _ in families.parts(p):
        t0 = time.perf_counter()
        tw = find_twins(sub)
        seconds = time.perf_counter() - t0
        q = tw.reduce(sub)
        print(f"| {label} | {_placements(sub.det_site, sub.det_sensor):,} → {_placements(q.det_site, q.det_sensor):,} "
              f"| {_placements(sub.eng_site, sub.eng_effector):,} → {_placements(q.eng_site, q.eng_effector):,} "
              f"| {len(sub.det_cell):,} → {len(q.det_cell):,} | {len(sub.eng_cell):,} → {len(q.eng_cell):,} "
              f"| {seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
