"""Hostile inputs an outside fuzzer found (issue #11): each gives a message naming the file and the field,
exit code 1 on the command line, and no traceback."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
import yaml
from shapely.affinity import translate

from planner.analysis.stress import load_plan
from planner.config import catalog as catalog_module
from planner.config.io import MAX_NESTING, load_json, load_scenario, load_yaml
from planner.errors import ConfigError, GeodataError
from planner.geo import borders as borders_module
from planner.geo.borders import BORDER_TOLERANCE_M, MAX_TOTAL_BORDER_KM, MIN_BORDER_KM, load_geodata
from planner.plan import solve_scenario
from planner.report.brief import load_run
from planner.report.briefing_maps import load_map_inputs
from planner.report.plan import write_plan
from tests.conftest import CONFIGS, GEODATA, ROOT, write_yaml

CLI = [sys.executable, "-m", "planner.cli"]
GPKG = GEODATA / "eastern_flank.gpkg"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False)


# ---- 1. nesting deep enough to exhaust Python's stack --------------------------------------------------


def test_description_of_20000_brackets(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    text = yaml.safe_dump(tiny_dict, sort_keys=False).replace(
        "description: ", "description: " + "[" * 20_000 + "  # ", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"bad\.yaml: line \d+, column \d+: nesting deeper than {MAX_NESTING} "
                                          r"levels"):
        load_scenario(path)


def test_mappings_nested_2000_deep(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    text = yaml.safe_dump(tiny_dict, sort_keys=False)
    text += "extra:\n" + "\n".join("  " * (i + 1) + "a:" for i in range(2000)) + " 1\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"bad\.yaml: line \d+, column \d+: nesting deeper than {MAX_NESTING}"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("a: &a [*a]\n", r"an alias \(\*name\) refers to the mapping or list that holds it"),
        ("a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "".join(
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)),
         r"aliases \(\*name\) expand to more than 1,000,000 values"),
        ("".join(f"a{i}: &a{i} [{f'*a{i - 1}' if i else 1}]\n" for i in range(60)),
         rf"nesting deeper than {MAX_NESTING} levels \(through aliases\)"),
        ("? [a, b]\n: 1\n", r"line 1: a key is a list"),
        ("name: 2025-13-45\n", r"not valid YAML \(month must be in 1\.\.12\)"),
        ("name: " + "9" * 5000 + "\n", r"not valid YAML \(Exceeds the limit"),
    ],
    ids=["cyclic alias", "billion laughs", "deep through aliases", "list as key", "impossible date", "huge int"],
)
def test_yaml_tricks(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"bad\.yaml: " + pattern):
        load_yaml(path)


def test_cli_deep_nesting_without_traceback(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    text = yaml.safe_dump(tiny_dict, sort_keys=False).replace("description: ", "description: " + "[" * 20_000, 1)
    (tmp_path / "deep.yaml").write_text(text)
    res = _cli("validate", str(tmp_path / "deep.yaml"))
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "RecursionError" not in res.stderr
    assert re.search(r"deep\.yaml: line \d+, column \d+: nesting deeper than", res.stderr), res.stderr


# ---- 2. numbers that break the optimizer ---------------------------------------------------------------


def _set(d: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d[int(k)] if isinstance(d, list) else d.setdefault(k, {})
    d[keys[-1]] = value


BOUNDS = [
    ("threats.raids_per_year", 1e300,
     r"threats\.raids_per_year: 1e\+300 raids a year is out of range: allowed more than 0 and at most 100,000 "
     r"raids a year"),
    ("budget.total_eur", 1e20, r"budget\.total_eur: 1e\+20 EUR is out of range: .*at most 10,000,000,000,000 EUR"),
    ("budget.horizon_years", 500, r"budget\.horizon_years: 500 years is out of range: .*at most 50 years"),
    ("threats.density.0.drones_per_raid_per_100km", 1e9,
     r"threats\.density\.0\.drones_per_raid_per_100km: 1,000,000,000 drones per raid per 100 km is out of range: "
     r"allowed at least 0 and at most 10,000"),
    ("threats.raid_surge_factor", 1e6, r"threats\.raid_surge_factor: .*at most 100 times the expected raid"),
    ("theater.cell_length_m", 1e12, r"theater\.cell_length_m: .* m is out of range: allowed at least 100 and at "
                                    r"most 1,000,000 m"),
    ("theater.site_depths_m", [5000, 1e300], r"theater\.site_depths_m\.1: 1e\+300 m is out of range"),
    ("roe.no_fire_buffers.city_m", 1e300, r"roe\.no_fire_buffers\.city_m: 1e\+300 m is out of range"),
    ("objective.conventional_weight", 1e300, r"objective\.conventional_weight: 1e\+300 is out of range"),
    ("systems.conventional_min_units", {"leopard_2a8": 10**12},
     r"systems\.conventional_min_units\.leopard_2a8: 1,000,000,000,000 units is out of range"),
    ("solver.time_limit_s", 1e300, r"solver\.time_limit_s: 1e\+300 s is out of range"),
    ("solver.seed", 2**40, r"solver\.seed: 1,099,511,627,776 is out of range: .*at most 2,147,483,647"),
    ("budget.total_eur", float("nan"), r"budget\.total_eur: nan is not valid: input should be a finite number"),
    ("threats.raids_per_year", float("-inf"), r"threats\.raids_per_year: -inf is not valid"),
]


@pytest.mark.parametrize(("field", "value", "pattern"), BOUNDS, ids=[f"{b[0]}={b[1]}" for b in BOUNDS])
def test_scenario_numbers_have_physical_bounds(tmp_path: Path, tiny_dict: dict[str, Any], field: str, value: Any,
                                               pattern: str) -> None:
    _set(tiny_dict, field, value)
    with pytest.raises(ConfigError, match=r"bad\.yaml: " + pattern):
        load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict))


@pytest.mark.parametrize(
    ("kind", "entry", "field", "pattern"),
    [
        ("effectors", "gun_35mm", "cost_per_shot_eur",
         r"effectors\.gun_35mm: cost_per_shot_eur must be at most 1,000,000,000 EUR \(value and high bound\); "
         r"got value 1e\+300"),
        ("threats", "shahed_136", "speed_mps", r"threats\.shahed_136: speed_mps must be at most 10,000 m/s"),
        ("conventional", "leopard_2a8", "capability_score",
         r"conventional\.leopard_2a8: capability_score must be at most 10,000 Leopard-2A8 equivalents"),
    ],
)
def test_catalog_figures_have_physical_bounds(tmp_path: Path, tiny_dict: dict[str, Any], catalog_copy: Path,
                                              kind: str, entry: str, field: str, pattern: str) -> None:
    path = catalog_copy / f"{kind}.yaml"
    data = yaml.safe_load(path.read_text())
    data[kind][entry][field].update(value=1e300, high=None)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    tiny_dict["catalogs"][kind] = str(path)
    with pytest.raises(ConfigError, match=rf"{kind}\.yaml: " + pattern):
        load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict))


def test_catalog_limits_are_documented() -> None:
    doc = (ROOT / "docs" / "catalogs.md").read_text()
    for name in catalog_module.LIMITS:
        assert f"`{name}`" in doc, f"docs/catalogs.md does not give the limit of {name}"


def test_cli_raids_1e300_without_traceback(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    tiny_dict["threats"]["raids_per_year"] = 1e300
    res = _cli("validate", str(write_yaml(tmp_path / "bad.yaml", tiny_dict)))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "bad.yaml: threats.raids_per_year: 1e+300 raids a year is out of range" in res.stderr.replace("\n", " ")


# ---- 3. run folders that are not what `dronewall run` wrote --------------------------------------------


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "tiny"
    write_plan(solve_scenario(load_scenario(CONFIGS / "tiny.yaml")), out)
    return out


def _copy(run_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    return copy


def _edit_json(path: Path, edit: Any) -> None:
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_load_json_names_file_and_type(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match=r"x\.json: expected the thing as a JSON object \{\.\.\.\} at the top "
                                          r"level, got a JSON list"):
        load_json(path, what="the thing")
    path.write_text("[" * 100_000)
    with pytest.raises(ConfigError, match=r"x\.json: .*(nested deeper|not valid JSON)"):
        load_json(path, what="the thing")
    with pytest.raises(ConfigError, match=r"nope\.json: file not found"):
        load_json(tmp_path / "nope.json", what="the thing")


@pytest.mark.parametrize(
    ("name", "write", "pattern"),
    [
        ("plan.json", lambda p: p.write_text("{not json"),
         r"plan\.json: line 1, column 2: the plan is not valid JSON \(Expecting property name"),
        ("plan.json", lambda p: p.write_bytes(b"\xff\xfe\x00\x01"), r"plan\.json: cannot read the plan"),
        ("manifest.json", lambda p: p.write_text("[1, 2, 3]"),
         r"manifest\.json: expected the run's manifest as a JSON object .* got a JSON list"),
        ("manifest.json", lambda p: _edit_json(p, lambda d: d.pop("files_sha256")),
         r"manifest\.json: files_sha256\.scenario\.path: required field is missing: run the plan again"),
        ("manifest.json", lambda p: _edit_json(p, lambda d: d.update(files_sha256=["x"])),
         r"manifest\.json: files_sha256: expected a JSON object, got a JSON list"),
        ("plan.json", lambda p: _edit_json(p, lambda d: d["spend"][0].pop("total_eur")),
         r"plan\.json: spend\[0\]: total_eur: required field is missing"),
        ("plan.json", lambda p: _edit_json(p, lambda d: d["spend_eur"].update(total="lots")),
         r"plan\.json: spend_eur\.total: expected a number, got a string"),
        ("sites.csv", lambda p: p.write_text(""), r"sites\.csv: not a readable CSV table"),
        ("sites.csv", lambda p: p.write_text("site_id,systems\nnowhere,gun_35mm\n"),
         r"sites\.csv: site\(s\) nowhere are not among the scenario's candidate sites"),
    ],
    ids=["plan not JSON", "plan binary", "manifest a list", "manifest without files", "manifest files a list",
         "spend row without total", "total as text", "sites empty", "unknown site"],
)
def test_stress_reads_broken_run_folders(run_dir: Path, tmp_path: Path, name: str, write: Any,
                                         pattern: str) -> None:
    copy = _copy(run_dir, tmp_path)
    write(copy / name)
    with pytest.raises(ConfigError, match=pattern):
        load_plan(copy)


def test_brief_and_maps_read_broken_run_folders(run_dir: Path, tmp_path: Path) -> None:
    copy = _copy(run_dir, tmp_path)
    _edit_json(copy / "manifest.json", lambda d: d["files_sha256"].pop("sensors"))
    with pytest.raises(ConfigError, match=r"manifest\.json: files_sha256\.sensors\.path: required field is missing"):
        load_run(copy)
    (copy / "cells.csv").unlink()
    _edit_json(copy / "manifest.json", lambda d: d["files_sha256"].update(sensors={"path": "x"}))
    with pytest.raises(ConfigError, match=r"cells\.csv: cannot be read as a table"):
        load_run(copy)
    (copy / "plan.gpkg").write_text("not a geopackage")
    with pytest.raises(ConfigError, match=r"plan\.gpkg: cannot read the plan's layers"):
        load_map_inputs(copy)
    (copy / "plan.json").write_text("[]")
    with pytest.raises(ConfigError, match=r"plan\.json: expected the plan as a JSON object"):
        load_map_inputs(copy)


def test_brief_reads_broken_analyses(run_dir: Path, tmp_path: Path) -> None:
    copy = _copy(run_dir, tmp_path)
    (copy / "stress").mkdir()
    (copy / "stress" / "stress.json").write_text('{"cases": 3}')
    with pytest.raises(ConfigError, match=r"stress\.json: cases: expected a JSON list"):
        load_run(copy)
    (copy / "stress" / "stress.json").write_text("{")
    with pytest.raises(ConfigError, match=r"stress\.json: line 1, column 2: the stress analysis is not valid JSON"):
        load_run(copy)


@pytest.mark.parametrize(("name", "text", "pattern"),
                         [("plan.json", "{not json", r"plan\.json: line 1, column 2: the plan is not valid JSON"),
                          ("manifest.json", "[]", r"manifest\.json: expected the run's manifest as a JSON object")])
def test_cli_stress_broken_json_without_traceback(run_dir: Path, tmp_path: Path, name: str, text: str,
                                                  pattern: str) -> None:
    copy = _copy(run_dir, tmp_path)
    (copy / name).write_text(text)
    res = _cli("stress", str(copy))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert re.search(pattern, res.stderr.replace("\n", " ")), res.stderr


# ---- 4. geodata wrongly accepted -----------------------------------------------------------------------


def _layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(GPKG, layer=name, engine="pyogrio")


def _with_geodata(tmp_path: Path, tiny_dict: dict[str, Any], **layers: gpd.GeoDataFrame) -> Path:
    """The tiny scenario with some of its layers replaced by the given frames, each in a file of its own."""
    for key, gdf in layers.items():
        path = tmp_path / f"{key}.gpkg"
        gdf.to_file(path, engine="pyogrio")
        tiny_dict["geodata"][key] = str(path)
        tiny_dict["geodata"].pop(f"{key}_layer", None)
    return write_yaml(tmp_path / "bad.yaml", tiny_dict)


@pytest.mark.parametrize("key", ["countries", "borders", "assets"])
def test_degrees_declared_as_metres(tmp_path: Path, tiny_dict: dict[str, Any], key: str) -> None:
    gdf = _layer(key).set_crs("EPSG:3035", allow_override=True)
    cfg = _with_geodata(tmp_path, tiny_dict, **{key: gdf})
    with pytest.raises(GeodataError, match=rf"geodata\.{key}: .*{key}\.gpkg: every coordinate lies within ±180/±90 "
                                           r".*\(EPSG:3035\), in metres: the coordinates look like degrees"):
        load_geodata(load_scenario(cfg))


def test_metres_declared_as_degrees(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    gdf = _layer("borders").to_crs("EPSG:3035").set_crs("EPSG:4326", allow_override=True)
    cfg = _with_geodata(tmp_path, tiny_dict, borders=gdf)
    with pytest.raises(GeodataError, match=r"geodata\.borders: .*borders\.gpkg: coordinates reach .* beyond ±180° "
                                           r"longitude .* they look like metres"):
        load_geodata(load_scenario(cfg))


def test_coordinates_outside_the_crs_area_of_use(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    # Slovakia's border in metres, declared as a UTM zone of South America
    gdf = _layer("borders").to_crs("EPSG:3035").set_crs("EPSG:32721", allow_override=True)
    cfg = _with_geodata(tmp_path, tiny_dict, borders=gdf)
    with pytest.raises(GeodataError, match=r"geodata\.borders: .*lie outside the area of use of WGS 84 / UTM zone "
                                           r"21S"):
        load_geodata(load_scenario(cfg))


def test_border_far_from_its_defender(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    borders = _layer("borders").to_crs("EPSG:3035")
    borders["geometry"] = [translate(g, xoff=700_000) for g in borders.geometry]
    cfg = _with_geodata(tmp_path, tiny_dict, borders=borders)
    with pytest.raises(GeodataError, match=rf"geodata\.borders: .*borders\.gpkg: border SK-UA lies up to \d{{3}} km "
                                           rf"from the edge of defender SK's territory .*tolerance "
                                           rf"{BORDER_TOLERANCE_M / 1000:g} km"):
        load_geodata(load_scenario(cfg))


def test_border_shorter_than_a_kilometre(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    borders = _layer("borders").to_crs("EPSG:3035")
    sk = borders[borders["border_id"] == "SK-UA"].copy()
    start = shapely.get_coordinates(sk.geometry.iloc[0])[0]
    sk["geometry"] = [shapely.LineString([start, start + [300.0, 300.0]])]
    cfg = _with_geodata(tmp_path, tiny_dict, borders=sk)
    with pytest.raises(GeodataError, match=rf"border\(s\) SK-UA 0\.424 km shorter than {MIN_BORDER_KM:g} km"):
        load_geodata(load_scenario(cfg))


def test_implausibly_long_borders(tmp_path: Path, tiny_dict: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_TOTAL_BORDER_KM == 20_000  # longer than all of NATO's land borders with Russia and Belarus
    monkeypatch.setattr(borders_module, "MAX_TOTAL_BORDER_KM", 50.0)  # the tiny scenario's border is 87 km
    with pytest.raises(GeodataError, match=r"geodata\.borders: .*eastern_flank\.gpkg: the borders total 87 km, more "
                                           r"than 50 km .*check the units and the CRS"):
        load_geodata(load_scenario(write_yaml(tmp_path / "tiny.yaml", tiny_dict)))


@pytest.mark.parametrize(
    ("crs", "pattern"),
    [("EPSG:4326", r"bad\.yaml: geodata\.crs: 'EPSG:4326' is not a projected CRS in metres"),
     ("EPSG:999999", r"bad\.yaml: geodata\.crs: 'EPSG:999999' is not a CRS pyproj knows")],
)
def test_bad_crs_names_the_scenario_and_field(tmp_path: Path, tiny_dict: dict[str, Any], crs: str,
                                              pattern: str) -> None:
    tiny_dict["geodata"]["crs"] = crs
    with pytest.raises(ConfigError, match=pattern):
        load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict))


def test_crs_for_another_continent(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    tiny_dict["geodata"]["crs"] = "EPSG:32721"
    with pytest.raises(ConfigError, match=r"bad\.yaml: geodata\.crs: 'EPSG:32721' \(WGS 84 / UTM zone 21S\) is meant "
                                          r"for lon -60\.0\.\.-54\.0.*but the data lie at lon 2"):
        load_geodata(load_scenario(write_yaml(tmp_path / "bad.yaml", tiny_dict)))


def test_cli_degrees_as_metres_without_traceback(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    cfg = _with_geodata(tmp_path, tiny_dict, borders=_layer("borders").set_crs("EPSG:3035", allow_override=True))
    res = _cli("validate", str(cfg))
    assert res.returncode == 1 and "Traceback" not in res.stderr and "ok" not in res.stdout
    assert "geodata.borders" in res.stderr and "borders.gpkg" in res.stderr and "look like degrees" in res.stderr


@pytest.mark.parametrize("config", sorted(p.relative_to(ROOT).as_posix() for p in
                                          [*CONFIGS.glob("*.yaml"), *CONFIGS.glob("incidents/*.yaml")]))
def test_shipped_scenarios_pass_the_new_checks(config: str) -> None:
    geodata = load_geodata(load_scenario(ROOT / config))
    assert MIN_BORDER_KM < geodata.borders.length.min() / 1000
    assert geodata.borders.length.sum() / 1000 < MAX_TOTAL_BORDER_KM


def test_documented_geodata_limits_match_the_code() -> None:
    from planner.config.scenario import GeodataConfig

    text = GeodataConfig.model_fields["borders"].description or ""
    for figure in (f"{BORDER_TOLERANCE_M / 1000:g} km", f"{MIN_BORDER_KM:g} km", f"{MAX_TOTAL_BORDER_KM:,.0f} km"):
        assert figure in text, f"geodata.borders' description does not give {figure}"
