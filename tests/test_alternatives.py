"""Near-optimal alternatives (issue #13, item 6) on the tiny scenario: every plan reported is within the tolerance of
the best objective the family finds, distinct plans differ, repeats are named as the same plan.

By hand: tiny's budget is €300M and a Leopard 2A8 costs €50M over ten years for 50 drones' worth (weight 50). The
best plan keeps 5 Leopards (250 points of value) and spends the rest on drone defence; with a 10% tolerance a plan
may give up about 34 points of value, so "most tanks" may trade drone defence for a sixth Leopard only if that
costs less than 34 of the best plan's ≈ 93 points of drone value.
"""

from __future__ import annotations

import pytest

from planner.analysis.alternatives import alternatives
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.report.alternatives import write_alternatives
from tests.conftest import CONFIGS
from tests.schema_check import assert_matches_schema


@pytest.fixture(scope="module")
def result():
    return alternatives(load_scenario(CONFIGS / "tiny.yaml"), tolerance=0.10)


def test_each_within_its_tolerance(result) -> None:
    best = result.meta["best_objective"]
    assert best > 250  # five Leopards alone are worth 250
    for r in result.table.itertuples():
        assert r.objective >= (1 - 0.10) * best - 1e-6, r.plan
        assert r.below_best <= 0.10 + 1e-9
        assert r.drone_defence_eur + r.conventional_eur <= 3.0e8 * (1 + 1e-9)


def test_distinct_plans_differ_and_repeats_are_named(result) -> None:
    t = result.table
    distinct = t[t["same_as"] == ""]["plan"].tolist()
    assert distinct[0] == "best" and set(result.plans) == set(distinct)
    built = {name: frozenset(map(tuple, result.plans[name].sites[["site_id", "systems"]].itertuples(index=False)))
             for name in distinct}
    units = {name: result.plans[name].summary["conventional_capability"] for name in distinct}
    for i, a in enumerate(distinct):
        for b in distinct[i + 1:]:
            assert built[a] != built[b] or units[a] != units[b], (a, b)
    for r in t[t["same_as"] != ""].itertuples():
        assert r.same_as in distinct


def test_most_tanks_keeps_at_least_the_best_plans_tanks(result) -> None:
    t = result.table.set_index("plan")
    assert t.loc["most_tanks", "units_leopard_2a8"] >= t.loc["best", "units_leopard_2a8"]
    assert t.loc["most_drone_defence", "objective"] >= (1 - 0.10) * result.meta["best_objective"] - 1e-6


def test_written_files(result, tmp_path) -> None:
    out = write_alternatives(result, tmp_path / "alternatives")
    assert_matches_schema(out, "alternatives")
    assert {"alternatives.csv", "alternatives.json", "alternatives.png", "plans"} <= {f.name for f in out.iterdir()}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"tolerance": 0.0}, "--tolerance: 0 is not a tolerance: give a share between 0 and 1"),
    ({"tolerance": 1.5}, "--tolerance: 1.5 is not a tolerance"),
    ({"aims": ("most_cheese",)}, "--aims: most_cheese: not an aim; use some of most_tanks"),
])
def test_bad_options(kwargs, message) -> None:
    with pytest.raises(ConfigError, match=message):
        alternatives(load_scenario(CONFIGS / "tiny.yaml"), **kwargs)
