"""How the kill chain treats a drone that survives an engagement, and where it may be engaged again: layers along
its track and point defence at the protected assets (issue #14, layered defence)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planner.config.base import BufferMetres, Metres, Probability, _Section


class KillChainConfig(_Section):
    """Engagement layers: whether a drone that survives one effector's engagement meets the next, and whether the
    protected assets have candidate sites of their own (point defence, the innermost layers)."""

    layered: bool = Field(
        False, description="false: each detected drone is engaged at most once (one layer). true: the effector types "
        "that reach a class form layers along its track, the one reaching farthest first (types with equal reach "
        "share a layer); a drone that survives a layer's engagement may be engaged by each later layer once "
        "(docs/formulation.md, constraint 3).")
    point_defence: bool = Field(
        False, description="true: each protected asset (theater.asset_max_distance_m) gets a candidate site of its "
        "own, on the side facing its nearest border just outside its no-fire zone; units there engage the drones "
        "that survive the border's layers and whose route passes the site (docs/formulation.md, 'Point defence'); "
        "needs layered: true. "
        "false: candidate sites stand only in the rows along the border (theater.site_depths_m).")
    depth_rows_m: list[Metres] = Field(
        [], description="Distances inland of the border at which rows of candidate sites stand on the drones' "
        "routes (mobile fire groups in depth), spaced theater.site_spacing_m; units there engage, like point "
        "defence, the drones whose route passes within point_defence_reach_m of the site: with routes: uniform a "
        "drone meets one inland site at most (the nearest on its route: a second row adds coverage, not a second "
        "encounter), with routes: to_assets every site on its route, in turn. "
        "Needs point_defence: true. []: sites at the assets only.")
    routes: Literal["uniform", "to_assets"] = Field(
        "uniform", description="Where a drone flies after it crosses: which sites inland it passes (point_defence, "
        "depth_rows_m), what a leaker strikes and whether it threatens an asset. uniform: any heading over the "
        "half-plane inland, as far as its route reach. to_assets: straight to a protected asset of the nation it "
        "entered within that reach (any kind, any distance: geodata's assets), chosen in proportion to its value (a city's population; an airport's "
        "theater.airport_value_residents), meeting every inland site on its way in turn; a cell with no asset in "
        "reach keeps the uniform headings. The value model (objective.consequence: a leaker strikes its target) and "
        "roe.engage_only_threatening (every such drone threatens) read the same routes.")
    point_defence_reach_m: Metres = Field(
        1_000, description="Half-width of the corridor a point-defence site holds across the routes that pass it, m: "
        "an effector type there engages the drones on it if it reaches that far off its track after its reaction "
        "time (a type reaching less is not paired; one reaching farther is credited with the corridor only).")
    point_defence_standoff_m: BufferMetres = Field(
        1_000, description="How far outside its asset's no-fire zone (roe.no_fire_buffers) a point-defence site "
        "stands, m (at the asset itself where the asset has no zone).")
    point_defence_min_share: Probability = Field(
        0.01, description="A point-defence site is paired with a border cell only if the routes passing within its "
        "reach are at least this share of the cell's drones; with routes: to_assets, each route of a smaller share "
        "is left out (smaller shares are left out: fewer pairs, a promise a little lower; 0 keeps every pair).")

    @model_validator(mode="after")
    def _check(self) -> KillChainConfig:
        if self.depth_rows_m and not self.point_defence:
            msg = ("depth_rows_m is set but point_defence is false: rows in depth are engaged as point defence is, "
                   "so set point_defence: true (and layered: true) as well")
            raise ValueError(msg)
        if len(set(self.depth_rows_m)) != len(self.depth_rows_m):
            msg = f"depth_rows_m has repeated values {self.depth_rows_m}: list each depth once"
            raise ValueError(msg)
        if self.point_defence and not self.layered:
            msg = ("point_defence is true but layered is false: point defence is a layer after the border's, so "
                   "set layered: true as well")
            raise ValueError(msg)
        return self
