"""Monte Carlo over the catalogs' ranges: reproducible, within the ranges, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.analysis.stress import load_plan
from planner.analysis.uncertainty import (
    _draw,
    _triangular,
    quantiles,
    ranged_figures,
    sample_catalog,
    uncertainty,
)
from planner.config.catalog import Figure
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.plan import solve_scenario
from planner.report.plan import write_plan
from planner.report.uncertainty import write_uncertainty
from tests.conftest import CONFIGS
from tests.schema_check import assert_matches_schema


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("mc") / "tiny"
    write_plan(solve_scenario(load_scenario(CONFIGS / "tiny.yaml")), out)
    return out


@pytest.fixture(scope="module")
def loaded(plan_dir):
    return load_plan(plan_dir)


def test_same_seed_same_draws(loaded) -> None:
    a = uncertainty(loaded, draws=6, seed=3)
    b = uncertainty(loaded, draws=6, seed=3)
    c = uncertainty(loaded, draws=6, seed=4)
    assert a.draws.equals(b.draws) and a.summary == b.summary
    assert not a.draws["defeat_rate_value"].equals(c.draws["defeat_rate_value"])
    rates = a.draws["defeat_rate_value"]
    assert ((rates >= 0) & (rates <= 1)).all()
    s = a.summary
    assert s["rate_p05"] <= s["rate_p50"] <= s["rate_p95"] and 0 <= s["p_miss_target"] <= 1
    assert s["target"] == pytest.approx(0.8 * s["nominal_rate"])


def test_draws_stay_within_each_range(loaded) -> None:
    rng = np.random.default_rng(0)
    cat = loaded.scenario.catalog
    for _ in range(20):
        drawn = sample_catalog(cat, rng)
        for tid, eff in cat.effectors.items():
            for k, fig in eff.p_kill_per_shot.items():
                v = drawn.effectors[tid].p_kill_per_shot[k].value
                assert (fig.low if fig.low is not None else fig.value) <= v <= \
                    (fig.high if fig.high is not None else fig.value)
        for sid, sensor in cat.sensors.items():
            if sensor.p_detect.low is None and sensor.p_detect.high is None:
                assert drawn.sensors[sid].p_detect.value == sensor.p_detect.value
    assert list(drawn.sensors) == list(cat.sensors) and list(drawn.effectors) == list(cat.effectors)
    fixed = Figure(value=3.0, assumption="a figure without a range stays put")
    assert _draw(fixed, rng) is fixed


def test_outputs_and_bad_arguments(loaded, tmp_path) -> None:
    r = uncertainty(loaded, draws=4, seed=0)
    out = write_uncertainty(r, tmp_path / "mc")
    assert_matches_schema(out, "uncertainty")
    assert (out / "uncertainty.png").stat().st_size > 10_000 and (out / "uncertainty.csv").exists()
    with pytest.raises(ConfigError, match=r"--draws: 0 is too few"):
        uncertainty(loaded, draws=0)
    with pytest.raises(ConfigError, match=r"--target: 2 is not a defeat rate"):
        uncertainty(loaded, draws=1, target=2.0)
    with pytest.raises(ConfigError, match=r"--sampling: 'sobol' is not a sampling: use one of random, lhs"):
        uncertainty(loaded, draws=1, sampling="sobol")
    inputs = pd.read_csv(out / "uncertainty_inputs.csv")
    assert len(inputs) == 4 and inputs.shape[1] == 1 + len(ranged_figures(loaded.scenario.catalog))


def test_draws_without_spread_reproduce_the_plan(loaded, monkeypatch) -> None:
    """With every figure held at its value, each draw is the plan's own exact evaluation and spend."""
    import planner.analysis.uncertainty as mc

    monkeypatch.setattr(mc, "_draw", lambda fig, rng, u=None: fig)
    r = uncertainty(loaded, draws=2, seed=0)
    assert (r.draws["defeat_rate_value"] - r.summary["nominal_rate"]).abs().max() < 1e-9
    planned = loaded.document["spend_eur"]["drone_defence"]
    assert (r.draws["drone_defence_eur"] - planned).abs().max() < 1e-3 * planned


def test_draws_reuse_the_coverage(loaded, monkeypatch) -> None:
    """No draw redoes the geometry: no-fire masks and midpoints come from the loaded plan's coverage (the KD-tree
    is queried again only when a draw's ranges exceed every range queried before)."""
    import planner.geo.coverage as cov

    def no_geometry(*_a, **_k):
        raise AssertionError("a catalog draw rebuilt the coverage")

    monkeypatch.setattr(cov, "build_coverage", no_geometry)
    monkeypatch.setattr("planner.problem.build_coverage", no_geometry)
    r = uncertainty(loaded, draws=3, seed=0)
    assert len(r.draws) == 3


def test_the_inputs_kept_are_the_draws_the_plan_was_evaluated_in(loaded) -> None:
    """Each row of the inputs holds every ranged figure as drawn, within its range; the same seed gives the same
    inputs; and re-drawing the catalog from the same seed reproduces the first row (the inputs are the draws)."""
    a = uncertainty(loaded, draws=3, seed=5)
    b = uncertainty(loaded, draws=3, seed=5)
    assert a.inputs.equals(b.inputs)
    figs = ranged_figures(loaded.scenario.catalog)
    for path, fig in figs.items():
        lo = fig.value if fig.low is None else fig.low
        hi = fig.value if fig.high is None else fig.high
        assert ((a.inputs[path] >= lo) & (a.inputs[path] <= hi)).all(), path
    again = sample_catalog(loaded.scenario.catalog, np.random.default_rng(5))
    path = next(iter(figs))
    kind, key, name = path.split(".")[:3]
    assert getattr(getattr(again, kind)[key], name).value == pytest.approx(a.inputs.loc[0, path])


