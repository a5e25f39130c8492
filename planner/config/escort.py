"""The ``escort`` section of a scenario: what a nation does with a crewed incursion it may not shoot (threat
classes with ``manned: true``), and how many of them it must meet (docs/formulation.md, "Escort of crewed
incursions")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from planner.config.base import Iso2, _Section
from planner.config.catalog import CatalogId

#: escort: an alert unit is scrambled to meet, identify and shadow the intruder out; monitor: the nation only
#: tracks it (surveillance; no sortie).
Response = Literal["escort", "monitor"]


class MinEscort(_Section):
    """A nation's escort requirement: a share of the crewed incursions over its border met in time."""

    nation: Iso2 | Literal["all"] = Field(description="Defending nation (from geodata.defenders), or 'all' (every "
                                          "nation whose response is escort).")
    threat: CatalogId | Literal["all"] = Field(
        "all", description="Crewed threat class (one with a raid density), or 'all' for each crewed class.")
    share: float = Field(gt=0, le=0.999, description="Least expected share of the class's incursions over the "
                         "nation's border detected, reached in time and met by an escort, as the plan promises it.")


class EscortConfig(_Section):
    """Crewed incursions: a nation under roe shoot_all may engage them like drones; every other nation escorts
    (scrambles an alert unit that meets and shadows the intruder out) or monitors them."""

    response: Response = Field("escort", description="What a nation not under roe shoot_all does with a crewed "
                               "incursion: escort (an alert unit meets it in time) or monitor (track only).")
    response_per_nation: dict[Iso2, Response] = Field(
        default_factory=dict, description="Per-nation response, replacing response.")
    min_share: list[MinEscort] = Field(
        default_factory=list, description="Escort requirements: per nation and crewed class, the least share of "
        "incursions met in time. Without one, the plan escorts what the alert units it builds for other reasons "
        "can reach, and buys none for escort alone.")

    def response_of(self, nation: str) -> Response:
        """The response of ``nation`` to crewed incursions it may not shoot."""
        return self.response_per_nation.get(nation, self.response)

    def applied(self, roe: Any, nation: str) -> Literal["shoot", "escort", "monitor"]:
        """What ``nation`` does with a crewed incursion under the rules ``roe`` (a RoeConfig): shoot under roe
        shoot_all, else its response (escort or monitor). The one place this rule is written."""
        return "shoot" if roe.per_nation.get(nation, roe.default) == "shoot_all" else self.response_of(nation)
