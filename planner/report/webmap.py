"""The interactive map of a plan: one self-contained HTML file (Leaflet inlined) that opens offline.

Layers (each in the layer control): the shipped countries as background, border cells coloured by the exact
defeat probability (cividis, as on the static maps), sensor and effector sites (one symbol and colour per
system type, co-sited systems side by side), effector coverage at each system's engagement range, no-fire
zones and protected assets. Popups: a site gives its systems and what they cost over the horizon; a cell its
defeat probability and leakers per threat class. Tiles are optional (``tiles=URL template``) and off by
default: without them, or with no tile server reachable, the shipped geodata is the background.

It reads what :func:`planner.report.briefing_maps.load_map_inputs` reads from a plan folder, never the model.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import colormaps
from matplotlib.colors import to_hex
from shapely.geometry import box

from planner.report import marking_colour
from planner.report.briefing_maps import (
    CMAP,
    CREDITS,
    DEFAULT_MARKING,
    DEFENDER_FILL,
    NEIGHBOUR_FILL,
    MapInputs,
    _styles,
)

LEAFLET_VERSION = "1.9.4"
#: Countries further than this from any border cell are cut off the background (it keeps the file small).
BACKGROUND_MARGIN_M = 1_500_000
BACKGROUND_SIMPLIFY_M = 500.0


def _leaflet() -> tuple[str, str]:
    """Leaflet's JS and CSS, with the images the CSS names inlined as data URIs (no file to fetch)."""
    folder = resources.files("planner.report") / "vendor" / "leaflet"
    js = (folder / "leaflet.js").read_text(encoding="utf-8")
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = (folder / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode()})"

    return js, re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)


def _features(gdf: gpd.GeoDataFrame, props: list[dict[str, Any]], digits: int = 5) -> dict[str, Any]:
    """A GeoJSON FeatureCollection in EPSG:4326 with coordinates rounded to ``digits`` decimals."""
    geoms = shapely.transform(gdf.to_crs("EPSG:4326").geometry.to_numpy(), lambda xy: np.round(xy, digits))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)), "properties": p}
        for g, p in zip(geoms, props, strict=True) if g is not None and not g.is_empty]}


