"""The scenario configuration: one pydantic model per section, composed by :class:`ScenarioConfig`.

Paths in a scenario are relative to the scenario file. Checks that need the catalogs or the
geodata (unknown threat ids, unknown border ids) run in :func:`planner.config.io.load_scenario`,
still before any geometry is built or any model solved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from planner.config.adversary import AdversaryConfig
from planner.config.base import (  # noqa: F401 - the field types and bounds, re-exported for the schema and tests
    MAX_DRONES,
    MAX_DRONES_PER_RAID_PER_100KM,
    MAX_EUR,
    MAX_LENGTH_M,
    MAX_RAIDS_PER_YEAR,
    MAX_RESIDENTS,
    MAX_WEIGHT,
    BorderId,
    BufferMetres,
    Euros,
    Iso2,
    Metres,
    Population,
    Probability,
    Residents,
    RoE,
    SiteMetres,
    Units,
    Weight,
    _Section,
)
from planner.config.capability import CapabilityArea
from planner.config.catalog import AtMost, CatalogId
from planner.config.catalog_overrides import CatalogOverride
from planner.config.consequence import ConsequenceConfig
from planner.config.escort import EscortConfig
from planner.config.funding import FundingConfig
from planner.config.incident import IncidentConfig  # noqa: F401 - part of the scenario model
from planner.config.kill_chain import KillChainConfig
from planner.config.pathway import PathwayConfig
from planner.config.regimes import WEIGHT_TOLERANCE, WEIGHTED, ThreatRegime
from planner.config.roe import NoFireBuffers, RoeConfig  # noqa: F401 - part of the scenario model
from planner.config.systems import InService, MaxUnits, MinDetection


class CatalogPaths(_Section):
    """Where the catalogs are, relative to the scenario file."""

    sources: Path = Field(Path("catalogs/sources.yaml"), description="Sources catalog (YAML).")
    threats: Path = Field(Path("catalogs/threats.yaml"), description="Threat catalog (YAML).")
    sensors: Path = Field(Path("catalogs/sensors.yaml"), description="Sensor catalog (YAML).")
    effectors: Path = Field(Path("catalogs/effectors.yaml"), description="Effector catalog (YAML).")
    conventional: Path = Field(Path("catalogs/conventional.yaml"), description="Conventional options (YAML).")
    overrides: list[CatalogOverride] = Field(
        default_factory=list, description="Catalog figures this scenario reads differently (a 2024 flight profile, "
        "a what-if), each with its reason: the catalogs stay shared.")


class GeodataConfig(_Section):
    """Border, territory and asset data, shipped or the user's own (GeoPackage, GeoJSON, Shapefile)."""

    countries: Path = Field(
        description="Polygons of the defender (and optionally neighbour) countries; any CRS, which must be set "
        "and match the coordinates (degrees in a projected CRS, or data outside its area of use, are refused)."
    )
    countries_layer: str | None = Field(None, description="Layer name inside a multi-layer file.")
    country_field: str = Field("iso_a2", min_length=1, description="Column that holds the country code.")
    borders: Path | None = Field(
        None,
        description="Border lines (LineString/MultiLineString). If absent, each border is derived as the "
        "shared boundary of a defender polygon and a neighbour polygon in 'countries'. Each must run within "
        "25 km of its defender's (and neighbour's) polygon and be at least 1 km long; all together at most "
        "20,000 km.",
    )
    borders_layer: str | None = Field(None, description="Layer name of the borders inside a multi-layer file.")
    defender_field: str = Field("defender", min_length=1, description="Border column: the defender's code.")
    neighbour_field: str = Field("neighbour", min_length=1, description="Border column: the neighbour's code.")
    assets: Path | None = Field(None, description="Protected assets (points with kind, name, population).")
    assets_layer: str | None = Field(None, description="Layer name of the assets inside a multi-layer file.")
    settlements: Path | None = Field(None, description="Populated places (points with population) whose built-up "
                                     "area is a no-fire zone where roe.hold_fire_over_built_up applies.")
    settlements_layer: str | None = Field(None, description="Layer name of the settlements inside a multi-layer file.")
    defenders: list[Iso2] = Field(min_length=1, description="Codes of the defending nations to plan for.")
    neighbours: list[Iso2] = Field(min_length=1, description="Codes of the neighbours threats come from.")
    crs: str | None = Field(
        None,
        description="Metric CRS for all distances (e.g. 'EPSG:3035'). Default: EPSG:3035 inside Europe, "
        "else a UTM zone or a local projection chosen from the data's extent (across the antimeridian too) that "
        "keeps every border's length within 1% of geodesic; data too far apart for one are refused (set a CRS or "
        "split the scenario). Must be projected, in metres, and meant for where the data lie.",
    )

    @model_validator(mode="after")
    def _check(self) -> GeodataConfig:
        dup = sorted({c for c in self.defenders if self.defenders.count(c) > 1})
        if dup:
            msg = f"defenders lists {', '.join(dup)} more than once: list each nation once"
            raise ValueError(msg)
        both = sorted(set(self.defenders) & set(self.neighbours))
        if both:
            msg = f"{', '.join(both)} cannot be both defender and neighbour: remove it from one list"
            raise ValueError(msg)
        return self


