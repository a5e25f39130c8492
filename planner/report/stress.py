"""Writing a stress test: stress.csv, stress.json and a chart, atomically."""

from __future__ import annotations

import json
from pathlib import Path

from planner.analysis.stress import StressResult
from planner.outdir import atomic_output_dir
from planner.report.charts import save_figure, stress_figure
from planner.report.plan import _clean, _records


def write_stress(result: StressResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    with atomic_output_dir(Path(out), force=force) as tmp:
        result.table.to_csv(tmp / "stress.csv", index=False)
        (tmp / "stress.json").write_text(json.dumps(_clean({**result.meta, "cases": _records(result.table)}),
                                                    indent=2) + "\n")
        save_figure(stress_figure(result.table, result.meta), tmp / "stress", dpi=dpi)
    return Path(out)
