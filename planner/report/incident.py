"""Writing an incident replay: incident.csv, incident.json, a chart and each modelled plan, atomically."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from planner.analysis.incident import IncidentResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import GREY_SAFE


def write_incident(result: IncidentResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write ``incident.csv`` (one row per case), ``incident.json`` (summary and rows), ``incident.png`` and
    ``plans/<case>/plan.json`` into ``out`` (replaced whole on success)."""
    return write_analysis(out, "incident", result.table, result.summary, plans=result.plans, force=force,
                          draw=lambda tmp: _chart(result, tmp / "incident.png", dpi))


def _chart(result: IncidentResult, path: Path, dpi: int) -> None:
    if "escort_observed" in result.summary:  # crewed incursions: escorted, not defeated
        _escort_chart(result, path, dpi)
        return
    t, m = result.table, result.summary
    labels = [c.replace(" (model)", "\n(model)") for c in t["case"]]
    colours = [GREY_SAFE[0], GREY_SAFE[1]] + [GREY_SAFE[2 + k % 5] for k in range(len(t) - 2)]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 5))
    y = np.arange(len(t))[::-1]
    rate = 100 * t["defeat_rate"].to_numpy()
    ax1.barh(y, rate, color=colours)
    lo, hi = 100 * t["defeat_rate_low"].to_numpy(), 100 * t["defeat_rate_high"].to_numpy()
    ok = ~np.isnan(lo)
    ax1.errorbar(rate[ok], y[ok], xerr=np.vstack([rate[ok] - lo[ok], hi[ok] - rate[ok]]), fmt="none", ecolor="#555555",
                 capsize=4, lw=1.5)
    for yy, r, h in zip(y, rate, hi, strict=True):
        ax1.text((r if np.isnan(h) else max(r, h)) + 1.5, yy, f"{r:.0f}%", va="center", fontsize=8)
    ax1.set_yticks(y, labels, fontsize=8)
    ax1.set_xlim(0, 110)
    ax1.set_xlabel("drones defeated in the raid (%)")
    ax1.set_title("defeat rate (observed: range of the sources' counts)", fontsize=9)
    cost = t["munitions_eur_per_defeat"].to_numpy(dtype=float)
    shown = np.where(np.isnan(cost), 0.0, cost)
    ax2.barh(y, np.maximum(shown, 1.0), color=colours)
    for yy, c in zip(y, cost, strict=True):
        ax2.text(max(c, 1.0) * 1.15 if not math.isnan(c) else 1.2, yy,
                 "n/a" if math.isnan(c) else f"€{c:,.0f}", va="center", fontsize=8)
    unit = float(t["drone_unit_cost_eur"].iloc[0])
    ax2.axvline(unit, color="#d55e00", ls=":", lw=1.5, label=f"mean drone unit cost €{unit:,.0f}")
    ax2.set_xscale("log")
    ax2.set_xlim(1e3, max(np.nanmax(cost) * 20, unit * 10) if np.isfinite(cost).any() else 1e7)
    ax2.set_yticks(y, [""] * len(y))
    ax2.set_xlabel("munitions € per drone defeated (log)")
    ax2.set_title("cost per drone defeated against the drones' cost", fontsize=9)
    ax2.legend(fontsize=8, loc="lower right")
    fig.suptitle(f"{m['incident']} ({m['date']}) — {m['scenario']} [{m['config_hash'][:8]}]: one raid of "
                 f"{m['modelled_drones_per_raid']:.0f} drones", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _escort_chart(result: IncidentResult, path: Path, dpi: int) -> None:
    """A crewed incursion's replay: the shares detected and met in time per case, and what the alert posture costs a
    year beside the sorties of one incursion."""
    t, m = result.table, result.summary
    labels = [c.replace(" (model)", "\n(model)") for c in t["case"]]
    y = np.arange(len(t))[::-1]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 5))
    for off, col, name, colour in ((0.18, "detect_rate", "detected", GREY_SAFE[1]),
                                   (-0.18, "escort_rate", "met in time by an escort", GREY_SAFE[2])):
        v = 100 * t[col].to_numpy(dtype=float)
        ax1.barh(y + off, np.nan_to_num(v), height=0.34, color=colour, label=name)
        for yy, r in zip(y + off, v, strict=True):
            ax1.text(np.nan_to_num(r) + 1.5, yy, "n/a" if math.isnan(r) else f"{r:.0f}%", va="center", fontsize=8)
    ax1.set_yticks(y, labels, fontsize=8)
    ax1.set_xlim(0, 115)
    ax1.set_xlabel("share of the incursions (%)")
    ax1.set_title("detected, and met in time (nothing was fired)", fontsize=9)
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    alert = t["alert_posture_eur_per_year"].to_numpy(dtype=float) / 1e6
    sorties = t["sorties_eur_per_raid"].to_numpy(dtype=float) / 1e6
    ax2.barh(y + 0.18, np.nan_to_num(alert), height=0.34, color=GREY_SAFE[3], label="alert posture, a year")
    ax2.barh(y - 0.18, np.nan_to_num(sorties), height=0.34, color=GREY_SAFE[4], label="sorties, a raid")
    top = float(np.nanmax(np.concatenate([alert, sorties]))) if np.isfinite(alert).any() else 1.0
    for yy, a, s in zip(y, alert, sorties, strict=True):
        ax2.text(np.nan_to_num(a) + top * 0.02, yy + 0.18, "n/a" if math.isnan(a) else f"€{a:,.1f}M", va="center",
                 fontsize=8)
        ax2.text(np.nan_to_num(s) + top * 0.02, yy - 0.18, "n/a" if math.isnan(s) else f"€{1e3 * s:,.0f}k",
                 va="center", fontsize=8)
    ax2.set_xlim(0, top * 1.3)
    ax2.set_yticks(y, [""] * len(y))
    ax2.set_xlabel("€ million")
    ax2.set_title("what it costs: the alert posture and the sorties (outside the budget)", fontsize=9)
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    n = round(m["modelled_drones_per_raid"])
    fig.suptitle(f"{m['incident']} ({m['date']}) — {m['scenario']} [{m['config_hash'][:8]}]: one raid of "
                 f"{n} crewed {'incursion' if n == 1 else 'incursions'}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
