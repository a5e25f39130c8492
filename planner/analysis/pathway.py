"""A procurement pathway: the plan built up year by year (docs/analyses.md, "The road to 2028").

The scenario's ``pathway`` section gives the money committed each year, each system's lead time and production a
year, and milestones. The pathway is planned target first, then phased:

1. **The end state**: the plan at the end of the last year, with all the money committed by then, only systems whose
   lead time has passed, and at most the units produced by then (production a year × the years since deliveries
   started) beside the units in service. A flank-wide production limit is held per nation (the national models are
   solved apart): where the end state's LP relaxation buys more units of a type than are produced, the production is
   shared among nations in proportion to what the relaxation buys in each (D'Hondt, ties to the value at stake), and
   again after the MILP if it exceeds another type's production.
2. **Each earlier year, first to last**: the best plan at that year's end that keeps every unit earlier years bought
   (in service: its purchase is paid), buys only what the end state buys (nothing bought on the way is wasted), within
   the money committed by then, the systems delivered by then and the units produced by then (split among nations
   as the end state holds them).

Every year's plan is evaluated exactly (detection exact, engagements re-optimised), and measured against the
milestones of its year. Money is counted as ``budget.total_eur`` counts it: a unit's purchase and its operation
over the horizon, munitions over the horizon, conventional units. Phasing from the end state keeps a year from
buying a system the end state would not; a lead time or a production limit delays the units it governs, and the
effect of a year's plan is the exact evaluation of what is in service at its end.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.config.pathway import END_STATE_SHARE, PathwayConfig
from planner.errors import InfeasibleError
from planner.lp.result import Solved
from planner.lp.runner import Runner
from planner.lp.solve import relaxed_builds
from planner.plan import solve_problem
from planner.problem import PlanningProblem
from planner.problem_axes import AXES

__all__ = ["Schedule", "YearPlan", "plan_pathway", "schedule", "split", "year_problem"]


@dataclass(frozen=True)
class Schedule:
    """A pathway's numbers in the problem's index space: per role (sensors, effectors, conventional) each type's lead
    time (years) and units a year (inf: no limit), and the money committed by the end of each year (cumulative)."""

    years: tuple[int, ...]
    committed_eur: np.ndarray  # (Y,)
    lead: tuple[np.ndarray, np.ndarray, np.ndarray]  # (S,), (E,), (C,)
    rate: tuple[np.ndarray, np.ndarray, np.ndarray]

    def most_units(self, role: int, year: int) -> np.ndarray:
        """Units of each type of ``role`` (0 sensors, 1 effectors, 2 conventional) that can be bought by the end of
        the pathway's ``year``-th year (1: the first), beside those in service or held: none before its lead time has
        passed, then its production a year for each year of deliveries (inf: no limit)."""
        delivering = np.maximum(year - self.lead[role], 0)
        out = np.where(delivering > 0, self.rate[role] * np.maximum(delivering, 1), 0.0)
        return np.where(np.isfinite(out), np.floor(out + 1e-9), out)


def schedule(cfg: PathwayConfig, p: PlanningProblem) -> Schedule:
    """The pathway section's figures for the types of ``p``."""
    def per(ids: tuple[str, ...], values: dict[str, Any], default: float) -> np.ndarray:
        return np.array([float(values.get(i, default)) for i in ids])

    roles = (p.sensor_ids, p.effector_ids, p.conv_ids)
    return Schedule(years=tuple(cfg.years), committed_eur=np.cumsum(np.array(cfg.budget_eur_per_year, dtype=float)),
                    lead=tuple(per(ids, cfg.lead_time_years, 0) for ids in roles),  # type: ignore[arg-type]
                    rate=tuple(per(ids, cfg.units_per_year, math.inf) for ids in roles))  # type: ignore[arg-type]


def split(total: float, weights: np.ndarray, tie: np.ndarray | None = None) -> np.ndarray:
    """``total`` units (whole; inf: no limit) shared among nations holding ``weights`` units: D'Hondt, one unit at a
    time to the nation with the most units per unit given + 1, ties to the larger ``tie`` (the value at stake), so a
    larger total never gives a nation fewer (a year's limit never falls below the year before's). A total of at
    least the weights' sum limits nothing."""
    if not np.isfinite(total) or total >= weights.sum() - 1e-9:
        return np.full(len(weights), math.inf)
    rank = np.zeros(len(weights)) if tie is None else np.argsort(np.argsort(tie, kind="stable"), kind="stable")
    out = np.zeros(len(weights))
    for _ in range(math.floor(total + 1e-9)):
        quotient = weights / (out + 1)
        best = np.flatnonzero(quotient >= quotient.max() - 1e-12)
        out[best[np.argmax(rank[best])]] += 1
    return out


