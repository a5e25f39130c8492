"""Running solve tasks: in worker processes that end with their parent (planner.workers), on an existing
Dask cluster, or, for small problems, in this process."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from planner.errors import ConfigError, SolverError
from planner.lp import ledger
from planner.lp.tasks import SectorTask, TaskResult, solve_sector
from planner.problem import PlanningProblem
from planner.workers import process_pool

log = logging.getLogger(__name__)

__all__ = ["PARALLEL_MIN_PAIRS", "Runner", "fair_deadline", "worker_count"]


#: Below this many engagement pairs the sectors are solved in this process (a worker costs ~1 s to start).
PARALLEL_MIN_PAIRS = 20_000


#: The least time a task sharing a batch's time is given (small nations solve in less).
MIN_SHARE_S = 5.0


class Runner:
    """Runs sector tasks in worker processes, on an existing Dask cluster when given its scheduler address, or, for
    small problems, in this process (the order: :meth:`map`)."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.pool: concurrent.futures.Executor | None = None
        self.client: Any = None
        self._pool_ctx: contextlib.AbstractContextManager[Any] | None = None

    def __enter__(self) -> Runner:
        if self.scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise ConfigError([("--scheduler", "a Dask cluster needs the 'distributed' package: "
                                                   "pip install 'dronewall[cluster]'")]) from None
            try:
                self.client = Client(self.scheduler, timeout=10)  # type: ignore[no-untyped-call]
            except OSError as exc:
                raise ConfigError([("--scheduler", f"no Dask scheduler answers at {self.scheduler} ({exc}): "
                                                   "start one (dask scheduler) or leave the option out")]) from None
            self.pool = self.client.get_executor(pure=False)
        elif self.workers > 1:
            self._pool_ctx = process_pool(self.workers)
            self.pool = self._pool_ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
        elif self._pool_ctx is not None:
            # an exception (Ctrl-C included) kills the workers; a normal end waits for them
            self._pool_ctx.__exit__(*exc)
            self._pool_ctx = None

    def map(self, tasks: list[SectorTask], progress: Callable[[], None] | None = None, *,
            share_until: float | None = None) -> list[TaskResult]:
        """Solve every task; ``progress`` is called once per finished task. With ``share_until`` (a ``time.time()``),
        the tasks share the time until then: each is started with a deadline of its own (:func:`fair_deadline`).
        Largest first, but smallest first where they share the time without a gap ledger in worker processes."""
        # Largest first keeps the batch short: the small tasks fill the workers' ends. Sharing a deadline, smallest
        # first gives every task a plan (the small finish in seconds, the large share the rest: a large one started
        # first gets its share of the sizes still queued); a ledger in worker processes gives the running ones the
        # time the others leave (extend below), and there largest first measured faster: with sites every 2 km,
        # 26–27 s against 22–23 s for the national MILPs; at 1 km cells with sites every 2 km, 21.9% against 9.8%
        # after 300 s (docs/performance.md). A large one there without a plan at its deadline runs on to
        # ``share_until`` (it has no other way to a plan), and the tasks still queued then get none.
        size = [size_of(task.problem) for task in tasks]
        seated = self.pool is not None and all(task.ledger is not None for task in tasks)
        small_first = share_until is not None and not seated
        order = sorted(range(len(tasks)), key=lambda k: size[k] if small_first else -size[k])
        results: list[TaskResult] = [TaskResult() for _ in tasks]
        unfinished = set(order)
        queued = set(order)  # not started yet
        dues: dict[int, float] = {}  # the running tasks' own deadlines

        def started(k: int, workers: int) -> SectorTask:
            task = tasks[k]
            queued.discard(k)
            if share_until is None:
                return task
            s = task.problem.solver
            # The tasks not started yet (this one included) share what the running ones leave of the workers' time
            now = time.time()
            busy = sum(max(min(dues[j], share_until) - now, 0.0) for j in unfinished if j in dues)
            due = fair_deadline(now, share_until, size[k], size[k] + sum(size[j] for j in queued), workers, busy)
            due = due if s.deadline is None else min(due, s.deadline)
            dues[k] = due
            if task.ledger is not None:  # a deadline moved later as others finish; HiGHS's own at the batch's end
                ledger.reset(task.ledger)
                ledger.extend_due(task.ledger, due)
                due = max(due, share_until if s.deadline is None else min(share_until, s.deadline))
            return task.replace(problem=dataclasses.replace(task.problem, solver=s.replace(deadline=due)))

        def extend(running: list[int], workers: int) -> None:
            """The tasks still running get a share of the time the finished ones left (planner.lp.ledger)."""
            for k in running:
                seat, limit = tasks[k].ledger, tasks[k].problem.solver.deadline
                if share_until is not None and seat is not None:
                    due = fair_deadline(time.time(), share_until, size[k], sum(size[j] for j in unfinished), workers)
                    due = due if limit is None else min(due, limit)
                    ledger.extend_due(seat, due)
                    dues[k] = max(dues.get(k, due), due)

        if self.pool is None:  # in this process, HiGHS keeps the thread count it started with
            for k in order:
                results[k] = solve_sector(started(k, 1).replace(threads=None))
                unfinished.discard(k)
                if progress:
                    progress()
        else:
            try:
                queue = list(order)
                futures: dict[concurrent.futures.Future[TaskResult], int] = {}
                # Sharing time, a task is submitted when a worker frees (its deadline is set then); otherwise all
                # at once, as a cluster may run more of them than self.workers.
                in_flight = max(self.workers, 1) if share_until is not None else len(order)
                while queue or futures:
                    while queue and len(futures) < in_flight:
                        k = queue.pop(0)
                        futures[self.pool.submit(solve_sector, started(k, max(self.workers, 1)))] = k
                    done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
                    for fut in done:
                        k = futures.pop(fut)
                        results[k] = fut.result()
                        unfinished.discard(k)
                        if progress:
                            progress()
                    extend(list(futures.values()), max(self.workers, 1))
            except (concurrent.futures.process.BrokenProcessPool, RuntimeError) as exc:
                # Typically a script without an `if __name__ == "__main__":` guard (worker processes
                # re-import the main module), or a worker killed for memory: carry on in this process.
                log.warning("worker processes failed (%s); solving the sectors one after another in this "
                            "process. Scripts that call planner.solve need an `if __name__ == \"__main__\":` "
                            "guard to use workers (docs/formulation.md, Solving)", type(exc).__name__)
                if self._pool_ctx is not None:
                    self._pool_ctx.__exit__(type(exc), exc, exc.__traceback__)
                    self._pool_ctx = None
                self.pool = None
                return self.map(tasks, progress, share_until=share_until)
        for r in results:
            if r.outcome == "error":
                raise SolverError(r.message + "; raise solver.time_limit_s or check the scenario")
        return results


