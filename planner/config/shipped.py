"""The scenarios that ship with dronewall, found by name (``dronewall run eastern-flank``), from a source tree or from
an installed wheel (which installs them with their catalogs and geodata under ``<prefix>/share/dronewall``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from planner.errors import ConfigError

#: Where an installed wheel puts the shipped configs and geodata (pyproject.toml, [tool.setuptools.data-files]).
SHARE = Path("share") / "dronewall"


def data_roots() -> list[Path]:
    """Where the shipped data may be, in order: the source tree this package runs from; the installed data under
    ``sys.prefix`` (a venv, a system install), under the user's base (``pip install --user``), and beside the
    package's own install (``<prefix>/lib/pythonX.Y/site-packages/planner`` → ``<prefix>/share/dronewall``)."""
    import site

    here = Path(__file__).resolve()
    roots = [here.parents[2], Path(sys.prefix) / SHARE, Path(site.getuserbase()) / SHARE]
    if len(here.parents) > 5:
        roots.append(here.parents[5] / SHARE)
    return list(dict.fromkeys(roots))


def shipped_root() -> Path | None:
    """The folder that holds ``configs/`` and ``geodata/`` (the first of :func:`data_roots` that does); None if
    none is there."""
    for root in data_roots():
        if (root / "configs" / "eastern-flank.yaml").is_file() and (root / "geodata").is_dir():
            return root
    return None


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by name (file name without ``.yaml``): the planning scenarios and the incidents."""
    root = shipped_root()
    if root is None:
        return {}
    found = sorted((root / "configs").glob("*.yaml")) + sorted((root / "configs" / "incidents").glob("*.yaml"))
    return {p.stem: p for p in found}


def resolve_scenario(path: str | Path) -> Path:
    """``path`` itself if it names a file (or looks like a path), else the shipped scenario of that name.

    A bare name that is neither raises :class:`ConfigError` listing the shipped names."""
    given = Path(path)
    if given.exists() or given.suffix or len(given.parts) > 1:
        return given
    shipped = shipped_scenarios()
    if str(path) in shipped:
        return shipped[str(path)]
    names = ", ".join(shipped) or "none found (no source tree or installed data)"
    raise ConfigError(f"'{path}' is neither a scenario file nor a shipped scenario: give a YAML path, or one of: "
                      f"{names} (`dronewall init DIR` copies them to edit)")


def copy_shipped(folder: Path) -> list[Path]:
    """Copy the shipped configs (scenarios, catalogs, schemas, incidents) and geodata into ``folder``, keeping their
    layout so that the scenarios' relative paths hold; returns the folders written. Refuses to touch a folder that
    already has ``configs/`` or ``geodata/`` (nothing is overwritten)."""
    root = shipped_root()
    if root is None:
        raise ConfigError("no shipped scenarios found (no source tree or installed data): reinstall dronewall")
    taken = [folder / d for d in ("configs", "geodata") if (folder / d).exists()]
    if taken:
        raise ConfigError(f"{', '.join(map(str, taken))} already exist: choose an empty folder (nothing was written)")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for d in ("configs", "geodata"):
        shutil.copytree(root / d, folder / d, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_tmp*"))
        out.append(folder / d)
    return out
