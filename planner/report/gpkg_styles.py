"""A QGIS-ready plan.gpkg: default layer styles and column descriptions, added to the GeoPackage after its layers
are written (:func:`style_plan_gpkg`, called by :func:`planner.report.plan.write_plan` inside its temporary folder).

- Styles go in ``layer_styles``, the table QGIS itself writes when a style is saved "in the datasource database"
  (same columns, ``f_table_schema`` empty, registered in ``gpkg_contents`` as attributes, as QGIS does through
  GDAL). A row with ``useAsDefault = 1`` is the style QGIS applies when the layer is loaded. The styles are QML,
  written here by hand-sized functions: cells graduated red to green on the exact defeat share, sites by whether
  they hold a system, assets by kind, no-fire zones hatched red.
- Column descriptions go in ``gpkg_data_columns`` (the GeoPackage schema extension, ``gpkg_schema``, registered in
  ``gpkg_extensions`` with ``gpkg_data_column_constraints`` as the spec asks); GDAL reads a description as the
  field's comment. A column this module does not know is left undescribed (tests/test_gpkg_styles.py fails then).

Only the standard library: sqlite3 and xml.etree.
"""

from __future__ import annotations

import logging
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

log = logging.getLogger(__name__)

#: The cells' column the style grades: the exact evaluation's share of the drones crossing the cell that the plan
#: defeats, every threat class together; a fraction 0–1 (not a percentage).
DEFEAT_COLUMN = "p_defeat_all"
#: Class bounds of the cells style (fixed fractions) and a colour per class, red (low) to green (high).
DEFEAT_BOUNDS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
DEFEAT_COLOURS = ("215,48,39", "252,141,89", "254,224,139", "145,207,96", "26,152,80")
#: The QGIS version the QML says it was written for (QGIS 3 reads it; older files are upgraded on load).
QGIS_VERSION = "3.28.0-Firenze"
#: QGIS's geometry type codes (QgsWkbTypes::GeometryType) for a GeoPackage geometry type.
GEOMETRY_TYPES = {"POINT": 0, "MULTIPOINT": 0, "LINESTRING": 1, "MULTILINESTRING": 1, "POLYGON": 2,
                  "MULTIPOLYGON": 2}
SCHEMA_DEFINITION = "http://www.geopackage.org/spec/#extension_schema"
#: The part of a style row's name after the layer name.
STYLE_SUFFIX = " (dronewall)"

# ------------------------------------------------------------------------------------------------------------
# QML
# ------------------------------------------------------------------------------------------------------------


def _symbol(name: str, kind: str, layer_class: str, props: dict[str, str]) -> ET.Element:
    """A one-layer symbol; its properties written both as QGIS ≥ 3.18 does (an ``Option`` map, read first) and as
    earlier QGIS 3 releases do (``prop`` elements)."""
    symbol = ET.Element("symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1",
                                   "force_rhr": "0"})
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in props.items():
        ET.SubElement(options, "Option", {"type": "QString", "name": key, "value": value})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    return symbol


def line_symbol(name: str, colour: str, width_mm: float) -> ET.Element:
    """A solid line, ``colour`` "r,g,b"."""
    return _symbol(name, "line", "SimpleLine", {
        "line_color": f"{colour},255", "line_width": f"{width_mm:g}", "line_width_unit": "MM",
        "line_style": "solid", "capstyle": "round", "joinstyle": "round"})


def marker_symbol(name: str, colour: str, size_mm: float, shape: str = "circle",
                  outline: str = "255,255,255") -> ET.Element:
    """A simple marker (``shape`` as QGIS names it: circle, square, triangle, diamond…), ``colour`` "r,g,b"."""
    return _symbol(name, "marker", "SimpleMarker", {
        "name": shape, "color": f"{colour},255", "size": f"{size_mm:g}", "size_unit": "MM",
        "outline_color": f"{outline},255", "outline_style": "solid", "outline_width": "0.3",
        "outline_width_unit": "MM"})


def hatch_symbol(name: str, colour: str) -> ET.Element:
    """A polygon with a ``colour`` outline and a diagonal line hatch of the same colour."""
    return _symbol(name, "fill", "SimpleFill", {
        "color": f"{colour},255", "style": "b_diagonal", "outline_color": f"{colour},255",
        "outline_style": "solid", "outline_width": "0.6", "outline_width_unit": "MM", "joinstyle": "round"})


def _renderer(kind: str, symbols: list[ET.Element], **attrs: str) -> ET.Element:
    renderer = ET.Element("renderer-v2", {"type": kind, **attrs, "symbollevels": "0", "enableorderby": "0",
                                          "forceraster": "0"})
    ET.SubElement(renderer, "symbols").extend(symbols)
    return renderer