def worker_count(p: PlanningProblem, n_sectors: int) -> int:
    threads = p.solver.threads or 1
    if threads <= 1 or len(p.eng_cell) + len(p.det_cell) < PARALLEL_MIN_PAIRS:
        return 1
    return min(threads, n_sectors)


def size_of(p: PlanningProblem) -> float:
    """A task's size for sharing time: its coverage pairs (detection, engagement, point defence), plus one."""
    return float(len(p.det_cell) + len(p.eng_cell) + len(p.pt_cell) + 1)


def fair_deadline(now: float, until: float, size: float, pending: float, workers: int, busy: float = 0.0) -> float:
    """When a task of ``size`` started ``now`` must end, sharing the time left before ``until`` among the tasks not
    yet finished (``pending``: their sizes, this one's included) on ``workers`` processes in proportion to size:
    ``now + ((until − now) · workers − busy) · size / pending``, at least :data:`MIN_SHARE_S` and at most ``until``
    (unless the floor passes it). ``busy``: the worker-seconds before ``until`` that tasks already running hold (their
    own deadlines), not counted in ``pending``. Tasks that finish early leave their time to those still to start."""
    left = max(until - now, 0.0)
    share = max(left * workers - busy, 0.0) * size / max(pending, size)
    return now + max(min(share, left), MIN_SHARE_S)
