"""uncertainty.json (``dronewall uncertainty``): a Monte Carlo over the catalogs' low/high ranges with the plan's
builds held fixed, the spread of its value-weighted defeat rate and drone-defence cost, every draw's inputs and,
with --sampling lhs, the global sensitivity indices of the inputs (planner.analysis.uncertainty,
planner.analysis.sensitivity)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Fixed, absent_or, column

__all__ = ["Document", "DrawRow", "InputRow", "SensitivityRow", "StandingOut", "TopInputs"]

#: The outputs whose sensitivity indices are estimated (planner.analysis.sensitivity.OUTPUTS).
Output = Literal["defeat_rate_value", "drone_defence_eur"]


class DrawRow(Columns):
    """One catalog draw: every ranged catalog figure drawn (triangular on low, value, high), the problem rebuilt and
    the plan's builds evaluated exactly, each nation within its builds' cost at the draw's prices plus its planned
    (LP) munitions money."""

    COLUMNS = (column(r"^defeat_[a-z][a-z0-9_]*$", float | None,
                      "Share 0–1 of the threat class <id>'s drones defeated in the draw (exact); 0 when the "
                      "class has no drones (the null is defeat_rate_value's, which the pattern also matches)."),)

    draw: int = Field(description="The draw's number, from 0.")
    defeat_rate_value: float | None = Field(description="Share 0–1 of value defeated in the draw (exact); null when "
                                            "the draw's drones carry no value.")
    drone_defence_eur: float = Field(description="The plan's sensors and effectors bought and operated at the draw's "
                                     "prices, plus the plan's munitions money (LP, plan.json's munitions spend), € "
                                     "over the horizon.")
    total_eur: float = Field(description="drone_defence_eur + the plan's conventional units at the draw's prices, € "
                             "over the horizon.")


class InputRow(Columns):
    """One draw's inputs: each ranged catalog figure (low < high) as drawn, in the catalog's units."""

    COLUMNS = (column(r"^(threats|sensors|effectors|conventional)\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*"
                      r"(\.[a-z][a-z0-9_]*)?$", float,
                      "The figure at <catalog>.<id>.<field> (a per-threat figure: <catalog>.<id>.<field>.<threat "
                      "id>, e.g. effectors.gun_35mm.p_kill_per_shot.shahed_136) as drawn, in the unit its field "
                      "name gives."),)

    draw: int = Field(description="The draw's number, from 0 (the draws row with the same number).")


class SensitivityRow(Fixed):
    """The first-order Sobol index of one input on one output (RBD-FAST on the Latin hypercube's quantiles)."""

    output: Output = Field(description="The draws column explained: defeat_rate_value or drone_defence_eur.")
    input: str = Field(description="The ranged catalog figure (an uncertainty_inputs column, e.g. "
                       "effectors.gun_35mm.range_m).")
    S1: float = Field(description="First-order index: share 0–1 of the output's variance the input explains alone.")
    S1_conf: float = Field(description="Half-width of S1's 95% bootstrap confidence interval.")
    stands_out: bool = Field(description="S1 − S1_conf > 0: the index stands out of its noise.")


class TopInputs(Fixed):
    """An input whose index stands out."""

    input: str = Field(description="The ranged catalog figure (an uncertainty_inputs column).")
    S1: float = Field(description="First-order index, share 0–1 of the output's variance.")
    S1_conf: float = Field(description="Half-width of S1's 95% bootstrap confidence interval.")


class StandingOut(Fixed):
    """By output: the inputs whose indices stand out (S1 − S1_conf > 0), at most five, S1 falling; an output with none
    (or not varying) is absent."""

    defeat_rate_value: list[TopInputs] | None = absent_or("Inputs standing out on the value-weighted defeat rate.")
    drone_defence_eur: list[TopInputs] | None = absent_or("Inputs standing out on the drone-defence cost.")


class Document(AnalysisDocument):
    """uncertainty.json."""

    model_config = ConfigDict(title="dronewall uncertainty")

    draws: list[DrawRow] = Field(description="One row per catalog draw, in order.")
    seed: int = Field(description="The random seed: --seed, else solver.seed.")
    nominal_rate: float = Field(description="Share 0–1 of value defeated (exact) at the nominal catalogs (a scenario "
                                "whose drones carry no value is refused).")
    target: float = Field(description="Share 0–1 of value defeated a draw must reach: --target, else the scenario's "
                          "lowest class target, else 0.8 × nominal_rate.")
    target_from: Literal["--target", "scenario class targets", "80% of the nominal rate"] = Field(
        description="Where the target comes from: the command's --target, else the scenario's class targets when "
        "it has them, else 80% of the nominal rate.")
    rate_mean: float | None = Field(description="Mean over the draws of defeat_rate_value, share 0–1; null when a "
                                    "draw's is null (so are the quantiles).")
    rate_p05: float | None = Field(description="5th percentile of defeat_rate_value over the draws, share 0–1.")
    rate_p50: float | None = Field(description="Median of defeat_rate_value over the draws, share 0–1.")
    rate_p95: float | None = Field(description="95th percentile of defeat_rate_value over the draws, share 0–1.")
    p_miss_target: float = Field(description="Share 0–1 of draws whose defeat_rate_value is below the target (a "
                                 "null rate or target counts as no miss).")
    drone_defence_eur_p05: float = Field(description="5th percentile of drone_defence_eur over the draws, € over "
                                         "the horizon.")
    drone_defence_eur_p95: float = Field(description="95th percentile of drone_defence_eur over the draws, € over "
                                         "the horizon.")
    rule: Literal["triangular draws on (low, value, high) of every ranged catalog figure"] = Field(
        description="How the draws are made, in words.")
    sampling: Literal["random", "lhs"] = Field(
        description="--sampling: random (independent triangular draws) or lhs (a Latin hypercube over the ranged "
        "figures, each range covered evenly, mapped through each figure's triangular distribution).")
    sensitivity: StandingOut | None = absent_or(
        "With --sampling lhs only: the inputs whose indices stand out, by output; empty with fewer than 30 draws, "
        "no ranged figure or no index standing out.")
    uncertainty_inputs: list[InputRow] = Field(description="One row per draw: each ranged catalog figure as drawn "
                                               "(uncertainty_inputs.csv).")
    uncertainty_sensitivity: list[SensitivityRow] | None = absent_or(
        "With --sampling lhs and at least 30 draws: one row per (output, input), by output then S1 falling "
        "(uncertainty_sensitivity.csv); absent otherwise, or when neither output varies.")
