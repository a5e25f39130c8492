"""Time the briefing outputs of a plan folder (run by hand, not by make test).

    .venv/bin/dronewall run configs/eastern-flank.yaml --out out/eastern-flank
    .venv/bin/python benchmarks/briefing.py out/eastern-flank [--repeat 3] [-a out/frontier -a out/premium]

Prints a Markdown table: all static maps (overview and one per nation, PNG at 300 dpi and PDF), the
interactive map, and the whole briefing (maps, charts, interactive map, HTML, PDF) with its step timings,
sizes of what it wrote, and the best of ``--repeat`` runs. Outputs go to a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from planner.report.brief import write_briefing
from planner.report.briefing_maps import load_map_inputs, write_maps
from planner.report.webmap import write_webmap


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan_dir", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("-a", "--analysis", type=Path, action="append", default=[])
    args = ap.parse_args()
    rows: dict[str, list[float]] = {"static maps (load + draw, PNG 300 dpi + PDF)": [], "interactive map": [],
                                    "briefing (all of it)": []}
    steps: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for k in range(args.repeat):
            t = time.perf_counter()
            inputs = load_map_inputs(args.plan_dir)
            paths = write_maps(inputs, out / f"maps-{k}", dpi=300, formats=("png", "pdf"))
            rows["static maps (load + draw, PNG 300 dpi + PDF)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            web = write_webmap(inputs, out / f"map-{k}.html")
            rows["interactive map"].append(time.perf_counter() - t)
            t = time.perf_counter()
            res = write_briefing(args.plan_dir, out / f"brief-{k}", analyses=tuple(args.analysis))
            rows["briefing (all of it)"].append(time.perf_counter() - t)
            steps.append(res["timings_s"])
        brief = out / "brief-0"
        sizes = {p.name: p.stat().st_size for p in (brief / "briefing.html", brief / "briefing.pdf", web)}
        print(f"{len(paths)} map files; analyses in the briefing: {', '.join(res['analyses']) or 'none'}\n")
        print(f"| what | best of {args.repeat} | median |")
        print("|---|---|---|")
        for name, times in rows.items():
            print(f"| {name} | {min(times):.1f} s | {statistics.median(times):.1f} s |")
        best = min(steps, key=lambda s: s["total_s"])
        print("\nbriefing steps (best run): " + ", ".join(f"{k} {v:.1f} s" for k, v in best.items()))
        print("sizes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