class TheaterConfig(_Section):
    """How the border is cut into cells and where candidate sites go."""

    cell_length_m: SiteMetres = Field(5_000, ge=100, description="Length of a border cell along the border, m.")
    site_spacing_m: SiteMetres = Field(
        10_000, ge=100, description="Spacing of candidate sites along the border, metres."
    )
    site_depths_m: list[Metres] = Field(
        [3_000, 15_000],
        min_length=1,
        description="Distances inland from the border at which rows of candidate sites are placed, metres.",
    )
    asset_max_distance_m: Metres = Field(
        150_000, description="Protected assets farther than this from the border are left out, metres."
    )
    cross_border_coverage: bool = Field(
        False,
        description="false (default): a nation's sensors and effectors detect and engage over its own border "
        "cells only, so each nation is a sector of its own and the solver can decompose the flank by nation; "
        "true: they also cover an allied neighbour's cells within range (integrated air defence: the flank is then "
        "one problem, priced as a whole and cut into segments along the border; about twice the solve time).",
    )
    airport_value_residents: Residents = Field(
        200_000,
        description="Value weight of an airport, as the population of a city of equal value (a city's "
        "value is its population). An assumption of the scenario: change it to weigh airports differently.",
    )

    @model_validator(mode="after")
    def _check(self) -> TheaterConfig:
        if len(set(self.site_depths_m)) != len(self.site_depths_m):
            msg = f"site_depths_m has repeated values {self.site_depths_m}: list each depth once"
            raise ValueError(msg)
        return self


class BudgetConfig(_Section):
    """Money and time."""

    total_eur: Euros = Field(description="Total budget over the horizon (acquisition + operation + munitions), EUR.")
    horizon_years: Annotated[PositiveInt, AtMost(50, "years")] = Field(10, description="Planning horizon, years.")
    per_nation_eur: dict[Iso2, Euros] = Field(
        default_factory=dict, description="Optional cap on what each defender may spend, EUR."
    )

    @model_validator(mode="after")
    def _check(self) -> BudgetConfig:
        for nation, cap in self.per_nation_eur.items():
            if cap > self.total_eur:
                msg = (f"per_nation_eur.{nation} = {cap:,.0f} exceeds total_eur = {self.total_eur:,.0f}: "
                       "lower the cap or raise the total")
                raise ValueError(msg)
        return self


class ThreatDensity(_Section):
    """Expected raid composition on some borders for one threat class."""

    threat: CatalogId = Field(description="Threat id from the threat catalog.")
    borders: list[BorderId] | Literal["all"] = Field(
        "all", description="Border ids ('PL-BY', defender first) this applies to, or 'all'."
    )
    drones_per_raid_per_100km: Annotated[
        NonNegativeFloat, AtMost(MAX_DRONES_PER_RAID_PER_100KM, "drones per raid per 100 km", "at least 0")
    ] = Field(
        description="Drones of this class per raid per 100 km of border."
    )


