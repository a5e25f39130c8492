"""Charts of a plan and of its analyses, drawn from their results (tables and summaries), never the model.

Each ``*_figure`` function takes what an analysis writes (its table and its summary, as in memory or as read
back from its JSON file) and returns a matplotlib figure; :func:`save_figure` writes it in any of PNG, PDF and
SVG. The analyses' own writers draw their chart with these at 150 dpi; ``dronewall brief`` draws the briefing
set (spending, frontier, premium, stress, uncertainty) at 300 dpi with a PDF beside each PNG.

Colours are Okabe–Ito, lines and bars also differ in marker, dash or label, so the charts survive greyscale
printing and colour-blind readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

GREY_SAFE = ("#1b1b1b", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")  # Okabe–Ito
#: Spending categories, in stacking order, with their colour and hatch (hatches keep them apart in greyscale).
SPEND_PARTS = (("sensor acquisition", "#0072b2", None), ("sensor operation", "#56b4e9", "//"),
               ("effector acquisition", "#d55e00", None), ("effector operation", "#e69f00", "//"),
               ("munitions", "#1b1b1b", ".."))


def without_idle_draws(fig: plt.Figure) -> plt.Figure:
    """Stop ``fig`` rendering on every ``canvas.draw_idle()``. geopandas' ``plot()`` ends with one, which on Agg
    renders the whole figure: on a map of six layers, six renders nobody sees (a third of a 300 dpi map's time).
    The figure is still rendered, once, by ``savefig``."""
    fig.canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
    return fig


def save_figure(fig: plt.Figure, stem: Path, *, dpi: int = 150, formats: Sequence[str] = ("png",),
                title: str = "") -> list[Path]:
    """Write ``fig`` as ``stem.<format>`` for each format (PNG at ``dpi``), close it and return the paths."""
    paths = []
    try:
        for fmt in formats:
            path = Path(stem).with_suffix(f".{fmt}")
            meta = {"Title": title, "Software" if fmt == "png" else "Creator": "dronewall"} if title else None
            fig.savefig(path, dpi=dpi if fmt == "png" else None, metadata=meta)
            paths.append(path)
    finally:
        plt.close(fig)
    return paths


def _title(meta: dict[str, Any], what: str) -> str:
    return f"{meta['scenario']} [{str(meta['config_hash'])[:8]}]: {what}"


def _threat_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("defeat_") and not c.startswith("defeat_rate")]


def frontier_figure(table: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """Defeat rates against the conventional capability kept, one point per price of money."""
    t = table
    fig, ax = plt.subplots(figsize=(8, 5))
    x = t["conventional_capability"].to_numpy(float)
    for k, col in enumerate(_threat_columns(t)):
        ax.plot(x, 100 * t[col].to_numpy(float), color=GREY_SAFE[1 + k % 6], lw=1, alpha=0.8,
                label=col.removeprefix("defeat_"), marker=".", ms=4)
    y = 100 * t["defeat_rate_value_exact"].to_numpy(float)
    ax.plot(x, y, color=GREY_SAFE[0], lw=2.5, label="value-weighted (exact)", zorder=5)
    if "best_response_rate_value" in t:  # --adversary: each point's plan against the adversary who has seen it
        ax.plot(x, 100 * t["best_response_rate_value"].to_numpy(float), color=GREY_SAFE[0], lw=2, ls=":", marker="x",
                ms=6, label="value-weighted, against the best response", zorder=5)
    dom = t["dominated"].to_numpy(bool)
    ax.scatter(x[~dom], y[~dom], color=GREY_SAFE[0], s=30, zorder=6)
    if dom.any():
        ax.scatter(x[dom], y[dom], facecolors="white", edgecolors=GREY_SAFE[0], s=30, zorder=6, label="dominated")
    ax.set_xlabel("conventional capability kept (Leopard-2A8 equivalents)")
    ax.set_ylabel("drones defeated over the horizon (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.set_title(_title(meta, f"drone defence against conventional forces at €{meta['budget_eur'] / 1e9:.1f}bn"),
                 fontsize=10)
    if "best_response_rate_value" in t:  # the worst case runs along the bottom: the legend goes below the axes
        fig.set_size_inches(8, 6)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=4)
    else:
        ax.legend(fontsize=7, loc="lower left", ncol=2)
    fig.tight_layout()
    return fig


def budget_figure(budgets: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """The scenario's objective at other total budgets: defeat rate and conventional capability bought."""
    b = budgets
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
    ax.set_title(_title(meta, "the scenario's objective at other budgets"), fontsize=10)
    fig.tight_layout()
    return fig


def premium_figure(table: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """Least drone-defence cost of each defeat-rate target, € per extra point, the knee."""
    t = table
    fig, ax = plt.subplots(figsize=(8, 5))
    ok = t[t["reachable"].astype(bool)]
    if len(ok):  # (with no target reachable the table has no cost columns: the chart shows the targets missed)
        ax.plot(100 * ok["target"], ok["drone_cost_eur"] / 1e9, color=GREY_SAFE[0], marker="o", lw=2,
                label="least drone-defence cost (€bn)")
        if "best_response_rate_value" in ok:  # --adversary: what each target's plan defeats once it has been seen
            ax.plot(100 * ok["best_response_rate_value"], ok["drone_cost_eur"] / 1e9, color=GREY_SAFE[0], marker="x",
                    ls=":", lw=1.5, label="the same plans against the adversary's best response")
    else:
        ax.set_ylim(meta["budget_eur"] / 1e10, meta["budget_eur"] / 1e8)
    for r in ok.itertuples(index=False):
        marginal = getattr(r, "marginal_eur_per_point", np.nan)
        if marginal is not None and np.isfinite(marginal):
            ax.annotate(f"€{marginal / 1e6:,.0f}M per point", (100 * r.target, r.drone_cost_eur / 1e9),
                        textcoords="offset points", xytext=(-10, 8), ha="right", fontsize=7)
    if "knee" in ok:
        knee = ok[ok["knee"].fillna(False).astype(bool)]
        if len(knee):
            ax.scatter(100 * knee["target"], knee["drone_cost_eur"] / 1e9, s=160, facecolors="none",
                       edgecolors=GREY_SAFE[2], lw=2, label="knee", zorder=6)
    ax.axhline(meta["budget_eur"] / 1e9, color=GREY_SAFE[1], ls=":", lw=1.5, label="scenario budget")
    bad = t[~t["reachable"].astype(bool)]
    if len(bad):
        top = ax.get_ylim()[1]
        ax.scatter(100 * bad["target"], [top] * len(bad), marker="x", color=GREY_SAFE[2], s=50,
                   label=f"unreachable (best {100 * meta['best_reachable_rate_lp']:.1f}%)", clip_on=False)
    ax.set_yscale("log")
    ax.set_xlabel("defeat-rate target, value-weighted (%)" + (": the target, or what its plan defeats against the "
                                                               "best response" if "best_response_rate_value" in t
                                                               else ""))
    ax.set_ylabel("€bn over the horizon")
    ax.grid(alpha=0.3, which="both")
    ax.set_title(_title(meta, "the impenetrability premium"), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def stress_figure(table: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """Each stress case's defeat rate against the target; expensive failures stand out (colour and label)."""
    t = table
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(t) + 1.5))
    y = np.arange(len(t))[::-1]
    failed = t["expensive_failure"].astype(bool).to_numpy()
    ax.barh(y, 100 * t["defeat_rate_value"], color=np.where(failed, GREY_SAFE[2], GREY_SAFE[1]))
    for yi, r, f in zip(y, t.itertuples(index=False), failed, strict=True):
        ax.text(100 * r.defeat_rate_value + 1, yi, f"{100 * r.defeat_rate_value:.0f}%"
                + ("  expensive failure" if f else ""), va="center", fontsize=8)
    ax.axvline(100 * meta["target"], color=GREY_SAFE[0], ls=":", lw=1.2, label="target")
    ax.set_yticks(y, t["case"], fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("drones defeated, value-weighted (%)")
    ax.set_title(_title(meta, "the plan under stress"), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def uncertainty_figure(draws: pd.DataFrame, summary: dict[str, Any]) -> plt.Figure:
    """Histogram of the plan's defeat rate over catalog draws, with the nominal rate and the target."""
    m = summary
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.hist(100 * draws["defeat_rate_value"], bins=min(30, max(5, int(m["draws"]) // 4)), color=GREY_SAFE[1],
            edgecolor="white")
    ax.axvline(100 * m["nominal_rate"], color=GREY_SAFE[0], lw=2, label=f"nominal {100 * m['nominal_rate']:.1f}%")
    ax.axvline(100 * m["target"], color=GREY_SAFE[2], ls=":", lw=2,
               label=f"target {100 * m['target']:.1f}% (missed in {100 * m['p_miss_target']:.0f}% of draws)")
    ax.set_xlabel("drones defeated, value-weighted (%), exact evaluation per draw")
    ax.set_ylabel("draws")
    ax.set_title(_title(m, f"the plan over {m['draws']} catalog draws (seed {m['seed']})"), fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def spending_table(spend: pd.DataFrame) -> pd.DataFrame:
    """Drone-defence euros over the horizon per nation (rows) and :data:`SPEND_PARTS` (columns), from a
    plan's ``spend`` records (category, nation, acquisition_eur, operation_eur, munitions_eur)."""
    drone = spend[spend["category"] != "conventional"]
    parts = {
        "sensor acquisition": drone.loc[drone["category"] == "sensor"].groupby("nation")["acquisition_eur"].sum(),
        "sensor operation": drone.loc[drone["category"] == "sensor"].groupby("nation")["operation_eur"].sum(),
        "effector acquisition": drone.loc[drone["category"] == "effector"].groupby("nation")["acquisition_eur"].sum(),
        "effector operation": drone.loc[drone["category"] == "effector"].groupby("nation")["operation_eur"].sum(),
        "munitions": drone.groupby("nation")["munitions_eur"].sum(),
    }
    out = pd.DataFrame(parts).fillna(0.0)
    out = out.reindex(columns=[p for p, _, _ in SPEND_PARTS], fill_value=0.0)
    return out.loc[out.sum(axis=1).sort_values(ascending=True).index]


def spending_figure(doc: dict[str, Any], names: dict[str, str] | None = None) -> plt.Figure:
    """A plan's drone-defence spending by nation and category, with its conventional spending named
    (``names``: display names of the conventional options, by id)."""
    table = spending_table(pd.DataFrame(doc["spend"]))
    fig, ax = plt.subplots(figsize=(8, 0.42 * max(len(table), 3) + 2.0))
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for name, colour, hatch in SPEND_PARTS:
        vals = table[name].to_numpy() / 1e6
        ax.barh(y, vals, left=left, color=colour, hatch=hatch, edgecolor="white", linewidth=0.5, label=name)
        left += vals
    for yi, total in zip(y, left, strict=True):
        ax.text(total + left.max() * 0.01, yi, f"€{total:,.0f}M", va="center", fontsize=8)
    ax.set_yticks(y, table.index)
    ax.set_xlim(0, left.max() * 1.15 if len(left) and left.max() > 0 else 1)
    ax.set_xlabel(f"€M over {doc.get('horizon_years', '?')} years")
    spend = doc["spend_eur"]
    conv = pd.DataFrame(doc.get("conventional", []))
    bought = conv[conv["units"] > 0] if len(conv) else conv
    what = ", ".join(f"{int(r.units)} × {(names or {}).get(r.option, r.option)}" for r in bought.itertuples()) or "nothing"
    ax.set_title(_title(doc, f"€{spend['drone_defence'] / 1e9:.2f}bn on drone defence by nation"), fontsize=10)
    fig.text(0.5, 0.01, f"Conventional forces: €{spend['conventional'] / 1e9:.2f}bn ({what}; "
             f"{doc.get('conventional_capability', 0):.0f} Leopard-2A8 equivalents).", ha="center", fontsize=8)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


#: The share of the budget the tornado chart marks (drone defence taking the larger part).
MAJORITY_LINE = 0.5


def tornado_figure(table: pd.DataFrame, meta: dict[str, Any]) -> plt.Figure:
    """The tornado: per input (largest swing on top), the drone-defence spend of the plan at the input's low and at
    its high value, as bars from the nominal plan's spend; the input's values at the bar ends and in its label, with
    its flip; the nominal plan and, when in reach, half the budget as lines."""
    t = table.iloc[::-1].reset_index(drop=True)  # barh draws bottom up: the largest swing on top
    fig, ax = plt.subplots(figsize=(9, 0.55 * max(len(t), 3) + 2.2))
    nominal = float(meta["nominal_drone_defence_eur"]) / 1e9
    y = np.arange(len(t))
    style = {"low": (GREY_SAFE[1], None, "input at its low value"), "high": (GREY_SAFE[2], "//", "input at its high value")}
    spend = {end: t[f"{end}_drone_defence_eur"].to_numpy(float) / 1e9 for end in style}
    span = max(float(np.nanmax(np.abs(np.r_[spend["low"], spend["high"]] - nominal), initial=0.0)), 1e-3)
    lo = min(0.0, float(np.nanmin(np.r_[spend["low"], spend["high"], nominal])))
    hi = float(np.nanmax(np.r_[spend["low"], spend["high"], nominal]))
    half = MAJORITY_LINE * float(meta["budget_eur"]) / 1e9
    show_half = half <= hi + 0.6 * span
    hi = max(hi, half) if show_half else hi
    width = max(hi - lo, 1e-3)
    for yi, r in zip(y, t.itertuples(index=False), strict=True):
        # the longer bar first and wider, the shorter on top of it: both stay visible on the same side
        ends = sorted(style, key=lambda e: -abs(np.nan_to_num(spend[e][yi] - nominal)))
        same_side = bool(np.sign(np.nan_to_num(spend["low"][yi] - nominal))
                         == np.sign(np.nan_to_num(spend["high"][yi] - nominal)))
        if all(not np.isfinite(spend[e][yi]) or abs(spend[e][yi] - nominal) < 0.02 * span for e in style):
            ax.text(nominal + 0.01 * width, yi, "no change", va="center", fontsize=7, color=GREY_SAFE[0], alpha=0.7)
        for order, end in enumerate(ends):
            v = spend[end][yi]
            if not np.isfinite(v):
                continue
            colour, hatch, _ = style[end]
            inner = order == 1 and same_side
            ax.barh(yi, v - nominal, left=nominal, height=0.36 if inner else 0.62, color=colour, hatch=hatch,
                    edgecolor="white", linewidth=0.5)
            if abs(v - nominal) < 0.02 * span:
                continue
            right = v >= nominal
            inside = not right and v - 0.1 * width < lo  # no room left of the bar: write inside its end
            ax.text(v + (0.01 if right or inside else -0.01) * width, yi - (0.3 if inner else 0.0),
                    getattr(r, f"{end}_text"), va="center", ha="left" if right or inside else "right", fontsize=7,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
    labels = [f"{r.label}\nlow {r.low_text}, high {r.high_text}" + (f"; flips at {r.flip_at}" if r.flips else "")
              for r in t.itertuples(index=False)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(nominal, color=GREY_SAFE[0], lw=1.5)
    tol = 2 * float(meta.get("nominal_resolution_eur") or math.nan) / 1e9  # the nominal's slack and a moved plan's
    tol = tol if math.isfinite(tol) and tol >= 0.003 * width else math.nan  # a band too thin to see is left out
    if math.isfinite(tol):
        ax.axvspan(max(nominal - tol, lo), nominal + tol, color="0.88", zorder=0)
    if show_half:
        ax.axvline(half, color=GREY_SAFE[3], ls="--", lw=1.2)
    ax.set_xlim(lo, hi + 0.12 * width)
    ax.set_xlabel("drone-defence spend over the horizon (€bn)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(_title(meta, f"what moves the split of €{float(meta['budget_eur']) / 1e9:.2f}bn\nbetween drone "
                              "defence and conventional forces"), fontsize=10)
    fig.tight_layout(rect=(0, 0.45 / fig.get_figheight(), 1, 1))  # room for the legend below, about 0.45 in
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color=GREY_SAFE[0], lw=1.5, label=f"nominal plan (€{nominal:.2f}bn)"),
               *(Patch(facecolor=c, hatch=h, edgecolor="white", label=lab) for c, h, lab in style.values())]
    if math.isfinite(tol):
        handles.append(Patch(facecolor="0.88", label=f"solver's tolerance (about ± €{1e3 * tol:,.0f}M)"))
    if show_half:
        handles.append(Line2D([], [], color=GREY_SAFE[3], ls="--", lw=1.2, label="half the budget (the split flips)"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), fontsize=7, frameon=False)
    return fig
