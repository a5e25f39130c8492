"""Choosing the metric CRS every distance is measured in."""

from __future__ import annotations

import logging
import math

from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from planner.errors import ConfigError

log = logging.getLogger(__name__)

EUROPE_CRS = "EPSG:3035"  # ETRS89 / LAEA Europe, equal-area, metres
_UTM_MAX_SPAN_DEG = 6.0
#: How far (degrees) data may reach beyond the area of use of the CRS it is declared or projected in.
AREA_OF_USE_MARGIN_DEG = 5.0


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


def _apart(lonlat: tuple[float, float, float, float], crs: CRS) -> bool:
    """Whether data with WGS84 bounds ``lonlat`` lie wholly outside the area of use of ``crs`` (beyond the
    margin); a CRS without a known area of use is never apart."""
    aou, (west, south, east, north), m = crs.area_of_use, lonlat, AREA_OF_USE_MARGIN_DEG
    if aou is None:
        return False
    if not all(math.isfinite(v) for v in lonlat):
        return True
    return east < aou.west - m or west > aou.east + m or north < aou.south - m or south > aou.north + m


def _lonlat_bounds(bounds: tuple[float, float, float, float], crs: CRS) -> tuple[float, float, float, float]:
    if crs.is_geographic:
        return bounds
    to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return tuple(to_wgs84.transform_bounds(*bounds))  # type: ignore[return-value]


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


def choose_crs(bounds_lonlat: tuple[float, float, float, float], override: str | None = None) -> tuple[CRS, str]:
    """Pick the working CRS for data with the given WGS84 bounds ``(west, south, east, north)``.

    Returns the CRS and a sentence saying why it was chosen (logged, and stored with the theater).
    EPSG:3035 inside its area of use (Europe); else a UTM zone for an extent narrow enough; else a
    Lambert azimuthal equal-area projection centred on the data.
    """
    if override:
        crs = check_metric_crs(override)
        aou, (west, south, east, north) = crs.area_of_use, bounds_lonlat
        if aou is not None and _apart(bounds_lonlat, crs):
            msg = (f"'{override}' ({crs.name}) is meant for lon {aou.west:.1f}..{aou.east:.1f}, lat "
                   f"{aou.south:.1f}..{aou.north:.1f}, but the data lie at lon {west:.1f}..{east:.1f}, lat "
                   f"{south:.1f}..{north:.1f}: choose a CRS for the data's area, or leave geodata.crs out")
            raise ConfigError([("geodata.crs", msg)])
        reason = f"{crs.name} ({override}), set in the scenario"
        log.info("Working CRS: %s", reason)
        return crs, reason
    west, south, east, north = bounds_lonlat
    europe = CRS.from_user_input(EUROPE_CRS)
    aou = europe.area_of_use
    assert aou is not None
    if aou.west <= west and east <= aou.east and aou.south <= south and north <= aou.north:
        crs, reason = europe, f"{europe.name} ({EUROPE_CRS}): the data lie in Europe"
    elif east - west <= _UTM_MAX_SPAN_DEG:
        infos = query_utm_crs_info(
            datum_name="WGS 84", area_of_interest=AreaOfInterest(west, south, east, north)
        )
        if infos:
            centre = (west + east) / 2
            info = min(infos, key=lambda i: abs((i.area_of_use.west + i.area_of_use.east) / 2 - centre))
            crs = CRS.from_authority(info.auth_name, info.code)
            reason = f"{crs.name} ({info.auth_name}:{info.code}): a UTM zone covering the data"
        else:  # pragma: no cover - every lon/lat box has a UTM zone
            crs, reason = _local_laea(bounds_lonlat)
    else:
        crs, reason = _local_laea(bounds_lonlat)
    log.info("Working CRS: %s", reason)
    return crs, reason


def _local_laea(bounds_lonlat: tuple[float, float, float, float]) -> tuple[CRS, str]:
    west, south, east, north = bounds_lonlat
    lat0, lon0 = (south + north) / 2, (west + east) / 2
    crs = CRS.from_proj4(f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m +no_defs")
    return crs, f"Lambert azimuthal equal-area centred on {lat0:.2f}N {lon0:.2f}E: the data lie outside Europe"
