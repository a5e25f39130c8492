"""Writing a Monte Carlo over the catalogs: uncertainty.csv, uncertainty.json and a histogram, atomically."""

from __future__ import annotations

import json
from pathlib import Path

from planner.analysis.uncertainty import UncertaintyResult
from planner.outdir import atomic_output_dir
from planner.report.charts import save_figure, uncertainty_figure
from planner.report.plan import _clean, _records


def write_uncertainty(result: UncertaintyResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    with atomic_output_dir(Path(out), force=force) as tmp:
        result.draws.to_csv(tmp / "uncertainty.csv", index=False)
        (tmp / "uncertainty.json").write_text(json.dumps(_clean({**result.summary,
                                                                  "draws": _records(result.draws)}), indent=2) + "\n")
        save_figure(uncertainty_figure(result.draws, result.summary), tmp / "uncertainty", dpi=dpi)
    return Path(out)
