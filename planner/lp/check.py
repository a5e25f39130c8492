"""Each constraint family's check of a solved plan, from the problem's arrays alone (no pulp): the half of a
family (:mod:`planner.lp.families`) that recomputes it, so that a bug in building a model, combining national
plans or reading a solution back cannot hand the user a plan that breaks the budget, the rules of engagement or
the physics. A checker returns one line per violation ("what and by how much"); :func:`planner.lp.families.check`
runs them all on every plan a solve path returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.lp.kill_chain import point_routes
from planner.lp.result import FixedPlan, Solved
from planner.problem import PlanningProblem

__all__ = ["ABS_TOL", "REL_TOL", "Checker", "Context", "check_budget", "check_builds", "check_detection",
           "check_escort", "check_escort_requirements", "check_floor", "check_magazines", "check_national_caps",
           "check_reach", "check_surveillance", "check_targets", "escort_shares"]

#: Relative and absolute tolerances of the checks (the solver's feasibility tolerance is 1e-7 on scaled rows).
REL_TOL = 1e-6
ABS_TOL = 1e-6

@dataclass(frozen=True)
class Context:
    """What a plan is checked against besides the problem: an exact evaluation's fixed plan (its builds were held
    to the planning families when planned), class targets and objective overriding the problem's."""

    fixed: FixedPlan | None = None
    targets: dict[int, float] | None = None
    objective: str | None = None


Checker = Callable[[PlanningProblem, Solved, Context], list[str]]


def at_border(p: PlanningProblem, s: Solved) -> np.ndarray | None:
    """(N, T, E) the engagements at the border: all of them less the point-defence pairs' (None when the plan
    does not carry those, kill_chain.point_defence)."""
    if not len(p.pt_cell):
        return s.engagements
    if s.point is None:
        return None
    point = np.zeros(s.engagements.shape)
    np.add.at(point, (p.pt_cell, p.pt_threat, p.pt_effector), s.point)
    return s.engagements - point


def check_point(p: PlanningProblem, s: Solved, border: np.ndarray, may: np.ndarray, tol: np.ndarray) -> list[str]:
    """Point defence: per site on a route and layer there, engaged + killed by its earlier layers + killed at the
    route's earlier sites ≤ the route's share of the detected (and threatening) drones the border did not kill; each
    pair within its share of the drones, its unit built."""
    out: list[str] = []
    assert s.point is not None
    kept = may - np.einsum("nte,et->nt", border, p.p_kill)  # (N, T) after the border's layers
    ranks = p.layer_rank[p.pt_effector, p.pt_threat] if p.layer_rank.size else np.zeros(len(p.pt_cell), np.int64)
    pk = p.p_kill[p.pt_effector, p.pt_threat]
    route, order = point_routes(p)
    path = (route * len(p.threat_ids) + p.pt_threat) * (int(p.pt_cell.max(initial=0)) + 1) + p.pt_cell
    stops, at = np.unique(path * (int(order.max(initial=0)) + 1) + order, return_inverse=True)  # sorted by route
    stop_kills = np.bincount(at, weights=s.point * pk, minlength=len(stops))
    stop_path = stops // (int(order.max(initial=0)) + 1)
    before = np.cumsum(stop_kills) - stop_kills  # kills at every stop listed before, then back to the route's start
    start = np.r_[0, np.flatnonzero(np.diff(stop_path)) + 1]
    before -= np.repeat(before[start], np.diff(np.r_[start, len(stops)]))
    earlier = before[at]  # kills at the route's earlier sites, per pair
    key = (path * len(p.site_ids) + p.pt_site) * (int(order.max(initial=0)) + 1) + order  # a stop on a route
    for k in np.unique(ranks):
        load = s.point * ((ranks == k) + pk * (ranks < k))
        segs, inverse = np.unique(key, return_inverse=True)
        per_seg = np.bincount(inverse, weights=load, minlength=len(segs))
        first = np.unique(inverse, return_index=True)[1]
        per_seg += earlier[first]
        i, t = p.pt_cell[first], p.pt_threat[first]
        room = p.pt_share[first] * kept[i, t] + tol[i, t]
        if (per_seg > room).any():
            q = int(np.argmax(per_seg - room))
            out.append(f"point defence: cell {p.cell_ids[i[q]]}, {p.threat_ids[t[q]]}, site "
                       f"{p.site_ids[p.pt_site[first[q]]]}: {per_seg[q]:.6g} engaged in its layer {k + 1} or killed "
                       f"before it, {p.pt_share[first[q]] * kept[i[q], t[q]]:.6g} on its routes after the border")
    lam = p.demand[p.pt_cell, p.pt_threat]
    excess = s.point - lam * p.pt_share * s.effectors[p.pt_site, p.pt_effector]
    if (excess > ABS_TOL + REL_TOL * lam).any() or s.point.min(initial=0.0) < -ABS_TOL:
        q = int(np.argmax(np.abs(excess)))
        out.append(f"point defence: cell {p.cell_ids[p.pt_cell[q]]}, {p.threat_ids[p.pt_threat[q]]}, "
                   f"{p.effector_ids[p.pt_effector[q]]} at {p.site_ids[p.pt_site[q]]}: {s.point[q]:.6g} engaged, "
                   "beyond its share of the drones or with no unit built there")
    return out


