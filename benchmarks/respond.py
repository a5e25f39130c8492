"""The adversary's best response to a plan (issue #15), timed (run by hand, not by make test).

    .venv/bin/python benchmarks/respond.py out/eastern-flank [--concentrate 0.5] [--repeat 2]

Reads a ``dronewall run`` folder, builds the scenario's adversary (its ``adversary`` section, ``--concentrate``
overriding its concentrate_share) and finds the best response ``--repeat`` times with one set of worker processes:
the first includes starting them. Prints the choice, the value leaked against the scenario's raid, the national LPs
solved and the seconds of each run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from planner.adversary import SPREAD, build_attacker
from planner.analysis.respond import best_response
from planner.analysis.stress import load_plan
from planner.config.adversary import AdversaryConfig
from planner.lp.solve import workers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("plan_dir", type=Path)
    ap.add_argument("--concentrate", type=float, default=None, help="adversary.concentrate_share for this run")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    loaded = load_plan(args.plan_dir)
    adv = loaded.scenario.config.adversary or AdversaryConfig.model_validate({})
    if args.concentrate is not None:
        adv = adv.model_copy(update={"concentrate_share": args.concentrate})
    t0 = time.perf_counter()
    att = build_attacker(loaded.scenario, loaded.theater, loaded.coverage, loaded.problem, adv)
    print(f"attacker: {len(att.axis_names)} axes, {len(att.profiles)} profiles, {len(att.decoy_shares)} decoy shares, "
          f"{len(att.groups)} group(s), built in {time.perf_counter() - t0:.2f} s")
    with workers(loaded.problem) as runner:
        for k in range(args.repeat):
            t = time.perf_counter()
            r = best_response(att, loaded.fixed, runner)
            where = ", ".join("spread" if a == SPREAD else att.axis_names[a] for a in r.axes)
            print(f"run {k + 1}: {where}, profile {r.profile}, decoy share {r.decoy_share}: leaked {r.damage:,.1f} "
                  f"against {r.nominal_damage:,.1f}; {r.evaluations} national LPs in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