def _num(x: Any, digits: int = 4) -> float | None:
    """A JSON-safe rounded number (None for NaN)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return round(v, digits) if math.isfinite(v) else None


def map_data(inputs: MapInputs) -> dict[str, Any]:
    """What the page draws, as plain JSON-ready data (the HTML template adds nothing but presentation)."""
    cmap = colormaps[CMAP]
    names = inputs.names
    cells = inputs.cells
    minx, miny, maxx, maxy = cells.total_bounds
    frame = box(minx - BACKGROUND_MARGIN_M, miny - BACKGROUND_MARGIN_M, maxx + BACKGROUND_MARGIN_M,
                maxy + BACKGROUND_MARGIN_M)
    countries = inputs.countries.clip(frame)
    countries = countries[~countries.geometry.is_empty].copy()
    countries["geometry"] = countries.geometry.simplify(BACKGROUND_SIMPLIFY_M)
    country_props = [{"name": str(r.name), "country": str(r.country), "role": str(r.role)}
                     for r in countries.itertuples()]

    threats = [t for t in inputs.threat_ids if f"p_defeat_{t}" in cells]
    cell_props = []
    for r in cells.to_dict(orient="records"):
        p = r.get("p_defeat_all")
        cell_props.append({
            "id": r["cell_id"], "border": r.get("border_id"), "defender": r.get("defender"),
            "length_km": _num(r.get("length_m", math.nan) / 1000, 1), "p": _num(p, 3),
            "leakers": _num(r.get("leakers_all"), 1),
            "colour": to_hex(cmap(float(p))) if p is not None and math.isfinite(p) else "#bdbdbd",
            "threats": [[names.get(t, t), _num(r.get(f"p_defeat_{t}"), 3), _num(r.get(f"leakers_{t}"), 1)]
                        for t in threats]})

    styles = _styles(inputs)
    built = inputs.sites[inputs.sites["systems"].fillna("") != ""]
    site_points = built.to_crs("EPSG:4326").geometry
    sites, coverage = [], []
    for (r, pt) in zip(built.to_dict(orient="records"), site_points, strict=True):
        systems = [s for s in str(r["systems"]).split(",") if s in styles]
        entry = {"id": r["site_id"], "lat": round(pt.y, 5), "lon": round(pt.x, 5), "nation": r.get("defender"),
                 "border": r.get("border_id"), "depth_km": _num(r.get("distance_to_border_m", math.nan) / 1000, 1),
                 "cost_eur": _num(r.get("cost_eur"), 0),
                 "systems": [{"id": s, "name": names.get(s, s), "kind": styles[s][0], "colour": styles[s][2]}
                             for s in systems]}
        sites.append(entry)
        for s in systems:
            rng = inputs.effector_range_m.get(s, 0.0)
            if styles[s][0] == "effector" and rng > 0:
                coverage.append({"lat": entry["lat"], "lon": entry["lon"], "radius_m": rng, "colour": styles[s][2]})

    nfz = inputs.no_fire_zones
    nfz_props = [{"name": str(r.get("name", "")), "kind": str(r.get("kind", "")), "radius_km": _num(r.get("radius_m", 0) / 1000, 1)}
                 for r in nfz.drop(columns="geometry").to_dict(orient="records")]
    assets = inputs.assets
    asset_xy = assets.to_crs("EPSG:4326").geometry
    asset_list = [{"lat": round(pt.y, 5), "lon": round(pt.x, 5), "name": str(r.get("name", "")),
                   "kind": str(r.get("kind", "")), "country": str(r.get("country", "")),
                   "population": _num(r.get("population"), 0), "value": _num(r.get("value"), 0)}
                  for r, pt in zip(assets.drop(columns="geometry").to_dict(orient="records"), asset_xy, strict=True)]

    sites_with = Counter(y["id"] for site in sites for y in site["systems"])  # system id: sites holding it
    legend_systems = [{"name": names.get(sid, sid), "kind": styles[sid][0], "colour": styles[sid][2],
                       "count": sites_with[sid]}
                      for sid in (*inputs.sensor_ids, *inputs.effector_ids) if sid in sites_with]

    s = inputs.summary
    spend = s.get("spend_eur", {})
    lo, hi = cells.to_crs("EPSG:4326").total_bounds.reshape(2, 2)
    return {
        "title": f"dronewall — {inputs.scenario} [{inputs.config_hash[:8]}]",
        "subtitle": (f"€{spend.get('drone_defence', math.nan) / 1e9:.2f}bn on drone defence, "
                     f"€{spend.get('conventional', math.nan) / 1e9:.2f}bn on conventional forces over "
                     f"{s.get('horizon_years', '?')} years; {100 * (s.get('defeat_rate_all_exact') or math.nan):.0f}% "
                     "of drones defeated (exact evaluation)"),
        "bounds": [[float(lo[1]), float(lo[0])], [float(hi[1]), float(hi[0])]],
        "fills": {"defender": DEFENDER_FILL, "neighbour": NEIGHBOUR_FILL, "other": "#f7f7f7"},
        "ramp": [to_hex(cmap(v)) for v in np.linspace(0, 1, 11)],
        "countries": _features(countries, country_props, 4),
        "cells": _features(cells, cell_props),
        "no_fire_zones": _features(nfz, nfz_props, 4),
        "sites": sites, "coverage": coverage, "assets": asset_list, "systems": legend_systems,
        "credits": CREDITS.format(sources=inputs.n_sources),
    }


def write_webmap(inputs: MapInputs, path: Path, *, marking: str = DEFAULT_MARKING, tiles: str | None = None,
                 tiles_attribution: str = "") -> Path:
    """Write the interactive map to ``path`` (one HTML file, no external resource unless ``tiles`` is given)."""
    data = {**map_data(inputs), "tiles": tiles, "tiles_attribution": tiles_attribution}
    js, css = _leaflet()
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    page = _TEMPLATE.format(title=html.escape(data["title"]), marking=html.escape(marking),
                            marking_colour=marking_colour(marking), leaflet_css=css, leaflet_js=js, page_css=_CSS,
                            data=payload, page_js=_JS, version=LEAFLET_VERSION)
    Path(path).write_text(page, encoding="utf-8")
    return Path(path)


_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dronewall (Leaflet {version} inlined)">
<title>{title}</title>
<style>{leaflet_css}</style>
<style>{page_css}</style>
</head>
<body>
<div class="marking" style="background:{marking_colour}">{marking}</div>
<div id="map" role="application" aria-label="interactive map of the plan"></div>
<div class="marking" style="background:{marking_colour}">{marking}</div>
<script>{leaflet_js}</script>
<script id="dronewall-data" type="application/json">{data}</script>
<script>{page_js}</script>
</body>
</html>
"""

