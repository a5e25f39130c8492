"""Monte Carlo over the catalogs' low/high ranges: how sure is a plan of what it buys? (docs/analyses.md)

Each draw replaces every catalog figure that has a range by a triangular draw on (low, value, high)
(the nominal value as the mode; a figure without a range keeps its value), rebuilds the planning
problem (ranges, probabilities, costs all move) and evaluates the plan's fixed builds exactly,
each nation within its planned munitions money plus what its builds cost in that draw. Seeded: the
same seed gives the same draws.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from planner.analysis.sensitivity import first_order_indices
from planner.analysis.stress import LoadedPlan, failure_target
from planner.config.catalog import Catalog, Figure
from planner.errors import ConfigError
from planner.geo.coverage import Coverage
from planner.geo.theater import Theater
from planner.lp import sectors
from planner.lp.result import FixedPlan
from planner.lp.runner import Runner, worker_count
from planner.lp.solve import solve
from planner.problem import build_problem

#: How the draws are made: independent triangular draws (``random``), or a Latin hypercube over the ranged figures
#: mapped through each figure's triangular distribution (``lhs``: every figure's range is covered evenly, in
#: strata, with fewer draws).
SAMPLING = ("random", "lhs")


@dataclass
class UncertaintyResult:
    draws: pd.DataFrame  # one row per draw: value-weighted defeat rate, per class, cost
    summary: dict[str, Any] = field(default_factory=dict)
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per draw: every ranged figure as drawn
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)  # lhs: S1 per (output, input), sensitivity.py


def _triangular(u: float, lo: float, mode: float, hi: float) -> float:
    """The triangular distribution's quantile at ``u``."""
    cut = (mode - lo) / (hi - lo)
    if u < cut:
        return lo + float(np.sqrt(u * (hi - lo) * (mode - lo)))
    return hi - float(np.sqrt((1 - u) * (hi - lo) * (hi - mode)))


def _draw(fig: Figure, rng: np.random.Generator, u: Iterator[float] | None = None) -> Figure:
    """``fig`` with its value drawn on (low, value, high): from ``rng``, or at the next quantile of ``u``."""
    lo = fig.value if fig.low is None else fig.low
    hi = fig.value if fig.high is None else fig.high
    if hi <= lo:
        return fig
    value = float(rng.triangular(lo, fig.value, hi)) if u is None else _triangular(next(u), lo, fig.value, hi)
    return fig.model_copy(update={"value": value})


def ranged_figures(catalog: Catalog) -> dict[str, Figure]:
    """Every catalog figure with a spread (low < high), by its path (``effectors.gun_35mm.range_m``), in the
    order the draws consume them."""
    out: dict[str, Figure] = {}
    for kind in ("threats", "sensors", "effectors", "conventional"):
        for key, model in getattr(catalog, kind).items():
            for name in type(model).model_fields:
                v = getattr(model, name)
                figs = {name: v} if isinstance(v, Figure) else (
                    {f"{name}.{k}": x for k, x in v.items()} if isinstance(v, dict) and v
                    and all(isinstance(x, Figure) for x in v.values()) else {})
                for path, fig in figs.items():
                    lo = fig.value if fig.low is None else fig.low
                    hi = fig.value if fig.high is None else fig.high
                    if hi > lo:
                        out[f"{kind}.{key}.{path}"] = fig
    return out


def quantiles(catalog: Catalog, draws: int, rng: np.random.Generator, sampling: str) -> np.ndarray | None:
    """(draws, figures) quantiles for ``lhs`` (scipy.stats.qmc.LatinHypercube, seeded from ``rng``); None for
    ``random`` (each draw then takes its figures from ``rng`` in turn)."""
    if sampling == "random":
        return None
    from scipy.stats import qmc

    d = len(ranged_figures(catalog))
    return qmc.LatinHypercube(d=max(d, 1), seed=rng).random(draws)[:, :d]


def _sample(model: BaseModel, rng: np.random.Generator, u: Iterator[float] | None = None) -> BaseModel:
    update: dict[str, Any] = {}
    for name in type(model).model_fields:
        v = getattr(model, name)
        if isinstance(v, Figure):
            update[name] = _draw(v, rng, u)
        elif isinstance(v, dict) and v and all(isinstance(x, Figure) for x in v.values()):
            update[name] = {k: _draw(x, rng, u) for k, x in v.items()}
    return model.model_copy(update=update)


