"""The inputs of the decision-sensitivity (tornado) analysis: what can be moved, over which range, and the scenario
with one input moved (docs/analyses.md, "Tornado").

An input is either a scenario knob, named by its config path (``objective.conventional_weight``), moved over a
default range (:data:`KNOBS`) or one given as ``PATH=LOW:HIGH``; or a catalog figure with a range, named by its path
as :func:`planner.analysis.uncertainty.ranged_figures` names it (``effectors.gun_35mm.cost_per_shot_eur``), moved
over the catalog's own low and high.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from planner.analysis.uncertainty import ranged_figures
from planner.config.catalog import Catalog, Figure
from planner.config.io import Scenario
from planner.errors import ConfigError
from planner.problem import PlanningProblem

#: Scenario knobs an input may name (they change the problem, not the theater): config path -> (label, default
#: range). A range is ``("scale", low factor, high factor)`` around the scenario's value, or ``("fixed", low,
#: high)``; ``floor`` is the least value the field takes.
KNOBS: dict[str, tuple[str, tuple[str, float, float], float]] = {
    "objective.conventional_weight": ("conventional weight (drones per L2A8 eq.)", ("scale", 0.5, 2.0), 0.0),
    "threats.raids_per_year": ("raids per year", ("scale", 0.5, 2.0), 0.0),
    "objective.decoy_weight": ("decoy weight", ("fixed", 0.0, 1.0), 0.0),
    "objective.asset_weight": ("asset weight", ("scale", 0.5, 2.0), 0.0),
    "objective.conventional_floor": ("conventional floor (L2A8 eq.)", ("scale", 0.5, 2.0), 0.0),
    "threats.raid_surge_factor": ("raid surge factor", ("scale", 0.5, 2.0), 1.0),
    "threats.decoy_discrimination": ("decoy discrimination", ("fixed", 0.0, 1.0), 0.0),
    "budget.total_eur": ("total budget", ("scale", 0.5, 2.0), 0.0),
    "objective.consequence.eur_per_fatality_equivalent": ("value of a fatality-equivalent", ("scale", 0.5, 2.0),
                                                          0.0),
    "objective.consequence.response_eur_per_leaker": ("response a leaker draws (EUR)", ("scale", 0.5, 2.0), 0.0),
    "objective.consequence.airport_closure_eur_per_hour": ("airport closure EUR an hour", ("scale", 0.5, 2.0), 0.0),
    "objective.consequence.casualty_area_m2_per_50kg": ("casualty area of a 50 kg warhead", ("scale", 0.5, 2.0),
                                                        0.0),
}
#: The scenario knobs of the default list, in this order.
DEFAULT_KNOBS = ("objective.conventional_weight", "threats.raids_per_year", "objective.decoy_weight")
#: With objective.consequence, the decoy weight has no part: these take its place in the default list.
CONSEQUENCE_KNOBS = ("objective.consequence.eur_per_fatality_equivalent",
                     "objective.consequence.response_eur_per_leaker")
#: The default list holds at most this many inputs (two plans each, before any bisection).
MAX_DEFAULT_INPUTS = 20

_FIELD_WORDS = {"unit_cost_eur": "unit cost", "cost_per_shot_eur": "cost per shot", "capability_score": "capability",
                "operating_cost_eur_per_year": "operating cost a year", "p_kill_per_shot": "p_kill per shot"}


@dataclass(frozen=True)
class Input:
    """One input of the tornado: its path, a label for tables and charts, and its nominal, low and high values."""

    path: str
    label: str
    nominal: float
    low: float
    high: float

    @property
    def is_knob(self) -> bool:
        return self.path in KNOBS

    def text(self, value: float) -> str:
        """``value`` as the chart and the tables write it (euros in €k/€M/€bn, probabilities with two decimals)."""
        return value_text(self.path, value)


def value_text(path: str, value: float) -> str:
    """An input's value in words: ``€21.6M``, ``0.30``, ``25``."""
    if not math.isfinite(value):
        return "n/a"
    if path.endswith("_eur") or "_eur_" in path or ".eur_" in path:
        for scale, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= scale:
                return f"€{value / scale:.3g}{unit}"
        return f"€{value:.3g}"
    if ".p_kill" in path or ".p_detect" in path or path == "threats.decoy_discrimination":
        return f"{value:.2f}"
    return f"{value:.3g}"


