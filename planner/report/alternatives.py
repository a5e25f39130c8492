"""Writing the near-optimal alternatives: alternatives.csv, alternatives.json, a chart and each plan's plan.json,
atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from planner.analysis.sweeps import SweepResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE, save_figure
from planner.report.decision import money, units_text

#: How the chart and the briefing name each plan.
LABELS = {"best": "the best plan", "most_tanks": "most tanks", "most_conventional": "most conventional capability",
          "most_drone_defence": "most drone defence", "fewest_nations": "fewest nations building"}


def alternatives_figure(table: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """One bar per distinct plan: its split of the budget, how far below the best it is and what it buys."""
    t = table[table["same_as"].fillna("") == ""].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.8 * len(t) + 1.8))
    y = np.arange(len(t))[::-1]
    drone = t["drone_defence_eur"].to_numpy() / 1e9
    conv = t["conventional_eur"].to_numpy() / 1e9
    ax.barh(y, drone, color=GREY_SAFE[1], label="drone defence")
    ax.barh(y, conv, left=drone, color=GREY_SAFE[5], hatch="//", edgecolor="white", label="conventional forces")
    box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5}
    names = meta.get("conventional_names", {})
    for yi, (_, r), d in zip(y, t.iterrows(), drone, strict=True):
        ax.text(d + 0.05, yi + 0.2, f"{money(r['drone_defence_eur'])} · {100 * r['below_best']:.1f}% below the best · "
                f"{100 * r['defeat_rate_value_exact']:.0f}% defeated", fontsize=8, va="center", bbox=box)
        ax.text(d + 0.05, yi - 0.2, f"{units_text(r, names, meta['conventional_ids'])} · drone defence in "
                f"{r['nations_building']} nations", fontsize=8, va="center", bbox=box)
    same = table[table["same_as"].fillna("") != ""]
    labels = [LABELS.get(p, p) + "".join(f"\n= {LABELS.get(s, s)}" for s in same[same["same_as"] == p]["plan"])
              for p in t["plan"]]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("euros over the horizon (bn)")
    ax.set_title(f"{meta['scenario']} [{str(meta['config_hash'])[:8]}]: plans within {100 * meta['tolerance']:g}% "
                 "of the best", fontsize=10)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    fig.tight_layout()
    return fig


def write_alternatives(result: SweepResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    return write_analysis(out, "alternatives", result.table, result.meta, plans=result.plans, force=force,
                          draw=lambda tmp: save_figure(alternatives_figure(result.table, result.meta),
                                                       tmp / "alternatives", dpi=dpi))
