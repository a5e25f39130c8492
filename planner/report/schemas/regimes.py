"""regimes.json (``dronewall regimes``): the scenario planned for each threat regime of ``threats.regimes`` alone and
once across all of them at their weights, and every plan evaluated exactly in every regime (planner.analysis.regimes).

An evaluation fixes the plan's builds and conventional units and re-optimises its engagements within the munitions
money the plan leaves (the budget less its builds and conventional buy), shared among nations as the plan's own
munitions are. As in plan.json, the evaluations' counts and rates are of drones (decoys included): crewed
incursions are escorted or shot and reported apart."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Fixed, column

__all__ = ["Document", "Evaluation", "Regime", "RegimePlan"]


class Regime(Fixed):
    """One threat regime as the scenario gives it (planner.config.regimes.ThreatRegime)."""

    weight: float = Field(description="The regime's weight in the plan across regimes: the probability of this "
                          "future over the horizon, 0–1 (the weights sum to 1).")
    raids_per_year: float = Field(description="Raids a year in this regime (replaces threats.raids_per_year).")
    drones_per_raid_factor: float = Field(description="Every class's drones per raid on every border, times this "
                                          "(the scenario's own raids: 1).")
    description: str = Field(description="What the regime stands for and where its figures come from; may be "
                             "empty.")


class Evaluation(Fixed):
    """One plan evaluated exactly in one regime."""

    plan: str = Field(description="The plan: a regime's id (planned as if that regime were certain), or weighted "
                      "(planned across the regimes at their weights).")
    regime: str = Field(description="The regime it is evaluated in (an id of regimes).")
    weight: float = Field(description="That regime's weight, 0–1.")
    drones_over_horizon: float = Field(description="Drones (decoys included, crewed incursions left out) crossing "
                                       "the border in the regime, over the horizon.")
    defeat_rate_value_exact: float | None = Field(description="Share 0–1 of value defeated (exact); null when the "
                                                  "regime's drones carry no value.")
    defeat_rate_all_exact: float = Field(description="Share 0–1 of those drones (decoys included) defeated (exact); 0 "
                                         "with none.")
    defeat_rate_armed_exact: float = Field(description="Share 0–1 of the armed drones (decoys and crewed incursions "
                                           "left out) defeated (exact); 0 with none.")
    value_defeated_exact: float = Field(description="Value defeated (exact), over the horizon.")
    munitions_eur: float = Field(description="Munitions of the exact engagements, € over the horizon.")


class RegimePlan(Columns):
    """One plan: what it buys, and its figures across the regimes at their weights."""

    COLUMNS = (column(r"^units_[a-z0-9_]+$", int, "Units of the conventional option <id> the plan buys."),)

    plan: str = Field(description="A regime's id (the plan for that regime alone), or weighted (the plan across the "
                      "regimes).")
    drone_builds_eur: float = Field(description="Sensors and effectors bought and operated, € over the horizon.")
    munitions_allowance_eur: float = Field(
        description="The munitions money the plan leaves for every evaluation: budget_eur less its builds and "
        "conventional buy, none when they take it all, € over the horizon.")
    drone_defence_eur: float = Field(description="drone_builds_eur + munitions_allowance_eur, € over the horizon.")
    conventional_eur: float = Field(description="Conventional units bought and operated, € over the horizon.")
    conventional_capability: float = Field(description="Capability points bought (Leopard-2A8 equivalents).")
    weighted_value_defeated_exact: float = Field(
        description="Σ over the regimes of weight × value_defeated_exact of the plan's evaluation there.")
    weighted_objective_exact: float = Field(
        description="weighted_value_defeated_exact plus the units' worth: conventional_weight per valued capability "
        "point (capability areas: full value up to a requirement, less beyond).")
    gap: float | None = Field(description="The solve's proven relative gap, share 0–1; null: no bound.")
    status: Literal["optimal", "gap_above_target"] = Field(
        description="optimal: proven within solver.mip_rel_gap of the best plan; gap_above_target: stopped above it.")
    seconds: float = Field(description="Seconds planning it (a regime's plan: its solve and exact evaluation in "
                           "that regime; weighted: the solve across the regimes); the evaluations here left out.")


class Document(AnalysisDocument):
    """regimes.json."""

    model_config = ConfigDict(title="dronewall regimes")

    budget_eur: float = Field(description="budget.total_eur, € over the horizon: the budget every plan holds in "
                              "every regime.")
    horizon_years: int = Field(description="budget.horizon_years, years.")
    conventional_weight: float = Field(description="objective.conventional_weight: value defeated one capability "
                                       "point is worth.")
    regimes: dict[str, Regime] = Field(description="threats.regimes, by id, in the scenario's order.")
    conventional_ids: list[str] = Field(description="The conventional options the scenario may buy (the units_<id> "
                                        "columns).")
    conventional_names: dict[str, str] = Field(description="Their names, by id.")
    seconds: float = Field(description="Seconds the analysis took.")
    evaluations: list[Evaluation] = Field(
        description="Every plan in every regime: the plans in the order of regimes then weighted, each evaluated "
        "in the regimes in their order.")
    regime_plans: list[RegimePlan] = Field(description="One row per plan: each regime's in the order of regimes, "
                                           "then weighted.")
