"""The ``dronewall`` command line.

Every user error ends in one clear message on stderr and a non-zero exit code, never a traceback:
1 bad config or data, 2 infeasible, 3 solver failure, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).

This module holds the app, its global options and the entry point :func:`main` (messages, exit codes,
Ctrl-C and SIGTERM); the commands are in :mod:`~planner.cli.plan_commands` (validate, schema, theater, run),
:mod:`~planner.cli.analysis_commands` (decision, frontier, premium, tornado, alternatives, regimes, pathway, stress, simulate,
uncertainty, robust, incident: the
analyses of :mod:`planner.registry`, each run through ``run_analysis``; their tables in
:mod:`~planner.cli.analysis_tables`) and
:mod:`~planner.cli.brief_commands` (maps, brief), what they share in :mod:`~planner.cli.common`. Commands import
the geo stack, the solver and the writers inside their bodies, so that ``import planner.cli`` (and ``--help``)
stays light.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.logging import RichHandler
from rich.markup import escape

from planner import __version__
from planner.cli import analysis_commands, brief_commands, plan_commands
from planner.cli.common import (
    emit_error,
    err_console,
    flags_show_no_type,
    out_console,
    set_json,
    set_overrides,
)
from planner.errors import ConfigError, DronewallError

flags_show_no_type()
app = typer.Typer(
    name="dronewall",
    help="Plan a counter-drone 'drone wall' and weigh it against conventional forces.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

# The commands, in the order `dronewall --help` lists them. Each analysis command is an entry of planner.registry
# (tests/test_registry.py checks that the two lists agree).
for _command in (plan_commands.validate, plan_commands.schema, plan_commands.init, plan_commands.theater, plan_commands.run,
                 analysis_commands.decision, analysis_commands.frontier, analysis_commands.premium,
                 analysis_commands.tornado, analysis_commands.alternatives, analysis_commands.regimes,
                 analysis_commands.pathway,
                 analysis_commands.stress, analysis_commands.simulate, analysis_commands.uncertainty, analysis_commands.robust, analysis_commands.adversary,
                 analysis_commands.incident, brief_commands.maps, brief_commands.brief, brief_commands.compare):
    app.command()(_command)


def _setup_logging(verbose: bool, log_file: Path | None) -> None:
    """Warnings on stderr, and with ``-v`` dronewall's own steps (the ``planner`` logger at INFO; other libraries'
    INFO messages stay out); with ``log_file`` every INFO message of dronewall, with times, appended to that file.
    Records propagate as usual (pytest's caplog, a host application's handlers see them)."""
    console = RichHandler(console=err_console, show_path=False, show_time=False)
    console.addFilter(lambda r: r.levelno >= logging.WARNING or (verbose and r.name.split(".")[0] == "planner"))
    logging.basicConfig(level=logging.WARNING, format="%(message)s", force=True, handlers=[console])
    log = logging.getLogger("planner")
    for handler in [h for h in log.handlers if getattr(h, "dronewall_log_file", False)]:
        log.removeHandler(handler)
        handler.close()
    log.setLevel(logging.INFO if verbose or log_file else logging.NOTSET)
    if log_file is not None:
        try:
            handler = logging.FileHandler(log_file, mode="a", encoding="utf-8")
        except OSError as exc:
            raise ConfigError([("--log-file", f"cannot write {log_file}: {exc.strerror or exc}; give a file in a "
                                              "folder that exists")]) from None
        handler.dronewall_log_file = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        log.addHandler(handler)
        log.info("dronewall %s: %s", __version__, " ".join(sys.argv[1:]))


def _version(value: bool) -> None:
    if value:
        out_console.print(f"dronewall {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step (CRS chosen, sizes); also after the "
                                          "command.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (the files are written as "
                                        "usual); also after the command.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as one JSON document on stdout instead "
                                           "of tables (validate, theater, run and the analyses; an error as "
                                           "{\"error\": ..., \"exit_code\": ...}); also after the command.")] = False,
    log_file: Annotated[Path | None, typer.Option("--log-file", help="Append every step's message, with times, to "
                                                  "this file (as -v shows them); also after the command.",
                                                  dir_okay=False)] = None,
    overrides: Annotated[list[str] | None, typer.Option(
        "--set", help="Set a scenario field for this command, KEY=VALUE with a dotted key (budget.total_eur=3e9, "
        "solver.time_limit_s=30, roe.per_nation.PL=escort_only), the value read as YAML; repeatable; validated with "
        "the scenario; also after the command.")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    set_json(json_out)
    set_overrides(list(overrides or []))
    _setup_logging(verbose, log_file)
    out_console.quiet = quiet or json_out


#: The signal that stopped the command (typer turns the KeyboardInterrupt it raises into exit code 130).
_stopped_by: list[int] = []


def _interrupted() -> None:
    """The message and exit code (128 + signal number) of a command stopped by Ctrl-C or SIGTERM."""
    import signal

    kept = []
    if "planner.outdir" in sys.modules:  # nothing can have been written before this module was loaded
        from planner.outdir import kept_outputs

        kept = kept_outputs()
    what = (f"kept {', '.join(str(p) for p in kept)} (complete); nothing else was written" if kept
            else "nothing was written")
    err_console.print(f"interrupted: {what}", highlight=False, soft_wrap=True)
    sys.exit(128 + (_stopped_by[-1] if _stopped_by else signal.SIGINT))


def _on_signal(signum: int, frame: object) -> None:
    _stopped_by.append(signum)
    raise KeyboardInterrupt


#: Options of the whole command that may also follow the command's name (``dronewall run CONFIG -v``), and those of
#: them that take a value (``--log-file run.log`` or ``--log-file=run.log``).
GLOBAL_FLAGS = ("-v", "--verbose", "-q", "--quiet", "--json")
GLOBAL_OPTIONS = ("--log-file", "--set")


def hoist_global_flags(argv: list[str]) -> list[str]:
    """``argv`` (without the program) with the global flags and options moved before the command, where typer reads
    them."""
    front: list[str] = []
    rest: list[str] = []
    args = iter(argv)
    for a in args:
        if a in GLOBAL_FLAGS or any(a.startswith(o + "=") for o in GLOBAL_OPTIONS):
            front.append(a)
        elif a in GLOBAL_OPTIONS:
            front += [a, *[v for v in [next(args, None)] if v is not None]]
        else:
            rest.append(a)
    return front + rest


def main() -> None:
    """Console-script entry point: run the app, turning user errors into messages and exit codes.

    Exit codes: 0 done, 1 bad input, 2 infeasible, 3 solver failure, 130 Ctrl-C, 143 SIGTERM.
    """
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)  # clean up as for Ctrl-C (temporary folders, workers)
    try:
        code = app(args=hoist_global_flags(sys.argv[1:]), prog_name="dronewall", standalone_mode=False)
    except DronewallError as exc:
        err_console.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        emit_error(str(exc), exc.exit_code)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _interrupted()
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except RecursionError:
        err_console.print("[bold red]error:[/bold red] an input is nested too deeply to read: check the scenario, "
                          "catalog and run-folder files", highlight=False, soft_wrap=True)
        sys.exit(1)
    except Exception as exc:
        # Usage errors (typer vendors click, so match the class by name rather than import it).
        if any(cls.__name__ == "ClickException" for cls in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            emit_error(exc.format_message(), 1)  # type: ignore[attr-defined]
            sys.exit(1)  # bad arguments are bad input: exit code 2 means 'infeasible' here
        raise
    # With standalone_mode=False typer *returns* the code of a typer.Exit raised in a command, and turns
    # Ctrl-C (KeyboardInterrupt) into Exit(130): a returned 130 is an interrupt, never success.
    if code == 130:
        _interrupted()
    if isinstance(code, int) and code != 0:
        sys.exit(code)
