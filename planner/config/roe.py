"""Rules of engagement: what each nation may engage, where kinetic fire is barred, and what it takes before weapons
release (identification delay, the threat-to-asset criterion)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeFloat, PositiveFloat

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
    hold_fire_over_built_up: bool = Field(False, description="No kinetic fire over built-up areas: each settlement "
        "(geodata.settlements) of at least built_up_min_population residents is a no-fire zone, a disc holding its "
        "residents at built_up_density_per_km2 widened by built_up_margin_m (collateral risk from debris and "
        "missed shots; docs/formulation.md, 'No-fire zones').")
    hold_fire_over_built_up_per_nation: dict[Iso2, bool] = Field(
        default_factory=dict, description="Per-nation hold-fire-over-built-up rule, replacing hold_fire_over_built_up.")
    built_up_min_population: Population = Field(
        1_000, description="Settlements at or above this population count as built-up areas.")
    built_up_density_per_km2: Annotated[PositiveFloat, AtMost(50_000, "residents per km2")] = Field(
        1_500, description="Residents per km2 of a built-up area (sets a settlement's disc from its population). "
        "Assumption anchored on Eurostat's cluster types (Territorial typologies manual: 1 km2 grid cells of 300+ "
        "residents per km2 form urban clusters, 1,500+ urban centres); range 300-2,500.")
    built_up_margin_m: BufferMetres = Field(
        500, description="Distance beyond a settlement's disc within which kinetic fire is held, m. Assumption "
        "(debris and missed shots fall around the intercept point): range 0-2,000.")

    def identification_delay(self, nation: str) -> float:
        """The identification delay of ``nation``, s."""
        return self.identification_delay_s_per_nation.get(nation, self.identification_delay_s)

    def holds_fire_over_built_up(self, nation: str) -> bool:
        """Whether ``nation`` holds kinetic fire over built-up areas."""
        return self.hold_fire_over_built_up_per_nation.get(nation, self.hold_fire_over_built_up)
