"""The kill chain's rows, for one world over given builds: detection (log-survival potentials under chord
cuts and a union bound), engagement flows bounded by detection (layer by layer: a layer engages the detected
drones the earlier layers did not kill) and by reach, then point defence on the routes past the protected assets,
magazines shared among the cells a unit covers, decoys drawing their share of shots, and escorts of crewed incursions
(docs/formulation.md, constraints 1-6 and 10); in large models, cuts that tighten the layered rows' relaxation (4c)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pulp

from planner.lp.cuts import CutPool
from planner.lp.pairs import sites_in_reach
from planner.lp.result import FixedPlan
from planner.lp.runs import RUN_MIN_SITES, Chain, chain, run_terms
from planner.problem import PlanningProblem
from planner.problem_arrays import survivor_weight

#: Breakpoints of the piecewise-linear under-estimate of 1 − exp(−δ). The last one is where the
#: cap sits: detection is never promised above 1 − e^(−6.9) ≈ 0.999. (A further chord towards
#: 1 − 1e-6 has a slope of 1e-4; with it HiGHS 1.16's presolve returned a sub-optimal plan as
#: "optimal" on a covering test, so the promise stops at 99.9%, on the safe side.)
BREAKPOINTS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.6, 6.9)


def chords() -> list[tuple[float, float]]:
    """(intercept, slope) of each chord between consecutive breakpoints, plus the final flat cap."""
    out = []
    for a, b in zip(BREAKPOINTS[:-1], BREAKPOINTS[1:], strict=True):
        fa, fb = 1 - math.exp(-a), 1 - math.exp(-b)
        slope = (fb - fa) / (b - a)
        out.append((fa - slope * a, slope))
    out.append((1 - math.exp(-BREAKPOINTS[-1]), 0.0))
    return out


def affine(terms: list[tuple[pulp.LpVariable, float]], constant: float = 0.0) -> pulp.LpAffineExpression:
    """An expression from (variable, coefficient) pairs; repeated variables are summed (pulp would
    keep only the last)."""
    acc: dict[pulp.LpVariable, float] = {}
    for var, coef in terms:
        acc[var] = acc.get(var, 0.0) + coef
    return pulp.LpAffineExpression(list(acc.items()), constant=constant)


@dataclass
class World:
    """The variables of one world's kill chain over shared builds: detection rates {(cell, threat): (rate, λ)},
    engagement flows {(cell, threat, effector)} (all engagements of a type, at the border and at point-defence
    sites), the sites in reach with the share of their magazine kept for the cell {(cell, effector): {site: share}},
    and the point-defence engagements by pair."""

    detected: dict[tuple[int, int], tuple[pulp.LpVariable, float]] = field(default_factory=dict)
    engage: dict[tuple[int, int, int], pulp.LpVariable] = field(default_factory=dict)
    cover: dict[tuple[int, int], dict[int, float]] = field(default_factory=dict)
    #: kill_chain.point_defence: the engagement of each point-defence pair (index into the problem's pt_* arrays).
    point: dict[int, pulp.LpVariable] = field(default_factory=dict)
    #: Escort sorties sent per raid {(cell, crewed class, alert type)} (planner.escort).
    escort: dict[tuple[int, int, int], pulp.LpVariable] = field(default_factory=dict)
    #: The border sites of ``cover`` {(cell, effector): sorted sites} (point-defence sites are added to ``cover`` after).
    border: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    #: Prefix sums of one type's builds along its sites {("reach" or "magazine", effector): chain} (planner.lp.runs).
    chains: dict[tuple[str, int], Chain] = field(default_factory=dict)
    #: Each border engagement and the builds in its reach {(cell, threat, effector): (engagement, [(variable,
    #: coefficient)])}, as its reach row sums them (a cover variable where several classes share them); the border's
    #: own even after point defence turns ``engage`` into totals.
    reach: dict[tuple[int, int, int], tuple[pulp.LpVariable, list[tuple[pulp.LpVariable, float]]]] = field(
        default_factory=dict)
    #: The layered kill chain's cuts, kept out of the model until separated (planner.lp.cuts).
    cuts: CutPool = field(default_factory=CutPool)


def _sum_over(prob: pulp.LpProblem, p: PlanningProblem, ye: dict[tuple[int, int], pulp.LpVariable], world: World,
              kind: str, e: int, sites: list[int], coef: float, tag: str) -> list[tuple[pulp.LpVariable, float]]:
    """coef × Σ_(j in sites) w_j y_je (w = 1 for "reach", the magazine share for "magazine"): site by site, or over
    runs of consecutive sites where there are at least RUN_MIN_SITES of them (planner.lp.runs)."""
    def weight(j: int) -> float:
        return 1.0 if kind == "reach" else float(p.mag_share[j, e])

    if len(sites) >= RUN_MIN_SITES:
        if (kind, e) not in world.chains:
            world.chains[kind, e] = chain(prob, [(j, y) for (j, k), y in ye.items() if k == e], weight,
                                          f"chain_{kind}[{p.effector_ids[e]}]{tag}")  # no family's prefix
        terms = run_terms(world.chains[kind, e], sites, coef)
        if terms is not None:
            return terms
    return [(ye[j, e], coef * weight(j)) for j in sites]


def define_detection(prob: pulp.LpProblem, p: PlanningProblem, xs: dict[tuple[int, int], pulp.LpVariable],
                     world: World, *, fixed: FixedPlan | None = None, tag: str = "") -> None:
    """Detection (constraints 1-2): one rate per cell and group of threats that the same looks see alike, under
    a union bound and chords of 1 − e^(−δ); with ``fixed`` builds, the exact rate as an upper bound."""
    looks: dict[tuple[int, int], list[tuple[int, int, float]]] = defaultdict(list)
    for i, t, j, s, w in zip(p.det_cell.tolist(), p.det_threat.tolist(), p.det_site.tolist(),
                             p.det_sensor.tolist(), p.det_weight.tolist(), strict=True):
        looks[i, t].append((j, s, w))
    alike: dict[tuple[int, tuple[tuple[int, int, float], ...]], list[int]] = defaultdict(list)
    for (i, t), sig in looks.items():
        if p.demand[i, t] > 0:
            alike[i, tuple(sorted(sig))].append(t)
    if not alike:
        return
    cuts = chords()
    for (i, signature), ts in alike.items():
        name = f"{p.cell_ids[i]},{p.threat_ids[ts[0]]}"
        rate = prob.add_variable(f"detect_rate[{name}]{tag}", 0, 1)
        for t in ts:
            world.detected[i, t] = (rate, float(p.demand[i, t]))
        terms = [(xs[j, s], w) for j, s, w in signature]
        if fixed is not None:
            delta = sum(w * float(v.lowBound) for v, w in terms)  # builds are fixed: bounds hold their values
            rate.upBound = 1 - math.exp(-delta)
            continue
        # Union bound, valid for integer builds (1 − Π(1 − p) ≤ Σ p) and much tighter than the chords
        # in the relaxation, where a fraction of one likely sensor would otherwise "detect" everything.
        prob.addConstraint(pulp.LpConstraint(
            affine([(rate, 1.0)] + [(v, -(1 - math.exp(-w))) for v, w in terms]), pulp.LpConstraintLE,
            f"union[{name}]{tag}", 0))
        delta = prob.add_variable(f"delta[{name}]{tag}", 0)
        prob.addConstraint(pulp.LpConstraint(affine([(delta, 1.0)] + [(v, -w) for v, w in terms]),
                                             pulp.LpConstraintEQ, f"looks[{name}]{tag}", 0))
        for k, (a, b) in enumerate(cuts):
            if b == 0:
                rate.upBound = a
                continue
            prob.addConstraint(pulp.LpConstraint(affine([(rate, 1.0), (delta, -b)]), pulp.LpConstraintLE,
                                                 f"chord{k}[{name}]{tag}", a))


def define_reach(prob: pulp.LpProblem, p: PlanningProblem, ye: dict[tuple[int, int], pulp.LpVariable],
                 world: World, *, tag: str = "") -> None:
    """Engagement (constraints 3-4): flows only from built units in reach (rules of engagement and no-fire zones
    are in the pairs), rows shared by the threats an effector reaches from the same sites; per layer along the
    track, engaged ≤ detected − killed by the earlier layers (one layer unless kill_chain.layered), detected counting
    only the threatening share under roe.engage_only_threatening; where no-fire zones cover a share z of a cell,
    each layer's kinetic engagements + the earlier layers' kills ≤ (1 − z) × detected (constraint 4b)."""
    seen = np.zeros((len(p.cell_ids), max(len(p.threat_ids), 1)), dtype=bool)
    for i, t in world.detected:
        seen[i, t] = True
    reach, cover = sites_in_reach(p, seen)
    world.cover = cover
    world.border = {key: sorted(sites) for key, sites in cover.items()}
    if not reach:
        return
    same_reach: dict[tuple[int, int, tuple[int, ...]], list[int]] = defaultdict(list)
    for (i, t, e), sites in reach.items():
        same_reach[i, e, sites].append(t)
    eng = world.engage
    for (i, e, reached), ts in same_reach.items():
        builds = _sum_over(prob, p, ye, world, "reach", e, list(reached), 1.0, tag)
        if len(ts) > 1 and len(reached) > 1:  # Σ_j y_je once, in a cover variable, for all these threats
            name = f"cover[{p.cell_ids[i]},{p.threat_ids[ts[0]]},{p.effector_ids[e]}]{tag}"
            shared = prob.add_variable(name, 0, 1)
            prob.addConstraint(pulp.LpConstraint(affine([(shared, 1.0)] + [(y, -c) for y, c in builds]),
                                                 pulp.LpConstraintLE, name, 0))
            builds = [(shared, 1.0)]
        for t in ts:
            lam = float(p.demand[i, t])
            name = f"{p.cell_ids[i]},{p.threat_ids[t]},{p.effector_ids[e]}"
            v = prob.add_variable(f"engage[{name}]{tag}", 0, lam)
            eng[i, t, e] = v
            world.reach[i, t, e] = (v, builds)
            prob.addConstraint(pulp.LpConstraint(affine([(v, 1.0)] + [(y, -lam * c) for y, c in builds]),
                                                 pulp.LpConstraintLE, f"reach[{name}]{tag}", 0))
    by_cell_threat: dict[tuple[int, int], list[tuple[int, pulp.LpVariable]]] = defaultdict(list)
    for (i, t, e), v in eng.items():
        by_cell_threat[i, t].append((e, v))
    for (i, t), evs in by_cell_threat.items():
        rate, lam = world.detected[i, t]
        if p.engage_share is not None:  # roe.engage_only_threatening: only the share whose route leads to an asset
            lam *= float(p.engage_share[i, t])
        layer = {e: p.layer(e, t) for e, _ in evs}
        nation = int(p.cell_nation[i])
        layers = sorted(set(layer.values()))
        for k in layers:  # a layer engages at most the detected drones the earlier layers did not kill
            name = "engaged_le_detected" if k == layers[0] else f"engaged_le_survivors{k}"
            terms = [(v, 1.0) for e, v in evs if layer[e] == k]
            # the earlier layers' kills; all they engaged where this layer cannot follow them in the time left
            earlier = [(v, survivor_weight(p, nation, e, t, k)) for e, v in evs if layer[e] < k]
            terms += earlier
            prob.addConstraint(pulp.LpConstraint(affine([(rate, -lam), *terms]), pulp.LpConstraintLE,
                                                 f"{name}[{p.cell_ids[i]},{p.threat_ids[t]}]{tag}", 0))
            outside = 1.0 - float(p.cell_no_fire[i])
            kinetic = [(v, 1.0) for e, v in evs if layer[e] == k and p.effector_kinetic[e]]
            if outside < 1.0 and kinetic:
                # No kinetic fire at the drones crossing inside no-fire zones: a layer's kinetic engagements meet at
                # most the detected drones crossing outside less every earlier layer's kills (some of those may have
                # been inside: conservative, and never more than the drones there are).
                prob.addConstraint(pulp.LpConstraint(affine([(rate, -lam * outside), *kinetic, *earlier]),
                                                     pulp.LpConstraintLE, f"kinetic_outside_no_fire{k}"
                                                     f"[{p.cell_ids[i]},{p.threat_ids[t]}]{tag}", 0))


def define_layer_cuts(p: PlanningProblem, world: World, *, tag: str = "") -> None:
    """Cuts of the layered kill chain into ``world.cuts`` (constraint 4c; planner.lp.cuts adds the ones a relaxation
    violates). For a type b of layer k in a cell and class and an earlier layer m, with E_m its engagements as layer
    k's row counts them (weights w ≤ W < 1) and Y_b the builds in b's reach: e_b + E_m ≤ W·Λ·r + (1 − W)·Λ·Y_b.
    Without a unit of b in reach, e_b = 0 and E_m ≤ W·Λ·r (layer m engages at most the Λ·r detected); with one
    (Y_b ≥ 1, r ≤ 1), layer k's row is stronger. Valid for every plan whose cover variables stand at min(1, Σ y),
    which any plan can take at no cost: the cuts keep the optimum and tighten the relaxation, where a fraction f of a
    later layer's unit would otherwise engage f of all the detected drones, and a whole unit meets only the earlier
    layers' survivors."""
    if not p.layer_rank.size:
        return
    by_cell_threat: dict[tuple[int, int], list[tuple[int, pulp.LpVariable]]] = defaultdict(list)
    for (i, t, e), (v, _) in world.reach.items():  # the border's engagements (never point defence's totals)
        by_cell_threat[i, t].append((e, v))
    for (i, t), evs in by_cell_threat.items():
        layer = {e: p.layer(e, t) for e, _ in evs}
        if len(set(layer.values())) < 2:
            continue
        rate, lam = world.detected[i, t]
        if p.engage_share is not None:
            lam *= float(p.engage_share[i, t])
        nation = int(p.cell_nation[i])
        for b, v in evs:
            k = layer[b]
            earlier: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
            for e, u in evs:
                if layer[e] < k:
                    earlier[layer[e]].append((u, survivor_weight(p, nation, e, t, k)))
            for m, flows in sorted(earlier.items()):
                w = max(c for _, c in flows)
                if w >= 1.0 - 1e-9:  # layer k cannot follow them, or kills every one it engages: nothing to cut
                    continue
                builds = [(y, -(1 - w) * lam * c) for y, c in world.reach[i, t, b][1]]
                terms = [(v, 1.0), *flows, (rate, -w * lam), *builds]
                world.cuts.add(f"layer_cut{m}[{p.cell_ids[i]},{p.threat_ids[t]},{p.effector_ids[b]}]{tag}", terms)


