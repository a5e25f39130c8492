"""Scenarios built from others: ``extends:`` overlays in YAML and ``key=value`` overrides (``dronewall … --set``,
``load_scenario(…, overrides=…)``), applied to the raw document before it is validated, so that the result is
validated like any scenario.

An overlay names the scenario it extends (a path relative to it, or a shipped scenario's name) and gives only what
differs: a mapping is merged key by key, anything else (a list, a number, ``null``) replaces the base's value.
Paths inside the base (catalogs, geodata, the nations file) stay relative to the base's folder.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from planner.errors import ConfigError

__all__ = ["EXTENDS", "apply_overrides", "parse_overrides", "resolve_overlays"]

#: The key of an overlay's base scenario.
EXTENDS = "extends"
#: How many scenarios one may extend in a chain.
MAX_DEPTH = 8
#: The fields that hold paths relative to the scenario file.
PATH_FIELDS = (("catalogs", "sources"), ("catalogs", "threats"), ("catalogs", "sensors"), ("catalogs", "effectors"),
               ("catalogs", "conventional"), ("geodata", "countries"), ("geodata", "borders"), ("geodata", "assets"),
               ("geodata", "settlements"), ("funding", "nations_file"))
#: The catalog files a scenario without a catalogs section reads (planner.config.scenario.CatalogPaths).
DEFAULT_CATALOGS = {k: f"catalogs/{k}.yaml" for k in ("sources", "threats", "sensors", "effectors", "conventional")}


def resolve_overlays(data: Any, path: Path, *, chain: tuple[Path, ...] = ()) -> Any:
    """``data`` (the document read from ``path``) merged over the scenario it extends, recursively; unchanged when it
    extends none."""
    from planner.config.files import display_path, load_yaml
    from planner.config.shipped import resolve_scenario

    if not isinstance(data, dict) or EXTENDS not in data:
        return data
    shown = display_path(path)
    data = dict(data)
    ref = data.pop(EXTENDS)
    if not isinstance(ref, str) or not ref.strip():
        raise ConfigError([(EXTENDS, f"{ref!r} is not a scenario: give the path of the scenario this one extends "
                                     "(relative to this file) or a shipped scenario's name, e.g. eastern-flank")],
                          source=shown)
    candidate = path.parent / ref
    base_path = (candidate if candidate.exists() else resolve_scenario(ref)).resolve()
    if base_path in (*chain, path.resolve()):
        cycle = " → ".join(display_path(p) for p in (*chain, path.resolve(), base_path))
        raise ConfigError([(EXTENDS, f"the scenarios extend each other in a circle ({cycle}): break the circle")],
                          source=shown)
    if len(chain) >= MAX_DEPTH:
        raise ConfigError([(EXTENDS, f"more than {MAX_DEPTH} scenarios extend one another: merge some of them")],
                          source=shown)
    base = resolve_overlays(load_yaml(base_path), base_path, chain=(*chain, path.resolve()))
    if not isinstance(base, dict):
        raise ConfigError([(EXTENDS, f"{display_path(base_path)} is not a scenario (a mapping of sections)")],
                          source=shown)
    return merge(_rebase(base, base_path.parent, path.parent), data)


def _rebase(data: dict[str, Any], base_dir: Path, new_dir: Path) -> dict[str, Any]:
    """``data``'s relative paths, relative to ``base_dir``, rewritten relative to ``new_dir`` (absolute where no
    relative path joins them, e.g. another drive)."""
    out = copy.deepcopy(data)
    out.setdefault("catalogs", dict(DEFAULT_CATALOGS))
    for section, key in PATH_FIELDS:
        node = out.get(section)
        if section == "catalogs" and isinstance(node, dict):
            node.setdefault(key, DEFAULT_CATALOGS[key])
        if not isinstance(node, dict) or not isinstance(node.get(key), str):
            continue
        full = (base_dir / node[key]).resolve()
        try:
            node[key] = os.path.relpath(full, new_dir.resolve())
        except ValueError:
            node[key] = str(full)
    return out


def merge(base: Any, over: Any) -> Any:
    """``over`` merged over ``base``: mappings key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    return copy.deepcopy(over)


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``--set key=value`` items as a mapping of dotted keys to values (each value read as YAML: numbers, booleans,
    lists, ``null``)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError([("--set", f"'{item}' is not key=value: write e.g. --set budget.total_eur=3e9")])
        try:
            out[key.strip()] = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            raise ConfigError([("--set", f"'{item}': the value is not a number, text, list or mapping YAML reads: "
                                         "quote it")]) from None
    return out


def apply_overrides(data: Any, overrides: Mapping[str, Any] | Sequence[str] | None) -> Any:
    """``data`` with each dotted key (``budget.total_eur``, ``threats.density.0.borders``) set to its value."""
    if not overrides:
        return data
    if not isinstance(overrides, Mapping):
        overrides = parse_overrides(list(overrides))
    out = copy.deepcopy(data) if isinstance(data, dict) else {}
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        node: Any = out
        for i, k in enumerate(keys):
            last = i == len(keys) - 1
            where = ".".join(keys[: i + 1])
            if isinstance(node, list):
                if not k.isdigit() or int(k) >= len(node):
                    raise ConfigError([(dotted, f"{where}: the list has {len(node)} entries: give an index from 0 to "
                                                f"{len(node) - 1}")])
                if last:
                    node[int(k)] = value
                else:
                    node = node[int(k)]
            elif isinstance(node, dict):
                if last:
                    node[k] = value
                else:
                    node = node.setdefault(k, {})
            else:
                raise ConfigError([(dotted, f"{'.'.join(keys[:i])} is {node!r}, not a section: set it whole, or a "
                                            "key of a section")])
    return out
