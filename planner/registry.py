"""The analyses, registered once: what each runs, writes, prints and adds to the briefing.

An analysis is one :class:`AnalysisEntry` in :data:`ANALYSES`. Everything that handles analyses in general
loops over this tuple instead of naming them:

- the ``dronewall`` command of each analysis (``planner.cli.analysis_commands``) declares its options and calls
  ``run_analysis``, which reads its input, runs it (:attr:`~AnalysisEntry.run`), writes its folder
  (:attr:`~AnalysisEntry.write`) and prints its console table (:attr:`~AnalysisEntry.console`);
- the briefing (``planner.report.brief_inputs``, ``planner.report.brief``) finds the analyses it includes by
  their ``<kind>.json``, reads their rows under :attr:`~AnalysisEntry.rows` and adds each one's tables and
  charts (:attr:`~AnalysisEntry.section`; ``None``: the briefing leaves it out);
- the run-folder module (:mod:`planner.runfolder`) writes ``<kind>.csv``, ``<kind>.json`` and the plans'
  sub-folder, and :mod:`planner.outdir` recognises the names an analysis gives its files.

The callables are named by dotted path (``module:name``) and imported only when used, so that this module
imports nothing of dronewall (every layer may read it) and ``dronewall --help`` stays light.

The order of :data:`ANALYSES` is the order the briefing looks for them, includes them and names them in its
messages; ``dronewall --help`` lists the commands in the order of ``planner/cli/__init__.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

__all__ = ["ANALYSES", "BRIEFED", "AnalysisEntry", "by_command", "by_kind", "resolve"]


@dataclass(frozen=True)
class AnalysisEntry:
    """One analysis: its command, its files, and the functions that run, write, print and brief it."""

    #: The ``dronewall`` command (``dronewall simulate``).
    command: str
    #: The stem of its files: ``<kind>.csv``, ``<kind>.json``, ``<kind>.png`` (``simulation``).
    kind: str
    #: The key of the table's rows in ``<kind>.json`` (the rest of the document is its summary).
    rows: str
    #: What the command takes: a scenario YAML file (``scenario``), a run folder read back into its problem
    #: (``plan``: ``planner.analysis.stress.load_plan``) or the run folder's path itself (``run_dir``). An
    #: analysis of a run folder writes into ``RUN_DIR/<kind>`` unless told otherwise.
    reads: Literal["scenario", "plan", "run_dir"]
    #: ``module:name`` of the analysis: ``run(input, **options)`` returns its result.
    run: str
    #: ``module:name`` of its writer: ``write(result, out, force=...)`` writes the folder atomically, returns it.
    write: str
    #: ``module:name`` of its console output: ``console(ran)`` prints the table and where the results are
    #: (``ran``: a ``planner.cli.analysis_tables.Ran``).
    console: str
    #: What the console shows while it runs, formatted with the command's options (``{draws} catalog draws...``).
    waiting: str
    #: How it reports progress: ``status`` (a spinner with :attr:`waiting`), ``bar`` (a progress bar named
    #: :attr:`waiting`, given to the run as ``progress=tick(done, total)``) or ``messages`` (the spinner's text
    #: updated by ``progress=say(message)``).
    progress: Literal["status", "bar", "messages"] = "status"
    #: ``module:name`` of its part of the briefing, ``section(analysis, run) -> BriefPart`` (its tables and
    #: charts), or None when the briefing does not include it.
    section: str | None = None
    #: The sub-folder of its plans' documents (``<plans>/<name>/plan.json``), if it keeps any.
    plans: str | None = None
    #: Other tables it may write beside its own (``<name>.csv``, ``<name>.png``; rows under ``<name>`` in
    #: ``<kind>.json``).
    extra: tuple[str, ...] = ()
    #: Fields of ``<kind>.json`` the briefing reads as numbers, checked when it is read back.
    numbers: tuple[str, ...] = ()
    #: ``module:name`` of the pydantic model describing ``<kind>.json`` (its JSON Schema:
    #: ``dronewall schema --kind <kind>``; :mod:`planner.report.schemas`).
    schema: str = ""

    def load(self, part: Literal["run", "write", "console", "section", "schema"]) -> Any:
        """The callable named by ``part`` (imported now)."""
        ref = getattr(self, part)
        if not ref:
            raise LookupError(f"the {self.kind} analysis has no {part}")
        return resolve(ref)


def resolve(ref: str) -> Any:
    """The object named by ``module:name``."""
    module, _, name = ref.partition(":")
    return getattr(import_module(module), name)


_CLI = "planner.cli.analysis_tables"
_BRIEF = "planner.report.brief_sections"
_SCHEMAS = "planner.report.schemas"

#: Every analysis, in the order the briefing looks for them and lists them.
ANALYSES: tuple[AnalysisEntry, ...] = (
    AnalysisEntry(command="decision", kind="decision", rows="weights", reads="plan",
                  schema=f"{_SCHEMAS}.decision:Document",
                  run="planner.analysis.decision:decision", write="planner.report.decision:write_decision",
                  console=f"{_CLI}:decision", waiting="solving the split at other weights...",
                  section=f"{_BRIEF}:decision"),
    AnalysisEntry(command="stress", kind="stress", rows="cases", reads="plan",
                  schema=f"{_SCHEMAS}.stress:Document",
                  run="planner.analysis.stress:stress", write="planner.report.stress:write_stress",
                  console=f"{_CLI}:stress", waiting="stress cases...", section=f"{_BRIEF}:stress",
                  numbers=("target",)),
    AnalysisEntry(command="uncertainty", kind="uncertainty", rows="draws", reads="plan",
                  schema=f"{_SCHEMAS}.uncertainty:Document",
                  run="planner.analysis.uncertainty:uncertainty",
                  write="planner.report.uncertainty:write_uncertainty", console=f"{_CLI}:uncertainty",
                  waiting="{draws} catalog draws", progress="bar", section=f"{_BRIEF}:uncertainty",
                  extra=("uncertainty_inputs", "uncertainty_sensitivity")),
    AnalysisEntry(command="simulate", kind="simulation", rows="threats", reads="run_dir",
                  schema=f"{_SCHEMAS}.simulation:Document",
                  run="planner.simulate:simulate", write="planner.report.simulation:write_simulation",
                  console=f"{_CLI}:simulation", waiting="simulating {drones:,} drones...",
                  section=f"{_BRIEF}:simulation"),
    AnalysisEntry(command="frontier", kind="frontier", rows="points", reads="scenario",
                  schema=f"{_SCHEMAS}.frontier:Document",
                  run="planner.analysis.sweeps:frontier", write="planner.report.sweeps:write_sweep",
                  console=f"{_CLI}:frontier", waiting="national plans", progress="bar",
                  section=f"{_BRIEF}:frontier", plans="points", extra=("budget_sweep",)),
    AnalysisEntry(command="premium", kind="premium", rows="points", reads="scenario",
                  schema=f"{_SCHEMAS}.premium:Document",
                  run="planner.analysis.sweeps:premium", write="planner.report.sweeps:write_sweep",
                  console=f"{_CLI}:premium", waiting="national plans", progress="bar",
                  section=f"{_BRIEF}:premium", plans="points"),
    AnalysisEntry(command="tornado", kind="tornado", rows="inputs", reads="scenario",
                  schema=f"{_SCHEMAS}.tornado:Document",
                  run="planner.analysis.tornado:tornado", write="planner.report.tornado:write_tornado",
                  console=f"{_CLI}:tornado", waiting="plans at each input's low and high", progress="bar",
                  section=f"{_BRIEF}:tornado", extra=("tornado_points",),
                  numbers=("budget_eur", "nominal_drone_defence_eur")),
    AnalysisEntry(command="alternatives", kind="alternatives", rows="plans", reads="scenario",
                  schema=f"{_SCHEMAS}.alternatives:Document",
                  run="planner.analysis.alternatives:alternatives",
                  write="planner.report.alternatives:write_alternatives",
                  console=f"{_CLI}:alternatives", waiting="national plans", progress="bar",
                  section=f"{_BRIEF}:alternatives", plans="plans"),
    AnalysisEntry(command="regimes", kind="regimes", rows="evaluations", reads="scenario",
                  schema=f"{_SCHEMAS}.regimes:Document",
                  run="planner.analysis.regimes:regimes", write="planner.report.regimes:write_regimes",
                  console=f"{_CLI}:regimes", waiting="planning for each threat regime...", progress="messages",
                  section=f"{_BRIEF}:regimes", extra=("regime_plans",)),
    AnalysisEntry(command="pathway", kind="pathway", rows="years", reads="scenario",
                  schema=f"{_SCHEMAS}.pathway:Document",
                  run="planner.analysis.roadmap:pathway", write="planner.report.pathway:write_pathway",
                  console=f"{_CLI}:pathway", waiting="planning the pathway...", progress="messages",
                  section=f"{_BRIEF}:pathway", extra=("pathway_units", "pathway_nations")),
    AnalysisEntry(command="adversary", kind="adversary", rows="raids", reads="scenario",
                  schema=f"{_SCHEMAS}.adversary:Document",
                  run="planner.analysis.adaptive:adversary", write="planner.report.adversary:write_adversary",
                  console=f"{_CLI}:adversary", waiting="planning against the adversary...", progress="messages",
                  section=f"{_BRIEF}:adversary", plans="plans",
                  extra=("adversary_axes", "adversary_cells", "adversary_frontier"), numbers=("target", "gap")),
    AnalysisEntry(command="robust", kind="robust", rows="worlds", reads="scenario",
                  schema=f"{_SCHEMAS}.robust:Document",
                  run="planner.analysis.robust:robust", write="planner.report.robust:write_robust",
                  console=f"{_CLI}:robust", waiting="robust planning...", progress="messages", plans="plans"),
    AnalysisEntry(command="incident", kind="incident", rows="cases", reads="scenario",
                  schema=f"{_SCHEMAS}.incident:Document",
                  run="planner.analysis.incident:replay", write="planner.report.incident:write_incident",
                  console=f"{_CLI}:incident", waiting="replaying the incident...", plans="plans"),
)

#: The analyses the briefing includes, in the order it includes them.
BRIEFED: tuple[AnalysisEntry, ...] = tuple(a for a in ANALYSES if a.section is not None)


_BY_COMMAND = {a.command: a for a in ANALYSES}
_BY_KIND = {a.kind: a for a in ANALYSES}


def by_command(command: str) -> AnalysisEntry:
    """The analysis of ``dronewall <command>`` (KeyError for another command)."""
    return _BY_COMMAND[command]


def by_kind(kind: str) -> AnalysisEntry:
    """The analysis whose files are ``<kind>.*`` (KeyError for another kind)."""
    return _BY_KIND[kind]
