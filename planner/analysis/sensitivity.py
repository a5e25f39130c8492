"""Global sensitivity indices of a Monte Carlo over the catalogs (docs/analyses.md, Uncertainty).

From the draws a Latin-hypercube Monte Carlo already made (``dronewall uncertainty --sampling lhs``), the
first-order Sobol index S1 of each ranged catalog figure on each output (the plan's value-weighted defeat rate and
its drone-defence cost in the draw): the share of the output's variance that the figure explains alone. Estimated
by RBD-FAST (SALib, Tarantola et al. 2006; Plischke 2010), which needs no extra model runs, on the draws'
quantiles (uniform on [0, 1]: S1 does not change under the monotone map to each figure's triangular values), with
a bootstrap confidence half-width. With ~100 draws and ~150 figures an index below its half-width is noise: the
table marks which indices stand out.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd

#: The fewest draws for which indices are estimated.
MIN_DRAWS = 30
#: The outputs whose indices are estimated (columns of the uncertainty table).
OUTPUTS = ("defeat_rate_value", "drone_defence_eur")


def first_order_indices(u: np.ndarray, table: pd.DataFrame, names: list[str], *, seed: int,
                        outputs: tuple[str, ...] = OUTPUTS, resamples: int = 100) -> pd.DataFrame:
    """S1 (RBD-FAST) and its 95% bootstrap half-width for each input column of ``u`` (draws × inputs, uniform
    quantiles, a Latin hypercube) on each output of ``table`` (one row per draw); outputs that do not vary are left
    out. Rows sorted by output, then S1 falling; ``stands_out``: S1 larger than its half-width."""
    from SALib.analyze import rbd_fast

    n, k = u.shape
    if n < MIN_DRAWS or k == 0:
        return pd.DataFrame(columns=["output", "input", "S1", "S1_conf", "stands_out"])
    problem = {"num_vars": k, "names": names, "bounds": [[0.0, 1.0]] * k}
    rows = []
    for out in outputs:
        y = table[out].to_numpy(float)
        if not np.isfinite(y).all() or np.ptp(y) <= 1e-12 * max(abs(float(y.mean())), 1.0):
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            res = rbd_fast.analyze(problem, u, y, M=max(2, min(10, n // 10)), num_resamples=resamples,
                                   conf_level=0.95, seed=seed)
        for name, s1, conf in zip(names, res["S1"], res["S1_conf"], strict=True):
            rows.append({"output": out, "input": name, "S1": float(s1), "S1_conf": float(conf),
                         "stands_out": bool(s1 - conf > 0)})
    df = pd.DataFrame(rows, columns=["output", "input", "S1", "S1_conf", "stands_out"])
    return df.sort_values(["output", "S1"], ascending=[True, False]).reset_index(drop=True)
