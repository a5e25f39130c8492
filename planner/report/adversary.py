"""Writing the adversary comparison: adversary.csv, adversary.json, the axes and cells tables, a map and both plans,
atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from planner.analysis.adaptive import AdversaryResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE


def write_adversary(result: AdversaryResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write ``adversary.csv`` (one row per plan and raid), ``adversary.json`` (summary and rows),
    ``adversary_axes.csv`` (each axis's worst attack against each plan), ``adversary_cells.csv`` (each cell's axis
    and midpoint), ``adversary.png`` (the map and the axes) and ``plans/{nominal,aware}/plan.json`` into ``out``."""
    return write_analysis(out, "adversary", result.table, result.summary, plans=result.plans, force=force,
                          extra={"adversary_axes": result.axes, "adversary_cells": result.cells},
                          draw=lambda tmp: _chart(result, tmp / "adversary.png", dpi))


def _chart(result: AdversaryResult, path: Path, dpi: int) -> None:
    m, axes, cells = result.summary, result.axes, result.cells
    fig = plt.figure(figsize=(12, 7.5))
    grid = fig.add_gridspec(2, 2, height_ratios=[3, 2])
    top = max(float(axes["leak_nominal"].max()), float(axes["leak_aware"].max()), 1e-9)
    joined = cells.merge(axes[["axis", "leak_nominal", "leak_aware"]], on="axis")
    for k, (name, title) in enumerate((("nominal", "nominal plan"), ("aware", "adversary-aware plan"))):
        ax = fig.add_subplot(grid[0, k])
        sc = ax.scatter(joined["lon"], joined["lat"], c=joined[f"leak_{name}"], cmap="Reds", vmin=0, vmax=top, s=9)
        worst = axes.loc[axes[f"leak_{name}"].idxmax()]
        ax.scatter([worst["lon"]], [worst["lat"]], marker="*", s=260, color="black", zorder=3,
                   label="the best response")
        ax.set_title(f"{title}: €{m['plans'][name]['drone_defence_eur'] / 1e9:.2f}bn drone defence\n"
                     f"best response: {m['plans'][name]['best_response']}", fontsize=8)
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        ax.legend(fontsize=7, loc="lower right")
        fig.colorbar(sc, ax=ax, shrink=0.8, label="value leaked, worst attack on the axis")
    ax = fig.add_subplot(grid[1, :])
    order = axes.sort_values("leak_nominal", ascending=False)
    x = range(len(order))
    ax.bar([i - 0.2 for i in x], order["leak_nominal"], width=0.4, color=GREY_SAFE[1], label="nominal plan")
    ax.bar([i + 0.2 for i in x], order["leak_aware"], width=0.4, color=GREY_SAFE[2], label="adversary-aware plan")
    ax.set_xticks(list(x), order["axis"], rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("value leaked, worst attack")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{m['scenario']} [{m['config_hash'][:8]}]: the adversary who sees the plan (best of {m['choices']:,} "
                 f"choices, exact); aware plan gap {100 * m['gap']:.1f}%", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
