"""Reading scenarios and catalogs: YAML in, validated models out, every problem named.

A scenario is read once, by :func:`load_scenario`; nothing after it reads YAML.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.config.catalog import CATALOG_MODELS, Catalog
from planner.config.scenario import ScenarioConfig
from planner.errors import ConfigError

__all__ = ["Scenario", "json_field", "load_catalog", "load_json", "load_scenario", "load_yaml", "path_kind",
           "validation_problems"]

MAX_NESTING = 50  # levels of mappings and lists (scenarios and catalogs need fewer than ten)
MAX_VALUES = 1_000_000  # values a YAML file may expand to through aliases (*name): 'billion laughs'
MAX_YAML_BYTES = 20_000_000  # size of a scenario or catalog file (the shipped ones are below 100 kB)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys (PyYAML keeps the last one silently) and nesting
    deeper than :data:`MAX_NESTING` levels (PyYAML composes nodes recursively)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                msg = (f"line {mark.line + 1}, column {mark.column + 1}: nesting deeper than {MAX_NESTING} "
                       "levels (a scenario or catalog needs fewer than ten): check for unclosed brackets or "
                       "runaway indentation")
                raise ConfigError(msg)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str | int | float | bool | None):
            line = key_node.start_mark.line + 1
            raise ConfigError(f"line {line}: a key is a {type(key).__name__}: keys are names, e.g. 'budget'")
        if key in mapping:
            line = key_node.start_mark.line + 1
            msg = f"duplicate key '{key}' at line {line}: each key (and each id) may appear only once"
            raise ConfigError(msg)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads NO (Norway), yes, on, off as booleans; we follow YAML 1.2: only true/false are.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, a NUL byte, a symlink loop
        return str(path)


def path_kind(path: Path) -> str:
    """'file', 'folder', 'missing', or why the path is none of these (a device, a NUL byte, ...)."""
    try:
        if path.is_dir():
            return "folder"
        if path.is_file():
            return "file"
        return "not a regular file" if path.exists() else "missing"
    except (OSError, ValueError) as exc:
        return f"not a usable path ({exc})"


def load_yaml(path: Path) -> Any:
    """Read one YAML file; a missing, unreadable or malformed file raises :class:`ConfigError`."""
    shown = display_path(path)
    kind = path_kind(path)
    if kind == "missing":
        raise ConfigError(f"file not found: {shown}: check the path (relative paths in a scenario are "
                          "relative to the scenario file)")
    if kind == "folder":
        raise ConfigError(f"{shown} is a folder: give a YAML file")
    if kind != "file" or path.stat().st_size > MAX_YAML_BYTES:
        why = kind if kind != "file" else f"larger than {MAX_YAML_BYTES:,} bytes, too large for a scenario"
        raise ConfigError(f"{shown}: {why}: give a YAML file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read the file ({exc}): save it as UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except ConfigError as exc:
        raise ConfigError(str(exc), source=shown) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}not valid YAML ({problem})", source=shown) from None
    except RecursionError:
        raise ConfigError(f"nesting deeper than {MAX_NESTING} levels: check for unclosed brackets",
                          source=shown) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a date 2025-13-45, an integer of 5,000 digits
        raise ConfigError(f"not valid YAML ({exc})", source=shown) from None
    _check_shape(data, shown)
    return data


def _check_shape(data: Any, shown: str) -> None:
    """Refuse data nested deeper than :data:`MAX_NESTING`, cyclic, or expanding past :data:`MAX_VALUES`
    values (aliases can do all three in a few lines). Iterative, so it cannot exhaust the stack itself."""
    done: dict[int, tuple[int, int]] = {}  # id -> (depth, values), of each mapping or list walked
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        obj, finished = stack.pop()
        if not isinstance(obj, dict | list) or (not finished and id(obj) in done):
            continue
        children = [c for c in (obj.values() if isinstance(obj, dict) else obj) if isinstance(c, dict | list)]
        if finished:
            open_.discard(id(obj))
            depth = 1 + max((done[id(c)][0] for c in children), default=0)
            values = len(obj) + sum(done[id(c)][1] for c in children)
            if depth > MAX_NESTING:
                raise ConfigError(f"nesting deeper than {MAX_NESTING} levels (through aliases): a scenario "
                                  "or catalog needs fewer than ten", source=shown)
            if values > MAX_VALUES:
                raise ConfigError(f"aliases (*name) expand to more than {MAX_VALUES:,} values: write the "
                                  "values out", source=shown)
            done[id(obj)] = (depth, values)
            continue
        if id(obj) in open_:
            raise ConfigError("an alias (*name) refers to the mapping or list that holds it: the data would "
                              "be infinite", source=shown)
        open_.add(id(obj))
        stack.append((obj, True))
        stack.extend((c, False) for c in children)


_JSON_TYPES = {dict: "a JSON object {...}", list: "a JSON list [...]", str: "a string", bool: "true or false",
               int: "a number", float: "a number", type(None): "null"}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def load_json(path: Path, *, what: str, kind: type = dict) -> Any:
    """Read one JSON file of a run folder; ``what`` names it for the user ('the plan', 'the manifest').

    A missing, unreadable, malformed or too deeply nested file, or one whose top level is not ``kind``,
    raises :class:`ConfigError` naming the file.
    """
    path = Path(path)
    shown = display_path(path)
    again = "write it again with the command that made it (e.g. `dronewall run`)"
    state = path_kind(path)
    if state == "missing":
        raise ConfigError(f"file not found: {what} is missing: {again}", source=shown)
    if state != "file":
        raise ConfigError(f"{'is a folder' if state == 'folder' else state}, not {what} (a JSON file)",
                          source=shown)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} ({exc})", source=shown) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"line {exc.lineno}, column {exc.colno}: {what} is not valid JSON ({exc.msg}): "
                          f"{again}", source=shown) from None
    except RecursionError:
        raise ConfigError(f"{what} is nested deeper than Python can read: {again}", source=shown) from None
    except ValueError as exc:  # e.g. an integer of 5,000 digits
        raise ConfigError(f"{what} is not valid JSON ({exc}): {again}", source=shown) from None
    if not isinstance(data, kind):
        raise ConfigError(f"expected {what} as {_JSON_TYPES[kind]} at the top level, got {_json_type(data)}: "
                          f"{again}", source=shown)
    return data


def json_field(doc: Any, dotted: str, kind: type | tuple[type, ...], *, source: str, fix: str) -> Any:
    """``doc['a']['b']`` for ``dotted = 'a.b'``, checked: a missing key or a value that is not ``kind`` raises
    :class:`ConfigError` naming ``source`` and the field, and saying what to do (``fix``)."""
    node = doc
    for i, key in enumerate(dotted.split(".")):
        if not isinstance(node, dict):
            where = ".".join(dotted.split(".")[:i]) or "the top level"
            msg = f"expected a JSON object, got {_json_type(node)}: {fix}"
            raise ConfigError([(where, msg)], source=source)
        if key not in node:
            raise ConfigError([(dotted, f"required field is missing: {fix}")], source=source)
        node = node[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(node, kinds) or (isinstance(node, bool) and bool not in kinds):
        names = " or ".join(dict.fromkeys(_JSON_TYPES.get(k, k.__name__) for k in kinds))
        raise ConfigError([(dotted, f"expected {names}, got {_json_type(node)}: {fix}")], source=source)
    return node


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

    @property
    def name(self) -> str:
        return self.config.name

    def config_hash(self) -> str:
        """SHA-256 of the normalised config and catalogs (not of the YAML text)."""
        payload = json.dumps(
            {"config": self.config.model_dump(mode="json"), "catalog": self.catalog.model_dump(mode="json")},
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
    if cfg.incident is not None:
        for name in ("drones", "drones_defeated", "munitions_spent_eur"):
            fig = getattr(cfg.incident, name)
            check(f"incident.{name}.source", fig.source if fig is not None else [], cat.sources, "source id")
    allowed = cfg.systems.conventional
    if allowed is not None:
        for oid in cfg.systems.conventional_min_units:
            if oid in cat.conventional and oid not in allowed:
                problems.append(("systems.conventional_min_units",
                                 f"'{oid}' has a minimum but is not in systems.conventional: add it there"))
    return problems


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario file and its catalogs.

    Raises :class:`ConfigError` listing every problem found, each with the file and the field.
    """
    path = Path(path)
    shown = display_path(path)
    cfg: ScenarioConfig = _validate(ScenarioConfig, load_yaml(path), shown)
    base = path.resolve().parent
    cat_paths = {kind: (base / p) for kind, p in cfg.catalogs.model_dump().items()}
    catalog = load_catalog(cat_paths, origin=shown)
    problems = _cross_check(cfg, catalog)
    files = dict(cat_paths)
    geo = cfg.geodata
    for key in ("countries", "borders", "assets"):
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
    if problems:
        raise ConfigError(problems, source=shown)
    return Scenario(config=cfg, catalog=catalog, path=path.resolve(), files=files)