_CSS = """
html, body { height: 100%; margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; }
body { display: flex; flex-direction: column; }
#map { flex: 1; background: #dfe8ef; }
.marking { color: #fff; font-weight: bold; text-align: center; font-size: 13px; padding: 3px; letter-spacing: .05em; }
.dw-box { background: rgba(255,255,255,.94); padding: 6px 9px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
          font-size: 12px; line-height: 1.35; max-width: 340px; }
.dw-box h1 { font-size: 14px; margin: 0 0 3px 0; }
.dw-ramp { height: 10px; border: 1px solid #333; margin: 3px 0 1px 0; }
.dw-ticks { display: flex; justify-content: space-between; font-size: 10px; }
.dw-sym { display: inline-block; width: 14px; text-align: center; margin-right: 4px; vertical-align: middle; }
.dw-icon { background: none; border: none; }
.dw-far .dw-icon, .dw-far .leaflet-coverage-pane { display: none; }
.dw-far-note { display: none; } .dw-far .dw-far-note { display: inline; }
.dw-popup table { border-collapse: collapse; font-size: 11px; }
.dw-popup td, .dw-popup th { padding: 1px 5px; border-bottom: 1px solid #ddd; text-align: right; }
.dw-popup td:first-child, .dw-popup th:first-child { text-align: left; }
"""

