"""Outputs: plan files, analysis folders, maps, charts, the interactive map and the briefing."""

import re
from typing import Any

#: The default marking banner of maps and briefings (scenario-independent; `--marking` replaces it).
DEFAULT_MARKING = "UNCLASSIFIED — FOR EXERCISE"


def marking_colour(marking: str) -> str:
    """The banner's colour: green for an UNCLASSIFIED marking, dark red for anything else."""
    return "#007a33" if marking.upper().startswith("UNCLASSIFIED") else "#7a0019"


def short_names(catalog: Any) -> dict[str, str]:
    """Display names of a catalog's sensors, effectors and threat classes, by id, without their bracketed examples."""
    return {k: re.sub(r"\s*\(.*?\)", "", v.name).strip()
            for kind in (catalog.sensors, catalog.effectors, catalog.threats) for k, v in kind.items()}
