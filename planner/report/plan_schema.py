"""The plan.json document as a pydantic model, for its JSON Schema (``dronewall schema --kind plan``).

plan.json is written by :func:`planner.runfolder.plan_document` from a plan's summary
(:func:`planner.plan.tabulate`) and its tables; this module only describes that document, it does not write it.
The same document is every ``plan.json`` dronewall writes: a run folder's, and each plan an analysis keeps
(``points/<point>/plan.json``, ``plans/<name>/plan.json``).

Words used in the descriptions: *over the horizon* is summed over every raid of the planning horizon
(``raids_over_horizon``), *per raid* is one raid's expectation; *LP* is the optimizer's planned engagements (the
plan's promise), *exact* the exact evaluation of the plan's builds (detection exact, engagements re-optimised);
*value* is value-weighted drones defeated (an armed drone counts 1 and a decoy ``objective.decoy_weight``, more
near protected assets; with ``objective.consequence`` a value unit is ``consequence.value_unit_eur`` euros).
Figures that cannot be computed (nothing defeated, nothing spent) are null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from planner.report.schemas import DIALECT
from planner.report.schemas.base import Fixed, absent_or

__all__ = ["DIALECT", "PlanDocument", "plan_schema"]


class SpendEur(Fixed):
    """The plan's spend by category, euros over the horizon (units in service are operated, not bought)."""

    sensor_acquisition: float = Field(description="Sensors bought, € over the horizon.")
    sensor_operation: float = Field(description="Sensors operated (bought and in service), € over the horizon.")
    effector_acquisition: float = Field(description="Effectors bought, € over the horizon.")
    effector_operation: float = Field(description="Effectors operated (bought and in service), € over the horizon.")
    munitions: float = Field(description="Munitions of the planned (LP) engagements, € over the horizon.")
    drone_defence: float = Field(description="Sensors, effectors and munitions together, € over the horizon.")
    conventional: float = Field(description="Conventional units bought and operated, € over the horizon.")
    total: float = Field(description="drone_defence + conventional, € over the horizon.")


class CapabilityAreaRow(Fixed):
    """One capability area of the conventional units bought."""

    area: str = Field(description="The capability area's id (the conventional catalog's capability_by_area).")
    points_bought: float = Field(description="Leopard-2A8-equivalent points of this area bought by the plan.")
    requirement_left_points: float | None = Field(
        description="The area's requirement left after the points in service, points; null: no requirement "
        "(points valued linearly).")
    points_valued_in_full: float = Field(description="Points bought that the objective values in full "
                                         "(at most requirement_left_points).")


class BreakEven(Fixed):
    """The exchange rate behind a max_defeat plan with conventional options: what one more euro buys on the
    conventional side."""

    break_even_eur_per_drone: float | None = Field(
        description="€ per value-weighted drone defeated at which drone defence and conventional units are worth "
        "the same; null when no conventional unit adds value (drone defence is then worth any price).")
    marginal_option: str | None = Field(description="The conventional option that sets the rate; null as above.")
    marginal_eur_per_point: float | None = Field(
        description="That option's € per capability point it adds (acquisition and operation over the horizon).")
    conventional_weight: float = Field(description="objective.conventional_weight: objective value of one "
                                       "capability point, in expected drones defeated.")


class Consequence(Fixed):
    """The harm the drones would do, with objective.consequence (exact evaluation)."""

    value_unit_eur: float = Field(description="What one value unit is in € (a leaker of the scenario's mean "
                                  "armed drone).")
    harm_at_stake_eur: float = Field(description="Harm if no drone were defeated, € over the horizon.")
    harm_averted_exact_eur: float = Field(description="Harm the plan averts (exact), € over the horizon.")
    harm_left_exact_eur: float = Field(description="harm_at_stake_eur − harm_averted_exact_eur, € over the horizon.")
    harm_per_leaker_eur: dict[str, float | None] = Field(
        description="By threat class: mean harm of one leaker (weighted by where the class crosses), € per drone; "
        "null for a class with no drones.")


class SectorEvaluation(Fixed):
    """One sector's national MILP at one price on money."""

    build_s: float = Field(description="Seconds building the model.")
    solve_s: float = Field(description="Seconds solving it.")
    gap: float = Field(description="Its relative gap, share 0–1.")


