"""The furniture of a map: a scale bar, a north arrow and the file's metadata (planner.report.briefing_maps)."""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

__all__ = ["file_metadata", "nice_length", "north_arrow", "scale_bar"]


def nice_length(length: float) -> float:
    exp = 10 ** math.floor(math.log10(length))
    return max(m * exp for m in (1, 2, 5) if m * exp <= length)


def scale_bar(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    """A two-tone bar in map metres (equal-area projection: true along it to within the projection's scale)."""
    length = nice_length((x1 - x0) / 4)
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    h = (y1 - y0) * 0.006
    for k in range(2):
        ax.add_patch(Rectangle((bx + k * length / 2, by), length / 2, h, facecolor="black" if k == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=9))
    for x, label in ((bx, "0"), (bx + length, f"{length / 1000:g} km")):
        ax.text(x, by + 2.2 * h, label, ha="center", va="bottom", fontsize=6.5, zorder=9)


def north_arrow(ax: Axes) -> None:
    ax.annotate("N", xy=(0.05, 0.95), xytext=(0.05, 0.88), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
                zorder=9)


def file_metadata(title: str, fmt: str) -> dict[str, str]:
    """The title and producer a saved map carries (PNG text chunks or PDF info)."""
    return {"Title": title, "Software": "dronewall"} if fmt == "png" else {"Title": title, "Creator": "dronewall"}
