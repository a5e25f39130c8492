"""Worker processes that end with their parent, whatever ends it.

dronewall solves national MILPs and draws maps in ``spawn`` worker processes. Three rules keep them from
outliving the command that started them:

* A worker ignores Ctrl-C (SIGINT goes to the terminal's whole process group): the parent alone handles
  it and ends its workers, so an interrupt prints one message, not a traceback per worker. SIGINT is
  blocked while a worker is spawned, so it is ignored from its first instruction on.
* On Linux a worker asks the kernel for SIGKILL when its parent dies (``PR_SET_PDEATHSIG``), so a
  ``kill -9`` of the parent ends its workers at once; elsewhere (and as a second guard) a thread in the
  worker polls its parent and exits when the parent is gone. Once the workers are gone, the
  multiprocessing resource tracker they shared with the parent sees its pipe close and exits too.
* A pool left by an exception (Ctrl-C included) kills its workers instead of waiting for their tasks.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from planner.signals import signals_deferred

__all__ = ["process_pool"]

#: How often a worker checks that its parent is still there (seconds), where the kernel cannot tell it.
PARENT_POLL_S = 0.5
_PR_SET_PDEATHSIG = 1


class _Pool(concurrent.futures.ProcessPoolExecutor):
    """A spawn process pool whose workers start with SIGINT blocked (see the module's docstring)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        # Workers are spawned inside submit(), in this thread. With the signals deferred they inherit SIGINT
        # blocked, and an interrupt cannot fall between starting a worker and sending it its start-up data
        # (the worker would print an EOFError); it is handled as soon as the worker is registered.
        with signals_deferred():
            return super().submit(fn, *args, **kwargs)

    def kill_workers(self) -> None:
        """End every worker now (SIGKILL) and reap it; pending tasks are cancelled."""
        # Python 3.14 has ProcessPoolExecutor.terminate_workers(); before it the processes are only
        # reachable through the executor's own table.
        processes = list((getattr(self, "_processes", None) or {}).values())
        for proc in processes:
            with contextlib.suppress(Exception):
                proc.kill()
        # The queue's feeder thread may be blocked writing a task to the workers' pipe; with the workers gone, the
        # pool's own copy of the pipe's reading end is its last reader, and closing it ends that write (EPIPE).
        # Python 3.11.5 and later do this themselves when they see the pool broken (cpython gh-94777); before it
        # (Debian 12's Python 3.11.2) the blocked feeder thread kept the interpreter from exiting after Ctrl-C. Only
        # there, and only on a pool not already broken: a second close races the standard library's own (the
        # connection is not thread-safe) and may close a descriptor reused meanwhile.
        if sys.version_info < (3, 11, 5) and not getattr(self, "_broken", False):
            with contextlib.suppress(Exception):
                self._call_queue._reader.close()  # type: ignore[attr-defined]
        self.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            with contextlib.suppress(Exception):
                proc.join(timeout=5)


def _init_worker(parent_pid: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        # SIGINT is ignored now (a pending one is dropped); SIGTERM ends a worker as usual
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if sys.platform.startswith("linux"):
        libc_name = ctypes.util.find_library("c")
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc_name, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request above was in place
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="dronewall-parent-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent_pid:
            os._exit(1)


@contextlib.contextmanager
def process_pool(workers: int, *, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> Iterator[_Pool]:
    """A ``spawn`` process pool of ``workers`` processes that never outlive this process.

    Leaving the block normally waits for the tasks; leaving it by an exception (Ctrl-C included) kills
    the workers and reaps them before the exception goes on.
    """
    pool = _Pool(max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                 initargs=(os.getpid(), initializer, initargs))
    try:
        yield pool
    except BaseException:
        pool.kill_workers()
        raise
    pool.shutdown(wait=True)