class PriceEvaluation(Fixed):
    """One price on money tried by the sectors strategy."""

    price_per_meur: float = Field(description="The price on money: objective value per million €.")
    bound: float = Field(description="The bound on the objective at this price (value).")
    plan_value: float = Field(description="The objective of the best plan combined so far (value).")
    gap: float = Field(description="(bound − plan_value) relative to the larger of the two, share 0–1.")
    spend_at_price_eur: float = Field(description="What the nations' plans at this price spend, € over the "
                                      "horizon.")
    seconds: float = Field(description="Seconds since the search started.")
    sectors: dict[str, SectorEvaluation] = Field(description="By sector (a nation, or a part of one).")


class RobustInfo(Fixed):
    """Robust planning: how the worlds were combined."""

    mode: Literal["worst", "expected"] = Field(description="worst: the worst world's value; expected: the mean.")
    worlds: int = Field(description="How many worlds (catalog draws) the plan was solved against.")


class FlankWideMilp(Fixed):
    """The flank-wide MILP a small problem's pricing fell back on."""

    objective: float = Field(description="Its plan's objective (value).")
    gap: float | None = Field(description="Its relative gap, share 0–1; null: no bound.")


class Solver(Fixed):
    """How the plan was solved: status, gaps, model sizes, settings, and how the search went."""

    status: Literal["optimal", "gap_above_target"] = Field(
        description="optimal: proven within mip_rel_gap of the best plan; gap_above_target: stopped above it.")
    gap: float | None = Field(description="Proven relative gap of the whole objective, share 0–1; null: the "
                              "solver returned no bound.")
    status_text: str = Field(description="The status and gap in words.")
    gap_drone_defence_max: float | None = Field(
        None, description="The same absolute gap against the drone-defence part of the objective alone, share "
        "(an upper bound on that part's gap); absent without a gap, null when the plan defeats nothing.")
    gap_by_nation_last_price: dict[str, float] | None = absent_or(
        "By sector: its national MILP's relative gap at the last price tried, share 0–1 (sectors strategy).")
    variables: int | None = absent_or("Variables of the model (summed over the national models).")
    constraints: int | None = absent_or("Constraints (rows) of the model, summed likewise.")
    nonzeros: int | None = absent_or("Nonzero coefficients of the model, summed likewise.")
    integer_variables: int | None = absent_or("Integer and binary variables of the model, summed likewise.")
    backend: Literal["highs", "cbc"] = Field(description="solver.backend.")
    strategy: Literal["sectors", "lp_screen", "full", "family"] = Field(
        description="The strategy that found the plan (family: a point of a sweep or an alternative).")
    time_limit_s: float = Field(description="solver.time_limit_s, seconds.")
    mip_rel_gap: float = Field(description="solver.mip_rel_gap: the target relative gap, share 0–1.")
    sectors: list[str] | None = absent_or("The sectors solved one by one (sectors strategy).")
    workers: int | None = absent_or("Worker processes used.")
    price_evaluations: list[PriceEvaluation] | None = absent_or("Each price on money tried, in order.")
    bound: float | None = absent_or("The proven bound on the objective (value).")
    robust: RobustInfo | None = absent_or("Robust planning only.")
    flank_wide_milp: FlankWideMilp | None = absent_or("When pricing left a gap on a small problem.")
    plan_from: str | None = absent_or("Where the plan came from when not the sectors' knapsack "
                                      "(flank_wide_milp).")
    wall_s: float | None = absent_or("Seconds of the whole search.")
    point: str | None = absent_or("The sweep point or alternative this plan is.")


class ProblemSizes(Fixed):
    """The planning problem's size."""

    cells: int = Field(description="Border cells.")
    threats: int = Field(description="Threat classes.")
    sites: int = Field(description="Candidate sites.")
    sensor_types: int = Field(description="Sensor systems the plan may build.")
    effector_types: int = Field(description="Effector systems the plan may build.")
    detection_pairs: int = Field(description="(cell, threat, site, sensor) pairs that can detect.")
    engagement_pairs: int = Field(description="(cell, threat, site, effector) pairs that can engage.")
    point_defence_pairs: int = Field(description="(cell, threat, site, effector) point-defence pairs of the sites at protected assets.")
    escort_pairs: int | None = absent_or("(cell, crewed class, site, alert type) pairs whose unit meets the class in time.")


