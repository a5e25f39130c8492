"""The shipped scenarios and catalogs are valid, and the CLI says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.config.io import load_scenario
from planner.config.schema import all_schemas
from tests.conftest import CONFIGS

SCENARIOS = ["eastern-flank.yaml", "poland.yaml", "tiny.yaml", "ukraine-2024-h1.yaml"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_shipped_scenarios_load(name: str) -> None:
    scenario = load_scenario(CONFIGS / name)
    assert scenario.config.budget.total_eur > 0
    assert len(scenario.config_hash()) == 64


@pytest.mark.parametrize("name", SCENARIOS)
def test_shipped_configs_carry_the_schema_header(name: str) -> None:
    first = (CONFIGS / name).read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=schema/scenario.schema.json"


def test_norway_is_not_false() -> None:
    """YAML 1.1 reads NO as a boolean; our loader keeps it a country code."""
    scenario = load_scenario(CONFIGS / "eastern-flank.yaml")
    assert "NO" in scenario.config.geodata.defenders


@pytest.mark.pinned_versions
def test_shipped_schema_files_are_current() -> None:
    """configs/schema/*.json must match the models (regenerate: dronewall schema --out configs/schema)."""
    for kind, schema in all_schemas().items():
        shipped = json.loads((CONFIGS / "schema" / f"{kind}.schema.json").read_text())
        assert shipped == schema, f"configs/schema/{kind}.schema.json is stale"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_cli_validate_default_scenario() -> None:
    res = run_cli("validate", str(CONFIGS / "eastern-flank.yaml"))
    assert res.returncode == 0, res.stderr
    assert "ok" in res.stdout and "14 borders" in res.stdout
    assert "size (estimate): 958 cells" in " ".join(res.stdout.split())


@pytest.mark.parametrize("name", ["tiny", "eastern-flank", "poland"])
def test_cli_validate_shows_the_config_hash(name: str) -> None:
    """The short hash in brackets is printed as it is (rich once read '[ca70b2b6]' as markup and dropped it)."""
    from planner.config.io import load_scenario

    res = run_cli("validate", str(CONFIGS / f"{name}.yaml"))
    assert res.returncode == 0, res.stderr
    assert f"[{load_scenario(CONFIGS / f'{name}.yaml').short_hash()}]" in res.stdout


def test_cli_schema_prints_json_schema() -> None:
    res = run_cli("schema")
    assert res.returncode == 0, res.stderr
    schema = json.loads(res.stdout)
    assert schema["title"] == "dronewall scenario"
    assert "budget" in schema["properties"]
    assert schema["additionalProperties"] is False
    res = run_cli("schema", "--kind", "sensors")
    assert json.loads(res.stdout)["title"] == "dronewall sensors catalog"


def test_cli_version() -> None:
    res = run_cli("--version")
    assert res.returncode == 0 and res.stdout.startswith("dronewall ")


@pytest.mark.pinned_versions
def test_configuration_reference_is_current() -> None:
    """docs/configuration.md is generated (python -m planner.config.reference > docs/configuration.md)."""
    from planner.config.reference import render

    shipped = (CONFIGS.parent / "docs" / "configuration.md").read_text()
    assert shipped == render(), "docs/configuration.md is stale: regenerate it"


def test_global_flags_anywhere() -> None:
    """-v and -q work before or after the command (issue #17): -q prints nothing but errors, -v logs each step."""
    from planner.cli import hoist_global_flags

    assert hoist_global_flags(["validate", "tiny", "-v", "-q"]) == ["-v", "-q", "validate", "tiny"]
    quiet = run_cli("validate", "tiny", "-q")
    assert quiet.returncode == 0 and quiet.stdout == ""
    loud = run_cli("validate", "tiny", "--verbose")
    assert loud.returncode == 0 and "Working CRS" in loud.stderr and "ok" in loud.stdout
    failing = run_cli("-q", "validate", "nope.yaml")
    assert failing.returncode == 1 and "file not found: nope.yaml" in failing.stderr


def test_json_output_and_errors() -> None:
    """--json (anywhere): one JSON document on stdout instead of the tables; an error as {"error", "exit_code"} with
    the message still on stderr and the exit code unchanged."""
    import json

    from planner.cli import hoist_global_flags

    assert hoist_global_flags(["validate", "tiny", "--log-file", "x.log", "--json"]) == [
        "--log-file", "x.log", "--json", "validate", "tiny"]
    assert hoist_global_flags(["run", "tiny", "--log-file=x.log"]) == ["--log-file=x.log", "run", "tiny"]
    ok = run_cli("validate", "tiny", "--json")
    doc = json.loads(ok.stdout)
    assert ok.returncode == 0 and doc["ok"] is True and len(doc["config_hash"]) == 64
    assert doc["geodata"]["borders"] == 1 and doc["catalogs"]["effectors"] > 0
    bad = run_cli("--json", "validate", "nope.yaml")
    assert bad.returncode == 1 and "file not found: nope.yaml" in bad.stderr
    assert json.loads(bad.stdout) == {"error": json.loads(bad.stdout)["error"], "exit_code": 1}
    assert json.loads(bad.stdout)["error"].startswith("file not found: nope.yaml")


def test_log_file_keeps_dronewalls_steps(tmp_path: Path) -> None:
    """--log-file appends the planner's INFO messages with times (not other libraries'); a file that cannot be
    written is refused, naming the option."""
    log = tmp_path / "run.log"
    res = run_cli("validate", "tiny", "--log-file", str(log))
    assert res.returncode == 0 and "Working CRS" not in res.stderr  # not on the console without -v
    text = log.read_text()
    assert "INFO planner.geo.crs: Working CRS" in text and "pyogrio" not in text
    assert run_cli("validate", "tiny", f"--log-file={log}").returncode == 0
    assert log.read_text().count("Working CRS") == 2  # appended
    bad = run_cli("validate", "tiny", "--log-file", str(tmp_path / "missing" / "x.log"))
    assert bad.returncode == 1 and "--log-file: cannot write" in bad.stderr and "Traceback" not in bad.stderr


def test_shell_completion_script() -> None:
    """`dronewall --show-completion`, run from bash, prints bash's completion script for the command (typer's; older
    typers take no shell name and detect it)."""
    import shlex

    # Two commands, so that bash stays the parent (with one it execs python, whose parent is then whatever ran us).
    res = subprocess.run(["bash", "-c", f"{shlex.quote(sys.executable)} -m planner.cli --show-completion; exit $?"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert "complete -o default -F _dronewall_completion dronewall" in res.stdout


def test_piped_output_is_not_wrapped() -> None:
    """Piped (80 columns for rich), a line stays whole: the size estimate of the default scenario is one line."""
    res = run_cli("validate", str(CONFIGS / "eastern-flank.yaml"))
    line = next(x for x in res.stdout.splitlines() if "size (estimate)" in x)
    assert len(line) > 80 and line.rstrip().endswith(")")


def test_help_prints_no_type_after_a_flag() -> None:
    """typer 0.28+ printed `<bool>` after every flag (a flag takes no value); planner.cli.common.flags_show_no_type
    drops it, its own --help's too, and keeps the type of an option that takes a value."""
    for args in (["--help"], ["run", "--help"]):
        res = run_cli(*args)
        assert res.returncode == 0, res.stderr
        assert "<bool>" not in res.stdout, args
    typed = run_cli("run", "--help").stdout
    assert "<path>" in typed or "PATH" in typed  # typer 0.28+ writes <path>, older ones PATH
