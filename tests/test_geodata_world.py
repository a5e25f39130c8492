"""Geodata beyond Europe: regions far apart, a border across the antimeridian, countries without names and a
scenario without protected assets (issue #17, item 7). Every border measures within 1% of its geodesic length,
or the scenario is refused with a message naming geodata.crs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod
from shapely.geometry import LineString, Point, Polygon

from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.geo.borders import Geodata, load_geodata
from planner.geo.crs import choose_crs, lonlat_extent
from planner.geo.theater import build_theater
from tests.conftest import write_yaml
from tests.test_theater import assert_theater_sound

GEOD = Geod(ellps="WGS84")


def _wiggly(start: tuple[float, float], end: tuple[float, float], n: int = 300) -> LineString:
    """A border from ``start`` to ``end`` (lon, lat), gently wiggling across the straight line."""
    a, b = np.array(start), np.array(end)
    d = b - a
    t = np.linspace(0.0, 1.0, n)
    off = 0.02 * np.sin(t * 40.0) + 0.01 * np.sin(t * 111.0)
    return LineString(a + np.outer(t, d) + np.outer(off, np.array([-d[1], d[0]]) / np.hypot(*d)))


def _pair(line: LineString, defender: str, neighbour: str, width: float = 1.0) -> dict[str, Polygon]:
    """Two countries sharing ``line``: the defender on its right, the neighbour on its left."""
    c = np.asarray(line.coords)
    d = c[-1] - c[0]
    left = np.array([-d[1], d[0]]) / np.hypot(*d) * width
    return {defender: Polygon([c[0] - left, *c, c[-1] - left]), neighbour: Polygon([c[0] + left, *c, c[-1] + left])}


BALTIC = _wiggly((27.5, 56.0), (27.5, 59.0))  # north-south, about 340 km
KOREA = _wiggly((126.5, 38.0), (128.5, 38.0))  # east-west, about 200 km
LOWLANDS = _wiggly((-60.0, -17.0), (-60.0, -13.0))  # South America, about 450 km
BERING = _wiggly((175.0, 65.5), (185.0, 65.5))  # across 180° (Chukotka), about 475 km
BERING_NARROW = _wiggly((178.0, 65.5), (182.0, 65.5))  # across 180°, within one UTM zone's width


def _countries(pairs: dict[str, Polygon], names: bool = True) -> gpd.GeoDataFrame:
    data: dict[str, Any] = {"code": list(pairs)}
    if names:
        data["name"] = [f"Land {c}" for c in pairs]
    return gpd.GeoDataFrame(data, geometry=list(pairs.values()), crs="EPSG:4326")


def _scenario(tmp_path: Path, tiny_dict: dict[str, Any], countries: gpd.GeoDataFrame, defenders: list[str],
              neighbours: list[str], name: str = "countries.gpkg", **geodata: Any) -> Path:
    path = tmp_path / name
    countries.to_file(path, engine="pyogrio")
    tiny_dict["geodata"] = {"countries": str(path), "defenders": defenders, "neighbours": neighbours,
                            "country_field": "code", **geodata}
    tiny_dict["threats"]["density"] = [{"threat": "shahed_136", "drones_per_raid_per_100km": 1.0}]
    return write_yaml(tmp_path / "world.yaml", tiny_dict)


def _central_lon(crs: CRS) -> float:
    return next(float(p.value) for p in crs.coordinate_operation.params if "longitude" in p.name.lower())


def _assert_lengths_geodesic(geodata: Geodata, lines: dict[str, LineString]) -> None:
    projected = geodata.borders.set_index("border_id").length
    assert set(projected.index) == set(lines)
    for border, line in lines.items():
        geodesic = GEOD.geometry_length(line)
        assert projected[border] == pytest.approx(geodesic, rel=0.01), (border, geodata.crs_reason)


# ---- regions far apart ------------------------------------------------------------------------------


def test_two_distant_regions_keep_their_lengths(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """The Baltic and Korea: the equal-area projection centred between them measured the Baltic border +3.5%;
    a conformal conic fitted to the data's latitudes keeps both within 1%."""
    countries = _countries({**_pair(BALTIC, "AA", "BB"), **_pair(KOREA, "CC", "DD")})
    geodata = load_geodata(load_scenario(_scenario(tmp_path, tiny_dict, countries, ["AA", "CC"], ["BB", "DD"])))
    _assert_lengths_geodesic(geodata, {"AA-BB": BALTIC, "CC-DD": KOREA})
    assert "conformal" in geodata.crs.coordinate_operation.method_name.lower()
    assert "too wide for Lambert azimuthal equal-area" in geodata.crs_reason
    # The fitted CRS survives a GeoPackage round trip (plan.gpkg, theater.gpkg).
    geodata.borders.to_file(tmp_path / "b.gpkg", engine="pyogrio")
    back = gpd.read_file(tmp_path / "b.gpkg", engine="pyogrio").set_index("border_id")
    assert back.length.to_dict() == pytest.approx(geodata.borders.set_index("border_id").length.to_dict(), rel=1e-9)


