"""robust.json (``dronewall robust``): one plan against the nominal catalogs and a set of catalog draws, both it and
the nominal plan evaluated exactly in the nominal world, the planning draws and fresh held-out draws, and the price
and gain of robustness (planner.analysis.robust)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from planner.report.schemas.base import AnalysisDocument, Columns, Fixed, absent_or, column

__all__ = ["Document", "PlanFigures", "Plans", "RobustInfo", "RobustSolver", "WorldRow"]


class WorldRow(Columns):
    """One plan in one world, evaluated exactly. In the nominal world with the plan's own exact engagements; in a
    draw each nation within its builds' cost at the draw's prices plus the munitions money the plan sets aside in
    the nominal world (LP)."""

    COLUMNS = (column(r"^defeat_[a-z][a-z0-9_]*$", float | None,
                      "Share 0–1 of the threat class <id>'s drones defeated in this world (exact); 0 when the "
                      "class has no drones (the null is defeat_rate_value's, which the pattern also matches)."),)

    plan: Literal["nominal", "robust"] = Field(description="The plan: nominal (the ordinary optimum at the nominal "
                                               "catalogs) or robust.")
    world: str = Field(description="The world: nominal, draw <k> (a planning draw, from 0) or held-out <k> (a fresh "
                       "draw, from 0).")
    set: Literal["nominal", "planning", "held-out"] = Field(
        description="The world's set: the nominal catalogs, the draws the robust plan was planned against, or the "
        "fresh draws it never saw.")
    defeat_rate_value: float | None = Field(description="Share 0–1 of value defeated (exact); value weights stay "
                                            "nominal in the planning draws, are drawn in the held-out ones; null "
                                            "when the drones carry no value.")
    drone_defence_eur: float = Field(
        description="The plan's sensors and effectors bought and operated at the world's prices, plus munitions: in "
        "the nominal world those of its exact engagements, in a draw the money the plan sets aside for them in the "
        "nominal world (LP), € over the horizon.")
    total_eur: float = Field(description="drone_defence_eur + the plan's conventional units at the world's prices, "
                             "€ over the horizon.")


class PlanFigures(Fixed):
    """One plan's figures across the worlds: each rate a share 0–1 of value defeated (exact), null when a world's
    drones carry no value."""

    nominal_rate: float | None = Field(description="In the nominal world; null when the drones carry no value.")
    planning_worst: float | None = Field(description="The worst of the nominal world and the planning draws.")
    planning_mean: float | None = Field(description="The mean over the nominal world and the planning draws.")
    held_out_worst: float | None = Field(description="The worst held-out draw.")
    held_out_p05: float | None = Field(description="5th percentile over the held-out draws.")
    held_out_mean: float | None = Field(description="Mean over the held-out draws.")
    held_out_p95: float | None = Field(description="95th percentile over the held-out draws.")
    drone_defence_eur: float = Field(description="The plan's drone defence (plan.json's spend_eur.drone_defence: "
                                     "builds and LP munitions), € over the horizon.")
    conventional_capability: float = Field(description="Capability points the plan buys (Leopard-2A8 "
                                           "equivalents).")
    conventional_units: dict[str, int] = Field(description="Units bought by conventional option id (options with "
                                               "none left out).")
    gap: float | None = Field(description="The plan's solve's proven relative gap, share 0–1; null: no bound.")
    resolution_pp: float | None = Field(
        description="100 × gap × |objective| over the value at stake over the horizon: what the gap is worth in "
        "percentage points of value-weighted defeat (0 without a gap; null when no drone carries value).")


class Plans(Fixed):
    """The two plans' figures (each plan's document: plans/<name>/plan.json)."""

    nominal: PlanFigures = Field(description="The nominal plan: the ordinary optimum at the nominal catalogs.")
    robust: PlanFigures = Field(description="The robust plan: one set of builds against the nominal world and the "
                                "planning draws.")


class RobustInfo(Fixed):
    """How the worlds were combined."""

    mode: Literal["worst", "expected"] = Field(description="worst: the worst world's value; expected: the mean.")
    worlds: int = Field(description="Worlds planned against: the nominal one and the planning draws.")


class RobustSolver(Fixed):
    """How the robust plan was solved (plan.json's solver section, in part)."""

    strategy: Literal["sectors", "full"] = Field(description="sectors: nation by nation with a price on money; full: "
                                                 "one model of the whole problem.")
    sectors: list[str] | None = absent_or("The sectors solved one by one; sectors strategy only.")
    bound: float = Field(description="The proven bound on the robust objective (value).")
    robust: RobustInfo = Field(description="The robust mode and the number of worlds planned against.")
    gap: float = Field(description="The robust solve's proven relative gap, share 0–1.")


class Document(AnalysisDocument):
    """robust.json."""

    model_config = ConfigDict(title="dronewall robust")

    mode: Literal["worst", "expected"] = Field(description="--mode: worst (maximise the worst world's value-weighted "
                                               "defeats) or expected (their mean).")
    draws: int = Field(description="--draws: catalog draws the robust plan is planned against, besides the nominal "
                       "catalogs.")
    holdout: int = Field(description="--holdout: fresh draws both plans are tested in.")
    seed: int = Field(description="The random seed: --seed, else solver.seed.")
    worlds_planned: int = Field(description="1 + draws: the worlds the robust plan is planned against.")
    rule: Literal["triangular draws on (low, value, high) of every ranged catalog figure; the robust plan's budget "
                  "holds in every planning world at that world's prices"] = Field(
        description="How the draws are made and what the robust plan must meet, in words.")
    plans: Plans = Field(description="Each plan's figures across the worlds.")
    price_of_robustness_pp: float | None = Field(
        description="100 × (nominal − robust plan's nominal_rate): percentage points of value-weighted defeat the "
        "robust plan gives up at the nominal catalogs; null when a rate is null.")
    gain_held_out_worst_pp: float | None = Field(description="100 × (robust − nominal plan's held_out_worst), "
                                                 "percentage points; null as above.")
    gain_held_out_p05_pp: float | None = Field(description="100 × (robust − nominal plan's held_out_p05), "
                                               "percentage points; null as above.")
    gain_held_out_mean_pp: float | None = Field(description="100 × (robust − nominal plan's held_out_mean), "
                                                "percentage points; null as above.")
    resolution_pp: float | None = Field(
        description="The two plans' resolution_pp together: differences between the plans smaller than this are "
        "within the solvers' tolerance, percentage points; null when no drone carries value.")
    drone_defence_shift_eur: float = Field(description="Robust minus nominal plan's drone_defence_eur, € over the "
                                           "horizon.")
    conventional_capability_shift: float = Field(description="Robust minus nominal plan's conventional_capability, "
                                                 "points.")
    robust_solver: RobustSolver = Field(description="How the robust plan was solved.")
    seconds: float = Field(description="Seconds the analysis took.")
    robust_solve_s: float = Field(description="Seconds solving the robust plan.")
    worlds: list[WorldRow] = Field(description="One row per (world, plan): the nominal world, then each planning "
                                   "draw, then each held-out draw, the nominal plan first.")
