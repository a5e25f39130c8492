"""Near-optimal alternatives (modelling to generate alternatives): plans within a stated tolerance of the best that
differ as much as possible, so that a briefing can say "these plans are all within 3%" (docs/analyses.md).

The flank's national MILPs are solved at a few prices around the scenario's own (a family of national plans,
:mod:`planner.analysis.family`); the best combination of national plans and conventional units within the budget
is the reference. Each aim (:data:`planner.lp.choice.AIMS`: most tanks, most conventional capability, most drone
defence, fewest nations building) then picks, among the same plans, the combination best for it whose objective
(drone value plus conventional value, the optimizer's promise) stays within ``tolerance`` of the reference. Every
alternative is evaluated exactly like any plan; one that repeats an earlier one is reported as the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.analysis.family import Choice, build_family, describe, reference_price
from planner.analysis.sweeps import SweepResult, _evaluate, _rates, _runner
from planner.config.io import Scenario
from planner.errors import ConfigError
from planner.geo.theater import build_theater
from planner.lp.choice import AIMS, choose_alternative, conventional_values, conventional_worth
from planner.lp.result import SolveInfo
from planner.problem import PlanningProblem, build_problem

#: The prices of the family, as multiples of the scenario's reference price: the optimum's and either side.
PRICES = (0.5, 1.0, 2.0)
DEFAULT_TOLERANCE = 0.03


def alternatives(scenario: Scenario, *, tolerance: float = DEFAULT_TOLERANCE, aims: tuple[str, ...] = AIMS,
                 workers: int | None = None, progress: Callable[[int, int], None] | None = None,
                 scheduler: str | None = None) -> SweepResult:
    """The best plan of the family and, for each aim, the plan best for it within ``tolerance`` of the best."""
    if not 0 < tolerance < 1:
        raise ConfigError([("--tolerance", f"{tolerance:g} is not a tolerance: give a share between 0 and 1, "
                                           "e.g. 0.03 for plans within 3% of the best")])
    bad = [a for a in aims if a not in AIMS]
    if bad:
        raise ConfigError([("--aims", f"{', '.join(bad)}: not an aim; use some of {', '.join(AIMS)}")])
    t0 = time.perf_counter()
    theater = build_theater(scenario)
    p = build_problem(scenario, theater)
    if p.objective != "max_defeat" or not len(p.conv_ids):
        raise ConfigError([("objective.kind", "alternatives trade drone defence against conventional options within "
                                              "the objective: use kind max_defeat with conventional options")])
    ref = reference_price(p)
    fam = build_family(p, prices=[ref * g for g in PRICES], workers=workers, progress=progress, scheduler=scheduler)
    k, val, _ = conventional_values(p, p.objective)
    best, best_units = fam.best_with_conventional(p.budget_eur)
    best_objective = best.value + conventional_worth(p, best_units, val)
    armour = p.conv_area_points[:, list(p.area_ids).index("armour")] if "armour" in p.area_ids else np.zeros(len(k))
    picks: list[tuple[str, Choice, np.ndarray]] = [("best", best, best_units)]
    for aim in aims:
        picked, units = choose_alternative(p, fam.plans, aim=aim, min_objective=(1 - tolerance) * best_objective,
                                           k=k, val=val, armour=armour)
        choice = fam.choice_of(picked, bound=best.bound)
        picks.append((aim, choice, units))
    rows, plans, seen = [], {}, {}
    with _runner(p, fam) as runner:
        for name, choice, units in picks:
            key = (choice.sensors.tobytes(), choice.effectors.tobytes(), units.tobytes())
            objective = choice.value + conventional_worth(p, units, val)
            nations = [p.nations[n] for n in range(len(p.nations)) if _builds_new(p, choice, n)]
            row = {"plan": name, "same_as": seen.get(key, ""), "objective": objective,
                   "below_best": 1 - objective / best_objective if best_objective else 0.0,
                   "below_bound": 1 - objective / best.bound if best.bound else 0.0,
                   "drone_defence_eur": choice.cost, "conventional_eur": float((k * units).sum()),
                   **{f"units_{c}": int(units[i]) for i, c in enumerate(p.conv_ids)},
                   "conventional_capability": float((p.conv_score * units).sum()),
                   "nations_building": len(nations), "nations": ",".join(nations)}
            if key not in seen:
                seen[key] = name
                plan = _evaluate(scenario, theater, p, choice, units, None,
                                 SolveInfo(strategy="family", point=name), runner)
                plans[name] = plan
                row.update(_rates(plan))
            rows.append(row)
    table = pd.DataFrame(rows)
    meta = {"scenario": scenario.name, "config_hash": scenario.config_hash(), "budget_eur": p.budget_eur,
            "tolerance": tolerance, "aims": list(aims), "best_objective": best_objective,
            "best_bound": best.bound, "family": describe(fam), "conventional_ids": list(p.conv_ids),
            "conventional_names": {c: scenario.catalog.conventional[c].name for c in p.conv_ids},
            "seconds": round(time.perf_counter() - t0, 2)}
    return SweepResult(kind="alternatives", table=table, plans=plans, meta=meta)


def _builds_new(p: PlanningProblem, choice: Choice, nation: int) -> bool:
    """True when the choice builds something beyond the nation's units in service."""
    sites = p.site_nation == nation
    return bool((np.clip(choice.sensors[sites] - p.in_service_sensors[sites], 0, None).sum()
                 + np.clip(choice.effectors[sites] - p.in_service_effectors[sites], 0, None).sum()) > 0)
