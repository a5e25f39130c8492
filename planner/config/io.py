"""Reading scenarios and catalogs: YAML in, validated models out, every problem named.

A scenario is read once, by :func:`load_scenario`; nothing after it reads YAML.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from planner.config.adversary import adversary_problems
from planner.config.catalog import CATALOG_MODELS, Catalog
from planner.config.catalog_overrides import apply_catalog_overrides
from planner.config.files import MAX_NESTING, display_path, json_field, load_json, load_yaml, path_kind
from planner.config.funding import NationCatalog, NationFigures
from planner.config.overlay import apply_overrides, resolve_overlays
from planner.config.scenario import ScenarioConfig
from planner.config.shipped import resolve_scenario
from planner.errors import ConfigError

__all__ = ["Scenario", "display_path", "json_field", "load_catalog", "load_json", "load_scenario", "load_yaml", "path_kind",
           "validation_problems"]

def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_PATTERN_HINTS = {
    r"^[A-Z]{2}$": "an ISO 3166-1 alpha-2 country code in capitals, e.g. 'PL'",
    r"^[A-Z]{2}-[A-Z]{2}$": "a border id of two country codes, defender first, e.g. 'PL-BY'",
    r"^[a-z][a-z0-9_]*$": "an id of lower-case letters, digits and underscores, e.g. 'shahed_136'",
}


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Turn pydantic's errors into ``(field.path, message)`` pairs a user can act on."""
    problems: list[tuple[str, str]] = []
    from_union: list[bool] = []
    for err in exc.errors(include_url=False):
        # Drop pydantic's union-branch tags ('list[constrained-str]', "literal['all']") from the path.
        parts = [str(p) for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
        from_union.append(len(parts) != len(err["loc"]))
        loc = ".".join(parts)
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        etype = err["type"]
        if etype == "extra_forbidden":
            msg = "unknown field: remove it or check its spelling (see `dronewall schema`)"
        elif etype == "missing":
            msg = "required field is missing"
        elif etype in ("model_type", "dict_type"):
            msg = f"expected a mapping of fields, got {type(err.get('input')).__name__}"
        elif etype == "string_pattern_mismatch":
            hint = _PATTERN_HINTS.get(err.get("ctx", {}).get("pattern", ""), msg[0].lower() + msg[1:])
            msg = f"{_short(err['input'])} is not valid: expected {hint}"
        elif etype != "value_error" and "input" in err and not isinstance(err["input"], dict | list):
            msg = f"{_short(err['input'])} is not valid: {msg[0].lower()}{msg[1:]}"
        problems.append((loc, msg))
    # Of a union's failed branches, keep the deepest: 'borders.0: not a border id' says more than
    # 'borders: should be "all"'.
    return [
        (loc, msg) for (loc, msg), tagged in zip(problems, from_union, strict=True)
        if not (tagged and any(other.startswith(loc + ".") for other, _ in problems))
    ]


def _validate(model: type[BaseModel], data: Any, shown: str) -> Any:
    if data is None:
        raise ConfigError("the file is empty", source=shown)
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping of fields at the top level, got {type(data).__name__}",
                          source=shown)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_problems(exc), source=shown) from None
    except RecursionError:  # pragma: no cover - load_yaml refuses such nesting first
        raise ConfigError(f"nesting deeper than {MAX_NESTING} levels", source=shown) from None


