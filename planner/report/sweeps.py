"""Writing sweep results (frontier, premium): CSV, JSON, a chart, and each point's plan.json, atomically."""

from __future__ import annotations

from pathlib import Path

from planner.analysis.sweeps import SweepResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import budget_figure, frontier_figure, premium_figure, save_figure


def write_sweep(result: SweepResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write ``<kind>.csv``, ``<kind>.json``, ``<kind>.png`` (and the budget sweep's, if any) and
    ``points/<point>/plan.json`` into ``out`` (replaced whole on success)."""

    def draw(tmp: Path) -> None:
        if result.kind == "frontier":
            save_figure(frontier_figure(result.table, result.meta), tmp / "frontier", dpi=dpi)
            if "budget_sweep" in result.extra:
                save_figure(budget_figure(result.extra["budget_sweep"], result.meta), tmp / "budget_sweep", dpi=dpi)
        else:
            save_figure(premium_figure(result.table, result.meta), tmp / "premium", dpi=dpi)

    return write_analysis(out, result.kind, result.table, result.meta, draw=draw, extra=result.extra,
                          plans=result.plans, force=force)