def graduated_renderer(attr: str, bounds: tuple[float, ...], colours: tuple[str, ...], width_mm: float) -> ET.Element:
    """Lines graduated on ``attr``: class i from ``bounds[i]`` to ``bounds[i + 1]`` in ``colours[i]``."""
    symbols = [line_symbol(str(i), colour, width_mm) for i, colour in enumerate(colours)]
    renderer = _renderer("graduatedSymbol", symbols, attr=attr, graduatedMethod="GraduatedColor")
    ranges = ET.Element("ranges")
    for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        ET.SubElement(ranges, "range", {"lower": f"{lo:.6f}", "upper": f"{hi:.6f}", "symbol": str(i),
                                        "label": f"{lo:.0%} – {hi:.0%}", "render": "true"})
    renderer.insert(0, ranges)
    ET.SubElement(renderer, "classificationMethod", {"id": "EqualInterval"})  # for reclassifying in QGIS
    return renderer


def categorized_renderer(attr: str, categories: list[tuple[str, str, ET.Element]]) -> ET.Element:
    """Symbols by the value of ``attr`` (a field or an expression): (value, label, symbol) per category."""
    renderer = _renderer("categorizedSymbol", [symbol for _, _, symbol in categories], attr=attr)
    cats = ET.Element("categories")
    for value, label, symbol in categories:
        ET.SubElement(cats, "category", {"value": value, "symbol": symbol.get("name", ""), "label": label,
                                         "render": "true"})
    renderer.insert(0, cats)
    return renderer


def qml(renderer: ET.Element, geometry: str) -> str:
    """A QGIS style document holding ``renderer`` (symbology only) for layers of ``geometry`` (GeoPackage name)."""
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology"})
    root.append(renderer)
    ET.SubElement(root, "layerGeometryType").text = str(GEOMETRY_TYPES[geometry])
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def cells_style(geometry: str = "LINESTRING") -> str:
    """Cells graduated on :data:`DEFEAT_COLUMN` in five fixed classes, red (low) to green (high)."""
    return qml(graduated_renderer(DEFEAT_COLUMN, DEFEAT_BOUNDS, DEFEAT_COLOURS, 1.4), geometry)


#: The sites style's expression: "built" where the site holds a system, else "empty".
SITE_STATE = "CASE WHEN coalesce(\"systems\", '') = '' THEN 'empty' ELSE 'built' END"


def sites_style(geometry: str = "POINT") -> str:
    """Sites by whether they hold a system: built ones a clear dark-blue square, empty ones a small grey dot."""
    return qml(categorized_renderer(SITE_STATE, [
        ("built", "built (holds a system)", marker_symbol("0", "33,102,172", 3.4, "square")),
        ("empty", "empty", marker_symbol("1", "150,150,150", 1.4, "circle", outline="150,150,150"))]), geometry)


def assets_style(geometry: str = "POINT") -> str:
    """Protected assets by ``kind``: cities purple circles, airports black triangles."""
    return qml(categorized_renderer("kind", [
        ("city", "city", marker_symbol("0", "118,42,131", 3.0, "circle")),
        ("airport", "airport", marker_symbol("1", "30,30,30", 3.2, "triangle"))]), geometry)


def no_fire_zones_style(geometry: str = "POLYGON") -> str:
    """No-fire zones: red outline, red diagonal hatch."""
    return qml(_renderer("singleSymbol", [hatch_symbol("0", "215,25,28")]), geometry)


def site_systems_style(geometry: str = "POINT") -> str:
    return qml(categorized_renderer("category", [
        ("sensor", "sensor", marker_symbol("0", "31,120,180", 2.2)),
        ("effector", "effector", marker_symbol("1", "230,120,0", 2.6, shape="triangle"))]), geometry)


def coverage_style(geometry: str = "MULTILINESTRING") -> str:
    return qml(categorized_renderer("category", [
        ("sensor", "sensor", line_symbol("0", "31,120,180", 0.4)),
        ("effector", "effector", line_symbol("1", "230,120,0", 0.8))]), geometry)


#: Per layer of plan.gpkg: its style (a function of the layer's geometry type) and the style's description.
STYLES: dict[str, tuple[Callable[[str], str], str]] = {
    "cells": (cells_style, "Border cells by the share of drones the plan defeats (exact evaluation), 0–20 % red "
                           "… 80–100 % green"),
    "sites": (sites_style, "Sites by whether they hold a system: built (blue square) or empty (grey dot)"),
    "assets": (assets_style, "Protected assets by kind: city, airport"),
    "no_fire_zones": (no_fire_zones_style, "No-fire zones: red outline, hatched"),
    "site_systems": (site_systems_style, "Units by category: sensor (blue dot), effector (orange triangle)"),
    "coverage": (coverage_style, "What each unit covers: sensors' border watched (thin blue), effectors' border "
                                 "engaged (orange)"),
}