_JS = r"""
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("dronewall-data").textContent);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const pct = (x) => (x === null || x === undefined) ? "n/a" : (100 * x).toFixed(1) + "%";
  const num = (x, d) => (x === null || x === undefined) ? "n/a" : Number(x).toLocaleString("en-GB", {maximumFractionDigits: d || 0});
  const eur = (x) => (x === null || x === undefined) ? "n/a" : "€" + (x >= 1e6 ? num(x / 1e6, 2) + "M" : num(x, 0));

  const map = L.map("map", {preferCanvas: false, zoomSnap: 0.25, attributionControl: true});
  map.attributionControl.setPrefix("Leaflet " + L.version);
  map.attributionControl.addAttribution(esc(D.credits));
  map.fitBounds(D.bounds, {padding: [20, 20]});

  const bases = {"shipped geodata only (offline)": L.layerGroup()};
  if (D.tiles) {
    bases["tiles"] = L.tileLayer(D.tiles, {attribution: esc(D.tiles_attribution), maxZoom: 18});
  }
  bases[D.tiles ? "tiles" : "shipped geodata only (offline)"].addTo(map);

  // Panes, bottom to top: tiles (200), the countries (250), coverage (350), cells, zones and sites (400+).
  map.createPane("background").style.zIndex = 250;
  map.createPane("coverage").style.zIndex = 350;
  const countries = L.geoJSON(D.countries, {
    pane: "background",
    style: (f) => ({color: "#6b6b6b", weight: 0.8, fillColor: D.fills[f.properties.role] || D.fills.other,
                    fillOpacity: D.tiles ? 0.35 : 1, dashArray: f.properties.role === "neighbour" ? "3 3" : null}),
    onEachFeature: (f, l) => l.bindTooltip(esc(f.properties.name) + " (" + esc(f.properties.role) + ")", {sticky: true}),
  }).addTo(map);

  const nfz = L.geoJSON(D.no_fire_zones, {
    style: () => ({color: "#b2182b", weight: 1, dashArray: "4 3", fillColor: "#b2182b", fillOpacity: 0.12}),
    onEachFeature: (f, l) => l.bindPopup("<b>no-fire zone</b><br>" + esc(f.properties.name) + " (" + esc(f.properties.kind) +
      "), " + num(f.properties.radius_km, 1) + " km", {className: "dw-popup"}),
  });

  const cellPopup = (p) => {
    let rows = p.threats.map((t) => "<tr><td>" + esc(t[0]) + "</td><td>" + pct(t[1]) + "</td><td>" + num(t[2], 1) + "</td></tr>").join("");
    return "<b>border cell " + esc(p.id) + "</b><br>" + esc(p.border) + ", " + num(p.length_km, 1) + " km<br>" +
      "defeat probability (exact): <b>" + pct(p.p) + "</b><br>leakers over the horizon: <b>" + num(p.leakers, 1) + "</b>" +
      "<table><tr><th>threat class</th><th>defeated</th><th>leakers</th></tr>" + rows + "</table>";
  };
  const casing = L.geoJSON(D.cells, {style: () => ({color: "#000", weight: 7, opacity: 0.9}), interactive: false});
  const cellLines = L.geoJSON(D.cells, {
    style: (f) => ({color: f.properties.colour, weight: 4.5, opacity: 1}),
    onEachFeature: (f, l) => l.bindPopup(cellPopup(f.properties), {className: "dw-popup", maxWidth: 360}),
  });
  const cells = L.layerGroup([casing, cellLines]).addTo(map);

  const shape = (kind, colour) => kind === "sensor"
    ? '<svg width="12" height="12" viewBox="0 0 12 12"><circle cx="6" cy="6" r="5" fill="' + colour + '" stroke="#000" stroke-width="1"/></svg>'
    : '<svg width="13" height="12" viewBox="0 0 13 12"><path d="M6.5 0.8 L12.2 11.2 L0.8 11.2 Z" fill="' + colour + '" stroke="#000" stroke-width="1"/></svg>';
  const sitePopup = (s) => {
    let rows = s.systems.map((y) => "<tr><td>" + shape(y.kind, y.colour) + " " + esc(y.name) + "</td><td>" + esc(y.kind) + "</td></tr>").join("");
    return "<b>site " + esc(s.id) + "</b> (" + esc(s.nation) + ", " + esc(s.border) + ", " + num(s.depth_km, 1) + " km from the border)" +
      "<table>" + rows + "</table>cost over the horizon (acquisition and operation): <b>" + eur(s.cost_eur) + "</b>";
  };
  const sensors = L.layerGroup(), effectors = L.layerGroup(), coverage = L.layerGroup();
  D.sites.forEach((s) => {
    s.systems.forEach((y, k) => {
      const icon = L.divIcon({className: "dw-icon", html: shape(y.kind, y.colour), iconSize: [13, 12],
                              iconAnchor: [6.5 - 13 * (k - (s.systems.length - 1) / 2), 6]});
      const m = L.marker([s.lat, s.lon], {icon: icon, title: y.name + " at " + s.id, keyboard: false});
      m.bindPopup(sitePopup(s), {className: "dw-popup", maxWidth: 360});
      (y.kind === "sensor" ? sensors : effectors).addLayer(m);
    });
  });
  D.coverage.forEach((c) => coverage.addLayer(L.circle([c.lat, c.lon], {radius: c.radius_m, color: c.colour, weight: 0.6,
    opacity: 0.6, fillOpacity: 0.05, interactive: false, pane: "coverage"})));

  const assets = L.layerGroup();
  D.assets.forEach((a) => {
    const m = L.circleMarker([a.lat, a.lon], {radius: a.kind === "city" ? 4 : 3, color: "#000", weight: 1,
      fillColor: "#fff", fillOpacity: 1});
    m.bindPopup("<b>" + esc(a.name) + "</b> (" + esc(a.kind) + ", " + esc(a.country) + ")<br>" +
      (a.population ? "population " + num(a.population) + "<br>" : "") + "value protected: " + num(a.value) + " resident-equivalents",
      {className: "dw-popup"});
    assets.addLayer(m);
  });
  [sensors, effectors, coverage, nfz, assets].forEach((l) => l.addTo(map));

  L.control.layers(bases, {
    "countries (Natural Earth)": countries, "border cells (defeat probability)": cells, "sensors": sensors,
    "effectors": effectors, "effector coverage (engagement range)": coverage, "no-fire zones": nfz,
    "protected cities and airports": assets,
  }, {collapsed: false, position: "topright"}).addTo(map);
  L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(map);

  const info = L.control({position: "topleft"});
  info.onAdd = () => {
    const div = L.DomUtil.create("div", "dw-box");
    div.innerHTML = "<h1>" + esc(D.title) + "</h1>" + esc(D.subtitle) + "<br><i>Click a border cell or a site for details.</i>" +
      "<span class='dw-far-note'><br><i>Zoom in to see the sites and their coverage (hidden at this scale so that the border's colour shows).</i></span>";
    return div;
  };
  info.addTo(map);

  const legend = L.control({position: "bottomright"});
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "dw-box");
    const ramp = "linear-gradient(to right, " + D.ramp.join(", ") + ")";
    let html = "<b>border: expected share of drones defeated</b><div class='dw-ramp' style='background:" + ramp + "'></div>" +
      "<div class='dw-ticks'><span>0%</span><span>25%</span><span>50%</span><span>75%</span><span>100%</span></div>";
    html += D.systems.map((y) => "<div><span class='dw-sym'>" + shape(y.kind, y.colour) + "</span>" + esc(y.kind) + ": " +
      esc(y.name) + " (" + y.count + (y.count === 1 ? " site" : " sites") + ")</div>").join("");
    html += "<div><span class='dw-sym' style='color:#b2182b'>▭</span>no-fire zone</div>" +
      "<div><span class='dw-sym'>○</span>protected city / airport</div>";
    div.innerHTML = html;
    return div;
  };
  legend.addTo(map);
  // At flank scale the symbols and coverage would hide the border's colour (as on the static overview): they show
  // from zoom 7.
  const far = () => map.getContainer().classList.toggle("dw-far", map.getZoom() < 7);
  map.on("zoomend", far);
  far();
  window.dronewallMap = {map: map, layers: {countries, cells, sensors, effectors, coverage, nfz, assets}};
})();
"""
