"""stress.json (``dronewall stress``): the plan held fixed in degraded worlds (jamming, saturation, decoys, the
adversary's best response, lost sensors), each an exact evaluation of the same builds, and which cases are expensive failures
(planner.analysis.stress)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Fixed, column

__all__ = ["AdversaryBlock", "CaseRow", "Document"]


class CaseRow(Columns):
    """One degraded world: the plan's builds evaluated exactly (detection exact, engagements re-optimised under the
    same rules and each nation's planned money); every multiplier at 1 reproduces the plan's own exact figures."""

    COLUMNS = (column(r"^defeat_[a-z][a-z0-9_]*$", float | None,
                      "Share 0–1 of the threat class <id>'s drones defeated in this case (exact); null when the "
                      "class has no drones in it."),)

    case: str = Field(description="The case's name (the defaults: nominal, jamming: detection ×0.7, kill ×0.8, "
                      "heavy jamming: detection ×0.5, kill ×0.6, saturation: raids ×2, saturation: raids ×4, "
                      "decoys ×3, adversary's best response: axis, altitude, decoys, 10 sensors lost, 50 sensors lost).")
    detect_x: float = Field(description="Multiplier on every sensor's single-look detection probability.")
    kill_x: float = Field(description="Multiplier on every effector's single-shot kill probability.")
    raid_x: float = Field(description="Multiplier on every class's drones per raid.")
    decoys_x: float = Field(description="Multiplier on the decoy classes' drones per raid (on top of raid_x).")
    adversary: str | None = Field(
        description="The adversary's best response to the plan, in words (its axis or axes, altitude profile and decoy "
        "share: the document's adversary block); null: drones cross as the scenario spreads them.")
    sensors_lost: int = Field(description="Sensor units lost: those that see the most drones are removed.")
    defeat_rate_value: float | None = Field(description="Share 0–1 of value defeated (exact); null when the case's "
                                            "drones carry no value.")
    defeat_rate_all: float = Field(description="Share 0–1 of all drones (decoys included, crewed incursions left "
                                   "out, as in plan.json) defeated (exact); 0 with no drones.")
    drones_over_horizon: float = Field(description="Drones (decoys included, crewed incursions left out) crossing the "
                                       "border in this case, over the horizon.")
    defeated_over_horizon: float = Field(description="Drones defeated (exact), over the horizon.")
    leakers_over_horizon: float = Field(description="drones_over_horizon − defeated_over_horizon: drones not "
                                        "defeated (exact), over the horizon.")
    leakers_per_raid: float = Field(description="Drones not defeated (exact), per raid.")
    munitions_eur: float = Field(description="Munitions of this case's engagements (exact), € over the horizon.")
    drone_defence_eur: float = Field(description="drone_defence_fixed_eur + munitions_eur: the plan's sensors and "
                                     "effectors bought and operated, and this case's munitions, € over the horizon.")
    eur_per_defeat: float | None = Field(description="drone_defence_eur per drone defeated (exact), €; null when "
                                         "none is defeated.")
    leaked_value_over_horizon: float = Field(
        description="Value of the drones not defeated (exact), over the horizon, in plan.json's value unit (the mean "
        "armed drone's harm with a consequence model): what the adversary maximises in its best response.")
    expensive_failure: bool = Field(description="True when defeat_rate_value is below the document's target while "
                                    "the plan spends on drone defence (false when defeat_rate_value is null).")


class AdversaryBlock(Fixed):
    """The adversary's best response (planner.analysis.respond), found exactly by part-by-part evaluation."""

    axes: list[str | None] = Field(description="Per group of classes, the axis it crosses on (null: spread).")
    profile: str = Field(description="The altitude profile flown ('catalog': the catalog altitudes).")
    decoy_share: float | None = Field(description="Decoy share of the armed stream chosen (null: the scenario's).")
    leaked_value_over_horizon: float = Field(description="What leaks against the best response (exact), value units "
                                             "over the horizon.")
    nominal_leaked_value_over_horizon: float = Field(description="The same for the scenario's own raid.")
    evaluations: int = Field(description="Exact-evaluation LPs solved to find it (a nation's part each).")
    seconds: float = Field(description="Time taken to find it, s.")
    axis_count: int = Field(description="Axes the border is cut into (adversary.axis_length_km).")
    choices: int = Field(description="Choices the best response is the best of: profiles × decoy shares × "
                         "(axes + 1) ^ groups.")


class Document(AnalysisDocument):
    """stress.json."""

    model_config = ConfigDict(title="dronewall stress")

    target: float = Field(description="Share 0–1 of value defeated (exact) below which a case is an expensive "
                          "failure: --target, else the scenario's lowest class target, else 0.8 × the nominal "
                          "case's defeat_rate_value.")
    target_from: Literal["--target", "scenario class targets", "80% of the nominal rate"] = Field(
        description="Where the target comes from: the command's --target, else the scenario's class targets when "
        "it has them, else 80% of the nominal rate.")
    drone_defence_fixed_eur: float = Field(description="The plan's sensors and effectors bought and operated (no "
                                           "munitions), € over the horizon: the same in every case.")
    rule: Literal["expensive failure: value-weighted defeat rate below the target while the plan's spending "
                  "stays"] = Field(description="The rule of an expensive failure, in words.")
    adversary: AdversaryBlock | None = Field(description="The adversary's best response (null: not among the cases).")
    cases: list[CaseRow] = Field(description="One row per case, in the order run (nominal first with the default "
                                 "cases).")
