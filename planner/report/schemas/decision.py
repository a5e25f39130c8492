"""decision.json (``dronewall decision``): the plan's split between drone defence and conventional forces, the
exchange rate behind it in euros, and the split again at other weights (planner.analysis.decision)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, column

__all__ = ["Document", "WeightRow"]


class WeightRow(Columns):
    """The plan at one weight: factor 1 is the plan itself (read from its run folder), the others the scenario
    solved again with conventional_weight times the factor (its strategy, then the exact evaluation)."""

    COLUMNS = (column(r"^units_[a-z0-9_]+$", int, "Units of the conventional option <id> the plan buys."),)

    factor: float = Field(description="The weight factor: this row's conventional_weight over the scenario's.")
    conventional_weight: float = Field(description="objective.conventional_weight × factor: value-weighted drones "
                                       "defeated one capability point is worth.")
    break_even_eur_per_drone: float | None = Field(
        description="€ per value-weighted drone defeated at which drone defence and the next conventional unit are "
        "worth the same; null when no conventional unit adds value.")
    marginal_option: str | None = Field(description="The conventional option whose next unit sets the break-even; "
                                        "null as above.")
    marginal_eur_per_point: float | None = Field(
        description="That option's € per valued capability point (acquisition and operation over the horizon); "
        "null as above.")
    drone_defence_eur: float = Field(description="Drone defence: builds and the munitions of the planned (LP) "
                                     "engagements, € over the horizon (plan.json's spend_eur.drone_defence).")
    conventional_eur: float = Field(description="Conventional units bought and operated, € over the horizon.")
    drone_share: float = Field(description="drone_defence_eur over the two together, share 0–1.")
    conventional_capability: float = Field(description="Capability points bought (Leopard-2A8 equivalents).")
    conventional_value_points: float = Field(
        description="Those points as the objective values them (capability areas: full value up to a "
        "requirement, less beyond).")
    tanks_not_bought: float | None = Field(
        description="drone_defence_eur in reference tanks (decision.json's reference_tank_eur each); null when "
        "the scenario has no reference tank.")
    defeat_rate_value_exact: float | None = Field(description="Share 0–1 of value defeated (exact); null with no "
                                                  "drones.")
    defeat_rate_all_exact: float | None = Field(description="Share 0–1 of all drones (crewed incursions left out, as "
                                                "in plan.json) defeated (exact); null with "
                                                "no drones.")
    gap: float | None = Field(description="The solve's proven relative gap, share 0–1; null: no bound.")
    status: str = Field(description="The solve's status (optimal, gap_above_target).")
    seconds: float | None = Field(description="Seconds for this row's solve and exact evaluation (factor 1: the "
                                  "plan's total_s).")


class Document(AnalysisDocument):
    """decision.json."""

    model_config = ConfigDict(title="dronewall decision")

    budget_eur: float = Field(description="budget.total_eur, € over the horizon.")
    horizon_years: int = Field(description="budget.horizon_years, years.")
    conventional_weight: float = Field(description="The scenario's objective.conventional_weight.")
    decoy_weight: float = Field(description="objective.decoy_weight: what a decoy defeated counts against an armed "
                                "drone's 1.")
    factors: list[float] = Field(description="The weight factors solved besides the plan's own 1, rising.")
    reference_tank: Literal["leopard_2a8"] | None = Field(
        description="The conventional option tanks_not_bought counts in; null when the scenario cannot buy it.")
    reference_tank_eur: float | None = Field(description="One reference tank bought and operated, € over the "
                                             "horizon; null as above.")
    conventional_ids: list[str] = Field(description="The conventional options the scenario may buy (the units_<id> "
                                        "columns).")
    conventional_names: dict[str, str] = Field(description="Their names, by id.")
    seconds: float = Field(description="Seconds the analysis took.")
    weights: list[WeightRow] = Field(description="One row per weight factor, rising (1: the plan itself).")
