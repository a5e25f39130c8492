"""The ``incident`` block of a scenario: a real incursion and its sourced figures (``dronewall incident``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from planner.config.base import MAX_DRONES, MAX_EUR, _Section
from planner.config.catalog import Figure, fmt_number


class IncidentConfig(_Section):
    """A real incursion, replayed by ``dronewall incident`` against the posture as it was (the units in
    ``systems.in_service``) and a drone-wall plan for the same sector (this scenario's plan). Every
    figure carries its sources, with a low/high range where accounts differ."""

    name: str = Field(min_length=1, max_length=120, description="What the incident is called.")
    date: str = Field(min_length=4, description="When it happened (ISO 8601 date or interval).")
    summary: str = Field("", description="What happened, in a sentence or two.")
    drones: Figure = Field(description="Drones that entered, per the sources (threats.density should "
                                       "model one raid of about this size).")
    drones_defeated: Figure = Field(description="Drones the posture as it was shot down.")
    munitions_spent_eur: Figure | None = Field(
        None, description="What the interceptors fired cost, euros (omit if unknown).")
    engage_only_threatening: bool = Field(
        False, description="The rule of that night: the posture as it was engaged only drones whose route led to a "
        "protected asset (roe.engage_only_threatening for the posture alone; the drone wall keeps the scenario's "
        "rules).")

    @model_validator(mode="after")
    def _check(self) -> IncidentConfig:
        if self.drones_defeated.value > self.drones.value:
            msg = (f"drones_defeated ({self.drones_defeated.value:g}) exceeds drones ({self.drones.value:g}): "
                   "no more drones can be shot down than entered")
            raise ValueError(msg)
        for name in ("drones", "drones_defeated", "munitions_spent_eur"):
            fig = getattr(self, name)
            if fig is not None and (fig.value < 0 or (fig.low or 0) < 0):
                msg = f"{name} is negative: counts and euros are zero or more"
                raise ValueError(msg)
            limit, unit = (MAX_EUR, "EUR") if name.endswith("_eur") else (MAX_DRONES, "drones")
            if fig is not None and fig.range[1] > limit:
                msg = (f"{name} is out of range: allowed 0 to {fmt_number(limit)} {unit} (value and high "
                       f"bound); got {fmt_number(fig.range[1])}")
                raise ValueError(msg)
        return self
