"""House rules of the architecture (docs/architecture.md), checked on the source: no import cycle inside
``planner``, pulp only under ``planner/lp/``, no private name (``_x``) used outside its own package, and no
module over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLANNER = Path(__file__).resolve().parents[1] / "planner"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PLANNER.rglob("*.py")):
        if "vendor" in path.parts:
            continue
        parts = path.relative_to(PLANNER.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _package(module: str) -> str:
    """The package a module belongs to: itself for a package's __init__, else its parent."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _resolve(name: str) -> str | None:
    """The planner module an imported dotted name lives in (a module, or a name in a module)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> list[tuple[str, str, int]]:
    """(imported planner module, name used from it or '', line) for every import and attribute use."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, str, int]] = []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                target = _resolve(a.name)
                if target:
                    found.append((target, "", node.lineno))
                    if a.asname:
                        aliases[a.asname] = target
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                if sub in MODULES:  # `from planner.lp import sectors`
                    found.append((sub, "", node.lineno))
                    aliases[a.asname or a.name] = sub
                else:
                    target = _resolve(node.module)
                    if target:
                        found.append((target, a.name, node.lineno))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            found.append((aliases[node.value.id], node.attr, node.lineno))
    return found


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return cycles


def test_no_import_cycle() -> None:
    """Imports inside functions count too: a lazy import that closes a loop is still a cycle."""
    graph = {m: sorted({t for t, _, _ in _imports(m) if t != m}) for m in MODULES}
    # A package's __init__ is loaded before its modules: an edge into it from inside is not a cycle.
    graph = {m: [t for t in ts if not (MODULES[t].name == "__init__.py" and m.startswith(t + "."))]
             for m, ts in graph.items()}
    cycles = _cycles(graph)
    assert not cycles, f"import cycles: {cycles}"


def _third_party(module: str, libraries: tuple[str, ...]) -> list[str]:
    """Where ``module`` imports one of ``libraries`` (or a submodule of one)."""
    out = []
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        if any(n == lib or n.startswith(lib + ".") for n in names for lib in libraries):
            out.append(f"{module}:{node.lineno}")
    return out


def _in_lp(module: str) -> bool:
    return module == "planner.lp" or module.startswith("planner.lp.")


def test_pulp_only_in_planner_lp() -> None:
    offenders = [o for module in MODULES if not _in_lp(module) for o in _third_party(module, ("pulp",))]
    assert not offenders, f"pulp imported outside planner/lp/: {offenders}"


#: Geometry libraries: the coverage stage (planner.geo) owns them; the problem and the optimizer hold numpy only.
GEOMETRY = ("shapely", "geopandas", "pyproj", "scipy.spatial")


def test_no_geometry_in_the_problem_or_the_optimizer() -> None:
    offenders = [o for module in MODULES if _in_lp(module) or module == "planner.problem"
                 for o in _third_party(module, GEOMETRY)]
    assert not offenders, f"geometry imported by the problem or the optimizer: {offenders}"


def test_no_private_name_across_packages() -> None:
    offenders = []
    for module in MODULES:
        for target, name, line in _imports(module):
            if name.startswith("_") and not name.startswith("__") and _package(target) != _package(module):
                offenders.append(f"{module}:{line} uses {target}.{name}")
    assert not offenders, "private names used outside their package:\n" + "\n".join(offenders)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(PLANNER.parent)} has {lines} lines (at most {MAX_LINES})"


def test_the_checks_see_what_they_check() -> None:
    """The walker finds imports, the names used and aliases, and the cycle finder finds a cycle (a check that
    saw nothing would always pass)."""
    found = _imports("planner.analysis.uncertainty")
    assert any(t == "planner.lp.sectors" and n == "applies" for t, n, _ in found)  # `sectors.applies(...)`
    assert any(t == "planner.lp.solve" and n == "solve" for t, n, _ in found)  # `from planner.lp.solve import solve`
    assert _package("planner.lp.sectors") == "planner.lp" and _package("planner.lp") == "planner.lp"
    assert _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert _cycles({"a": ["b"], "b": []}) == []
    assert _third_party("planner.geo.coverage", GEOMETRY) and _third_party("planner.lp.solver", ("pulp",))


def test_the_cli_imports_light() -> None:
    """`dronewall --help` and argument errors must not wait for the geometry or optimizer stacks: importing
    planner.cli (what the console script does first) loads neither geopandas, shapely, pandas, matplotlib, pulp nor
    highspy; each is imported inside the command that needs it (issue #17, CLI). A fresh interpreter, so other tests'
    imports do not count."""
    import subprocess
    import sys

    heavy = ("geopandas", "shapely", "pandas", "matplotlib", "pulp", "highspy")
    code = f"import sys, planner.cli; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing planner.cli loaded {out.stdout.strip()}"
