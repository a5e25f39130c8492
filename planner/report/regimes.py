"""Writing the threat-regimes analysis: regimes.csv (every plan in every regime), regime_plans.csv (what each plan
buys), regimes.json and its chart, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from planner.analysis.regimes import RegimesResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE, save_figure


def regimes_figure(table: pd.DataFrame, plans: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """Left: each plan's split of the budget; right: each plan's value-weighted defeat rate in every regime."""
    regimes = list(meta["regimes"])
    order = [*regimes, *(p for p in plans["plan"] if p not in regimes)]
    plans = plans.set_index("plan").loc[order].reset_index()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 0.8 * len(order) + 2.2),
                                      gridspec_kw={"width_ratios": [1, 1.3]})
    y = np.arange(len(order))[::-1]
    drone = plans["drone_defence_eur"].to_numpy() / 1e9
    conv = plans["conventional_eur"].to_numpy() / 1e9
    left.barh(y, drone, color=GREY_SAFE[1], label="drone defence")
    left.barh(y, conv, left=drone, color=GREY_SAFE[5], hatch="//", edgecolor="white", label="conventional forces")
    for yi, d in zip(y, drone, strict=True):
        left.text(d + 0.05, yi, f"€{d:.2f}bn", va="center", fontsize=8,
                  bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5})
    labels = [f"planned for {p}" if p in regimes else "planned across regimes (weighted)" for p in order]
    left.set_yticks(y, labels, fontsize=8)
    left.set_xlabel(f"euros over {meta['horizon_years']} years (bn)\ndrone defence: builds and munitions money")
    left.legend(fontsize=8, loc="lower right", framealpha=0.9)
    left.set_title("what each plan buys", fontsize=9)
    width = 0.8 / max(len(regimes), 1)
    marks = ("", "..", "xx", "//", "\\\\")
    for k, regime in enumerate(regimes):
        rate = [float(table[(table["plan"] == p) & (table["regime"] == regime)]["defeat_rate_value_exact"].iloc[0])
                for p in order]
        at = y + (len(regimes) / 2 - k - 0.5) * width
        right.barh(at, 100 * np.array(rate), height=width,
                   color=GREY_SAFE[(k + 1) % len(GREY_SAFE)], hatch=marks[k % len(marks)], edgecolor="white",
                   label=f"in {regime} (weight {meta['regimes'][regime]['weight']:g})")
        for yi, r in zip(at, rate, strict=True):
            right.text(100 * r + 1, yi, f"{100 * r:.0f}%", va="center", fontsize=7)
    right.set_yticks(y, [""] * len(order))
    right.set_xlim(0, 100)
    right.set_xlabel("drones defeated in the regime, value-weighted (%)\nexact evaluation")
    right.legend(fontsize=8, loc="lower right", framealpha=0.9)
    right.set_title("how each plan does in each regime", fontsize=9)
    fig.suptitle(f"{meta['scenario']} [{str(meta['config_hash'])[:8]}]: plans for each threat regime and across "
                 "them", fontsize=10)
    fig.tight_layout()
    return fig


def write_regimes(result: RegimesResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    return write_analysis(out, "regimes", result.table, result.meta, force=force,
                          extra={"regime_plans": result.plans},
                          draw=lambda tmp: save_figure(regimes_figure(result.table, result.plans, result.meta),
                                                       tmp / "regimes", dpi=dpi))
