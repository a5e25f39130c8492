"""``python -m planner.cli``: the ``dronewall`` command line (as ``python -m planner``)."""

from planner.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
