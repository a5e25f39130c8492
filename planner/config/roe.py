"""Rules of engagement: what each nation may engage, where kinetic fire is barred, and what it takes before weapons
release (identification delay, the threat-to-asset criterion)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeFloat

from planner.config.base import BufferMetres, Iso2, Population, RoE, _Section
from planner.config.catalog import AtMost

#: Seconds, at most an hour (a delay longer than any drone's time over the border).
Seconds = Annotated[NonNegativeFloat, AtMost(3_600, "s", "at least 0")]


class NoFireBuffers(_Section):
    city_m: BufferMetres = Field(5_000, description="No-fire radius for kinetic effectors around cities, m.")
    airport_m: BufferMetres = Field(5_000, description="No-fire radius for kinetic effectors around airports, m.")


class RoeConfig(_Section):
    """Rules of engagement."""

    default: RoE = Field("shoot_unmanned", description="What may be engaged, unless a nation says otherwise.")
    per_nation: dict[Iso2, RoE] = Field(default_factory=dict, description="Per-nation rules of engagement.")
    no_fire_buffers: NoFireBuffers = Field(default_factory=NoFireBuffers, description="No-fire zones.")
    city_min_population: Population = Field(
        100_000, description="Cities at or above this population are protected assets (and no-fire zones).")
    engage_only_threatening: bool = Field(False, description="Engage only drones whose route leads to a protected "
        "asset (docs/formulation.md, 'Threat-to-asset criterion'); false: every detected drone the rules allow.")
    identification_delay_s: Seconds = Field(
        0.0, description="Seconds from detection to weapons release for identification and authorisation, added to "
        "every effector's reaction time: the engagement envelope shrinks by the distance a drone flies meanwhile.")
    identification_delay_s_per_nation: dict[Iso2, Seconds] = Field(
        default_factory=dict, description="Per-nation identification delay, replacing identification_delay_s.")

    def identification_delay(self, nation: str) -> float:
        """The identification delay of ``nation``, s."""
        return self.identification_delay_s_per_nation.get(nation, self.identification_delay_s)
