"""Cost-exchange, three ways, per threat class and per nation (docs/analyses.md).

(a) munitions € per drone defeated, against the drone's unit cost: the headline everyone quotes;
(b) all-in € (acquisition, operation, munitions) per drone defeated, and that against the drone's cost;
(c) value protected per €: armed drones defeated × the residents of the protected assets nearest where
    they cross (airports counted as theater.airport_value_residents), per million euros of drone
    defence; and the exposure left, armed leakers × those residents.

Munitions and the kills that pay for them are the planned (LP) engagements, the ones the munitions
bill is for; leakers and value protected use the exact evaluation. A nation's acquisition and
operation are shared among threat classes in proportion to their planned kills in that nation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.problem import PlanningProblem

#: The theater's asset value is population / 100,000 (airports: theater.airport_value_residents / 100,000).
RESIDENTS_PER_VALUE_UNIT = 100_000.0

COLUMNS = ("nation", "threat", "drones_over_horizon", "defeated_lp", "defeated_exact", "leakers_exact",
           "munitions_eur", "fixed_eur", "all_in_eur", "munitions_eur_per_defeat", "munitions_exchange_ratio",
           "all_in_eur_per_defeat", "all_in_exchange_ratio", "value_protected", "exposure_left",
           "value_protected_per_meur")


def exchange_table(p: PlanningProblem, sensors: np.ndarray, effectors: np.ndarray, engagements_lp: np.ndarray,
                   engagements_exact: np.ndarray) -> pd.DataFrame:
    """One row per (nation, threat class), plus 'all' rows per nation, per class and overall.

    Figures are over the planning horizon. Ratios are NaN where nothing is defeated (or spent).
    """
    r = p.raids
    k_lp = np.einsum("nte,et->nt", engagements_lp, p.p_kill) * r
    k_ex = np.einsum("nte,et->nt", engagements_exact, p.p_kill) * r
    munitions = np.einsum("nte,et,e->nt", engagements_lp, p.shots(), p.effector_cost_per_shot_eur) * r
    armed = ~p.threat_decoy
    # residents near where a drone crosses (the theater counts asset value in 100,000 residents); decoys none
    harm = RESIDENTS_PER_VALUE_UNIT * p.cell_asset_value[:, None] * armed[None, :]
    demand = p.demand * r
    fixed_by_nation = p.build_cost_by_nation(sensors, effectors)

    # fixed spend per (cell, threat): a nation's fixed spend shared by its classes' planned kills
    fixed = np.zeros_like(k_lp)
    for n in range(len(p.nations)):
        cells = p.cell_nation == n
        total = k_lp[cells].sum()
        if total > 0:
            fixed[cells] = fixed_by_nation[n] * k_lp[cells] / total
    unassigned = fixed_by_nation.sum() - fixed.sum()  # spend in nations whose systems defeated nothing

    rows = []
    groups = [(p.nations[n], p.cell_nation == n) for n in range(len(p.nations))] + [("all", np.ones(len(p.cell_ids),
                                                                                                     bool))]
    for nation, cells in groups:
        extra = unassigned if nation == "all" else (fixed_by_nation[p.nations.index(nation)] - fixed[cells].sum())
        for t in [*range(len(p.threat_ids)), None]:
            cols = slice(None) if t is None else slice(t, t + 1)
            unit = np.nan if t is None else p.threat_unit_cost_eur[t]
            row = {
                "nation": nation, "threat": "all" if t is None else p.threat_ids[t],
                "drones_over_horizon": demand[cells, cols].sum(),
                "defeated_lp": k_lp[cells, cols].sum(), "defeated_exact": k_ex[cells, cols].sum(),
                "munitions_eur": munitions[cells, cols].sum(),
                "fixed_eur": fixed[cells, cols].sum() + (extra if t is None else 0.0),
                "value_protected": (k_ex[cells, cols] * harm[cells, cols]).sum(),
                "exposure_left": ((demand - k_ex)[cells, cols] * harm[cells, cols]).sum(),
            }
            row["leakers_exact"] = row["drones_over_horizon"] - row["defeated_exact"]
            row["all_in_eur"] = row["munitions_eur"] + row["fixed_eur"]
            kl = row["defeated_lp"]
            row["munitions_eur_per_defeat"] = row["munitions_eur"] / kl if kl > 1e-12 else np.nan
            row["all_in_eur_per_defeat"] = row["all_in_eur"] / kl if kl > 1e-12 else np.nan
            row["munitions_exchange_ratio"] = row["munitions_eur_per_defeat"] / unit
            row["all_in_exchange_ratio"] = row["all_in_eur_per_defeat"] / unit
            row["value_protected_per_meur"] = (row["value_protected"] / (row["all_in_eur"] / 1e6)
                                               if row["all_in_eur"] > 0 else np.nan)
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))
