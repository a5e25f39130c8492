"""Writing sweep results (frontier, premium): CSV, JSON, a chart, and each point's plan.json, atomically."""

from __future__ import annotations

import json
from pathlib import Path

from planner.analysis.sweeps import SweepResult
from planner.outdir import atomic_output_dir
from planner.report.charts import budget_figure, frontier_figure, premium_figure, save_figure
from planner.report.plan import _clean, _records, write_plan_documents


def write_sweep(result: SweepResult, out: Path, *, dpi: int = 150, force: bool = False) -> Path:
    """Write ``<kind>.csv``, ``<kind>.json``, ``<kind>.png`` (and the budget sweep's, if any) and
    ``points/<point>/plan.json`` into ``out`` (replaced whole on success)."""
    with atomic_output_dir(Path(out), force=force) as tmp:
        result.table.to_csv(tmp / f"{result.kind}.csv", index=False)
        doc = {**result.meta, "points": _records(result.table),
               **{name: _records(df) for name, df in result.extra.items()}}
        (tmp / f"{result.kind}.json").write_text(json.dumps(_clean(doc), indent=2) + "\n")
        for name, df in result.extra.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
        if result.kind == "frontier":
            save_figure(frontier_figure(result.table, result.meta), tmp / "frontier", dpi=dpi)
            if "budget_sweep" in result.extra:
                save_figure(budget_figure(result.extra["budget_sweep"], result.meta), tmp / "budget_sweep", dpi=dpi)
        else:
            save_figure(premium_figure(result.table, result.meta), tmp / "premium", dpi=dpi)
        write_plan_documents(result.plans, tmp / "points")
    return Path(out)
