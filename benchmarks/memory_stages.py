"""Memory of the planner's own process stage by stage (issue #18: where the memory of a large shape goes before the
workers build their models). Run by hand, not by make test.

    .venv/bin/python benchmarks/memory_stages.py "1 km cells and sites every 2 km"

Builds one shape of ``benchmarks/shapes.py`` (its variant of a shipped scenario and its cell length) and prints the
process's resident memory and its peak after each stage: the theater, the problem (with the size of its largest
arrays), the national parts the sector strategy sends to its workers, and one part pickled as a worker receives it
(the largest nation's).
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import resource
import tempfile
from pathlib import Path

from shapes import SHAPES, variant  # benchmarks/ is the script's own folder, first on the path

from planner.config.io import load_scenario
from planner.geo.theater import build_theater
from planner.lp import families
from planner.problem import build_problem


def _mb() -> tuple[int, int]:
    """Resident and peak resident memory of this process, MiB."""
    with open("/proc/self/status") as fh:
        rss = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    return rss // 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shape", choices=list(SHAPES))
    a = ap.parse_args()
    print("| stage | resident MB | peak MB | note |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        path, length = variant(a.shape, Path(tmp))
        sc = load_scenario(str(path))
        theater = sc.config.theater.model_copy(update={"cell_length_m": length})
        sc = dataclasses.replace(sc, config=sc.config.model_copy(update={"theater": theater}))
        print("| start | {} | {} | |".format(*_mb()))
        th = build_theater(sc)
        print("| theater | {} | {} | {:,} cells, {:,} sites |".format(*_mb(), len(th.cells), len(th.sites)))
        p = build_problem(sc, th)
        arrays = {k: v.nbytes for k, v in vars(p).items() if hasattr(v, "nbytes")}
        top = ", ".join(f"{k} {b / 2**20:.0f}" for k, b in sorted(arrays.items(), key=lambda kv: -kv[1])[:6])
        print("| problem | {} | {} | arrays {:.0f} MB in all ({}); {:,} detection and {:,} engagement pairs |".format(
            *_mb(), sum(arrays.values()) / 2**20, top, len(p.det_cell), len(p.eng_cell)))
        parts = families.parts(p)
        print("| national parts | {} | {} | {} parts |".format(*_mb(), len(parts)))
        label, sub, _, _ = max(parts, key=lambda part: len(part[1].eng_cell))
        size = len(pickle.dumps(sub))
        print("| one part pickled | {} | {} | {}: {:.0f} MB |".format(*_mb(), label, size / 2**20))


if __name__ == "__main__":
    main()
