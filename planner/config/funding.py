"""The ``funding`` section of a scenario: who pays for the plan's drone defence and by what rules, and the fair-share
key a burden-sharing report measures each nation against (docs/analyses.md, "Who pays, who hosts").

The plan is made with the scenario's budget (and its per-nation caps); the funding sources then pay for it, host by
host: a nation's budget, a pledge to other nations, or a pooled fund (NATO common funding, an EU instrument) with
its contributors' shares. Each source pays only for the hosts it names, up to its money.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from planner.config.base import Euros, Iso2, _Section
from planner.config.catalog import Figure, _Strict

#: How a nation's fair share of the bill is measured: by its GDP, its defence spending, its population, or equally.
Key = Literal["gdp", "defence_spending", "population", "equal"]
SourceName = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class FundingSource(_Section):
    """Money over the horizon for drone defence, and where it may go."""

    name: SourceName = Field(description="What the money is (e.g. 'Lithuania's budget', 'German pledge', 'EU "
                             "drone-defence initiative').")
    eur: Euros = Field(description="Money over the horizon, EUR.")
    paid_by: Iso2 | dict[Iso2, float] = Field(
        description="The nation that pays (its budget or a pledge), or a pooled fund's contributors with their "
        "shares of it (summing to 1).")
    hosts: list[Iso2] | Literal["all"] = Field(
        "all", description="Defenders whose drone defence it may pay for (systems on their territory, munitions "
        "fired over their border), or 'all'.")

    @model_validator(mode="after")
    def _check(self) -> FundingSource:
        if isinstance(self.paid_by, dict):
            if not self.paid_by or any(not 0 < v <= 1 for v in self.paid_by.values()) \
                    or abs(sum(self.paid_by.values()) - 1) > 1e-6:
                msg = (f"paid_by {self.paid_by} must be contributors' shares between 0 and 1 summing to 1, e.g. "
                       "{DE: 0.6, PL: 0.4}, or one nation's code")
                raise ValueError(msg)
        if isinstance(self.hosts, list) and not self.hosts:
            msg = "hosts is empty: name the defenders it may pay for, or 'all'"
            raise ValueError(msg)
        return self

    def shares(self) -> dict[str, float]:
        """Each paying nation's share of this source."""
        return {self.paid_by: 1.0} if isinstance(self.paid_by, str) else dict(self.paid_by)


class FundingConfig(_Section):
    """Who pays, and the fair-share key."""

    key: Key = Field("gdp", description="How a nation's fair share of the bill is measured (nations file figures).")
    nations_file: str | None = Field(None, description="The nations' GDP, defence spending and population with "
                                     "sources (a path relative to the scenario file; none: nations.yaml beside the "
                                     "sources catalog).")
    sources: list[FundingSource] = Field(min_length=1, description="The money that pays for the plan.")

    @model_validator(mode="after")
    def _check(self) -> FundingConfig:
        names = [s.name for s in self.sources]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            msg = f"sources name {', '.join(dup)} more than once: give each source its own name"
            raise ValueError(msg)
        return self

    def payers(self) -> list[str]:
        """Every nation that pays into some source, in order of first appearance."""
        return list(dict.fromkeys(n for s in self.sources for n in s.shares()))


class NationFigures(_Strict):
    """One nation's figures for the fair-share keys, each with its source."""

    name: str = Field(description="Display name.")
    gdp_eur: Figure = Field(description="Gross domestic product, current prices, EUR a year.")
    defence_spending_eur: Figure = Field(description="Defence expenditure, current prices, EUR a year.")
    population: Figure = Field(description="Residents.")


class NationCatalog(_Strict):
    nations: dict[Iso2, NationFigures] = Field(min_length=1, description="Nations by ISO 3166-1 alpha-2 code.")