class ThreatsConfig(_Section):
    """The threat environment."""

    raids_per_year: Annotated[PositiveFloat, AtMost(MAX_RAIDS_PER_YEAR, "raids a year")] = Field(
        12, description="Raids per year on each border (expected).")
    density: list[ThreatDensity] = Field(min_length=1, description="Raid composition per threat class and border.")
    raid_surge_factor: Annotated[PositiveFloat, AtMost(100, "times the expected raid", "at least 1")] = Field(
        1.0, ge=1.0, description="Magazines must hold against a raid this many times the expected size."
    )
    decoy_discrimination: Probability = Field(
        0.0, description="Probability that a detected decoy is recognised as one and not engaged (0: decoys "
        "draw shots in proportion to their share of the raid)."
    )
    regimes: dict[CatalogId, ThreatRegime] = Field(
        default_factory=dict, description="Threat regimes (peacetime, grey zone, war, ...) with their weights, for "
        "`dronewall regimes`: each scales the raids above (none: the scenario's raids are the only regime).")

    @model_validator(mode="after")
    def _check(self) -> ThreatsConfig:
        if WEIGHTED in self.regimes:
            raise ValueError(f"regimes: '{WEIGHTED}' names the plan across all regimes: call this regime otherwise")
        if self.regimes:
            total = sum(r.weight for r in self.regimes.values())
            if abs(total - 1.0) > WEIGHT_TOLERANCE:
                msg = (f"regimes: the weights sum to {total:g}, not 1: give each regime its share "
                       f"(e.g. {', '.join(f'{k}: {1 / len(self.regimes):.2g}' for k in self.regimes)})")
                raise ValueError(msg)
        seen: set[tuple[str, str]] = set()
        for i, entry in enumerate(self.density):
            borders = ["all"] if entry.borders == "all" else entry.borders
            for b in borders:
                key = (entry.threat, b)
                if key in seen:
                    msg = (f"density[{i}] repeats threat '{entry.threat}' on border '{b}': "
                           "give each (threat, border) pair once")
                    raise ValueError(msg)
                seen.add(key)
        return self


class ObjectiveConfig(_Section):
    """What the optimizer maximises or minimises."""

    kind: Literal["max_defeat", "max_defeat_with_floor", "min_cost"] = Field(
        "max_defeat",
        description="max_defeat: value-weighted drones defeated + exchange weight x conventional capability; "
        "max_defeat_with_floor: drones defeated subject to conventional_floor; min_cost: cheapest plan that "
        "meets defeat_targets.",
    )
    conventional_weight: Weight = Field(
        0.0, description="max_defeat only: objective value of one capability point (Leopard-2A8 equivalent), "
        "in expected drones defeated."
    )
    conventional_floor: Annotated[
        NonNegativeFloat, AtMost(MAX_WEIGHT, "Leopard-2A8 equivalents", "at least 0")
    ] = Field(
        0.0, description="max_defeat_with_floor: conventional capability score that must be kept."
    )
    decoy_weight: NonNegativeFloat = Field(
        0.25, le=1.0, description="Value of defeating a decoy relative to an armed drone (assumption: a decoy "
        "that leaks costs alarm and attention, not damage)."
    )
    asset_weight: Weight = Field(
        0.0, description="Extra value per unit of protected-asset value near a cell (value = population/100,000; "
        "0 counts every drone alike)."
    )
    consequence: ConsequenceConfig | None = Field(
        None, description="Value a defeated drone at what it would have damaged had it leaked (strikes on cities on "
        "its route, airport closures, the interior response it draws), in units of the scenario's mean armed drone; "
        "replaces decoy_weight and asset_weight. None: every armed drone counts 1, a decoy decoy_weight.")
    defeat_targets: dict[CatalogId, Probability] = Field(
        default_factory=dict, description="min_cost: required expected defeat rate per threat class."
    )
    capability_areas: dict[CatalogId, CapabilityArea] = Field(
        default_factory=dict, description="Conventional capability areas valued against a requirement (concave: "
        "full value up to it, less beyond): armour, fires, … as the catalog's options name them. Areas not "
        "listed are valued linearly at conventional_weight per Leopard-2A8 equivalent (none listed: today's "
        "linear score).")

    @model_validator(mode="after")
    def _check(self) -> ObjectiveConfig:
        if self.kind == "min_cost" and not self.defeat_targets:
            msg = "kind 'min_cost' needs defeat_targets, e.g. {shahed_136: 0.9}"
            raise ValueError(msg)
        if self.kind != "min_cost" and self.defeat_targets:
            msg = f"defeat_targets are used only with kind 'min_cost', not '{self.kind}': remove them or change kind"
            raise ValueError(msg)
        if self.consequence is not None:
            both = [f for f in ("decoy_weight", "asset_weight")
                    if getattr(self, f) != type(self).model_fields[f].default]
            if both:
                msg = (f"{' and '.join(both)} and consequence both value a drone: with consequence a decoy is worth "
                       "the closures and response it causes and the assets on a route set the rest; remove "
                       f"{' and '.join(both)}")
                raise ValueError(msg)
        if self.kind == "max_defeat_with_floor" and self.conventional_floor <= 0:
            msg = "kind 'max_defeat_with_floor' needs conventional_floor > 0"
            raise ValueError(msg)
        return self


