"""Writing a stress test: stress.csv, stress.json and a chart, atomically."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from planner.analysis.stress import StressResult
from planner.output import atomic_output_dir
from planner.report.plan import _clean, _records


def write_stress(result: StressResult, out: Path, *, dpi: int = 150) -> Path:
    with atomic_output_dir(Path(out)) as tmp:
        result.table.to_csv(tmp / "stress.csv", index=False)
        (tmp / "stress.json").write_text(json.dumps(_clean({**result.meta, "cases": _records(result.table)}),
                                                    indent=2) + "\n")
        t = result.table
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(t) + 1.5))
        y = np.arange(len(t))[::-1]
        colours = ["#d55e00" if f else "#0072b2" for f in t["expensive_failure"]]
        ax.barh(y, 100 * t["defeat_rate_value"], color=colours)
        for yi, r in zip(y, t.itertuples(index=False), strict=True):
            ax.text(100 * r.defeat_rate_value + 1, yi, f"{100 * r.defeat_rate_value:.0f}%"
                    + ("  expensive failure" if r.expensive_failure else ""), va="center", fontsize=8)
        ax.axvline(100 * result.meta["target"], color="#1b1b1b", ls=":", lw=1.2, label="target")
        ax.set_yticks(y, t["case"], fontsize=8)
        ax.set_xlim(0, 110)
        ax.set_xlabel("drones defeated, value-weighted (%)")
        ax.set_title(f"{result.meta['scenario']} [{result.meta['config_hash'][:8]}]: the plan under stress",
                     fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        fig.savefig(tmp / "stress.png", dpi=dpi)
        plt.close(fig)
    return Path(out)
