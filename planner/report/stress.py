"""Writing a stress test: stress.csv, stress.json and a chart, atomically."""

from __future__ import annotations

from pathlib import Path

from planner.analysis.stress import StressResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import save_figure, stress_figure


def write_stress(result: StressResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    return write_analysis(out, "stress", result.table, result.meta, force=force,
                          draw=lambda tmp: save_figure(stress_figure(result.table, result.meta), tmp / "stress",
                                                       dpi=dpi))
