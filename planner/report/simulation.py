"""Writing a simulation: simulation.csv and simulation.json, atomically."""

from __future__ import annotations

import json
from pathlib import Path

from planner.outdir import atomic_output_dir
from planner.report.plan import _clean, _records
from planner.simulate import SimulationResult


def write_simulation(result: SimulationResult, out: Path, *, force: bool = False) -> Path:
    with atomic_output_dir(Path(out), force=force) as tmp:
        result.table.to_csv(tmp / "simulation.csv", index=False)
        (tmp / "simulation.json").write_text(json.dumps(_clean({**result.meta, "threats": _records(result.table)}),
                                                        indent=2) + "\n")
    return Path(out)