# ------------------------------------------------------------------------------------------------------------
# Column descriptions: (title, description), the unit in brackets where there is one
# ------------------------------------------------------------------------------------------------------------

_GEOMETRY = {"cells": "The cell: its stretch of the border line (in the run's CRS)",
             "sites": "Where the site stands (in the run's CRS)",
             "assets": "Where the asset is (in the run's CRS)",
             "no_fire_zones": "The zone's disc (in the run's CRS)",
             "site_systems": "Where the unit's site stands (in the run's CRS)",
             "coverage": "The border cells the unit covers, joined (in the run's CRS)"}
_SHARED = {"fid": ("Feature id", "GeoPackage row id; use the layer's *_id column to join with the CSV and JSON files")}
_COUNTRY = "country code (as in the scenario's geodata)"
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "cells": {
        "cell_id": ("Cell", "Identifier of the border cell, as in cells.csv"),
        "border_id": ("Border", "The border the cell lies on: <defender>-<neighbour>"),
        "defender": ("Defender", f"The nation that defends the cell: {_COUNTRY}"),
        "neighbour": ("Neighbour", f"The nation across the border: {_COUNTRY}"),
        "length_m": ("Length", "Length of the cell along the border [m]"),
        "p_defeat_all": ("P(defeat), all classes", "Share of the drones crossing the cell (every threat class, decoys "
                         "included) that the plan defeats, exact evaluation; a fraction 0–1, not %; empty where none "
                         "cross"),
        "leakers_all": ("Leakers, all classes", "Expected drones of every class crossing the cell and not defeated, "
                        "over the planning horizon [drones]"),
        "drones_all": ("Drones, all classes", "Expected drones of every class crossing the cell over the planning "
                       "horizon [drones]; the weight of the cell's shares in border-wide figures"),
    },
    "sites": {
        "site_id": ("Site", "Identifier of the site (site-… in the rows along the border, point-<asset_id> beside a "
                    "protected asset, depth-… in the rows inland on the routes), as in sites.csv"),
        "border_id": ("Border", "The border the site's row follows (for a point-defence site, the nearest border)"),
        "defender": ("Defender", f"The nation whose land holds the site and that builds there: {_COUNTRY}"),
        "part": ("Border part", "Index of the part of the border line the site's row follows; -1 for a "
                 "point-defence site"),
        "chainage_m": ("Chainage", "Distance along the border part to the station the site stands inland of [m]; "
                       "empty for a point-defence site"),
        "depth_m": ("Depth", "How far inland the site was placed [m]: its row's depth, or for a point-defence "
                    "site its distance from the nearest point of its nation's border"),
        "distance_to_border_m": ("Distance to border", "Distance from the site to the nearest border line [m]"),
        "kind": ("Kind", "border (a site in the rows along the border) or point (an inland site on the routes: point "
                 "defence beside an asset, or a row in depth)"),
        "asset_id": ("Asset", "The protected asset a point-defence site stands beside; empty for border sites"),
        "in_no_fire_zone": ("In no-fire zone", "True where the site lies in a city's or airport's no-fire zone: "
                            "no kinetic effector may be sited there"),
        "systems": ("Systems", "The sensors and effectors at the site in the plan (catalog ids, comma-separated, "
                    "units in service included); empty where none"),
        "cost_eur": ("Cost", "Acquisition plus operation over the planning horizon of the site's systems [EUR]; "
                     "munitions excluded, units in service count their operation only"),
    },
    "assets": {
        "asset_id": ("Asset", "Identifier of the protected asset (from the geodata)"),
        "kind": ("Kind", "city or airport"),
        "name": ("Name", "Name of the city or airport"),
        "country": ("Country", f"The defending nation whose territory holds the asset: {_COUNTRY}"),
        "population": ("Population", "Residents of a city (0 for an airport or where the geodata gives none) "
                       "[people]"),
        "cell_id": ("Nearest cell", "The border cell nearest to the asset, which carries its value"),
        "distance_to_border_m": ("Distance to border", "Distance from the asset to its nearest border cell [m]"),
        "value": ("Value", "The asset's weight in the objective [100,000 residents]: a city's population, an "
                  "airport's theater.airport_value_residents, over 100,000"),
    },
    "site_systems": {
        "site_id": ("Site", "The site of the unit, as in sites.csv"),
        "nation": ("Nation", f"The nation whose site holds the unit: {_COUNTRY}"),
        "category": ("Category", "sensor or effector"),
        "system": ("System", "Catalog id of the sensor or effector"),
        "units": ("Units", "Units of the system at the site (1)"),
        "in_service": ("In service", "True for a unit already in service (systems.in_service): operated, not bought"),
        "acquisition_eur": ("Acquisition", "Purchase of the unit [EUR]; 0 for a unit in service"),
        "operation_eur": ("Operation", "Operation of the unit over the planning horizon [EUR]"),
    },
    "coverage": {
        "site_id": ("Site", "The site of the unit, as in sites.csv"),
        "nation": ("Nation", f"The nation whose site holds the unit: {_COUNTRY}"),
        "category": ("Category", "sensor (the border it watches) or effector (the border it may engage)"),
        "system": ("System", "Catalog id of the sensor or effector"),
        "cells": ("Cells", "Border cells the unit covers in the model (its detection or engagement pairs) [cells]"),
        "border_km": ("Border covered", "Length of those cells along the border [km]"),
    },
    "no_fire_zones": {
        "asset_id": ("Asset", "The city or airport the zone surrounds; empty for a built-up area"),
        "kind": ("Kind", "city, airport or built_up (a settlement where its nation holds fire over built-up areas)"),
        "name": ("Name", "Name of the city, airport or settlement"),
        "radius_m": ("Radius", "Radius of the zone's disc [m]: roe.no_fire_buffers, or for built_up the disc "
                     "holding its residents at roe.built_up_density_per_km2 plus roe.built_up_margin_m"),
    },
}
#: The cells' columns per threat class: (prefix, title, description), {t} the class.
PER_CLASS = (
    ("p_detect_", "P(detect) {t}", "Probability that a {t} drone crossing the cell is detected by the plan's "
                                    "sensors, exact; 0–1; empty where no {t} drone crosses"),
    ("p_defeat_", "P(defeat) {t}", "Share of the {t} drones crossing the cell that the plan defeats, exact "
                                    "evaluation; 0–1; empty where none cross"),
    ("leakers_", "Leakers {t}", "Expected {t} drones crossing the cell and not defeated, over the planning "
                                "horizon [drones]"),
)