def point_routes(p: PlanningProblem) -> tuple[np.ndarray, np.ndarray]:
    """(Q,) each point-defence pair's route and its place on it; a problem built without them (one site per route,
    the arcs of uniform headings) gets a route per cell and site, each site first on its own."""
    if len(p.pt_route) == len(p.pt_cell) == len(p.pt_order):
        return p.pt_route, p.pt_order
    if len(p.pt_route) or len(p.pt_order):  # sliced without them: the routes' order would be lost, silently
        msg = f"point-defence routes ({len(p.pt_route)}) do not match the pairs ({len(p.pt_cell)}): slice pt_route too"
        raise ValueError(msg)
    return p.pt_cell * len(p.site_ids) + p.pt_site, np.zeros(len(p.pt_cell), dtype=np.int64)


def define_point(prob: pulp.LpProblem, p: PlanningProblem, ye: dict[tuple[int, int], pulp.LpVariable],
                 world: World, *, tag: str = "") -> None:
    """Point defence (constraint 3b): the drones of a cell and class on a route, a share c of them, meet its sites
    in order after the border's layers (with uniform headings a route is one site's arc). Per site and layer there,
    engaged + killed by its earlier layers + killed at the route's earlier sites ≤ c · (detected − killed at the
    border), detected counting the threatening share under roe.engage_only_threatening; each pair ≤ c · λ · its unit
    built. A type's engagements become the border's plus its point-defence pairs' (one total per cell, class and
    type)."""
    routes: dict[tuple[int, int, int], dict[tuple[int, int], list[tuple[int, int]]]] = defaultdict(dict)
    route, order = point_routes(p)
    for q, (i, t, j, e, r, k) in enumerate(zip(p.pt_cell.tolist(), p.pt_threat.tolist(), p.pt_site.tolist(),
                                               p.pt_effector.tolist(), route.tolist(), order.tolist(), strict=True)):
        if (i, t) in world.detected:
            routes[i, t, r].setdefault((k, j), []).append((q, e))
    if not routes:
        return
    border: dict[tuple[int, int], list[tuple[int, pulp.LpVariable]]] = defaultdict(list)
    for (i, t, e), v in world.engage.items():
        border[i, t].append((e, v))
    parts: dict[tuple[int, int, int], list[pulp.LpVariable]] = defaultdict(list)
    several = len(p.pt_route) > 0  # routes named: a site may stand on several of a cell's routes
    for (i, t, r), stops in routes.items():
        first_pair = next(iter(stops.values()))[0][0]
        c, lam = float(p.pt_share[first_pair]), float(p.demand[i, t])
        rate, _ = world.detected[i, t]
        seen = lam * (float(p.engage_share[i, t]) if p.engage_share is not None else 1.0)
        killed = [(v, c * float(p.p_kill[e, t])) for e, v in border[i, t]]  # uniform over the routes
        for (_k, j), pairs in sorted(stops.items()):
            w: dict[int, pulp.LpVariable] = {}
            for q, e in pairs:
                name = f"{p.cell_ids[i]},{p.threat_ids[t]},{p.site_ids[j]},{p.effector_ids[e]}"
                name += f",route{r}" if several else ""
                v = prob.add_variable(f"point[{name}]{tag}", 0, lam * c)
                prob.addConstraint(pulp.LpConstraint(affine([(v, 1.0), (ye[j, e], -lam * c)]),
                                                     pulp.LpConstraintLE, f"point_reach[{name}]{tag}", 0))
                w[e], world.point[q] = v, v
                parts[i, t, e].append(v)
                world.cover.setdefault((i, e), {})[j] = float(p.pt_magazine[q])
            layer = {e: p.layer(e, t) for e in w}
            for k in sorted(set(layer.values())):
                terms = [(v, 1.0) for e, v in w.items() if layer[e] == k]
                terms += [(v, float(p.p_kill[e, t])) for e, v in w.items() if layer[e] < k]
                where = f"{p.cell_ids[i]},{p.threat_ids[t]},{p.site_ids[j]}" + (f",route{r}" if several else "")
                prob.addConstraint(pulp.LpConstraint(affine([(rate, -c * seen), *terms, *killed]),
                                                     pulp.LpConstraintLE, f"point_survivors{k}[{where}]{tag}", 0))
            killed = killed + [(v, float(p.p_kill[e, t])) for e, v in w.items()]  # the route's later sites
    for (i, t, e), ws in parts.items():
        name = f"{p.cell_ids[i]},{p.threat_ids[t]},{p.effector_ids[e]}"
        total = prob.add_variable(f"engage_all[{name}]{tag}", 0)
        at_border = world.engage.get((i, t, e))
        terms = [(total, 1.0)] + [(v, -1.0) for v in ws] + ([(at_border, -1.0)] if at_border is not None else [])
        prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintEQ, f"engage_all[{name}]{tag}", 0))
        world.engage[i, t, e] = total


