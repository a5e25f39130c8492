"""frontier.json (``dronewall frontier``): drone defence against conventional capability at the scenario's budget,
one point per capability kept (an ε-constraint swept over a family of national plans), and with ``--budgets`` the
scenario's own objective at other total budgets (planner.analysis.sweeps.frontier)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Family, absent_or, column

__all__ = ["BudgetPoint", "Document", "Point"]

#: The columns both tables have: units bought of each conventional option, the exact defeat rate of each class.
_UNITS = column(r"^units_[a-z0-9_]+$", int, "Units of the conventional option <id> the point buys.")
_DEFEAT = column(r"^defeat_[a-z0-9_]+$", float, "Share 0–1 of the drones of the threat class <id> defeated (exact); "
                 "0 for a class without drones.")


class Point(Columns):
    """One point of the frontier: the conventional capability it keeps, bought at least cost, and the family's best
    combination of national plans within the rest of the budget (a small problem's point whose gap stays above
    target after refinement: drone defence solved directly, if that does better), its plan evaluated exactly
    (``points/<point>/plan.json``)."""

    COLUMNS = (_UNITS, _DEFEAT)

    point: str = Field(pattern=r"^eps-\d{2,}$", description="The point's name, eps-00, eps-01, … in order of "
                       "capability_floor (its plan: points/<point>/plan.json).")
    capability_floor: float = Field(
        description="The capability the point must keep, Leopard-2A8 equivalents: evenly spaced from 0 to what all "
        "the budget buys at the best capability per €, lowered where whole units within the budget cannot reach "
        "it.")
    conventional_capability: float = Field(description="Capability points bought (Leopard-2A8 equivalents): the "
                                           "cheapest whole units reaching capability_floor and the minimum "
                                           "holdings.")
    conventional_eur: float = Field(description="Those units bought and operated, € over the horizon.")
    drone_money_eur: float = Field(description="budget_eur − conventional_eur: the most the point may spend on drone "
                                   "defence, € over the horizon.")
    drone_spend_eur: float = Field(description="What the point's drone defence spends (builds, and the munitions of "
                                   "its LP engagements), € over the horizon.")
    value_lp: float = Field(description="Value defeated (LP), over the horizon.")
    value_bound: float = Field(description="Proven upper bound on the value (over the horizon) any plan spending at "
                               "most drone_money_eur on drone defence defeats (the family's Lagrangian bound).")
    gap: float = Field(description="(value_bound − value_lp) over the larger of the two, share 0–1: the point's "
                       "proven gap.")
    defeat_rate_value_lp: float = Field(description="Share 0–1 of value defeated (LP).")
    defeat_rate_value_exact: float = Field(description="Share 0–1 of value defeated (exact).")
    defeat_rate_armed_exact: float = Field(description="Share 0–1 of armed drones (decoys and crewed incursions left "
                                           "out) defeated (exact).")
    dominated: bool = Field(description="True when another point keeps at least as much capability and defeats at "
                            "least as large a share of value (exact), more of one (beyond 1e-9).")
    best_response_rate_value: float | None = absent_or(
        "With --adversary: share 0–1 of value defeated when the adversary, having seen the point's plan, answers "
        "with its best response (exact: planner.analysis.respond); absent without.")
    best_response_leak: float | None = absent_or("With --adversary: the value the best response leaks over the "
                                                 "horizon; absent without.")
    best_response: str | None = absent_or("With --adversary: the best response in words (axis or spread; altitude "
                                          "profile; decoy share); absent without.")


class BudgetPoint(Columns):
    """The scenario's own objective (value defeated + conventional weight × capability) at one total budget of
    ``--budgets``: national plans of the family and whole conventional units chosen together, the plan evaluated
    exactly (``points/<point>/plan.json``). A min_cost scenario is swept as max_defeat."""

    COLUMNS = (_UNITS, _DEFEAT)

    point: str = Field(pattern=r"^budget-\d{2,}$", description="The point's name, budget-00, budget-01, … in the "
                       "order of budgets_eur (its plan: points/<point>/plan.json).")
    budget_eur: float = Field(description="The total budget, € over the horizon.")
    drone_spend_eur: float = Field(description="What the drone defence spends (builds, and the munitions of its LP "
                                   "engagements), € over the horizon.")
    conventional_eur: float = Field(description="Conventional units bought and operated, € over the horizon.")
    conventional_capability: float = Field(description="Capability points bought (Leopard-2A8 equivalents).")
    objective: float = Field(description="The objective (LP): value defeated over the horizon plus the conventional "
                             "units' worth (conventional_weight per valued capability point; 0 unless max_defeat).")
    objective_bound: float | None = Field(
        description="Proven upper bound on the objective of any plan within budget_eur (the family's Lagrangian "
        "bound); null when no price of the family bounds the conventional term.")
    gap: float | None = Field(description="(objective_bound − objective) over the larger of the two, share 0–1; null "
                              "as above.")
    defeat_rate_value_lp: float = Field(description="Share 0–1 of value defeated (LP).")
    defeat_rate_value_exact: float = Field(description="Share 0–1 of value defeated (exact).")
    defeat_rate_armed_exact: float = Field(description="Share 0–1 of armed drones (decoys and crewed incursions left "
                                           "out) defeated (exact).")


class Document(AnalysisDocument):
    """frontier.json."""

    model_config = ConfigDict(title="dronewall frontier")

    budget_eur: float = Field(description="budget.total_eur, € over the horizon: the budget the points share.")
    budgets_eur: list[float] = Field(description="The total budgets of --budgets, € over the horizon, in the order "
                                     "given; empty without --budgets.")
    family: Family = Field(description="The family of national plans the points were chosen from.")
    seconds: float = Field(description="Seconds the analysis took (family, refinement and exact evaluations).")
    adversary: bool | None = absent_or("True when each point was also held to the adversary's best response "
                                       "(--adversary).")
    points: list[Point] = Field(description="One row per point (--points of them), capability_floor rising.")
    budget_sweep: list[BudgetPoint] | None = absent_or(
        "One row per budget of --budgets, in the order given; absent without --budgets.")
