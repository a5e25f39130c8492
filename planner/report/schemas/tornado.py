"""tornado.json (``dronewall tornado``): which inputs move the split between drone defence and conventional forces,
and where it flips; one row per input (each solved at its low and its high value) and every solve
(planner.analysis.tornado, planner.analysis.tornado_inputs).

A point is the scenario solved as ``dronewall run`` solves it (its strategy, then the exact evaluation) with one
input moved; its *drone share* is its drone-defence spend (sensors and effectors bought and run, munitions) over
its budget. A point with no plan (infeasible) has null figures."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, column

__all__ = ["Document", "InputRow", "PointRow"]

#: A point's status: the solve's, or infeasible where the moved scenario has no plan.
Status = Literal["optimal", "gap_above_target", "infeasible"]


class InputRow(Columns):
    """One input: its range, the plans at its low and its high value against the nominal plan, the swing of the drone
    share and where the split flips. Columns ``low_<figure>`` and ``high_<figure>`` are the plan at that end."""

    COLUMNS = (
        column(r"^low_units_[a-z][a-z0-9_]*$", int | None,
               "Units of the conventional option <id> the plan at the low value buys; null: no plan (infeasible)."),
        column(r"^high_units_[a-z][a-z0-9_]*$", int | None,
               "Units of the conventional option <id> the plan at the high value buys; null: no plan (infeasible)."),
    )

    rank: int = Field(description="Rank by swing_share, 1 the largest (ties in the order the inputs were listed).")
    input: str = Field(description="The input's path: a scenario knob's config path (objective.conventional_weight) "
                       "or a catalog figure's (effectors.gun_35mm.p_kill_per_shot.shahed_136).")
    label: str = Field(description="The input in words, for tables and charts.")
    nominal_value: float = Field(description="The input's value in the scenario (a catalog figure's value).")
    low_value: float = Field(
        description="Its low value: a catalog figure's low (its value when it has none); a knob's LOW from --inputs, "
        "else its default: ×0.5 of its value (not below the field's floor), or 0 for objective.decoy_weight and "
        "threats.decoy_discrimination (the value if lower).")
    high_value: float = Field(description="Its high value, likewise: the figure's high, the knob's HIGH, or ×2 (1 for "
                              "the decoy knobs, the value if higher).")
    low_text: str = Field(description="low_value in words (€21.6M, 0.30, 25).")
    high_text: str = Field(description="high_value in words.")
    low_drone_defence_eur: float | None = Field(
        description="Drone defence (sensors and effectors bought and run, munitions) of the plan at the low value, "
        "€ over the horizon; null: no plan.")
    low_conventional_eur: float | None = Field(
        description="Conventional units bought and operated at the low value, € over the horizon; null: no plan.")
    low_drone_share: float | None = Field(
        description="low_drone_defence_eur over that point's budget, share 0–1; null: no plan.")
    low_conventional_capability: float | None = Field(
        description="Capability points bought at the low value (Leopard-2A8 equivalents); null: no plan.")
    low_defeat_rate_value_exact: float | None = Field(
        description="Share 0–1 of value defeated (exact) at the low value, weighted with that point's own values; "
        "null: no plan or no drones.")
    low_gap: float | None = Field(description="The low value's solve's proven relative gap, share 0–1; null: no "
                                  "bound or no plan.")
    low_status: Status = Field(description="The low value's solve: optimal, gap_above_target, or infeasible (no "
                               "plan).")
    low_change_share: float | None = Field(
        description="low_drone_share − nominal_drone_share, share of the budget; null: no plan.")
    high_drone_defence_eur: float | None = Field(
        description="Drone defence of the plan at the high value, € over the horizon; null: no plan.")
    high_conventional_eur: float | None = Field(
        description="Conventional units bought and operated at the high value, € over the horizon; null: no plan.")
    high_drone_share: float | None = Field(
        description="high_drone_defence_eur over that point's budget, share 0–1; null: no plan.")
    high_conventional_capability: float | None = Field(
        description="Capability points bought at the high value (Leopard-2A8 equivalents); null: no plan.")
    high_defeat_rate_value_exact: float | None = Field(
        description="Share 0–1 of value defeated (exact) at the high value; null: no plan or no drones.")
    high_gap: float | None = Field(description="The high value's solve's proven relative gap, share 0–1; null: no "
                                   "bound or no plan.")
    high_status: Status = Field(description="The high value's solve: optimal, gap_above_target, or infeasible.")
    high_change_share: float | None = Field(
        description="high_drone_share − nominal_drone_share, share of the budget; null: no plan.")
    swing_share: float = Field(
        description="The spread of the drone share over the nominal, low and high plans (largest − smallest, "
        "points without a plan left out), share of the budget: the ranking's measure.")
    swing_eur: float = Field(
        description="The larger change of drone-defence spend from the nominal plan at either end, € over the "
        "horizon; 0 when neither end has a plan.")
    tolerance_eur: float | None = Field(
        description="At the end that sets swing_eur, the nominal's and that end's resolution together (each plan's "
        "proven gap as € of drone spend): a change within it may be the solver's tolerance; null when a "
        "resolution is unknown (no bound, no price on conventional value) or neither end has a plan.")
    within_tolerance: bool = Field(
        description="True when each end's change of drone-defence spend is within the nominal's and that end's "
        "resolution together (also true when neither end has a plan; false where a resolution is unknown).")
    flips: bool = Field(description="True when the split flips between the low and the high value.")
    flip_at: str = Field(description="The flip nearest the nominal value, in words; '' when none.")
    flip_share_value: float | None = Field(
        description="The value nearest the nominal at which drone defence crosses majority_share of the budget "
        "(the middle of its bisected bracket); null: no such flip.")
    flip_share_tolerance: float | None = Field(
        description="Half that bracket's width, in the input's unit: the flip lies within ± this; null as above.")
    flip_buys_value: float | None = Field(
        description="The value nearest the nominal at which drone defence crosses buys_share of the budget (the "
        "plan stops or starts buying drone defence); null: no such flip.")
    flip_buys_tolerance: float | None = Field(description="Half that bracket's width: ± this; null as above.")
    flip: str = Field(description="Every flip in words, lowest value first (drone defence takes over half the "
                      "budget above …, stops buying drone defence above …), or 'no flip between <low> and <high>'.")


class PointRow(Columns):
    """One solve: the nominal scenario, an input at its low or its high value, or a bisection's midpoint."""

    COLUMNS = (column(r"^units_[a-z][a-z0-9_]*$", int | None,
                      "Units of the conventional option <id> the point's plan buys; null: no plan (infeasible)."),)

    input: str = Field(description="The input's path; '(nominal)' for the scenario as given.")
    value: float | None = Field(description="The input's value at this point; null for the nominal.")
    point: Literal["nominal", "low", "high", "bisection"] = Field(
        description="What the point is: the nominal scenario, the input's low or high value, or a midpoint "
        "bisected towards a flip.")
    drone_defence_eur: float | None = Field(description="Drone defence of the point's plan, € over the horizon; "
                                            "null: no plan.")
    conventional_eur: float | None = Field(description="Conventional units bought and operated, € over the horizon; "
                                           "null: no plan.")
    drone_share: float | None = Field(description="drone_defence_eur over the point's budget, share 0–1; null: no "
                                      "plan.")
    conventional_capability: float | None = Field(description="Capability points bought (Leopard-2A8 "
                                                  "equivalents); null: no plan.")
    defeat_rate_value_exact: float | None = Field(description="Share 0–1 of value defeated (exact); null: no plan "
                                                  "or no drones.")
    gap: float | None = Field(description="The solve's proven relative gap, share 0–1; null: no bound or no plan.")
    status: Status = Field(description="The solve's status: optimal, gap_above_target, or infeasible (no plan).")


