"""Golden plans: the shipped scenarios' plans do not move under a refactor.

tests/golden/*.json were written by tests/golden/make_golden.py at commit c6e657f (before the optimizer core
was cut into constraint families). A change that is meant to move a plan (a model change) re-writes them
with that script and says so in its commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import planner
from tests.golden.make_golden import golden, golden_scenario

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.slow
@pytest.mark.pinned_versions
@pytest.mark.parametrize("name", ["tiny", "poland", "eastern-flank"])
def test_plan_matches_golden(name: str) -> None:
    want = json.loads((GOLDEN / f"{name}.json").read_text())
    got = golden(planner.solve(golden_scenario(name)))
    assert got["built"] == want["built"]
    assert got["conventional_units"] == want["conventional_units"]
    for key in ("defeat_rate_exact", "detect_rate_exact"):
        assert got[key] == pytest.approx(want[key], abs=1e-6), key
    assert got["value_defeated_exact"] == pytest.approx(want["value_defeated_exact"], rel=1e-6)
    assert got["spend_total_eur"] == pytest.approx(want["spend_total_eur"], rel=1e-9)