class Timings(Fixed):
    """Seconds taken by each stage of ``dronewall run`` (a plan an analysis keeps records fewer or none)."""

    theater_s: float | None = absent_or("Building the theater, seconds.")
    problem_s: float | None = absent_or("Building the problem, seconds.")
    model_build_s: float | None = absent_or("Building the solver's model, seconds.")
    solve_s: float | None = absent_or("Solving, seconds.")
    exact_evaluation_s: float | None = absent_or("The exact evaluation, seconds.")
    total_s: float | None = absent_or("All of it, seconds.")


class ThreatRow(Fixed):
    """One threat class: demand, defeat rates, leakers and munitions cost-exchange."""

    threat: str = Field(description="The threat class's id (threats catalog).")
    decoy: bool = Field(description="True for a decoy (no warhead).")
    drones_per_raid: float = Field(description="Expected drones of the class per raid.")
    drones_over_horizon: float = Field(description="Drones of the class over the horizon.")
    defeat_rate_lp: float = Field(description="Share 0–1 of the class's drones defeated (LP).")
    defeat_rate_exact: float = Field(description="Share 0–1 of the class's drones defeated (exact).")
    detect_rate_exact: float = Field(description="Share 0–1 of the class's drones detected (exact).")
    leakers_per_raid: float = Field(description="Drones not defeated (exact), per raid.")
    leakers_over_horizon: float = Field(description="Drones not defeated (exact), over the horizon.")
    munitions_eur_over_horizon: float = Field(description="Munitions fired at the class (LP), € over the horizon.")
    munitions_eur_per_defeat: float | None = Field(
        description="Munitions € per drone defeated (LP); null when none is defeated.")
    threat_unit_cost_eur: float = Field(description="One drone of the class, € (threats catalog).")
    munitions_exchange_ratio: float | None = Field(
        description="munitions_eur_per_defeat / threat_unit_cost_eur (below 1: cheaper than the drone); null as "
        "above.")


class SpendRow(Fixed):
    """Spend on one system of one nation (conventional: nation 'all'), € over the horizon."""

    category: Literal["sensor", "effector", "munitions", "conventional"] = Field(description="What the money buys.")
    nation: str = Field(description="The defending nation's code; 'all' for conventional units.")
    system: str = Field(description="The sensor, effector or conventional option's id (munitions: the effector).")
    units: int = Field(description="Units of the system (in service included); 0 on munitions rows.")
    acquisition_eur: float = Field(description="Units bought, €.")
    operation_eur: float = Field(description="Units operated, € over the horizon.")
    munitions_eur: float = Field(description="Munitions fired where this nation's cells are (LP), € over the "
                                 "horizon.")
    total_eur: float = Field(description="acquisition_eur + operation_eur + munitions_eur, € over the horizon.")


class SpendByCategory(Fixed):
    """Spend by category, € over the horizon (a category the plan spends nothing on is absent)."""

    conventional: float | None = absent_or("Conventional units, € over the horizon.")
    effector: float | None = absent_or("Effectors bought and operated, € over the horizon.")
    munitions: float | None = absent_or("Munitions (LP), € over the horizon.")
    sensor: float | None = absent_or("Sensors bought and operated, € over the horizon.")


class ConventionalRow(Fixed):
    """One conventional option."""

    option: str = Field(description="The option's id (conventional catalog).")
    units: int = Field(description="Units bought.")
    acquisition_eur: float = Field(description="Units bought, €.")
    operation_eur: float = Field(description="Units operated, € over the horizon.")
    capability: float = Field(description="Capability points bought (Leopard-2A8 equivalents).")


