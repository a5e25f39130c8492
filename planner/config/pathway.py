"""The ``pathway`` section of a scenario: the plan built up year by year (``dronewall pathway``; docs/analyses.md,
"The road to 2028").

Each year adds to what earlier years bought, within the money committed so far, and only systems whose lead time has
passed and whose production has delivered them; the milestones are targets each year is measured against.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeInt, PositiveFloat, StringConstraints, model_validator

from planner.config.base import Euros, Probability, _Section
from planner.config.bounds import AtMost
from planner.config.catalog import CatalogId

#: The longest pathway, years.
MAX_PATHWAY_YEARS = 20
#: The share of ``time_limit_s`` the end state has.
END_STATE_SHARE = 0.5


class Milestone(_Section):
    """A target for the end of one year of the pathway (e.g. the Defence Readiness Roadmap 2030's)."""

    year: int = Field(ge=2000, le=2100, description="Calendar year at whose end the target applies.")
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(
        description="What the milestone is (e.g. 'European Drone Defence Initiative: full capability').")
    defeat_share: Probability | None = Field(
        None, description="Least value-weighted share of drones defeated (the plan of that year, exact evaluation).")
    detect_share: Probability | None = Field(None, description="Least share of drones detected (exact).")
    escort_share: Probability | None = Field(
        None, description="Least share of crewed incursions met in time by an escort (exact).")
    source: str = Field("", description="Where the milestone comes from.")

    @model_validator(mode="after")
    def _check(self) -> Milestone:
        if self.defeat_share is None and self.detect_share is None and self.escort_share is None:
            msg = f"milestone '{self.name}' sets no target: give defeat_share, detect_share or escort_share"
            raise ValueError(msg)
        return self


class PathwayConfig(_Section):
    """The plan phased over years: money committed each year, lead times, production, milestones."""

    start_year: int = Field(ge=2000, le=2100, description="First calendar year of the pathway.")
    budget_eur_per_year: list[Euros] = Field(
        max_length=MAX_PATHWAY_YEARS,
        description="Money committed to drone defence and conventional forces in each year of the pathway, "
        "counted as budget.total_eur counts it (buying a unit and running it over the horizon, munitions, "
        "conventional units); money not committed in a year carries over. One entry per year: the pathway's length. "
        "Their sum may not exceed budget.total_eur.")
    lead_time_years: dict[CatalogId, Annotated[NonNegativeInt, AtMost(MAX_PATHWAY_YEARS, "years", "at least 0")]] = \
        Field(default_factory=dict, description="Sensor, effector or conventional id: years from an order at the "
              "start of the pathway to the first units in service (0: in service by the end of the first year). "
              "Not listed: 0.")
    units_per_year: dict[CatalogId, Annotated[PositiveFloat, AtMost(1e6, "units a year")]] = Field(
        default_factory=dict, description="Sensor, effector or conventional id: most units the producers deliver to "
        "the whole flank a year once deliveries start; by the end of year y at most this × (y − lead time) are bought, "
        "beside the units in service and the conventional holdings. Not listed: no limit.")
    milestones: list[Milestone] = Field(default_factory=list, description="Targets for the end of given years.")
    time_limit_s: Annotated[PositiveFloat, AtMost(1e6, "s")] = Field(
        240, description="Time for the pathway's solves, seconds, in place of solver.time_limit_s: the end state has "
        "END_STATE_SHARE (half) of it, each earlier year an equal share of the rest (what a year does not use goes to "
        "the next; each solve at least 5 s); building the theater and the problem comes on top.")

    @property
    def years(self) -> list[int]:
        """The calendar years of the pathway."""
        return [self.start_year + k for k in range(len(self.budget_eur_per_year))]

    @model_validator(mode="after")
    def _check(self) -> PathwayConfig:
        if not self.budget_eur_per_year:
            msg = ("budget_eur_per_year is empty: give the money committed in each year of the pathway, one entry a "
                   "year (e.g. [1.2e9, 1.2e9, 1.2e9])")
            raise ValueError(msg)
        for i, m in enumerate(self.milestones):
            if m.year not in self.years:
                msg = (f"milestones[{i}] ('{m.name}') is for {m.year}, outside the pathway "
                       f"{self.years[0]}-{self.years[-1]}: move it or add years to budget_eur_per_year")
                raise ValueError(msg)
        return self
