"""Writing a simulation: simulation.csv and simulation.json, atomically."""

from __future__ import annotations

from pathlib import Path

from planner.report.analysis_folder import write_analysis
from planner.simulate import SimulationResult


def write_simulation(result: SimulationResult, out: Path, *, force: bool = False) -> Path:
    return write_analysis(out, "simulation", result.table, result.meta, force=force)
