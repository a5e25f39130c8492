"""Writing the pathway analysis: pathway.csv (one row per year), pathway_units.csv (units in service per year, nation
and system), pathway_nations.csv (per year and nation: units, spend, shares over its border), pathway.json and its
chart, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from planner.analysis.roadmap import PathwayResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE, save_figure

#: The shares the chart draws, with their labels and line styles.
SHARES = (("defeat_share_value_exact", "drones defeated (value-weighted)", "-", "o"),
          ("detect_share_exact", "drones detected", "--", "s"),
          ("escort_share_exact", "crewed incursions met by an escort", ":", "^"))


def pathway_figure(table: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """Left: money committed and spent each year (bn EUR); right: the exact shares at each year's end, with the
    milestones as targets."""
    years = table["year"].to_numpy()
    n_lines = len(meta.get("milestones", []))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6 + 0.16 * (n_lines + 1) * bool(n_lines)),
                                      gridspec_kw={"width_ratios": [1, 1.2]})
    width = 0.38
    left.bar(years - width / 2, table["drone_defence_eur"] / 1e9, width, color=GREY_SAFE[1], label="drone defence")
    left.bar(years - width / 2, table["conventional_eur"] / 1e9, width, bottom=table["drone_defence_eur"] / 1e9,
             color=GREY_SAFE[5], hatch="//", edgecolor="white", label="conventional forces")
    left.bar(years + width / 2, table["committed_eur"] / 1e9, width, color="white", edgecolor="black",
             label="money committed by then")
    left.set_xticks(years, [str(y) for y in years])
    left.set_ylabel("euros, through-life (bn): buying and running\nover the horizon, munitions")
    left.legend(fontsize=8, loc="upper left", framealpha=0.9)
    left.set_title("what is in service at each year's end, and what it costs", fontsize=9)
    for col, label, style, mark in SHARES:
        values = table[col].to_numpy(dtype=float)
        if np.isnan(values).all():
            continue
        right.plot(years, 100 * values, style, marker=mark, color="black", label=label)
        for y, v in zip(years, values, strict=True):
            if v == v:
                right.annotate(f"{100 * v:.0f}%", (y, 100 * v), textcoords="offset points", xytext=(0, 6),
                               ha="center", fontsize=7)
    marks = {key.removesuffix("_exact").replace("_value", ""): (mark, label) for key, label, _, mark in SHARES}
    lines = []
    for i, m in enumerate(meta.get("milestones", []), start=1):
        for key, t in m["targets"].items():
            mark, _ = marks[key]
            right.scatter([m["year"]], [100 * t["target"]], marker=mark, s=140, facecolors="none", linewidths=1.5,
                          edgecolors=GREY_SAFE[3] if t["reached"] is not None and t["reached"] >= t["target"] - 1e-9
                          else "#c0392b", zorder=3)
            right.annotate(f"M{i}", (m["year"], 100 * t["target"]), textcoords="offset points", xytext=(9, -3),
                           fontsize=7, color="black")
        reached = ", ".join(f"{marks[k][1].split(' (')[0]} {100 * v['target']:.0f}% "
                            f"({'n/a' if v['reached'] is None else format(100 * v['reached'], '.0f') + '%'})"
                            for k, v in m["targets"].items())
        lines.append(f"M{i} {m['year']}, {m['name']}: {'met' if m['met'] else 'missed'}; {reached}")
    if lines:
        fig.text(0.01, 0.01, "milestones (open marks; red: a target missed), target (reached):\n" + "\n".join(lines),
                 fontsize=7, va="bottom", ha="left")
    right.set_xticks(years, [str(y) for y in years])
    right.set_ylim(0, 105)
    right.set_ylabel("share at the year's end (%), exact evaluation")
    right.legend(fontsize=8, loc="lower right", framealpha=0.9)
    right.set_title("what it achieves at each year's end (M: milestones' targets)", fontsize=9)
    fig.suptitle(f"{meta['scenario']} [{str(meta['config_hash'])[:8]}]: the pathway {years[0]}-{years[-1]}",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.03 * (n_lines + 1) * bool(n_lines) / (1 + 0.035 * n_lines), 1, 1))
    return fig


def write_pathway(result: PathwayResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    return write_analysis(out, "pathway", result.table, result.meta, force=force,
                          extra={"pathway_units": result.units, "pathway_nations": result.nations},
                          draw=lambda tmp: save_figure(pathway_figure(result.table, result.meta), tmp / "pathway",
                                                       dpi=dpi))
