"""Outputs: plan files, analysis folders, maps, charts, the interactive map and the briefing."""

#: The default marking banner of maps and briefings (scenario-independent; `--marking` replaces it).
DEFAULT_MARKING = "UNCLASSIFIED — FOR EXERCISE"
