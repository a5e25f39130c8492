"""Output folders: written whole or not at all, and never over what dronewall did not write.

Every command writes into a fresh temporary folder beside its ``--out`` and moves it into place at the end
(:func:`atomic_output_dir`), so a reader never sees half a result and an interrupted command leaves the
previous result as it was. Before that, :func:`check_output_dir` refuses an ``--out`` that would lose
anything: a folder holding files dronewall did not write (unless ``force``), the current folder, a path
under a file, a folder the user may not write to, or a folder holding the command's own inputs.

Each folder written carries a marker, ``.dronewall-output.json``, listing what it holds; a later command
may replace the folder only when everything in it is on that list (or is itself such a folder). Folders
written before markers existed are recognised by their result files and the names dronewall gives.

Temporary folders are named ``.<out>.tmp-<pid>-<random>``; one left by a killed command (its process is
gone) is removed by the next command writing to the same place.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from planner import registry, runfolder
from planner.errors import ConfigError
from planner.signals import signals_deferred

__all__ = ["MARKER", "atomic_output_dir", "check_output_dir", "kept_outputs"]

log = logging.getLogger(__name__)

#: The marker file of a folder dronewall wrote.
MARKER = ".dronewall-output.json"

#: Result files by which a folder written before markers existed is recognised as dronewall's: a run folder's
#: documents, each analysis's ``<kind>.json`` (planner.registry), the theater's and the briefing's.
LEGACY_RESULTS = frozenset({
    runfolder.MANIFEST_JSON, runfolder.PLAN_JSON, "theater.json", *(f"{a.kind}.json" for a in registry.ANALYSES),
    "brief.json", "map-overview.png",
})
_STEMS = [a.kind for a in registry.ANALYSES] + [x for a in registry.ANALYSES for x in a.extra]
_FOLDERS = sorted({a.plans for a in registry.ANALYSES if a.plans is not None}
                  | {a.kind for a in registry.ANALYSES if a.reads != "scenario"})  # RUN_DIR/<kind>
#: Every name dronewall gave a file or folder in such a folder (anything else there is the user's).
_LEGACY_NAME = re.compile(
    "^(" + "|".join(re.escape(name) for name in runfolder.RUN_FILES)
    + r"|theater\.(gpkg|json|png)"
    + "|(" + "|".join(map(re.escape, _STEMS)) + r")\.(csv|json|png|pdf)"
    + r"|brief\.json|briefing\.(html|pdf)|interactive-map\.html|map-[A-Za-z]+\.(png|pdf|svg)"
    + "|" + "|".join(map(re.escape, [*_FOLDERS, "maps", "charts", "brief"])) + ")$")
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[a-z0-9_]+$")

_kept: list[Path] = []
_kept_lock = threading.Lock()


def kept_outputs() -> list[Path]:
    """Folders this process has moved into place, complete (for the message of an interrupted command)."""
    with _kept_lock:
        return list(_kept)


def _foreign(folder: Path, depth: int = 0) -> list[str]:
    """What in ``folder`` dronewall did not write (paths relative to it); [] for an empty folder."""
    try:
        entries = sorted(p.name for p in folder.iterdir())
    except OSError as exc:  # unreadable: nothing in it can be vouched for
        return [f"(its contents: {exc.strerror})"]
    if not entries:
        return []
    marker = folder / MARKER
    ours: set[str] | None = None
    if marker.is_file():
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            ours = set(json.loads(marker.read_text(encoding="utf-8")).get("entries", []))
    legacy = ours is None and (bool(LEGACY_RESULTS.intersection(entries)) or depth > 0)
    foreign: list[str] = []
    for name in entries:
        path = folder / name
        if name == MARKER or _TEMP.match(name):  # the marker; a temporary folder of a nested command
            continue
        if path.is_dir() and not path.is_symlink() and (path / MARKER).is_file():
            foreign += [f"{name}/{sub}" for sub in _foreign(path, depth + 1)]  # a folder of ours: check inside
        elif ours is not None and name in ours:
            continue
        elif legacy and _LEGACY_NAME.match(name):
            if path.is_dir() and not path.is_symlink() and depth < 3:
                foreign += [f"{name}/{sub}" for sub in _foreign(path, depth + 1)]
            continue
        else:
            foreign.append(name + ("/" if path.is_dir() else ""))
    return foreign


def _describe(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def check_output_dir(out: Path | str, *, force: bool = False, inputs: Iterable[Path] = (),
                     option: str = "--out") -> Path:
    """Refuse an output folder that cannot be written, or whose replacement would lose something.

    ``inputs`` are the files and folders the output is made from: ``out`` may not hold any of them.
    ``force`` allows replacing a folder that holds files dronewall did not write. Returns ``out``.
    """
    text = str(out)
    out = Path(out)
    if not text.strip():
        raise ConfigError([(option, "is empty: give a folder for the results, e.g. out/plan")])
    full = Path(os.path.abspath(out))
    cwd = Path.cwd().resolve()
    if full.resolve() == cwd or cwd.is_relative_to(full.resolve()) or not full.name:
        raise ConfigError([(option, f"'{text}' is the current folder or contains it: the results replace the "
                                    "folder whole; give a new folder inside it, e.g. out/plan")])
    for item in inputs:
        item_full = Path(item).resolve()
        if item_full == full.resolve() or item_full.is_relative_to(full.resolve()):
            raise ConfigError([(option, f"'{text}' holds {item}, which this command reads: replacing the folder "
                                        "would delete it; give another folder, e.g. out/plan")])
    ancestor = full.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ConfigError([(option, f"'{text}' lies under {ancestor}, which is a file, not a folder: choose "
                                    "another path")])
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ConfigError([(option, f"'{text}': cannot write into {ancestor} (permission denied): choose a "
                                    "folder you may write to")])
    if full.exists() or full.is_symlink():
        if not full.is_dir():
            raise ConfigError([(option, f"'{text}' exists and is not a folder: choose another path")])
        foreign = _foreign(full)
        if foreign and not force:
            raise ConfigError([(option, f"'{text}' holds files dronewall did not write ({_describe(foreign)}): "
                                        "the results replace the folder whole, so they would be lost. Give a new "
                                        "or empty folder, or add --force to replace the folder and everything "
                                        "in it")])
    return out


def _clean_leftovers(out: Path) -> None:
    """Remove what a killed command left beside ``out``: its temporary folders (their process is gone)
    and, where ``out`` itself is missing because the kill fell between two renames, put the old one back."""
    try:
        siblings = sorted(out.parent.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for path in siblings:
        m = _TEMP.match(path.name)
        if not m or m["name"] != out.name or _alive(int(m["pid"])):
            continue
        if m["kind"] == "old" and not out.exists() and (path / MARKER).is_file():
            path.rename(out)
            log.warning("put back %s, left aside by an interrupted command (pid %s)", out, m["pid"])
            continue
        shutil.rmtree(path, ignore_errors=True)
        log.warning("removed %s, left by an interrupted command (pid %s)", path, m["pid"])


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def atomic_output_dir(out: Path | str, *, keep: Path | None = None, force: bool = False,
                      inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a fresh temporary folder next to ``out``; on success it replaces ``out`` whole.

    ``out`` is first checked by :func:`check_output_dir` (``keep``, the folder an output is made from, and
    ``inputs`` may not be inside it; a folder with files dronewall did not write is refused unless
    ``force``). On any error (or Ctrl-C) the temporary folder is removed and ``out`` is left as it was.
    """
    out = Path(out)
    check_output_dir(out, force=force, inputs=[*([keep] if keep is not None else []), *inputs])
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        raise ConfigError([("--out", f"'{out}': cannot create a folder in {out.parent} ({exc.strerror}): choose "
                                     "a folder you may write to")]) from None
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; results are meant to be shared
    try:
        yield tmp
        (tmp / MARKER).write_text(json.dumps({
            "written_by": "dronewall", "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "entries": sorted(p.name for p in tmp.iterdir()),
        }, indent=2) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.with_name(f".{out.name}.old-{os.getpid()}-{tmp.name.rsplit('-', 1)[-1]}")
    with signals_deferred():  # the two renames are not cut in two by Ctrl-C
        if out.exists() or out.is_symlink():
            out.rename(old)
        tmp.rename(out)
        with _kept_lock:
            _kept.append(out)
    shutil.rmtree(old, ignore_errors=True)
