"""Choosing the metric CRS every distance is measured in."""

from __future__ import annotations

import logging
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Proj, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from planner.errors import ConfigError

log = logging.getLogger(__name__)

EUROPE_CRS = "EPSG:3035"  # ETRS89 / LAEA Europe, equal-area, metres
_UTM_MAX_SPAN_DEG = 6.0
#: How far (degrees) data may reach beyond the area of use of the CRS it is declared or projected in.
AREA_OF_USE_MARGIN_DEG = 5.0
#: Largest error allowed in a border's length in the chosen CRS, against its geodesic length (a share).
MAX_LENGTH_ERROR = 0.01
_GEOD = Geod(ellps="WGS84")


def check_metric_crs(value: str) -> CRS:
    """Parse a user-given CRS and require it to be projected, in metres."""
    try:
        crs = CRS.from_user_input(value)
    except Exception:  # noqa: BLE001 - pyproj raises several types for bad input
        msg = f"'{value}' is not a CRS pyproj knows: give e.g. 'EPSG:3035' or a PROJ string"
        raise ConfigError([("geodata.crs", msg)]) from None
    units = {ax.unit_name for ax in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        msg = (f"'{value}' is not a projected CRS in metres ({crs.name}): distances need one, "
               "e.g. 'EPSG:3035' in Europe or a UTM zone")
        raise ConfigError([("geodata.crs", msg)])
    return crs


def _lon_gap(west: float, east: float, aou_west: float, aou_east: float) -> float:
    """Degrees of longitude between the intervals west..east and aou_west..aou_east on the circle (0 where they
    overlap); either may cross the antimeridian (east < west, or east beyond 180)."""
    if east < west:
        east += 360.0
    if aou_east < aou_west:
        aou_east += 360.0
    if east - west >= 360.0 or aou_east - aou_west >= 360.0:
        return 0.0
    return min(max(aou_west + k - east, west - aou_east - k, 0.0) for k in (-360.0, 0.0, 360.0))


def _apart(lonlat: tuple[float, float, float, float], crs: CRS) -> bool:
    """Whether data with WGS84 bounds ``lonlat`` lie wholly outside the area of use of ``crs`` (beyond the
    margin); a CRS without a known area of use is never apart. Longitudes may cross the antimeridian."""
    aou, (west, south, east, north), m = crs.area_of_use, lonlat, AREA_OF_USE_MARGIN_DEG
    if aou is None:
        return False
    if not all(math.isfinite(v) for v in lonlat):
        return True
    return _lon_gap(west, east, aou.west, aou.east) > m or north < aou.south - m or south > aou.north + m


def _lonlat_bounds(bounds: tuple[float, float, float, float], crs: CRS) -> tuple[float, float, float, float]:
    if crs.is_geographic:
        return bounds
    to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    west, south, east, north = to_wgs84.transform_bounds(*bounds)
    return west, south, east + 360.0 if east < west else east, north  # across the antimeridian: unwrapped


def outside_area_of_use(bounds: tuple[float, float, float, float], crs: CRS) -> str | None:
    """Why data with ``bounds`` (``xmin, ymin, xmax, ymax`` in ``crs``) cannot be in ``crs``, or None.

    Catches a file whose coordinates are in degrees but whose CRS is projected (every coordinate within
    ±180/±90, i.e. a few hundred metres from the projection's origin), one in metres declared as degrees,
    and data lying wholly outside the CRS's area of use (by more than :data:`AREA_OF_USE_MARGIN_DEG`).
    """
    xmin, ymin, xmax, ymax = bounds
    if not all(math.isfinite(v) for v in bounds):
        return "coordinates are not finite numbers"
    name = f"{crs.name} ({crs.to_string()})"
    if crs.is_geographic:
        if xmin < -360 or xmax > 360 or ymin < -90 or ymax > 90:
            return (f"coordinates reach x {xmin:,.0f}..{xmax:,.0f}, y {ymin:,.0f}..{ymax:,.0f}, beyond ±180° "
                    f"longitude and ±90° latitude, yet the file declares {name}, in degrees: they look like "
                    "metres; set the CRS they are really in (e.g. `ogr2ogr -a_srs EPSG:3035 ...`)")
    elif -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90:
        return (f"every coordinate lies within ±180/±90 (x {xmin:.2f}..{xmax:.2f}, y {ymin:.2f}..{ymax:.2f}), "
                f"yet the file declares {name}, in metres: the coordinates look like degrees (longitude, "
                "latitude); set EPSG:4326, e.g. `ogr2ogr -a_srs EPSG:4326 fixed.gpkg <file>`")
    aou = crs.area_of_use
    if aou is None:
        return None
    try:
        lonlat = _lonlat_bounds(bounds, crs)
    except Exception:  # noqa: BLE001 - pyproj raises several types for points it cannot transform
        lonlat = (math.inf,) * 4
    if _apart(lonlat, crs):
        west, south, east, north = lonlat
        where = (f"lon {west:.1f}..{east:.1f}, lat {south:.1f}..{north:.1f}"
                 if math.isfinite(west + south + east + north) else "nowhere on Earth")
        return (f"the coordinates ({where}) lie outside the area of use of {name}, "
                f"lon {aou.west:.1f}..{aou.east:.1f}, lat {aou.south:.1f}..{aou.north:.1f}: the file "
                "declares the wrong CRS; set the one its coordinates are in")
    return None


def lonlat_extent(geoms: gpd.GeoSeries) -> tuple[float, float, float, float]:
    """WGS84 bounds ``(west, south, east, north)`` of ``geoms`` (in any CRS), longitudes unwrapped: the narrowest
    interval that holds every vertex, so that data across 180° give e.g. 175..185, not -180..180 (``west`` in
    -180..180, ``east`` up to 360° beyond it)."""
    xy = shapely.get_coordinates(geoms.to_crs("EPSG:4326").values)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return math.nan, math.nan, math.nan, math.nan
    lons = np.unique(np.mod(xy[:, 0] + 180.0, 360.0) - 180.0)
    gaps = np.diff(np.append(lons, lons[0] + 360.0))
    i = int(np.argmax(gaps))  # the widest stretch without data lies between lons[i] and the next
    west = float(lons[(i + 1) % len(lons)])
    east = float(lons[i]) + (360.0 if i + 1 < len(lons) else 0.0)
    return west, float(xy[:, 1].min()), east, float(xy[:, 1].max())


def length_errors(lines_lonlat: gpd.GeoSeries, crs: CRS) -> pd.Series:
    """Per line (in WGS84), its length in ``crs`` over its geodesic length on the WGS84 ellipsoid, minus one."""
    geodesic = np.array([_GEOD.geometry_length(g) for g in lines_lonlat.values])
    projected = lines_lonlat.to_crs(crs).length.to_numpy()
    ratio = np.divide(projected, geodesic, out=np.ones_like(projected), where=geodesic > 1.0)  # < 1 m: not measured
    return pd.Series(ratio - 1.0, index=lines_lonlat.index)


def _worst(errors: pd.Series) -> tuple[str, float]:
    key = errors.abs().idxmax()
    return str(key), float(errors[key])


def choose_crs(bounds_lonlat: tuple[float, float, float, float], override: str | None = None,
               lines: gpd.GeoSeries | None = None) -> tuple[CRS, str]:
    """Pick the working CRS for data with the given WGS84 bounds ``(west, south, east, north)`` (across the
    antimeridian, ``east`` is beyond 180 or below ``west``).

    Returns the CRS and a sentence saying why it was chosen (logged, and stored with the theater).
    EPSG:3035 inside its area of use (Europe); else a UTM zone for an extent narrow enough; else a
    Lambert azimuthal equal-area projection centred on the data. Given the border ``lines`` (WGS84, indexed
    by border id), each border's length in the choice must lie within :data:`MAX_LENGTH_ERROR` of its geodesic
    length; else a conformal projection fitted to the data is tried, and if none keeps to it the data are
    refused (a :class:`ConfigError` on ``geodata.crs``): one projection cannot serve regions far apart.
    A CRS set in the scenario is kept, with a warning if it distorts the borders more than that.
    """
    west, south, east, north = bounds_lonlat
    if east < west:
        east += 360.0
    if override:
        crs = check_metric_crs(override)
        aou = crs.area_of_use
        if aou is not None and _apart((west, south, east, north), crs):
            msg = (f"'{override}' ({crs.name}) is meant for lon {aou.west:.1f}..{aou.east:.1f}, lat "
                   f"{aou.south:.1f}..{aou.north:.1f}, but the data lie at lon {west:.1f}..{_lon(east):.1f}, lat "
                   f"{south:.1f}..{north:.1f}: choose a CRS for the data's area, or leave geodata.crs out")
            raise ConfigError([("geodata.crs", msg)])
        reason = f"{crs.name} ({override}), set in the scenario"
        if lines is not None and len(lines):
            border, err = _worst(length_errors(lines, crs))
            if abs(err) > MAX_LENGTH_ERROR:
                log.warning("geodata.crs: %s measures border %s %+.1f%% against its geodesic length (more than "
                            "%.0f%%): distances in the plan are off by as much", override, border, 100 * err,
                            100 * MAX_LENGTH_ERROR)
        log.info("Working CRS: %s", reason)
        return crs, reason
    crs, reason = _first_choice(west, south, east, north)
    if lines is not None and len(lines):
        crs, reason = _within_tolerance(crs, reason, lines, (west, south, east, north))
    log.info("Working CRS: %s", reason)
    return crs, reason


def _lon(lon: float) -> float:
    """``lon`` in (-180, 180]."""
    return lon - 360.0 * math.ceil((lon - 180.0) / 360.0)


def _place(lat: float, lon: float) -> str:
    lon = _lon(lon)
    return f"{abs(lat):.1f}{'N' if lat >= 0 else 'S'} {abs(lon):.1f}{'E' if lon >= 0 else 'W'}"


def _first_choice(west: float, south: float, east: float, north: float) -> tuple[CRS, str]:
    europe = CRS.from_user_input(EUROPE_CRS)
    aou = europe.area_of_use
    assert aou is not None
    if aou.west <= west and east <= aou.east and aou.south <= south and north <= aou.north:
        return europe, f"{europe.name} ({EUROPE_CRS}): the data lie in Europe"
    if east - west <= _UTM_MAX_SPAN_DEG:
        # Across the antimeridian west > east, which pyproj's AreaOfInterest allows.
        aoi = AreaOfInterest(west, south, _lon(east) if east > 180.0 else east, north)
        infos = [i for i in query_utm_crs_info(datum_name="WGS 84", area_of_interest=aoi) if i.area_of_use]
        if infos:
            centre = (west + east) / 2

            def off_centre(i: Any) -> float:  # a UTM zone's distance from the data's centre, degrees of longitude
                return abs(_lon((i.area_of_use.west + i.area_of_use.east) / 2 - centre))

            info = min(infos, key=off_centre)
            crs = CRS.from_authority(info.auth_name, info.code)
            return crs, f"{crs.name} ({info.auth_name}:{info.code}): a UTM zone covering the data"
    lat0, lon0 = (south + north) / 2, _lon((west + east) / 2)
    crs = CRS.from_proj4(f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m +no_defs")
    return crs, f"Lambert azimuthal equal-area centred on {_place(lat0, lon0)}: the data lie outside Europe"


def _fitted(lines: gpd.GeoSeries, west: float, south: float, east: float, north: float) -> list[tuple[CRS, str]]:
    """Conformal projections fitted to the data: a Lambert conformal conic (Mercator near the equator) for data
    spread in longitude, a transverse Mercator for data spread in latitude; each scaled so that its scale
    factors over the borders' vertices lie evenly about 1."""
    lat0, lon0 = (south + north) / 2, _lon((west + east) / 2)
    xy = shapely.get_coordinates(lines.values)
    out = []
    for proj, what in (
        (f"+proj=lcc +lat_1={lat0:.4f} +lat_0={lat0:.4f} +lon_0={lon0:.4f}" if abs(lat0) >= 1.0
         else f"+proj=merc +lon_0={lon0:.4f}",
         f"Lambert conformal conic on {_place(lat0, lon0)}" if abs(lat0) >= 1.0
         else f"Mercator on {_place(0.0, lon0)}"),
        (f"+proj=tmerc +lat_0={lat0:.4f} +lon_0={lon0:.4f}", f"transverse Mercator on {_place(lat0, lon0)}"),
    ):
        try:
            scale = Proj(f"{proj} +datum=WGS84 +units=m +no_defs").get_factors(xy[:, 0], xy[:, 1]).meridional_scale
            k0 = 2.0 / (float(np.nanmin(scale)) + float(np.nanmax(scale)))
            if not math.isfinite(k0):
                continue
            out.append((CRS.from_proj4(f"{proj} +k_0={k0:.8f} +datum=WGS84 +units=m +no_defs"), what))
        except Exception:  # noqa: BLE001, S112 - a projection PROJ cannot make for these data is no candidate
            continue
    return out


def _within_tolerance(crs: CRS, reason: str, lines: gpd.GeoSeries,
                      bounds: tuple[float, float, float, float]) -> tuple[CRS, str]:
    """``crs`` if it keeps every border's length within :data:`MAX_LENGTH_ERROR`, else the fitted projection that
    does (the least distorting), else a refusal naming geodata.crs."""
    errors = length_errors(lines, crs)
    border, err = _worst(errors)
    if abs(err) <= MAX_LENGTH_ERROR:
        return crs, f"{reason}; border lengths within {_pct(err)} of geodesic"
    first = (crs, reason.split(": ")[0], border, err)
    best = first
    for cand, what in _fitted(lines, *bounds):
        b, e = _worst(length_errors(lines, cand))
        if abs(e) < abs(best[3]):
            best = (cand, what, b, e)
    if abs(best[3]) <= MAX_LENGTH_ERROR:
        return best[0], (f"{best[1]}: the data spread too wide for {first[1]}, which measures border {border} "
                         f"{100 * err:+.1f}% against its geodesic length; border lengths within {_pct(best[3])}")
    west, south, east, north = bounds
    where = "; ".join(f"{b} near {_place(p.y, p.x)}"
                      for b, p in zip(lines.index[:8], lines.representative_point(), strict=False))
    msg = (f"the borders lie at lon {west:.1f}..{_lon(east):.1f}, lat {south:.1f}..{north:.1f} ({where}): too far "
           f"apart for one projection to keep distances within {100 * MAX_LENGTH_ERROR:.0f}%; the least distorting "
           f"automatic choice, {best[1]}, measures border {best[2]} {100 * best[3]:+.1f}% against its geodesic "
           "length. Set geodata.crs to a metric CRS that suits every border, or split the scenario into one per "
           "region (geodata.defenders and geodata.neighbours)")
    raise ConfigError([("geodata.crs", msg)])


def _pct(err: float) -> str:
    return f"{max(abs(100 * err), 0.1):.1f}%"


def crs_label(crs: CRS) -> str:
    """A projection's name for a map's footer: its registered name (``ETRS89-extended / LAEA Europe``), or for a
    projection fitted to the theater (pyproj names those 'unknown') its method and origin."""
    if crs.name and crs.name.lower() != "unknown":
        return str(crs.name)
    op = crs.coordinate_operation
    if op is None:
        return str(crs.to_proj4())
    params = {p.name.lower(): float(p.value) for p in op.params}
    lat = next((v for k, v in params.items() if k.startswith("latitude of") and ("origin" in k or "centre" in k)), 0.0)
    lon = next((v for k, v in params.items() if k.startswith("longitude of")), 0.0)
    return f"{op.method_name}, origin {_place(lat, _lon(lon))} (fitted to the theater)"
