"""Catalogs: threats, sensors, effectors and conventional options, with sourced figures.

Every number in a catalog is a :class:`Figure`: a nominal ``value``, optional ``low``/``high``
bounds where sources disagree or the figure is uncertain, and either a list of ``source`` ids
(entries of ``sources.yaml``) or an ``assumption`` that states the reasoning. A figure with
neither is rejected, so no unsourced number can enter a plan.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from planner.config.bounds import LIMITS, AtMost, fmt_number  # noqa: F401 - re-exported: the bounds of every figure

CatalogId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Figure(_Strict):
    """One catalog number with its provenance and uncertainty range."""

    value: float = Field(description="Nominal value used by the planner, in the unit the field name gives.")
    low: float | None = Field(None, description="Low bound where sources disagree or the value is uncertain.")
    high: float | None = Field(None, description="High bound where sources disagree or the value is uncertain.")
    source: list[str] = Field(
        default_factory=list,
        description="Ids of entries in the sources catalog that support the value or its bounds.",
    )
    assumption: str | None = Field(
        None,
        min_length=10,
        description="Why this value was assumed, where no public source gives it (or only bounds it).",
    )

    @model_validator(mode="before")
    @classmethod
    def _reject_bare_numbers(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            msg = (
                f"a bare number ({data}) is not allowed in a catalog: write "
                f"{{value: {data}, source: [<source id>]}} or {{value: {data}, assumption: '<why>'}}"
            )
            raise ValueError(msg)
        return data

    @model_validator(mode="after")
    def _check(self) -> Figure:
        if not self.source and not self.assumption:
            msg = "figure has neither a source nor an assumption: add 'source: [<id>]' or 'assumption: <why>'"
            raise ValueError(msg)
        if self.low is not None and self.low > self.value:
            msg = f"low bound {self.low} is above the value {self.value}"
            raise ValueError(msg)
        if self.high is not None and self.high < self.value:
            msg = f"high bound {self.high} is below the value {self.value}"
            raise ValueError(msg)
        return self

    @property
    def range(self) -> tuple[float, float]:
        """``(low, high)``, defaulting to the value where a bound is not given."""
        lo = self.value if self.low is None else self.low
        hi = self.value if self.high is None else self.high
        return lo, hi


def _positive(fig: Figure | None, name: str, *, allow_zero: bool = False) -> None:
    if fig is None:
        return
    lo, hi = fig.range
    if lo < 0 or (not allow_zero and fig.value <= 0):
        bound = ">= 0" if allow_zero else "> 0"
        msg = f"{name} must be {bound} (value and low bound); got value {fig.value}, low {fig.low}"
        raise ValueError(msg)
    limit, unit = LIMITS[name.split(".")[0]]
    if hi > limit:
        msg = (f"{name} must be at most {fmt_number(limit)} {unit} (value and high bound); got value "
               f"{fmt_number(fig.value)}, high {fmt_number(hi)}")
        raise ValueError(msg)


def _probability(fig: Figure, name: str) -> None:
    lo, hi = fig.range
    if not (0.0 <= lo <= fig.value <= hi <= 1.0):
        msg = f"{name} is a probability: value and bounds must lie in [0, 1]; got {fig.value} ({lo}..{hi})"
        raise ValueError(msg)


class Source(_Strict):
    """A publication a catalog figure rests on."""

    citation: str = Field(min_length=5, description="Publication, title and date.")
    url: str | None = Field(None, description="Address (without https://), for the record; never fetched.")
    note: str | None = Field(None, description="What the source says, or how a figure was derived from it.")


class SourceCatalog(_Strict):
    sources: dict[CatalogId, Source] = Field(description="Sources by id.")


Guidance = Literal["autonomous", "remote", "fibre", "piloted"]
Propulsion = Literal["piston", "electric", "jet"]


class Threat(_Strict):
    """A class of aerial threat crossing the border."""

    name: str = Field(description="Display name.")
    unit_cost_eur: Figure = Field(description="Cost of one airframe to the attacker, EUR.")
    speed_mps: Figure = Field(description="Cruise speed, metres per second.")
    altitude_m: Figure = Field(description="Flight altitude above ground, metres (low/high: the band).")
    rcs_m2: Figure = Field(description="Radar cross-section, square metres.")
    warhead_kg: Figure | None = Field(None, description="Warhead mass, kilograms (absent for pure decoys).")
    range_km: Figure | None = Field(None, description="How far it flies, kilometres: with objective.consequence, "
                                    "its targets lie at most this far inland (absent: the scenario's route reach).")
    emits_rf: bool = Field(description="Whether it emits radio signals a passive RF detector can hear.")
    guidance: Guidance = Field(description="Autonomous (INS/GNSS), remote (radio link), fibre-optic, or piloted (a "
                               "crewed aircraft).")
    propulsion: Propulsion = Field(description="Engine type; drives the acoustic signature.")
    decoy: bool = Field(False, description="A decoy that draws fire but carries no (or a token) warhead.")
    manned: bool = Field(False, description="A crewed aircraft: engaged only where a nation's roe is shoot_all, "
                         "else escorted or monitored (the scenario's escort section).")
    escort_window_s: Figure | None = Field(
        None, description="Crewed classes: seconds from the first radar track of an incursion to its leaving the "
        "defender's airspace (the warning while it approaches plus its time inside): an escort must meet it within "
        "this. Required when manned is true.")
    notes: str = Field("", description="Rationale for the categorical attributes above.")

    @model_validator(mode="after")
    def _check(self) -> Threat:
        for name in ("unit_cost_eur", "speed_mps", "rcs_m2"):
            _positive(getattr(self, name), name)
        _positive(self.altitude_m, "altitude_m", allow_zero=True)
        _positive(self.warhead_kg, "warhead_kg", allow_zero=True)
        _positive(self.range_km, "range_km")
        if self.manned and self.escort_window_s is None:
            msg = ("a crewed class (manned: true) needs escort_window_s: the seconds from its first track to its "
                   "leaving the defender's airspace, within which an escort must meet it")
            raise ValueError(msg)
        if not self.manned and self.escort_window_s is not None:
            msg = "escort_window_s applies to crewed classes only (manned: true): remove it"
            raise ValueError(msg)
        _positive(self.escort_window_s, "escort_window_s")
        if self.guidance == "fibre" and self.emits_rf:
            msg = "a fibre-guided threat cannot emit RF on its control link: set emits_rf: false"
            raise ValueError(msg)
        return self


class Sensor(_Strict):
    """A sensor type that can be placed at a candidate site."""

    name: str = Field(description="Display name and the class of real systems it stands for.")
    modality: Literal["radar", "passive_rf", "acoustic", "eo_ir"] = Field(
        description="Physical principle; decides which threats it can sense at all."
    )
    detection_range_m: Figure = Field(
        description=(
            "Detection range, metres. For radars: against a target of reference_rcs_m2, scaled by the "
            "fourth root of the threat's RCS (radar equation). Others: against any threat they can sense."
        )
    )
    reference_rcs_m2: Annotated[float, AtMost(*LIMITS["rcs_m2"])] | None = Field(
        None, gt=0, description="Radars only: the RCS at which detection_range_m holds, square metres."
    )
    detection_range_m_by_threat: dict[CatalogId, Figure] = Field(
        default_factory=dict,
        description="Per-threat ranges that replace the rule above (0 = cannot sense that threat).",
    )
    max_target_altitude_m: Figure | None = Field(
        None, description="Highest target altitude it can sense, metres (e.g. acoustic nodes)."
    )
    mast_height_m: Figure = Field(description="Antenna or sensor height above ground, metres (radar horizon).")
    p_detect: Figure = Field(description="Probability of detecting a sensible threat that passes within range.")
    unit_cost_eur: Figure = Field(description="Acquisition cost per unit, EUR.")
    operating_cost_eur_per_year: Figure = Field(description="Operation and support per unit per year, EUR.")
    crew: Figure = Field(description="Personnel per unit (all shifts).")

    @model_validator(mode="after")
    def _check(self) -> Sensor:
        if self.modality == "radar" and self.reference_rcs_m2 is None:
            msg = "a radar needs reference_rcs_m2: the RCS at which detection_range_m holds"
            raise ValueError(msg)
        if self.modality != "radar" and self.reference_rcs_m2 is not None:
            msg = f"reference_rcs_m2 applies to radars only, not modality '{self.modality}': remove it"
            raise ValueError(msg)
        _positive(self.detection_range_m, "detection_range_m")
        for threat, fig in self.detection_range_m_by_threat.items():
            _positive(fig, f"detection_range_m_by_threat.{threat}", allow_zero=True)
        _positive(self.max_target_altitude_m, "max_target_altitude_m")
        _positive(self.mast_height_m, "mast_height_m", allow_zero=True)
        _probability(self.p_detect, "p_detect")
        _positive(self.unit_cost_eur, "unit_cost_eur", allow_zero=True)
        _positive(self.operating_cost_eur_per_year, "operating_cost_eur_per_year", allow_zero=True)
        _positive(self.crew, "crew", allow_zero=True)
        return self


class EscortMission(_Strict):
    """What an alert unit does against a crewed incursion it may not shoot: scramble, meet, identify and shadow it
    out (docs/formulation.md, "Escort of crewed incursions")."""

    transit_speed_mps: Figure = Field(description="Speed from take-off to the track, metres per second.")
    p_meet: Figure = Field(description="Probability that a sortie sent in time meets and identifies the intruder.")
    escorts_per_raid: Figure = Field(description="Incursions one unit can meet and shadow in one raid (sorties it "
                                     "can fly before the raid is over).")
    sortie_cost_eur: Figure = Field(description="Flying cost of one escort sortie (the pair, take-off to landing), "
                                    "EUR; the alert posture itself is the unit's operating cost.")

    @model_validator(mode="after")
    def _check(self) -> EscortMission:
        _positive(self.transit_speed_mps, "transit_speed_mps")
        _probability(self.p_meet, "p_meet")
        _positive(self.escorts_per_raid, "escorts_per_raid")
        _positive(self.sortie_cost_eur, "sortie_cost_eur", allow_zero=True)
        return self


class Effector(_Strict):
    """A weapon or defeat system that can be placed at a candidate site (or, for fighters, based)."""

    name: str = Field(description="Display name and the class of real systems it stands for.")
    kinetic: bool = Field(description="Fires projectiles or missiles (barred inside no-fire zones).")
    range_m: Figure = Field(description="Maximum engagement range against small aerial targets, metres.")
    max_altitude_m: Figure = Field(description="Highest target altitude it can engage, metres.")
    p_kill_per_shot: dict[CatalogId, Figure] = Field(
        description="Probability that one shot (burst, missile, dwell) kills a threat of that class. "
        "A threat not listed cannot be engaged."
    )
    shots_per_engagement: Figure = Field(description="Shots fired at one target in one engagement (with "
                                         "shoot_look_shoot: at most this many, one at a time).")
    doctrine: Literal["salvo", "shoot_look_shoot"] = Field(
        "salvo", description="salvo: every shot of an engagement is fired; shoot_look_shoot: one shot at a time "
        "until the target is killed or the shots run out (the same kill probability, fewer shots on average).")
    cost_per_shot_eur: Figure = Field(description="Munition cost per shot, EUR.")
    magazine_shots_per_raid: Figure = Field(description="Shots available per unit in one raid (before reload).")
    reaction_time_s: Figure = Field(description="From cue to first shot, seconds.")
    unit_cost_eur: Figure = Field(description="Acquisition cost per unit (fire unit, team, alert pair), EUR.")
    operating_cost_eur_per_year: Figure = Field(description="Operation and support per unit per year, EUR.")
    crew: Figure = Field(description="Personnel per unit (all shifts).")
    escort: EscortMission | None = Field(None, description="Alert units that can escort crewed incursions: how "
                                         "(none: it cannot).")
    notes: str = Field("", description="What a 'unit' and a 'shot' mean for this system.")

    @model_validator(mode="after")
    def _check(self) -> Effector:
        if not self.p_kill_per_shot:
            msg = "p_kill_per_shot is empty: list at least one threat this effector can engage"
            raise ValueError(msg)
        for threat, fig in self.p_kill_per_shot.items():
            _probability(fig, f"p_kill_per_shot.{threat}")
        for name in ("range_m", "max_altitude_m", "shots_per_engagement", "magazine_shots_per_raid"):
            _positive(getattr(self, name), name)
        for name in ("cost_per_shot_eur", "reaction_time_s", "unit_cost_eur", "operating_cost_eur_per_year",
                     "crew"):
            _positive(getattr(self, name), name, allow_zero=True)
        return self


class ConventionalOption(_Strict):
    """A conventional capability the same money could buy instead."""

    name: str = Field(description="Display name.")
    unit_cost_eur: Figure = Field(description="Acquisition cost per unit (vehicle, battery), EUR.")
    operating_cost_eur_per_year: Figure = Field(description="Operation and support per unit per year, EUR.")
    capability_score: Figure = Field(description="Combat value per unit, in Leopard-2A8 equivalents.")
    capability_areas: dict[CatalogId, float] = Field(
        default_factory=lambda: {"all": 1.0}, description="How the capability score splits among capability "
        "areas (armour, mech_infantry, fires, gbad, …): shares summing to 1. A scenario values each area against "
        "its requirement (objective.capability_areas).")
    rationale: str = Field(min_length=10, description="How the capability score was reasoned.")

    @model_validator(mode="after")
    def _check(self) -> ConventionalOption:
        _positive(self.unit_cost_eur, "unit_cost_eur")
        _positive(self.operating_cost_eur_per_year, "operating_cost_eur_per_year", allow_zero=True)
        _positive(self.capability_score, "capability_score")
        shares = self.capability_areas
        if not shares or any(not 0 < v <= 1 for v in shares.values()) or abs(sum(shares.values()) - 1) > 1e-6:
            msg = (f"capability_areas {shares} must be shares between 0 and 1 summing to 1, e.g. {{armour: 1.0}} "
                   "or {fires: 0.7, armour: 0.3}")
            raise ValueError(msg)
        return self


class ThreatCatalog(_Strict):
    threats: dict[CatalogId, Threat] = Field(min_length=1, description="Threat classes by id.")


class SensorCatalog(_Strict):
    sensors: dict[CatalogId, Sensor] = Field(min_length=1, description="Sensor types by id.")


class EffectorCatalog(_Strict):
    effectors: dict[CatalogId, Effector] = Field(min_length=1, description="Effector types by id.")


class ConventionalCatalog(_Strict):
    conventional: dict[CatalogId, ConventionalOption] = Field(
        min_length=1, description="Conventional options by id."
    )


CATALOG_MODELS: dict[str, type[BaseModel]] = {
    "sources": SourceCatalog,
    "threats": ThreatCatalog,
    "sensors": SensorCatalog,
    "effectors": EffectorCatalog,
    "conventional": ConventionalCatalog,
}


class Catalog(_Strict):
    """All catalogs of a scenario, cross-checked."""

    sources: dict[str, Source]
    threats: dict[str, Threat]
    sensors: dict[str, Sensor]
    effectors: dict[str, Effector]
    conventional: dict[str, ConventionalOption]

    def figures(self) -> list[tuple[str, Figure]]:
        """Every figure in the catalogs, with its dotted path (``sensors.radar_s.unit_cost_eur``)."""
        out: list[tuple[str, Figure]] = []

        def walk(path: str, obj: Any) -> None:
            if isinstance(obj, Figure):
                out.append((path, obj))
            elif isinstance(obj, BaseModel):
                for name in type(obj).model_fields:
                    walk(f"{path}.{name}", getattr(obj, name))
            elif isinstance(obj, dict):
                for key, val in obj.items():
                    walk(f"{path}.{key}", val)

        for kind in ("threats", "sensors", "effectors", "conventional"):
            for key, entry in getattr(self, kind).items():
                walk(f"{kind}.{key}", entry)
        return out

    def cross_check(self) -> list[tuple[str, str, str]]:
        """Problems between catalogs, as ``(kind, path, message)``: unknown source or threat ids."""
        problems: list[tuple[str, str, str]] = []
        for path, fig in self.figures():
            kind = path.split(".", 1)[0]
            for sid in fig.source:
                if sid not in self.sources:
                    problems.append((kind, path.split(".", 1)[1] + ".source",
                                     f"unknown source id '{sid}': add it to the sources catalog or fix the id"))
        known = sorted(self.threats)
        for sid, sensor in self.sensors.items():
            for tid in sensor.detection_range_m_by_threat:
                if tid not in self.threats:
                    problems.append(("sensors", f"{sid}.detection_range_m_by_threat.{tid}",
                                     f"unknown threat '{tid}'; known threats: {', '.join(known)}"))
        for eid, eff in self.effectors.items():
            for tid in eff.p_kill_per_shot:
                if tid not in self.threats:
                    problems.append(("effectors", f"{eid}.p_kill_per_shot.{tid}",
                                     f"unknown threat '{tid}'; known threats: {', '.join(known)}"))
        return problems
