"""premium.json (``dronewall premium``): the impenetrability premium, the least drone-defence cost of each
value-weighted defeat-rate target (the LP's promise, swept over a family of national plans), the € of each step and
the knee of the curve, and what physics allows whatever the money (planner.analysis.sweeps.premium,
planner.analysis.ceilings)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Family, Fixed, absent_or, column

__all__ = ["Ceiling", "Document", "Target"]


class Target(Columns):
    """One target: the cheapest plan of the family whose LP promise reaches it, evaluated exactly
    (``points/<point>/plan.json``), or, when no plan reaches it, the best any plan does. A table column that no row
    fills is absent: the reached targets' columns when none is reached, the unreached ones' when all are; in a row
    of the other kind they are null."""

    COLUMNS = (
        column(r"^defeat_[a-z0-9_]+$", float | None,
               "Share 0–1 of the drones of the threat class <id> defeated (exact), 0 for a class without drones; "
               "null when the target is unreached. (The defeat_rate_* keys match this pattern too.)"),
        column(r"^step_in_[a-z0-9_]+_units$", float | None,
               "step_cost_eur in units of the reference option (step_in_<reference_option>_units; "
               "step_in_conventional_units, all null, when the scenario has no conventional option); null as "
               "step_cost_eur. Present only when some target is reached."),
    )

    point: str = Field(pattern=r"^target-\d{2,}$", description="The target's name, target-00, target-01, … in order "
                       "of target (a reached target's plan: points/<point>/plan.json).")
    target: float = Field(description="The value-weighted defeat rate to reach (LP), share 0–1; the rows rise.")
    reachable: bool = Field(description="True when some plan of the family reaches the target (LP).")
    drone_cost_eur: float | None = Field(
        None, description="The least drone-defence cost reaching the target (builds, and the munitions of the LP "
        "engagements), € over the horizon, the budget aside; null when unreached.")
    drone_cost_bound_eur: float | None = Field(
        None, description="Proven lower bound on the drone-defence cost of any plan reaching the target, € over the "
        "horizon; null as above.")
    gap: float | None = Field(None, description="(drone_cost_eur − drone_cost_bound_eur) over drone_cost_eur, share "
                              "0–1: the target's proven gap; null as above.")
    fits_budget: bool | None = Field(None, description="True when drone_cost_eur is within budget_eur; null as "
                                     "above.")
    defeat_rate_value_lp: float | None = Field(None, description="Share 0–1 of value defeated (LP) by the target's "
                                               "plan; null as above.")
    defeat_rate_value_exact: float | None = Field(None, description="Share 0–1 of value defeated (exact); null as "
                                                  "above.")
    defeat_rate_armed_exact: float | None = Field(
        None, description="Share 0–1 of armed drones (decoys and crewed incursions left out) defeated (exact); null "
        "when unreached.")
    best_reachable_rate_lp: float | None = Field(
        None, description="The target is beyond this: the value-weighted defeat rate (LP) of the family's best plan, "
        "money no object, share 0–1 (as the document's best_reachable_rate_lp); null when reached.")
    reachable_rate_bound: float | None = Field(
        None, description="Proven upper bound on the value-weighted defeat rate any plan reaches, money no object, "
        "share 0–1 (at most 1; as the document's reachable_rate_bound); null as above.")
    step_cost_eur: float | None = Field(
        None, description="drone_cost_eur less the previous reached target's, € over the horizon; null for the first "
        "reached target and when unreached.")
    marginal_eur_per_point: float | None = Field(
        None, description="step_cost_eur per percentage point of target since the previous reached target, €; null "
        "as step_cost_eur.")
    knee: bool | None = Field(
        None, description="True on the knee of the reached targets' cost curve (Kneedle: the point farthest below "
        "the chord of the curve scaled to [0, 1]; never the first or last, none with fewer than three reached or a "
        "curve that does not rise); false elsewhere, unreached rows included. Present when some target is reached.")
    best_response_rate_value: float | None = Field(
        None, description="With --adversary: share 0–1 of value defeated when the adversary, having seen the target's "
        "plan, answers with its best response (exact: planner.analysis.respond); null when unreached; absent without "
        "--adversary.")
    best_response_leak: float | None = Field(
        None, description="With --adversary: the value the best response leaks over the horizon; null or absent as "
        "above.")
    best_response: str | None = Field(
        None, description="With --adversary: the best response in words (axis or spread; altitude profile; decoy "
        "share); null or absent as above.")


class Ceiling(Fixed):
    """One threat class with drones: the most of it any plan could defeat, every candidate site built with every
    system allowed, magazines and money unlimited, and the limit that sets it."""

    threat: str = Field(description="The threat class's id (threats catalog).")
    ceiling: float = Field(description="Share 0–1 of the class's drones defeated at most: the model's detection cap "
                           "times the share the rules let be engaged times the best kill (layered where the kill "
                           "chain is), over its crossings.")
    detectable_share: float = Field(description="Share 0–1 of its drones crossing where some candidate sensor "
                                    "detects it.")
    engageable_share: float = Field(description="Share 0–1 of its drones crossing where some candidate effector (or "
                                    "point defence on its route) may kill it.")
    best_kill: float = Field(description="The best kill probability of an engagement on any crossing (the layers "
                             "together), 0–1.")
    mean_kill: float = Field(description="That kill averaged over its drones' crossings (0 where none reaches), 0–1.")
    limit: str = Field(description="The limit that sets the ceiling, in words: no sensor or effector reaches it (and "
                       "why, effector by effector), the rules of engagement, the crossings beyond reach, the kill "
                       "per engagement or the detection cap.")


class Document(AnalysisDocument):
    """premium.json."""

    model_config = ConfigDict(title="dronewall premium")

    budget_eur: float = Field(description="budget.total_eur, € over the horizon (fits_budget compares drone "
                              "defence alone with it).")
    measure: Literal["value-weighted share of drones defeated (LP promise); exact rates alongside"] = Field(
        description="What the targets measure, in words.")
    reference_option: str | None = Field(
        description="The conventional option the steps are counted in (step_in_<id>_units): leopard_2a8 where the "
        "scenario may buy it, else its first conventional option; null with none.")
    reference_option_eur: float | None = Field(description="One unit of it bought and operated, € over the horizon; "
                                               "null as above.")
    best_reachable_rate_lp: float = Field(
        description="The value-weighted defeat rate (LP) of the family's best plan, money no object, share 0–1.")
    reachable_rate_bound: float = Field(
        description="Proven upper bound on the value-weighted defeat rate any plan reaches, money no object (the "
        "family's bound at its lowest price with everything bought), share 0–1, at most 1.")
    family: Family = Field(description="The family of national plans the targets were chosen from.")
    seconds: float = Field(description="Seconds the sweep took (family, refinement and exact evaluations; not the "
                           "ceilings).")
    adversary: bool | None = absent_or("True when each target's plan was also held to the adversary's best response "
                                       "(--adversary).")
    physical_ceiling_value: float = Field(
        description="The value-weighted ceiling, share 0–1: each class's ceiling weighted by its share of the "
        "drones' value.")
    ceilings: list[Ceiling] = Field(description="One row per threat class with drones, in the order of the "
                                    "scenario's classes.")
    points: list[Target] = Field(description="One row per target, rising.")
