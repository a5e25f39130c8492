"""plan.gpkg is QGIS-ready: a default style per layer in ``layer_styles`` and a description of every column in
``gpkg_data_columns`` (planner/report/gpkg_styles.py), on the plan.gpkg of a real `dronewall run` of the tiny
scenario; and the extra tables change nothing geopandas/pyogrio read."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal

from planner.report.gpkg_styles import DEFEAT_COLUMN, describe, style_plan_gpkg
from tests.conftest import CONFIGS

LAYERS = ("cells", "sites", "site_systems", "coverage", "assets", "no_fire_zones")
RENDERERS = {"cells": "graduatedSymbol", "sites": "categorizedSymbol", "site_systems": "categorizedSymbol",
             "coverage": "categorizedSymbol", "assets": "categorizedSymbol", "no_fire_zones": "singleSymbol"}
#: QGIS's geometry type codes and symbol types for the GeoPackage's geometry types.
GEOMETRY = {"LINESTRING": ("1", "line"), "MULTILINESTRING": ("1", "line"), "POINT": ("0", "marker"),
            "POLYGON": ("2", "fill")}


@pytest.fixture(scope="module")
def plan_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """plan.gpkg of `dronewall run` on the tiny scenario (the CLI, as tests/test_run.py runs it)."""
    out = tmp_path_factory.mktemp("styled") / "tiny"
    res = subprocess.run([sys.executable, "-m", "planner.cli", "run", str(CONFIGS / "tiny.yaml"), "--out", str(out)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 0, res.stderr
    return out / "plan.gpkg"


def query(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as con:
        return list(con.execute(sql, args))


def geometry_columns(path: Path) -> dict[str, tuple[str, str]]:
    return {str(t): (str(c), str(g)) for t, c, g in query(
        path, "SELECT table_name, column_name, upper(geometry_type_name) FROM gpkg_geometry_columns")}


def default_style(path: Path, layer: str) -> ET.Element:
    rows = query(path, "SELECT styleQML FROM layer_styles WHERE f_table_name = ? AND useAsDefault = 1", layer)
    assert len(rows) == 1
    return ET.fromstring(str(rows[0][0]))


def symbol_props(symbol: ET.Element) -> dict[str, str]:
    """A one-layer symbol's properties, from its Option map; the prop elements must say the same."""
    layer = symbol.find("layer")
    assert layer is not None
    options = {str(o.get("name")): str(o.get("value")) for o in layer.findall("Option/Option")}
    assert options == {str(p.get("k")): str(p.get("v")) for p in layer.findall("prop")}
    return options


def rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(v) for v in colour.split(",")[:3])


def test_one_default_style_per_layer(plan_gpkg: Path) -> None:
    geoms = geometry_columns(plan_gpkg)
    rows = query(plan_gpkg, "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
                            "useAsDefault FROM layer_styles")
    assert sorted(str(r[2]) for r in rows if r[5] == 1) == sorted(LAYERS)
    for catalog, schema, table, column, name, _ in rows:
        # QGIS finds a layer's style with f_table_schema = '' and the layer's geometry column; names are TEXT(30).
        assert (catalog, schema, column) == ("", "", geoms[str(table)][0])
        assert 0 < len(str(name)) <= 30
    assert query(plan_gpkg, "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'") == [("attributes",)]


@pytest.mark.parametrize("layer", LAYERS)
def test_style_is_qml_with_the_expected_renderer(plan_gpkg: Path, layer: str) -> None:
    root = default_style(plan_gpkg, layer)
    code, symbol_type = GEOMETRY[geometry_columns(plan_gpkg)[layer][1]]
    assert root.tag == "qgis" and root.get("version", "").startswith("3.")
    assert root.findtext("layerGeometryType") == code
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == RENDERERS[layer]
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    assert symbols and all(s.get("type") == symbol_type for s in symbols.values())
    used = {e.get("symbol") for e in renderer.findall("ranges/range") + renderer.findall("categories/category")}
    assert used <= set(symbols) and (used or layer == "no_fire_zones")


def test_cells_graduate_the_exact_defeat_share_from_red_to_green(plan_gpkg: Path) -> None:
    renderer = default_style(plan_gpkg, "cells").find("renderer-v2")
    assert renderer is not None and renderer.get("attr") == DEFEAT_COLUMN
    cells = gpd.read_file(plan_gpkg, layer="cells", engine="pyogrio")
    share = cells[DEFEAT_COLUMN].dropna()
    assert len(share) and share.between(0, 1).all()  # a fraction, as the classes assume
    ranges = [(float(r.get("lower", "nan")), float(r.get("upper", "nan")), r.get("symbol"))
              for r in renderer.findall("ranges/range")]
    bounds = [ranges[0][0]] + [hi for _, hi, _ in ranges]
    assert bounds == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])  # five fixed classes covering 0–1…
    assert all(a[1] == b[0] for a, b in zip(ranges[:-1], ranges[1:], strict=True))  # …without gaps
    assert all(any(lo <= v <= hi for lo, hi, _ in ranges) for v in share)
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    colours = [rgb(symbol_props(symbols[name])["line_color"]) for _, _, name in ranges]
    assert colours[0][0] > colours[0][1] and colours[-1][1] > colours[-1][0]  # red (low) … green (high)
    assert all(float(symbol_props(s)["line_width"]) > 0 for s in symbols.values())


