"""How large a scenario's problem will be, estimated before anything large is built.

:func:`estimate_size` works from cheap inputs only: the border lines (their parts' lengths and
shapes), the cell length, the candidate-site settings, the catalogs' ranges, the threat classes and
the nations. It counts cells and candidate sites as :mod:`planner.geo.theater` cuts them, coverage
pairs as :mod:`planner.problem` finds them (from points along the border, at most ``MAX_SAMPLES``
of each kind), the LP's variables and rows as :mod:`planner.lp.formulation` makes them (a little above the
real counts), and the peak memory of a solve from a model calibrated on measured runs
(docs/performance.md, "Problem size and memory"). :func:`check_size` refuses a scenario whose
estimate exceeds ``solver.memory_limit_gb`` and warns above half of it; :func:`build_theater` calls it
first, so every command that builds a theater is guarded.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from scipy.spatial import cKDTree

from planner.config.io import Scenario, display_path
from planner.config.scenario import ScenarioConfig
from planner.errors import ConfigError
from planner.geo.borders import Geodata, load_geodata
from planner.physics import max_engagement_distance_m, p_kill_engagement, sensor_range_m
from planner.settings import RUN_MIN_SITES, SEGMENT_CELLS

log = logging.getLogger(__name__)

#: At most this many points along the border stand for the cells (and as many for the site stations).
MAX_SAMPLES = 5_000
#: Rows of one detection group in the LP: the union bound, the looks and ten chords (planner.lp.kill_chain).
ROWS_PER_DETECTION_GROUP = 12

# Peak memory of a solve (the process and its worker processes, resident), fitted on `dronewall run`
# of the default scenario at 10 km to 500 m cells and set at least 5% above every measurement
# (docs/performance.md, "Problem size and memory"):
#: memory of the planner's own process before the problem (interpreter, libraries, geodata), MiB
BASE_MB = 480.0
#: memory of each worker process before its first model, MiB
WORKER_MB = 110.0
#: memory per coverage pair (detection or engagement): the problem's arrays and the pulp rows built on them, KiB
KB_PER_PAIR = 0.56
#: memory per engagement pair of a (cell, effector) whose rows are written over runs of sites (planner.lp.runs): the
#: problem's arrays and the lists of sites the rows are made from, but no model term, KiB; set above what the dense
#: shapes' peaks require (0.05 would do), as no shipped scenario has such rows to check it against
KB_PER_RUN_PAIR = 0.1
#: share of the limit above which a scenario is warned about
WARN_SHARE = 0.5
#: limit used where the machine's memory cannot be read, GiB
FALLBACK_LIMIT_GB = 8.0

GIB = 2.0**30


@dataclass(frozen=True)
class SizeEstimate:
    """Estimated size of a scenario's theater, problem and LP, and the peak memory of solving it."""

    scenario: str
    cell_length_m: float
    border_km: float
    nations: int
    threats: int
    cells: int
    sites: int  # an upper bound: stations × depths (sites off the defender's land are dropped later)
    detection_pairs: int
    engagement_pairs: int
    run_pairs: int  # of the engagement pairs, those whose rows are written over runs of sites (planner.lp.runs)
    variables: int  # of the LP (summed over the nations' models): 5-15% above the real count
    rows: int  # likewise
    workers: int
    peak_gb: float
    limit_gb: float
    limit_source: str  # where the limit comes from, e.g. "half of this machine's 23.4 GB"

    @property
    def pairs(self) -> int:
        return self.detection_pairs + self.engagement_pairs

    @property
    def share(self) -> float:
        """Estimated peak as a share of the limit."""
        return self.peak_gb / self.limit_gb

    def describe(self) -> str:
        """One line for messages: counts, the peak and the limit."""
        runs = f" ({_short(self.run_pairs)} of them in rows over runs of sites)" if self.run_pairs else ""
        return (f"{self.cells:,} cells of {self.cell_length_m:,.0f} m on {self.border_km:,.0f} km of border, "
                f"{self.sites:,} candidate sites, {_short(self.detection_pairs)} detection and "
                f"{_short(self.engagement_pairs)} engagement pairs{runs}, {_short(self.variables)} LP variables and "
                f"{_short(self.rows)} rows: about {self.peak_gb:.1f} GB at peak against a limit of "
                f"{self.limit_gb:.1f} GB ({self.limit_source})")

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def pairs_mb(pairs: float, run_pairs: float) -> float:
    """The part of the peak memory that grows with the coverage pairs (``run_pairs`` of them in rows over runs), MiB."""
    return (KB_PER_PAIR * (pairs - run_pairs) + KB_PER_RUN_PAIR * run_pairs) / 1024


