"""Where one nation's LP gap sits (issue #18): its priced MILP solved with the builds of some types made continuous.
Run by hand, not by make test.

    .venv/bin/python benchmarks/integrality.py configs/eastern-flank.yaml FI --site-spacing-m 2000 \\
        --relax "all;sensors;effectors;interceptor_drone;radar_short_3d;interceptor_drone,radar_short_3d"

The nation's model at the first price sectors tries (as ``benchmarks/national_milp.py`` builds it) is written to a
temporary MPS file and read by HiGHS (highspy) once per case; each case makes continuous the builds of every sensor
(``sensors``), every effector (``effectors``), every type (``all``: the LP relaxation) or the types named, and
solves the rest as a MILP on one thread to a 0.5% gap or the time limit. ``none`` is the MILP itself. A type whose
relaxation alone brings the bound near the LP's carries the gap; prints one Markdown row per case.

``--variants`` changes the nation's problem before the cases, to see which part of the model the gap comes from:
``free_sensors`` (sensors cost nothing to buy or run), ``free_effectors`` (likewise the effectors; their shots
still cost), ``sparse_sensors<k>`` (sensors only at every k-th station), ``sure_looks`` (one look of any sensor detects with
probability 0.999 at least), ``deep_magazines`` (every magazine a thousand times
deeper), ``one_layer`` (every effector in one layer), ``as_is`` (no change); one table per variant.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np
from nation import national_part, shape_arguments  # benchmarks/ is the script's own folder, first on the path

from planner.lp.formulation import build_model
from planner.problem import PlanningProblem


def _continuous(names: list[str], integer: np.ndarray, case: str) -> np.ndarray:
    """Indices of the integer columns the case makes continuous (pulp names builds build_<kind>_<site>,<type>_)."""
    def hit(name: str) -> bool:
        if case == "all":
            return True
        if case in ("sensors", "effectors"):
            return name.startswith(f"build_{case[:-1]}_")
        return any(name.endswith(f",{t}_") for t in case.split(","))
    return np.array([i for i in np.flatnonzero(integer) if case != "none" and hit(names[i])], dtype=np.int32)


def _variant(p: PlanningProblem, name: str) -> PlanningProblem:
    if name == "free_sensors":
        return dataclasses.replace(p, sensor_unit_cost_eur=np.zeros_like(p.sensor_unit_cost_eur),
                                   sensor_operating_eur_per_year=np.zeros_like(p.sensor_operating_eur_per_year))
    if name == "free_effectors":
        return dataclasses.replace(p, effector_unit_cost_eur=np.zeros_like(p.effector_unit_cost_eur),
                                   effector_operating_eur_per_year=np.zeros_like(p.effector_operating_eur_per_year))
    if name == "sure_looks":  # one look of any sensor detects (almost) surely: no gain from a second look
        return dataclasses.replace(p, det_weight=np.maximum(p.det_weight, -np.log(1e-3)))
    if name == "deep_magazines":
        return dataclasses.replace(p, effector_magazine=1000.0 * p.effector_magazine)
    if name == "one_layer":
        return dataclasses.replace(p, layer_rank=np.zeros((0, 0), dtype=np.int64),
                                   layer_follow=np.zeros((0, 0, 0, 0), dtype=bool))
    if name.startswith("sparse_sensors"):  # sensors only at every k-th station (a station's depths are neighbours)
        k = int(name.removeprefix("sparse_sensors"))
        keep = (p.det_site // 2) % k == 0
        return dataclasses.replace(p, **{f: getattr(p, f)[keep] for f in ("det_cell", "det_threat", "det_site",
                                                                          "det_sensor", "det_weight")})
    if name != "as_is":
        raise SystemExit(f"unknown variant {name!r}: as_is, free_sensors, deep_magazines or one_layer")
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shape_arguments(ap)
    ap.add_argument("--relax", default="all;sensors;effectors;none", help="cases separated by ';'")
    ap.add_argument("--time-limit", type=float, default=90.0)
    ap.add_argument("--variants", default="as_is", help="changes to the problem, separated by ';'")
    a = ap.parse_args()
    _, part, mu = national_part(a)
    for variant in a.variants.split(";"):
        print(f"\n{variant}:")
        _table(_variant(part, variant), mu, a)


def _table(sub: PlanningProblem, mu: float, a: argparse.Namespace) -> None:
    prob, _ = build_model(sub, money_price=mu)
    print(f"{a.nation}: {len(sub.cell_ids)} cells, {len(sub.site_ids)} sites, price {mu * 1e6:.4g} per M€")
    print("| builds made continuous | columns | wall s | plan | bound | status |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nation.mps"
        prob.writeMPS(str(path))
        for case in a.relax.split(";"):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("threads", 1)
            h.readModel(str(path))
            h.changeObjectiveSense(highspy.ObjSense.kMaximize)  # the MPS file keeps pulp's sense only as a comment
            lp = h.getLp()
            names = [h.getColName(i)[1] for i in range(lp.num_col_)]
            integer = np.array([int(v) > 0 for v in lp.integrality_], dtype=bool)
            idx = _continuous(names, integer, case)
            if len(idx):
                h.changeColsIntegrality(len(idx), idx, np.zeros(len(idx), dtype=np.uint8))
            h.setOptionValue("time_limit", a.time_limit)
            h.setOptionValue("mip_rel_gap", 0.005)
            t0 = time.perf_counter()
            h.run()
            info = h.getInfo()
            bound = info.objective_function_value if len(idx) == int(integer.sum()) else info.mip_dual_bound
            print(f"| {case} | {len(idx)} | {time.perf_counter() - t0:.1f} | {info.objective_function_value:.2f} | "
                  f"{bound:.2f} | {h.modelStatusToString(h.getModelStatus())} |", flush=True)


if __name__ == "__main__":
    main()
