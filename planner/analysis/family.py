"""A family of national plans over a grid of prices on money: the engine of sweeps.

A frontier or premium sweep changes one right-hand side (the money for drone defence, or the
defeat target). With the flank decomposed by nation (planner.lp.sectors), each nation's MILP is
solved once per price μ on a grid, in parallel; every sweep point is then a small multiple-choice
knapsack over the plans found, and the Lagrangian bound min_μ [μ·A + Σ_n U_n(μ)] (U_n: nation n's
proven MILP bound on V_n − μ·C_n) bounds what any plan with A euros can defeat. Each point
therefore carries a proven gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.errors import ConfigError, InfeasibleError, SolverError
from planner.lp.choice import choose_among, conventional_term, conventional_values, lowest_price
from planner.lp.export import budget_shadow_price, relaxed_value_per_eur
from planner.lp.families import national, why_infeasible
from planner.lp.result import SectorPlan
from planner.lp.runner import Runner
from planner.lp.sectors import initial_price, null_plans, sector_nations, sector_plan
from planner.lp.tasks import SectorTask
from planner.problem import PlanningProblem

#: Prices on the grid, as multiples of the reference price (reference_price: μ_conv, or the LP relaxation's).
GRID = tuple(4.0 ** k for k in range(-4, 5))
#: The price, as a multiple of the reference, that stands for "money is almost no object": the most each
#: nation can defeat. (Far smaller prices leave HiGHS with objective coefficients it will not solve.)
NEAR_FREE = 2.0 ** -14


@dataclass
class Choice:
    """One plan per nation from the family: arrays in the full problem's index space."""

    sensors: np.ndarray
    effectors: np.ndarray
    detected: np.ndarray
    engagements: np.ndarray
    value: float  # value-weighted drones defeated over the horizon (LP promise)
    escorts: np.ndarray  # (N, T, E) escort sorties per raid
    cost: float  # drone-defence euros over the horizon
    bound: float  # proven bound on the value (max sweeps) or on the cost (min sweeps)