def test_latin_hypercube_covers_each_range_evenly(loaded) -> None:
    """With n draws, each figure's quantiles fall one in each of the n strata [k/n, (k+1)/n); the triangular
    quantile function maps 0, the mode's share and 1 to low, value and high."""
    cat = loaded.scenario.catalog
    n = 8
    u = quantiles(cat, n, np.random.default_rng(0), "lhs")
    assert u.shape == (n, len(ranged_figures(cat)))
    assert all(sorted(np.floor(u[:, j] * n).astype(int).tolist()) == list(range(n)) for j in range(u.shape[1]))
    assert quantiles(cat, n, np.random.default_rng(0), "random") is None
    assert _triangular(0.0, 1.0, 2.0, 5.0) == pytest.approx(1.0) and _triangular(1.0, 1.0, 2.0, 5.0) == 5.0
    assert _triangular(0.25, 1.0, 2.0, 5.0) == pytest.approx(2.0)
    r = uncertainty(loaded, draws=n, seed=0, sampling="lhs")
    assert r.summary["sampling"] == "lhs" and len(r.draws) == n


def test_first_order_indices_find_the_input_that_matters() -> None:
    """y = 3·x0 + x1 + noise on a Latin hypercube of 20 inputs: S1(x0) = 9/10 and S1(x1) = 1/10 of the variance
    (uniform inputs: Var(a·x) = a²/12), the other 18 explain nothing; RBD-FAST with 200 draws ranks x0 first and
    only x0 stands out of its bootstrap half-width for sure."""
    from scipy.stats import qmc

    from planner.analysis.sensitivity import first_order_indices

    u = qmc.LatinHypercube(d=20, seed=0).random(200)
    y = 3 * u[:, 0] + u[:, 1] + 0.01 * np.random.default_rng(0).normal(size=200)
    table = pd.DataFrame({"defeat_rate_value": y, "drone_defence_eur": np.full(200, 5.0)})
    s = first_order_indices(u, table, [f"x{j}" for j in range(20)], seed=0)
    assert set(s["output"]) == {"defeat_rate_value"}  # the constant cost is left out
    assert s.iloc[0]["input"] == "x0" and s.iloc[0]["S1"] == pytest.approx(0.9, abs=0.1) and s.iloc[0]["stands_out"]
    assert s.set_index("input").loc["x1", "S1"] == pytest.approx(0.1, abs=0.1)
    assert first_order_indices(u[:10], table.head(10), [f"x{j}" for j in range(20)], seed=0).empty


def test_lhs_draws_carry_sensitivity_indices(loaded, tmp_path) -> None:
    r = uncertainty(loaded, draws=30, seed=0, sampling="lhs")
    s = r.sensitivity
    assert len(s) and set(s["input"]) <= set(ranged_figures(loaded.scenario.catalog))
    assert (s["S1_conf"] >= 0).all() and set(r.summary["sensitivity"]) <= {"defeat_rate_value", "drone_defence_eur"}
    out = write_uncertainty(r, tmp_path / "mc")
    assert (out / "uncertainty_sensitivity.csv").exists()
    assert uncertainty(loaded, draws=30, seed=0).sensitivity.empty  # independent draws: no indices


def test_the_briefing_names_what_explains_the_spread(loaded, plan_dir, tmp_path) -> None:
    """The BLUF's 'How sure' bullet names the inputs that stand out of their bootstrap band, and only those."""
    import shutil

    from planner.report.brief import bottom_line, load_run

    run = tmp_path / "run"
    shutil.copytree(plan_dir, run)
    r = uncertainty(loaded, draws=40, seed=1, sampling="lhs")
    write_uncertainty(r, run / "uncertainty")
    text = " ".join(bottom_line(load_run(run)))
    top = r.summary["sensitivity"].get("defeat_rate_value", [])
    assert ("Most of that spread comes from" in text) == bool(top)
    for item in top[:3]:
        assert item["input"] in text


def test_progress_counts_every_draw(loaded) -> None:
    ticks: list[tuple[int, int]] = []
    uncertainty(loaded, draws=3, seed=0, progress=lambda done, total: ticks.append((done, total)))
    assert ticks == [(1, 3), (2, 3), (3, 3)]


def test_a_scenario_whose_drones_carry_no_value_is_refused(tmp_path, tiny_dict) -> None:
    """Decoys alone at decoy_weight 0: no value at stake, so no value-weighted rate to draw (a histogram of NaN
    crashed the chart before)."""
    from tests.conftest import write_yaml

    tiny_dict["threats"]["density"] = [d for d in tiny_dict["threats"]["density"] if d["threat"] == "gerbera_decoy"]
    tiny_dict["objective"]["decoy_weight"] = 0
    out = tmp_path / "plan"
    write_plan(solve_scenario(load_scenario(write_yaml(tmp_path / "no-value.yaml", tiny_dict))), out)
    with pytest.raises(ConfigError, match=r"threats.density: no drone of the scenario carries value \(e.g. only "
                                          r"decoys, with objective.decoy_weight 0\)"):
        uncertainty(load_plan(out), draws=2)