def define_magazines(prob: pulp.LpProblem, p: PlanningProblem, ye: dict[tuple[int, int], pulp.LpVariable],
                     world: World, *, tag: str = "") -> None:
    """Magazines and decoys (constraints 5-6): shots at surge within the magazines shared among the cells a unit
    covers; where decoys and real drones mix, decoys draw their share of the shots."""
    by_cell_eff: dict[tuple[int, int], list[tuple[int, pulp.LpVariable]]] = defaultdict(list)
    for (i, t, e), v in world.engage.items():
        by_cell_eff[i, e].append((t, v))
    shots = p.shots()
    for (i, e), tv in by_cell_eff.items():
        terms = [(v, p.surge_factor * float(shots[e, t])) for t, v in tv]
        border = world.border.get((i, e), [])
        terms += _sum_over(prob, p, ye, world, "magazine", e, border, -float(p.effector_magazine[e]), tag)
        if len(world.cover[i, e]) > len(border):  # point-defence sites, with their own magazine shares (define_point)
            inside = set(border)
            terms += [(ye[j, e], -p.effector_magazine[e] * m) for j, m in sorted(world.cover[i, e].items())
                      if j not in inside]
        prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintLE,
                                             f"magazine[{p.cell_ids[i]},{p.effector_ids[e]}]{tag}", 0))
        # Decoys draw shots: what an effector fires at in a cell follows the detected mix.
        decoys = [(t, v) for t, v in tv if p.threat_decoy[t]]
        if decoys and len(decoys) < len(tv):
            lam_d = sum(p.demand[i, t] for t, _ in decoys) * (1 - p.decoy_discrimination)
            lam_r = sum(p.demand[i, t] for t, _ in tv if not p.threat_decoy[t])
            phi = lam_d / (lam_d + lam_r) if lam_d + lam_r > 0 else 0.0
            if phi > 0:
                terms = [(v, (1.0 if p.threat_decoy[t] else 0.0) - phi) for t, v in tv]
                prob.addConstraint(pulp.LpConstraint(affine(terms), pulp.LpConstraintGE,
                                                     f"decoy_share[{p.cell_ids[i]},{p.effector_ids[e]}]{tag}", 0))