@dataclass
class Family:
    problem: PlanningProblem
    nations: list[int]
    subs: list[tuple[PlanningProblem, np.ndarray, np.ndarray]]
    prices: list[float]
    plans: list[list[SectorPlan]]  # per nation
    upper: dict[float, float] = field(default_factory=dict)  # μ -> Σ_n U_n(μ)
    seconds: float = 0.0
    workers: int = 1
    scheduler: str | None = None  # a Dask scheduler address: national MILPs run on that cluster
    #: A time.time() the family's national MILPs share (smallest first, as they hold no ledger seats:
    #: planner.lp.runner.Runner.map); None: each has solver.time_limit_s. A price some nation has no plan for by then
    #: is left out of the family.
    deadline: float | None = None
    stopped: list[float] = field(default_factory=list)  # prices left out for want of time

    def extend(self, prices: list[float], progress: Callable[[int, int], None] | None = None) -> None:
        """Solve every nation at each new price (in parallel) and add the plans and bounds found."""
        import time

        t0 = time.perf_counter()
        p = self.problem
        prices = [mu for mu in prices if mu not in self.upper and mu not in self.stopped]
        if not prices:
            return
        target = p.solver.mip_rel_gap
        limit = p.solver.time_limit_s
        # One chain per nation, dearest price first: each MILP starts from the plan at the previous price
        # (or the family's nearest dearer plan) and may stop within a share of that plan's value.
        chain = sorted(prices, reverse=True)
        tasks = []
        for n, (sub, _, _) in enumerate(self.subs):
            dearer = [pl for pl in (self.plans[n][1:] if self.plans else []) if pl.price > chain[0]]
            near = min(dearer, key=lambda pl: pl.price) if dearer else None
            tasks.append(SectorTask(problem=sub, prices=tuple(chain), threads=1, time_limit_s=limit, mip_rel_gap=target,
                                    start=None if near is None else (near.sensors, near.effectors),
                                    prev_value=None if near is None else near.value))
        done = [0]

        def tick() -> None:
            done[0] += 1
            if progress:
                progress(done[0], len(tasks))

        with Runner(self.workers if len(tasks) > 1 else 1, self.scheduler) as runner:
            if not self.plans:
                self.plans = [[pl] for pl in null_plans(runner, [tasks[n].replace(prices=(), price=chain[0])
                                                                       for n in range(len(self.subs))])]
            chains = runner.map(tasks, tick, share_until=self.deadline)
        for n, c in enumerate(chains):
            if c.outcome == "infeasible":
                raise InfeasibleError(why_infeasible(self.subs[n][0], p.nations[self.nations[n]]))
            if not c.solved and (self.deadline is None or c.outcome != "timeout"):
                raise SolverError(f"{p.nations[self.nations[n]]}: no plan within the time limit at some price: "
                                  "raise solver.time_limit_s")
        # The prices every nation has a plan for (a chain stopped by the family's deadline keeps the ones it did).
        done = min(len(c.chain) for c in chains)
        if done == 0 and not self.upper:
            raise SolverError("no national plan within the sweep's time at the first price: raise solver.time_limit_s")
        self.stopped += chain[done:]
        keyed = [((mu, n), r) for n, c in enumerate(chains) for mu, r in zip(chain, c.chain, strict=False)]
        for (mu, n), r in keyed:
            plan = sector_plan(self.subs[n][0], r, mu)
            self.plans[n].append(plan)  # a plan is a candidate whether or not every nation has one at its price
            if mu in chain[:done]:  # the bound needs every nation's at the price
                bound = r.bound + (plan.value - mu * plan.cost) - r.objective
                self.upper[mu] = self.upper.get(mu, 0.0) + bound
        self.prices = sorted(self.upper)
        self.seconds += time.perf_counter() - t0

    def _totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Prices and, at each, the total cost and value of the nations' plans solved at that price."""
        ps = np.array(sorted(self.upper))
        cost = np.array([sum(pl.cost for ps_n in self.plans for pl in ps_n if pl.price == mu and pl is not ps_n[0])
                         for mu in ps])
        value = np.array([sum(pl.value for ps_n in self.plans for pl in ps_n if pl.price == mu and pl is not ps_n[0])
                          for mu in ps])
        return ps, cost, value

    def refine_for_money(self, amounts: list[float]) -> list[float]:
        """Prices worth adding for these drone-defence amounts: for each, the geometric midpoint of the two
        grid prices whose plans spend just more and just less than the amount (the bracket of its best
        price, since spend falls as the price rises)."""
        ps, cost, _ = self._totals()
        return self._bisect(ps, cost, amounts)

    def refine_for_value(self, values: list[float]) -> list[float]:
        """Prices worth adding for these value targets (value falls as the price rises)."""
        ps, _, value = self._totals()
        return self._bisect(ps, value, values)

    @staticmethod
    def _bisect(ps: np.ndarray, falling: np.ndarray, levels: list[float]) -> list[float]:
        out: set[float] = set()
        for level in levels:
            above = np.flatnonzero(falling > level)  # prices too low for this level
            below = np.flatnonzero(falling <= level)
            if not len(above) or not len(below):
                continue
            lo, hi = ps[above.max()], ps[below.min()]
            if hi > lo * 1.02:
                out.add(float(np.sqrt(lo * hi)))
        return sorted(out)

    @property
    def total_value(self) -> float:
        """Value-weighted drones over the horizon: what a 100% defeat rate would be."""
        p = self.problem
        return float((p.value * p.demand).sum() * p.raids)

    def max_value_bound(self, money: float) -> float:
        """Proven upper bound on the value any plan spending at most ``money`` on drone defence defeats."""
        return min(mu * money + u for mu, u in self.upper.items())

    def joint_bound(self, budget: float) -> float:
        """Proven upper bound on the scenario's own objective (drone value + conventional weight ×
        capability) at a total ``budget``: min over the grid's prices μ at which the conventional term is bounded
        (:func:`planner.lp.choice.lowest_price`) of L(μ)."""
        p = self.problem
        k, val, _ = conventional_values(p, p.objective)
        mu_floor = lowest_price(p, k, val)
        floor = p.conventional_floor if p.objective == "max_defeat_with_floor" else 0.0
        best = math.inf
        for mu, u in self.upper.items():
            if mu < mu_floor * (1 - 1e-12):
                continue
            conv_term, _ = conventional_term(p, k, val, mu, floor)
            best = min(best, mu * budget + u + conv_term)
        return best

    def min_cost_bound(self, value: float) -> float:
        """Proven lower bound on the drone-defence cost of any plan defeating at least ``value``."""
        return max([0.0] + [(value - u) / mu for mu, u in self.upper.items()])

    def reachable_bound(self) -> float:
        """Proven upper bound on the value any plan defeats, money no object: U(μ) + μ × (the most any plan
        can spend) at the lowest price of the grid."""
        p = self.problem
        mu = min(self.upper)
        everything = p.costs(np.ones((len(p.site_ids), len(p.sensor_ids))),
                             np.ones((len(p.site_ids), len(p.effector_ids))),
                             np.broadcast_to(p.demand[:, :, None], (*p.demand.shape, len(p.effector_ids))),
                             np.zeros(len(p.conv_ids)))["drone_defence"]
        return self.upper[mu] + mu * everything

    def best_within(self, money: float) -> Choice:
        """The plan of most value with at most ``money`` euros of drone defence."""
        return self._choose(budget=money)

    def cheapest_reaching(self, value: float) -> Choice | None:
        """The cheapest plan defeating at least ``value`` (LP promise); None if no plan in the family does."""
        if value > sum(max(pl.value for pl in ps) for ps in self.plans) + 1e-9:
            return None
        return self._choose(min_value=value)

    def best_with_conventional(self, budget: float) -> tuple[Choice, np.ndarray]:
        """The scenario's own objective (value + conventional weight × capability) at another total budget:
        national plans and integer conventional units chosen together. Returns the plan and the units."""
        p = self.problem
        k, val, _ = conventional_values(p, p.objective)
        floor = p.conventional_floor if p.objective == "max_defeat_with_floor" else 0.0
        return self._choose(budget=budget, conventional=(k, val, floor))

    def choice_of(self, picked: list[int], bound: float = math.nan) -> Choice:
        """The flank's plan made of each nation's ``picked`` plan (indices into :attr:`plans`)."""
        p = self.problem
        out = Choice(sensors=np.zeros((len(p.site_ids), len(p.sensor_ids))),
                     effectors=np.zeros((len(p.site_ids), len(p.effector_ids))), detected=np.zeros(p.demand.shape),
                     engagements=np.zeros((len(p.cell_ids), len(p.threat_ids), len(p.effector_ids))),
                     value=0.0, cost=0.0, bound=bound,
                     escorts=np.zeros((len(p.cell_ids), len(p.threat_ids), len(p.effector_ids))))
        for n, q in enumerate(picked):
            pl = self.plans[n][q]
            _, ci, si = self.subs[n]
            out.sensors[si], out.effectors[si] = pl.sensors, pl.effectors
            out.detected[ci], out.engagements[ci] = pl.detected, pl.engagements
            if pl.escorts is not None:
                out.escorts[ci] = pl.escorts
            out.value += pl.value
            out.cost += pl.cost
        return out

    def _choose(self, *, budget: float | None = None, min_value: float | None = None,
                conventional: tuple[np.ndarray, np.ndarray, float] | None = None) -> Any:
        picked, units = choose_among(self.problem, self.plans, budget=budget, min_value=min_value,
                                     conventional=conventional)
        out = self.choice_of(picked)
        if conventional is not None:
            out.bound = self.joint_bound(budget or 0.0)
            return out, units
        out.bound = self.max_value_bound(budget) if budget is not None else self.min_cost_bound(min_value or 0.0)
        return out


