"""Reading the files of a scenario: YAML (duplicate keys, depth, aliases and size bounded; YAML 1.2
booleans) and the JSON of run folders, every failure a :class:`ConfigError` naming the file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from planner.errors import ConfigError

__all__ = ["display_path", "json_field", "load_json", "load_yaml", "path_kind"]

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
