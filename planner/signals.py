"""Holding Ctrl-C and SIGTERM back across a few steps that must not be cut in two.

Blocking a signal with ``pthread_sigmask`` is not enough in Python: a signal that arrived just before the
block has already tripped the interpreter's flag, and its handler (KeyboardInterrupt) would still run at
the next bytecode, in the middle of the steps. So, while the block lasts, the Python-level handlers only
record what arrived, and the original handlers run once the steps are done.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["signals_deferred"]

_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Run the block with SIGINT and SIGTERM deferred (main thread only; elsewhere the block just runs).

    Processes started inside the block inherit the blocked signals (the mask survives fork and exec).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous: dict[int, Any] = {int(s): signal.signal(s, lambda signum, frame: arrived.append(signum)) for s in _HELD}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(_HELD)) if hasattr(signal, "pthread_sigmask") else None
    try:
        yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # pending ones arrive now, and are recorded
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in dict.fromkeys(arrived):
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)
