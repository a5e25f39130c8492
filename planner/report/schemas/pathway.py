"""pathway.json (``dronewall pathway``): the scenario's procurement pathway, the plan as it stands at the end of each
year of the pathway section: its money, what is in service, what it defeats, detects and escorts, the milestones it
meets, and the units in service per nation and system (planner.analysis.roadmap, planner.analysis.pathway).

The end state (the last year) is planned first, then each earlier year first to last, keeping what earlier years
bought and buying only what the end state buys. Money is counted as budget.total_eur counts it: a unit bought and
operated over the horizon, munitions over the horizon, conventional units. Each year's plan is evaluated exactly
(detection exact, engagements and escorts re-optimised): the shares are the exact evaluation's, per raid."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Fixed, absent_or

__all__ = ["Document", "Milestone", "MilestoneTargets", "NationRow", "Target", "UnitRow", "YearRow"]


class Target(Fixed):
    """One target of a milestone against what the year's plan reaches."""

    target: float = Field(description="The least share 0–1 the milestone asks for.")
    reached: float | None = Field(description="The share 0–1 the year's plan reaches (exact); null when it cannot "
                                  "be computed (no drones, or no crewed incursions for escort_share).")


class MilestoneTargets(Fixed):
    """The targets a milestone sets (pathway.milestones[]), each absent when the milestone does not set it."""

    defeat_share: Target | None = absent_or("Value-weighted share of drones defeated (the year's "
                                            "defeat_share_value_exact).")
    detect_share: Target | None = absent_or("Share of drones detected (the year's detect_share_exact).")
    escort_share: Target | None = absent_or("Share of crewed incursions met in time by an escort (the year's "
                                            "escort_share_exact).")


class Milestone(Fixed):
    """A milestone of pathway.milestones measured against its year's plan."""

    year: int = Field(description="The calendar year at whose end it applies.")
    name: str = Field(description="What the milestone is (pathway.milestones[].name).")
    source: str = Field(description="Where it comes from (pathway.milestones[].source; '' when not given).")
    met: bool = Field(description="True when every target is reached (to 10⁻⁹); false when one is missed or its "
                      "reached share is null.")
    targets: MilestoneTargets = Field(description="Its targets, by share.")


class YearRow(Fixed):
    """The plan as it stands at the end of one year of the pathway."""

    year: int = Field(description="The calendar year.")
    committed_eur: float = Field(description="Money committed by the end of the year (budget_eur_per_year summed "
                                 "to it), counted as budget.total_eur counts it, €.")
    spent_eur: float = Field(
        description="What the year's plan costs: drone_defence_eur + conventional_eur, counted as budget.total_eur "
        "counts it (at most committed_eur, to rounding), €.")
    drone_defence_eur: float = Field(
        description="Sensors and effectors in service at the year's end (bought, and operated over the horizon; "
        "units in service before the pathway operated only) and the munitions of its exact engagements over the "
        "horizon, €.")
    conventional_eur: float = Field(description="Conventional units held at the year's end, bought and operated over "
                                    "the horizon, €.")
    sensors: int = Field(description="Sensor units in service at the year's end (those in service before the "
                         "pathway included).")
    effectors: int = Field(description="Effector units in service at the year's end, likewise.")
    conventional_units: int = Field(description="Conventional units held at the year's end (the scenario's holdings, "
                                    "systems.conventional_min_units, included).")
    new_units: int = Field(description="Sensor and effector units added during the year (the first year: beyond those "
                           "in service).")
    new_conventional_units: int = Field(description="Conventional units added during the year (the first year: "
                                        "beyond the holdings).")
    conventional_points: float = Field(description="Capability points of the conventional units held (Leopard-2A8 "
                                       "equivalents).")
    defeat_share_value_exact: float | None = Field(
        description="Share 0–1 of value-weighted drones defeated (crewed classes left out), exact; null with no "
        "drones.")
    defeat_share_armed_exact: float | None = Field(
        description="Share 0–1 of armed drones (decoys and crewed classes left out) defeated, exact; null with none.")
    detect_share_exact: float | None = Field(description="Share 0–1 of drones (crewed classes left out) detected, "
                                             "exact; null with no drones.")
    escort_share_exact: float | None = Field(
        description="Share 0–1 of crewed incursions met in time by an escort (each sortie with its type's p_meet), "
        "exact; null without crewed incursions.")
    at_production_limit: str = Field(
        description="Sensor, effector and conventional ids, comma-separated, of which the plan has bought all that "
        "production delivers by the year's end (pathway.units_per_year × years of deliveries); '' when none.")
    not_yet_delivered: str = Field(description="Ids, comma-separated, whose lead time (pathway.lead_time_years) has "
                                   "not passed by the year's end: none can be bought yet; '' when none.")
    milestones_met: int = Field(description="The year's milestones met.")
    milestones: int = Field(description="The year's milestones.")
    requirements_unmet: str = Field(
        description="'' when the year's plan meets the scenario's requirements (surveillance, escort, the "
        "conventional floor); otherwise why no plan meets them yet (systems not delivered, money not committed): "
        "the year was then planned without them.")
    gap: float | None = Field(description="The year's solve's proven relative gap, share 0–1; null: no bound.")
    seconds: float = Field(description="Seconds planning the year (the end state: its LP relaxation and every solve "
                           "within production included).")


