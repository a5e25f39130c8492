"""Writing a robust-planning comparison: robust.csv, robust.json, a chart and both plans, atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from planner.analysis.robust import RobustResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE


def write_robust(result: RobustResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write ``robust.csv`` (one row per plan and world), ``robust.json`` (summary and rows),
    ``robust.png`` and ``plans/{nominal,robust}/plan.json`` into ``out`` (replaced whole on success)."""
    return write_analysis(out, "robust", result.table, result.summary, plans=result.plans, force=force,
                          draw=lambda tmp: _chart(result, tmp / "robust.png", dpi))


def _chart(result: RobustResult, path: Path, dpi: int) -> None:
    t, m = result.table, result.summary
    fig, ax = plt.subplots(figsize=(8, 4.8))
    rng = np.random.default_rng(0)  # jitter only
    for k, (name, colour, marker) in enumerate((("nominal", GREY_SAFE[1], "o"), ("robust", GREY_SAFE[2], "s"))):
        rows = t[t["plan"] == name]
        for s, (dset, alpha) in enumerate((("planning", 0.9), ("held-out", 0.55))):
            y = 100 * rows[rows["set"] == dset]["defeat_rate_value"].to_numpy()
            x = 2 * s + k * 0.8 + rng.uniform(-0.15, 0.15, len(y))
            ax.scatter(x, y, color=colour, marker=marker, alpha=alpha, s=22,
                       label=f"{name} plan" if s == 0 else None)
            if len(y):
                ax.hlines(np.min(y), 2 * s + k * 0.8 - 0.3, 2 * s + k * 0.8 + 0.3, color=colour, lw=2)
        nominal = 100 * float(rows[rows["set"] == "nominal"]["defeat_rate_value"].iloc[0])
        ax.scatter([4 + k * 0.8], [nominal], color=colour, marker=marker, s=60, edgecolor="black")
    ax.set_xticks([0.4, 2.4, 4.4], [f"planning draws ({m['draws']})", f"held-out draws ({m['holdout']})",
                                    "nominal catalogs"])
    ax.set_ylabel("drones defeated, value-weighted (%), exact")
    ax.set_title(f"{m['scenario']} [{m['config_hash'][:8]}]: robust ({m['mode']}) against nominal plan\n"
                 f"price of robustness {m['price_of_robustness_pp']:+.1f} pp at nominal; held-out worst "
                 f"{m['gain_held_out_worst_pp']:+.1f} pp, 5th percentile {m['gain_held_out_p05_pp']:+.1f} pp "
                 f"(bars: worst draw)", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
