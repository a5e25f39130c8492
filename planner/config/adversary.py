"""The adversary who sees the plan (issue #15): what it may change about a raid once the defences are built.

A raid keeps its mass (drones per raid by class, the scenario's ``threats``); the attacker chooses where each group
of classes crosses (an axis: a stretch of border), how high the raid flies (an altitude profile) and what share of
the armed stream is decoys. Its best response to a plan is the choice that leaves the most value-weighted leakers
(docs/analyses.md, "The adversary who sees the plan")."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from planner.config.base import Probability, _Section
from planner.config.bounds import AtMost
from planner.config.catalog import Catalog, CatalogId

__all__ = ["AdversaryConfig", "AltitudeProfile", "DecoyChoice", "adversary_problems"]


class AltitudeProfile(_Section):
    """A height the raid may fly instead of its classes' catalog altitudes."""

    altitude_m: dict[CatalogId, Annotated[NonNegativeFloat, AtMost(1e5, "m", "at least 0")]] = Field(
        min_length=1, description="Flight altitude of each class listed, metres above ground (within the class's "
        "catalog band, altitude_m low-high); classes not listed fly their catalog altitude.")
    source: list[str] = Field([], description="Ids of the catalog sources (sources.yaml) the heights come from.")
    note: str = Field(min_length=10, description="What the sources say, or the assumption behind the heights.")


class DecoyChoice(_Section):
    """The share of decoys in one armed class's stream, mass kept: each decoy flown replaces an armed drone."""

    armed: CatalogId = Field(description="The armed class of the stream (shahed_136).")
    decoy: CatalogId = Field(description="The decoy class flown with it (gerbera_decoy; decoy: true in the catalog).")
    shares: list[Probability] = Field(
        min_length=1, max_length=5, description="Decoy shares of the stream (decoys / (armed + decoys)) the attacker "
        "may choose besides the scenario's own, cell by cell.")
    source: list[str] = Field([], description="Ids of the catalog sources (sources.yaml) the shares come from.")
    note: str = Field(min_length=10, description="What the sources say, or the assumption behind the shares.")

    @model_validator(mode="after")
    def _check(self) -> DecoyChoice:
        if self.armed == self.decoy:
            raise ValueError("armed and decoy are the same class: name the armed class and the decoy flown with it")
        return self


class AdversaryConfig(_Section):
    """What an adversary who has seen the plan may change about a raid (``dronewall stress``: its best response; ``dronewall adversary``: planning against it)."""

    axis_length_km: Annotated[PositiveFloat, AtMost(5000, "km")] = Field(
        250, description="The border is cut into axes of about this length, each border's cells in order (a border "
        "shorter than 1.5 axes is one axis); the attacker moves a group's drones onto one axis. Assumption: a raid's "
        "launch corridor, 100-500 km.")
    concentrate_share: Annotated[Probability, Field(gt=0)] = Field(
        1.0, description="Share of each group's drones per raid the attacker moves onto its axis; the rest keeps the "
        "scenario's spread along the border. 1: the whole group crosses on one axis (the worst case).")
    groups: list[list[CatalogId]] | None = Field(
        None, description="Classes that move together, each group onto one axis of its own (a class in no group keeps "
        "the scenario's spread). null: every uncrewed class with a raid density, as one group (the raid moves as "
        "one). Each extra group multiplies the evaluations by about the axes of a nation.")
    altitude_profiles: dict[str, AltitudeProfile] = Field(
        {}, max_length=4, description="Named heights the whole raid may fly instead of the catalog altitudes (e.g. "
        "high: above guns and acoustic nodes); the attacker also keeps the catalog altitudes.")
    decoys: DecoyChoice | None = Field(None, description="Decoy shares the attacker may choose (none: the "
                                                         "scenario's own).")

    @model_validator(mode="after")
    def _check(self) -> AdversaryConfig:
        seen: set[str] = set()
        for k, group in enumerate(self.groups or []):
            if not group:
                raise ValueError(f"groups[{k}] is empty: list the classes that move together, or drop it")
            twice = sorted(seen & set(group)) or sorted({t for t in group if group.count(t) > 1})
            if twice:
                raise ValueError(f"groups[{k}] repeats {', '.join(twice)}: a class moves with one group only")
            seen |= set(group)
        if self.groups is not None and len(self.groups) > 4:
            raise ValueError(f"groups has {len(self.groups)} groups: at most 4 (the evaluations grow as the axes of a "
                             "nation to the power of the groups)")
        return self


def adversary_problems(adv: AdversaryConfig | None, cat: Catalog, in_density: set[str]) -> list[tuple[str, str]]:
    """The adversary's classes against the catalog and the raids: each known, with a raid density, uncrewed where
    it moves; each profile's altitudes within the class's band; the decoy choice an armed class and a decoy."""
    if adv is None:
        return []
    problems: list[tuple[str, str]] = []

    def known(where: str, tid: str) -> bool:
        if tid not in cat.threats:
            problems.append((where, f"unknown threat '{tid}'; known: {', '.join(sorted(cat.threats))}"))
            return False
        if tid not in in_density:
            problems.append((where, f"'{tid}' has no raid density in threats.density: add one or leave it out"))
            return False
        return True

    for k, group in enumerate(adv.groups or []):
        for tid in group:
            if known(f"adversary.groups[{k}]", tid) and cat.threats[tid].manned:
                problems.append((f"adversary.groups[{k}]", f"'{tid}' is crewed (manned: true): the adversary moves "
                                                           "drones only; leave it out"))
    cited = [(f"adversary.altitude_profiles.{name}.source", profile.source)
             for name, profile in adv.altitude_profiles.items()]
    cited += [("adversary.decoys.source", adv.decoys.source)] if adv.decoys is not None else []
    for where, ids in cited:
        for sid in ids:
            if sid not in cat.sources:
                problems.append((where, f"unknown source id '{sid}': add it to the sources catalog or drop it"))
    for name, profile in adv.altitude_profiles.items():
        for tid, alt in profile.altitude_m.items():
            where = f"adversary.altitude_profiles.{name}.altitude_m.{tid}"
            if not known(where, tid):
                continue
            band = cat.threats[tid].altitude_m
            low = band.low if band.low is not None else band.value
            high = band.high if band.high is not None else band.value
            if not low <= alt <= high:
                problems.append((where, f"{alt:g} m lies outside the class's catalog band {low:g}-{high:g} m: "
                                        "choose a height within it (or widen the band, with its source)"))
    if adv.decoys is not None:
        d = adv.decoys
        if known("adversary.decoys.armed", d.armed) and (cat.threats[d.armed].decoy or cat.threats[d.armed].manned):
            problems.append(("adversary.decoys.armed", f"'{d.armed}' is not an armed drone class (it is a decoy or "
                                                       "crewed): name the class the decoys are flown with"))
        if known("adversary.decoys.decoy", d.decoy) and not cat.threats[d.decoy].decoy:
            problems.append(("adversary.decoys.decoy", f"'{d.decoy}' is not a decoy class (decoy: true in the "
                                                       "threat catalog)"))
    return problems
