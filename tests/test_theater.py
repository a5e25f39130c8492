"""Theater building: cells lie on the border, sites on the defender's own land, for shipped and user data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from planner.config.io import load_scenario
from planner.errors import ConfigError, GeodataError
from planner.geo.borders import load_geodata
from planner.geo.crs import choose_crs
from planner.geo.theater import MIN_DEPTH_SHARE, Theater, build_theater
from planner.report.theater import write_theater
from tests.conftest import CONFIGS, GEODATA, write_yaml


def assert_theater_sound(th: Theater) -> None:
    """Every cell on its border, every site on its defender's land, and the border fully covered."""
    borders = th.borders.set_index("border_id").geometry
    for border_id, group in th.cells.groupby("border_id"):
        line = borders[border_id]
        coords = shapely.get_coordinates(group.geometry.values)
        dist = shapely.distance(line, shapely.points(coords))
        assert dist.max() < 1.0, f"{border_id}: a cell vertex lies {dist.max():.1f} m off the border"
        assert group["length_m"].sum() == pytest.approx(line.length, rel=1e-6)
    land = th.countries[th.countries["role"] == "defender"].dissolve(by="country").geometry
    assert len(th.sites) > 0
    for nation, group in th.sites.groupby("defender"):
        inside = shapely.contains(land[nation], group.geometry.values)
        assert inside.all(), f"{nation}: {(~inside).sum()} sites lie outside its territory"
    assert (th.sites["distance_to_border_m"] >= MIN_DEPTH_SHARE * th.sites["depth_m"] - 1e-6).all()
    assert th.cells["cell_id"].is_unique and th.sites["site_id"].is_unique


@pytest.fixture(scope="module")
def flank() -> Theater:
    return build_theater(load_scenario(CONFIGS / "eastern-flank.yaml"))


def test_shipped_flank_theater_is_sound(flank: Theater) -> None:
    assert_theater_sound(flank)
    assert flank.crs.to_epsg() == 3035
    assert set(flank.borders["border_id"]) == {
        "NO-RU", "FI-RU", "EE-RU", "LV-RU", "LV-BY", "LT-BY", "LT-RU", "PL-RU", "PL-BY", "PL-UA", "SK-UA",
        "HU-UA", "RO-UA", "RO-MD",
    }
    # Natural Earth 1:10m smooths river borders: about 4,800 km against about 5,800 km published.
    assert 4_700 < flank.cells["length_m"].sum() / 1000 < 4_900
    assert set(flank.sites["defender"]) == {"NO", "FI", "EE", "LV", "LT", "PL", "SK", "HU", "RO"}


def test_cell_lengths_are_close_to_the_setting(flank: Theater) -> None:
    long_parts = flank.cells.groupby(["border_id", "part"])["length_m"].transform("sum") > 10_000
    lengths = flank.cells.loc[long_parts, "length_m"]
    assert lengths.between(5_000 / 1.5, 5_000 * 1.5).all()


def test_threat_weights_follow_the_density(flank: Theater) -> None:
    cells = flank.cells
    pl_by = cells[cells["border_id"] == "PL-BY"]
    fi_ru = cells[cells["border_id"] == "FI-RU"]
    # 2.0 Gerbera per raid per 100 km on PL-BY, 1.0 on the rest.
    assert pl_by["raid_gerbera_decoy"].sum() == pytest.approx(2.0 * pl_by["length_m"].sum() / 100_000)
    assert fi_ru["raid_gerbera_decoy"].sum() == pytest.approx(1.0 * fi_ru["length_m"].sum() / 100_000)


def test_assets_are_inside_defenders_and_attached(flank: Theater) -> None:
    assets = flank.assets
    assert len(assets) > 20
    assert (assets["distance_to_border_m"] <= 150_000).all()
    assert set(assets["cell_id"]) <= set(flank.cells["cell_id"])
    assert ((assets["kind"] == "airport") | (assets["population"] >= 100_000)).all()
    assert flank.cells["asset_value"].sum() == pytest.approx(assets["value"].sum())
    assert len(flank.no_fire_zones) == len(assets)


