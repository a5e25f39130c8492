"""One nation's part of a scenario at the first price the sector strategy tries: what the benchmarks that study one
national model start from (issue #18: integrality.py, lp_relaxation.py, model_build.py, national_milp.py)."""

from __future__ import annotations

import argparse
import dataclasses

from planner.config.io import load_scenario
from planner.geo.theater import build_theater
from planner.lp import families
from planner.lp.choice import conventional_values
from planner.lp.sectors import initial_price
from planner.problem import PlanningProblem, build_problem


def shape_arguments(ap: argparse.ArgumentParser, *, cell_m: float | None = None, nation: bool = True) -> None:
    """The scenario, the nation (unless ``nation`` is False) and the shape's overrides (cell length, site spacing)."""
    ap.add_argument("config")
    if nation:
        ap.add_argument("nation")
    ap.add_argument("--cell-m", type=float, default=cell_m)
    ap.add_argument("--site-spacing-m", type=float, default=None)


def shaped_problem(a: argparse.Namespace, *, lift_memory_guard: bool = False) -> PlanningProblem:
    """The whole problem of the parsed :func:`shape_arguments` (``config``, ``cell_m``, ``site_spacing_m``)."""
    sc = load_scenario(a.config)
    theater = sc.config.theater.model_copy(update={k: v for k, v in (("cell_length_m", a.cell_m),
                                                                     ("site_spacing_m", a.site_spacing_m)) if v})
    update = {"theater": theater}
    if lift_memory_guard:
        update["solver"] = sc.config.solver.model_copy(update={"memory_limit_gb": 1e6})
    sc = dataclasses.replace(sc, config=sc.config.model_copy(update=update))
    return build_problem(sc, build_theater(sc))


def national_part(a: argparse.Namespace, *, lift_memory_guard: bool = False
                  ) -> tuple[PlanningProblem, PlanningProblem, float]:
    """The whole problem, the nation's part of it (planner.lp.families.parts) and the first price on money (objective
    units per euro) sectors tries, for the parsed :func:`shape_arguments`. ``lift_memory_guard`` builds shapes the size
    guard would refuse (their size is what is measured)."""
    p = shaped_problem(a, lift_memory_guard=lift_memory_guard)
    mu_conv = conventional_values(p, p.objective)[2]
    mu = mu_conv if mu_conv > 0 else initial_price(p)
    sub = next((part for label, part, _, _ in families.parts(p) if label == a.nation), None)
    if sub is None:
        raise SystemExit(f"no nation {a.nation!r} in {a.config}: one of {', '.join(p.nations)}")
    return p, sub, mu
