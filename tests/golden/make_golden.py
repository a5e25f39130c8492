"""Write the golden plans of the shipped scenarios: builds, conventional units and exact figures.

Run from the repository root, on the commit whose plans are to be kept (a refactor must not move them):

    .venv/bin/python tests/golden/make_golden.py            # tiny, poland, eastern-flank
    PYTHONPATH=/path/to/other/checkout .venv/bin/python tests/golden/make_golden.py --out DIR

tests/test_golden.py solves the same scenarios and compares with these files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONFIGS = HERE.parents[1] / "configs"
SCENARIOS = ("tiny", "poland", "eastern-flank")


#: The solver's time limit for golden plans: long enough that every solve stops at its gap target, not at its
#: deadline, so that the plan does not depend on how busy the machine is (under a 60 s limit a loaded machine
#: stopped national MILPs early and built 70 units fewer). A quiet machine reaches the same plans well within 60 s.
UNHURRIED_S = 900.0


def golden_scenario(name: str) -> Any:
    """The shipped scenario ``name`` with the solver's time limit raised to :data:`UNHURRIED_S`."""
    import dataclasses

    from planner.config.io import load_scenario

    sc = load_scenario(CONFIGS / f"{name}.yaml")
    solver = sc.config.solver.model_copy(update={"time_limit_s": UNHURRIED_S})
    return dataclasses.replace(sc, config=sc.config.model_copy(update={"solver": solver}))


def golden(plan: Any) -> dict[str, Any]:
    """What must not move: every unit built (site, system), the conventional buy, the exact figures."""
    units = plan.units
    built = sorted(f"{r.site_id}:{r.system}" for r in units.itertuples(index=False) if not r.in_service) \
        if len(units) else []
    threats = plan.threats.set_index("threat")
    return {
        "scenario": plan.summary["scenario"],
        "config_hash": plan.summary["config_hash"],
        "built": built,
        "conventional_units": {r.option: int(r.units) for r in plan.conventional.itertuples(index=False)},
        "defeat_rate_exact": {t: round(float(v), 6) for t, v in threats["defeat_rate_exact"].items()},
        "detect_rate_exact": {t: round(float(v), 6) for t, v in threats["detect_rate_exact"].items()},
        "value_defeated_exact": round(float(plan.summary["value_defeated_exact"]), 3),
        "spend_total_eur": round(float(plan.summary["spend_eur"]["total"]), 0),
    }


def main() -> None:
    import planner

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("names", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    print(f"planner from {Path(planner.__file__).parent}", file=sys.stderr)
    for name in args.names:
        plan = planner.solve(golden_scenario(name))
        doc = golden(plan)
        (args.out / f"{name}.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
        print(f"{name}: {len(doc['built'])} units built, gap {plan.summary['solver']['gap']:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