def describe(layer: str, column: str, geometry_column: str = "geom") -> tuple[str, str] | None:
    """(title, description) of a column of a plan.gpkg layer, or None for a column this module does not know."""
    if column == geometry_column and layer in _GEOMETRY:
        return "Geometry", _GEOMETRY[layer]
    known = COLUMNS.get(layer, {}).get(column) or _SHARED.get(column)
    if known or layer != "cells":
        return known
    for prefix, title, text in PER_CLASS:
        if column.startswith(prefix) and len(column) > len(prefix):
            threat = column[len(prefix):]
            return title.format(t=threat), text.format(t=threat)
    return None

# ------------------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------------------


LAYER_STYLES_SQL = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"""
#: The GeoPackage 1.3 schema extension's tables (clause F.9), as the spec defines them.
SCHEMA_SQL = (
    """CREATE TABLE IF NOT EXISTS gpkg_data_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT,
  constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name))""",
    """CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
  constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN,
  max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
)


def feature_layers(con: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """The GeoPackage's feature tables: name → (geometry column, geometry type name)."""
    rows = con.execute("SELECT c.table_name, g.column_name, upper(g.geometry_type_name) FROM gpkg_contents c "
                       "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features'")
    return {str(t): (str(col), str(kind)) for t, col, kind in rows}


def _write_styles(con: sqlite3.Connection, layers: dict[str, tuple[str, str]]) -> None:
    con.execute(LAYER_STYLES_SQL)
    # Registered as an attributes table, as QGIS does when it creates the table through GDAL.
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')")
    for layer, (geometry_column, geometry) in layers.items():
        if layer not in STYLES or geometry not in GEOMETRY_TYPES:
            continue
        make, description = STYLES[layer]
        name = f"{layer}{STYLE_SUFFIX}"
        con.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (layer, name))
        con.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (layer,))
        con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner) "
                    "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '')",
                    (layer, geometry_column, name, make(geometry), description))


def _write_descriptions(con: sqlite3.Connection, layers: dict[str, tuple[str, str]]) -> None:
    for sql in SCHEMA_SQL:
        con.execute(sql)
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        if not con.execute("SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND extension_name = 'gpkg_schema'",
                           (table,)).fetchone():
            con.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                        "VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')", (table, SCHEMA_DEFINITION))
    for layer, (geometry_column, _) in layers.items():
        columns = [str(row[1]) for row in con.execute(f'PRAGMA table_info("{layer}")')]
        for column in columns:
            found = describe(layer, column, geometry_column)
            if found is None:
                log.debug("plan.gpkg: no description for %s.%s", layer, column)
                continue
            con.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title, "
                        "description) VALUES (?, ?, ?, ?, ?)", (layer, column, column, *found))


def style_plan_gpkg(path: Path) -> None:
    """Add the default QGIS styles (``layer_styles``) and the column descriptions (``gpkg_data_columns``) to the
    GeoPackage at ``path``, whose layers are already written; run again, it replaces what it wrote."""
    with closing(sqlite3.connect(path)) as con, con:
        layers = feature_layers(con)
        _write_styles(con, layers)
        _write_descriptions(con, layers)
