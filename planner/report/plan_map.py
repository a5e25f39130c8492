"""A quick map of a plan (map.png of `dronewall run`): border coloured by expected defeat probability,
sites by system type. Slide-ready maps (per nation, legend, scale bar, inset, marking banner) are
`dronewall maps` (planner.report.briefing_maps).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from planner.geo.crs import crs_label  # noqa: E402
from planner.plan import Plan  # noqa: E402
from planner.report import short_names  # noqa: E402
from planner.report.charts import without_idle_draws  # noqa: E402
from planner.report.quickmap import DEFENDER_FILL, NEIGHBOUR_FILL  # noqa: E402

MARKERS = {"sensor": "o", "effector": "^"}


def plot_plan(plan: Plan, cells: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, path: Path, *, dpi: int = 150) -> Path:
    th = plan.theater
    # The border and the sites where units stand (rows inland, cities' own sites), the figure shaped to them: a wide
    # theater (Ukraine's northern border) gets a wide figure, not a tall one with blank bands above and below.
    built = th.sites[th.sites["site_id"].isin(set(plan.units["site_id"]))] if len(plan.units) else th.sites.iloc[:0]
    minx, miny, maxx, maxy = th.cells.total_bounds
    if len(built):
        bx0, by0, bx1, by1 = built.total_bounds
        minx, miny, maxx, maxy = min(minx, bx0), min(miny, by0), max(maxx, bx1), max(maxy, by1)
    pad = max(maxx - minx, maxy - miny) * 0.08 + 20_000
    tall = (maxy - miny + 2 * pad) / (maxx - minx + 2 * pad)
    fig, ax = plt.subplots(figsize=(9, min(max(7.5 * tall + 3.5, 6.0), 11.0)), dpi=dpi)
    without_idle_draws(fig)
    try:
        for role, colour in (("neighbour", NEIGHBOUR_FILL), ("defender", DEFENDER_FILL)):
            part = th.countries[th.countries["role"] == role]
            if len(part):
                part.plot(ax=ax, color=colour, edgecolor="#7f8c8d", linewidth=0.4)
        if len(th.no_fire_zones):
            th.no_fire_zones.plot(ax=ax, color="#c0392b", alpha=0.15, linewidth=0)
        cmap = plt.get_cmap("cividis")  # readable in greyscale and by colour-blind readers
        norm = Normalize(0, 1)
        # Above the site symbols, over a dark casing: at flank scale the symbols would hide the border's colour.
        cells.plot(ax=ax, color="black", linewidth=5.2, zorder=6)
        cells.plot(ax=ax, column="p_defeat_all", cmap=cmap, norm=norm, linewidth=4.0, missing_kwds={"color": "#bbb"},
                   zorder=7)
        units = plan.units
        systems = sorted(units["system"].unique()) if len(units) else []
        palette = plt.get_cmap("tab10")
        handles = []
        site_geo = th.sites.set_index("site_id").geometry
        names = short_names(plan.scenario.catalog)
        # Markers on a short border; on a long one (150 units or more) they would hide under its line or hide its
        # colour, so the legend lists the units and the national maps of `dronewall maps` place them.
        drawn = len(units) < 150
        for k, system in enumerate(systems):
            sub = units[units["system"] == system]
            category = sub["category"].iloc[0]
            label = f"{names.get(system, system)} ({int(sub['units'].sum())})"
            if not drawn:
                handles.append(Patch(color="none", label=f"{category}: {label}"))
                continue
            pts = gpd.GeoSeries(site_geo.loc[sub["site_id"]].values, crs=th.crs)
            pts = pts.translate(xoff=(k % 3 - 1) * 2500.0)
            pts.plot(ax=ax, marker=MARKERS[category], markersize=12.0, color=palette(k % 10), edgecolor="black",
                     linewidth=0.1, zorder=5)
            handles.append(Line2D([0], [0], marker=MARKERS[category], lw=0, color=palette(k % 10),
                                  markeredgecolor="black", markeredgewidth=0.3, label=label))
        sm = plt.cm.ScalarMappable(cmap=cmap, norm=norm)
        cb = fig.colorbar(sm, ax=ax, shrink=0.45, pad=0.01, panchor=(0.5, 0.5))  # the map centred under its title
        cb.set_label("expected share of drones defeated (exact evaluation)")
        handles += [Patch(color="#c0392b", alpha=0.15, label="no-fire zone")]
        if drawn:
            handles += [Line2D([0], [0], marker="o", lw=0, color="grey", label="circle: sensor"),
                        Line2D([0], [0], marker="^", lw=0, color="grey", label="triangle: effector")]
        # Below the map, where it hides no border (in its upper corners it hid Norway's and Romania's ends)
        legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2, fontsize=7,
                           frameon=False, title=None if drawn else "units built (placed on the national maps: "
                           "dronewall maps)", title_fontsize=7)
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        ax.set_aspect("equal")
        ax.set_axis_off()
        s = plan.summary
        ax.set_title(
            f"dronewall plan: {s['scenario']} [{s['config_hash'][:8]}]\n"
            f"€{s['spend_eur']['drone_defence'] / 1e9:.2f}bn on drone defence, "
            f"€{s['spend_eur']['conventional'] / 1e9:.2f}bn conventional; "
            f"{s['defeat_rate_all_exact']:.0%} of drones defeated (exact)", fontsize=11)
        fig.tight_layout()
        # Under the legend, whatever the figure's shape (at the figure's foot it fell inside a wide map's legend)
        footer = ax.annotate(f"Borders: Natural Earth 1:10m (public domain) or user data. CRS: {crs_label(th.crs)}. "
                             "Catalog figures: configs/catalogs (sources and assumptions).", xy=(0.5, 0.0),
                             xycoords=legend, xytext=(0, -8), textcoords="offset points", ha="center", va="top",
                             fontsize=7, color="#566573", annotation_clip=False)
        fig.savefig(path, dpi=dpi, bbox_extra_artists=[legend, footer], bbox_inches="tight", pad_inches=0.15)
    finally:
        plt.close(fig)
    return path
