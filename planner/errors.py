"""Exceptions of dronewall.

Every error a user can cause derives from :class:`DronewallError`, whose message is written for
that user: it names the file, the field and what to do. The CLI prints it without a traceback.
Each also derives from the matching built-in, so callers may catch ``ValueError`` too.
"""

from __future__ import annotations


class DronewallError(Exception):
    """Base class of all errors dronewall reports to its user."""

    exit_code = 1


class ConfigError(DronewallError, ValueError):
    """A scenario or catalog file is missing, unreadable or invalid.

    ``problems`` holds one ``(where, message)`` pair per problem found, so that a user sees all of
    them at once rather than one per run.
    """

    def __init__(self, problems: list[tuple[str, str]] | str, *, source: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [("", problems)]
        self.problems = problems
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        lines = []
        for where, message in self.problems:
            prefix = ": ".join(p for p in (self.source, where) if p)
            lines.append(f"{prefix}: {message}" if prefix else message)
        return "\n".join(lines)


class GeodataError(DronewallError, ValueError):
    """A border, territory or asset file cannot be used (no CRS, empty or invalid geometry, ...)."""


class InfeasibleError(DronewallError):
    """The scenario asks for something no plan can achieve."""

    exit_code = 2


class SolverError(DronewallError, RuntimeError):
    """The solver failed or returned no usable plan."""

    exit_code = 3