class UnitRow(Fixed):
    """Units of one system in service at the end of a year, per nation (conventional units: flank-wide); only the
    systems with units."""

    year: int = Field(description="The calendar year.")
    nation: str = Field(description="The defending nation's code where the units stand; '' for conventional units.")
    category: Literal["sensor", "effector", "conventional"] = Field(description="What the system is.")
    system: str = Field(description="The sensor, effector or conventional option's id (system_names).")
    units: int = Field(description="Units in service (or held) at the year's end, those in service before the "
                       "pathway and the holdings included.")
    new: int = Field(description="Units added during the year (the first year: beyond those in service and the "
                     "holdings).")


class NationRow(Fixed):
    """One defending nation at the end of a year: the units it hosts, its spend and the exact shares over its
    border."""

    year: int = Field(description="The calendar year.")
    nation: str = Field(description="The defending nation's code.")
    units: int = Field(description="Sensor and effector units standing in the nation at the year's end (those in "
                       "service before the pathway included).")
    new_units: int = Field(description="Of those, the units added during the year.")
    drone_defence_eur: float = Field(
        description="The nation's drone defence: builds where they stand (bought and operated over the horizon), "
        "munitions of the exact engagements where fired, €.")
    defeat_share_value_exact: float | None = Field(
        description="Share 0–1 of value-weighted drones crossing its border defeated (crewed classes left out), "
        "exact; null when no drones cross it.")
    detect_share_exact: float | None = Field(description="Share 0–1 of drones crossing its border detected, exact; "
                                             "null when none cross it.")


class Document(AnalysisDocument):
    """pathway.json."""

    model_config = ConfigDict(title="dronewall pathway")

    calendar_years: list[int] = Field(description="The calendar years of the pathway, from pathway.start_year.")
    budget_eur_per_year: list[float] = Field(description="pathway.budget_eur_per_year: money committed in each year "
                                             "(not summed), €.")
    horizon_years: int = Field(description="budget.horizon_years: the years units are operated and munitions fired "
                               "over, in every year's money.")
    lead_time_years: dict[str, int] = Field(
        description="pathway.lead_time_years: by sensor, effector or conventional id, years from an order at the "
        "pathway's start to the first units in service (0: by the end of the first year; an id not listed: 0).")
    units_per_year: dict[str, float] = Field(
        description="pathway.units_per_year: by id, most units delivered to the whole flank a year once deliveries "
        "start (an id not listed: no limit).")
    milestones: list[Milestone] = Field(description="Every milestone measured against its year's plan, by year.")
    system_names: dict[str, str] = Field(description="The names of every sensor, effector and conventional option "
                                         "in the catalogs, by id.")
    seconds: float = Field(description="Seconds the analysis took.")
    method: str = Field(description="How the pathway was planned, in words.")
    years: list[YearRow] = Field(description="One row per year of the pathway, in order.")
    pathway_units: list[UnitRow] = Field(
        description="Per year: the sensor systems with units, nation by nation, then the effector systems likewise, "
        "then the conventional options held.")
    pathway_nations: list[NationRow] = Field(
        description="One row per year and defending nation (a nation with neither border cells nor sites left "
        "out).")
