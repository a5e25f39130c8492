"""Writing the adversary comparison: adversary.csv, adversary.json, the axes and cells tables, a map and both plans,
atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from planner.analysis.adaptive import AdversaryResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE


def write_adversary(result: AdversaryResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write ``adversary.csv`` (one row per plan and raid), ``adversary.json`` (summary and rows),
    ``adversary_axes.csv`` (each axis's worst attack against each plan), ``adversary_cells.csv`` (each cell's axis
    and midpoint), ``adversary_frontier.csv`` (plans at other leak caps), ``adversary.png`` (the map and the axes),
    ``adversary_frontier.png`` and ``plans/{nominal,aware}/plan.json`` into ``out``."""

    def draw(tmp: Path) -> None:
        for name, fig in (("adversary", adversary_figure(result.summary, result.axes, result.cells)),
                          ("adversary_frontier", aware_frontier_figure(result.frontier, result.summary))):
            fig.savefig(tmp / f"{name}.png", dpi=dpi)
            plt.close(fig)

    return write_analysis(out, "adversary", result.table, result.summary, plans=result.plans, force=force,
                          extra={"adversary_axes": result.axes, "adversary_cells": result.cells,
                                 "adversary_frontier": result.frontier}, draw=draw)


def aware_frontier_figure(frontier: pd.DataFrame, m: dict[str, Any], nominal_frontier: pd.DataFrame | None = None
                          ) -> plt.Figure:
    """The value leaked over the horizon against drone-defence money: the adversary-aware plans at other leak caps
    (by their best responses and by the scenario's raid), the nominal plan, and, given a frontier run with
    ``--adversary`` (``nominal_frontier``), the nominal frontier's plans by their best responses. The leak, not the
    defeat rate, compares plans: each best response's rate has its own denominator."""
    fig, ax = plt.subplots(figsize=(8, 5))
    if nominal_frontier is not None and "best_response_leak" in nominal_frontier:
        t = nominal_frontier.sort_values("drone_spend_eur")
        ax.plot(t["drone_spend_eur"] / 1e9, t["best_response_leak"], color=GREY_SAFE[1], lw=1.5, marker="x",
                label="nominal frontier: its best response")
    if len(frontier):
        f = frontier.sort_values("drone_defence_eur")
        x = f["drone_defence_eur"] / 1e9
        ax.plot(x, f["best_response_leak"], color=GREY_SAFE[2], lw=2.5, marker="o",
                label="adversary-aware plans: their best response")
        ax.plot(x, f["leaked_value_over_horizon"], color=GREY_SAFE[2], lw=1, ls="--", marker=".",
                label="adversary-aware plans: the scenario's raid")
        chosen = f[f["chosen"].astype(bool)]
        ax.scatter(chosen["drone_defence_eur"] / 1e9, chosen["best_response_leak"], s=220, facecolors="none",
                   edgecolors=GREY_SAFE[0], lw=2, zorder=6, label="the adversary-aware plan")
    n = m["plans"]["nominal"]
    x0 = n["drone_defence_eur"] / 1e9
    ax.annotate("", (x0, n["best_response_leak"]), (x0, n["nominal_leak"]),
                arrowprops={"arrowstyle": "->", "color": GREY_SAFE[0], "lw": 1.5})
    ax.scatter([x0, x0], [n["nominal_leak"], n["best_response_leak"]], marker="s", color=GREY_SAFE[0], zorder=6,
               label="the nominal plan: its raid → its best response")
    ax.set_xlabel("drone defence (€bn over the horizon); the rest of the budget buys conventional forces")
    ax.set_ylabel("value leaked over the horizon (mean armed drones' harm)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"{m['scenario']} [{m['config_hash'][:8]}]: what drone-defence money stops of the attack that would "
                 "come (exact)", fontsize=9)
    fig.tight_layout()
    return fig


def adversary_figure(m: dict[str, Any], axes: pd.DataFrame, cells: pd.DataFrame) -> plt.Figure:
    """Where the worst attack on each axis leaks against each plan (maps), and the axes side by side (bars)."""
    fig = plt.figure(figsize=(8, 6.5))  # the briefing's width
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
    return fig