def test_regions_in_two_hemispheres_are_refused(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    countries = _countries({**_pair(BALTIC, "AA", "BB"), **_pair(LOWLANDS, "CC", "DD")})
    cfg = _scenario(tmp_path, tiny_dict, countries, ["AA", "CC"], ["BB", "DD"])
    pattern = (r"world\.yaml: geodata\.crs: the borders lie at lon -60\.0\.\.27\.5, lat -17\.0\.\.59\.0 \(AA-BB near "
               r"57\.5N 27\.5E; CC-DD near 15\.0S 60\.0W\): too far apart for one projection to keep distances "
               r"within 1%; the least distorting automatic choice, .+, measures border [A-D-]+ [-+]\d+\.\d% against "
               r"its geodesic length\. Set geodata\.crs to a metric CRS that suits every border, or split the "
               r"scenario into one per region")
    with pytest.raises(ConfigError, match=pattern):
        load_geodata(load_scenario(cfg))


def test_a_distorting_crs_set_by_the_user_is_kept_with_a_warning(tmp_path: Path, tiny_dict: dict[str, Any],
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    countries = _countries({**_pair(BALTIC, "AA", "BB"), **_pair(KOREA, "CC", "DD")})
    cfg = _scenario(tmp_path, tiny_dict, countries, ["AA", "CC"], ["BB", "DD"], crs="EPSG:3035")
    with caplog.at_level(logging.WARNING, logger="planner"):
        geodata = load_geodata(load_scenario(cfg))
    assert geodata.crs.to_epsg() == 3035
    assert any(r.levelno == logging.WARNING and "geodata.crs: EPSG:3035 measures border CC-DD" in r.getMessage()
               and "distances in the plan are off by as much" in r.getMessage() for r in caplog.records)


# ---- the antimeridian ---------------------------------------------------------------------------------


def _split_at_antimeridian(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """As RFC 7946 GeoJSON has it: each geometry cut at 180°, its eastern part at -180..-175."""
    east, west = shapely.box(0, -90, 180, 90), shapely.box(180, -90, 360, 90)
    parts = [shapely.MultiPolygon([*shapely.get_parts(g.intersection(east)),
                                   *shapely.get_parts(shapely.affinity.translate(g.intersection(west), -360))])
             for g in gdf.geometry]
    return gdf.set_geometry(parts, crs=gdf.crs)


@pytest.mark.parametrize(("form", "name"), [
    ("unwrapped", "countries.geojson"),  # longitudes beyond 180
    ("split", "countries.geojson"),  # cut at 180°, as RFC 7946 asks
    ("EPSG:32601", "countries.gpkg"),  # UTM zone 1N: west of its zone, yet across 180°
    ("EPSG:3571", "countries.gpkg"),  # North Pole LAEA Bering Sea
])
@pytest.mark.parametrize("line", [BERING, BERING_NARROW], ids=["10deg", "4deg"])
def test_border_across_the_antimeridian(tmp_path: Path, tiny_dict: dict[str, Any], form: str, name: str,
                                        line: LineString) -> None:
    countries = _countries(_pair(line, "AA", "BB"))
    if form == "split":
        countries = _split_at_antimeridian(countries)
    elif form.startswith("EPSG"):
        countries = countries.to_crs(form)
    scenario = load_scenario(_scenario(tmp_path, tiny_dict, countries, ["AA"], ["BB"], name=name))
    geodata = load_geodata(scenario)
    _assert_lengths_geodesic(geodata, {"AA-BB": line})
    # One region about 180°, not one spanning the globe centred on Greenwich.
    assert abs(abs(_central_lon(geodata.crs)) - 180.0) <= 3.0, geodata.crs_reason
    if line is BERING_NARROW:
        assert geodata.crs.utm_zone in ("60N", "1N"), geodata.crs_reason
    th = build_theater(scenario, geodata)
    assert_theater_sound(th)
    assert th.cells["length_m"].sum() == pytest.approx(GEOD.geometry_length(line), rel=0.01)


def test_extent_and_choice_across_the_antimeridian() -> None:
    split = _split_at_antimeridian(_countries(_pair(BERING, "AA", "BB")))
    west, south, east, north = lonlat_extent(split.geometry)
    assert (west, east) == pytest.approx((175.0, 185.0), abs=0.05) and 63 < south < north < 68
    assert lonlat_extent(gpd.GeoSeries([BALTIC, LOWLANDS], crs="EPSG:4326")) == pytest.approx(
        (-60.0, -17.0, 27.5, 59.0), abs=0.05)
    for bounds in ((175.0, 64.0, 185.0, 67.0), (175.0, 64.0, -175.0, 67.0)):  # unwrapped, or west > east
        crs, reason = choose_crs(bounds)
        assert _central_lon(crs) == pytest.approx(180.0) and "65.5N 180.0E" in reason
    crs, _ = choose_crs((178.0, 64.0, -178.0, 67.0))
    assert crs.utm_zone in ("60N", "1N")
    # A CRS set by the user for one side of 180° serves data reaching across it.
    assert choose_crs((178.0, 64.0, 182.0, 67.0), "EPSG:32601")[0].to_epsg() == 32601


# ---- countries without names; no protected assets ------------------------------------------------------


def test_countries_without_names_are_labelled_by_code(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """`dronewall maps` read the countries' names and crashed on a file without them: the codes stand in."""
    from planner.plan import solve_scenario
    from planner.report.briefing_maps import load_map_inputs, write_maps
    from planner.report.plan import write_plan

    countries = _countries(_pair(LOWLANDS, "AA", "BB"), names=False)
    scenario = load_scenario(_scenario(tmp_path, tiny_dict, countries, ["AA"], ["BB"], name="nameless.geojson"))
    assert sorted(load_geodata(scenario).countries["name"]) == ["AA", "BB"]
    out = tmp_path / "plan"
    write_plan(solve_scenario(scenario), out)
    inputs = load_map_inputs(out)
    assert dict(zip(inputs.countries["country"], inputs.countries["name"], strict=True)) == {"AA": "AA", "BB": "BB"}
    paths = write_maps(inputs, tmp_path / "maps", marking="TEST", dpi=40, formats=("png",))
    assert sorted(p.name for p in paths) == ["map-AA.png", "map-overview.png"]


def test_blank_names_fall_back_to_the_code(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    countries = _countries(_pair(LOWLANDS, "AA", "BB"))
    countries["name"] = ["Alpha", None]
    scenario = load_scenario(_scenario(tmp_path, tiny_dict, countries, ["AA"], ["BB"]))
    names = load_geodata(scenario).countries.set_index("country")["name"].to_dict()
    assert names == {"AA": "Alpha", "BB": "BB"}


def _no_assets_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("planner")
            and r.getMessage().startswith("geodata.assets: no protected assets")]


def test_a_scenario_without_assets_is_warned(tmp_path: Path, tiny_dict: dict[str, Any],
                                             caplog: pytest.LogCaptureFixture) -> None:
    countries = _countries(_pair(LOWLANDS, "AA", "BB"))
    with caplog.at_level(logging.WARNING, logger="planner"):
        geodata = load_geodata(load_scenario(_scenario(tmp_path, tiny_dict, countries, ["AA"], ["BB"])))
    assert geodata.assets.empty
    [message] = _no_assets_warnings(caplog)
    assert message == ("geodata.assets: no protected assets (it is not set): the plan gives no cell a city or "
                       "airport value, draws no no-fire zones around cities and airports and places no point "
                       "defence; add a file of cities and airports (points with kind, name, population) as "
                       "geodata.assets")


def test_assets_of_which_none_counts_are_warned(tmp_path: Path, tiny_dict: dict[str, Any],
                                                caplog: pytest.LogCaptureFixture) -> None:
    """A village inside the defender and a city in the neighbour's land: neither is a protected asset."""
    countries = _countries(_pair(LOWLANDS, "AA", "BB"))
    apath = tmp_path / "assets.geojson"
    gpd.GeoDataFrame({"kind": ["city", "city"], "name": ["Village", "Elsewhere"], "population": [800, 500_000]},
                     geometry=[Point(-59.5, -15.0), Point(-60.5, -15.0)], crs="EPSG:4326").to_file(apath)
    cfg = _scenario(tmp_path, tiny_dict, countries, ["AA"], ["BB"], assets=str(apath))
    with caplog.at_level(logging.WARNING, logger="planner"):
        geodata = load_geodata(load_scenario(cfg))
    assert geodata.assets.empty
    [message] = _no_assets_warnings(caplog)
    assert ("(none of the 2 points in " in message and "assets.geojson is an airport, or a city of "
            "roe.city_min_population (100,000) or more, inside a defender's territory)" in message)
    assert "no point defence" in message


def test_shipped_assets_raise_no_warning(tmp_path: Path, tiny_dict: dict[str, Any],
                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="planner"):
        geodata = load_geodata(load_scenario(write_yaml(tmp_path / "tiny.yaml", tiny_dict)))
    assert len(geodata.assets) and not _no_assets_warnings(caplog)
    assert geodata.crs.to_epsg() == 3035 and "border lengths within" in geodata.crs_reason


def test_a_fitted_projection_is_named_on_the_maps() -> None:
    """pyproj names a projection built from parameters 'unknown'; the maps' footers name its method and origin
    instead (issue #17: 'Projection: unknown' outside Europe), and a registered one by its name."""
    from pyproj import CRS

    from planner.geo.crs import crs_label

    assert crs_label(CRS.from_proj4("+proj=tmerc +lat_0=0 +lon_0=120.5 +datum=WGS84 +units=m")) == \
        "Transverse Mercator, origin 0.0N 120.5E (fitted to the theater)"
    assert crs_label(CRS.from_proj4("+proj=lcc +lat_1=-33 +lat_0=-33 +lon_0=-70.25 +datum=WGS84 +units=m")) == \
        "Lambert Conic Conformal (1SP), origin 33.0S 70.2W (fitted to the theater)"
    assert crs_label(CRS.from_epsg(3035)) == "ETRS89-extended / LAEA Europe"