class ExchangeRow(Fixed):
    """Cost-exchange three ways for one (nation, threat class), over the horizon (docs/analyses.md)."""

    nation: str = Field(description="The defending nation's code; 'all' sums the nations.")
    threat: str = Field(description="The threat class's id; 'all' sums the classes.")
    drones_over_horizon: float = Field(description="Drones crossing, over the horizon.")
    defeated_lp: float = Field(description="Drones defeated (LP), over the horizon.")
    defeated_exact: float = Field(description="Drones defeated (exact), over the horizon.")
    leakers_exact: float = Field(description="Drones not defeated (exact), over the horizon.")
    munitions_eur: float = Field(description="Munitions fired (LP), € over the horizon.")
    fixed_eur: float = Field(description="The nation's acquisition and operation, shared among classes by their "
                             "planned kills, € over the horizon.")
    all_in_eur: float = Field(description="munitions_eur + fixed_eur, € over the horizon.")
    munitions_eur_per_defeat: float | None = Field(
        description="Munitions € per drone defeated (LP); null when none is defeated.")
    munitions_exchange_ratio: float | None = Field(
        description="munitions_eur_per_defeat / the drone's unit cost; null on 'all' threat rows and as above.")
    all_in_eur_per_defeat: float | None = Field(description="All-in € per drone defeated (LP); null as above.")
    all_in_exchange_ratio: float | None = Field(
        description="all_in_eur_per_defeat / the drone's unit cost; null on 'all' threat rows and as above.")
    value_protected: float = Field(description="Armed drones defeated (exact) × residents of the protected assets "
                                   "nearest where they cross, over the horizon.")
    exposure_left: float = Field(description="Armed leakers (exact) × those residents, over the horizon.")
    value_protected_per_meur: float | None = Field(
        description="value_protected per million € of all_in_eur; null when nothing is spent.")


class EscortRow(Fixed):
    """One (nation, crewed class) with incursions: the response and what the plan meets (exact evaluation)."""

    nation: str = Field(description="Defending nation.")
    threat: str = Field(description="Crewed threat class (manned: true).")
    response: Literal["shoot", "escort", "monitor"] = Field(
        description="shoot (roe shoot_all: engaged like drones), escort (escort.response) or monitor.")
    incursions_per_raid: float = Field(description="Expected incursions of the class over the nation's border per raid.")
    incursions_over_horizon: float = Field(description="Incursions over the horizon.")
    detected_share_exact: float = Field(description="Share 0–1 detected (exact).")
    met_share_exact: float = Field(description="Share 0–1 met by an escort in time (exact; 0 unless response is escort).")
    met_over_horizon_exact: float = Field(description="Incursions met in time over the horizon (exact).")
    required_met_share: float | None = Field(description="escort.min_share for the nation and class; null: none.")
    sorties_over_horizon: float = Field(description="Escort sorties flown over the horizon (exact).")
    sorties_eur_over_horizon: float = Field(description="Their flying cost, € over the horizon: outside spend_eur "
                                            "(the air force's flying hours, not the drone-defence budget).")
    alert_units: int = Field(description="Alert units (types that can escort) the nation hosts in the plan (on the "
                             "nation's first row; 0 on its other classes' rows).")
    alert_posture_eur_over_horizon: float = Field(description="Their acquisition (new units) and operation, € over "
                                                  "the horizon (inside spend_eur; on the nation's first row only).")


class BurdenNation(Fixed):
    """One nation in the burden-sharing report: what it hosts, pays and gets, against its fair share."""

    nation: str = Field(description="ISO 3166-1 alpha-2 code (a defender, or a nation that pays).")
    name: str = Field(description="Its name (funding's nations file).")
    hosts_eur: float = Field(description="Drone defence on its territory and over its border (builds bought and run, "
                             "munitions fired), € over the horizon.")
    pays_eur: float = Field(description="What its sources pay, pooled ones by its share, € over the horizon.")
    pays_for_others_eur: float = Field(description="Of that, what pays for other nations' drone defence.")
    unfunded_eur: float = Field(description="Of what it hosts, what no source may pay.")
    drones_defeated_over_horizon_exact: float = Field(description="Drones defeated over its border (exact).")
    value_defeated_exact: float = Field(description="Value defeated over its border (exact), over the horizon.")
    key_value: float = Field(description="Its weight under the key (EUR of GDP or defence spending, residents, or 1).")
    fair_share_eur: float = Field(description="Its share of the bill by the key, €.")
    gap_eur: float = Field(description="pays_eur − fair_share_eur (negative: it pays less than its share).")


class BurdenSource(Fixed):
    """One funding source: its money and where it went."""

    source: str = Field(description="funding.sources[].name.")
    eur: float = Field(description="Its money over the horizon, €.")
    paid_eur: float = Field(description="What it paid, €.")
    paid_to: dict[str, float] = Field(description="€ by host nation.")
    paid_by: dict[str, float] = Field(description="The paying nations' shares of it.")


