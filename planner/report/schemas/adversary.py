"""adversary.json (``dronewall adversary``): the nominal plan beside the plan made against the adversary who sees
it, both evaluated exactly against the scenario's raid and against their best responses, every axis's worst attack
against both, and the price of robustness (planner.analysis.adaptive)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Fixed, absent_or, column

__all__ = ["AxisRow", "CellRow", "Document", "FrontierRow", "PlanFigures", "Plans", "RaidRow"]


class RaidRow(Columns):
    """One plan against one raid, evaluated exactly (detection exact, engagements re-optimised, each nation within
    what the plan spends there)."""

    COLUMNS = (column(r"^defeat_[a-z][a-z0-9_]*$", float | None,
                      "Share 0–1 of the threat class <id>'s drones in this raid defeated (exact); null when the raid "
                      "has none (the null is defeat_rate_value's too, which the pattern also matches)."),)

    plan: Literal["nominal", "aware"] = Field(description="nominal: the ordinary optimum; aware: the plan made "
                                              "against the adversary.")
    raid: str = Field(description="\"the scenario's raid\", or \"best response: <axis>; altitude <profile>; <decoy "
                      "share>\" (the best response to this plan).")
    leaked_value_over_horizon: float = Field(description="Value of the drones not defeated over the horizon, in "
                                             "plan.json's value unit.")
    drones_per_raid: float = Field(description="Drones per raid (the same in every raid: the adversary moves them).")
    leakers_per_raid: float = Field(description="Drones not defeated per raid (exact).")
    drone_defence_eur: float = Field(description="The plan's drone-defence money: each nation's builds and the "
                                     "munitions it holds, € over the horizon.")
    conventional_capability: float = Field(description="Conventional capability the plan buys (Leopard-2A8 "
                                           "equivalents).")


class AxisRow(Columns):
    """One axis of the border: the worst attack on it against each plan (its profile and decoy share)."""

    axis: str = Field(description="The axis: a border, or 'border k/n' where it is cut into n.")
    nation: str = Field(description="The defender holding it.")
    km: float = Field(description="Its length, km.")
    lon: float = Field(description="Mean longitude of its cells' midpoints.")
    lat: float = Field(description="Mean latitude of its cells' midpoints.")
    leak_nominal: float = Field(description="Value leaked over the horizon by the worst attack on it against the "
                                "nominal plan (exact).")
    profile_nominal: str = Field(description="That attack's altitude profile.")
    decoy_share_nominal: float | None = Field(description="That attack's decoy share (null: the scenario's).")
    leak_aware: float = Field(description="The same against the adversary-aware plan.")
    profile_aware: str = Field(description="That attack's altitude profile.")
    decoy_share_aware: float | None = Field(description="That attack's decoy share (null: the scenario's).")


class CellRow(Columns):
    """A border cell: its axis and midpoint (the map)."""

    cell_id: str = Field(description="The cell (cells.csv of the plans).")
    axis: str = Field(description="Its axis.")
    lon: float = Field(description="Longitude of its midpoint.")
    lat: float = Field(description="Latitude of its midpoint.")


class FrontierRow(Columns):
    """A plan of the adversary-aware search at one leak cap (the adversary-aware frontier): the least drone-defence
    money holding the attacks planned against to the cap, the rest of the budget in conventional units, the plan
    evaluated exactly against the scenario's raid and against its own best response."""

    COLUMNS = (column(r"^units_[a-z0-9_]+$", int, "Units of the conventional option <id> the plan buys."),)

    point: str = Field(pattern=r"^aware-\d{2,}$", description="aware-00, aware-01, … by drone_defence_eur rising.")
    leak_cap: float = Field(description="The cap the national plans were bought for (value over the horizon).")
    chosen: bool = Field(description="True for the adversary-aware plan's cap (none when the nominal plan did better "
                         "against its own best response).")
    drone_defence_eur: float = Field(description="Drone-defence money: each nation's builds and the munitions it "
                                     "holds, € over the horizon.")
    conventional_capability: float = Field(description="Conventional capability the rest buys (Leopard-2A8 "
                                           "equivalents).")
    defeat_rate_value: float | None = Field(description="Value-weighted defeat against the scenario's raid, share 0–1 "
                                            "(exact); null when that raid carries no value.")
    best_response_rate_value: float | None = Field(description="The same against the plan's best response (exact); "
                                                   "null when that raid carries no value.")
    best_response_leak: float = Field(description="Value the best response leaks over the horizon.")
    best_response: str = Field(description="The best response in words: axis; altitude; decoy share.")
    leaked_value_over_horizon: float = Field(description="Value the scenario's raid leaks over the horizon.")
    eur_per_leak_cut: float | None = Field(
        description="Drone-defence € per unit of value its best response leaks less than the last cheaper point on "
        "the lower envelope (a point leaking less than every cheaper one); the leak, not the rate, compares attacks "
        "(each best response's rate has its own denominator). Null for the first point, one that cuts nothing, and one "
        "leaking more than a cheaper point (attacks outside the set planned against may beat its cap).")