def reference_price(p: PlanningProblem) -> float:
    """The scale of the price grid: μ_conv where conventional options carry value, else the budget's dual in the LP
    relaxation, else (the budget does not bind: drone defence alone, money to spare) what the relaxation defeats per
    euro on average, so that the grid runs from plans that buy almost everything to plans that buy almost nothing
    (with a dual of 0 every price was near 0 and every plan the same)."""
    _, _, mu_conv = conventional_values(p, "max_defeat")
    if mu_conv > 0:
        return mu_conv
    dual = budget_shadow_price(p)
    return dual if dual is not None else (relaxed_value_per_eur(p) or initial_price(p))


def build_family(p: PlanningProblem, *, prices: list[float] | None = None, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None, scheduler: str | None = None,
                 deadline: float | None = None) -> Family:
    """Solve every nation's priced MILP at every price of the grid (in parallel), sharing the time until ``deadline``
    (a time.time(); none: each MILP has solver.time_limit_s). Needs a sectored problem."""
    if not p.is_sectored():
        raise ConfigError([("theater.cross_border_coverage",
                            "sweeps decompose the flank by nation: set it to false (each nation covers its own "
                            "border)")])
    nations = sector_nations(p)
    family = Family(problem=p, nations=nations, subs=[national(p, n) for n in nations], prices=[], plans=[],
                    workers=workers or max(1, p.solver.threads or 1), scheduler=scheduler, deadline=deadline)
    if prices is None:
        ref = reference_price(p)
        prices = sorted({ref * g for g in GRID} | {ref * NEAR_FREE})
    family.extend(prices, progress=progress)
    return family


def describe(family: Family) -> dict[str, Any]:
    """What the family holds, for the record."""
    return {"prices_per_meur": [mu * 1e6 for mu in family.prices], "nations": [family.problem.nations[n]
                                                                               for n in family.nations],
            "plans_per_nation": [len(ps) for ps in family.plans], "seconds": round(family.seconds, 2),
            **({"prices_left_out_for_time_per_meur": [mu * 1e6 for mu in family.stopped]} if family.stopped else {})}