def test_theater_sizes_scale_with_cell_length() -> None:
    scenario = load_scenario(CONFIGS / "eastern-flank.yaml")
    sizes = {}
    for length in (10_000, 5_000):
        theater_cfg = scenario.config.theater.model_copy(update={"cell_length_m": length})
        sc = dataclasses.replace(scenario, config=scenario.config.model_copy(update={"theater": theater_cfg}))
        sizes[length] = len(build_theater(sc).cells)
    assert sizes[5_000] == pytest.approx(2 * sizes[10_000], rel=0.05)


def test_write_theater(tmp_path: Path) -> None:
    th = build_theater(load_scenario(CONFIGS / "tiny.yaml"))
    paths = write_theater(th, tmp_path / "out")
    layers = set(gpd.list_layers(paths["theater.gpkg"])["name"])
    assert layers == {"cells", "sites", "assets", "no_fire_zones", "borders", "countries"}
    cells = gpd.read_file(paths["theater.gpkg"], layer="cells")
    assert len(cells) == len(th.cells) and cells.crs.to_epsg() == 3035
    summary = json.loads(paths["theater.json"].read_text())
    assert summary["cells"] == len(th.cells) and summary["sites"] == len(th.sites)
    png = paths["theater.png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert not list(tmp_path.glob(".out.tmp-*"))


# ---- a user border outside Europe, in EPSG:4326 -----------------------------------------------------

WEST, EAST, SOUTH, NORTH = -62.0, -58.0, -17.0, -13.0  # lowland South America


def _wiggly_border(n: int = 400) -> LineString:
    lat = np.linspace(SOUTH, NORTH, n)
    lon = -60.0 + 0.15 * np.sin(lat * 9.0) + 0.05 * np.sin(lat * 31.0)
    return LineString(np.column_stack([lon, lat]))


def _user_countries() -> gpd.GeoDataFrame:
    border = list(_wiggly_border().coords)
    aa = Polygon([(WEST, SOUTH), *border, (WEST, NORTH)])
    bb = Polygon([(EAST, SOUTH), *border, (EAST, NORTH)])
    return gpd.GeoDataFrame({"code": ["AA", "BB"], "name": ["Alpha", "Beta"]}, geometry=[aa, bb],
                            crs="EPSG:4326")


def _user_scenario(tmp_path: Path, tiny_dict: dict[str, Any], geodata: dict[str, Any]) -> Path:
    tiny_dict["geodata"] = {"defenders": ["AA"], "neighbours": ["BB"], "country_field": "code", **geodata}
    tiny_dict["threats"]["density"] = [{"threat": "shahed_136", "drones_per_raid_per_100km": 1.0}]
    return write_yaml(tmp_path / "user.yaml", tiny_dict)


@pytest.mark.parametrize(("suffix", "crs"), [(".geojson", "EPSG:4326"), (".gpkg", "EPSG:32720"),
                                             (".shp", "EPSG:4326")])
def test_user_polygons_outside_europe(tmp_path: Path, tiny_dict: dict[str, Any], suffix: str, crs: str) -> None:
    path = tmp_path / f"countries{suffix}"
    _user_countries().to_crs(crs).to_file(path, engine="pyogrio")
    th = build_theater(load_scenario(_user_scenario(tmp_path, tiny_dict, {"countries": str(path)})))
    assert_theater_sound(th)
    assert th.crs.utm_zone == "20S", th.crs_reason
    assert list(th.borders["border_id"]) == ["AA-BB"]
    # The shared boundary is the wiggly line: about 450 km long.
    expected_km = gpd.GeoSeries([_wiggly_border()], crs="EPSG:4326").to_crs(th.crs).length.iloc[0] / 1000
    assert th.cells["length_m"].sum() / 1000 == pytest.approx(expected_km, rel=1e-3)
    assert (th.sites.to_crs("EPSG:4326").geometry.x < -59.7).all()  # all on AA's (western) side


def test_user_border_lines_with_territory(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    countries = _user_countries()
    cpath = tmp_path / "territory.geojson"
    countries[countries["code"] == "AA"].to_file(cpath, engine="pyogrio")
    bpath = tmp_path / "border.geojson"
    gpd.GeoDataFrame({"def": ["AA"], "nbr": ["BB"]}, geometry=[_wiggly_border()], crs="EPSG:4326").to_file(
        bpath, engine="pyogrio")
    cfg = _user_scenario(tmp_path, tiny_dict, {"countries": str(cpath), "borders": str(bpath),
                                               "defender_field": "def", "neighbour_field": "nbr"})
    th = build_theater(load_scenario(cfg))
    assert_theater_sound(th)
    assert len(th.assets) == 0 and len(th.no_fire_zones) == 0


def test_crs_override_is_used(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    path = tmp_path / "countries.geojson"
    _user_countries().to_file(path, engine="pyogrio")
    th = build_theater(load_scenario(_user_scenario(tmp_path, tiny_dict, {"countries": str(path),
                                                                          "crs": "EPSG:32721"})))
    assert th.crs.to_epsg() == 32721 and "set in the scenario" in th.crs_reason


def test_crs_choice() -> None:
    assert choose_crs((20.0, 45.0, 30.0, 70.0))[0].to_epsg() == 3035
    assert choose_crs((-62.0, -17.0, -58.0, -13.0))[0].utm_zone == "20S"
    wide, reason = choose_crs((100.0, 20.0, 140.0, 50.0))
    assert "Lambert Azimuthal Equal Area" in wide.coordinate_operation.method_name and "outside Europe" in reason
    with pytest.raises(ConfigError, match="not a projected CRS in metres"):
        choose_crs((0, 0, 1, 1), "EPSG:4326")


# ---- broken geodata files --------------------------------------------------------------------------


def _expect_geodata_error(tmp_path: Path, tiny_dict: dict[str, Any], geodata: dict[str, Any],
                          pattern: str) -> None:
    cfg = _user_scenario(tmp_path, tiny_dict, geodata)
    with pytest.raises(GeodataError, match=pattern):
        load_geodata(load_scenario(cfg))


def test_file_without_crs(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    path = tmp_path / "nocrs.shp"
    _user_countries().to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink()
    _expect_geodata_error(tmp_path, tiny_dict, {"countries": str(path)}, r"nocrs\.shp has no CRS: set one")


def test_empty_file(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    path = tmp_path / "empty.gpkg"
    _user_countries().iloc[:0].to_file(path, engine="pyogrio")
    _expect_geodata_error(tmp_path, tiny_dict, {"countries": str(path)}, r"empty\.gpkg holds no features")


def test_invalid_polygon(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    gdf = _user_countries()
    bowtie = Polygon([(-61, -16), (-60.5, -15), (-61, -15), (-60.5, -16)])
    gdf.loc[0, "geometry"] = bowtie
    path = tmp_path / "bowtie.gpkg"
    gdf.to_file(path, engine="pyogrio")
    _expect_geodata_error(tmp_path, tiny_dict, {"countries": str(path)},
                          r"invalid geometry in feature\(s\) AA \(Self-intersection.*-makevalid")


def test_points_as_countries(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"code": ["AA", "BB"]}, geometry=[Point(-61, -15), Point(-59, -15)],
                     crs="EPSG:4326").to_file(path, engine="pyogrio")
    _expect_geodata_error(tmp_path, tiny_dict, {"countries": str(path)},
                          r"holds Point geometries; expected MultiPolygon or Polygon")


def test_polygons_given_as_borders(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    path = tmp_path / "countries.geojson"
    _user_countries().assign(defender="AA", neighbour="BB").to_file(path, engine="pyogrio")
    _expect_geodata_error(tmp_path, tiny_dict, {"countries": str(path), "borders": str(path)},
                          r"holds polygons: give polygons as geodata\.countries and leave geodata\.borders out")


def test_multi_layer_file_needs_a_layer(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    _expect_geodata_error(tmp_path, tiny_dict, {"countries": str(GEODATA / "eastern_flank.gpkg")},
                          r"has several layers \(.*countries.*\): name one with the '_layer' field")
