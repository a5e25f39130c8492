"""Time the adversary-aware search cap by cap (run by hand, not by make test; issue #15).

    .venv/bin/python benchmarks/adversary_search.py [configs/eastern-flank.yaml] [--time-limit 300]
        [--nominal-floor F] [--json OUT]

Runs :func:`planner.analysis.adaptive.adversary` with the workers' ``map`` wrapped so that every round of guard
tasks (one per nation at one leak cap) prints its wall time, whether it was the LP relaxations alone or the MILPs,
and each nation's (outcome, seconds, € M, bound € M); at the end the search's and the whole run's seconds, the gap,
and the time spent in the rounds' single-axis evaluations and in the best responses.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from planner.analysis import adaptive, aware
from planner.config.io import load_scenario
from planner.lp import runner as runner_module

LOG: list[dict[str, Any]] = []
SPENT = {"axis_leaks": [0.0, 0], "best_response": [0.0, 0]}


def _wrap_map() -> None:
    plain = runner_module.Runner.map

    def logged(self: Any, tasks: Any, *a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        res = plain(self, tasks, *a, **k)
        if tasks and getattr(tasks[0], "leak_cap", None) is not None:
            LOG.append({"cap": tasks[0].leak_cap, "relax": tasks[0].relax, "wall_s": round(time.perf_counter() - t, 1),
                        "nations": [(r.outcome, round(r.solve_s, 1), round(r.objective / 1e6), round(r.bound / 1e6))
                                    for r in res]})
            print(LOG[-1], flush=True)
        return res

    runner_module.Runner.map = logged  # type: ignore[method-assign]


def _wrap(name: str) -> None:
    plain = getattr(aware, name)

    def timed(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        out = plain(*a, **k)
        SPENT[name][0] += time.perf_counter() - t
        SPENT[name][1] += 1
        return out

    setattr(aware, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="configs/eastern-flank.yaml", type=Path)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--nominal-floor", type=float, default=0.0)
    ap.add_argument("--json", type=Path, help="write the per-cap log here")
    args = ap.parse_args()
    _wrap_map()
    for name in SPENT:
        _wrap(name)
    t0 = time.perf_counter()
    result = adaptive.adversary(load_scenario(args.scenario), time_limit_s=args.time_limit,
                                nominal_floor=args.nominal_floor)
    total = time.perf_counter() - t0
    s = result.summary
    milp = [e for e in LOG if not e["relax"]]
    print(f"end to end {total:.1f} s; search {s['search_s']:.1f} s, gap {s['gap']:.2%}; "
          f"{len(LOG)} rounds of guard tasks ({len(milp)} MILP, {len(LOG) - len(milp)} LP relaxation), "
          f"{sum(e['wall_s'] for e in milp):.1f} s and {sum(e['wall_s'] for e in LOG if e['relax']):.1f} s; "
          + "; ".join(f"{k} {v[0]:.1f} s in {v[1]} calls" for k, v in SPENT.items()))
    if args.json:
        args.json.write_text(json.dumps(LOG, indent=1))


if __name__ == "__main__":
    main()
