"""Outputs: plan files, analysis folders, maps, charts, the interactive map and the briefing."""

#: The default marking banner of maps and briefings (scenario-independent; `--marking` replaces it).
DEFAULT_MARKING = "UNCLASSIFIED — FOR EXERCISE"


def marking_colour(marking: str) -> str:
    """The banner's colour: green for an UNCLASSIFIED marking, dark red for anything else."""
    return "#007a33" if marking.upper().startswith("UNCLASSIFIED") else "#7a0019"
