"""Conventional capability areas (issue #13): what the forces need in each area, so that a plan fills an unmet
requirement before it buys more of what is already there.

Each conventional option carries points per area (``capability_by_area`` in the catalog; without it, its
``capability_score`` in a single area ``all``). A scenario lists the areas it values under
``objective.capability_areas``; the value of an area's points is concave and piecewise linear: full value per
point up to the requirement left after the points in service, ``beyond_requirement_share`` of it per point
beyond, and nothing past ``saturation_points``. Without areas the value stays linear (one area, no requirement):
today's behaviour."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeFloat, model_validator

from planner.config.base import MAX_WEIGHT, _Section
from planner.config.catalog import AtMost

Points = Annotated[NonNegativeFloat, AtMost(MAX_WEIGHT, "points", "at least 0")]


class CapabilityArea(_Section):
    """One capability area (armour, mechanised infantry, fires, ground-based air defence, …), in the area's own
    points (the catalog's ``capability_by_area``)."""

    requirement_points: Points = Field(description="Points of this area the forces need in all (a force-planning "
                                       "requirement, sourced or a labelled assumption).")
    in_service_points: Points = Field(0.0, description="Points already held (existing inventories).")
    beyond_requirement_share: float = Field(
        0.25, ge=0.0, le=1.0, description="Value of a point beyond the requirement, as a share of a point below it "
        "(diminishing returns; 0: nothing beyond the requirement counts).")
    saturation_points: Points | None = Field(
        None, description="Points beyond which more adds nothing (null: no saturation).")

    @model_validator(mode="after")
    def _check(self) -> CapabilityArea:
        if self.saturation_points is not None and self.saturation_points < self.requirement_points:
            msg = (f"saturation_points {self.saturation_points:g} is below requirement_points "
                   f"{self.requirement_points:g}: raise it or leave it out")
            raise ValueError(msg)
        return self

    def segments(self) -> tuple[float, float]:
        """Widths of the two linear pieces in points bought: (below the requirement, beyond it up to saturation);
        ``inf`` where unbounded."""
        below = max(self.requirement_points - self.in_service_points, 0.0)
        top = float("inf") if self.saturation_points is None else self.saturation_points
        beyond = max(top - max(self.requirement_points, self.in_service_points), 0.0)
        return below, beyond
