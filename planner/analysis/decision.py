"""The decision: how a plan splits its budget between drone defence and conventional forces, the exchange rate the
split rests on stated in euros, and the split again at other exchange rates (docs/analyses.md).

A ``max_defeat`` scenario weighs a drone defeated against conventional capability with ``conventional_weight``
(value-weighted drones defeated per Leopard-2A8-equivalent point). The optimum funds drone defence until one more
drone defeated costs what the same money is worth on the conventional side, so the weight is a price in euros:

    break-even (€ per value-weighted drone defeated) = 1 / (weight × valued points per € of the best next unit)

where the best next unit is the conventional option whose next unit adds the most valued points per euro over the
horizon (acquisition and operation), after the plan's own buy (capability areas: full value up to a requirement,
less beyond it, so the break-even depends on what is already bought). An armed drone counts 1, a decoy
``decoy_weight``. Drone defence is worth funding while an extra drone defeated costs less than the break-even;
a minister who values a drone defeated higher or lower reads the split at half and at double the weight, which
this analysis solves (the scenario's own strategy and exact evaluation, as ``dronewall run``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.analysis.stress import LoadedPlan
from planner.errors import ConfigError
from planner.escort import crewed_classes
from planner.lp.runner import Runner
from planner.lp.solve import workers
from planner.plan import break_even, solve_problem, value_of
from planner.problem import PlanningProblem

#: The weight factors solved besides the plan's own (1): half and double the scenario's exchange rate.
DEFAULT_FACTORS = (0.5, 2.0)
#: The catalog option whose units "tanks not bought" counts.
REFERENCE_TANK = "leopard_2a8"


@dataclass
class DecisionResult:
    table: pd.DataFrame  # one row per weight factor (1: the plan itself), in rising order
    meta: dict[str, Any] = field(default_factory=dict)


def _tank_cost(p: PlanningProblem) -> float | None:
    """Euros to buy and run one reference tank over the horizon, if the scenario allows it."""
    return float(p.conv_cost_eur[p.conv_ids.index(REFERENCE_TANK)]) if REFERENCE_TANK in p.conv_ids else None


def _row(p: PlanningProblem, factor: float, units: np.ndarray, drone_eur: float, conv_eur: float,
         value_exact: float, rate_all: float, gap: float | None, status: str, seconds: float) -> dict[str, Any]:
    total_value = float((p.value * p.demand).sum() * p.raids)
    tank = _tank_cost(p)
    return {"factor": factor, "conventional_weight": p.conventional_weight, **break_even(p, units),
            "drone_defence_eur": drone_eur, "conventional_eur": conv_eur,
            "drone_share": drone_eur / max(drone_eur + conv_eur, 1e-9),
            **{f"units_{c}": int(round(units[i])) for i, c in enumerate(p.conv_ids)},
            "conventional_capability": float((units * p.conv_score).sum()),
            "conventional_value_points": p.conventional_value(units, 1.0),
            "tanks_not_bought": drone_eur / tank if tank else math.nan,
            "defeat_rate_value_exact": value_exact / total_value if total_value > 0 else math.nan,
            "defeat_rate_all_exact": rate_all, "gap": gap, "status": status, "seconds": round(seconds, 2)}


def _solved_row(p: PlanningProblem, factor: float, drone: np.ndarray, runner: Runner | None) -> dict[str, Any]:
    """The scenario solved (and evaluated exactly) with the weight times ``factor``, as a table row; its share of
    all drones defeated counts the classes ``drone`` (T,) marks, as plan.json's (crewed incursions apart)."""
    t1 = time.perf_counter()
    q = dataclasses.replace(p, conventional_weight=p.conventional_weight * factor)
    solved, exact = solve_problem(q, runner)
    # spend as plan.json's spend_eur (the factor-1 row's): builds and the planned (LP) engagements' munitions
    costs = q.costs(solved.sensors, solved.effectors, solved.engagements, solved.conventional)
    killed = float(np.einsum("nte,et->nt", exact.engagements, q.p_kill)[:, drone].sum() * q.raids)
    drones = float(p.demand[:, drone].sum() * p.raids)
    return _row(q, factor, exact.conventional, costs["drone_defence"], costs["conventional"], value_of(q, exact),
                killed / drones if drones > 0 else math.nan, solved.gap, solved.status, time.perf_counter() - t1)


def decision(loaded: LoadedPlan, *, factors: tuple[float, ...] | list[float] = DEFAULT_FACTORS) -> DecisionResult:
    """The plan's split and break-even, and the scenario solved again with ``conventional_weight`` times each of
    ``factors`` (each solve as ``dronewall run``: the scenario's strategy, then an exact evaluation)."""
    p, doc = loaded.problem, loaded.document
    if p.objective != "max_defeat":
        raise ConfigError([("objective.kind", f"the decision analysis weighs drone defence against conventional "
                                              f"forces by conventional_weight, which '{p.objective}' does not use: "
                                              "use kind max_defeat")])
    if not len(p.conv_ids) or p.conventional_weight <= 0:
        raise ConfigError([("objective.conventional_weight", "the decision analysis needs conventional options "
                                                             "and a positive conventional_weight to trade against")])
    for f in factors:
        if not (f > 0 and math.isfinite(f)) or f == 1:
            raise ConfigError([("--factors", f"{f:g} is not a weight factor: give positive numbers other than 1 "
                                             "(the plan itself), e.g. 0.5,2")])
    t0 = time.perf_counter()
    spend = doc["spend_eur"]
    solver = doc.get("solver", {})
    rows = [_row(p, 1.0, loaded.fixed.conventional, float(spend["drone_defence"]), float(spend["conventional"]),
                 float(doc["value_defeated_exact"]), float(doc["defeat_rate_all_exact"]), solver.get("gap"),
                 str(solver.get("status", "")), float(doc.get("timings_s", {}).get("total_s", math.nan)))]
    drone = ~crewed_classes(loaded.scenario.catalog, p.threat_ids)
    with workers(p) as runner:  # one set of worker processes for every solve
        for f in sorted(set(factors)):
            rows.append(_solved_row(p, f, drone, runner))
    table = pd.DataFrame(rows).sort_values("factor").reset_index(drop=True)
    meta = {"scenario": loaded.scenario.name, "config_hash": loaded.scenario.config_hash(),
            "budget_eur": p.budget_eur, "horizon_years": p.horizon_years,
            "conventional_weight": p.conventional_weight, "decoy_weight": float(
                loaded.scenario.config.objective.decoy_weight),
            "factors": sorted(set(factors)), "reference_tank": REFERENCE_TANK if _tank_cost(p) else None,
            "reference_tank_eur": _tank_cost(p), "conventional_ids": list(p.conv_ids),
            "conventional_names": {c: loaded.scenario.catalog.conventional[c].name for c in p.conv_ids},
            "seconds": round(time.perf_counter() - t0, 2)}
    return DecisionResult(table=table, meta=meta)