def check_builds(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    out: list[str] = []
    for name, built, old in (("sensors", s.sensors, p.in_service_sensors),
                             ("effectors", s.effectors, p.in_service_effectors)):
        if np.abs(built - np.round(built)).max(initial=0.0) > ABS_TOL or built.min(initial=0.0) < -ABS_TOL \
                or built.max(initial=0.0) > 1 + ABS_TOL:
            out.append(f"{name}: builds are not 0 or 1 (range {built.min():.6g}..{built.max():.6g})")
        lost = int((old & (built < 0.5)).sum())
        if lost:
            out.append(f"{name}: {lost} unit(s) in service are not in the plan")
    conv = s.conventional
    if len(conv) and (np.abs(conv - np.round(conv)).max() > ABS_TOL or (conv < p.conv_min_units - ABS_TOL).any()):
        out.append(f"conventional units {conv.tolist()} are not whole or below the minimum holdings "
                   f"{p.conv_min_units.tolist()}")
    return out


def check_budget(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    # an exact evaluation may spend €1 over the plan's money in each model it is solved in (a nation each, by nation)
    limit = ctx.fixed.cost_eur * (1 + 1e-9) + len(p.nations) if ctx.fixed is not None else p.budget_eur
    total = p.costs(s.sensors, s.effectors, s.engagements, s.conventional)["total"]
    return [f"budget: the plan spends €{total:,.0f}, over €{limit:,.0f}"] if total > limit * (1 + REL_TOL) else []


def check_national_caps(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    if not p.nation_cap_eur or ctx.fixed is not None:
        return []
    spend = p.spend_by_nation(s.sensors, s.effectors, s.engagements)
    return [f"national cap of {p.nations[n]}: €{spend[n]:,.0f} spent, cap €{cap:,.0f}"
            for n, cap in p.nation_cap_eur.items() if spend[n] > cap * (1 + REL_TOL) + REL_TOL * p.budget_eur]


def check_unit_caps(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    """Most units in service of a type per nation, and of a conventional option (a procurement pathway's)."""
    out = []
    for label, caps, built, ids in (("sensor", p.sensor_max_units, s.sensors, p.sensor_ids),
                                    ("effector", p.effector_max_units, s.effectors, p.effector_ids)):
        if caps.size:
            held = np.zeros(caps.shape)
            np.add.at(held, p.site_nation, (built > 0.5).astype(float))
            out += [f"units of {label} {ids[k]} in {p.nations[n]}: {held[n, k]:.0f}, most {caps[n, k]:.0f}"
                    for n, k in zip(*np.nonzero(held > caps + ABS_TOL), strict=True)]
    if p.conv_max_units.size and len(s.conventional):
        out += [f"units of {p.conv_ids[c]}: {s.conventional[c]:.0f}, most {p.conv_max_units[c]:.0f}"
                for c in np.flatnonzero(s.conventional > p.conv_max_units + ABS_TOL)]
    return out


def check_floor(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    if ctx.fixed is not None or (ctx.objective or p.objective) != "max_defeat_with_floor" or not len(p.conv_score):
        return []  # an exact evaluation re-optimises engagements only: the floor was the plan's
    have = float((s.conventional * p.conv_score).sum())
    if have < p.conventional_floor * (1 - REL_TOL) - ABS_TOL:
        return [f"conventional floor: capability {have:.6g} below {p.conventional_floor:.6g}"]
    return []


def check_targets(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    out: list[str] = []
    if ctx.fixed is not None:
        return out  # an exact evaluation re-optimises engagements only: targets are the plan's, not its
    targets = p.defeat_targets if ctx.targets is None else ctx.targets
    kills = np.einsum("nte,et->t", s.engagements, p.p_kill)
    for t, rate in targets.items():
        need = rate * float(p.demand[:, t].sum())
        if kills[t] < need * (1 - REL_TOL) - ABS_TOL:
            out.append(f"defeat target of {p.threat_ids[t]}: {kills[t]:.6g} drones per raid defeated, "
                       f"{need:.6g} required")
    return out


def _ranks(p: PlanningProblem) -> np.ndarray:
    """(E, T): each effector type's layer along each class's track (all 0 with one layer)."""
    return p.layer_rank if p.layer_rank.size else np.zeros(p.p_kill.shape, dtype=np.int64)


def _earlier(p: PlanningProblem, ranks: np.ndarray, k: int) -> np.ndarray:
    """(N, E, T): how layer k's row in each cell counts the earlier layers' engagements: their kills, or all of them
    where layer k cannot follow them in the time left (planner.problem_arrays.survivor_weight)."""
    weight = np.broadcast_to(p.p_kill * (ranks < k), (len(p.cell_ids), *ranks.shape))
    if not p.layer_follow.size:
        return weight
    follows = p.layer_follow[:, np.arange(ranks.shape[1])[None, :], ranks, k]  # (nations, E, T)
    return np.where(follows[p.cell_nation], weight, 1.0 * (ranks < k))


def _engageable(p: PlanningProblem, s: Solved) -> np.ndarray:
    """(N, T): the detected drones the rules let be engaged (the threatening share under
    roe.engage_only_threatening)."""
    return s.detected if p.engage_share is None else s.detected * p.engage_share


def check_detection(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    """Engaged ≤ detected ≤ what the built sensors detect exactly; with layers, each layer's engagements ≤ the
    detected drones the earlier layers did not kill; under roe.engage_only_threatening, of the threatening share;
    point defence after the border's layers (:func:`check_point`)."""
    out: list[str] = []
    demand = p.demand
    tol = ABS_TOL + REL_TOL * demand
    exact = demand * p.detection_probability(s.sensors)
    ranks = _ranks(p)
    may = _engageable(p, s)
    eng = at_border(p, s)
    if eng is None:  # point defence without its pairs' engagements: a drone is killed at most once
        kills = np.einsum("nte,et->nt", s.engagements, p.p_kill)
        if (kills > may + tol).any():
            i, t = np.unravel_index(np.argmax(kills - may), kills.shape)
            out.append(f"detection: cell {p.cell_ids[i]}, {p.threat_ids[t]}: {kills[i, t]:.6g} killed, "
                       f"{may[i, t]:.6g} detected")
    elif len(p.pt_cell):
        out += check_point(p, s, eng, may, tol)
    border = eng if eng is not None else np.zeros(s.engagements.shape)  # (checked above when None)
    for k in np.unique(ranks) if eng is not None else []:
        engaged = np.einsum("nte,et->nt", border, 1.0 * (ranks == k)) + np.einsum("nte,net->nt", border,
                                                                                  _earlier(p, ranks, k))
        if (engaged > may + tol).any():
            i, t = np.unravel_index(np.argmax(engaged - may), engaged.shape)
            what = "engaged" if k == 0 else f"engaged in layer {k + 1} or killed before it"
            out.append(f"detection: cell {p.cell_ids[i]}, {p.threat_ids[t]}: {engaged[i, t]:.6g} {what}, "
                       f"{may[i, t]:.6g} detected" + (" and threatening" if p.engage_share is not None else ""))
    if (s.detected > exact + tol).any():
        i, t = np.unravel_index(np.argmax(s.detected - exact), exact.shape)
        out.append(f"detection: cell {p.cell_ids[i]}, {p.threat_ids[t]}: {s.detected[i, t]:.6g} detected, more "
                   f"than the built sensors' exact {exact[i, t]:.6g}")
    return out


def check_reach(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    """Engagements only from sites in reach with the effector built there (so rules of engagement and no-fire
    zones, which the pairs leave out), none negative, and kinetic ones only at the drones crossing a cell outside
    its no-fire zones."""
    out: list[str] = []
    demand = p.demand
    eng = at_border(p, s)
    if eng is None:  # without the point-defence pairs' engagements, their shares bound the totals
        eng = s.engagements.copy()
        np.add.at(eng, (p.pt_cell, p.pt_threat, p.pt_effector),
                  -demand[p.pt_cell, p.pt_threat] * p.pt_share * s.effectors[p.pt_site, p.pt_effector])
        eng = np.maximum(eng, 0.0)
    if s.engagements.min(initial=0.0) < -ABS_TOL:
        out.append(f"engagements: negative flows (min {s.engagements.min():.3g})")
    reach = np.zeros(eng.shape)
    np.add.at(reach, (p.eng_cell, p.eng_threat, p.eng_effector), s.effectors[p.eng_site, p.eng_effector])
    excess = eng - demand[:, :, None] * np.minimum(reach, 1.0)
    if (excess > ABS_TOL + REL_TOL * demand[:, :, None]).any():
        i, t, e = np.unravel_index(np.argmax(excess), excess.shape)
        out.append(f"reach: cell {p.cell_ids[i]}, {p.threat_ids[t]}, {p.effector_ids[e]}: {eng[i, t, e]:.6g} "
                   "engaged beyond what the built units in reach (and the rules of engagement) allow")
    # Kinetic fire only at the drones crossing outside no-fire zones: per layer, its kinetic engagements and the
    # earlier layers' kills ≤ (1 − share) × detected (constraint 4b).
    ranks = _ranks(p)
    may = _engageable(p, s) * (1 - p.cell_no_fire)[:, None]
    for k in np.unique(ranks):
        kinetic = np.einsum("nte,et->nt", eng, 1.0 * ((ranks == k) & p.effector_kinetic[:, None])) + \
            np.einsum("nte,net->nt", eng, _earlier(p, ranks, k))
        if (kinetic > may + ABS_TOL + REL_TOL * demand).any():
            i, t = np.unravel_index(np.argmax(kinetic - may), kinetic.shape)
            out.append(f"reach: cell {p.cell_ids[i]}, {p.threat_ids[t]}: {kinetic[i, t]:.6g} engaged by kinetic "
                       f"effectors{f' in layer {k + 1} or killed before it' if k else ''}, more than the "
                       f"{may[i, t]:.6g} detected outside no-fire zones")
    return out


def check_magazines(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    """Per (cell, effector), over the classes the model engages there (those with drones, a sensor's look and
    a unit in reach): shots within the magazines of the units that cover the cell, decoys drawing their share."""
    out: list[str] = []
    eng, demand = s.engagements, p.demand
    detectable = np.zeros(demand.shape, dtype=bool)
    detectable[p.det_cell, p.det_threat] = True
    detectable &= demand > 0
    use = detectable[p.eng_cell, p.eng_threat]
    cells, threats, sites, effs = p.eng_cell[use], p.eng_threat[use], p.eng_site[use], p.eng_effector[use]
    engaged_class = np.zeros(eng.shape, dtype=bool)  # (N, T, E): the model has an engagement variable there
    engaged_class[cells, threats, effs] = True
    n_sites, n_effs = len(p.site_ids), len(p.effector_ids)
    key = np.unique((cells.astype(np.int64) * n_sites + sites) * n_effs + effs)  # each (cell, site, effector) once
    ci, rest = np.divmod(key, n_sites * n_effs)
    sj, ek = np.divmod(rest, n_effs)
    shots = np.bincount(ci * n_effs + ek, weights=p.effector_magazine[ek] * p.mag_share[sj, ek] * s.effectors[sj, ek],
                        minlength=len(p.cell_ids) * n_effs).reshape(len(p.cell_ids), n_effs)
    if len(p.pt_cell):  # point-defence units: each cell's share of the magazine by the traffic it meets there
        use = detectable[p.pt_cell, p.pt_threat]
        engaged_class[p.pt_cell[use], p.pt_threat[use], p.pt_effector[use]] = True
        idx = np.flatnonzero(use)
        first = idx[np.unique((p.pt_cell[idx] * n_sites + p.pt_site[idx]) * n_effs + p.pt_effector[idx],
                              return_index=True)[1]]
        ci, sj, ek = p.pt_cell[first], p.pt_site[first], p.pt_effector[first]
        shots = shots + np.bincount(ci * n_effs + ek, weights=p.effector_magazine[ek] * p.pt_magazine[first]
                             * s.effectors[sj, ek], minlength=len(p.cell_ids) * n_effs).reshape(shots.shape)
    fired = p.surge_factor * np.einsum("nte,et->ne", eng, p.shots())
    # The reach check allows ABS_TOL + REL_TOL · λ engaged per cell, class and type by a unit the plan rounds to
    # unbuilt (a MIP's integrality tolerance); the shots such engagements fire meet no magazine, so they are allowed
    # here too, class by class (one class's allowance alone stopped the flank tornado on 1.27e-6 shots).
    allowed = engaged_class * (ABS_TOL + REL_TOL * demand)[:, :, None]
    slack = p.surge_factor * np.einsum("nte,et->ne", allowed, p.shots())
    over = fired - shots * (1 + REL_TOL) - ABS_TOL - slack
    if (over > 0).any():
        i, e = np.unravel_index(np.argmax(over), over.shape)
        out.append(f"magazine: cell {p.cell_ids[i]}, {p.effector_ids[e]}: {fired[i, e]:.6g} shots at surge, "
                   f"{shots[i, e]:.6g} in the magazines that cover it")
    decoy = p.threat_decoy.astype(bool)[None, :, None]
    lam = demand[:, :, None] * engaged_class
    lam_d = (lam * decoy).sum(1) * (1 - p.decoy_discrimination)  # (N, E)
    lam_r = (lam * ~decoy).sum(1)
    mixed = (engaged_class & decoy).any(1) & (engaged_class & ~decoy).any(1)
    phi = np.divide(lam_d, lam_d + lam_r, out=np.zeros_like(lam_d), where=(lam_d + lam_r) > 0)
    short = (eng * decoy).sum(1) - phi * eng.sum(1) + ABS_TOL + REL_TOL * (lam_d + lam_r)
    if (mixed & (phi > 0) & (short < 0)).any():
        i, e = np.unravel_index(np.argmin(np.where(mixed & (phi > 0), short, np.inf)), short.shape)
        out.append(f"decoys: cell {p.cell_ids[i]}, {p.effector_ids[e]}: {(eng[i, :, e] * decoy[0, :, 0]).sum():.6g} "
                   f"engagements at decoys, below their share {phi[i, e]:.3f} of the shots")
    return out


def check_surveillance(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    """systems.min_detection: each required share of a nation's drones detected (as promised)."""
    if ctx.fixed is not None:
        return []  # the builds were held to it when they were planned
    return [f"surveillance requirement of {p.nations[n]}: {have:.4f} of {p.threat_ids[t]} detected, "
            f"{p.min_detection[n, t]:.4f} required"
            for (n, t), have in p.detection_shares(s.detected).items() if have < p.min_detection[n, t] - REL_TOL]


def check_escort(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    """Escort sorties (docs/formulation.md, constraint 10): none negative or where no alert unit can meet the class in time; each within
    λ × the units built in time; per cell and class at most the detected incursions; per cell and type at surge
    within the escorts a raid of the units reaching it (their shares)."""
    if s.escorts is None:
        return []
    out: list[str] = []
    esc, demand = s.escorts, p.demand
    tol = ABS_TOL + REL_TOL * demand
    if esc.min(initial=0.0) < -ABS_TOL:
        out.append(f"escort: negative sorties (min {esc.min():.3g})")
    reach = np.zeros(esc.shape)
    np.add.at(reach, (p.esc_cell, p.esc_threat, p.esc_effector), s.effectors[p.esc_site, p.esc_effector])
    excess = esc - demand[:, :, None] * np.minimum(reach, 1.0)
    if (excess > tol[:, :, None]).any():
        i, t, e = np.unravel_index(np.argmax(excess), excess.shape)
        out.append(f"escort: cell {p.cell_ids[i]}, {p.threat_ids[t]}, {p.effector_ids[e]}: {esc[i, t, e]:.6g} "
                   "sorties beyond what the alert units built in time allow")
    sent = esc.sum(2)
    if (sent > s.detected + tol).any():
        i, t = np.unravel_index(np.argmax(sent - s.detected), sent.shape)
        out.append(f"escort: cell {p.cell_ids[i]}, {p.threat_ids[t]}: {sent[i, t]:.6g} sorties, "
                   f"{s.detected[i, t]:.6g} incursions detected")
    if len(p.esc_cell) and p.esc_share is not None:
        n_sites, n_effs = len(p.site_ids), len(p.effector_ids)
        key = np.unique((p.esc_cell * n_sites + p.esc_site) * n_effs + p.esc_effector)  # each (cell, site, type) once
        ci, rest = np.divmod(key, n_sites * n_effs)
        sj, ek = np.divmod(rest, n_effs)
        room = np.bincount(ci * n_effs + ek, weights=p.effector_escorts[ek] * p.esc_share[sj, ek] * s.effectors[sj, ek],
                           minlength=len(p.cell_ids) * n_effs).reshape(len(p.cell_ids), n_effs)
        flown = p.surge_factor * esc.sum(1)
        over = flown - room * (1 + REL_TOL) - ABS_TOL - p.surge_factor * (tol.sum(1)[:, None])
        if (over > 0).any():
            i, e = np.unravel_index(np.argmax(over), over.shape)
            out.append(f"escort: cell {p.cell_ids[i]}, {p.effector_ids[e]}: {flown[i, e]:.6g} sorties at surge, "
                       f"{room[i, e]:.6g} within the escorts of the units that reach it")
    return out


def escort_shares(p: PlanningProblem, escorts: np.ndarray | None) -> dict[tuple[int, int], float]:
    """Share of each required (nation, crewed class)'s incursions met by escorts (N, T, E) as promised."""
    if not p.escort_requirements():
        return {}
    met = np.zeros(p.demand.shape) if escorts is None else np.einsum("nte,e->nt", escorts, p.effector_p_meet)
    return {(n, t): float(met[p.cell_nation == n, t].sum() / p.demand[p.cell_nation == n, t].sum())
            for n, t, _ in p.escort_requirements()}


def check_escort_requirements(p: PlanningProblem, s: Solved, ctx: Context) -> list[str]:
    """escort.min_share: each required share of a nation's crewed incursions met (as promised)."""
    if ctx.fixed is not None:
        return []  # the builds were held to it when they were planned
    return [f"escort requirement of {p.nations[n]}: {have:.4f} of {p.threat_ids[t]} met, "
            f"{p.min_escort[n, t]:.4f} required"
            for (n, t), have in escort_shares(p, s.escorts).items() if have < p.min_escort[n, t] - REL_TOL]