class SystemsConfig(_Section):
    """Which catalog entries the plan may use (default: all)."""

    sensors: list[CatalogId] | None = Field(None, description="Sensor ids allowed; null = all in the catalog.")
    effectors: list[CatalogId] | None = Field(None, description="Effector ids allowed; null = all.")
    conventional: list[CatalogId] | None = Field(None, description="Conventional option ids allowed; null = all.")
    conventional_min_units: dict[CatalogId, Units] = Field(
        default_factory=dict, description="Minimum units of a conventional option to keep."
    )
    in_service: list[InService] = Field(
        default_factory=list,
        description="Units already in service: each is placed at the nearest candidate site (within "
        "in_service_snap_m) and costs only its operation.",
    )
    in_service_snap_m: Metres = Field(
        25_000, description="Largest distance from an in-service unit to the candidate site it is placed at, m."
    )
    max_units: list[MaxUnits] = Field(
        default_factory=list, description="Most units of a sensor or effector type per nation (a posture's holdings, "
        "industry's output, the crews there are); none: as many as the money buys.")
    min_detection: list[MinDetection] = Field(
        default_factory=list, description="Surveillance requirements: per nation and threat class, the least "
        "share of drones detected. A nation that may not shoot still watches its border where one is set.")

    @model_validator(mode="after")
    def _check(self) -> SystemsConfig:
        for name in ("sensors", "effectors", "conventional"):
            ids = getattr(self, name)
            if ids is not None:
                dup = sorted({i for i in ids if ids.count(i) > 1})
                if dup:
                    msg = f"{name} lists {', '.join(dup)} more than once: list each id once"
                    raise ValueError(msg)
        return self


class SolverConfig(_Section):
    """Solver choice and limits."""

    backend: Literal["highs", "cbc"] = Field("highs", description="HiGHS via highspy (default) or CBC.")
    strategy: Literal["sectors", "lp_screen", "full"] = Field(
        "sectors",
        description="sectors: decompose by nation with a price on money and solve the national MILPs in parallel "
        "(used where it applies: objectives max_defeat and max_defeat_with_floor, no cross-border coverage; "
        "otherwise lp_screen); lp_screen: solve the LP relaxation, then the MILP over the builds it uses (gap "
        "proven against the relaxation); full: the MILP over every candidate build.",
    )
    time_limit_s: Annotated[PositiveFloat, AtMost(1e6, "s")] = Field(
        120, description="Wall-clock limit of a plan's whole solve, seconds: `dronewall run` finds the plan "
        "(national MILPs, pricing rounds) in 70% of it and evaluates it exactly in the rest; analyses "
        "apply it to each plan they solve.")
    mip_rel_gap: float = Field(0.01, ge=0, lt=1, description="Relative optimality gap at which to stop.")
    threads: PositiveInt = Field(2, le=256, description="Solver threads; with strategy sectors, the number of "
                                 "worker processes solving nations side by side (each HiGHS on one thread).")
    seed: Annotated[NonNegativeInt, AtMost(2**31 - 1, "", "at least 0")] = Field(
        0, description="Random seed for the solver and any sampling.")
    memory_limit_gb: Annotated[PositiveFloat, AtMost(1e6, "GB")] | None = Field(
        None, description="Largest estimated peak memory of a solve (this process and its worker processes), GB "
        "(2^30 bytes). Before anything large is built the problem's size is estimated: above this limit the "
        "scenario is refused, above half of it a warning is logged. null (default): half of this machine's "
        "physical memory (or of its container's limit).")


