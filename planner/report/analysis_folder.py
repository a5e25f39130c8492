"""Writing an analysis folder, atomically: its documents and tables through :mod:`planner.runfolder`
(``<kind>.csv``, ``<kind>.json``, other tables, plans) and its charts (``draw``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from planner.outdir import atomic_output_dir
from planner.plan import Plan
from planner.runfolder import write_analysis_files


def write_analysis(out: Path, kind: str, table: pd.DataFrame, summary: Mapping[str, Any], *,
                   draw: Callable[[Path], object] | None = None, extra: Mapping[str, pd.DataFrame] | None = None,
                   plans: Mapping[str, Plan] | None = None, force: bool = False) -> Path:
    """Write an analysis into ``out`` (replaced whole on success): its files
    (:func:`planner.runfolder.write_analysis_files`), then ``draw(folder)`` draws its charts into the folder.
    Returns ``out``."""
    with atomic_output_dir(Path(out), force=force) as tmp:
        write_analysis_files(tmp, kind, table, summary, extra=extra, plans=plans)
        if draw is not None:
            draw(tmp)
    return Path(out)