def _short(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f}M"
    if n >= 1e4:
        return f"{n / 1e3:.0f}k"
    return f"{n:,.0f}"


def machine_memory_gb() -> float | None:
    """Physical memory of this machine, or the container's limit where that is lower, GiB (None if unknown)."""
    total: float | None = None
    try:
        total = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        total = None
    for name in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(name).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and (total is None or int(text) < total):
            total = float(text)
    return total / GIB if total else None


def memory_limit(scenario: Scenario) -> tuple[float, str]:
    """The scenario's memory limit in GiB and where it comes from."""
    fixed = scenario.config.solver.memory_limit_gb
    if fixed is not None:
        return float(fixed), "solver.memory_limit_gb"
    machine = machine_memory_gb()
    if machine is None:
        return FALLBACK_LIMIT_GB, "the default where this machine's memory cannot be read"
    return machine / 2, f"half of this machine's {machine:.1f} GB"


def _lines(geom: shapely.Geometry) -> list[shapely.LineString]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "LineString" and g.length > 0]


@dataclass(frozen=True)
class _Ranges:
    threat_ids: tuple[str, ...]  # as the theater orders them
    detect: np.ndarray  # (S, T) detection range, m (0: cannot detect)
    engage: np.ndarray  # (E, T) engagement reach, m (0: cannot engage)
    manned: np.ndarray  # (T,) bool
    decoy: np.ndarray  # (T,) bool


def _reach(scenario: Scenario) -> _Ranges:
    """Ranges of the scenario's systems against its threat classes, as :func:`planner.problem.build_problem`
    computes them."""
    cfg, cat = scenario.config, scenario.catalog
    threat_ids = tuple(dict.fromkeys(d.threat for d in cfg.threats.density))
    threats = [cat.threats[t] for t in threat_ids]
    sensors = [cat.sensors[s] for s in (cfg.systems.sensors if cfg.systems.sensors is not None else cat.sensors)]
    effectors = [cat.effectors[e] for e in (cfg.systems.effectors if cfg.systems.effectors is not None
                                            else cat.effectors)]
    det = np.array([[sensor_range_m(s, th, tid) for tid, th in zip(threat_ids, threats, strict=True)]
                    for s in sensors]).reshape(len(sensors), len(threats))
    eng = np.zeros((len(effectors), len(threats)))
    for k, e in enumerate(effectors):
        for t, (tid, th) in enumerate(zip(threat_ids, threats, strict=True)):
            if p_kill_engagement(e, tid) > 0 and th.altitude_m.value <= e.max_altitude_m.value:
                eng[k, t] = max_engagement_distance_m(e.range_m.value, e.reaction_time_s.value, th.speed_mps.value)
    return _Ranges(threat_ids=threat_ids, detect=det, engage=eng,
                   manned=np.array([th.manned for th in threats], dtype=bool),
                   decoy=np.array([th.decoy for th in threats], dtype=bool))


def _has_demand(scenario: Scenario, border_ids: list[str], threat_ids: tuple[str, ...]) -> np.ndarray:
    """(borders, T) bool: drones of the class are expected on the border (a border entry replaces 'all')."""
    out = np.zeros((len(border_ids), len(threat_ids)), dtype=bool)
    for t, tid in enumerate(threat_ids):
        entries = [d for d in scenario.config.threats.density if d.threat == tid]
        default = next((d.drones_per_raid_per_100km for d in entries if d.borders == "all"), 0.0)
        for b, bid in enumerate(border_ids):
            rate = next((d.drones_per_raid_per_100km for d in entries if d.borders != "all" and bid in d.borders),
                        default)
            out[b, t] = rate > 0
    return out


