"""Threat regimes (issue #13, item 2): the futures a plan may meet over its horizon, from the 2025 peacetime
pattern of a few incursions a year to war with mass raids, each with the weight the scenario gives it.

A regime scales the scenario's raids: ``raids_per_year`` replaces ``threats.raids_per_year`` and
``drones_per_raid_factor`` multiplies every class's drones per raid on every border (the composition stays the
scenario's). ``dronewall regimes`` plans for each regime alone and for all of them at once (weighted), and
evaluates every plan in every regime (docs/analyses.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PositiveFloat

from planner.config.base import MAX_RAIDS_PER_YEAR, Probability, _Section
from planner.config.catalog import AtMost

#: Regime weights must sum to one within this.
WEIGHT_TOLERANCE = 1e-6
#: The name of the plan `dronewall regimes` optimises across every regime at its weight (no regime may take it).
WEIGHTED = "weighted"


class ThreatRegime(_Section):
    """One threat regime: how often raids come and how large they are against the scenario's own raids."""

    weight: Probability = Field(description="The regime's weight in the plan across regimes: the probability the "
                                "scenario gives this future over the horizon (weights sum to 1).")
    raids_per_year: Annotated[PositiveFloat, AtMost(MAX_RAIDS_PER_YEAR, "raids a year")] = Field(
        description="Raids a year in this regime (replaces threats.raids_per_year).")
    drones_per_raid_factor: Annotated[PositiveFloat, AtMost(10_000, "times the scenario's raid")] = Field(
        1.0, description="Every class's drones per raid on every border, times this (the scenario's density "
        "is 1).")
    description: str = Field("", description="What the regime stands for and where its figures come from.")
