"""What the scenario's sections share: the base model (``extra="forbid"``, frozen, no inf/nan), the field types
with their units and the upper bounds of the numbers that feed the optimizer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    StringConstraints,
)

from planner.config.catalog import AtMost

Iso2 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
BorderId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z]{2}$")]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
RoE = Literal["shoot_unmanned", "shoot_all", "escort_only"]

# Upper bounds of the numbers that feed the optimizer: generous but physical (see AtMost), so that a slip of
# units or digits is named with its field rather than breaking the solver. Infinity and NaN are refused too.
MAX_LENGTH_M = 1_000_000  # 1,000 km
MAX_EUR = 1e13  # EUR 10 trillion: about seven years of all NATO defence spending
MAX_RAIDS_PER_YEAR = 100_000  # about 270 a day, on each border
MAX_DRONES_PER_RAID_PER_100KM = 10_000
MAX_WEIGHT = 1e6
MAX_RESIDENTS = 1e10  # above the world's population
MAX_DRONES = 1e6  # in one incident
Metres = Annotated[PositiveFloat, AtMost(MAX_LENGTH_M, "m")]
SiteMetres = Annotated[PositiveFloat, AtMost(MAX_LENGTH_M, "m", "at least 100")]
BufferMetres = Annotated[NonNegativeFloat, AtMost(MAX_LENGTH_M, "m", "at least 0")]
Euros = Annotated[PositiveFloat, AtMost(MAX_EUR, "EUR")]
Weight = Annotated[NonNegativeFloat, AtMost(MAX_WEIGHT, "", "at least 0")]
Residents = Annotated[NonNegativeFloat, AtMost(MAX_RESIDENTS, "residents", "at least 0")]
Population = Annotated[NonNegativeInt, AtMost(MAX_RESIDENTS, "residents", "at least 0")]
Units = Annotated[NonNegativeInt, AtMost(MAX_WEIGHT, "units", "at least 0")]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
