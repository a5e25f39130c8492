"""Scenario sections turned into the planning problem's arrays where the conversion is more than a lookup:
surveillance requirements per (nation, class), conventional capability areas with their requirement pieces, the
magazine shares and the engagement layers."""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.physics import max_engagement_distance_m

__all__ = ["PAIR_INDEX", "capability_area_arrays", "effector_fields", "detection_pairs", "engagement_pairs", "engagement_reach", "in_service_arrays", "layer_follow", "layer_ranks", "survivor_weight", "magazine_shares", "max_unit_arrays", "min_detection_array", "stack"]


def min_detection_array(cfg: Any, nations: tuple[str, ...], threat_ids: tuple[str, ...]) -> np.ndarray:
    """systems.min_detection as a (nations, threats) array of shares (the largest where entries overlap)."""
    out = np.zeros((len(nations), len(threat_ids)))
    for req in cfg.systems.min_detection:
        ns = range(len(nations)) if req.nation == "all" else [nations.index(req.nation)]
        ts = range(len(threat_ids)) if req.threat == "all" else [threat_ids.index(req.threat)]
        for n in ns:
            for t in ts:
                out[n, t] = max(out[n, t], req.share)
    return out


def max_unit_arrays(cfg: Any, nations: tuple[str, ...], sensor_ids: tuple[str, ...],
                    effector_ids: tuple[str, ...]) -> dict[str, Any]:
    """systems.max_units as the problem's unit caps, (nations, S) and (nations, E), inf where no limit is set (the
    smallest where entries overlap); empty arrays when the scenario sets none."""
    if not cfg.systems.max_units:
        return {}
    caps = {"sensor_max_units": np.full((len(nations), len(sensor_ids)), np.inf),
            "effector_max_units": np.full((len(nations), len(effector_ids)), np.inf)}
    for cap in cfg.systems.max_units:
        name, ids = (("sensor_max_units", sensor_ids) if cap.system in sensor_ids else
                     ("effector_max_units", effector_ids))
        if cap.system not in ids:
            continue  # a type the catalogs offer but the scenario does not allow: nothing to cap
        k = ids.index(cap.system)
        for n in (range(len(nations)) if cap.nation == "each" else [nations.index(cap.nation)]):
            caps[name][n, k] = min(caps[name][n, k], cap.units)
    return caps


def effector_fields(effectors: list[Any]) -> dict[str, Any]:
    """The effector types' figures the problem keeps, by field: costs, kinetic, shots per engagement (whole, at
    least one), magazine, and the shoot-look-shoot doctrine."""
    return {"effector_unit_cost_eur": np.array([e.unit_cost_eur.value for e in effectors]),
            "effector_operating_eur_per_year": np.array([e.operating_cost_eur_per_year.value for e in effectors]),
            "effector_kinetic": np.array([e.kinetic for e in effectors], dtype=bool),
            "effector_shots": np.array([max(1, round(e.shots_per_engagement.value)) for e in effectors], dtype=float),
            "effector_cost_per_shot_eur": np.array([e.cost_per_shot_eur.value for e in effectors]),
            "effector_magazine": np.array([e.magazine_shots_per_raid.value for e in effectors]),
            "effector_look": np.array([e.doctrine == "shoot_look_shoot" for e in effectors], dtype=bool)}


def capability_area_arrays(cfg: Any, convs: list[Any]) -> dict[str, Any]:
    """Capability-area fields of the problem: every area an option names, the scenario's listed areas with their
    requirement pieces, the others linear."""
    areas = tuple(dict.fromkeys(a for c in convs for a in c.capability_areas))
    points = np.array([[c.capability_score.value * c.capability_areas.get(a, 0.0) for a in areas] for c in convs])
    below, beyond, share = np.full(len(areas), np.inf), np.zeros(len(areas)), np.ones(len(areas))
    for k, a in enumerate(areas):
        req = cfg.objective.capability_areas.get(a)
        if req is not None:
            below[k], beyond[k] = req.segments()
            share[k] = req.beyond_requirement_share
    return {"area_ids": areas, "conv_area_points": points.reshape(len(convs), len(areas)), "area_below": below,
            "area_beyond": beyond, "area_beyond_share": share}



