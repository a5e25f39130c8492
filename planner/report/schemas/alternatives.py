"""alternatives.json (``dronewall alternatives``): near-optimal alternatives, plans whose objective (the LP's
promise) stays within a tolerance of the best plan's and that differ from it as much as each aim asks, all chosen
from one family of national plans (planner.analysis.alternatives)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Family, column

__all__ = ["Aim", "AlternativeRow", "Document"]

#: What an alternative aims at (planner.lp.choice.AIMS).
Aim = Literal["most_tanks", "most_conventional", "most_drone_defence", "fewest_nations"]


class AlternativeRow(Columns):
    """One plan: the best combination of the family's national plans and conventional units within the budget, or
    an aim's. A plan that repeats an earlier row's builds and units is not evaluated again: its exact figures are
    null and same_as names the earlier row."""

    COLUMNS = (
        column(r"^units_[a-z0-9_]+$", int, "Units of the conventional option <id> the plan buys."),
        column(r"^defeat_[a-z0-9_]+$", float | None,
               "Share 0–1 of the drones of the threat class <id> defeated (exact), 0 for a class without drones; "
               "null when same_as is set. (The defeat_rate_* keys match this pattern too.)"),
    )

    plan: Literal["best", "most_tanks", "most_conventional", "most_drone_defence", "fewest_nations"] = Field(
        description="best: the best plan; otherwise the aim (most armour points, most capability, most value "
        "defeated, fewest nations building) whose plan this is (its plan.json: plans/<plan>/plan.json, unless "
        "same_as is set).")
    same_as: Literal["", "best", "most_tanks", "most_conventional", "most_drone_defence", "fewest_nations"] = Field(
        description="The first earlier row with the same sensors, effectors and conventional units (this row is "
        "that plan again, not evaluated nor saved again); empty when the plan is new.")
    objective: float = Field(description="The scenario's objective (LP): value defeated over the horizon plus "
                             "conventional_weight per valued capability point.")
    below_best: float = Field(description="1 − objective / best_objective, share 0–1: how far below the best "
                              "plan (at most tolerance); 0 when best_objective is 0.")
    below_bound: float = Field(description="1 − objective / best_bound, share 0–1: how far below the proven bound on "
                               "any plan's objective; 0 when best_bound is 0.")
    drone_defence_eur: float = Field(description="Drone defence (builds, and the munitions of its LP engagements), € "
                                     "over the horizon.")
    conventional_eur: float = Field(description="Conventional units bought and operated, € over the horizon.")
    conventional_capability: float = Field(description="Capability points bought (Leopard-2A8 equivalents).")
    nations_building: int = Field(description="How many nations build drone defence beyond their units in service.")
    nations: str = Field(description="Those nations' codes, comma-separated in the scenario's order; empty when none "
                         "builds.")
    defeat_rate_value_lp: float | None = Field(description="Share 0–1 of value defeated (LP); null when same_as is "
                                               "set.")
    defeat_rate_value_exact: float | None = Field(description="Share 0–1 of value defeated (exact); null as above.")
    defeat_rate_armed_exact: float | None = Field(
        description="Share 0–1 of armed drones (decoys and crewed incursions left out) defeated (exact); null as "
        "above.")


class Document(AnalysisDocument):
    """alternatives.json."""

    model_config = ConfigDict(title="dronewall alternatives")

    budget_eur: float = Field(description="budget.total_eur, € over the horizon.")
    tolerance: float = Field(description="--tolerance: how far below best_objective an alternative's objective may "
                             "be, share 0–1 (0.03: within 3%).")
    aims: list[Aim] = Field(description="--aims: the aims, in the order given (the rows after best).")
    best_objective: float = Field(description="The best plan's objective (LP): value defeated over the horizon plus "
                                  "conventional_weight per valued capability point.")
    best_bound: float = Field(description="Proven upper bound on the objective of any plan within the budget (the "
                              "family's Lagrangian bound).")
    family: Family = Field(description="The family of national plans the alternatives were chosen from: the "
                           "nations solved at half, once and twice the scenario's reference price.")
    conventional_ids: list[str] = Field(description="The conventional options the scenario may buy (the units_<id> "
                                        "columns).")
    conventional_names: dict[str, str] = Field(description="Their names, by id.")
    seconds: float = Field(description="Seconds the analysis took.")
    plans: list[AlternativeRow] = Field(description="One row for the best plan, then one per aim in the order of "
                                        "aims.")
