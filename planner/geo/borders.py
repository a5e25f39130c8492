"""Loading borders, territory and assets (shipped or the user's own), checked and projected."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from pyproj import CRS
from shapely.ops import linemerge

from planner.config.io import Scenario, display_path, path_kind
from planner.errors import ConfigError, GeodataError
from planner.geo.crs import choose_crs, lonlat_extent, outside_area_of_use

log = logging.getLogger(__name__)

_POLYGONAL = {"Polygon", "MultiPolygon"}
_LINEAR = {"LineString", "MultiLineString"}
#: A border line may stray this far (metres) from the edge of its defender's (and neighbour's) polygon.
BORDER_TOLERANCE_M = 25_000.0
#: Each border is at least this long, km: shorter is a slip of units or of coordinates.
MIN_BORDER_KM = 1.0
#: All borders together are at most this long, km (the eastern flank holds about 4,800).
MAX_TOTAL_BORDER_KM = 20_000.0


@dataclass(frozen=True)
class Geodata:
    """Countries, borders and assets of a scenario in its metric working CRS."""

    countries: gpd.GeoDataFrame  # country, role, geometry
    borders: gpd.GeoDataFrame  # border_id, defender, neighbour, geometry (LineString/MultiLineString)
    assets: gpd.GeoDataFrame  # asset_id, kind, name, country, population, geometry (may be empty)
    crs: CRS
    crs_reason: str
    #: name, country, population, geometry of the places whose nation holds fire over built-up areas (else empty)
    settlements: gpd.GeoDataFrame | None = None


def read_vector(path: Path, layer: str | None, what: str) -> gpd.GeoDataFrame:
    """Read a vector file with pyogrio, turning every failure into a :class:`GeodataError`."""
    shown = display_path(path)
    state = path_kind(path)
    if state == "missing":
        raise GeodataError(f"{what}: file not found: {shown}")
    if state not in ("file", "folder"):
        raise GeodataError(f"{what}: {shown}: {state}")
    try:
        if layer is None:
            layers = pyogrio.list_layers(path)
            if len(layers) > 1:
                names = ", ".join(str(n) for n in layers[:, 0])
                msg = f"{what}: {shown} has several layers ({names}): name one with the '_layer' field"
                raise GeodataError(msg)
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except GeodataError:
        raise
    except Exception as exc:  # noqa: BLE001 - GDAL errors come in many types
        raise GeodataError(f"{what}: cannot read {shown} as a vector file ({exc})") from None
    if gdf.crs is None:
        msg = (f"{what}: {shown} has no CRS: set one in the file (e.g. `ogr2ogr -a_srs EPSG:4326 out.gpkg "
               f"{path.name}`) so that distances can be measured")
        raise GeodataError(msg)
    if len(gdf) == 0:
        raise GeodataError(f"{what}: {shown} holds no features")
    bounds = tuple(float(v) for v in gdf.total_bounds)
    if not any(v != v for v in bounds):  # all-empty geometries give NaN: _check_geometries names them
        problem = outside_area_of_use(bounds, gdf.crs)  # type: ignore[arg-type]
        if problem:
            raise GeodataError(f"{what}: {shown}: {problem}")
    return gdf


def _check_geometries(gdf: gpd.GeoDataFrame, allowed: set[str], what: str, shown: str, label: str) -> None:
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        bad = gdf.loc[gdf.geometry.isna() | gdf.geometry.is_empty, label].astype(str).tolist()[:5]
        raise GeodataError(f"{what}: {shown}: empty geometry in feature(s) {', '.join(bad)}: remove or fix them")
    types = set(gdf.geom_type)
    if not types <= allowed:
        msg = (f"{what}: {shown} holds {', '.join(sorted(types - allowed))} geometries; expected "
               f"{' or '.join(sorted(allowed))}")
        raise GeodataError(msg)
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        bad = gdf.loc[invalid, label].astype(str).tolist()[:5]
        reason = shapely.is_valid_reason(gdf.geometry[invalid].iloc[0])
        msg = (f"{what}: {shown}: invalid geometry in feature(s) {', '.join(bad)} ({reason}): repair it, "
               f"e.g. `ogr2ogr -makevalid fixed.gpkg {Path(shown).name}`")
        raise GeodataError(msg)


def _require_column(gdf: gpd.GeoDataFrame, column: str, what: str, shown: str, field: str) -> None:
    if column not in gdf.columns:
        cols = ", ".join(c for c in gdf.columns if c != "geometry")
        raise GeodataError(f"{what}: {shown} has no column '{column}' (columns: {cols}): set geodata.{field}")


def derive_borders(countries: gpd.GeoDataFrame, defenders: list[str], neighbours: list[str]) -> gpd.GeoDataFrame:
    """Shared boundaries of defender/neighbour polygon pairs (in the countries' CRS)."""
    by_code = countries.dissolve(by="country").geometry
    rows = []
    for d in defenders:
        for n in neighbours:
            if n not in by_code.index:
                continue
            a, b = by_code[d].boundary, by_code[n].boundary
            if not shapely.intersects(a, b):  # not neighbours (shapely 2.0.0 warns on a disjoint intersection)
                continue
            shared = shapely.intersection(a, b)
            lines = [g for g in shapely.get_parts(shared) if g.geom_type in _LINEAR and g.length > 0]
            if lines:
                merged = linemerge(shapely.MultiLineString(lines))
                rows.append({"border_id": f"{d}-{n}", "defender": d, "neighbour": n, "geometry": merged})
    return gpd.GeoDataFrame(rows, columns=["border_id", "defender", "neighbour", "geometry"], crs=countries.crs)


def load_geodata(scenario: Scenario) -> Geodata:
    """Read and check the scenario's countries, borders and assets; project them to the working CRS."""
    cfg = scenario.config
    geo = cfg.geodata
    files = scenario.files

    cpath = files["geodata.countries"]
    cshown = display_path(cpath)
    countries = read_vector(cpath, geo.countries_layer, "geodata.countries")
    _require_column(countries, geo.country_field, "geodata.countries", cshown, "country_field")
    countries = countries.rename(columns={geo.country_field: "country"})
    countries["country"] = countries["country"].astype(str)
    # Maps and reports label each nation by its name: without a name column (or a name), by its code.
    names = countries["name"] if "name" in countries.columns else countries["country"]
    named = names.notna() & (names.astype(str).str.strip() != "")
    countries["name"] = names.where(named, countries["country"]).astype(str)
    _check_geometries(countries, _POLYGONAL, "geodata.countries", cshown, "country")
    missing = [d for d in geo.defenders if d not in set(countries["country"])]
    if missing:
        have = ", ".join(sorted(set(countries["country"]))[:30])
        msg = (f"geodata.countries: {cshown} has no polygon for defender(s) {', '.join(missing)} in column "
               f"'{geo.country_field}' (found: {have})")
        raise GeodataError(msg)
    wanted = set(geo.defenders) | set(geo.neighbours)
    countries = countries[countries["country"].isin(wanted)].copy()
    countries["role"] = countries["country"].map(lambda c: "defender" if c in geo.defenders else "neighbour")

    if geo.borders is not None:
        bpath = files["geodata.borders"]
        bshown = display_path(bpath)
        borders = read_vector(bpath, geo.borders_layer, "geodata.borders")
        for col, field in ((geo.defender_field, "defender_field"), (geo.neighbour_field, "neighbour_field")):
            _require_column(borders, col, "geodata.borders", bshown, field)
        borders = borders.rename(columns={geo.defender_field: "defender", geo.neighbour_field: "neighbour"})
        borders["defender"] = borders["defender"].astype(str)
        borders["neighbour"] = borders["neighbour"].astype(str)
        borders["border_id"] = borders["defender"] + "-" + borders["neighbour"]
        if set(borders.geom_type) & _POLYGONAL:
            msg = (f"geodata.borders: {bshown} holds polygons: give polygons as geodata.countries and leave "
                   "geodata.borders out; the shared boundaries are then derived")
            raise GeodataError(msg)
        _check_geometries(borders, _LINEAR, "geodata.borders", bshown, "border_id")
        borders = borders[borders["defender"].isin(geo.defenders) & borders["neighbour"].isin(geo.neighbours)]
        borders = borders.to_crs(countries.crs).dissolve(by="border_id", as_index=False)
        borders["geometry"] = [linemerge(g) if g.geom_type == "MultiLineString" else g for g in borders.geometry]
        borders = borders[["border_id", "defender", "neighbour", "geometry"]]
        source = bshown
    else:
        borders = derive_borders(countries, geo.defenders, geo.neighbours)
        source = f"shared boundaries in {cshown}"
    if borders.empty:
        msg = (f"geodata: no border between defenders ({', '.join(geo.defenders)}) and neighbours "
               f"({', '.join(geo.neighbours)}) found in {source}: check the country codes")
        raise GeodataError(msg)
    without = [d for d in geo.defenders if d not in set(borders["defender"])]
    if without:
        msg = (f"geodata.defenders: {', '.join(without)} share(s) no border with any of "
               f"{', '.join(geo.neighbours)} in {source}: remove it or add its neighbour")
        raise GeodataError(msg)

    lines = borders.set_index("border_id").geometry.to_crs("EPSG:4326")
    try:
        crs, reason = choose_crs(lonlat_extent(lines), geo.crs, lines)
    except ConfigError as exc:
        raise ConfigError(exc.problems, source=display_path(scenario.path)) from None
    countries = countries.to_crs(crs)
    borders = borders.to_crs(crs).sort_values("border_id").reset_index(drop=True)
    if geo.borders is not None:
        _check_border_placement(borders, countries, source, cshown)
    _check_border_lengths(borders, source)
    _check_density_borders(scenario, set(borders["border_id"]))

    assets = _load_assets(scenario, countries, crs)
    log.info("Geodata: %d countries, %d borders (%.0f km), %d assets", len(countries), len(borders),
             borders.length.sum() / 1000, len(assets))
    settlements = _load_settlements(scenario, countries, crs)
    return Geodata(countries=countries.reset_index(drop=True), borders=borders, assets=assets, crs=crs,
                   settlements=settlements,
                   crs_reason=reason)


def _check_border_placement(borders: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, bshown: str,
                            cshown: str) -> None:
    """Each border line must run along the edge of its defender's polygon (and its neighbour's, where
    given), within :data:`BORDER_TOLERANCE_M`: else the two files do not describe the same border."""
    edges = countries.dissolve(by="country").geometry.boundary
    for b in borders.itertuples(index=False):
        points = shapely.points(shapely.get_coordinates(b.geometry))
        for role, code in (("defender", b.defender), ("neighbour", b.neighbour)):
            if code not in edges.index:
                continue
            far = float(shapely.distance(points, edges[code]).max())
            if far > BORDER_TOLERANCE_M:
                msg = (f"geodata.borders: {bshown}: border {b.border_id} lies up to {far / 1000:,.0f} km from "
                       f"the edge of {role} {code}'s territory in {cshown} (tolerance "
                       f"{BORDER_TOLERANCE_M / 1000:g} km): the files do not describe the same border; check "
                       "their coordinates and CRS, and the defender and neighbour columns")
                raise GeodataError(msg)


def _check_border_lengths(borders: gpd.GeoDataFrame, source: str) -> None:
    km = borders.length / 1000
    short = [f"{b} {v:.3g} km" for b, v in zip(borders["border_id"], km, strict=True) if v < MIN_BORDER_KM]
    if short:
        raise GeodataError(f"geodata.borders: {source}: border(s) {', '.join(short)} shorter than "
                           f"{MIN_BORDER_KM:g} km: check the units and the CRS of the data, or drop a "
                           "neighbour that only touches the defender from geodata.neighbours")
    if km.sum() > MAX_TOTAL_BORDER_KM:
        raise GeodataError(f"geodata.borders: {source}: the borders total {km.sum():,.0f} km, more than "
                           f"{MAX_TOTAL_BORDER_KM:,.0f} km (the eastern flank holds about 4,800): check the "
                           "units and the CRS of the data, or plan fewer defenders at a time")


def _check_density_borders(scenario: Scenario, known: set[str]) -> None:
    problems = []
    for i, entry in enumerate(scenario.config.threats.density):
        if entry.borders == "all":
            continue
        for b in entry.borders:
            if b not in known:
                problems.append((f"threats.density[{i}].borders",
                                 f"unknown border '{b}'; borders in the data: {', '.join(sorted(known))}"))
    if problems:
        raise ConfigError(problems, source=display_path(scenario.path))


_ASSET_COLUMNS = ["asset_id", "kind", "name", "country", "population", "geometry"]


def _load_assets(scenario: Scenario, countries: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    geo = scenario.config.geodata
    if geo.assets is None:
        _warn_no_assets("it is not set")
        return gpd.GeoDataFrame(columns=_ASSET_COLUMNS, geometry="geometry", crs=crs)
    apath = scenario.files["geodata.assets"]
    shown = display_path(apath)
    assets = read_vector(apath, geo.assets_layer, "geodata.assets")
    for col in ("kind", "name"):
        _require_column(assets, col, "geodata.assets", shown, "assets")
    if "asset_id" not in assets.columns:
        assets["asset_id"] = [f"asset-{i:05d}" for i in range(len(assets))]
    if "population" not in assets.columns:
        assets["population"] = 0
    _check_geometries(assets, {"Point"}, "geodata.assets", shown, "asset_id")
    kinds = set(assets["kind"]) - {"city", "airport"}
    if kinds:
        raise GeodataError(f"geodata.assets: {shown}: unknown kind(s) {', '.join(sorted(map(str, kinds)))}: "
                           "use 'city' or 'airport'")
    in_file = len(assets)
    assets = assets.to_crs(crs)
    assets = _on_land_of(assets, countries[countries["role"] == "defender"])
    min_pop = scenario.config.roe.city_min_population
    keep = (assets["kind"] == "airport") | (assets["population"].fillna(0) >= min_pop)
    if not keep.any():
        _warn_no_assets(f"none of the {in_file} points in {shown} is an airport, or a city of "
                        f"roe.city_min_population ({min_pop:,.0f}) or more, inside a defender's territory")
    assets = assets[keep]
    return assets[_ASSET_COLUMNS].sort_values("asset_id").reset_index(drop=True)


def _on_land_of(points: gpd.GeoDataFrame, nations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``points`` on the land of ``nations``, each given the ``country`` whose territory holds it (a file's own
    country column is not trusted); the others dropped."""
    points = points.drop(columns=[c for c in ("country",) if c in points.columns])
    return points.sjoin(nations[["country", "geometry"]], predicate="within", how="inner").drop(columns="index_right")


def _warn_no_assets(why: str) -> None:
    log.warning("geodata.assets: no protected assets (%s): the plan gives no cell a city or airport value, draws "
                "no no-fire zones around cities and airports and places no point defence; add a file of cities "
                "and airports (points with kind, name, population) as geodata.assets", why)


def _load_settlements(scenario: Scenario, countries: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame | None:
    """The settlements of the nations that hold fire over built-up areas (roe.hold_fire_over_built_up), at or above
    roe.built_up_min_population, each given to the defender whose territory holds it; None where no nation does."""
    roe, geo = scenario.config.roe, scenario.config.geodata
    holding = [n for n in geo.defenders if roe.holds_fire_over_built_up(n)]
    if not holding or geo.settlements is None:
        return None
    path = scenario.files["geodata.settlements"]
    shown = display_path(path)
    places = read_vector(path, geo.settlements_layer, "geodata.settlements")
    if "population" not in places.columns:
        cols = ", ".join(c for c in places.columns if c != "geometry")
        raise GeodataError(f"geodata.settlements: {shown} has no column 'population' (columns: {cols}): add the "
                           "residents of each place")
    if "name" not in places.columns:
        places["name"] = [f"place-{i:05d}" for i in range(len(places))]
    _check_geometries(places, {"Point"}, "geodata.settlements", shown, "name")
    places = places.to_crs(crs)
    places = _on_land_of(places, countries[countries["country"].isin(holding)])
    places = places[places["population"].fillna(0) >= roe.built_up_min_population]
    return places[["name", "country", "population", "geometry"]].reset_index(drop=True)
