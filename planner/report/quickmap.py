"""A quick look at a theater: borders cut into cells, candidate sites and protected assets.

Not a briefing map (those come with their own module): a check of what the optimizer gets.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from planner.geo.crs import crs_label  # noqa: E402
from planner.geo.theater import Theater  # noqa: E402
from planner.report.charts import without_idle_draws  # noqa: E402

DEFENDER_FILL = "#e8eef4"
NEIGHBOUR_FILL = "#d9d4cc"
CELL_COLOURS = ("#1b4f72", "#e67e22")  # alternate along the border so cell limits show


def plot_theater(theater: Theater, path: Path, *, dpi: int = 150) -> Path:
    """Draw the theater to a PNG at ``path``."""
    fig, ax = plt.subplots(figsize=(9, 11), dpi=dpi)
    without_idle_draws(fig)
    try:
        countries = theater.countries
        cells = theater.cells
        minx, miny, maxx, maxy = cells.total_bounds
        pad = max(maxx - minx, maxy - miny) * 0.08 + 20_000
        for role, colour in (("neighbour", NEIGHBOUR_FILL), ("defender", DEFENDER_FILL)):
            part = countries[countries["role"] == role]
            if len(part):
                part.plot(ax=ax, color=colour, edgecolor="#7f8c8d", linewidth=0.4)
        if len(theater.no_fire_zones):
            theater.no_fire_zones.plot(ax=ax, color="#c0392b", alpha=0.15, linewidth=0)
        colours = [CELL_COLOURS[i % 2] for i in range(len(cells))]
        cells.plot(ax=ax, color=colours, linewidth=2.0)
        sites = theater.sites
        depths = sorted(sites["depth_m"].unique()) if len(sites) else []
        markers = ["o", "s", "^", "D", "v"]
        for k, depth in enumerate(depths):
            sub = sites[sites["depth_m"] == depth]
            sub.plot(ax=ax, marker=markers[k % len(markers)], markersize=6, color="#2e86c1",
                     edgecolor="white", linewidth=0.3, zorder=4)
        assets = theater.assets
        if len(assets):
            cities = assets[assets["kind"] == "city"]
            airports = assets[assets["kind"] == "airport"]
            if len(cities):
                cities.plot(ax=ax, marker="s", markersize=14, color="#922b21", zorder=5)
            if len(airports):
                airports.plot(ax=ax, marker="P", markersize=18, color="#6c3483", zorder=5)
        for row in countries.itertuples():
            pt = row.geometry.representative_point()
            if minx - pad < pt.x < maxx + pad and miny - pad < pt.y < maxy + pad:
                ax.annotate(row.country, (pt.x, pt.y), ha="center", fontsize=9, color="#34495e",
                            fontweight="bold" if row.role == "defender" else "normal")
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        ax.set_aspect("equal")
        ax.set_axis_off()
        n_cells, n_sites = len(cells), len(sites)
        km = cells["length_m"].sum() / 1000
        ax.set_title(f"dronewall theater: {theater.scenario_name} [{theater.config_hash[:8]}]\n"
                     f"{km:,.0f} km of border, {n_cells:,} cells, {n_sites:,} candidate sites, "
                     f"{len(assets)} protected assets", fontsize=11)
        handles = [
            Line2D([0], [0], color=CELL_COLOURS[0], lw=2.5, label="border cells (alternating)"),
            *[Line2D([0], [0], marker=markers[k % len(markers)], lw=0, color="#2e86c1",
                     label=f"candidate sites, {d / 1000:g} km inland") for k, d in enumerate(depths)],
            Line2D([0], [0], marker="s", lw=0, color="#922b21", label="city (protected)"),
            Line2D([0], [0], marker="P", lw=0, color="#6c3483", label="airport (protected)"),
            Patch(color="#c0392b", alpha=0.15, label="no-fire zone"),
            Patch(facecolor=DEFENDER_FILL, edgecolor="#7f8c8d", label="defender"),
            Patch(facecolor=NEIGHBOUR_FILL, edgecolor="#7f8c8d", label="neighbour"),
        ]
        ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
        fig.text(0.01, 0.005, f"Borders: Natural Earth 1:10m (public domain) or user data. CRS: {crs_label(theater.crs)}",
                 fontsize=7, color="#566573")
        fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return path
