"""Choosing the metric CRS every distance is measured in."""

from __future__ import annotations

import logging

from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from planner.errors import ConfigError

log = logging.getLogger(__name__)

EUROPE_CRS = "EPSG:3035"  # ETRS89 / LAEA Europe, equal-area, metres
_UTM_MAX_SPAN_DEG = 6.0


def check_metric_crs(value: str) -> CRS:
    """Parse a user-given CRS and require it to be projected, in metres."""
    try:
        crs = CRS.from_user_input(value)
    except Exception:  # noqa: BLE001 - pyproj raises several types for bad input
        msg = f"geodata.crs: '{value}' is not a CRS pyproj knows: give e.g. 'EPSG:3035' or a PROJ string"
        raise ConfigError(msg) from None
    units = {ax.unit_name for ax in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        msg = (f"geodata.crs: '{value}' is not a projected CRS in metres ({crs.name}): distances need one, "
               "e.g. 'EPSG:3035' in Europe or a UTM zone")
        raise ConfigError(msg)
    return crs


def choose_crs(bounds_lonlat: tuple[float, float, float, float], override: str | None = None) -> tuple[CRS, str]:
    """Pick the working CRS for data with the given WGS84 bounds ``(west, south, east, north)``.

    Returns the CRS and a sentence saying why it was chosen (logged, and stored with the theater).
    EPSG:3035 inside its area of use (Europe); else a UTM zone for an extent narrow enough; else a
    Lambert azimuthal equal-area projection centred on the data.
    """
    if override:
        crs = check_metric_crs(override)
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
