"""Writing a Monte Carlo over the catalogs: uncertainty.csv, uncertainty.json, the drawn inputs
(uncertainty_inputs.csv, one column per ranged catalog figure), with --sampling lhs the global sensitivity indices
(uncertainty_sensitivity.csv) and a histogram, atomically."""

from __future__ import annotations

from pathlib import Path

from planner.analysis.uncertainty import UncertaintyResult
from planner.report.analysis_folder import write_analysis
from planner.report.charts import save_figure, uncertainty_figure


def write_uncertainty(result: UncertaintyResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    extra = {name: df for name, df in (("uncertainty_inputs", result.inputs),
                                       ("uncertainty_sensitivity", result.sensitivity)) if len(df)} or None
    return write_analysis(out, "uncertainty", result.draws, result.summary, force=force, extra=extra,
                          draw=lambda tmp: save_figure(uncertainty_figure(result.draws, result.summary),
                                                       tmp / "uncertainty", dpi=dpi))
