"""Scenario shapes benchmark (issue #18): the default flank, one nation alone, cross-border coverage, sites every
2 km and 1 km cells, each solved by this checkout and, side by side, by another (run by hand, not by make test).

    .venv/bin/python benchmarks/shapes.py [--before /path/to/other/checkout] [--time-limit 300] [--rows "default,1 km cells"]

For each row the variant of a shipped scenario is written to a temporary folder beside links to the shipped
catalogs and geodata (so its relative paths and default catalogs resolve as shipped) and solved by ``benchmarks/optimizer.py`` of each checkout in turn (``PYTHONPATH`` set to the checkout),
so the two runs of a row are minutes apart on the same machine. Prints one Markdown row per (shape, checkout):
optimizer.py's columns after the shape and the checkout.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: name: (shipped scenario, cell length m, edits {key: value} of its theater block, or of another block as
#: "block.key"). The last row's size estimate (8.2 GB; 17.4 GB before the guard counted rows over runs of sites)
#: is under the memory guard's default on the project's machine (half of its 24 GB); a machine under 16.4 GB refuses
#: it unless the scenario's solver.memory_limit_gb is raised.
SHAPES: dict[str, tuple[str, int, dict[str, str]]] = {
    "default": ("eastern-flank.yaml", 5000, {}),
    "one nation: Poland at 1 km cells": ("poland.yaml", 1000, {}),
    "cross-border coverage": ("eastern-flank.yaml", 5000, {"cross_border_coverage": "true"}),
    "sites every 2 km": ("eastern-flank.yaml", 5000, {"site_spacing_m": "2000"}),
    "1 km cells": ("eastern-flank.yaml", 1000, {}),
    "1 km cells and sites every 2 km": ("eastern-flank.yaml", 1000, {"site_spacing_m": "2000"}),
}


def variant(name: str, folder: Path) -> tuple[Path, int]:
    """The shape's scenario file in ``folder``/configs (beside links to the shipped catalogs and geodata), and its
    cell length."""
    shipped, length, edits = SHAPES[name]
    text = (ROOT / "configs" / shipped).read_text()
    for link, target in ((folder / "configs" / "catalogs", ROOT / "configs" / "catalogs"),
                         (folder / "geodata", ROOT / "geodata")):
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(target, target_is_directory=True)
    for dotted, value in edits.items():
        block, _, key = dotted.rpartition(".")
        block = block or "theater"
        if re.search(rf"^  {key}:", text, flags=re.M):
            text = re.sub(rf"^  {key}:.*$", f"  {key}: {value}", text, flags=re.M)
        else:
            text = text.replace(f"\n{block}:\n", f"\n{block}:\n  {key}: {value}\n", 1)
    path = folder / "configs" / (re.sub(r"\W+", "_", name).strip("_") + ".yaml")
    path.write_text(text)
    return path, length


def run(checkout: Path, config: Path, length: int, time_limit: float) -> str:
    """optimizer.py's Markdown row for one size, from ``checkout`` (its planner first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, str(checkout / "benchmarks" / "optimizer.py"), str(config), str(length),
                          "--time-limit", str(time_limit)], capture_output=True, text=True, env=env, check=False)
    rows = [line for line in out.stdout.splitlines() if line.startswith("| ") and "km |" in line]
    return rows[-1] if rows else f"| failed: {(out.stderr.strip().splitlines() or ['?'])[-1]} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, default=None, help="another checkout to run side by side")
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--rows", default=None, help="comma-separated shape names (default: all)")
    a = ap.parse_args()
    names = list(SHAPES) if a.rows is None else [n.strip() for n in a.rows.split(",")]
    checkouts = [("after", ROOT)] + ([("before", a.before.resolve())] if a.before else [])
    print("| shape | checkout | cell | cells | sites | variables | constraints | non-zeros | theater s | problem s | "
          "solve s | exact s | total s | gap | status | peak MB |")
    print("|---|---|" + "---|" * 14)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            config, length = variant(name, Path(tmp))
            for label, checkout in checkouts[::-1]:
                row = run(checkout, config, length, a.time_limit)
                print(f"| {name} | {label} {row}", flush=True)


if __name__ == "__main__":
    main()
