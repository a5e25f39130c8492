"""Fuzzing the inputs of `dronewall validate` (issue #11): seeded mutations of configs/tiny.yaml, of its
catalogs and of its files, and hypothesis over its values. Whatever the mutation, the outcome is either a
valid scenario or a :class:`DronewallError` whose message names the scenario, catalog or geodata file, and
on the command line exit code 1 (or 0) without a traceback.

Most cases run in-process (``load_scenario`` + ``load_geodata``, what ``validate`` does); a handful through
the command line. Every case is seeded, so a failure names the seed that reproduces it.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.config.io import load_scenario
from planner.errors import DronewallError
from planner.geo.borders import load_geodata
from tests.conftest import CATALOGS, CONFIGS, absolutise

BASE: dict[str, Any] = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
KINDS = ("sources", "threats", "sensors", "effectors", "conventional")
DEEP = "__deep__"  # a placeholder the YAML text replaces with deep nesting (safe_dump itself would recurse)

HOSTILE: list[Any] = [
    None, True, False, 0, -1, 1, 1.5, -0.0, 1e300, -1e300, float("nan"), float("inf"), float("-inf"), 10**30,
    2**63, "", "x" * 20_000, "NO", "yes", "1e300", "𝔡𝔯𝔬𝔫𝔢 🚀 \u202e\u0085 ü", "../../../etc/passwd", "/dev/zero",
    "/tmp", "all", "PL-BY", [], {}, [1, 2], [[[]]], {"a": 1}, {"value": 1, "assumption": "a fuzzed figure"},
    DEEP,
]


# ---- running one case -----------------------------------------------------------------------------------


def _files_named(data: Any) -> set[str]:
    """Names of the files a (mutated) scenario points to: a message may name any of them."""
    names = set()
    for section in ("catalogs", "geodata"):
        part = data.get(section) if isinstance(data, dict) else None
        for value in (part.values() if isinstance(part, dict) else []):
            if isinstance(value, str) and value:
                names.add(Path(value).name or value)
    return names


def _outcome(path: Path, extra_names: set[str] | frozenset[str] = frozenset()) -> str:
    """'ok' or 'error'; raises AssertionError (with the message) if the failure is not a named one."""
    try:
        load_geodata(load_scenario(path))
    except DronewallError as exc:
        message = str(exc)
        names = {path.name, *extra_names, *(f"{k}.yaml" for k in KINDS), "eastern_flank.gpkg"}
        assert message.strip(), "empty message"
        assert "Traceback" not in message
        assert any(n and n in message for n in names), f"the message names no file: {message[:300]!r}"
        return "error"
    return "ok"


def _write(path: Path, data: Any, deep: int = 0) -> Path:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text.replace(DEEP, "[" * deep + "]" * deep), encoding="utf-8")
    return path


def _run_cases(cases: list[tuple[str, Callable[[Path], tuple[Path, set[str]]]]], tmp_path: Path) -> dict[str, int]:
    """Run each case (its id, and a function writing its files into a folder); collect every failure."""
    failures, tally = [], {"ok": 0, "error": 0}
    for i, (label, make) in enumerate(cases):
        folder = tmp_path / f"case{i:04d}"
        folder.mkdir()
        path, names = make(folder)
        try:
            tally[_outcome(path, names)] += 1
        except AssertionError as exc:
            failures.append(f"{label}: {exc}")
        except Exception as exc:  # noqa: BLE001 - the point: any other exception is a bug
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures)
    return tally


# ---- mutations of the scenario's structure, types and values ------------------------------------------------


def _slots(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a nested dict/list a value sits, as a path of keys and indices."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        out.append((*path, key))
        out.extend(_slots(value, (*path, key)))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def _mutate(rng: random.Random, data: dict[str, Any]) -> tuple[str, int]:
    """One random mutation of ``data`` in place; returns what it did and a nesting depth for DEEP."""
    slot = rng.choice(_slots(data))
    parent, key = _parent(data, slot), slot[-1]
    where = ".".join(map(str, slot))
    op = rng.choice(["value", "value", "value", "drop", "extra", "wrap_list", "wrap_map", "deep", "string"])
    deep = 0
    if op == "drop" and isinstance(parent, dict):
        del parent[key]
    elif op == "extra":
        target = parent if isinstance(parent, dict) else data
        target[rng.choice(["extra", "budjet", "Name", "x" * 300, "ü"])] = rng.choice(HOSTILE[:20])
    elif op == "wrap_list":
        parent[key] = [parent[key]]
    elif op == "wrap_map":
        parent[key] = {"value": parent[key]}
    elif op == "deep":
        parent[key], deep = DEEP, rng.choice([20, 60, 300, 3000])
    elif op == "string":
        parent[key] = rng.choice(["", "x" * 50_000, "\u202e" * 100, "\\0", "' OR 1=1", "{{ name }}", "%s%n"])
    else:
        parent[key] = rng.choice(HOSTILE)
        op = f"value {parent[key]!r:.30}"
    return f"{op} at {where}", deep or 100


def _writer(data: Any, deep: int, name: str = "fuzz.yaml") -> Callable[[Path], tuple[Path, set[str]]]:
    return lambda folder: (_write(folder / name, data, deep), _files_named(data))


def test_fuzz_scenario_structure_and_values(tmp_path: Path) -> None:
    cases = []
    for seed in range(90):
        rng = random.Random(seed)
        data, labels, deep = copy.deepcopy(BASE), [], 100
        for _ in range(rng.choice([1, 1, 2, 3])):
            label, deep = _mutate(rng, data)
            labels.append(label)
        cases.append((f"seed {seed}: " + "; ".join(labels), _writer(data, deep)))
    tally = _run_cases(cases, tmp_path)
    assert tally["error"] > 45, tally  # most mutations are caught; some (e.g. a new seed) are valid


# ---- mutations of the catalogs --------------------------------------------------------------------------


def test_fuzz_catalogs(tmp_path: Path) -> None:
    texts = {k: (CATALOGS / f"{k}.yaml").read_text() for k in KINDS}
    parsed = {k: yaml.safe_load(t) for k, t in texts.items()}
    cases = []
    for seed in range(30):
        kind = KINDS[seed % len(KINDS)]
        data = copy.deepcopy(parsed[kind])
        label, deep = _mutate(random.Random(1000 + seed), data)

        def make(folder: Path, kind: str = kind, data: Any = data, deep: int = deep) -> tuple[Path, set[str]]:
            scenario = copy.deepcopy(BASE)
            scenario["catalogs"][kind] = str(_write(folder / f"{kind}.yaml", data, deep))
            return _write(folder / "fuzz.yaml", scenario), {f"{kind}.yaml"}
        cases.append((f"catalog seed {seed}: {kind}.yaml: {label}", make))
    tally = _run_cases(cases, tmp_path)
    assert tally["error"] > 15, tally


# ---- mutations of the YAML text -------------------------------------------------------------------------


def _text_mutation(rng: random.Random, text: str) -> bytes:
    lines = text.splitlines(keepends=True)
    i = rng.randrange(len(lines))
    op = rng.randrange(10)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[i])
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3:
        lines[i] = "\t" + lines[i]
    elif op == 4:
        lines[i] = lines[i].lstrip() if lines[i].startswith(" ") else "   " + lines[i]
    elif op == 5:
        pos = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:pos] + rng.choice("[]{}:,&*!|>'\"#%@`?-") * rng.choice([1, 2, 50]) + lines[i][pos:]
    elif op == 6:
        return "".join(lines).encode()[: rng.randrange(len(text))]
    elif op == 7:
        lines[i] = lines[i].rstrip("\n") + rng.choice(["\x00", "\x85", "\u2028", "\ufeff", "\x1b[31m"]) + "\n"
    elif op == 8:
        return "".join(lines).replace("tiny", "tïny").encode("latin-1")  # not UTF-8
    else:
        return "".join(lines[:i]).encode() + bytes(rng.randrange(256) for _ in range(64)) + "".join(
            lines[i:]).encode()
    return "".join(lines).encode()


def test_fuzz_yaml_text(tmp_path: Path) -> None:
    text = yaml.safe_dump(BASE, sort_keys=False)
    cases = []
    for seed in range(60):
        def make(folder: Path, seed: int = seed) -> tuple[Path, set[str]]:
            path = folder / "fuzz.yaml"
            path.write_bytes(_text_mutation(random.Random(2000 + seed), text))
            return path, set()
        cases.append((f"text seed {seed}", make))
    _run_cases(cases, tmp_path)


# ---- files that are not what they should be -------------------------------------------------------------

BAD_FILES: dict[str, Callable[[Path], Path]] = {
    "missing": lambda p: p,
    "folder": lambda p: (p.mkdir(), p)[1],
    "empty": lambda p: (p.write_bytes(b""), p)[1],
    "binary": lambda p: (p.write_bytes(random.Random(7).randbytes(4096)), p)[1],
    "not UTF-8": lambda p: (p.write_bytes("name: é\n".encode("latin-1")), p)[1],
    "a list": lambda p: (p.write_text("- 1\n- 2\n"), p)[1],
    "null": lambda p: (p.write_text("null\n"), p)[1],
    "a device": lambda p: Path("/dev/null"),
    "deep": lambda p: (p.write_text("a: " + "[" * 1000), p)[1],
    "self-link": lambda p: (p.symlink_to(p), p)[1],
}


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
def test_fuzz_files(tmp_path: Path, bad: str) -> None:
    cases = []
    for target in (*KINDS, "countries", "borders", "assets", "scenario"):
        def make(folder: Path, target: str = target) -> tuple[Path, set[str]]:
            scenario = copy.deepcopy(BASE)
            name = {"countries": "countries.gpkg", "borders": "borders.geojson", "assets": "assets.shp"}.get(
                target, f"{target}.yaml")
            bad_path = BAD_FILES[bad](folder / name)
            if target in KINDS:
                scenario["catalogs"][target] = str(bad_path)
            elif target != "scenario":
                scenario["geodata"][target] = str(bad_path)
                scenario["geodata"].pop(f"{target}_layer", None)
            if target == "scenario":
                return bad_path, {bad_path.name}
            return _write(folder / "fuzz.yaml", scenario), {bad_path.name}
        cases.append((f"{target} {bad}", make))
    tally = _run_cases(cases, tmp_path)
    assert tally["ok"] == 0, tally


# ---- hypothesis over the scenario's values ---------------------------------------------------------------

SCALAR_SLOTS = [s for s in _slots(BASE) if not isinstance(_parent(BASE, s)[s[-1]], dict | list)]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=300),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(slot=st.sampled_from(SCALAR_SLOTS), value=VALUES)
def test_hypothesis_any_value_anywhere(slot: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(BASE)
    _parent(data, slot)[slot[-1]] = value
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "fuzz.yaml", data)
        try:
            _outcome(path, _files_named(data))
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001 - any other exception is a bug; name the case
            pytest.fail(f"{'.'.join(map(str, slot))} = {value!r:.80}: {type(exc).__name__}: {exc}")


# ---- the command line: exit code 1 (or 0), a message, never a traceback ------------------------------------


def test_fuzz_cli(tmp_path: Path) -> None:
    """A handful of seeded mutations through `dronewall validate`: the exit code agrees with the in-process
    outcome, and no output holds a traceback."""
    runs = 0
    for seed in range(200):
        rng = random.Random(5000 + seed)
        data = copy.deepcopy(BASE)
        _, deep = _mutate(rng, data)
        folder = tmp_path / f"cli{seed}"
        folder.mkdir()
        path = _write(folder / "fuzz.yaml", data, deep)
        expected = _outcome(path, _files_named(data))
        if expected == "ok" and runs > 0:
            continue  # one valid case is enough
        res = subprocess.run([sys.executable, "-m", "planner.cli", "validate", str(path)], capture_output=True,
                             text=True, timeout=120, check=False)
        assert "Traceback" not in res.stderr + res.stdout, f"seed {seed}: {res.stderr[-2000:]}"
        assert res.returncode == (0 if expected == "ok" else 1), f"seed {seed}: {res.stderr[-2000:]}"
        if expected == "error":
            assert "fuzz.yaml" in res.stderr or any(n in res.stderr for n in _files_named(data)), res.stderr
        runs += 1
        if runs == 5:
            break
    assert runs == 5