class PlanFigures(Fixed):
    """One plan's figures (its document: plans/<name>/plan.json)."""

    nominal_rate: float | None = Field(description="Value-weighted defeat against the scenario's raid, share 0–1.")
    best_response_rate: float | None = Field(description="The same against its best response.")
    nominal_leak: float = Field(description="Value leaked over the horizon by the scenario's raid.")
    best_response_leak: float = Field(description="Value leaked over the horizon by its best response.")
    best_response: str = Field(description="Its best response in words: axis; altitude; decoy share.")
    drone_defence_eur: float = Field(description="Drone-defence money, € over the horizon.")
    conventional_capability: float = Field(description="Conventional capability (Leopard-2A8 equivalents).")
    expensive_failure: bool = Field(description="Its best response's defeat rate is below the target while it "
                                    "spends on drone defence.")


class Plans(Fixed):
    nominal: PlanFigures = Field(description="The nominal plan.")
    aware: PlanFigures = Field(description="The adversary-aware plan.")


class Attack(Fixed):
    axis: str = Field(description="The axis.")
    profile: str = Field(description="The altitude profile.")
    decoy_share: float | None = Field(description="The decoy share (null: the scenario's).")


class Document(AnalysisDocument):
    """adversary.json."""

    model_config = ConfigDict(title="dronewall adversary")

    plans: Plans = Field(description="Each plan's figures.")
    target: float = Field(description="Value-weighted defeat below which a plan is an expensive failure (as the "
                          "stress test's).")
    target_from: Literal["--target", "scenario class targets", "80% of the nominal rate"] = Field(
        description="Where the target comes from.")
    choices: int = Field(description="The adversary's choices: profiles × decoy shares × (axes + 1) ^ groups.")
    axis_count: int = Field(description="Axes the border is cut into.")
    profiles: list[str] = Field(description="Altitude profiles ('catalog' first).")
    decoy_shares: list[float] = Field(description="Decoy shares the adversary may choose besides the scenario's.")
    attacks_planned_against: list[Attack] = Field(description="The attacks the aware plan was made against (each "
                                                  "axis's worst, generated as they bound).")
    leak_cap: float = Field(description="The leak cap the national plans were bought for (value over the horizon).")
    objective: float = Field(description="Aware plan: conventional value − its best response's leak, shifted by the "
                             "most an attack planned against leaks against nothing built (proven, exact).")
    bound: float = Field(description="No plan does better against the attacks planned against (the model's bound, "
                         "shifted alike).")
    gap: float = Field(description="(bound − objective) / |bound|, share 0–1 (0 where the exact evaluation passes "
                       "the model's bound).")
    rounds: list[dict[str, float | int]] = Field(description="Rounds of attack generation: attacks in the set, "
                                                 "added, the plan's worst leak, seconds, caps tried, the cap.")
    search_s: float = Field(description="Seconds of the adversary-aware search.")
    price_of_robustness_pp: float | None = Field(description="100 × (nominal − aware plan's nominal_rate): "
                                                 "points of value-weighted defeat given up on the scenario's raid.")
    worst_case_gain_pp: float | None = Field(description="100 × (aware − nominal plan's best_response_rate).")
    worst_case_leak_cut: float = Field(description="1 − aware / nominal plan's best_response_leak.")
    drone_defence_shift_eur: float = Field(description="Aware − nominal plan's drone_defence_eur.")
    conventional_capability_shift: float = Field(description="Aware − nominal plan's conventional_capability.")
    rule: str = Field(description="What the adversary may do and what the aware plan maximises, in words.")
    nominal_floor: float | None = absent_or(
        "--nominal-floor: each nation's adversary-aware plan also defeats at least this share of the value of the "
        "scenario's raid over its border (0: none).")
    nation_rates_exact: dict[str, dict[str, float]] | None = absent_or(
        "With a floor: for each plan (nominal, aware), each nation's share of the value of the scenario's raid over "
        "its border defeated, exact (the floor holds in the planning model, whose detection promises a little less).")
    seconds: float = Field(description="Seconds the analysis took.")
    raids: list[RaidRow] = Field(description="Each plan against the scenario's raid and against its best response.")
    adversary_axes: list[AxisRow] = Field(description="Each axis's worst attack against each plan.")
    adversary_cells: list[CellRow] = Field(description="Each border cell's axis and midpoint.")
    adversary_frontier: list[FrontierRow] = Field(description="The adversary-aware frontier: plans of the search at "
                                                  "a few leak caps, by drone-defence money.")