def define_escort(prob: pulp.LpProblem, p: PlanningProblem, ye: dict[tuple[int, int], pulp.LpVariable],
                  world: World, *, tag: str = "") -> None:
    """Escort of crewed incursions (docs/formulation.md, constraint 10): sorties per (cell, crewed class, alert type) only from built units
    that meet it in time (≤ λ · Σ_j y_je over those sites), at most one per detected incursion (Σ_e ≤ λ · rate), and
    per (cell, type) at surge within the escorts a raid of the units reaching it, shared among the cells each reaches.
    A sortie meets its intruder with the type's p_meet; it fires nothing (docs/formulation.md)."""
    reach: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i, t, j, e in zip(p.esc_cell.tolist(), p.esc_threat.tolist(), p.esc_site.tolist(), p.esc_effector.tolist(),
                          strict=True):
        if (i, t) in world.detected:
            reach[i, t, e].append(j)
    if not reach:
        return
    assert p.esc_share is not None
    by_cell_threat: dict[tuple[int, int], list[pulp.LpVariable]] = defaultdict(list)
    by_cell_type: dict[tuple[int, int], list[pulp.LpVariable]] = defaultdict(list)
    for (i, t, e), sites in sorted(reach.items()):
        lam = float(p.demand[i, t])
        name = f"{p.cell_ids[i]},{p.threat_ids[t]},{p.effector_ids[e]}"
        v = prob.add_variable(f"escort[{name}]{tag}", 0, lam)
        world.escort[i, t, e] = v
        prob.addConstraint(pulp.LpConstraint(affine([(v, 1.0)] + [(ye[j, e], -lam) for j in sites]),
                                             pulp.LpConstraintLE, f"escort_reach[{name}]{tag}", 0))
        by_cell_threat[i, t].append(v)
        by_cell_type[i, e].append(v)
    for (i, t), vs in by_cell_threat.items():
        rate, lam = world.detected[i, t]
        prob.addConstraint(pulp.LpConstraint(affine([(rate, -lam)] + [(v, 1.0) for v in vs]), pulp.LpConstraintLE,
                                             f"escorted_le_detected[{p.cell_ids[i]},{p.threat_ids[t]}]{tag}", 0))
    sites_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    for (i, _t, e), sites in reach.items():
        sites_of[i, e].update(sites)
    for (i, e), vs in by_cell_type.items():
        capacity = [(ye[j, e], -float(p.effector_escorts[e] * p.esc_share[j, e])) for j in sorted(sites_of[i, e])]
        prob.addConstraint(pulp.LpConstraint(affine([(v, p.surge_factor) for v in vs] + capacity),
                                             pulp.LpConstraintLE,
                                             f"escort_sorties[{p.cell_ids[i]},{p.effector_ids[e]}]{tag}", 0))


def define_kill_chain(prob: pulp.LpProblem, p: PlanningProblem, xs: dict[tuple[int, int], pulp.LpVariable],
                      ye: dict[tuple[int, int], pulp.LpVariable], *, fixed: FixedPlan | None = None, tag: str = "",
                      cuts: bool = False) -> World:
    """The kill chain of one world (``p``'s ranges and probabilities) over given builds: its families in order.
    ``tag`` suffixes every name, so several worlds can share one model and its builds (robust planning)."""
    world = World()
    define_detection(prob, p, xs, world, fixed=fixed, tag=tag)
    define_reach(prob, p, ye, world, tag=tag)
    if cuts and fixed is None:  # (with the builds fixed the cuts hold anyway)
        define_layer_cuts(p, world, tag=tag)
    define_point(prob, p, ye, world, tag=tag)
    define_magazines(prob, p, ye, world, tag=tag)
    define_escort(prob, p, ye, world, tag=tag)
    return world
