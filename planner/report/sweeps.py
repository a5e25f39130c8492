"""Writing sweep results (frontier, premium): CSV, JSON, a chart, and each point's plan.json, atomically."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from planner.analysis.sweeps import SweepResult
from planner.output import atomic_output_dir
from planner.report.plan import _clean, _records, write_plan_documents

GREY_SAFE = ("#1b1b1b", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")  # Okabe–Ito


def write_sweep(result: SweepResult, out: Path, *, dpi: int = 150) -> Path:
    """Write ``<kind>.csv``, ``<kind>.json``, ``<kind>.png`` (and the budget sweep's, if any) and
    ``points/<point>/plan.json`` into ``out`` (replaced whole on success)."""
    with atomic_output_dir(Path(out)) as tmp:
        result.table.to_csv(tmp / f"{result.kind}.csv", index=False)
        doc = {**result.meta, "points": _records(result.table),
               **{name: _records(df) for name, df in result.extra.items()}}
        (tmp / f"{result.kind}.json").write_text(json.dumps(_clean(doc), indent=2) + "\n")
        for name, df in result.extra.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
        if result.kind == "frontier":
            _frontier_chart(result, tmp / "frontier.png", dpi)
            if "budget_sweep" in result.extra:
                _budget_chart(result, tmp / "budget_sweep.png", dpi)
        else:
            _premium_chart(result, tmp / "premium.png", dpi)
        write_plan_documents(result.plans, tmp / "points")
    return Path(out)


def _threat_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("defeat_") and not c.startswith("defeat_rate")]


def _frontier_chart(result: SweepResult, path: Path, dpi: int) -> None:
    t = result.table
    fig, ax = plt.subplots(figsize=(8, 5))
    x = t["conventional_capability"].to_numpy()
    for k, col in enumerate(_threat_columns(t)):
        ax.plot(x, 100 * t[col], color=GREY_SAFE[1 + k % 6], lw=1, alpha=0.8,
                label=col.removeprefix("defeat_"), marker=".", ms=4)
    y = 100 * t["defeat_rate_value_exact"].to_numpy()
    ax.plot(x, y, color=GREY_SAFE[0], lw=2.5, label="value-weighted (exact)", zorder=5)
    dom = t["dominated"].to_numpy(bool)
    ax.scatter(x[~dom], y[~dom], color=GREY_SAFE[0], s=30, zorder=6)
    if dom.any():
        ax.scatter(x[dom], y[dom], facecolors="white", edgecolors=GREY_SAFE[0], s=30, zorder=6, label="dominated")
    ax.set_xlabel("conventional capability kept (Leopard-2A8 equivalents)")
    ax.set_ylabel("drones defeated over the horizon (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    m = result.meta
    ax.set_title(f"{m['scenario']} [{m['config_hash'][:8]}]: drone defence against conventional forces at "
                 f"€{m['budget_eur'] / 1e9:.1f}bn", fontsize=10)
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _budget_chart(result: SweepResult, path: Path, dpi: int) -> None:
    b = result.extra["budget_sweep"]
    fig, ax = plt.subplots(figsize=(8, 5))
    x = b["budget_eur"] / 1e9
    ax.plot(x, 100 * b["defeat_rate_value_exact"], color=GREY_SAFE[0], marker="o", lw=2,
            label="drones defeated, value-weighted (exact)")
    ax.set_xlabel("total budget (€bn over the horizon)")
    ax.set_ylabel("drones defeated (%)")
    ax.set_ylim(0, 100)
    ax2 = ax.twinx()
    ax2.plot(x, b["conventional_capability"], color=GREY_SAFE[2], marker="s", ls="--", lw=1.5,
             label="conventional capability bought")
    ax2.set_ylabel("Leopard-2A8 equivalents")
    ax.grid(alpha=0.3)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="upper left")
    m = result.meta
    ax.set_title(f"{m['scenario']} [{m['config_hash'][:8]}]: the scenario's objective at other budgets", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _premium_chart(result: SweepResult, path: Path, dpi: int) -> None:
    t = result.table
    m = result.meta
    fig, ax = plt.subplots(figsize=(8, 5))
    ok = t[t["reachable"]]
    ax.plot(100 * ok["target"], ok["drone_cost_eur"] / 1e9, color=GREY_SAFE[0], marker="o", lw=2,
            label="least drone-defence cost (€bn)")
    for r in ok.itertuples(index=False):
        if np.isfinite(getattr(r, "marginal_eur_per_point", np.nan)):
            ax.annotate(f"€{r.marginal_eur_per_point / 1e6:,.0f}M per point", (100 * r.target, r.drone_cost_eur / 1e9),
                        textcoords="offset points", xytext=(-10, 8), ha="right", fontsize=7)
    knee = ok[ok.get("knee", False) == True]
    if len(knee):
        ax.scatter(100 * knee["target"], knee["drone_cost_eur"] / 1e9, s=160, facecolors="none",
                   edgecolors=GREY_SAFE[2], lw=2, label="knee", zorder=6)
    ax.axhline(m["budget_eur"] / 1e9, color=GREY_SAFE[1], ls=":", lw=1.5, label="scenario budget")
    bad = t[~t["reachable"]]
    if len(bad):
        top = ax.get_ylim()[1]
        ax.scatter(100 * bad["target"], [top] * len(bad), marker="x", color=GREY_SAFE[2], s=50,
                   label=f"unreachable (best {100 * m['best_reachable_rate_lp']:.1f}%)", clip_on=False)
    ax.set_yscale("log")
    ax.set_xlabel("defeat-rate target, value-weighted (%)")
    ax.set_ylabel("€bn over the horizon")
    ax.grid(alpha=0.3, which="both")
    ax.set_title(f"{m['scenario']} [{m['config_hash'][:8]}]: the impenetrability premium", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