def _points(line: shapely.LineString, n: int, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points standing for ``n`` equal pieces of ``line`` (their midpoints, or fewer if ``step`` is longer
    than a piece), with the number of pieces each stands for."""
    k = min(n, max(1, round(line.length / step)))
    at = (np.arange(k) + 0.5) * line.length / k
    return shapely.get_coordinates(shapely.line_interpolate_point(line, at)), np.full(k, n / k)


def _pairs_within(cells: cKDTree, sites: cKDTree, cell_w: np.ndarray, site_w: np.ndarray, ranges: np.ndarray,
                  depths: np.ndarray) -> float:
    """Weighted count of (cell, site) pairs within each range (summed), sites standing ``depths`` inland."""
    radii = [math.sqrt(r * r - d * d) for r in ranges for d in depths if r > d]
    if not radii or not cell_w.any():
        return 0.0
    return float(np.sum(cells.count_neighbors(sites, np.array(radii), weights=(cell_w, site_w))))


@dataclass
class _Points:
    """Points along one border part standing for its cells (or its candidate-site stations)."""

    xy: np.ndarray  # (k, 2)
    weight: np.ndarray  # (k,) cells or stations each point stands for
    border: int
    nation: int


def _coverage(cfg: ScenarioConfig, cells: list[_Points], stations: list[_Points], ranges: _Ranges,
              demand: np.ndarray) -> dict[str, float]:
    """Weighted counts of coverage pairs and of the LP's parts over one sector's cells and stations."""
    depths = np.asarray(cfg.theater.site_depths_m, dtype=float)
    det, eng = ranges.detect, ranges.engage
    roe = [cfg.roe.per_nation.get(n, cfg.roe.default) for n in cfg.geodata.defenders]
    allowed = np.array([[r != "escort_only" and not (r == "shoot_unmanned" and m) for m in ranges.manned]
                        for r in roe], dtype=bool).reshape(len(roe), len(ranges.manned))
    xy, w = np.concatenate([c.xy for c in cells]), np.concatenate([c.weight for c in cells])
    has = np.concatenate([np.repeat(demand[c.border][None, :], len(c.xy), axis=0) for c in cells])  # (k, T)
    can = has & np.concatenate([np.repeat(allowed[c.nation][None, :], len(c.xy), axis=0) for c in cells])
    cells_tree, sites_tree = cKDTree(xy), cKDTree(np.concatenate([c.xy for c in stations]))
    site_w = np.concatenate([c.weight for c in stations])
    out = {"detection_pairs": _pairs_within(cells_tree, sites_tree, w, site_w, det.ravel(), depths),
           "engagement_pairs": sum(_pairs_within(cells_tree, sites_tree, w * can[:, t], site_w, eng[:, t], depths)
                                   for t in range(eng.shape[1]))}
    # The LP's parts, from each cell's nearest site: classes every sensor sees alike share a detection group;
    # the classes an effector reaches in a cell are taken to share one cover variable.
    nearest = np.hypot(sites_tree.query(xy)[0], depths.min())
    seen = has & (nearest[:, None] <= det.max(axis=0, initial=0.0)[None, :])  # (k, T)
    reach = can[:, None, :] & (nearest[:, None, None] <= eng[None, :, :])  # (k, E, T)
    alike = np.unique(det.T, axis=0, return_inverse=True)[1].reshape(-1)
    out["groups"] = float(w @ sum(seen[:, alike == a].any(axis=1) for a in np.unique(alike)))
    if cfg.kill_chain.layered:  # an engaged-le-survivors row per layer (distinct reach) in reach
        out["engaged"] = float(sum(w @ reach[:, eng[:, t] == r, t].any(axis=1)
                                   for t in range(eng.shape[1]) for r in np.unique(eng[:, t][eng[:, t] > 0])))
    else:
        out["engaged"] = float(w @ reach.any(axis=1).sum(axis=1))
    out["triples"] = float(w @ reach.sum(axis=(1, 2)))
    out["covers"] = float(w @ (reach.sum(axis=2) > 1).sum(axis=1))
    out["cell_effectors"] = float(w @ reach.any(axis=2).sum(axis=1))
    out["decoy_rows"] = float(w @ (reach[:, :, ranges.decoy].any(axis=2) & reach[:, :, ~ranges.decoy].any(axis=2)
                                   ).sum(axis=1))
    longest = np.concatenate([det.max(axis=1, initial=0.0),
                              np.where(can.any(axis=0)[None, :], eng, 0.0).max(axis=1, initial=0.0)])
    to_cell = np.hypot(cells_tree.query(sites_tree.data)[0][:, None], depths[None, :])  # (stations, depths)
    builds = np.array([site_w @ (to_cell <= r).sum(axis=1) for r in longest])
    out["builds"] = float(builds.sum())
    # Rows over runs: the pairs they hold, and per type a chain of prefix sums (a variable and a row per site) for
    # its reach rows and another for its magazine rows.
    out["run_pairs"], long = _run_pairs(cells_tree, sites_tree, w, float(site_w.mean()), can, eng, depths)
    out["chain_links"] = 2.0 * float(builds[det.shape[0]:][long].sum())
    return out


def _run_pairs(cells: cKDTree, sites: cKDTree, cell_w: np.ndarray, mean_site_w: float, can: np.ndarray,
               eng: np.ndarray, depths: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted count of the engagement pairs of (cell, effector) couples that reach at least RUN_MIN_SITES sites
    for some class: their reach and magazine rows are written over runs of sites (planner.lp.runs), two terms a run
    instead of one a site, so such pairs cost the problem's arrays only; and which effectors have such rows. The
    model decides row by row (a reach row by its class's sites, a magazine row by the union over the classes), so
    a couple whose classes straddle the threshold is counted whole (none in the shipped catalogs: a type's reach
    differs by under 3% from class to class where it is that long)."""
    counted: dict[float, np.ndarray] = {}

    def reached(r: float) -> np.ndarray:  # sites within reach r of each cell point, over the depths
        if r not in counted:
            counted[r] = mean_site_w * sum((sites.query_ball_point(cells.data, math.sqrt(r * r - d * d),
                                                                   return_length=True) for d in depths if r > d),
                                           start=np.zeros(len(cell_w)))
        return counted[r]

    total, chained = 0.0, np.zeros(eng.shape[0], dtype=bool)
    for e in range(eng.shape[0]):
        n = np.column_stack([reached(float(r)) if r > 0 else np.zeros(len(cell_w)) for r in eng[e]]) * can  # (k, T)
        long = n.max(axis=1, initial=0.0) >= RUN_MIN_SITES
        total += float(cell_w[long] @ n[long].sum(axis=1))
        chained[e] = long.any()
    return total, chained


def estimate_size(scenario: Scenario, geodata: Geodata | None = None) -> SizeEstimate:
    """Estimate cells, sites, coverage pairs, LP size and peak memory without building the theater.

    For ``dronewall validate`` and for :func:`check_size`; reads the geodata if none is given."""
    geodata = geodata or load_geodata(scenario)
    cfg = scenario.config
    th = cfg.theater
    nations = list(cfg.geodata.defenders)
    ranges = _reach(scenario)
    borders = geodata.borders.reset_index(drop=True)
    lines = [_lines(g) for g in borders.geometry]
    border_m = float(sum(line.length for parts in lines for line in parts))
    step_cell = max(th.cell_length_m, border_m / MAX_SAMPLES)
    step_site = max(th.site_spacing_m, border_m / MAX_SAMPLES)

    # Cells as build_cells cuts them, stations as build_sites places them (a site per depth at each).
    n_cells = n_stations = 0
    cells: list[_Points] = []
    stations: list[_Points] = []
    for b, (parts, defender) in enumerate(zip(lines, borders["defender"], strict=True)):
        for line in parts:
            n = max(1, round(line.length / th.cell_length_m))
            n_cells += n
            cells.append(_Points(*_points(line, n, step_cell), b, nations.index(defender)))
            n = max(1, int(line.length // th.site_spacing_m))
            n_stations += n
            stations.append(_Points(*_points(line, n, step_site), b, nations.index(defender)))
    sites = n_stations * len(th.site_depths_m)

    # Each nation covers its own cells, unless coverage crosses borders.
    demand = _has_demand(scenario, list(borders["border_id"]), ranges.threat_ids)
    sectors = [range(len(nations))] if th.cross_border_coverage else [[k] for k in range(len(nations))]
    parts: defaultdict[str, float] = defaultdict(float)
    for sector in sectors:
        cs = [c for c in cells if c.nation in sector]
        ss = [c for c in stations if c.nation in sector]
        if cs and ss:
            for key, value in _coverage(cfg, cs, ss, ranges, demand).items():
                parts[key] += value
    log.debug("size parts: %s", {k: round(v) for k, v in parts.items()})

    # LP size as planner.lp.formulation builds it: per detection group 2 variables (rate, potential) and 12 rows
    # (union bound, looks, ten chords); per (cell, class) engaged an engaged-le-detected row (one per layer with
    # kill_chain.layered; point defence's rows are not counted); per (cell,
    # class, effector) in reach an engagement variable and its reach row; a cover variable and row where
    # classes share reach; per (cell, effector) a magazine row and, where decoys mix in, a decoy-share row;
    # a build variable per (site, system) that covers a cell, one per conventional option; the budget rows; a
    # variable and a row per link of the chains of prefix sums (planner.lp.runs).
    conv = cfg.systems.conventional
    n_conv = len(conv if conv is not None else scenario.catalog.conventional)
    variables = (2 * parts["groups"] + parts["triples"] + parts["covers"] + parts["builds"] + n_conv
                 + parts["chain_links"])
    rows = (ROWS_PER_DETECTION_GROUP * parts["groups"] + parts["engaged"] + parts["triples"] + parts["covers"]
            + parts["cell_effectors"] + parts["decoy_rows"] + 1 + len(cfg.budget.per_nation_eur) + parts["chain_links"])

    pairs = parts["detection_pairs"] + parts["engagement_pairs"]
    # Strategy sectors solves the nations in worker processes, or one part's segments along the border (a single
    # nation, cross-border coverage; planner.lp.segments) where it has at least two segments' worth of cells.
    by_nation = not th.cross_border_coverage and len(nations) > 1
    slots = len(nations) if by_nation else (round(n_cells / SEGMENT_CELLS) if n_cells >= 2 * SEGMENT_CELLS else 0)
    workers = min(cfg.solver.threads, slots) if cfg.solver.strategy == "sectors" else 0
    peak_mb = BASE_MB + WORKER_MB * workers + pairs_mb(pairs, parts["run_pairs"])
    limit_gb, source = memory_limit(scenario)
    return SizeEstimate(
        scenario=scenario.name, cell_length_m=float(th.cell_length_m), border_km=border_m / 1000,
        nations=len(nations), threats=len(ranges.threat_ids), cells=n_cells, sites=sites,
        detection_pairs=round(parts["detection_pairs"]), engagement_pairs=round(parts["engagement_pairs"]),
        run_pairs=round(parts["run_pairs"]),
        variables=round(variables), rows=round(rows), workers=workers, peak_gb=peak_mb / 1024, limit_gb=limit_gb,
        limit_source=source,
    )


def check_size(scenario: Scenario, geodata: Geodata | None = None) -> SizeEstimate:
    """Estimate the scenario's size; refuse it (:class:`ConfigError`) above its memory limit
    (``solver.memory_limit_gb``), log a warning above half of it."""
    est = estimate_size(scenario, geodata)
    if est.share > 1:
        raise ConfigError([_refusal(scenario, est)], source=display_path(scenario.path))
    if est.share > WARN_SHARE:
        log.warning("a large problem, %.0f%% of the memory limit: %s", 100 * est.share, est.describe())
    else:
        log.info("estimated size: %s", est.describe())
    return est


def _refusal(scenario: Scenario, est: SizeEstimate) -> tuple[str, str]:
    """(field, message): the finer of cell length and site spacing is named, with a length that would fit."""
    th = scenario.config.theater
    field, length = "theater.cell_length_m", th.cell_length_m
    if th.site_spacing_m < min(th.cell_length_m, 1_000):
        field, length = "theater.site_spacing_m", th.site_spacing_m
    room_mb = est.limit_gb * 1024 - BASE_MB - WORKER_MB * est.workers
    hint = ""
    if room_mb > 0 and est.pairs > 0:
        # Coverage pairs grow in inverse proportion to the cell length (and to the site spacing).
        fits = 1.05 * length * pairs_mb(est.pairs, est.run_pairs) / room_mb  # 5% for rounding of cells
        step = 10.0 ** max(0, math.floor(math.log10(fits)) - 1)  # two significant digits, rounded up
        hint = f"; about {math.ceil(fits / step) * step:,.0f} m would fit"
    return field, (f"the problem is too large for the memory limit: {est.describe()}. Raise {field} (now "
                   f"{length:,.0f} m{hint}), place candidate sites more coarsely (raise theater.site_spacing_m, "
                   "list fewer theater.site_depths_m), or raise solver.memory_limit_gb if the machine has the "
                   "memory")
