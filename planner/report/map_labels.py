"""Names on a map (planner.report.briefing_maps): countries, cities and airports, each where it collides with no
other label, the map's furniture or, where it can, the site markers."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from shapely.geometry import box as shapely_box
from shapely.ops import polylabel

__all__ = ["place_labels"]

#: Half a site marker's width in points (briefing_maps draws them 26 pt², about 5 pt wide) and how far apart co-sited
#: systems stand on a national map, in metres.
MARK_PT = 3.0
SIDE_BY_SIDE_M = 1500.0


def place_labels(ax: Axes, fig: Figure, view: Any, inset_at: tuple[float, float, float, float],
                 countries: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, built: gpd.GeoDataFrame, *,
                 airports: bool) -> None:
    """Country names (each at the visual centre of its visible part, away from the locator inset), then the largest
    cities, then (on a national map) the airports, each placed only where it collides with nothing placed (nor the
    scale bar, the north arrow or the inset). A city's or an airport's label also keeps clear of the site markers
    (``built``) where one of its four positions allows; where none does, it goes where only other labels are not."""
    renderer = fig.canvas.get_renderer()
    ax.set(xlim=(view[0], view[2]), ylim=(view[1], view[3]), aspect="equal")
    ax.apply_aspect()
    ix0, iy0, iw, ih = inset_at
    placed: list[Any] = [Bbox(ax.transAxes.transform([(fx0, fy0), (fx1, fy1)])) for fx0, fy0, fx1, fy1 in (
        (0.02, 0.02, 0.33, 0.09), (0.02, 0.84, 0.08, 0.98), (ix0, iy0, ix0 + iw, iy0 + ih))]  # scale, north, inset
    frame_px = Bbox(ax.transAxes.transform([(0.005, 0.005), (0.995, 0.965)]))  # whole in the map, below the colour bar

    pad = MARK_PT * fig.dpi / 72.0
    xy = np.column_stack([built.geometry.x, built.geometry.y]) if len(built) else np.zeros((0, 2))
    left = ax.transData.transform(xy - [SIDE_BY_SIDE_M, 0.0]) if len(xy) else xy
    right = ax.transData.transform(xy + [SIDE_BY_SIDE_M, 0.0]) if len(xy) else xy
    marks = [Bbox([(a[0] - pad, a[1] - pad), (b[0] + pad, b[1] + pad)]) for a, b in zip(left, right, strict=True)]

    def place(x: float, y: float, text: str, avoid: list[Any] | None = None, **kw: Any) -> bool:
        if not (view[0] < x < view[2] and view[1] < y < view[3]):
            return False
        t = ax.text(x, y, text, clip_on=True, **kw)
        box = t.get_window_extent(renderer=renderer).expanded(1.05, 1.15)
        if any(box.overlaps(b) for b in [*placed, *(avoid or [])]) or not (frame_px.x0 <= box.x0 and box.x1 <= frame_px.x1
                                                         and frame_px.y0 <= box.y0 and box.y1 <= frame_px.y1):
            t.remove()
            return False
        placed.append(box)
        return True

    x0, y0, x1, y1 = (float(v) for v in view)
    w, h = x1 - x0, y1 - y0
    inset = shapely_box(x0 + (ix0 - 0.02) * w, y0 + (iy0 - 0.02) * h, x1, y1)  # the locator inset and a margin
    frame = shapely_box(x0 + 0.03 * w, y0 + 0.03 * h, x1 - 0.03 * w, y1 - 0.03 * h).difference(inset)
    countries = countries.cx[x0:x1, y0:y1]
    for r in countries.itertuples():
        part = r.geometry.intersection(frame)
        if part.is_empty or part.area <= 0:
            continue
        pieces = sorted(getattr(part, "geoms", [part]), key=lambda g: g.area, reverse=True)
        candidates = [polylabel(pieces[0], tolerance=max(w, h) / 500)] if pieces[0].geom_type == "Polygon" else []
        candidates.append(part.representative_point())
        style = {"fontsize": 8 if r.role == "defender" else 7, "fontweight": "bold" if r.role == "defender" else "normal",
                 "color": "#333333" if r.role == "defender" else "#5b4e3b", "ha": "center", "va": "center",
                 "zorder": 8, "bbox": None if r.role == "defender" else {"boxstyle": "round,pad=0.15",
                                                                         "facecolor": "white", "alpha": 0.8,
                                                                         "linewidth": 0}}
        for pt in candidates:
            if place(pt.x, pt.y, str(r.name).upper(), **style):
                break
    for kind, size, extra in (("city", 6, {}), *((("airport", 5.5, {"fontstyle": "italic"}),) if airports else ())):
        rows = assets[assets["kind"] == kind]
        if kind == "city":
            rows = rows.sort_values("population", ascending=False)
        for r in rows.itertuples():  # right and above the marker, else left, below right, below left
            tries = [(avoid, dx, dy, ha, va) for avoid in (marks, None) for dx, dy, ha, va in (
                (1, 1, "left", "bottom"), (-1, 1, "right", "bottom"), (1, -1, "left", "top"), (-1, -1, "right", "top"))]
            for avoid, dx, dy, ha, va in tries:  # clear of the site markers first, then of the labels only
                if place(r.geometry.x + dx * 0.004 * w, r.geometry.y + dy * 0.003 * h, str(r.name), avoid=avoid,
                         fontsize=size, color="#111111", zorder=8, ha=ha, va=va, **extra,
                         bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "alpha": 0.7, "linewidth": 0}):
                    break
