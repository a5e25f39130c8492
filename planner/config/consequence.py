"""Consequence-based value of a defeated drone (issue #13, item 3): what a leaker would have damaged.

A drone that crosses the border undefeated flies on inland along a route the defender does not know. The model
(docs/formulation.md, "Consequence value"; figures, sources and ranges in docs/research/consequence-value.md):

- its heading is uniform over the half-plane inland, and it flies at most ``route_reach_m``;
- an armed leaker whose heading points at a city within reach strikes it: a city of population P at a distance d
  subtends an angle of 2·asin(r/d), r = √(P / (π · urban density)), so it is struck with probability
  2·asin(r/d)/π (1 from inside the disc; the sum over cities capped at one strike);
- a strike costs ``urban_density_per_km2`` × the warhead's casualty area × the value of a fatality-equivalent; the
  casualty area grows with the warhead mass to the power 2/3 (cube-root blast scaling), from
  ``casualty_area_m2_per_50kg`` at 50 kg;
- any leaker, armed or decoy, whose route passes within ``airport_closure_radius_m`` of an airport within reach
  closes it for ``airport_closure_hours`` at ``airport_closure_eur_per_hour``;
- every leaker draws an interior response (sorties, missiles) costing ``response_eur_per_leaker``: the shots a
  decoy draws.

The objective counts a defeated drone at its expected harm in units of the scenario's mean armed drone (the
demand-weighted mean harm of the armed classes' drones is 1), so ``conventional_weight`` keeps its meaning:
drones of average consequence per Leopard-2A8 equivalent. ``plan.json`` states what one unit is in euros."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeFloat, PositiveFloat

from planner.config.base import MAX_EUR, BufferMetres, Euros, Metres, _Section
from planner.config.catalog import AtMost

#: The warhead mass at which ``casualty_area_m2_per_50kg`` is given, kg.
REFERENCE_WARHEAD_KG = 50.0


class ConsequenceConfig(_Section):
    """What a drone that leaks would damage, in euros; the value of defeating it follows from it."""

    route_reach_m: Metres = Field(
        300_000, description="How far inland a leaker's targets may lie, m (assumption: 150-600 km; a Shahed's range "
        "is 1,000-2,500 km, the targets of a border incursion nearer).")
    urban_density_per_km2: Annotated[PositiveFloat, AtMost(50_000, "residents per km2")] = Field(
        2_500, description="Residents per km2 of the protected cities (sets a city's radius from its population "
        "and the people a strike meets). Assumption from city-proper densities: 1,500-8,000.")
    casualty_area_m2_per_50kg: Annotated[PositiveFloat, AtMost(1e6, "m2")] = Field(
        200, description="Area, m2, in which a 50 kg warhead kills or injures, counted in fatality-equivalents (a "
        "person in it counts one); other masses scale it by (mass / 50 kg)^(2/3). Assumption: 100 m2 lethal plus "
        "1,000 m2 of injuries at 0.1 of a fatality; 40-1,200 (0.1-3 fatality-equivalents a strike).")
    eur_per_fatality_equivalent: Euros = Field(
        3.6e6, description="Value of a statistical life used in EU appraisal, EUR (European Commission, Handbook on "
        "the external costs of transport 2019; range 2.0-5.0M). Injuries count in fatality-equivalents.")
    airport_closure_radius_m: BufferMetres = Field(
        5_000, description="A leaker whose route passes this close to an airport closes it, m (0: never). "
        "Assumption: 1.5-10 km (drone-free zones and approach corridors).")
    airport_closure_hours: Annotated[NonNegativeFloat, AtMost(720, "hours", "at least 0")] = Field(
        3.0, description="Hours an airport stays closed after a drone passes near it (2025 closures: 1-8 h).")
    airport_closure_eur_per_hour: Annotated[NonNegativeFloat, AtMost(MAX_EUR, "EUR", "at least 0")] = Field(
        0.5e6, description="Cost of an hour of closure (cancellations, diversions, delay), EUR. Assumption between "
        "a mid-size airport (0.2M) and a hub (0.8M); 0.05-1.5M.")
    response_eur_per_leaker: Euros = Field(
        0.4e6, description="Cost of the interior response a leaker draws (sorties and missiles), EUR. Assumption "
        "from missile prices and the response of 10 Sep 2025 over Poland: 0.05-2.0M.")