def magazine_shares(n_sites: int, n_effectors: int, n_cells: int, eng_site: np.ndarray, eng_effector: np.ndarray,
                    eng_cell: np.ndarray) -> np.ndarray:
    """(sites, effectors): the share of a unit's magazine reserved for each distinct cell it may engage over.

    The distinct (site, effector, cell) triples are counted as one int64 key each (a flat sort, not a row sort)."""
    out = np.zeros((n_sites, n_effectors))
    if len(eng_cell):
        keys, counts = np.unique(np.unique((eng_site.astype(np.int64) * n_effectors + eng_effector) * n_cells + eng_cell)
                                           // n_cells,
                                 return_counts=True)
        out[keys // n_effectors, keys % n_effectors] = 1.0 / counts
    return out


def layer_ranks(reach_m: np.ndarray) -> np.ndarray:
    """(effectors, threats) layer of each effector type against each class along the track: 0 for the types that
    reach it farthest, 1 for the next reach, ...; types with equal reach share a layer (those that cannot engage
    it rank after all others, unused)."""
    ranks = np.zeros(reach_m.shape, dtype=np.int64)
    for t in range(reach_m.shape[1]):
        col = reach_m[:, t]
        distinct = np.unique(col[col > 0])[::-1]
        ranks[:, t] = np.where(col > 0, np.searchsorted(-distinct, -col), len(distinct))
    return ranks


def layer_follow(cfg: Any, nations: tuple[str, ...], effectors: list[Any], threats: list[Any], reach_m: np.ndarray,
                 route_m: np.ndarray, reach_by_nation: np.ndarray | None = None) -> np.ndarray:
    """(nations, T, K, K) under kill_chain.layered (else empty): whether layer k may still engage a drone of class t
    that survived an engagement in an earlier layer l over a nation, in the time left. The drone is detected at the
    crossing and flies inland for its route's time (``route_m``, planner.routes.class_reach_m, over its speed); the
    nation's identification delay and the slowest reaction time of every layer from l to k must fit in it (as if the
    drone had been engaged in each layer between: on the safe side). A layer's types are those that reach the class
    over that nation (``reach_by_nation`` (nations, E, T), after its delay; else ``reach_m``), built or not. Where the
    time does not fit, the drones layer l engaged are lost to layer k whether they survived or not."""
    if not cfg.kill_chain.layered or not reach_m.size:
        return np.zeros((0, 0, 0, 0), dtype=bool)
    ranks = layer_ranks(reach_m)
    flight_s = np.asarray(route_m, dtype=float) / np.array([th.speed_mps.value for th in threats])
    react = np.array([e.reaction_time_s.value for e in effectors])
    n_layers = int(ranks.max()) + 1
    out = np.ones((len(nations), len(threats), n_layers, n_layers), dtype=bool)
    for n, nation in enumerate(nations):
        reach = reach_m if reach_by_nation is None else reach_by_nation[n]
        slowest = np.zeros((len(threats), n_layers))  # (T, K): the slowest reaction of the types in each layer
        for t in range(len(threats)):
            for k in range(n_layers):
                slowest[t, k] = react[(ranks[:, t] == k) & (reach[:, t] > 0)].max(initial=0.0)
        span = np.cumsum(slowest, axis=1)  # (T, K)
        delay = cfg.roe.identification_delay(nation)
        for first in range(n_layers):
            before = span[:, first - 1] if first else 0.0
            for later in range(first + 1, n_layers):
                out[n, :, first, later] = delay + span[:, later] - before <= flight_s
    return out


def survivor_weight(p: Any, nation: int, effector: int, threat: int, layer: int) -> float:
    """How layer ``layer``'s row counts an earlier type's engagements of a class over a nation (a PlanningProblem's
    ``layer_follow``): at its kill probability (its survivors stay for the layer), or whole where the layer cannot
    follow them in time."""
    follow = p.layer_follow
    if follow.size and not follow[nation, threat, p.layer(effector, threat), layer]:
        return 1.0
    return float(p.p_kill[effector, threat])


def in_service_arrays(in_service: tuple[tuple[int, str], ...], n_sites: int, sensor_ids: tuple[str, ...],
                      effector_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(sites, sensors) and (sites, effectors) masks of the units in service, from (site index, system id) pairs
    (snapped to their sites by the coverage stage)."""
    sens = np.zeros((n_sites, len(sensor_ids)), dtype=bool)
    eff = np.zeros((n_sites, len(effector_ids)), dtype=bool)
    for j, system in in_service:
        if system in sensor_ids:
            sens[j, sensor_ids.index(system)] = True
        elif system in effector_ids:
            eff[j, effector_ids.index(system)] = True
    return sens, eff


#: Integer type of the detection and engagement pairs' indices (cell, class, site, type). 32 bits hold any index the
#: size guard lets through and halve the largest arrays of a large problem (1 km cells with sites every 2 km: 23.7M
#: engagement pairs, 724 MB of indices in 64 bits; docs/performance.md). Arithmetic that combines indices into one
#: key (cell × sites × types can pass 2³¹) widens them to 64 bits first.
PAIR_INDEX = np.int32


def stack(parts: list[tuple[np.ndarray, ...]], k: int, dtype: Any) -> list[np.ndarray]:
    """The k parallel arrays of a list of k-tuples of array pieces, each concatenated (empty arrays of ``dtype``
    if there are no pieces)."""
    if not parts:
        return [np.zeros(0, dtype=dtype) for _ in range(k)]
    return [np.concatenate([p[q] for p in parts]) for q in range(k)]


def detection_pairs(weights: list[float], det_range: np.ndarray, pi: np.ndarray, pj: np.ndarray,
                    pd: np.ndarray) -> list[np.ndarray]:
    """Detection pairs (cell, class, site, sensor, weight) from the (cell, site) pairs ``pi``, ``pj`` at distances
    ``pd``: every sensor type and class whose detection range (S, T) covers the distance; the weight is the type's
    −ln(1 − p_detect) (``weights``)."""
    parts: list[tuple[np.ndarray, ...]] = []
    for s, w in enumerate(weights):
        for t in range(det_range.shape[1]):
            if det_range[s, t] <= 0:
                continue
            m = pd <= det_range[s, t]
            n = int(m.sum())
            parts.append((pi[m].astype(PAIR_INDEX), np.full(n, t, dtype=PAIR_INDEX), pj[m].astype(PAIR_INDEX),
                          np.full(n, s, dtype=PAIR_INDEX), np.full(n, w, dtype=float)))
    out = stack(parts, 5, PAIR_INDEX)
    return out[:4] + [out[4].astype(float, copy=False)]


def engagement_pairs(kinetic: np.ndarray, reach: np.ndarray, pair_nation: np.ndarray, pi: np.ndarray, pj: np.ndarray,
                     pd: np.ndarray, allowed: np.ndarray, cell_no_fire: np.ndarray,
                     site_no_fire: np.ndarray) -> list[np.ndarray]:
    """Engagement pairs (cell, class, site, effector) from the (cell, site) pairs ``pi``, ``pj`` at distances ``pd``:
    within the reach (nations, E, T) of each pair's site's nation (``pair_nation``), where the rules let the class
    be engaged over the cell (``allowed``, N × T) and, for kinetic effectors, neither the cell lies wholly in no-fire
    zones (``cell_no_fire``: the share of its length inside them; a part inside caps kinetic engagements in the
    model) nor the site in one."""
    parts: list[tuple[np.ndarray, ...]] = []
    for e in range(reach.shape[1]):
        for t in range(reach.shape[2]):
            if not (reach[:, e, t] > 0).any():
                continue
            m = (pd <= reach[pair_nation, e, t]) & allowed[pi, t]
            if kinetic[e]:
                m &= (cell_no_fire[pi] < 1) & ~site_no_fire[pj]
            n = int(m.sum())
            parts.append((pi[m].astype(PAIR_INDEX), np.full(n, t, dtype=PAIR_INDEX), pj[m].astype(PAIR_INDEX),
                          np.full(n, e, dtype=PAIR_INDEX)))
    return stack(parts, 4, PAIR_INDEX)


def engagement_reach(effectors: list[Any], threats: list[Any], pk: np.ndarray, delays_s: list[float],
                     route_m: np.ndarray | None = None) -> np.ndarray:
    """(len(delays_s), E, T): the largest track offset at which each effector can engage each class (0 where it
    cannot: no kill probability, or the class flies above it), with each delay added to its reaction time
    (roe.identification_delay_s: the envelope must cover both). With ``route_m`` (T,), the distance a class flies
    inland after it crosses (planner.routes.class_reach_m), an effector whose reaction time and delay exceed that
    flight's time cannot engage it: the drone has reached its end of route first (detection at the crossing)."""
    out = np.zeros((len(delays_s), len(effectors), len(threats)))
    flight_s = (np.full(len(threats), np.inf) if route_m is None
                else np.asarray(route_m, dtype=float) / np.array([th.speed_mps.value for th in threats]))
    for n, delay in enumerate(delays_s):
        for k, eff in enumerate(effectors):
            for t, th in enumerate(threats):
                if (pk[k, t] > 0 and th.altitude_m.value <= eff.max_altitude_m.value
                        and eff.reaction_time_s.value + delay <= flight_s[t]):
                    out[n, k, t] = max_engagement_distance_m(eff.range_m.value, eff.reaction_time_s.value + delay,
                                                             th.speed_mps.value)
    return out