def test_sites_categorised_built_or_empty(plan_gpkg: Path) -> None:
    renderer = default_style(plan_gpkg, "sites").find("renderer-v2")
    assert renderer is not None
    categories = {c.get("value"): c.get("symbol") for c in renderer.findall("categories/category")}
    assert set(categories) == {"built", "empty"}
    symbols = {s.get("name"): symbol_props(s) for s in renderer.findall("symbols/symbol")}
    built, empty = symbols[categories["built"]], symbols[categories["empty"]]
    assert float(built["size"]) > float(empty["size"]) and len(set(rgb(empty["color"]))) == 1  # empty: small grey
    # The category expression is also valid SQLite: evaluate it on the layer, and on an empty site.
    expr = str(renderer.get("attr"))
    rows = query(plan_gpkg, f"SELECT systems, {expr} FROM sites UNION ALL SELECT '', {expr} FROM (SELECT '' AS systems)")
    assert len(rows) > 1 and all(state == ("built" if systems else "empty") for systems, state in rows)


def test_assets_by_kind_and_hatched_no_fire_zones(plan_gpkg: Path) -> None:
    renderer = default_style(plan_gpkg, "assets").find("renderer-v2")
    assert renderer is not None and renderer.get("attr") == "kind"
    values = {c.get("value") for c in renderer.findall("categories/category")}
    assets = gpd.read_file(plan_gpkg, layer="assets", engine="pyogrio")
    assert values == {"city", "airport"} and set(assets["kind"]) <= values
    zones = default_style(plan_gpkg, "no_fire_zones").find("renderer-v2/symbols/symbol")
    assert zones is not None
    fill = symbol_props(zones)
    assert fill["style"] in ("b_diagonal", "f_diagonal") and rgb(fill["outline_color"])[0] > 200
    assert max(rgb(fill["outline_color"])[1:]) < 100


def test_every_column_described(plan_gpkg: Path) -> None:
    described = {(str(t), str(c)): str(d or "") for t, c, d in query(
        plan_gpkg, "SELECT table_name, column_name, description FROM gpkg_data_columns")}
    for layer, (geom, _) in geometry_columns(plan_gpkg).items():
        columns = [str(r[1]) for r in query(plan_gpkg, f'PRAGMA table_info("{layer}")') if r[1] != geom]
        assert len(columns) > 3
        missing = [c for c in columns if not described.get((layer, c), "").strip()]
        assert not missing, f"{layer}: no description for {missing}"
    threats = [c.removeprefix("p_defeat_") for c in gpd.read_file(plan_gpkg, layer="cells", engine="pyogrio").columns
               if c.startswith("p_defeat_") and c != DEFEAT_COLUMN]
    assert threats and all(t in described[("cells", f"leakers_{t}")] for t in threats)
    extensions = query(plan_gpkg, "SELECT table_name, scope FROM gpkg_extensions WHERE extension_name = 'gpkg_schema'")
    assert sorted(extensions) == [("gpkg_data_column_constraints", "read-write"), ("gpkg_data_columns", "read-write")]
    assert describe("cells", "no_such_column") is None  # an unknown column is left undescribed, not made up


def read_layers(path: Path) -> dict[str, gpd.GeoDataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the extra tables must not make GDAL complain either
        return {layer: gpd.read_file(path, layer=layer, engine="pyogrio") for layer in LAYERS}


def test_layers_read_unchanged(plan_gpkg: Path, tmp_path: Path) -> None:
    """The run's layers, written again without styles, read the same before and after style_plan_gpkg (twice)."""
    styled = read_layers(plan_gpkg)
    plain = tmp_path / "plain.gpkg"
    for layer, gdf in styled.items():
        gdf.to_file(plain, layer=layer, driver="GPKG", engine="pyogrio")
    before = read_layers(plain)
    info = {layer: pyogrio.read_info(plain, layer=layer)["fields"].tolist() for layer in LAYERS}
    for _ in range(2):
        style_plan_gpkg(plain)
    after = read_layers(plain)
    for layer in LAYERS:
        assert_geodataframe_equal(after[layer], before[layer])
        assert_geodataframe_equal(styled[layer], before[layer])
        assert pyogrio.read_info(plain, layer=layer)["fields"].tolist() == info[layer]
    assert query(plain, "SELECT count(*), sum(useAsDefault) FROM layer_styles") == [(6, 6)]
    assert [n for n, _ in pyogrio.list_layers(plain)] == [*LAYERS, "layer_styles"]
