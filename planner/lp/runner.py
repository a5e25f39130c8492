"""Running solve tasks: in worker processes that end with their parent (planner.workers), on an existing
Dask cluster, or, for small problems, in this process."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from planner.errors import ConfigError, SolverError
from planner.lp.tasks import SectorTask, TaskResult, solve_sector
from planner.problem import PlanningProblem
from planner.workers import process_pool

log = logging.getLogger(__name__)

__all__ = ["PARALLEL_MIN_PAIRS", "Runner", "worker_count"]


#: Below this many engagement pairs the sectors are solved in this process (a worker costs ~1 s to start).
PARALLEL_MIN_PAIRS = 20_000


class Runner:
    """Runs sector tasks in worker processes (largest first), on an existing Dask cluster when given its
    scheduler address, or, for small problems, in this process."""

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

    def map(self, tasks: list[SectorTask], progress: Callable[[], None] | None = None) -> list[TaskResult]:
        """Solve every task; ``progress`` is called once per finished task."""
        order = sorted(range(len(tasks)), key=lambda k: -len(tasks[k].problem.eng_cell))
        results: list[TaskResult] = [TaskResult() for _ in tasks]
        if self.pool is None:  # in this process, HiGHS keeps the thread count it started with
            for k in order:
                results[k] = solve_sector(tasks[k].replace(threads=None))
                if progress:
                    progress()
        else:
            try:
                futures = {self.pool.submit(solve_sector, tasks[k]): k for k in order}
                for fut in concurrent.futures.as_completed(futures):
                    results[futures[fut]] = fut.result()
                    if progress:
                        progress()
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
                return self.map(tasks, progress)
        for r in results:
            if r.outcome == "error":
                raise SolverError(r.message + "; raise solver.time_limit_s or check the scenario")
        return results


def worker_count(p: PlanningProblem, n_sectors: int) -> int:
    threads = p.solver.threads or 1
    if threads <= 1 or len(p.eng_cell) + len(p.det_cell) < PARALLEL_MIN_PAIRS:
        return 1
    return min(threads, n_sectors)