def known_paths(scenario: Scenario) -> list[str]:
    """Every path an input may name: the scenario knobs, then the catalog's ranged figures."""
    return [*KNOBS, *ranged_figures(scenario.catalog)]


def parse_inputs(scenario: Scenario, specs: list[str]) -> list[Input]:
    """The inputs named by ``specs`` (``PATH`` or, for a scenario knob, ``PATH=LOW:HIGH``), checked: an unknown path
    is a :class:`ConfigError` naming the closest known ones."""
    figures = ranged_figures(scenario.catalog)
    out: list[Input] = []
    problems: list[tuple[str, str]] = []
    for spec in (s.strip() for s in specs):
        if not spec:
            continue
        path, _, given = spec.partition("=")
        path = path.strip()
        try:
            if path in KNOBS:
                out.append(knob_input(scenario, path, _parse_range(path, given) if given else None))
            elif path in figures:
                if given:
                    raise ConfigError([("--inputs", f"{path} moves over its catalog range "
                                                    f"({_figure_range(figures[path])}): give the path without "
                                                    "'=LOW:HIGH', or widen the range in the catalog")])
                out.append(figure_input(path, figures[path]))
            else:
                raise ConfigError([("--inputs", _unknown(scenario, path))])
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    if not out:
        raise ConfigError([("--inputs", "no input named: give paths, e.g. objective.conventional_weight,"
                                        "conventional.leopard_2a8.unit_cost_eur")])
    seen = [i.path for i in out]
    twice = sorted({p for p in seen if seen.count(p) > 1})
    if twice:
        raise ConfigError([("--inputs", f"{', '.join(twice)} named twice: name each input once")])
    return out


def _unknown(scenario: Scenario, path: str) -> str:
    known = known_paths(scenario)
    close = difflib.get_close_matches(path, known, n=5, cutoff=0.6)
    if not close:  # a figure named by its system alone, e.g. 'gun_35mm': the figures of that system
        close = [k for k in known if path and path in k][:5]
    hint = f"did you mean {', '.join(close)}?" if close else (
        f"scenario knobs are {', '.join(KNOBS)}; catalog figures with a range are named like "
        "effectors.gun_35mm.cost_per_shot_eur (`dronewall validate` lists the catalogs)")
    return (f"'{path}' is not an input: {hint} An input is a scenario knob by its config path or a catalog "
            "figure with a low/high range by its path")


def _parse_range(path: str, given: str) -> tuple[float, float]:
    lo, sep, hi = given.partition(":")
    try:
        low, high = float(lo), float(hi)
    except ValueError:
        low = high = math.nan
    if not sep or not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ConfigError([("--inputs", f"'{path}={given}' is not a range: write {path}=LOW:HIGH with LOW below "
                                        "HIGH, e.g. objective.conventional_weight=20:120")])
    return low, high


def _figure_range(fig: Figure) -> str:
    return f"{fig.value if fig.low is None else fig.low:g} to {fig.value if fig.high is None else fig.high:g}"


def figure_input(path: str, fig: Figure) -> Input:
    kind, key, name, *sub = path.split(".")
    words = _FIELD_WORDS.get(name, name.replace("_", " "))
    label = f"{key} {words}" + (f" ({sub[0]})" if sub else "")
    return Input(path=path, label=label, nominal=fig.value, low=fig.value if fig.low is None else fig.low,
                 high=fig.value if fig.high is None else fig.high)


def knob_input(scenario: Scenario, path: str, given: tuple[float, float] | None = None) -> Input:
    """A scenario knob over ``given`` (low, high) or its default range, each end checked against the field."""
    label, (rule, a, b), floor = KNOBS[path]
    nominal = float(_knob_value(scenario, path))
    if given is not None:
        low, high = given
    elif rule == "scale":
        low, high = max(nominal * a, floor), nominal * b
    else:
        low, high = min(a, nominal), max(b, nominal)
    if not low < high:
        raise ConfigError([("--inputs", f"{path} is {nominal:g} in the scenario, so its default range (×{a:g} to "
                                        f"×{b:g}) is empty: give one, e.g. {path}=0:1")])
    for v in (low, high):
        with_value(scenario, path, v, check=True)
    return Input(path=path, label=label, nominal=nominal, low=low, high=high)