def load_catalog(paths: dict[str, Path], *, origin: str | None = None) -> Catalog:
    """Load and cross-check the five catalogs (``sources``, ``threats``, ``sensors``, ...).

    A catalog file that cannot be read at all is named with the scenario file (``origin``) and field
    (``catalogs.threats``) that point to it; a problem inside a catalog, with the catalog file and field.
    """
    parts: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for kind, model in CATALOG_MODELS.items():
        path = paths[kind]
        try:
            parsed = _validate(model, load_yaml(path), display_path(path))
        except ConfigError as exc:
            pointer = None if exc.source else ": ".join(p for p in (origin, f"catalogs.{kind}") if p)
            where = exc.source or pointer
            problems.extend((": ".join(p for p in (where, w) if p), m) for w, m in exc.problems)
            continue
        parts[kind] = getattr(parsed, kind)
    if problems:
        raise ConfigError(problems)
    catalog = Catalog(**parts)
    cross = catalog.cross_check()
    if cross:
        raise ConfigError([(f"{display_path(paths[kind])}: {where}", msg) for kind, where, msg in cross])
    return catalog


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the config, its catalogs and the absolute paths of its inputs."""

    config: ScenarioConfig
    catalog: Catalog
    path: Path
    files: dict[str, Path] = field(default_factory=dict)
    nations: dict[str, NationFigures] = field(default_factory=dict)  # funding.nations_file, when funding is set

    @property
    def name(self) -> str:
        return self.config.name

    def __repr__(self) -> str:
        from planner.reprs import scenario_text

        return scenario_text(self)

    def _repr_html_(self) -> str:
        from planner.reprs import scenario_html

        return scenario_html(self)

    def with_overrides(self, overrides: Mapping[str, Any] | Sequence[str]) -> Scenario:
        """This scenario with ``overrides`` (``{"budget.total_eur": 3e9}``) set, validated and cross-checked again
        (``model_copy(update=…)`` on the config would skip both)."""
        return load_scenario(self.config, overrides=overrides, base_dir=self.path.parent)

    def config_hash(self) -> str:
        """SHA-256 of the normalised config and catalogs (not of the YAML text)."""
        payload = json.dumps(
            {"config": self.config.model_dump(mode="json"), "catalog": self.catalog.model_dump(mode="json"),
             **({"nations": {k: v.model_dump(mode="json") for k, v in self.nations.items()}} if self.nations else {})},
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def short_hash(self) -> str:
        return self.config_hash()[:8]


def _cross_check(cfg: ScenarioConfig, cat: Catalog) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []

    def check(where: str, ids: Any, known: dict[str, Any], what: str) -> None:
        for i in ids or []:
            if i not in known:
                problems.append((where, f"unknown {what} '{i}'; known: {', '.join(sorted(known))}"))

    for i, entry in enumerate(cfg.threats.density):
        check(f"threats.density[{i}].threat", [entry.threat], cat.threats, "threat")
    check("objective.defeat_targets", cfg.objective.defeat_targets, cat.threats, "threat")
    in_density = {d.threat for d in cfg.threats.density}
    for tid in cfg.objective.defeat_targets:
        if tid in cat.threats and tid not in in_density:
            problems.append(("objective.defeat_targets", f"'{tid}' has a target but no raid density in "
                                                         "threats.density: add one or drop the target"))
    check("systems.sensors", cfg.systems.sensors, cat.sensors, "sensor")
    check("systems.effectors", cfg.systems.effectors, cat.effectors, "effector")
    check("systems.conventional", cfg.systems.conventional, cat.conventional, "conventional option")
    check("systems.conventional_min_units", cfg.systems.conventional_min_units, cat.conventional,
          "conventional option")
    offered = {a for c in (cfg.systems.conventional or cat.conventional) if c in cat.conventional
               for a in cat.conventional[c].capability_areas}
    for area in cfg.objective.capability_areas:
        if area not in offered:
            problems.append((f"objective.capability_areas.{area}",
                             f"no allowed conventional option has points in area '{area}' (the options offer "
                             f"{', '.join(sorted(offered)) or 'none'}): name it in a catalog option's "
                             "capability_areas, or leave it out"))
    for k, unit in enumerate(cfg.systems.in_service):
        where = f"systems.in_service[{k}].system"
        if unit.system in cat.sensors:
            if cfg.systems.sensors is not None and unit.system not in cfg.systems.sensors:
                problems.append((where, f"'{unit.system}' is in service but not in systems.sensors: add it there"))
        elif unit.system in cat.effectors:
            if cfg.systems.effectors is not None and unit.system not in cfg.systems.effectors:
                problems.append((where, f"'{unit.system}' is in service but not in systems.effectors: add it there"))
        else:
            problems.append((where, f"unknown sensor or effector '{unit.system}'"))
    defenders = set(cfg.geodata.defenders)
    problems += _max_unit_problems(cfg, cat, defenders)
    for k, req in enumerate(cfg.systems.min_detection):
        where = f"systems.min_detection[{k}]"
        if req.nation != "all" and req.nation not in defenders:
            problems.append((f"{where}.nation", f"'{req.nation}' is not a defender (geodata.defenders: "
                                                f"{', '.join(cfg.geodata.defenders)})"))
        if req.threat != "all":
            if req.threat not in cat.threats:
                problems.append((f"{where}.threat", f"unknown threat '{req.threat}'"))
            elif req.threat not in in_density:
                problems.append((f"{where}.threat", f"'{req.threat}' has no raid density in threats.density: "
                                                    "add one or drop the requirement"))
    problems += _escort_problems(cfg, cat, in_density)
    problems += adversary_problems(cfg.adversary, cat, in_density)
    if cfg.pathway is not None:
        systems = {**cat.sensors, **cat.effectors, **cat.conventional}
        for name in ("lead_time_years", "units_per_year"):
            check(f"pathway.{name}", getattr(cfg.pathway, name), systems, "sensor, effector or conventional option")
        crewed = any(cat.threats[d.threat].manned for d in cfg.threats.density if d.threat in cat.threats)
        for i, m in enumerate(cfg.pathway.milestones):
            if m.escort_share is not None and not crewed:
                problems.append((f"pathway.milestones[{i}].escort_share", "the scenario has no crewed incursions "
                                 "(no manned class in threats.density): drop escort_share or add a crewed class"))
    if cfg.incident is not None:
        for name in ("drones", "drones_defeated", "drones_detected", "escorted", "munitions_spent_eur"):
            fig = getattr(cfg.incident, name)
            check(f"incident.{name}.source", fig.source if fig is not None else [], cat.sources, "source id")
    allowed = cfg.systems.conventional
    if allowed is not None:
        for oid in cfg.systems.conventional_min_units:
            if oid in cat.conventional and oid not in allowed:
                problems.append(("systems.conventional_min_units",
                                 f"'{oid}' has a minimum but is not in systems.conventional: add it there"))
    return problems


def _max_unit_problems(cfg: ScenarioConfig, cat: Catalog, defenders: set[str]) -> list[tuple[str, str]]:
    """systems.max_units: a known, allowed sensor or effector, a defender, each pair once."""
    problems = []
    seen: set[tuple[str, str]] = set()
    for k, cap in enumerate(cfg.systems.max_units):
        where = f"systems.max_units[{k}]"
        kind, allowed = (("sensor", cfg.systems.sensors) if cap.system in cat.sensors else
                         ("effector", cfg.systems.effectors) if cap.system in cat.effectors else ("", None))
        if not kind:
            problems.append((f"{where}.system", f"unknown sensor or effector '{cap.system}'"))
        elif allowed is not None and cap.system not in allowed:
            problems.append((f"{where}.system", f"'{cap.system}' has a limit but is not in systems.{kind}s: add it "
                                                "there or drop the limit"))
        if cap.nation != "each" and cap.nation not in defenders:
            problems.append((f"{where}.nation", f"'{cap.nation}' is not a defender (geodata.defenders: "
                                                f"{', '.join(cfg.geodata.defenders)})"))
        if (cap.system, cap.nation) in seen:
            problems.append((where, f"'{cap.system}' in {cap.nation} is limited twice: keep one entry"))
        seen.add((cap.system, cap.nation))
    return problems


def _escort_problems(cfg: ScenarioConfig, cat: Catalog, in_density: set[str]) -> list[tuple[str, str]]:
    """The escort requirements against the catalogs and the rules: each names a crewed class with a raid density
    and a nation that escorts (not under roe shoot_all, response escort), and an allowed effector can escort."""
    problems: list[tuple[str, str]] = []
    crewed = sorted(t for t in in_density if t in cat.threats and cat.threats[t].manned)
    allowed = cfg.systems.effectors if cfg.systems.effectors is not None else list(cat.effectors)
    escorting = sorted(e for e in allowed if e in cat.effectors and cat.effectors[e].escort is not None)
    for k, req in enumerate(cfg.escort.min_share):
        where = f"escort.min_share[{k}]"
        escorting_nations = [n for n in cfg.geodata.defenders if cfg.escort.applied(cfg.roe, n) == "escort"]
        if req.nation == "all" and not escorting_nations:
            problems.append((f"{where}.nation", "'all', but no defender escorts crewed incursions (each is under roe "
                                                "shoot_all or responds monitor): drop the requirement or set "
                                                "escort.response"))
        if req.nation != "all":
            if req.nation not in cfg.geodata.defenders:
                problems.append((f"{where}.nation", f"'{req.nation}' is not a defender (geodata.defenders: "
                                                    f"{', '.join(cfg.geodata.defenders)})"))
            elif cfg.escort.applied(cfg.roe, req.nation) == "shoot":
                problems.append((f"{where}.nation", f"{req.nation} is under roe shoot_all: it engages crewed "
                                 "aircraft rather than escorting them; drop the requirement or set its roe"))
            elif cfg.escort.response_of(req.nation) != "escort":
                problems.append((f"{where}.nation", f"{req.nation}'s response to crewed incursions is "
                                 f"{cfg.escort.response_of(req.nation)}: set escort.response_per_nation.{req.nation}: "
                                 "escort, or drop the requirement"))
        if req.threat != "all" and (req.threat not in cat.threats or not cat.threats[req.threat].manned):
            problems.append((f"{where}.threat", f"'{req.threat}' is not a crewed threat class (manned: true); "
                                                f"crewed classes: {', '.join(t for t in cat.threats if cat.threats[t].manned) or 'none'}"))
        elif req.threat != "all" and req.threat not in in_density:
            problems.append((f"{where}.threat", f"'{req.threat}' has no raid density in threats.density: add one "
                                                "or drop the requirement"))
        elif req.threat == "all" and not crewed:
            problems.append((f"{where}.threat", "no crewed class (manned: true) has a raid density in "
                                                "threats.density: add one or drop the requirement"))
        if not escorting:
            problems.append((where, "no allowed effector can escort (an effector with an escort block, e.g. "
                                    "fighter_aim120): allow one in systems.effectors"))
    return problems


def load_scenario(source: str | Path | Mapping[str, Any] | ScenarioConfig, *,
                  overrides: Mapping[str, Any] | Sequence[str] | None = None, base_dir: str | Path | None = None
                  ) -> Scenario:
    """Read, validate and cross-check a scenario and its catalogs: a file (or a shipped scenario by name), a mapping
    of its sections or a :class:`ScenarioConfig` (relative paths then relative to ``base_dir``, default the current
    folder). An ``extends:`` key merges it over the scenario it names (:mod:`planner.config.overlay`); ``overrides``
    (``{"budget.total_eur": 3e9}``, or ``["budget.total_eur=3e9"]`` as ``--set`` gives them) are set before it is
    validated, so the result is validated as a whole.

    Raises :class:`ConfigError` listing every problem found, each with the file and the field.
    """
    if isinstance(source, ScenarioConfig | Mapping):
        data: Any = source.model_dump(mode="json") if isinstance(source, ScenarioConfig) else dict(source)
        path = Path(base_dir or ".").resolve() / "<scenario>"
    else:
        path = resolve_scenario(source)  # a file, or a shipped scenario by name ("eastern-flank")
        data = load_yaml(path)
    data = apply_overrides(resolve_overlays(data, path), overrides)
    shown = display_path(path)
    if overrides:  # a message on an overridden field names where its value came from
        keys = list(overrides) if isinstance(overrides, Mapping) else [o.partition("=")[0] for o in overrides]
        shown += f" with {', '.join(keys)} overridden"
    cfg: ScenarioConfig = _validate(ScenarioConfig, data, shown)
    base = path.resolve().parent
    cat_paths = {kind: (base / p) for kind, p in cfg.catalogs.model_dump().items() if kind != "overrides"}
    catalog, problems = apply_catalog_overrides(load_catalog(cat_paths, origin=shown), cfg.catalogs.overrides)
    problems += _cross_check(cfg, catalog)
    files = dict(cat_paths)
    geo = cfg.geodata
    for key in ("countries", "borders", "assets", "settlements"):
        rel = getattr(geo, key)
        if rel is None:
            continue
        full = base / rel
        state = path_kind(full)
        if state == "missing":
            problems.append((f"geodata.{key}", f"file not found: {display_path(full)} (paths are relative "
                                               "to the scenario file)"))
        elif state not in ("file", "folder"):  # a folder may be a dataset (a Shapefile folder, a .gdb)
            problems.append((f"geodata.{key}", f"{display_path(full)}: {state}"))
        files[f"geodata.{key}"] = full
    if geo.crs is not None:
        from planner.geo.crs import check_metric_crs  # pyproj: only when a scenario sets a CRS

        try:
            check_metric_crs(geo.crs)
        except ConfigError as exc:
            problems.extend(exc.problems)
    nations: dict[str, NationFigures] = {}
    if cfg.funding is not None:
        nations_path = (base / cfg.funding.nations_file if cfg.funding.nations_file is not None
                        else cat_paths["sources"].parent / "nations.yaml")
        files["funding.nations_file"] = nations_path
        nations, found = _load_nations(cfg, catalog, nations_path)
        problems += found
    if problems:
        raise ConfigError(problems, source=shown)
    return Scenario(config=cfg, catalog=catalog, path=path.resolve(), files=files, nations=nations)


def _load_nations(cfg: ScenarioConfig, cat: Catalog, path: Path) -> tuple[dict[str, NationFigures], list[tuple[str, str]]]:
    """The nations file of funding: its figures (sources known, values positive) and the funding sources against the
    defenders and the nations it lists."""
    assert cfg.funding is not None
    state = path_kind(path)
    if state != "file":
        why = "file not found" if state == "missing" else state
        return {}, [("funding.nations_file", f"{why}: {display_path(path)} (paths are relative to the scenario file; "
                                             "the shipped one is catalogs/nations.yaml)")]
    try:
        parsed: NationCatalog = _validate(NationCatalog, load_yaml(path), display_path(path))
    except ConfigError as exc:
        return {}, [(f"{display_path(path)}: {w}", m) for w, m in exc.problems]
    problems: list[tuple[str, str]] = []
    for code, fig in parsed.nations.items():
        for name in ("gdp_eur", "defence_spending_eur", "population"):
            f = getattr(fig, name)
            if f.value <= 0 or f.range[0] <= 0:
                problems.append((f"{display_path(path)}: nations.{code}.{name}", f"must be more than 0; got {f.value:g}"))
            for sid in f.source:
                if sid not in cat.sources:
                    problems.append((f"{display_path(path)}: nations.{code}.{name}.source",
                                     f"unknown source id '{sid}': add it to the sources catalog"))
    defenders = set(cfg.geodata.defenders)
    for k, src in enumerate(cfg.funding.sources):
        hosts = [] if src.hosts == "all" else src.hosts
        for h in hosts:
            if h not in defenders:
                problems.append((f"funding.sources[{k}].hosts", f"'{h}' is not a defender (geodata.defenders: "
                                                               f"{', '.join(cfg.geodata.defenders)})"))
    for n in list(dict.fromkeys([*cfg.geodata.defenders, *cfg.funding.payers()])):
        if n not in parsed.nations:
            problems.append(("funding", f"{n} has no figures in {display_path(path)} for the fair-share key: add "
                                        "its GDP, defence spending and population there"))
    return dict(parsed.nations), problems