def restrict(p: PlanningProblem, sensors_ok: np.ndarray, effectors_ok: np.ndarray) -> PlanningProblem:
    """``p`` with every build outside the masks (sites × types) barred: its coverage pairs dropped. Units in service
    stay allowed."""
    ok_s = sensors_ok | p.in_service_sensors
    ok_e = effectors_ok | p.in_service_effectors
    changes: dict[str, Any] = {}
    for prefix, ok, site, kind in (("det", ok_s, p.det_site, p.det_sensor), ("eng", ok_e, p.eng_site, p.eng_effector),
                                   ("pt", ok_e, p.pt_site, p.pt_effector), ("esc", ok_e, p.esc_site, p.esc_effector)):
        keep = ok[site, kind]
        for name in (f for f in _PAIR_FIELDS if f.startswith(prefix + "_")):
            values = getattr(p, name)
            if values is not None and len(values) == len(keep):  # pt_route, pt_order: empty in hand-built problems
                changes[name] = values[keep]
    return dataclasses.replace(p, **changes)


_PAIR_FIELDS = tuple(f for axis in ("det", "eng", "pt", "esc") for f in AXES[axis])  # every pair family's fields


def _per_nation(p: PlanningProblem, built: np.ndarray, *, whole: bool = True) -> np.ndarray:
    """Units of each type per nation, (nations, K), of a (M, K) build array (``whole``: units built; else the sum of
    the fractional builds of an LP relaxation)."""
    out = np.zeros((len(p.nations), built.shape[1]))
    np.add.at(out, p.site_nation, (built > 0.5).astype(float) if whole else built)
    return out


def _new(p: PlanningProblem, built: np.ndarray, role: int) -> np.ndarray:
    """``built`` (M, K) without the units the scenario has in service: what was bought (role 0 sensors, 1 effectors)."""
    return np.where((p.in_service_sensors, p.in_service_effectors)[role], 0.0, built)


