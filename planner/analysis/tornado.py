"""Decision sensitivity (issue #13): which inputs move the split between drone defence and conventional forces,
and at what value does it flip? (docs/analyses.md, "Tornado")

The split of a plan is its drone-defence spend (sensors and effectors bought and run, munitions) over the whole
budget. Each input (:mod:`planner.analysis.tornado_inputs`) is set to its low and to its high value and the
scenario is solved as ``dronewall run`` solves it (:func:`planner.lp.solve.solve` on the rebuilt problem, the
scenario's own strategy, then the exact evaluation); the inputs are ranked by how far the drone share moves (the
tornado). The split *flips* where drone defence crosses half the budget (:data:`MAJORITY_SHARE`: the side with the
larger part changes) or where the plan stops or starts buying drone defence (:data:`BUYS_SHARE` of the budget).
Where two solved points of an input (low, nominal, high) lie on different sides, the value between them is
bisected (``bisect_steps`` halvings: the flip is then known to within the bracket's half-width, reported).

Every solve runs through one :class:`planner.lp.runner.Runner`: the points at once in its worker processes (or on
its Dask cluster) where the problem is solved as one model, or one after another lending it their national MILPs
where the problem decomposes by nation.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.analysis.tornado_inputs import Input, default_inputs, parse_inputs, value_text, with_value
from planner.config.io import Scenario
from planner.errors import ConfigError, InfeasibleError
from planner.geo.coverage import Coverage, build_coverage
from planner.geo.theater import Theater, build_theater
from planner.lp import sectors
from planner.lp.choice import conventional_values
from planner.lp.runner import PARALLEL_MIN_PAIRS, Runner
from planner.lp.solve import solve
from planner.plan import EXACT_EVALUATION_SHARE, fixed_plan
from planner.problem import PlanningProblem, build_problem

log = logging.getLogger(__name__)

#: Drone defence at or above this share of the budget takes the larger part of it.
MAJORITY_SHARE = 0.5
#: Below this share of the budget a plan buys no drone defence to speak of.
BUYS_SHARE = 0.01
#: Halvings of a flip's bracket.
BISECT_STEPS = 6
THRESHOLDS = {"share": MAJORITY_SHARE, "buys": BUYS_SHARE}


@dataclass
class TornadoResult:
    """One row per input, ranked by the swing of the drone share; every solve; what the analysis was."""

    table: pd.DataFrame
    points: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    kind: str = "tornado"


def solve_point(q: PlanningProblem, runner: Runner | None = None) -> dict[str, Any]:
    """Solve ``q`` as ``dronewall run`` does (the search in 70% of ``solver.time_limit_s``, then the exact
    evaluation) and summarise the split. Runs in a worker (``runner``: national MILPs lent to a decomposed
    problem). An infeasible problem is a point with status ``infeasible``."""
    limit = q.solver.time_limit_s
    deadline = time.time() + limit
    search = dataclasses.replace(q, solver=q.solver.replace(deadline=deadline - EXACT_EVALUATION_SHARE * limit))
    evaluation = dataclasses.replace(q, solver=q.solver.replace(deadline=deadline))
    try:
        s = solve(search, runner=runner)
    except InfeasibleError as exc:
        return {"status": "infeasible", "message": str(exc)}
    x = solve(evaluation, fixed=fixed_plan(q, s), runner=runner)
    costs = q.costs(s.sensors, s.effectors, s.engagements, s.conventional)
    total = float((q.value * q.demand).sum() * q.raids)

    def rate(value: float) -> float:
        return value / total if total > 0 else math.nan

    # What the solver's gap leaves open, in euros: the objective's slack at the price of conventional value (or,
    # minimising cost, the slack itself). Plans whose drone spend differs by less are alike to the solver.
    _, _, mu = conventional_values(q, q.objective)
    slack = s.gap * abs(s.objective) / (1 - s.gap) if s.gap is not None and s.gap < 1 else math.nan
    resolution = slack / mu if mu > 0 else (slack if q.objective == "min_cost" else math.nan)
    return {"status": s.status, "gap": s.gap, "budget_eur": q.budget_eur, "drone_defence_eur": costs["drone_defence"],
            "conventional_eur": costs["conventional"], "drone_share": costs["drone_defence"] / q.budget_eur,
            "conventional_capability": float((s.conventional * q.conv_score).sum()),
            "units": {c: int(round(float(s.conventional[k]))) for k, c in enumerate(q.conv_ids)},
            "defeat_rate_value_lp": rate(q.drone_value(s.engagements)),
            "defeat_rate_value_exact": rate(q.drone_value(x.engagements)), "resolution_eur": resolution,
            "systems": _systems(q, s)}


def _systems(q: PlanningProblem, s: Any) -> dict[str, dict[str, Any]]:
    """What the plan spends on each sensor and effector type (euros over the horizon), whether it buys units of it,
    fires it, and the armed class each effector defeats most."""
    h = q.horizon_years
    out: dict[str, dict[str, Any]] = {}
    kills = np.einsum("nte,et->te", s.engagements, q.p_kill) * ~q.threat_decoy[:, None]
    fired = np.einsum("nte,et,e->e", s.engagements, q.shots(), q.effector_cost_per_shot_eur) * q.raids
    for ids, built, old, unit, op, kind in (
            (q.sensor_ids, s.sensors, q.in_service_sensors, q.sensor_unit_cost_eur, q.sensor_operating_eur_per_year,
             "sensor"),
            (q.effector_ids, s.effectors, q.in_service_effectors, q.effector_unit_cost_eur,
             q.effector_operating_eur_per_year, "effector")):
        new = np.clip(built - old, 0, None).sum(0)
        run = np.maximum(built, old).sum(0)
        for k, system in enumerate(ids):
            eur = float(new[k] * unit[k] + run[k] * op[k] * h + (fired[k] if kind == "effector" else 0.0))
            if eur <= 0:
                continue
            use: dict[str, Any] = {"eur": eur, "bought": bool(new[k] > 0.5)}
            if kind == "effector":
                use["fired"] = bool(fired[k] > 0)
                use["main_class"] = q.threat_ids[int(np.argmax(kills[:, k]))] if kills[:, k].max() > 0 else None
            out[system] = use
    return out


def _in_worker(q: PlanningProblem) -> dict[str, Any]:
    """A point solved in a worker process: one HiGHS thread (the workers share the cores)."""
    return solve_point(dataclasses.replace(q, solver=q.solver.replace(threads=1)))


class _Points:
    """Solves (input, value) points through one Runner, each once."""

    def __init__(self, scenario: Scenario, theater: Theater, coverage: Coverage, p: PlanningProblem, runner: Runner,
                 progress: Callable[[int, int], None] | None) -> None:
        self.scenario, self.theater, self.coverage, self.p = scenario, theater, coverage, p
        self.runner, self.progress = runner, progress
        self.lend = sectors.applies(p)  # decomposed: solve one at a time, lending the runner's workers
        self.memo: dict[tuple[str, float], dict[str, Any]] = {}
        self.done = self.planned = 0

    def problem(self, path: str, value: float) -> PlanningProblem:
        scenario = self.scenario if not path else with_value(self.scenario, path, value)
        q = build_problem(scenario, self.theater, self.coverage)
        if (q.sensor_ids, q.effector_ids, q.threat_ids, q.conv_ids) != (self.p.sensor_ids, self.p.effector_ids,
                                                                        self.p.threat_ids, self.p.conv_ids):
            raise RuntimeError("an input changed the order of systems; the points would not line up")
        return q

    def _tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.planned)

    def solve(self, points: list[tuple[str, float]]) -> list[dict[str, Any]]:
        """The results at ``points`` (path, value; path '' is the nominal scenario), solving those not yet solved."""
        todo = list(dict.fromkeys(pt for pt in points if pt not in self.memo))
        self.planned += len(todo)
        if self.progress:
            self.progress(self.done, self.planned)
        pool = self.runner.pool
        if pool is not None and not self.lend and len(todo) > 1:
            try:
                futures = {pool.submit(_in_worker, self.problem(*pt)): pt for pt in todo}
                for fut in concurrent.futures.as_completed(futures):
                    self.memo[futures[fut]] = fut.result()
                    self._tick()
            except concurrent.futures.process.BrokenProcessPool:
                log.warning("worker processes failed; solving the remaining points one after another in this "
                            "process (a script needs an `if __name__ == \"__main__\":` guard to use workers)")
        for pt in todo:
            if pt not in self.memo:
                self.memo[pt] = solve_point(self.problem(*pt), self.runner if self.lend else None)
                self._tick()
        return [self.memo[pt] for pt in points]


def tornado(scenario: Scenario, *, inputs: list[str] | None = None, bisect_steps: int = BISECT_STEPS,
            mip_rel_gap: float | None = None, theater: Theater | None = None, workers: int | None = None,
            scheduler: str | None = None, progress: Callable[[int, int], None] | None = None) -> TornadoResult:
    """Solve the scenario with each input at its low and its high value, rank the inputs by the swing of the drone
    share, and bisect where the split flips. ``inputs``: paths (``PATH`` or ``PATH=LOW:HIGH`` for a scenario knob,
    :mod:`planner.analysis.tornado_inputs`); None: the curated default list. ``workers``: worker processes (default
    ``solver.threads`` where the problem is large enough to gain from them, else 1); ``scheduler``: a Dask
    scheduler's address. ``mip_rel_gap``: the solver's gap for every solve (default the scenario's
    ``solver.mip_rel_gap``); a smaller gap shrinks the swings that are the solver's tolerance, not the input's."""
    if not 0 <= bisect_steps <= 20:
        raise ConfigError([("--bisect-steps", f"{bisect_steps} is out of range: give 0 (no bisection) to 20")])
    if mip_rel_gap is not None and not 0 <= mip_rel_gap < 1:
        raise ConfigError([("--mip-rel-gap", f"{mip_rel_gap:g} is not a gap: give a share from 0 to below 1, "
                                             "e.g. 0.002")])
    given = parse_inputs(scenario, inputs) if inputs is not None else None  # bad paths before any work
    t0 = time.perf_counter()
    config_hash = scenario.config_hash()  # the scenario's as given: the briefing matches it with its plan's
    if mip_rel_gap is not None:
        solver = scenario.config.solver.model_copy(update={"mip_rel_gap": mip_rel_gap})
        scenario = dataclasses.replace(scenario, config=scenario.config.model_copy(update={"solver": solver}))
    theater = theater or build_theater(scenario)
    coverage = build_coverage(theater, scenario)
    p = build_problem(scenario, theater, coverage)
    big = len(p.eng_cell) + len(p.det_cell) >= PARALLEL_MIN_PAIRS or sectors.applies(p)
    n = workers if workers is not None else (max(1, p.solver.threads or 1) if big else 1)
    with Runner(n, scheduler) as runner:
        pts = _Points(scenario, theater, coverage, p, runner, progress)
        nominal = pts.solve([("", 0.0)])[0]
        if nominal["status"] == "infeasible":
            raise InfeasibleError(f"the scenario itself has no plan: {nominal['message']}")
        left_out: list[str] = []
        chosen = given if given is not None else None
        if chosen is None:
            chosen, left_out = default_inputs(scenario, p, nominal)
        ends = pts.solve([(i.path, v) for i in chosen for v in (i.low, i.high)])
        flips = _bisect(pts, chosen, nominal, ends, bisect_steps)
    table = _table(chosen, nominal, ends, flips, p.conv_ids)
    points = _points_table(pts.memo, chosen, p.conv_ids)
    meta = {"scenario": scenario.name, "config_hash": config_hash, "budget_eur": p.budget_eur,
            **{f"nominal_{k}": nominal[k] for k in ("drone_defence_eur", "conventional_eur", "drone_share",
                                                    "conventional_capability", "defeat_rate_value_exact", "gap",
                                                    "resolution_eur")},
            "nominal_units": nominal["units"], "nominal_status": nominal["status"],
            "inputs_from": "--inputs" if given is not None else "default list", "left_out": left_out,
            "majority_share": MAJORITY_SHARE, "buys_share": BUYS_SHARE, "bisect_steps": bisect_steps,
            "flip_rule": (f"the split flips where drone defence crosses {MAJORITY_SHARE:.0%} of the budget or "
                          f"{BUYS_SHARE:.0%} of it (stops or starts buying); bisected {bisect_steps} times between "
                          "the solved points (low, nominal, high) on either side: the flip lies within ± the "
                          "tolerance given"),
            "measure": "drone-defence spend and share of the budget as planned; value-weighted defeat rate by "
                       "exact evaluation, weighted with each point's own values",
            "resolution": "a plan's objective slack (its proven gap) at the price of conventional value, in euros of "
                          "drone spend; a change of drone spend within the nominal's and the moved plan's together "
                          "(tolerance_eur) may be the solver's tolerance, not the input's (within_tolerance)",
            "mip_rel_gap": p.solver.mip_rel_gap, "solves": len(pts.memo), "workers": n, "scheduler": scheduler,
            "seconds": round(time.perf_counter() - t0, 2)}
    return TornadoResult(table=table, points=points, meta=meta)


def _side(r: dict[str, Any], threshold: float) -> bool | None:
    return None if r.get("status") == "infeasible" else bool(r["drone_share"] >= threshold)


def _bisect(pts: _Points, inputs: list[Input], nominal: dict[str, Any], ends: list[dict[str, Any]],
            steps: int) -> dict[str, list[dict[str, Any]]]:
    """Per input path, its flips: kind (``share``, ``buys``), value, tolerance and the side below it (True: drone
    defence at or above the threshold at values below the flip)."""
    brackets: list[dict[str, Any]] = []  # path, kind, a, b, side at a
    for k, inp in enumerate(inputs):
        known = [(inp.low, ends[2 * k]), (inp.high, ends[2 * k + 1])]
        if inp.low < inp.nominal < inp.high:
            known.insert(1, (inp.nominal, nominal))
        for kind, threshold in THRESHOLDS.items():
            for (a, ra), (b, rb) in zip(known, known[1:], strict=False):
                sa, sb = _side(ra, threshold), _side(rb, threshold)
                if sa is not None and sb is not None and sa != sb:
                    brackets.append({"path": inp.path, "kind": kind, "a": a, "b": b, "side": sa})
    for _ in range(steps):
        mids = [(br["path"], (br["a"] + br["b"]) / 2) for br in brackets]
        results = pts.solve(mids)
        for br, (_, m), r in zip(brackets, mids, results, strict=True):
            side = _side(r, THRESHOLDS[br["kind"]])
            if side is None:  # no plan there: the bracket stays as it is
                continue
            br["a" if side == br["side"] else "b"] = m
    out: dict[str, list[dict[str, Any]]] = {}
    for br in brackets:
        out.setdefault(br["path"], []).append({"kind": br["kind"], "value": (br["a"] + br["b"]) / 2,
                                               "tolerance": (br["b"] - br["a"]) / 2, "below": br["side"]})
    return out


def _flip_text(inp: Input, flips: list[dict[str, Any]]) -> str:
    if not flips:
        return f"no flip between {inp.text(inp.low)} and {inp.text(inp.high)}"
    words = {("buys", True): "stops buying drone defence", ("buys", False): "starts buying drone defence",
             ("share", True): "drone defence falls below half the budget",
             ("share", False): "drone defence takes over half the budget"}
    return "; ".join(f"{words[f['kind'], f['below']]} above {value_text(inp.path, f['value'])} "
                     f"(± {value_text(inp.path, f['tolerance'])})" for f in flips)


def _table(inputs: list[Input], nominal: dict[str, Any], ends: list[dict[str, Any]],
           flips: dict[str, list[dict[str, Any]]], conv_ids: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    share0 = nominal["drone_share"]
    for k, inp in enumerate(inputs):
        row: dict[str, Any] = {"input": inp.path, "label": inp.label, "nominal_value": inp.nominal,
                               "low_value": inp.low, "high_value": inp.high, "low_text": inp.text(inp.low),
                               "high_text": inp.text(inp.high)}
        shares = [share0]
        for end, r in (("low", ends[2 * k]), ("high", ends[2 * k + 1])):
            row |= _point_columns(end, r, conv_ids)
            row[f"{end}_change_share"] = r.get("drone_share", math.nan) - share0
            shares.append(r.get("drone_share", math.nan))
        ok = [s for s in shares if math.isfinite(s)]
        row["swing_share"] = max(ok) - min(ok)
        moved = [(abs(r["drone_defence_eur"] - nominal["drone_defence_eur"]),
                  nominal["resolution_eur"] + r["resolution_eur"]) for r in (ends[2 * k], ends[2 * k + 1])
                 if "drone_defence_eur" in r]
        # Both solves (the nominal and the moved one) are each known only to their gap's slack: a change within
        # the two together may be the solver's tolerance, not the input's. The swing is the larger end's change,
        # told with that end's tolerance; within_tolerance asks it of both ends.
        swing = max(moved, key=lambda dt: dt[0], default=(0.0, math.nan))
        row["swing_eur"], row["tolerance_eur"] = swing
        row["within_tolerance"] = all(d <= t for d, t in moved)
        mine = sorted(flips.get(inp.path, []), key=lambda f: abs(f["value"] - inp.nominal))
        row["flips"] = bool(mine)
        row["flip_at"] = value_text(inp.path, mine[0]["value"]) if mine else ""
        for kind in THRESHOLDS:
            first = next((f for f in mine if f["kind"] == kind), None)
            row[f"flip_{kind}_value"] = first["value"] if first else math.nan
            row[f"flip_{kind}_tolerance"] = first["tolerance"] if first else math.nan
        row["flip"] = _flip_text(inp, sorted(mine, key=lambda f: f["value"]))
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values("swing_share", ascending=False, kind="stable").reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def _point_columns(prefix: str, r: dict[str, Any], conv_ids: tuple[str, ...]) -> dict[str, Any]:
    """A point's results as columns (``prefix_``...); NaN where it has no plan."""
    cols = ("drone_defence_eur", "conventional_eur", "drone_share", "conventional_capability",
            "defeat_rate_value_exact", "gap")
    out: dict[str, Any] = {f"{prefix}_{c}": (math.nan if r.get(c) is None else r[c]) for c in cols}
    out |= {f"{prefix}_units_{c}": r.get("units", {}).get(c, math.nan) for c in conv_ids}
    out[f"{prefix}_status"] = r.get("status", "")
    return out


def _points_table(memo: dict[tuple[str, float], dict[str, Any]], inputs: list[Input],
                  conv_ids: tuple[str, ...]) -> pd.DataFrame:
    """Every solve: the input, its value, what the point was (nominal, low, high, bisection) and its results."""
    ends = {(i.path, i.low): "low" for i in inputs} | {(i.path, i.high): "high" for i in inputs}
    rows = []
    for (path, value), r in memo.items():
        role = "nominal" if not path else ends.get((path, value), "bisection")
        rows.append({"input": path or "(nominal)", "value": value if path else math.nan, "point": role,
                     **{k.removeprefix("p_"): v for k, v in _point_columns("p", r, conv_ids).items()}})
    return pd.DataFrame(rows)
