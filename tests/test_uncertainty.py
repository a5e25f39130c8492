"""Monte Carlo over the catalogs' ranges: reproducible, within the ranges, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis.stress import load_plan
from planner.analysis.uncertainty import _draw, sample_catalog, uncertainty
from planner.config.catalog import Figure
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.plan import solve_scenario
from planner.report.plan import write_plan
from planner.report.uncertainty import write_uncertainty
from tests.conftest import CONFIGS


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    out = tmp_path_factory.mktemp("mc") / "tiny"
    write_plan(solve_scenario(load_scenario(CONFIGS / "tiny.yaml")), out)
    return load_plan(out)


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
    assert (out / "uncertainty.png").stat().st_size > 10_000 and (out / "uncertainty.csv").exists()
    with pytest.raises(ConfigError, match=r"--draws: 0 is too few"):
        uncertainty(loaded, draws=0)
    with pytest.raises(ConfigError, match=r"--target: 2 is not a defeat rate"):
        uncertainty(loaded, draws=1, target=2.0)


def test_draws_without_spread_reproduce_the_plan(loaded, monkeypatch) -> None:
    """With every figure held at its value, each draw is the plan's own exact evaluation and spend."""
    import planner.analysis.uncertainty as mc

    monkeypatch.setattr(mc, "_draw", lambda fig, rng: fig)
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
