"""Writing results safely: everything goes to a temporary folder that is moved into place at the end."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planner.errors import DronewallError

if TYPE_CHECKING:
    from planner.config.io import Scenario


@contextlib.contextmanager
def atomic_output_dir(out: Path, *, keep: Path | None = None) -> Iterator[Path]:
    """Yield a fresh temporary folder next to ``out``; on success it replaces ``out`` whole.

    On any error (or Ctrl-C) the temporary folder is removed and ``out`` is left as it was, so a
    reader never sees a half-written result. ``keep`` (the folder an output is made from) may not be
    ``out`` or inside it: replacing ``out`` would delete it.
    """
    out = Path(out)
    if keep is not None and Path(keep).resolve().is_relative_to(out.resolve()):
        raise DronewallError(f"--out {out} would replace {keep}, which the output is made from: give another "
                             "folder, or leave --out out (the default is a folder inside it)")
    if out.exists() and not out.is_dir():
        raise DronewallError(f"--out {out} exists and is not a folder: choose another path")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; results are meant to be shared
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.with_name(f".{out.name}.old-{tmp.name.rsplit('-', 1)[-1]}")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def read_plan_folder(plan_dir: Path) -> tuple[dict, pd.DataFrame, Scenario]:
    """plan.json, sites.csv and the scenario of a folder written by ``dronewall run``, checked: the files
    are there, the scenario file still is, and it has not changed since the plan was made."""
    import json

    from planner.config.io import load_scenario
    from planner.errors import ConfigError

    plan_dir = Path(plan_dir)
    needed = [plan_dir / n for n in ("plan.json", "sites.csv", "manifest.json")]
    missing = [p.name for p in needed if not p.exists()]
    if missing:
        raise ConfigError([("PLAN_DIR", f"{plan_dir} has no {', '.join(missing)}: give a folder written by "
                                        "`dronewall run`")])
    doc = json.loads(needed[0].read_text())
    manifest = json.loads(needed[2].read_text())
    path = Path(manifest.get("files_sha256", {}).get("scenario", {}).get("path", ""))
    if not path.is_file():
        raise ConfigError([("manifest.json", f"the plan's scenario file {path} is not there any more: run the plan "
                                             "again")])
    scenario = load_scenario(path)
    if scenario.config_hash() != doc.get("config_hash"):
        raise ConfigError([(str(path), "the scenario changed since the plan was made (config hash "
                                       f"{scenario.config_hash()[:8]} ≠ {str(doc.get('config_hash'))[:8]}): run "
                                       "the plan again")])
    sites = pd.read_csv(needed[1], dtype={"systems": str}).fillna({"systems": ""})
    return doc, sites, scenario