def _knob_value(scenario: Scenario, path: str) -> Any:
    obj: Any = scenario.config
    parts = path.split(".")
    for k, part in enumerate(parts):
        obj = getattr(obj, part)
        if obj is None and k < len(parts) - 1:
            raise ConfigError([("--inputs", f"{path}: the scenario sets no {'.'.join(parts[:k + 1])}: add it to "
                                            "the config, or choose another input")])
    return obj


def with_value(scenario: Scenario, path: str, value: float, *, check: bool = False) -> Scenario:
    """``scenario`` with the input at ``path`` set to ``value`` (a knob checked against its field's bounds when
    ``check``: a :class:`ConfigError` names the field)."""
    if path in KNOBS:
        *parents, name = path.split(".")
        _knob_value(scenario, path)  # a ConfigError if a section on the path is not set
        chain: list[Any] = [scenario.config]
        for part in parents:
            chain.append(getattr(chain[-1], part))
        section = chain[-1]
        if check:
            try:
                type(section).model_validate({**section.model_dump(), name: value})
            except ValidationError as exc:
                why = "; ".join(e["msg"] for e in exc.errors())
                raise ConfigError([("--inputs", f"{path} = {value:g} is not allowed ({why}): give a range within "
                                                f"the field's bounds, e.g. {path}=LOW:HIGH")]) from None
        new: Any = section.model_copy(update={name: value})
        for parent, part in zip(reversed(chain[:-1]), reversed(parents), strict=True):
            new = parent.model_copy(update={part: new})
        return dataclasses.replace(scenario, config=new)
    return dataclasses.replace(scenario, catalog=_set_figure(scenario.catalog, path, value))


def _set_figure(catalog: Catalog, path: str, value: float) -> Catalog:
    """``catalog`` with the figure at ``path`` set to ``value`` (the catalogs' order kept: the problem indexes
    systems in it)."""
    kind, key, name, *sub = path.split(".")
    systems = getattr(catalog, kind)
    model = systems[key]
    field = getattr(model, name)
    if sub:
        new: Any = {**field, sub[0]: field[sub[0]].model_copy(update={"value": value})}
    else:
        new = field.model_copy(update={"value": value})
    return catalog.model_copy(update={kind: {**systems, key: model.model_copy(update={name: new})}})


def default_inputs(scenario: Scenario, p: PlanningProblem, nominal: Mapping[str, Any]) -> tuple[list[Input],
                                                                                                 list[str]]:
    """The curated list and what the cap left out: the knobs of :data:`DEFAULT_KNOBS` (decoy weight only where the
    raids hold decoys), every conventional option's unit cost and capability score, then, for the systems the
    nominal plan uses (dearest first), each effector's unit cost (if it buys units), cost per shot (if it fires) and
    p_kill against the armed class it defeats most, and each sensor's unit cost (if it buys units); figures with a
    range only, :data:`MAX_DEFAULT_INPUTS` at most."""
    figures = ranged_figures(scenario.catalog)
    paths: list[str] = []
    for path in DEFAULT_KNOBS:
        if path == "objective.decoy_weight" and scenario.config.objective.consequence is not None:
            paths += CONSEQUENCE_KNOBS
            continue
        if path == "objective.decoy_weight" and not bool(np.any(p.threat_decoy)):
            continue
        paths.append(path)
    for c in p.conv_ids:
        paths += [f"conventional.{c}.unit_cost_eur", f"conventional.{c}.capability_score"]
    for system in sorted(nominal["systems"], key=lambda s: -nominal["systems"][s]["eur"]):
        use = nominal["systems"][system]
        kind = "effectors" if system in p.effector_ids else "sensors"
        if use["bought"]:
            paths.append(f"{kind}.{system}.unit_cost_eur")
        if use.get("fired"):
            paths.append(f"{kind}.{system}.cost_per_shot_eur")
        if use.get("main_class"):
            paths.append(f"{kind}.{system}.p_kill_per_shot.{use['main_class']}")
    inputs: list[Input] = []
    for path in paths:
        if path in KNOBS:
            try:
                inputs.append(knob_input(scenario, path))
            except ConfigError:  # an empty default range (the knob is 0 in the scenario): left out
                continue
        elif path in figures:
            inputs.append(figure_input(path, figures[path]))
    return inputs[:MAX_DEFAULT_INPUTS], [i.path for i in inputs[MAX_DEFAULT_INPUTS:]]
