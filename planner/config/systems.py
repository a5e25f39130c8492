"""Units already in service, most units of a type and surveillance requirements: parts of the ``systems`` section
of a scenario."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planner.config.base import Iso2, Units, _Section
from planner.config.catalog import CatalogId


class InService(_Section):
    """A sensor or effector unit already in service: it costs only its operation over the horizon."""

    system: CatalogId = Field(description="Sensor or effector id from the catalogs.")
    lon: float = Field(ge=-180, le=180, description="Longitude of the unit (WGS 84), degrees.")
    lat: float = Field(ge=-90, le=90, description="Latitude of the unit (WGS 84), degrees.")
    note: str = Field("", description="What the unit is (for the record).")


class MaxUnits(_Section):
    """The most units of a sensor or effector type a nation may field (units in service included): what it holds,
    what industry can deliver, or the crews it has. The plan places at most this many, wherever they do most."""

    system: CatalogId = Field(description="Sensor or effector id from the catalogs.")
    nation: Iso2 | Literal["each"] = Field(
        description="Defending nation (from geodata.defenders), or 'each' for the same limit in every nation.")
    units: Units = Field(description="Most units of the type in the nation's plan (0: none).")
    note: str = Field("", description="Where the figure comes from (for the record).")


class MinDetection(_Section):
    """A nation's surveillance requirement: a share of the drones crossing its border that its sensors must
    detect, whatever they cost and whether or not it may shoot (``roe: escort_only`` nations included)."""

    nation: Iso2 | Literal["all"] = Field(description="Defending nation (from geodata.defenders), or 'all'.")
    threat: CatalogId | Literal["all"] = Field(
        "all", description="Threat class (one with a raid density), or 'all' for each class.")
    share: float = Field(gt=0, le=0.999, description="Least expected share of the class's drones over the nation's "
                         "border detected, as the plan promises it (the exact evaluation is never below the "
                         "promise); at most 0.999, where the model's detection stops.")