class Burden(Fixed):
    """Who pays, who hosts, who is protected (funding; planner.analysis.burden)."""

    key: Literal["gdp", "defence_spending", "population", "equal"] = Field(description="funding.key.")
    bill_eur: float = Field(description="The plan's drone-defence bill, € over the horizon.")
    unfunded_eur: float = Field(description="What no source may pay, €.")
    nations: list[BurdenNation] = Field(description="One row per defender and paying nation.")
    sources: list[BurdenSource] = Field(description="One row per funding source.")


class PlanDocument(Fixed):
    """plan.json: a plan's headline figures, spend, per-class results and how it was solved."""

    model_config = ConfigDict(title="dronewall plan")

    scenario: str = Field(description="The scenario's name.")
    config_hash: str = Field(description="SHA-256 of the resolved scenario and catalogs (manifest.json's "
                             "config_sha256).")
    objective_kind: Literal["max_defeat", "max_defeat_with_floor", "min_cost"] = Field(
        description="objective.kind.")
    budget_eur: float = Field(description="budget.total_eur, € over the horizon.")
    horizon_years: int = Field(description="budget.horizon_years, years.")
    raids_over_horizon: float = Field(description="Raids over the horizon (raids a year × years).")
    spend_eur: SpendEur = Field(description="Spend by category, € over the horizon.")
    conventional_capability: float = Field(description="Capability points bought (Leopard-2A8 equivalents).")
    conventional_by_area: list[CapabilityAreaRow] = Field(
        description="Per capability area; empty without areas or conventional options.")
    break_even: BreakEven | None = Field(
        description="The break-even exchange rate; null unless objective_kind is max_defeat with conventional "
        "options.")
    consequence: Consequence | None = Field(description="Harm in €; null unless objective.consequence is set.")
    escort: list[EscortRow] | None = absent_or(
        "Crewed incursions per (nation, class): escorts met and their cost; absent without crewed incursions.")
    burden: Burden | None = absent_or("Who pays, who hosts, who is protected; absent without a funding section.")
    value_defeated_lp: float = Field(description="Value defeated (LP), over the horizon.")
    value_defeated_exact: float = Field(description="Value defeated (exact), over the horizon.")
    defeat_rate_all_lp: float = Field(description="Share 0–1 of all drones (decoys included; crewed incursions left "
                                      "out, see escort) defeated (LP), per raid and over the horizon alike.")
    defeat_rate_all_exact: float = Field(description="Share 0–1 of all drones (decoys included) defeated (exact): "
                                         "the headline rate.")
    defeat_rate_armed_exact: float = Field(description="Share 0–1 of armed drones (decoys left out) defeated "
                                           "(exact).")
    drones_defeated_over_horizon_exact: float = Field(description="Drones defeated (exact), over the horizon.")
    drones_over_horizon: float = Field(description="Drones crossing the border, over the horizon.")
    drone_defence_eur_per_defeat: float | None = Field(
        description="Drone-defence € (builds, and the munitions of the exact engagements) per drone defeated "
        "(exact), over the horizon; null when none is defeated.")
    munitions_eur_per_defeat: float | None = Field(
        description="Munitions € of the exact engagements per drone defeated (exact); null as above.")
    solver: Solver = Field(description="How the plan was solved.")
    problem: ProblemSizes = Field(description="The problem's size.")
    timings_s: Timings = Field(description="Seconds by stage.")
    threats: list[ThreatRow] = Field(description="One row per threat class.")
    spend: list[SpendRow] = Field(description="One row per (category, nation, system).")
    spend_by_nation_eur: dict[str, float] = Field(
        description="By defending nation (builds where they stand, munitions where fired; 'all': conventional), "
        "€ over the horizon.")
    spend_by_category_eur: SpendByCategory = Field(description="By category, € over the horizon.")
    units_by_system: dict[str, int] = Field(description="Units of each sensor and effector system in the plan "
                                            "(in service included).")
    conventional: list[ConventionalRow] = Field(description="One row per conventional option.")
    cost_exchange: list[ExchangeRow] = Field(
        description="Per (nation, threat class), with 'all' rows per nation, per class and overall.")


def plan_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of plan.json, generated from :class:`PlanDocument`."""
    return {"$schema": DIALECT, **PlanDocument.model_json_schema()}
