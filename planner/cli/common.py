"""What the commands share: the consoles, the options several commands take, checks of arguments made before
any work is done, and the number formats of their tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

# Lines are not broken at the console's width (80 columns when piped): a terminal wraps them itself, and a file or
# a pipe gets each line whole. Tables still fit the width.
out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

#: ``--json``: the commands print one JSON document on stdout (:func:`emit_json`) instead of their tables.
_JSON = {"on": False}


def set_json(on: bool) -> None:
    _JSON["on"] = on


def json_mode() -> bool:
    return _JSON["on"]


def _plain(value: Any) -> Any:
    """``value`` with NaN and infinities as null (strict JSON), numpy scalars as numbers, paths as text."""
    import math

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def emit_json(doc: dict[str, Any]) -> None:
    """Print ``doc`` as one JSON document on stdout, where ``--json`` is on."""
    import json
    import sys

    if json_mode():
        sys.stdout.write(json.dumps(_plain(doc), indent=2, default=str) + "\n")


#: ``--set KEY=VALUE`` (repeatable): overrides of the scenario a command reads.
_OVERRIDES: list[str] = []


def set_overrides(items: list[str]) -> None:
    _OVERRIDES[:] = items


def load_scenario_cli(config: Path) -> Any:
    """The scenario a command reads, with the ``--set`` overrides (validated with it)."""
    from planner.config.io import load_scenario

    return load_scenario(config, overrides=list(_OVERRIDES) or None)


def emit_error(message: str, exit_code: int) -> None:
    """An error as JSON on stdout (besides the message on stderr), where ``--json`` is on."""
    emit_json({"error": message, "exit_code": exit_code})


ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace --out even if it holds files dronewall did not write (they are deleted).")]
MarkingOption = Annotated[str, typer.Option("--marking", help="Banner at the top and bottom of every map and page.")]
DpiOption = Annotated[int, typer.Option("--dpi", help="Resolution of the PNG maps and charts.", min=72, max=1200)]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced whole on success).")]
WorkersOption = Annotated[int | None, typer.Option("--workers", help="Worker processes (default: solver.threads).",
                                                   min=1)]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Run the national MILPs on an existing Dask cluster, e.g. tcp://10.0.0.5:8786.")]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Random seed (default: solver.seed).")]
RefineOption = Annotated[float | None, typer.Option(
    "--refine-until", help="Add prices where a point's gap is above target only before this many seconds "
                           "(default: 3 × solver.time_limit_s); longer runs give tighter proven gaps.")]

AdversaryOption = Annotated[bool, typer.Option(
    "--adversary", help="Also hold each point's plan to the adversary's best response (the scenario's adversary "
                        "section; a few seconds a point).")]


def check_out(out: Path, force: bool, scenario: Any = None, inputs: list[Path] | tuple[Path, ...] = ()) -> Path:
    """Refuse a bad --out before any work is done (the writer checks again when it writes), and ``--set`` where the
    command reads a run folder (its scenario is the run's)."""
    from planner.errors import ConfigError
    from planner.outdir import check_output_dir

    if _OVERRIDES and scenario is None:
        raise ConfigError([("--set", "changes the scenario of a command that reads one (validate, theater, run, the "
                                     "analyses of a scenario); this command reads a run folder, whose scenario is the "
                                     "run's: run the plan again with --set")])

    if scenario is not None:
        inputs = [*inputs, scenario.path, *scenario.files.values()]
    return check_output_dir(out, force=force, inputs=inputs)


def check_marking(marking: str) -> None:
    from planner.errors import ConfigError

    if not marking.strip():
        raise ConfigError([("--marking", "the banner is empty: give the marking the maps carry, e.g. "
                                         "'UNCLASSIFIED — FOR EXERCISE'")])


def parse_floats(text: str | None, option: str, example: str) -> list[float] | None:
    """A comma-separated list of numbers from the command line, or a clear error naming the option."""
    from planner.errors import ConfigError

    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError([(option, f"'{text}' is not a list of numbers: write e.g. {example}")]) from None


def progress_bar(label: str):  # noqa: ANN201 - a rich Progress used as a context and callback
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True)
    task = progress.add_task(label, total=None)

    def tick(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, tick


def pct(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.1f}%"


def eur(x: float) -> str:
    return "n/a" if x != x else f"€{x:,.0f}"


def ratio(x: float) -> str:
    return "n/a" if x != x else f"{x:.2f}"


def flags_show_no_type() -> None:
    """typer 0.28 and later print ``<bool>`` after every flag in ``--help`` (its own ``--help`` too), although a flag
    takes no value: print no type for a flag. A no-op where typer has no such method (older versions print none)."""
    from typer import core

    option = getattr(core, "TyperOption", None)
    shown = getattr(option, "display_type_rich", None)
    if option is None or shown is None or getattr(shown, "flags_untyped", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> Any:
        return None if getattr(self, "is_flag", False) and not getattr(self, "count", False) else shown(self, ctx)

    display_type_rich.flags_untyped = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich
