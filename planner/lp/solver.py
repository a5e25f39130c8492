"""The solver adapter: pulp to HiGHS (through highspy) or CBC, time limits and the run's deadline, statuses
to errors, values back to arrays, MIP starts, quiet output. Builds nothing (see planner.lp.formulation)."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pulp

from planner.errors import InfeasibleError, SolverError
from planner.problem import PlanningProblem
from planner.settings import SolverSettings

log = logging.getLogger(__name__)


_HIGHS_THREADS: list[int] = []


def _highs_threads(requested: int | None) -> int | None:
    """HiGHS fixes its thread pool at the first solve of a process; a later, different count makes every
    solve fail ('Not Solved'). Keep the first count and say so when another is asked for."""
    # 0 records that the first solve left the count to HiGHS: later solves must not name one either.
    if not _HIGHS_THREADS:
        _HIGHS_THREADS.append(0 if requested is None else int(requested))
    elif requested is not None and requested != _HIGHS_THREADS[0]:
        log.debug("HiGHS keeps %s threads for the whole process; solver.threads=%d applies in a new process",
                  _HIGHS_THREADS[0] or "its default", requested)
    return _HIGHS_THREADS[0] or None


class _StartedHiGHS(pulp.HiGHS):  # type: ignore[misc]  # pulp is untyped
    """pulp's HiGHS with a MIP start: values for some integer columns (HiGHS completes them with an LP)."""

    start: dict[pulp.LpVariable, float] | None = None
    #: Called by HiGHS during the MIP search (planner.lp.ledger.Watch: stops it once the flank's gap allows).
    watch: Callable[..., None] | None = None
    #: Finds a MIP start on the HiGHS model before the search (planner.lp.warm.FirstPlan).
    first: Callable[[Any], tuple[np.ndarray, np.ndarray] | None] | None = None
    #: Adds valid rows the relaxation violates to the HiGHS model, first of all (planner.lp.cuts.Separation).
    cuts: Callable[[Any], None] | None = None

    def callSolver(self, lp: pulp.LpProblem) -> None:  # pulp calls it so
        if self.cuts is not None:
            self.cuts(lp.solverModel)
        if self.first is not None:
            found = self.first(lp.solverModel)
            if self.skipped():  # no time for a search: the first plan is the plan (findSolutionValues)
                return
            if found is not None:
                lp.solverModel.setSolution(len(found[0]), found[0], found[1])
        if self.start:
            index = np.array([v.index for v in self.start], dtype=np.int32)
            lp.solverModel.setSolution(len(index), index, np.array(list(self.start.values()), dtype=float))
        if self.watch is not None:
            import highspy

            lp.solverModel.setCallback(self.watch, None)
            lp.solverModel.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
        run_interruptibly(lp.solverModel.run)

    def skipped(self) -> bool:
        """Whether the first plan left out the search (planner.lp.warm.FirstPlan: no time for HiGHS's root)."""
        return getattr(self.first, "plan", None) is not None

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:  # pulp calls it so
        if not self.skipped():
            return super().findSolutionValues(lp)  # type: ignore[no-any-return]
        plan = self.first.plan  # type: ignore[union-attr]
        for v in lp.variables():
            v.varValue = float(plan[v.index])
        return pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible


def allow(h: Any, seconds: float, *, mip: bool) -> None:
    """Let the next run of the HiGHS model ``h`` take ``seconds`` at most: a MILP's (``mip``) or its LP relaxation's.
    HiGHS 1.15 counts the two apart: an LP run stops once the time of every run of the model so far (``getRunTime``)
    passes the limit, so a limit set to the seconds left would stop it at once, or early by the time the earlier runs
    took; a MILP's run counts its own time only, so a limit set to that total would let it run on by as much (Romania's
    restricted MILP at 1 km cells with sites every 2 km: 100 s for its 24 s, docs/performance.md)."""
    h.setOptionValue("time_limit", max(seconds, 0.0) + (0.0 if mip else h.getRunTime()))


def time_left(h: Any) -> float:
    """The seconds the time limit of ``h`` gives its next MILP run (``inf`` where it has none; :func:`allow`)."""
    return float(h.getOptionValue("time_limit")[1])


def run_interruptibly(run: Any) -> None:
    """Call ``run`` (a solver's blocking C call); from the main thread, in a helper thread, so that Ctrl-C
    ends the command at once rather than when the solver returns. The abandoned solve stops at its time
    limit or with the process (the helper thread is a daemon)."""
    if threading.current_thread() is not threading.main_thread():
        run()
        return
    failure: list[BaseException] = []

    def target() -> None:
        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failure.append(exc)

    helper = threading.Thread(target=target, name="dronewall-solver", daemon=True)
    helper.start()
    while helper.is_alive():
        helper.join(0.1)
    if failure:
        raise failure[0]


def make_solver(settings: SolverSettings, *, mip: bool = True, start: dict[pulp.LpVariable, float] | None = None,
                watch: Callable[..., None] | None = None,
                first: Callable[[Any], tuple[np.ndarray, np.ndarray] | None] | None = None,
                cuts: Callable[[Any], None] | None = None) -> Any:
    """The pulp solver for these settings (HiGHS through highspy, or CBC). ``start`` gives HiGHS a MIP start
    (values of integer variables; CBC ignores it), ``watch`` a MIP-interrupt callback (HiGHS only), ``first`` a search
    for a MIP start on the HiGHS model before its own (planner.lp.warm.FirstPlan; HiGHS only), ``cuts`` valid rows
    added before both (planner.lp.cuts.Separation; HiGHS only, CBC solves without them). The time limit
    is cut to the run's ``deadline`` where the settings carry one (:meth:`SolverSettings.time_left`)."""
    limit = settings.time_left()
    count = settings.threads
    if settings.backend == "highs":
        solver = _StartedHiGHS(mip=mip, msg=False, timeLimit=limit, gapRel=settings.mip_rel_gap,
                               gapAbs=settings.mip_abs_gap, threads=_highs_threads(count),
                               random_seed=settings.seed, output_flag=False)
        solver.start = start if mip else None
        solver.watch = watch if mip else None
        solver.first = first if mip else None
        solver.cuts = cuts if mip else None
        return solver
    kw = {"mip": mip, "msg": False, "timeLimit": limit, "gapRel": settings.mip_rel_gap, "threads": count}
    coin = pulp.COIN_CMD(**kw)
    if coin.available():  # CBC installed on its own (e.g. `pip install pulp[cbc]`, the PuLP 4 way)
        return coin
    with warnings.catch_warnings():  # pulp 3.3 deprecates its bundled CBC, which it still ships
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**kw)


def run_model(prob: pulp.LpProblem, problem: PlanningProblem, *, mip: bool, time_limit: float | None = None) -> float:
    settings = problem.solver if time_limit is None else problem.solver.replace(time_limit_s=max(time_limit, 1.0))
    t = time.perf_counter()
    try:
        with quiet_stdout():
            prob.solve(make_solver(settings, mip=mip))
    except pulp.PulpSolverError as exc:
        raise SolverError(f"the {problem.solver.backend} solver failed: {exc}") from None
    if prob.status == pulp.LpStatusInfeasible:
        raise InfeasibleError("the plan's constraints cannot all be met")
    if prob.status != pulp.LpStatusOptimal or prob.sol_status not in (pulp.LpSolutionOptimal,
                                                                      pulp.LpSolutionIntegerFeasible):
        raise SolverError(f"no usable plan: solver status '{pulp.LpStatus[prob.status]}' (solution status "
                          f"{prob.sol_status}); raise solver.time_limit_s or check the scenario")
    if not mip and not proven_optimal(prob):  # an LP stopped early: neither its answer nor its objective holds
        raise SolverError("a linear programme stopped before its optimum (its time or iteration limit): raise "
                          "solver.time_limit_s or check the scenario")
    return time.perf_counter() - t


def extract(prob: pulp.LpProblem, var: dict[str, Any], problem: PlanningProblem, *, integral: bool) -> dict[str, Any]:
    n_cells, n_threats, n_sites = var["shape"]
    rnd = round if integral else float
    sens = np.zeros((n_sites, len(problem.sensor_ids)))
    for (j, s), x in var["sensors"].items():
        sens[j, s] = rnd(x.value() or 0.0)
    effs = np.zeros((n_sites, len(problem.effector_ids)))
    for (j, e), y in var["effectors"].items():
        effs[j, e] = rnd(y.value() or 0.0)
    # Units in service stand in every plan, also those the model has no variable for (they cover nothing).
    sens, effs = np.maximum(sens, problem.in_service_sensors), np.maximum(effs, problem.in_service_effectors)
    conv = np.array([rnd(u.value() or 0.0) for u in var["conventional"]], dtype=float)
    det = np.zeros((n_cells, n_threats))
    for (i, t), (rate, lam) in var["detected"].items():
        det[i, t] = lam * max(rate.value() or 0.0, 0.0)
    eng = np.zeros((n_cells, n_threats, len(problem.effector_ids)))
    for (i, t, e), v in var["engage"].items():
        eng[i, t, e] = max(v.value() or 0.0, 0.0)
    point = np.zeros(len(problem.pt_cell))
    for q, w in var.get("point", {}).items():
        point[q] = max(w.value() or 0.0, 0.0)
    escorts = np.zeros((n_cells, n_threats, len(problem.effector_ids)))
    for (i, t, e), v in var.get("escort", {}).items():
        escorts[i, t, e] = max(v.value() or 0.0, 0.0)
    # An exact evaluation's escort weight (planner.lp.formulation.ESCORT_WEIGHT) is no part of the plan's objective.
    met = float(sum(problem.effector_p_meet[e] * escorts[i, t, e] for (i, t, e) in var.get("escort", {}))) \
        if var.get("escort_weight") else 0.0
    return {"sensors": sens, "effectors": effs, "conventional": conv, "detected": det, "engagements": eng,
            "point": point, "escorts": escorts,
            "objective": float(pulp.value(prob.objective) or 0.0) - var.get("escort_weight", 0.0) * met}


def model_sizes(prob: pulp.LpProblem) -> dict[str, int]:
    return {"variables": prob.numVariables(), "constraints": prob.numConstraints(),
            "nonzeros": sum(len(c) for c in prob.constraints()),
            "integer_variables": sum(1 for v in prob.variables() if v.cat != "Continuous")}


def build_start(var: dict[str, Any], sensors: np.ndarray, effectors: np.ndarray) -> dict[pulp.LpVariable, float]:
    """A MIP start from a plan's builds: every build variable set to the plan's units (0/1, or a count of twins,
    planner.lp.twins; fixed ones left out)."""
    start: dict[pulp.LpVariable, float] = {}
    for (key, arr) in (("sensors", sensors), ("effectors", effectors)):
        for (j, k), v in var[key].items():
            if v.lowBound != v.upBound:
                start[v] = float(np.rint(arr[j, k]))
    return start


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence what solver libraries print to file descriptor 1 (HiGHS prints a banner regardless)."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured streams (tests) have no descriptor
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def mip_dual_bound(prob: pulp.LpProblem) -> float | None:
    """The MILP's proven bound on its objective (HiGHS only), in the model's own sense."""
    model = getattr(prob, "solverModel", None)
    if model is None:
        return None
    try:
        info = model.getInfo()
        bound = float(info.mip_dual_bound)
    except Exception:  # noqa: BLE001 - CBC has no such info
        return None
    if not getattr(info, "valid", True):  # a cleared model (e.g. no search run) reads 0.0: no bound
        return None
    if not math.isfinite(bound):
        return None
    # pulp hands HiGHS a maximisation as the minimisation of the negated objective
    return -bound if prob.sense == pulp.LpMaximize else bound


def mip_gap(prob: pulp.LpProblem) -> float | None:
    model = getattr(prob, "solverModel", None)
    if model is None:
        return None
    try:
        return float(model.getInfo().mip_gap)
    except Exception:  # noqa: BLE001 - CBC and older highspy have no such info
        return None


def proven_optimal(prob: pulp.LpProblem) -> bool:
    """Whether the solver proved its answer optimal. pulp reports HiGHS's time and iteration limits as 'Optimal' (with
    an 'integer feasible' solution), which for an LP is no optimum and its objective no bound."""
    import highspy

    model = getattr(prob, "solverModel", None)
    if model is None:  # CBC: pulp's status alone
        return bool(prob.status == pulp.LpStatusOptimal)
    return bool(model.getModelStatus() == highspy.HighsModelStatus.kOptimal)


def timed_out(prob: pulp.LpProblem) -> bool:
    """Whether HiGHS stopped at its time limit."""
    import highspy

    model = getattr(prob, "solverModel", None)
    return model is not None and model.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
