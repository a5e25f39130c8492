"""Worker pools left by an interrupt (planner.workers): killing the workers unblocks a task still being written to
them, so the process can exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a pipe's buffer and SIGKILL, Linux")

#: Two workers busy, then a task too big for the pipe: the queue's feeder thread blocks writing it. After
#: kill_workers, the interpreter must be able to exit (it joins the pool's threads, which join the feeder).
SCRIPT = textwrap.dedent("""
    import time
    from planner.workers import process_pool

    with process_pool(2) as pool:
        busy = [pool.submit(time.sleep, 60) for _ in range(2)]
        time.sleep(3)  # the workers have started and taken their tasks
        big = pool.submit(len, b"x" * 64_000_000)  # more than the pipe holds: the feeder blocks writing it
        time.sleep(1)
        pool.kill_workers()
    print("left the pool")
""")


def test_killed_workers_do_not_hold_the_exit() -> None:
    """On Pythons whose pool does not close its own reading end when it breaks (3.11.2, Debian 12's; cpython
    gh-94777), the blocked feeder thread kept the process alive for ever after Ctrl-C; kill_workers closes it."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "left the pool"


#: A worker dies (as one killed for memory); the pool is broken; kill_workers() on it, twenty pools in a row.
BROKEN = textwrap.dedent("""
    import concurrent.futures as cf
    import os
    import signal
    from planner.workers import process_pool

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if __name__ == "__main__":
        for _ in range(20):
            with process_pool(2) as pool:
                try:
                    pool.submit(die).result()
                except cf.process.BrokenProcessPool:
                    pool.kill_workers()  # what a Runner's fallback does for a worker killed for memory
        print("twenty broken pools")
""")


def test_killing_the_workers_of_a_broken_pool_is_clean(tmp_path) -> None:  # noqa: ANN001
    """Where the pool has broken (a worker died), the standard library closes the pipe itself: kill_workers must not
    close it again (a second close raced it: tracebacks from the pool's thread on 3.12 and 3.13, a hang on 3.11.7)."""
    script = tmp_path / "broken.py"  # a file: the spawned workers import the function they run from it
    script.write_text(BROKEN)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "twenty broken pools"
    assert "Exception in thread" not in done.stderr and "Traceback" not in done.stderr, done.stderr