class Document(AnalysisDocument):
    """tornado.json."""

    model_config = ConfigDict(title="dronewall tornado")

    budget_eur: float = Field(description="budget.total_eur, € over the horizon (the nominal scenario's).")
    nominal_drone_defence_eur: float = Field(description="Drone defence of the nominal plan (the scenario as given), "
                                             "€ over the horizon.")
    nominal_conventional_eur: float = Field(description="Conventional units the nominal plan buys and operates, € "
                                            "over the horizon.")
    nominal_drone_share: float = Field(description="nominal_drone_defence_eur over budget_eur, share 0–1.")
    nominal_conventional_capability: float = Field(description="Capability points the nominal plan buys "
                                                   "(Leopard-2A8 equivalents).")
    nominal_defeat_rate_value_exact: float | None = Field(
        description="Share 0–1 of value the nominal plan defeats (exact); null with no drones.")
    nominal_gap: float | None = Field(description="The nominal solve's proven relative gap, share 0–1; null: no "
                                      "bound.")
    nominal_resolution_eur: float | None = Field(
        description="The nominal plan's objective slack (its proven gap) at the price of conventional value, in € "
        "of drone spend (minimising cost: the slack itself); null when there is no bound or no such price.")
    nominal_units: dict[str, int] = Field(description="Units of each conventional option the nominal plan buys, by "
                                          "id.")
    nominal_status: Literal["optimal", "gap_above_target"] = Field(description="The nominal solve's status.")
    inputs_from: Literal["--inputs", "default list"] = Field(
        description="Where the inputs came from: the --inputs option, or the curated default list.")
    left_out: list[str] = Field(description="Inputs of the default list beyond its cap of 20, by path; empty with "
                                "--inputs.")
    majority_share: float = Field(description="The share of the budget at which drone defence takes the larger part "
                                  "(0.5): the split's 'share' flip.")
    buys_share: float = Field(description="The share of the budget below which a plan buys no drone defence to speak "
                              "of (0.01): the 'buys' flip.")
    bisect_steps: int = Field(description="Halvings of each flip's bracket (--bisect-steps; 0: the bracket only).")
    flip_rule: str = Field(description="The flip rule in words.")
    measure: str = Field(description="What the figures measure, in words.")
    resolution: str = Field(description="What resolution and tolerance_eur mean, in words.")
    mip_rel_gap: float = Field(description="The solver's target gap for every solve (--mip-rel-gap, else "
                               "solver.mip_rel_gap), share 0–1.")
    solves: int = Field(description="Points solved (each distinct input value once, the nominal included): the "
                        "rows of tornado_points.")
    workers: int = Field(description="Worker processes (--workers; default solver.threads where the problem is "
                         "large or decomposes by nation, else 1).")
    scheduler: str | None = Field(description="The Dask scheduler's address the solves ran on (--scheduler); null: "
                                  "on this machine.")
    seconds: float = Field(description="Seconds the analysis took.")
    inputs: list[InputRow] = Field(description="One row per input, by rank (largest swing_share first).")
    tornado_points: list[PointRow] = Field(
        description="Every solve, once each: the nominal first, then the inputs' low and high values (in the order "
        "they finished where solved in parallel), then the bisections.")
