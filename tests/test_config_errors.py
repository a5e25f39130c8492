"""Malformed scenarios and catalogs: each gives a message naming the file, the field and the fix."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.config.io import load_scenario
from planner.errors import ConfigError, DronewallError
from planner.geo.borders import load_geodata
from tests.conftest import write_yaml


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        keys = path.split(".")
        node = d
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node.setdefault(k, {})
        last = keys[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        keys = path.split(".")
        node = d
        for k in keys[:-1]:
            node = node[k]
        del node[keys[-1]]

    return mutate


# (id, mutation, pattern the message must match: it names the field)
CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("negative cell length", _set("theater.cell_length_m", -5),
     r"theater\.cell_length_m: -5 is not valid: input should be greater than"),
    ("cell length as text", _set("theater.cell_length_m", "five km"),
     r"theater\.cell_length_m: 'five km' is not valid: input should be a valid number"),
    ("tiny cell length", _set("theater.cell_length_m", 10), r"theater\.cell_length_m: 10 is not valid.*100"),
    ("zero budget", _set("budget.total_eur", 0), r"budget\.total_eur: 0 is not valid: input should be greater"),
    ("negative budget", _set("budget.total_eur", -1e9), r"budget\.total_eur: -1000000000\.0 is not valid"),
    ("infinite budget", _set("budget.total_eur", float("inf")), r"budget\.total_eur: inf is not valid"),
    ("zero horizon", _set("budget.horizon_years", 0), r"budget\.horizon_years: 0 is not valid"),
    ("fractional horizon", _set("budget.horizon_years", 2.5), r"budget\.horizon_years: 2\.5 is not valid"),
    ("nation cap above total", _set("budget.per_nation_eur", {"SK": 1e12}),
     r"budget: per_nation_eur\.SK = 1,000,000,000,000 exceeds total_eur"),
    ("nation cap for a non-defender", _set("budget.per_nation_eur", {"PL": 1e6}),
     r"budget\.per_nation_eur names PL, which is not among geodata\.defenders"),
    ("misspelt top-level field", _set("budjet", {"total_eur": 1}), r"budjet: unknown field"),
    ("misspelt nested field", _set("theater.cell_len_m", 5000), r"theater\.cell_len_m: unknown field"),
    ("missing name", _drop("name"), r"name: required field is missing"),
    ("missing budget", _drop("budget"), r"budget: required field is missing"),
    ("missing total budget", _drop("budget.total_eur"), r"budget\.total_eur: required field is missing"),
    ("no defenders", _set("geodata.defenders", []), r"geodata\.defenders: \[\] is not valid|geodata\.defenders: "),
    ("defender not a code", _set("geodata.defenders", ["Slovakia"]),
     r"geodata\.defenders\.0: 'Slovakia' is not valid: expected an ISO 3166-1 alpha-2 country code"),
    ("defender listed twice", _set("geodata.defenders", ["SK", "SK"]),
     r"geodata: defenders lists SK more than once"),
    ("defender also neighbour", _set("geodata.neighbours", ["UA", "SK"]),
     r"geodata: SK cannot be both defender and neighbour"),
    ("countries file missing", _set("geodata.countries", "/nonexistent/borders.gpkg"),
     r"geodata\.countries: file not found: /nonexistent/borders\.gpkg"),
    ("empty density", _set("threats.density", []), r"threats\.density: \[\] is not valid|threats\.density: "),
    ("unknown threat", _set("threats.density.0.threat", "shahed_999"),
     r"threats\.density\[0\]\.threat: unknown threat 'shahed_999'; known: .*shahed_136"),
    ("threat id with capitals", _set("threats.density.0.threat", "Shahed"),
     r"threats\.density\.0\.threat: 'Shahed' is not valid: expected an id of lower-case letters"),
    ("negative density", _set("threats.density.0.drones_per_raid_per_100km", -1),
     r"threats\.density\.0\.drones_per_raid_per_100km: -1 is not valid"),
    ("border id malformed", _set("threats.density.0.borders", ["slovakia"]),
     r"threats\.density\.0\.borders\.0: 'slovakia' is not valid: expected a border id .* 'PL-BY'"),
    ("density repeated", _set("threats.density.1", {"threat": "shahed_136", "drones_per_raid_per_100km": 1}),
     r"threats: density\[1\] repeats threat 'shahed_136' on border 'all'"),
    ("zero raids", _set("threats.raids_per_year", 0), r"threats\.raids_per_year: 0 is not valid"),
    ("surge below one", _set("threats.raid_surge_factor", 0.5), r"threats\.raid_surge_factor: 0\.5 is not valid"),
    ("unknown rule of engagement", _set("roe.default", "shoot_everything"),
     r"roe\.default: 'shoot_everything' is not valid: input should be 'shoot_unmanned', 'shoot_all' or"),
    ("rules for a non-defender", _set("roe.per_nation", {"PL": "shoot_all"}),
     r"roe\.per_nation names PL, which is not among geodata\.defenders"),
    ("negative no-fire buffer", _set("roe.no_fire_buffers.city_m", -1),
     r"roe\.no_fire_buffers\.city_m: -1 is not valid"),
    ("min_cost without targets", _set("objective", {"kind": "min_cost"}),
     r"objective: kind 'min_cost' needs defeat_targets"),
    ("target above one", _set("objective", {"kind": "min_cost", "defeat_targets": {"shahed_136": 1.5}}),
     r"objective\.defeat_targets\.shahed_136: 1\.5 is not valid: input should be less than or equal to 1"),
    ("target for unknown threat", _set("objective", {"kind": "min_cost", "defeat_targets": {"jet_x": 0.9}}),
     r"objective\.defeat_targets: unknown threat 'jet_x'"),
    ("target for a threat without density", _set("objective", {"kind": "min_cost",
                                                               "defeat_targets": {"orlan_10": 0.5}}),
     r"objective\.defeat_targets: 'orlan_10' has a target but no raid density"),
    ("targets with the wrong objective", _set("objective", {"kind": "max_defeat",
                                                             "defeat_targets": {"shahed_136": 0.9}}),
     r"objective: defeat_targets are used only with kind 'min_cost'"),
    ("floor objective without floor", _set("objective", {"kind": "max_defeat_with_floor"}),
     r"objective: kind 'max_defeat_with_floor' needs conventional_floor > 0"),
    ("unknown sensor", _set("systems.sensors", ["radar_x"]), r"systems\.sensors: unknown sensor 'radar_x'"),
    ("effector listed twice", _set("systems.effectors", ["gun_35mm", "gun_35mm"]),
     r"systems: effectors lists gun_35mm more than once"),
    ("negative minimum units", _set("systems.conventional_min_units", {"leopard_2a8": -1}),
     r"systems\.conventional_min_units\.leopard_2a8: -1 is not valid"),
    ("minimum for a disallowed option", _set("systems.conventional_min_units", {"k2": 3}),
     r"systems\.conventional_min_units: 'k2' has a minimum but is not in systems\.conventional"),
    ("unknown in-service system", _set("systems.in_service", [{"system": "tank", "lon": 22.0, "lat": 48.5}]),
     r"systems\.in_service\[0\]\.system: unknown sensor or effector 'tank'"),
    ("in-service system not allowed", _set("systems.in_service", [{"system": "manpads", "lon": 22.0, "lat": 48.5}]),
     r"systems\.in_service\[0\]\.system: 'manpads' is in service but not in systems\.effectors"),
    ("in-service latitude out of range", _set("systems.in_service", [{"system": "gun_35mm", "lon": 22.0,
                                                                      "lat": 148.5}]),
     r"systems\.in_service\.0\.lat: 148\.5 is not valid"),
    ("point defence without layers", _set("kill_chain", {"point_defence": True}),
     r"kill_chain: point_defence is true but layered is false: .* set layered: true as well"),
    ("point-defence corridor of zero", _set("kill_chain", {"layered": True, "point_defence": True,
                                                           "point_defence_reach_m": 0}),
     r"kill_chain\.point_defence_reach_m: 0 is not valid"),
    ("unknown solver", _set("solver.backend", "gurobi"), r"solver\.backend: 'gurobi' is not valid"),
    ("gap above one", _set("solver.mip_rel_gap", 1.5), r"solver\.mip_rel_gap: 1\.5 is not valid"),
    ("zero time limit", _set("solver.time_limit_s", 0), r"solver\.time_limit_s: 0 is not valid"),
    ("threads as text", _set("solver.threads", "two"), r"solver\.threads: 'two' is not valid"),
    ("unknown strategy", _set("solver.strategy", "nations"),
     r"solver\.strategy: 'nations' is not valid: input should be 'sectors', 'lp_screen' or 'full'"),
    ("cross-border as text", _set("theater.cross_border_coverage", "sometimes"),
     r"theater\.cross_border_coverage: 'sometimes' is not valid: input should be a valid boolean"),
    ("catalog file missing", _set("catalogs.threats", "/nonexistent/threats.yaml"),
     r"file not found: /nonexistent/threats\.yaml"),
    ("no site depths", _set("theater.site_depths_m", []), r"theater\.site_depths_m"),
    ("repeated site depth", _set("theater.site_depths_m", [5000, 5000]),
     r"theater: site_depths_m has repeated values"),
    ("name too long", _set("name", "x" * 200), r"name: 'x+\.\.\. is not valid: string should have at most 80"),
    ("section of the wrong type", _set("theater", [1, 2]), r"theater: expected a mapping of fields, got list"),
    ("pathway money above the total", _set("pathway", {"start_year": 2026, "budget_eur_per_year": [2e8, 2e8]}),
     r"pathway\.budget_eur_per_year sums to 400,000,000, more than budget\.total_eur = 300,000,000"),
    ("pathway without years", _set("pathway", {"start_year": 2026, "budget_eur_per_year": []}),
     r"pathway: budget_eur_per_year is empty: give the money committed in each year"),
    ("pathway lead time for an unknown system", _set("pathway", {"start_year": 2026, "budget_eur_per_year": [1e8],
                                                                 "lead_time_years": {"tank_x": 2}}),
     r"pathway\.lead_time_years: unknown sensor, effector or conventional option 'tank_x'"),
    ("pathway negative lead time", _set("pathway", {"start_year": 2026, "budget_eur_per_year": [1e8],
                                                    "lead_time_years": {"gun_35mm": -1}}),
     r"pathway\.lead_time_years\.gun_35mm: -1 is not valid"),
    ("pathway zero production", _set("pathway", {"start_year": 2026, "budget_eur_per_year": [1e8],
                                                 "units_per_year": {"gun_35mm": 0}}),
     r"pathway\.units_per_year\.gun_35mm: 0 is not valid"),
    ("pathway milestone outside its years", _set("pathway", {
        "start_year": 2026, "budget_eur_per_year": [1e8], "milestones": [{"year": 2028, "name": "m",
                                                                          "detect_share": 0.5}]}),
     r"pathway: milestones\[0\] \('m'\) is for 2028, outside the pathway 2026-2026"),
    ("pathway escort milestone without crewed incursions", _set("pathway", {
        "start_year": 2026, "budget_eur_per_year": [1e8], "milestones": [{"year": 2026, "name": "m",
                                                                          "escort_share": 0.5}]}),
     r"pathway\.milestones\[0\]\.escort_share: the scenario has no crewed incursions"),
    ("pathway milestone without a target", _set("pathway", {
        "start_year": 2026, "budget_eur_per_year": [1e8], "milestones": [{"year": 2026, "name": "m"}]}),
     r"pathway\.milestones\.0: milestone 'm' sets no target: give defeat_share, detect_share or escort_share"),
]


@pytest.mark.parametrize(("case", "mutate", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_malformed_scenario_names_the_field(tmp_path: Path, tiny_dict: dict[str, Any], case: str,
                                            mutate: Callable[[dict[str, Any]], None], pattern: str) -> None:
    mutate(tiny_dict)
    path = write_yaml(tmp_path / "bad.yaml", tiny_dict)
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "bad.yaml" in message or "file not found" in message, message
    assert re.search(pattern, message), f"{case}: {message!r} does not match {pattern!r}"


# Cases that need the geodata to be read (the border ids, the CRS, the columns).
GEO_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown border id", _set("threats.density.0.borders", ["SK-BY"]),
     r"threats\.density\[0\]\.borders: unknown border 'SK-BY'; borders in the data: SK-UA"),
    ("geographic CRS override", _set("geodata.crs", "EPSG:4326"),
     r"geodata\.crs: 'EPSG:4326' is not a projected CRS in metres"),
    ("unknown CRS", _set("geodata.crs", "EPSG:999999"), r"geodata\.crs: 'EPSG:999999' is not a CRS pyproj knows"),
    ("wrong country column", _set("geodata.country_field", "ISO"),
     r"geodata\.countries: .* has no column 'ISO' .*set geodata\.country_field"),
    ("wrong layer", _set("geodata.countries_layer", "nope"), r"geodata\.countries: cannot read"),
    ("defender not in the data", _set("geodata.defenders", ["DE"]),
     r"geodata\.countries: .* has no polygon for defender\(s\) DE"),
    ("no shared border", _set("geodata.neighbours", ["BY"]),
     r"geodata: no border between defenders \(SK\) and neighbours \(BY\)"),
]


@pytest.mark.parametrize(("case", "mutate", "pattern"), GEO_CASES, ids=[c[0] for c in GEO_CASES])
def test_malformed_geodata_settings_are_caught_before_any_solve(
    tmp_path: Path, tiny_dict: dict[str, Any], case: str, mutate: Callable[[dict[str, Any]], None], pattern: str
) -> None:
    mutate(tiny_dict)
    path = write_yaml(tmp_path / "bad.yaml", tiny_dict)
    with pytest.raises(DronewallError) as info:
        load_geodata(load_scenario(path))
    assert re.search(pattern, str(info.value)), f"{case}: {str(info.value)!r}"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("name: a\nname: b\n", r"bad\.yaml: duplicate key 'name' at line 2"),
        ("name: [unclosed\n", r"bad\.yaml: line \d+, column \d+: not valid YAML"),
        ("- just\n- a list\n", r"bad\.yaml: expected a mapping of fields at the top level, got list"),
        ("", r"bad\.yaml: the file is empty"),
        ("name: x\n\tbudget: 1\n", r"bad\.yaml: .*not valid YAML"),
    ],
)
def test_broken_yaml(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=pattern):
        load_scenario(path)


def test_all_problems_are_reported_at_once(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    tiny_dict["budget"]["total_eur"] = -1
    tiny_dict["theater"]["cell_length_m"] = -1
    tiny_dict["solver"] = {"backend": "gurobi"}
    with pytest.raises(ConfigError) as info:
        load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict))
    assert len(info.value.problems) == 3


# ---- catalogs ---------------------------------------------------------------------------------


def _edit_catalog(folder: Path, kind: str, edit: Callable[[dict[str, Any]], None]) -> None:
    path = folder / f"{kind}.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


CATALOG_CASES: list[tuple[str, str, Callable[[dict[str, Any]], None], str]] = [
    ("negative range", "sensors",
     lambda d: d["sensors"]["radar_short_3d"]["detection_range_m"].update(value=-5, low=None),
     r"sensors\.yaml: sensors\.radar_short_3d: detection_range_m must be > 0"),
    ("figure without provenance", "sensors",
     lambda d: d["sensors"]["eo_ir"]["unit_cost_eur"].pop("assumption"),
     r"sensors\.yaml: sensors\.eo_ir\.unit_cost_eur: figure has neither a source nor an assumption"),
    ("bare number", "threats", lambda d: d["threats"]["fpv_quad"].update(speed_mps=30),
     r"threats\.yaml: threats\.fpv_quad\.speed_mps: a bare number \(30\) is not allowed"),
    ("unknown source id", "threats",
     lambda d: d["threats"]["shahed_136"]["speed_mps"].update(source=["cf9999"]),
     r"threats\.yaml: shahed_136\.speed_mps\.source: unknown source id 'cf9999'"),
    ("probability above one", "effectors",
     lambda d: d["effectors"]["gun_35mm"]["p_kill_per_shot"]["shahed_136"].update(value=1.5, high=1.6),
     r"effectors\.yaml: effectors\.gun_35mm: p_kill_per_shot\.shahed_136 is a probability"),
    ("kill probability for an unknown threat", "effectors",
     lambda d: d["effectors"]["gun_35mm"]["p_kill_per_shot"].update(
         tank={"value": 0.1, "assumption": "a test of an unknown id"}),
     r"effectors\.yaml: gun_35mm\.p_kill_per_shot\.tank: unknown threat 'tank'"),
    ("low above value", "conventional",
     lambda d: d["conventional"]["k2"]["unit_cost_eur"].update(low=9e9),
     r"conventional\.yaml: conventional\.k2\.unit_cost_eur: low bound 9000000000\.0 is above the value"),
    ("radar without reference RCS", "sensors", lambda d: d["sensors"]["radar_long"].pop("reference_rcs_m2"),
     r"sensors\.yaml: sensors\.radar_long: a radar needs reference_rcs_m2"),
    ("fibre drone emitting RF", "threats", lambda d: d["threats"]["fpv_fibre"].update(emits_rf=True),
     r"threats\.yaml: threats\.fpv_fibre: a fibre-guided threat cannot emit RF"),
    ("unknown catalog field", "effectors", lambda d: d["effectors"]["manpads"].update(range_km=6),
     r"effectors\.yaml: effectors\.manpads\.range_km: unknown field"),
    ("unknown guidance", "threats", lambda d: d["threats"]["orlan_10"].update(guidance="telepathic"),
     r"threats\.yaml: threats\.orlan_10\.guidance: 'telepathic' is not valid"),
    ("capability without rationale", "conventional", lambda d: d["conventional"]["himars"].pop("rationale"),
     r"conventional\.yaml: conventional\.himars\.rationale: required field is missing"),
    ("capability shares not summing to one", "conventional",
     lambda d: d["conventional"]["himars"].update(capability_areas={"fires": 0.7, "armour": 0.2}),
     r"conventional\.yaml: conventional\.himars: capability_areas \{'fires': 0\.7, 'armour': 0\.2\} must be shares "
     r"between 0 and 1 summing to 1"),
]


@pytest.mark.parametrize(("case", "kind", "edit", "pattern"), CATALOG_CASES, ids=[c[0] for c in CATALOG_CASES])
def test_malformed_catalog_names_file_and_field(tmp_path: Path, tiny_dict: dict[str, Any], catalog_copy: Path,
                                                case: str, kind: str, edit: Callable[[dict[str, Any]], None],
                                                pattern: str) -> None:
    _edit_catalog(catalog_copy, kind, edit)
    for k in ("sources", "threats", "sensors", "effectors", "conventional"):
        tiny_dict["catalogs"][k] = str(catalog_copy / f"{k}.yaml")
    with pytest.raises(ConfigError) as info:
        load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict))
    assert re.search(pattern, str(info.value)), f"{case}: {str(info.value)!r}"


def test_duplicate_catalog_id(tmp_path: Path, tiny_dict: dict[str, Any], catalog_copy: Path) -> None:
    path = catalog_copy / "conventional.yaml"
    text = path.read_text()
    block = text[text.index("  k2:"):text.index("  puma_ifv:")]
    path.write_text(text + block)
    tiny_dict["catalogs"]["conventional"] = str(path)
    with pytest.raises(ConfigError, match=r"conventional\.yaml: duplicate key 'k2' at line \d+"):
        load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict))


# ---- the CLI: non-zero exit, message, no traceback --------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (_set("theater.cell_length_m", -5), r"theater\.cell_length_m: -5 is not valid"),
        (_set("threats.density.0.borders", ["SK-BY"]), r"unknown border 'SK-BY'"),
        (_set("geodata.countries", "/nonexistent/x.gpkg"), r"geodata\.countries: file not found"),
    ],
)
def test_cli_reports_without_traceback(tmp_path: Path, tiny_dict: dict[str, Any],
                                       mutate: Callable[[dict[str, Any]], None], pattern: str) -> None:
    mutate(tiny_dict)
    path = write_yaml(tmp_path / "bad.yaml", tiny_dict)
    for command in (["validate", str(path)], ["theater", str(path), "--out", str(tmp_path / "out")]):
        res = subprocess.run([sys.executable, "-m", "planner.cli", *command], capture_output=True, text=True,
                             timeout=120, check=False)
        assert res.returncode == 1
        assert "Traceback" not in res.stderr
        assert re.search(pattern, res.stderr.replace("\n", " ")), res.stderr
    assert not (tmp_path / "out").exists()


def test_cli_missing_config_file(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "planner.cli", "validate", str(tmp_path / "nope.yaml")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 1
    assert "file not found" in res.stderr and "Traceback" not in res.stderr


def test_cli_bad_arguments_exit_1_without_traceback() -> None:
    res = subprocess.run([sys.executable, "-m", "planner.cli", "schema", "--kind", "tanks"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and "tanks" in res.stderr