def _caps(p: PlanningProblem, sched: Schedule, year: int, held: tuple[np.ndarray, np.ndarray],
          tie: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The most units per nation of each sensor and effector type by the end of ``year``: its units in service and
    the flank's production by then, shared as ``held`` ((nations, S) and (nations, E): the end state's units bought)
    holds them, ties to the larger ``tie`` (nations,)."""
    out = []
    for role in (0, 1):
        most = sched.most_units(role, year)
        base = _per_nation(p, (p.in_service_sensors, p.in_service_effectors)[role].astype(float))
        out.append(base + np.stack([split(most[k], held[role][:, k], tie) for k in range(len(most))], axis=1)
                   if len(most) else np.zeros((len(p.nations), 0)))
    return out[0], out[1]


def year_problem(p: PlanningProblem, sched: Schedule, year: int, *, caps: tuple[np.ndarray, np.ndarray] | None = None,
                 within: Solved | None = None, kept: Solved | None = None) -> PlanningProblem:
    """The problem of the end of the pathway's ``year``-th year (1: the first): systems not yet delivered barred, at
    most ``caps`` units of each sensor and effector type per nation ((nations, S), (nations, E); None: no limit) and
    the conventional holdings (systems.conventional_min_units) and units produced, only what ``within`` (the end
    state) builds, ``kept`` (the year before) in service and its conventional units kept, the money committed by then
    (and each capped nation's cap) less what ``kept`` paid for purchases."""
    sensors_ok = np.broadcast_to(sched.lead[0] < year, p.in_service_sensors.shape).copy()
    effectors_ok = np.broadcast_to(sched.lead[1] < year, p.in_service_effectors.shape).copy()
    changes: dict[str, Any] = {"budget_eur": float(sched.committed_eur[year - 1]),
                               "conv_max_units": p.conv_min_units + sched.most_units(2, year)}  # holdings + produced
    if caps is not None:  # within the scenario's own limits (systems.max_units), where it sets any
        changes.update({name: np.minimum(cap, own) if own.size else cap for name, cap, own in (
            ("sensor_max_units", caps[0], p.sensor_max_units), ("effector_max_units", caps[1], p.effector_max_units))})
    if within is not None:
        sensors_ok &= within.sensors > 0.5
        effectors_ok &= within.effectors > 0.5
        changes["conv_max_units"] = np.minimum(changes["conv_max_units"], np.round(within.conventional))
    if kept is not None:
        new_s = (kept.sensors > 0.5) & ~p.in_service_sensors
        new_e = (kept.effectors > 0.5) & ~p.in_service_effectors
        paid = np.bincount(p.site_nation, weights=new_s @ p.sensor_unit_cost_eur + new_e @ p.effector_unit_cost_eur,
                           minlength=len(p.nations))  # purchases paid, by nation: out of the flank's money and caps
        changes.update(in_service_sensors=p.in_service_sensors | new_s, in_service_effectors=p.in_service_effectors
                       | new_e, conv_min_units=np.maximum(p.conv_min_units, np.round(kept.conventional)).astype(np.int64),
                       budget_eur=changes["budget_eur"] - float(paid.sum()),
                       nation_cap_eur={n: cap - float(paid[n]) for n, cap in p.nation_cap_eur.items()})
    return restrict(dataclasses.replace(p, **changes), sensors_ok, effectors_ok)


@dataclass
class YearPlan:
    year: int
    problem: PlanningProblem  # the year's problem (what it keeps in service, its money)
    solved: Solved
    exact: Solved
    seconds: float
    unmet: str = ""  # why the year was planned without its requirements ("": it met them)


def plan_pathway(p: PlanningProblem, sched: Schedule, *, time_limit_s: float = 240.0,
                 say: Callable[[str], None] | None = None, runner: Runner | None = None) -> list[YearPlan]:
    """The end state, then every earlier year first to last (module docstring), within ``time_limit_s``: the end
    state has :data:`~planner.config.pathway.END_STATE_SHARE` of it (its LP relaxation and solves together), each
    earlier year an equal share of the rest (of what the years before it left)."""
    say = say or (lambda _m: None)
    last = len(sched.years)
    tie = np.bincount(p.cell_nation, weights=(p.demand * p.value).sum(1), minlength=len(p.nations))  # value at stake
    end_s = END_STATE_SHARE * time_limit_s
    left = time_limit_s - end_s  # the earlier years' time, what one leaves going to the next
    t0 = time.perf_counter()

    def end_state(caps: tuple[np.ndarray, np.ndarray] | None) -> PlanningProblem:
        limit = max(end_s - (time.perf_counter() - t0), MIN_SOLVE_S)
        return year_problem(dataclasses.replace(p, solver=p.solver.replace(time_limit_s=limit)), sched, last, caps=caps)

    say(f"the end state ({sched.years[-1]})")
    caps = (np.full((len(p.nations), len(p.sensor_ids)), math.inf),
            np.full((len(p.nations), len(p.effector_ids)), math.inf))
    q = end_state(None)
    try:  # where production binds, share it among nations as the LP relaxation would place the units
        if _over_production(p, sched, relaxed_builds(q), caps, tie):
            q = end_state(caps)
    except InfeasibleError:  # the requirements cannot be met: the solve below says why
        pass
    solved, exact, unmet = _solve(q, say, sched.years[-1], runner)
    for _ in range(len(p.sensor_ids) + len(p.effector_ids)):  # each round limits at least one more type
        if not _over_production(p, sched, (solved.sensors, solved.effectors), caps, tie):
            break
        say(f"the end state ({sched.years[-1]}) within production")
        q = end_state(caps)
        solved, exact, unmet = _solve(q, say, sched.years[-1], runner)
    end = YearPlan(sched.years[-1], q, solved, exact, time.perf_counter() - t0, unmet)
    held = (_per_nation(p, _new(p, solved.sensors, 0)), _per_nation(p, _new(p, solved.effectors, 1)))
    plans: list[YearPlan] = []
    kept: Solved | None = None
    for y in range(1, last):
        t1 = time.perf_counter()
        say(f"{sched.years[y - 1]}")
        year_p = dataclasses.replace(p, solver=p.solver.replace(time_limit_s=max(left / (last - y), MIN_SOLVE_S)))
        q = year_problem(year_p, sched, y, caps=_caps(p, sched, y, held, tie), within=solved, kept=kept)
        s, x, unmet = _solve(q, say, sched.years[y - 1], runner)
        plans.append(YearPlan(sched.years[y - 1], q, s, x, time.perf_counter() - t1, unmet))
        left -= time.perf_counter() - t1
        kept = s
    return [*plans, end]


#: The least time a year's solve gets, seconds, when the pathway's time is spent.
MIN_SOLVE_S = 5.0


def _over_production(p: PlanningProblem, sched: Schedule, built: tuple[np.ndarray, np.ndarray],
                     caps: tuple[np.ndarray, np.ndarray], tie: np.ndarray) -> bool:
    """Limit, per nation, each sensor and effector type of which ``built`` (sensors, effectors; fractional for an LP)
    buys more than the flank's production by the pathway's end: its units in service and the production, shared in
    proportion to ``built``'s purchases there (ties to the larger ``tie``). True if any was limited."""
    last = len(sched.years)
    limited = False
    for r in (0, 1):
        use = _per_nation(p, _new(p, built[r], r), whole=False)
        base = _per_nation(p, (p.in_service_sensors, p.in_service_effectors)[r].astype(float))
        most = sched.most_units(r, last)
        for k in np.flatnonzero((use.sum(0) > most + 0.5) & ~np.isfinite(caps[r]).any(0)):
            caps[r][:, k] = base[:, k] + split(most[k], use[:, k], tie)
            limited = True
    return limited


def _solve(q: PlanningProblem, say: Callable[[str], None], year: int,
           runner: Runner | None = None) -> tuple[Solved, Solved, str]:
    """Solve a year's problem; where its requirements (surveillance, escort, the conventional floor) cannot be met
    yet (systems not delivered, money not committed), without them, with the reason (the table says so)."""
    try:
        return (*solve_problem(q, runner), "")
    except InfeasibleError as exc:
        if not (q.min_detection.size or q.min_escort.size or q.conventional_floor > 0):
            raise InfeasibleError(f"{year}: {exc}") from None
        why = (f"{exc} (with the systems delivered by then and €{q.budget_eur / 1e6:,.1f}M of the money committed "
               "left after what earlier years paid for their units)")
        say(f"{year}: requirements not met yet: {why}")
        free = dataclasses.replace(q, min_detection=np.zeros((0, 0)), min_escort=np.zeros((0, 0)),
                                   conventional_floor=0.0)
        return (*solve_problem(free, runner), why)
