"""incident.json (``dronewall incident``): a real incident replayed, one raid: what the sources observed, the posture as
it was (the units in service, builds fixed), the drone-wall plan within the scenario's budget and the cheapest walls
reaching given defeat rates (planner.analysis.incident).

The figures are per raid: the one raid threats.density models (crewed classes count incursions, not drones). A
model row is an exact evaluation of its builds (detection exact, engagements and escorts re-optimised); the posture
rows have money no object (their magazines bind). With crewed classes the rows and the summary carry the escorts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from planner.report.schemas.base import AnalysisDocument, Columns, Fixed, absent_or, column

__all__ = ["CaseRow", "Document", "InServiceUnit", "Unreachable"]

#: A cheapest wall's case: ``cheapest wall for <100 × target, as %g>% (model)``.
CHEAPEST = r"^cheapest wall for [0-9.e+-]+% \(model\)$"
CheapestCase = Annotated[str, StringConstraints(pattern=CHEAPEST)]


class CaseRow(Columns):
    """One case of the replay. The observed row holds the sources' figures (null where a model figure has no
    observed counterpart); the model rows hold the exact evaluation of their builds on one raid."""

    COLUMNS = (column(r"^defeat_[a-z][a-z0-9_]*$", float | None,
                      "Share 0–1 of the threat class <id>'s drones (crewed: incursions) defeated in the raid (exact); "
                      "0 for a class with none; null on the observed row."),)

    case: Literal["observed", "posture as it was (model)", "posture under the scenario's rules (model)",
                  "drone wall (model)"] | CheapestCase = Field(
        description="observed (the sources); posture as it was (model): the units in service under that night's "
        "rules (incident.roe, incident.engage_only_threatening); posture under the scenario's rules (model): the "
        "same units under the scenario's roe, only where the incident sets rules of its own; drone wall (model): the "
        "scenario's plan within its budget (units in service included); cheapest wall for <rate>% (model): the "
        "cheapest plan defeating that share of every drone class (one row per reachable --targets rate).")
    drones_per_raid: float = Field(
        description="Observed: incident.drones. Model: the drones of the raid as threats.density models it (crewed "
        "incursions included).")
    defeated_per_raid: float = Field(description="Observed: incident.drones_defeated. Model: drones defeated "
                                     "(exact).")
    defeat_rate: float | None = Field(description="defeated_per_raid / drones_per_raid, share 0–1; null with no "
                                      "drones modelled.")
    detect_rate: float | None = Field(
        description="Share 0–1 of the drones detected: observed incident.drones_detected / incident.drones (null "
        "when the sources do not say); model: exact detection, whether or not the rules let it engage (null with "
        "no drones).")
    defeat_rate_low: float | None = Field(
        description="Observed only: the low of incident.drones_defeated over the high of incident.drones, share "
        "0–1; null on the model rows.")
    defeat_rate_high: float | None = Field(
        description="Observed only: the high of incident.drones_defeated over the low of incident.drones, at most 1; "
        "null on the model rows.")
    munitions_eur_per_raid: float | None = Field(
        description="Munitions fired in the raid, €: observed incident.munitions_spent_eur (null when unknown); "
        "model: the engagements' shots × cost per shot (exact).")
    munitions_eur_per_defeat: float | None = Field(
        description="munitions_eur_per_raid per drone defeated, €; null when none is defeated or (observed) the "
        "munitions are unknown.")
    drone_unit_cost_eur: float = Field(
        description="Mean unit cost of a drone, €: observed, the modelled raid's mix; model, the drones defeated "
        "(the raid's mix when none is).")
    munitions_exchange_ratio: float | None = Field(
        description="munitions_eur_per_defeat / drone_unit_cost_eur (below 1: cheaper than the drone); null as "
        "munitions_eur_per_defeat.")
    all_in_eur_per_defeat: float | None = Field(
        description="drone_defence_eur_over_horizon per drone defeated over the horizon (this raid's kills at every "
        "raid), €; null on the observed row and when none is defeated.")
    drone_defence_eur_over_horizon: float | None = Field(
        description="The case's sensors and effectors bought (units in service: operated only) and operated, and "
        "this raid's munitions at every raid, € over the horizon; null on the observed row.")
    sensors: int | None = Field(description="Sensor units of the case (units in service included); null on the "
                                "observed row.")
    effectors: int | None = Field(description="Effector units of the case (units in service included); null on the "
                                  "observed row.")
    shots_per_raid: float | None = Field(description="Shots fired in the raid (exact); null on the observed row.")
    gap: float | None = Field(
        description="The proven relative gap of the wall's solve, share 0–1; null on the observed and posture rows "
        "(fixed builds) and when the solver returned no bound.")
    escorted_per_raid: float | None = Field(
        None, description="Crewed incursions met in time by an escort: observed incident.escorted (null when the "
        "sources do not say); model: escort sorties × their type's p_meet (exact). Absent without crewed classes.")
    escort_rate: float | None = Field(
        None, description="Share 0–1 met in time: observed escorted_per_raid / drones_per_raid (null as above); "
        "model: escorted_per_raid over the crewed incursions of the raid. Absent without crewed classes.")
    sorties_eur_per_raid: float | None = Field(
        None, description="Flying cost of the escort sorties in the raid, € (outside the budget); null on the "
        "observed row; absent without crewed classes.")
    alert_posture_eur_per_year: float | None = Field(
        None, description="Operation of the case's alert units (effectors that can escort), € a year; null on the "
        "observed row; absent without crewed classes.")


class Unreachable(Columns):
    """The cheapest walls with no plan, by case name."""

    COLUMNS = (column(CHEAPEST, str, "Why the cheapest wall for that rate has no plan (the infeasibility's message, "
                      "e.g. the best rate reachable within the budget)."),)


class InServiceUnit(Fixed):
    """One unit of systems.in_service: the posture as it was."""

    system: str = Field(description="The sensor or effector id.")
    note: str = Field(description="What the unit is (systems.in_service[].note; '' when not given).")


class Document(AnalysisDocument):
    """incident.json."""

    model_config = ConfigDict(title="dronewall incident")

    incident: str = Field(description="incident.name.")
    date: str = Field(description="incident.date: an ISO 8601 date or interval (2025-09-09/2025-09-10).")
    sources: list[str] = Field(description="The source ids (sources catalog) of the incident's figures, sorted.")
    modelled_drones_per_raid: float = Field(description="The drones (crewed: incursions) of one raid as "
                                            "threats.density models it.")
    in_service: list[InServiceUnit] = Field(description="The posture as it was: systems.in_service, in order.")
    wall_budget_eur: float = Field(description="budget.total_eur: the drone wall's budget, € over the horizon.")
    wall_horizon_years: int = Field(description="budget.horizon_years, years.")
    raids_over_horizon: float = Field(description="Raids over the horizon (raids a year × years).")
    wall_new_units: int = Field(description="Sensor and effector units the drone wall buys beyond those in service.")
    wall_drone_defence_eur: float = Field(
        description="The drone wall's drone defence, € over the horizon: its row's drone_defence_eur_over_horizon "
        "(builds and the munitions of the exact engagements at every raid).")
    wall_gap: float | None = Field(description="The drone wall's proven relative gap, share 0–1; null: no bound.")
    model_minus_observed_pp: float | None = Field(
        description="100 × (the posture as it was's modelled defeat_rate − the observed one), percentage points: a "
        "check on the model; null with no drones modelled.")
    model_within_observed_range: bool = Field(
        description="True when the posture as it was's modelled defeat_rate lies within the observed row's "
        "defeat_rate_low to defeat_rate_high.")
    wall_minus_posture_pp: float | None = Field(
        description="100 × (the drone wall's defeat_rate − the posture as it was's), percentage points: what the "
        "wall would have bought; null with no drones modelled.")
    targets: list[float] = Field(
        description="The defeat rates (share 0–1, every drone class) the cheapest walls were priced at (--targets); "
        "empty when the raid holds no drones (crewed classes only).")
    unreachable: Unreachable = Field(
        description="The cheapest walls with no plan, by case name (their rows are left out); empty when every "
        "target was reached.")
    escort_observed: float | None = Field(
        None, description="The observed row's escort_rate; null when the sources do not say; absent without crewed "
        "classes.")
    escort_posture_model: float | None = absent_or(
        "The posture as it was's escort_rate (model), share 0–1; absent without crewed classes.")
    alert_posture_eur_per_year: float | None = absent_or(
        "The posture as it was's alert_posture_eur_per_year, € a year; absent without crewed classes.")
    seconds: float = Field(description="Seconds the analysis took.")
    cases: list[CaseRow] = Field(
        description="observed, posture as it was (model), posture under the scenario's rules (model) where the "
        "incident sets rules of its own, drone wall (model), then the reachable cheapest walls in the order of "
        "targets. Every row has every key (null where the row has no such figure).")
