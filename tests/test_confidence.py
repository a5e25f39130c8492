"""Honest confidence (issue #13, item 7): the status in words with enough digits, and the drone-defence part's
gap beside the whole objective's, derived by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planner.lp.result import SolveInfo
from planner.lp.solve import solve
from planner.plan import confidence, gap_text, value_of
from tests.lp_helpers import make_problem


@pytest.mark.parametrize(("gap", "target", "text"), [
    (0.0103, 0.01, "the solver stopped 1.03% from the best bound, above the 1% target: the plan may be improvable"),
    (0.0045, 0.01, "the plan is proven within 0.45% of the best (target 1%)"),
    (0.01, 0.01, "the plan is proven within 1.00% of the best (target 1%)"),
    (0.234, 0.01, "the solver stopped 23.4% from the best bound, above the 1% target: the plan may be improvable"),
    (None, 0.01, "no proven gap (the solver returned no bound)"),
])
def test_gap_in_words(gap, target, text) -> None:
    assert gap_text(gap, target) == text


def test_the_drone_part_gap_charges_all_slack_to_drone_defence() -> None:
    """One cell, λ = 10 drones per raid, one sensor (pd 0.9) and one effector (pk 0.5) at €1 each, budget €2:
    the plan promises V ≈ 4.45 drones defeated (the chords of 1 − e^(−δ) promise a little under 9 detected, half
    of them defeated). Suppose the objective were 100 (V plus conventional value) and the bound 101: slack 1,
    whole gap 1/101 ≈ 0.99%, drone part at most 1/V ≈ 22.5%."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 0.9)], eng=[(0, 0, 1, 0)], n_sites=2, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.5]], budget=2.0)
    s = solve(p)
    v = value_of(p, s)
    assert 4.4 < v < 4.5
    s = dataclasses.replace(s, objective=100.0, gap=1 / 101, info=SolveInfo(strategy="sectors", bound=101.0))
    got = confidence(p, s)
    assert got["gap_drone_defence_max"] == pytest.approx(1 / v)
    assert got["status_text"] == "the solver stopped 0.99% from the best bound, above the 0% target: the plan may be improvable"
    # without a bound (one model), the slack is at most gap·|plan| / (1 − gap): with the bound at 101 the
    # relative gap is 1/101, and the slack recovered is the true one, 1
    s2 = dataclasses.replace(s, info=SolveInfo(strategy="full"), gap=1 / 101)
    assert confidence(p, s2)["gap_drone_defence_max"] == pytest.approx(1 / v)
    assert "gap_by_nation_last_price" not in confidence(p, s2)
    assert np.isfinite(got["gap_drone_defence_max"])
