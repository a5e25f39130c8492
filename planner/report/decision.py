"""Writing the decision analysis: decision.csv, decision.json and its chart, atomically; the chart and the words
that name a row are shared with the briefing."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from planner.analysis.decision import DecisionResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE, save_figure


def money(x: float | None) -> str:
    """Euros in the words of a slide: €0.86bn (from €100M), €12.0M, €380k; no price (None, NaN): 'any price'."""
    if x is None or not math.isfinite(x):
        return "any price"
    for size, floor, unit, digits in ((1e9, 1e8, "bn", 2), (1e6, 1e6, "M", 1), (1e3, 1e3, "k", 0)):
        if abs(x) >= floor:
            return f"€{x / size:,.{digits}f}{unit}"
    return f"€{x:,.0f}"


def factor_name(factor: float) -> str:
    """How the briefing names a row: the scenario's weight, half of it, double it, or ×f."""
    return {1.0: "the scenario's weight", 0.5: "half the weight", 2.0: "double the weight"}.get(
        float(factor), f"{factor:g}× the weight")


def units_text(row: pd.Series, names: dict[str, str], ids: list[str]) -> str:
    """The conventional units a row buys, largest first: '180 × HIMARS launcher, 20 × Leopard 2A8 main battle tank'."""
    units = sorted(((int(row.get(f"units_{c}", 0)), c) for c in ids), reverse=True)
    return ", ".join(f"{n:,} × {names.get(c, c)}" for n, c in units if n > 0) or "no conventional units"


def decision_figure(table: pd.DataFrame, meta: dict[str, Any], names: dict[str, str] | None = None) -> plt.Figure:
    """One bar per exchange rate: the budget split into drone defence and conventional forces, labelled with the
    value of a drone defeated it implies (the break-even) and what each side then buys."""
    names = names or {}
    t = table.sort_values("factor").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.9 * len(t) + 1.8))
    y = np.arange(len(t))[::-1]
    drone = t["drone_defence_eur"].to_numpy() / 1e9
    conv = t["conventional_eur"].to_numpy() / 1e9
    ax.barh(y, drone, color=GREY_SAFE[1], label="drone defence")
    ax.barh(y, conv, left=drone, color=GREY_SAFE[5], hatch="//", edgecolor="white", label="conventional forces")
    total = float(np.nanmax(drone + conv)) if len(t) else 1.0
    box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5}
    for yi, (_, r), d in zip(y, t.iterrows(), drone, strict=True):
        ax.text(d + 0.01 * total, yi + 0.22, f"{money(r['drone_defence_eur'])} · "
                f"{100 * r['defeat_rate_value_exact']:.0f}% of drones defeated (value-weighted)", fontsize=8,
                va="center", bbox=box)
        ax.text(d + 0.01 * total, yi - 0.22, units_text(r, names, list(meta.get("conventional_ids", []))),
                fontsize=8, va="center", bbox=box)
    labels = [f"{factor_name(r['factor'])}: {r['conventional_weight']:g} drones\nper Leopard-2A8 eq.; a drone worth "
              f"{money(r['break_even_eur_per_drone'])}" for _, r in t.iterrows()]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 1.02 * total)
    ax.set_xlabel(f"euros over {meta.get('horizon_years', '?')} years (bn)")
    ax.set_title(f"{meta['scenario']} [{str(meta['config_hash'])[:8]}]: the split at the scenario's exchange rate, "
                 "half and double", fontsize=10)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    fig.tight_layout()
    return fig


def write_decision(result: DecisionResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    return write_analysis(out, "decision", result.table, result.meta, force=force,
                          draw=lambda tmp: save_figure(decision_figure(result.table, result.meta,
                                                                       result.meta.get("conventional_names")),
                                                       tmp / "decision", dpi=dpi))