class ScenarioConfig(_Section):
    """A complete dronewall scenario."""

    name: str = Field(min_length=1, max_length=80, description="Scenario name (titles, output names).")
    description: str = Field("", description="What the scenario represents.")
    catalogs: CatalogPaths = Field(default_factory=CatalogPaths, description="Catalog files.")
    geodata: GeodataConfig = Field(description="Borders, territory, assets.")
    theater: TheaterConfig = Field(default_factory=TheaterConfig, description="Cells and candidate sites.")
    budget: BudgetConfig = Field(description="Budget and horizon.")
    threats: ThreatsConfig = Field(description="Threat environment.")
    roe: RoeConfig = Field(default_factory=RoeConfig, description="Rules of engagement and no-fire zones.")
    objective: ObjectiveConfig = Field(default_factory=ObjectiveConfig, description="Objective.")
    systems: SystemsConfig = Field(default_factory=SystemsConfig, description="Allowed systems.")
    solver: SolverConfig = Field(default_factory=SolverConfig, description="Solver options.")
    kill_chain: KillChainConfig = Field(default_factory=KillChainConfig, description="Engagement layers.")
    escort: EscortConfig = Field(default_factory=EscortConfig, description="Crewed incursions: escort or monitor.")
    funding: FundingConfig | None = Field(None, description="Who pays, and the fair-share key (none: no report).")
    pathway: PathwayConfig | None = Field(None, description="The plan built up year by year (`dronewall pathway`).")
    incident: IncidentConfig | None = Field(None, description="A real incident this scenario replays "
                                                              "(`dronewall incident`); none for planning scenarios.")
    adversary: AdversaryConfig | None = Field(None, description="What an adversary who has seen the plan may "
                                              "change about a raid (`dronewall stress`, `dronewall adversary`); none: the defaults.")

    @model_validator(mode="after")
    def _check(self) -> ScenarioConfig:
        defenders = set(self.geodata.defenders)
        for where, codes in (("budget.per_nation_eur", self.budget.per_nation_eur),
                             ("roe.per_nation", self.roe.per_nation),
                             ("roe.identification_delay_s_per_nation", self.roe.identification_delay_s_per_nation),
                             ("roe.hold_fire_over_built_up_per_nation",
                              self.roe.hold_fire_over_built_up_per_nation),
                             ("escort.response_per_nation", self.escort.response_per_nation)):
            unknown = sorted(set(codes) - defenders)
            if unknown:
                msg = (f"{where} names {', '.join(unknown)}, which is not among geodata.defenders "
                       f"({', '.join(self.geodata.defenders)})")
                raise ValueError(msg)
        committed = sum(self.pathway.budget_eur_per_year) if self.pathway else 0.0
        if committed > self.budget.total_eur * (1 + 1e-9):
            msg = (f"pathway.budget_eur_per_year sums to {committed:,.0f}, more than budget.total_eur = "
                   f"{self.budget.total_eur:,.0f}: lower the yearly money or raise the total")
            raise ValueError(msg)
        holding = [n for n in self.geodata.defenders if self.roe.holds_fire_over_built_up(n)]
        if holding and self.geodata.settlements is None:
            msg = (f"roe.hold_fire_over_built_up applies to {', '.join(holding)} but geodata.settlements is not set: "
                   "set it (e.g. ../geodata/eastern_flank.gpkg with settlements_layer: settlements) or turn the rule off")
            raise ValueError(msg)
        return self
