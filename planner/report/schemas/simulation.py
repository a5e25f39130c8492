"""simulation.json (``dronewall simulate``): an independent per-drone Monte Carlo of raids against the plan's builds
(random crossing points, Poisson raids, real magazines, the plan's munitions money), compared class by class with the
plan's exact evaluation (planner.simulate, docs/validation.md)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Fixed

__all__ = ["Document", "ThreatRow"]


class ThreatRow(Fixed):
    """One threat class: the simulated drones beside plan.json's exact figures for the class."""

    threat: str = Field(description="The threat class's id (threats catalog).")
    drones_simulated: int = Field(description="Drones of the class that crossed in the simulated raids (crewed "
                                  "incursions included).")
    detect_rate_sim: float = Field(description="Share 0–1 of them detected by at least one sensor look (simulated); "
                                   "0 when none crossed.")
    detect_rate_exact: float | None = Field(description="plan.json's detect_rate_exact for the class, share 0–1; "
                                            "null when plan.json has no row for it.")
    defeated: int = Field(description="Drones of the class defeated in the simulation.")
    defeat_rate_sim: float | None = Field(description="defeated / drones_simulated, share 0–1; null when none "
                                          "crossed.")
    standard_error: float | None = Field(description="Binomial standard error of defeat_rate_sim, share 0–1; null "
                                         "as above.")
    defeat_rate_exact: float | None = Field(description="plan.json's defeat_rate_exact for the class, share 0–1; "
                                            "null when plan.json has no row for it.")
    difference_pp: float | None = Field(description="100 × (defeat_rate_sim − defeat_rate_exact), percentage "
                                        "points; null when either is null.")
    escort_rate_sim: float | None = Field(
        None, description="Share 0–1 of the class's incursions met by an escort in time (simulated, of those that "
        "crossed); absent unless the scenario has crewed classes (manned: true), null on uncrewed classes' rows.")
    escort_rate_exact: float | None = Field(
        None, description="Incursions met over the horizon over incursions over the horizon (exact, plan.json's "
        "escort rows summed over nations), share 0–1; absent as above, null for a class without escort rows or "
        "incursions.")


class Document(AnalysisDocument):
    """simulation.json."""

    model_config = ConfigDict(title="dronewall simulation")

    raids: int = Field(description="Raids simulated: enough for --drones drones to cross at the expected drones "
                       "per raid.")
    drones: int = Field(description="Drones (and crewed incursions) that crossed in those raids.")
    seed: int = Field(description="The random seed: --seed, else solver.seed.")
    defeat_rate_all_sim: float = Field(description="Share 0–1 of all drones (decoys included, crewed incursions "
                                       "left out, as in plan.json) defeated (simulated; 0 when none crossed).")
    defeat_rate_all_exact: float = Field(description="plan.json's defeat_rate_all_exact: share 0–1 of all drones "
                                         "defeated (exact).")
    threats: list[ThreatRow] = Field(description="One row per threat class of the scenario, in its order.")
