"""``python -m planner`` and the ``dronewall`` console script.

The command line is imported inside :func:`main`, so that Ctrl-C while it loads ends with the same
message and exit code as Ctrl-C later on, not a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Load the command line and run it."""
    try:
        from planner.cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing was written\n")
        sys.exit(130)
    cli_main()


if __name__ == "__main__":
    main()
