"""Writing the decision-sensitivity (tornado) analysis: tornado.csv (one row per input), tornado.json (the rows and
what the analysis was), tornado_points.csv (every solve) and tornado.png (the tornado chart), atomically; and the
sentence that says what moves the split most (the console and the briefing)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from planner.report.analysis_folder import write_analysis
from planner.report.charts import save_figure, tornado_figure

if TYPE_CHECKING:
    from planner.analysis.tornado import TornadoResult


def write_tornado(result: TornadoResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write ``tornado.csv``, ``tornado.json``, ``tornado_points.csv`` and ``tornado.png`` into ``out`` (replaced
    whole on success)."""
    return write_analysis(out, "tornado", result.table, result.meta, force=force,
                          extra={"tornado_points": result.points},
                          draw=lambda tmp: save_figure(tornado_figure(result.table, result.meta), tmp / "tornado",
                                                       dpi=dpi, title="dronewall tornado"))


def _bn(x: Any) -> str:
    """Euros in €bn (two decimals), or in €M below €1bn."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    return f"€{float(x) / 1e9:.2f}bn" if abs(float(x)) >= 1e9 else f"€{float(x) / 1e6:,.1f}M"


def headline(table: pd.DataFrame, meta: Mapping[str, Any]) -> str:
    """One sentence: the input that moves the split most, how far, and whether and where an input flips it."""
    if not len(table):
        return "No input was moved."
    top = table.iloc[0]
    text = (f"Of {len(table)} inputs, {top['label']} moves the split most (drone defence "
            f"{_bn(top['low_drone_defence_eur'])} at {top['low_text']} and {_bn(top['high_drone_defence_eur'])} at "
            f"{top['high_text']}; nominal {_bn(meta.get('nominal_drone_defence_eur'))} of {_bn(meta.get('budget_eur'))}"
            + (f", within the solver's tolerance of about {_bn(top.get('tolerance_eur'))}"
               if _true(top.get("within_tolerance")) else "") + ")")
    text += f" and flips it: {top['flip']}" if _true(top["flips"]) else " without flipping it"
    others = [r for _, r in table.iloc[1:].iterrows() if _true(r["flips"])]
    if others:
        text += "; " + "; ".join(f"{r['label']} also flips it: {r['flip']}" for r in others)
    elif not _true(top["flips"]):
        text += "; no input flips the split within its range"
    return text + "."


def _true(x: Any) -> bool:
    """A flag read from a table or from JSON (None and NaN are false)."""
    return x is not None and x == x and bool(x)
