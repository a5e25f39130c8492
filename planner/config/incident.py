"""The ``incident`` block of a scenario: a real incursion and its sourced figures (``dronewall incident``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, field_validator, model_validator

from planner.config.base import MAX_DRONES, MAX_EUR, RoE, _Section
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
    drones_detected: Figure | None = Field(
        None, description="Drones the posture as it was detected and tracked (omit if the sources do not say).")
    escorted: Figure | None = Field(
        None, description="Crewed incursions met by alert fighters and escorted out (omit for drones, or if the "
        "sources do not say).")
    munitions_spent_eur: Figure | None = Field(
        None, description="What the interceptors fired cost, euros (omit if unknown).")
    engage_only_threatening: bool = Field(
        False, description="The rule of that night: the posture as it was engaged only drones whose route led to a "
        "protected asset (roe.engage_only_threatening for the posture alone; the drone wall keeps the scenario's "
        "rules).")
    roe: RoE | None = Field(
        None, description="What the posture was allowed or chose to engage that night, for every nation: "
        "shoot_unmanned, shoot_all, or escort_only (it tracked and escorted but did not fire, e.g. for the risk to "
        "people below); none: the scenario's roe. The replay adds the posture under the scenario's rules beside it.")

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        """An unquoted YAML date (2025-09-13) is read as a date: keep it as its ISO text."""
        return value.isoformat() if isinstance(value, dt.date) else value

    @model_validator(mode="after")
    def _check(self) -> IncidentConfig:
        if self.drones_detected is not None and self.drones_detected.value > self.drones.value:
            msg = (f"drones_detected ({self.drones_detected.value:g}) exceeds drones ({self.drones.value:g}): "
                   "no more drones can be detected than entered")
            raise ValueError(msg)
        if self.escorted is not None and self.escorted.value > self.drones.value:
            msg = (f"escorted ({self.escorted.value:g}) exceeds drones ({self.drones.value:g}): no more incursions "
                   "can be escorted than entered")
            raise ValueError(msg)
        if self.drones_defeated.value > self.drones.value:
            msg = (f"drones_defeated ({self.drones_defeated.value:g}) exceeds drones ({self.drones.value:g}): "
                   "no more drones can be shot down than entered")
            raise ValueError(msg)
        for name in ("drones", "drones_defeated", "drones_detected", "escorted", "munitions_spent_eur"):
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