def sample_catalog(catalog: Catalog, rng: np.random.Generator, u: np.ndarray | None = None) -> Catalog:
    """A catalog with every ranged figure drawn (triangular on low, value, high), in the catalog's order: from
    ``rng``, or at the quantiles ``u`` (one per ranged figure, in :func:`ranged_figures`' order)."""
    it = None if u is None else iter(u.tolist())
    # The catalogs' own order is kept: the planning problem indexes systems in it.
    return catalog.model_copy(update={
        "threats": {k: _sample(v, rng, it) for k, v in catalog.threats.items()},
        "sensors": {k: _sample(v, rng, it) for k, v in catalog.sensors.items()},
        "effectors": {k: _sample(v, rng, it) for k, v in catalog.effectors.items()},
        "conventional": {k: _sample(v, rng, it) for k, v in catalog.conventional.items()},
    })


def uncertainty(loaded: LoadedPlan, *, draws: int = 100, seed: int | None = None,
                target: float | None = None, sampling: str = "random", scheduler: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> UncertaintyResult:
    """The distribution of the plan's exact defeat rate and cost over catalog draws, and the probability
    that it misses ``target`` (default: the scenario's lowest class target, else 80% of the nominal rate).
    ``sampling``: :data:`SAMPLING`. Every draw's inputs (each ranged figure as drawn) are kept. Each draw's
    national evaluations run through one :class:`~planner.lp.runner.Runner` (local processes, or the Dask cluster
    at ``scheduler``); ``progress(done, draws)`` after each draw."""
    if sampling not in SAMPLING:
        raise ConfigError([("--sampling", f"'{sampling}' is not a sampling: use one of {', '.join(SAMPLING)}")])
    if draws < 1:
        raise ConfigError([("--draws", f"{draws} is too few: draw at least once")])
    if target is not None and not 0 <= target <= 1:
        raise ConfigError([("--target", f"{target:g} is not a defeat rate: give a number between 0 and 1")])
    sc, p, fixed = loaded.scenario, loaded.problem, loaded.fixed
    seed = sc.config.solver.seed if seed is None else seed
    rng = np.random.default_rng(seed)
    nominal = solve(p, fixed=fixed)
    nominal_rate = _rate(p, nominal.engagements)
    if math.isnan(nominal_rate):
        raise ConfigError([("threats.density", "no drone of the scenario carries value (e.g. only decoys, with "
                                               "objective.decoy_weight 0): the value-weighted defeat rate this "
                                               "analysis draws is undefined; add armed drones or give decoys a weight")])
    target, target_from = failure_target(p, nominal_rate, target)
    spend = pd.DataFrame(loaded.document["spend"])
    munitions = spend[spend["category"] == "munitions"].groupby("nation")["munitions_eur"].sum().to_dict()
    u = quantiles(sc.catalog, draws, rng, sampling)
    with Runner(worker_count(p, len(p.nations)), scheduler) as runner:
        rows, inputs = _draws(sc, p, fixed, loaded.theater, loaded.coverage, munitions, rng, u, draws, runner,
                              progress)
    result = _summarise(sc, p, rows, draws, seed, nominal_rate, target, target_from)
    result.summary["sampling"] = sampling
    result.inputs = pd.DataFrame(inputs)
    if u is not None:  # a Latin hypercube: global sensitivity indices from the same draws
        result.sensitivity = first_order_indices(u, result.draws, list(ranged_figures(sc.catalog)), seed=seed)
        s = result.sensitivity
        top = s[s["stands_out"].astype(bool)] if len(s) else s
        result.summary["sensitivity"] = {str(out): [{"input": r.input, "S1": r.S1, "S1_conf": r.S1_conf}
                                                    for r in g.head(5).itertuples()]
                                         for out, g in top.groupby("output")} if len(top) else {}
    return result


def _draws(sc: Any, p: Any, fixed: FixedPlan, theater: Theater, coverage: Coverage, munitions: dict[str, float],
           rng: np.random.Generator, u: np.ndarray | None, draws: int, runner: Runner,
           progress: Callable[[int, int], None] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, inputs = [], []
    paths = list(ranged_figures(sc.catalog))
    for d in range(draws):
        catalog = sample_catalog(sc.catalog, rng, None if u is None else u[d])
        q = draw_problem(sc, p, theater, coverage, rng, catalog=catalog)
        rows.append({"draw": d, **evaluate_in_world(q, fixed, munitions, runner)})
        inputs.append({"draw": d, **{path: fig.value for path, fig in _values(catalog, paths).items()}})
        if progress:
            progress(d + 1, draws)
    return rows, inputs


def _values(drawn: Catalog, paths: list[str]) -> dict[str, Figure]:
    """The drawn catalog's figures at ``paths`` (the nominal catalog's ranged figures)."""
    out = {}
    for path in paths:
        kind, key, name, *sub = path.split(".")
        v = getattr(getattr(drawn, kind)[key], name)
        out[path] = v[sub[0]] if sub else v
    return out


def draw_problem(sc: Any, p: Any, theater: Theater, coverage: Coverage, rng: np.random.Generator, *,
                 catalog: Catalog | None = None) -> Any:
    """The planning problem of one catalog draw (``catalog``, or one drawn from ``rng``), indexed like ``p``, on
    the theater's coverage (no geometry is redone: a draw's ranges only filter the pairs already found, or widen
    the one query)."""
    catalog = catalog if catalog is not None else sample_catalog(sc.catalog, rng)
    q = build_problem(dataclasses.replace(sc, catalog=catalog), theater, coverage)
    if (q.sensor_ids, q.effector_ids, q.threat_ids, q.conv_ids) != (p.sensor_ids, p.effector_ids, p.threat_ids,
                                                                    p.conv_ids):
        raise RuntimeError("a catalog draw changed the order of systems; the plan's arrays would not line up")
    return q


def evaluate_in_world(q: Any, fixed: FixedPlan, munitions: dict[str, float],
                      runner: Runner | None) -> dict[str, Any]:
    """A plan's fixed builds evaluated exactly in world ``q``: each nation spends what its builds cost at
    ``q``'s prices plus its planned munitions money (``munitions``: euros by nation name)."""
    builds = q.build_cost_by_nation(fixed.sensors, fixed.effectors)
    by_nation = {n: float(builds[n]) + munitions.get(nation, 0.0) for n, nation in enumerate(q.nations)}
    f = dataclasses.replace(fixed, engagements=None, nation_spend_eur=by_nation,
                            cost_eur=sum(by_nation.values()) + float((fixed.conventional * q.conv_cost_eur).sum()))
    x = sectors.evaluate(q, f, runner) if sectors.applies(q) else solve(q, fixed=f)
    kills = np.einsum("nte,et->nt", x.engagements, q.p_kill)
    row = {"defeat_rate_value": _rate(q, x.engagements), "drone_defence_eur": sum(by_nation.values()),
           "total_eur": f.cost_eur}
    for t, tid in enumerate(q.threat_ids):
        row[f"defeat_{tid}"] = float(kills[:, t].sum() / max(q.demand[:, t].sum(), 1e-12))
    return row


def _summarise(sc: Any, p: Any, rows: list[dict[str, Any]], draws: int, seed: int, nominal_rate: float,
               target: float, target_from: str) -> UncertaintyResult:
    table = pd.DataFrame(rows)
    rate = table["defeat_rate_value"].to_numpy()
    summary = {"scenario": sc.name, "config_hash": sc.config_hash(), "draws": draws, "seed": seed,
               "nominal_rate": nominal_rate, "target": target,
               "target_from": target_from,
               "rate_mean": float(rate.mean()), "rate_p05": float(np.quantile(rate, 0.05)),
               "rate_p50": float(np.quantile(rate, 0.5)), "rate_p95": float(np.quantile(rate, 0.95)),
               "p_miss_target": float((rate < target).mean()),
               "drone_defence_eur_p05": float(table["drone_defence_eur"].quantile(0.05)),
               "drone_defence_eur_p95": float(table["drone_defence_eur"].quantile(0.95)),
               "rule": "triangular draws on (low, value, high) of every ranged catalog figure"}
    return UncertaintyResult(draws=table, summary=summary)


def _rate(p: Any, engagements: np.ndarray) -> float:
    kills = np.einsum("nte,et->nt", engagements, p.p_kill)
    total = float((p.value * p.demand).sum())
    return float((kills * p.value).sum() / total) if total > 0 else math.nan
