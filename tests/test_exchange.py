"""Cost-exchange three ways on a hand-checkable plan."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planner.analysis.exchange import exchange_table
from planner.plan import solve_problem
from tests.lp_helpers import make_problem


def test_three_ways_by_hand() -> None:
    """One cell, λ = 10 per raid, one raid; sensor pd 0.9 and effector pk 0.5 at €1 each, €0.10 a shot;
    the drone costs €1; the cell's nearest assets are worth 100 (× 100,000 residents).

    LP: detection promise 10 · 0.89055 = 8.9055 engaged, 4.4528 killed, munitions €0.89055.
    (a) munitions per kill 0.89055 / 4.4528 = €0.2, exchange ratio 0.2;
    (b) all-in €2.89055 per 4.4528 kills = €0.64916, ratio 0.64916;
    (c) exact: 9 engaged, 4.5 killed, 5.5 leak; value protected 4.5 · 10⁷ = 4.5·10⁷ resident-drones,
        exposure left 5.5·10⁷, per €2.89055 = 1.5568·10¹³ per M€."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 0.9)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.5]], cost_per_shot=[0.1], budget=3.0)
    p = dataclasses.replace(p, cell_asset_value=np.array([100.0]))
    lp, exact = solve_problem(p)
    t = exchange_table(p, lp.sensors, lp.effectors, lp.engagements, exact.engagements)
    assert list(t["nation"]) == ["AA", "AA", "all", "all"] and list(t["threat"]) == ["t0", "all", "t0", "all"]
    row = t.iloc[0]
    assert row["defeated_lp"] == pytest.approx(4.452752, abs=1e-5)
    assert row["munitions_eur"] == pytest.approx(0.890550, abs=1e-5)
    assert row["munitions_eur_per_defeat"] == pytest.approx(0.2, abs=1e-9)
    assert row["munitions_exchange_ratio"] == pytest.approx(0.2, abs=1e-9)
    assert row["all_in_eur"] == pytest.approx(2.890550, abs=1e-5)
    assert row["all_in_eur_per_defeat"] == pytest.approx(0.649161, abs=1e-5)
    assert row["defeated_exact"] == pytest.approx(4.5, abs=1e-6)
    assert row["leakers_exact"] == pytest.approx(5.5, abs=1e-6)
    assert row["value_protected"] == pytest.approx(4.5e7, rel=1e-6)
    assert row["exposure_left"] == pytest.approx(5.5e7, rel=1e-6)
    assert row["value_protected_per_meur"] == pytest.approx(4.5e7 / 2.890550e-6, rel=1e-5)
    # the 'all' rows repeat the single class and nation
    assert t.iloc[3]["all_in_eur"] == pytest.approx(row["all_in_eur"])


def test_decoys_protect_no_value_and_nothing_defeated_gives_nan() -> None:
    """A decoy class carries no warhead: defeating it protects no value. A plan that defeats nothing
    has no exchange ratio (NaN, written as null), not a division by zero."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 0.9)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.5]], decoy=[True], budget=3.0)
    p = dataclasses.replace(p, cell_asset_value=np.array([100.0]))
    lp, exact = solve_problem(p)
    t = exchange_table(p, lp.sensors, lp.effectors, lp.engagements, exact.engagements)
    assert t.iloc[0]["value_protected"] == 0.0 and t.iloc[0]["defeated_exact"] > 0
    nothing = exchange_table(p, lp.sensors * 0, lp.effectors * 0, lp.engagements * 0, exact.engagements * 0)
    assert np.isnan(nothing.iloc[0]["munitions_eur_per_defeat"]) and np.isnan(nothing.iloc[0]["all_in_exchange_ratio"])
