"""The procurement pathway (planner.analysis.pathway): lead times delay the effect by their years, production limits
bind, the money committed by each year paces the build-up; hand cases with the answers derived in the docstrings and
stored in tests/data/hand_cases.json."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.analysis.pathway import Schedule, YearPlan, plan_pathway, split
from planner.lp.families import violations
from tests.conftest import ROOT, write_yaml
from tests.lp_helpers import make_problem
from tests.schema_check import assert_matches_schema

CASES = json.loads((ROOT / "tests" / "data" / "hand_cases.json").read_text())
YEARS = (2026, 2027, 2028)


def schedule(committed: list[float], *, lead: tuple[list[int], list[int], list[int]],
             rate: tuple[list[float], list[float], list[float]]) -> Schedule:
    return Schedule(years=YEARS, committed_eur=np.array(committed, dtype=float),
                    lead=tuple(np.array(x, dtype=float) for x in lead),  # type: ignore[arg-type]
                    rate=tuple(np.array(x, dtype=float) for x in rate))  # type: ignore[arg-type]


def kills(yp: YearPlan) -> float:
    return float(np.einsum("nte,et->", yp.exact.engagements, yp.problem.p_kill))


@pytest.mark.parametrize("lead", [0, 1, 2, 3])
def test_a_lead_time_delays_the_effect(lead: int) -> None:
    """One cell of 10 drones, one site; a sensor that sees all (1 €) and two effectors (1 € each): e0 kills 0.5 of
    what it engages, e1 0.9, magazines unlimited; €2 committed by every year's end (a sensor and one effector).

    The end state (2028) buys the sensor and e1: 9 of 10 defeated. With e1's lead time L years, e1 is first in service
    at the end of year L + 1: the years before keep only what the end state buys and is delivered (the sensor), so
    their rate is 0, then 0.9. L = 3 is beyond the pathway: e1 is never delivered, the end state buys e0 (0.5) and so
    does every year."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, 0, 0), (0, 0, 0, 1)], n_sites=1,
                     sensor_cost=[1.0], effector_cost=[1.0, 1.0], p_kill=[[0.5], [0.9]], budget=2.0)
    plans = plan_pathway(p, schedule([2, 2, 2], lead=([0], [0, lead], []), rate=([math.inf], [math.inf] * 2, [])))
    assert [yp.year for yp in plans] == list(YEARS)
    want = CASES["pathway_lead_time"][str(lead)]
    assert [kills(yp) / 10 for yp in plans] == pytest.approx(want, abs=1e-4)
    for yp in plans:
        assert violations(yp.problem, yp.solved) == []


def test_a_production_cap_binds() -> None:
    """One cell of 10 drones, four sites that reach it; a sensor at site 0 sees all. Each effector unit (1 €) fires 2
    shots a raid at 0.5: one kill. With money to spare, four units defeat 4. At most one unit a year is produced: by
    the end of 2026, 2027, 2028 at most 1, 2, 3 are in service: 1, 2, 3 kills. A conventional option (1 €, worth 0.1
    of a kill a unit) with a lead time of a year and 2 units a year: 0, 2, 4 in service (without limits the money
    left would buy 95)."""
    case = CASES["pathway_production"]
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, j, 0) for j in range(4)], n_sites=4,
                     sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[0.5]], magazine=[2.0], budget=100.0,
                     conv_cost=[1.0], conv_score=[1.0], conventional_weight=0.1)
    free = plan_pathway(p, schedule([100] * 3, lead=([0], [0], [0]), rate=([math.inf], [math.inf], [math.inf])))
    assert [int(yp.solved.effectors.sum()) for yp in free] == [case["effectors_without_cap"]] * 3
    plans = plan_pathway(p, schedule([100] * 3, lead=([0], [0], [1]), rate=([math.inf], [1.0], [2.0])))
    assert [int(yp.solved.effectors.sum()) for yp in plans] == case["effectors"]
    assert [kills(yp) for yp in plans] == pytest.approx(case["kills"], abs=1e-4)
    assert [int(round(yp.solved.conventional[0])) for yp in plans] == case["conventional"]
    for yp in plans:
        assert violations(yp.problem, yp.solved) == []


@pytest.mark.parametrize("strategy", ["full", "sectors"])
def test_money_committed_by_year_paces_the_build_up(strategy: str) -> None:
    """The cell, sites and units of the production case, no limits, €2, €3 and €5 committed by the end of 2026, 2027
    and 2028: the sensor and one unit, then two, then four (each €1; a unit a kill): 1, 2, 4 kills. Each year keeps
    what the year before bought."""
    case = CASES["pathway_money"]
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, j, 0) for j in range(4)], n_sites=4,
                     sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[0.5]], magazine=[2.0], budget=5.0,
                     strategy=strategy)
    plans = plan_pathway(p, schedule([2, 3, 5], lead=([0], [0], []), rate=([math.inf], [math.inf], [])))
    assert [int(yp.solved.effectors.sum()) for yp in plans] == case["effectors"]
    assert [kills(yp) for yp in plans] == pytest.approx(case["kills"], abs=1e-4)
    for before, after in zip(plans, plans[1:], strict=False):
        assert (after.solved.effectors >= before.solved.effectors - 1e-9).all()


def test_a_requirement_no_year_can_meet_yet_is_reported() -> None:
    """A surveillance requirement (90% detected) with the only sensor a year away: the first year cannot meet it, so
    it is planned without it and says why; from the second year on the sensor is in service and the requirement
    held."""
    import dataclasses

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 0.95)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.5]], budget=2.0)
    p = dataclasses.replace(p, min_detection=np.array([[0.9]]))
    plans = plan_pathway(p, schedule([2, 2, 2], lead=([1], [0], []), rate=([math.inf], [math.inf], [])))
    assert "systems.min_detection: AA requires 0.900 of t0 detected" in plans[0].unmet
    assert "the systems delivered by then" in plans[0].unmet
    assert [yp.unmet for yp in plans[1:]] == ["", ""]
    assert [int(yp.solved.sensors.sum()) for yp in plans] == [0, 1, 1]


def test_production_limits_count_units_bought_not_units_in_service() -> None:
    """The production case with two units already in service (sites 0 and 1), one more produced a year from the end
    of 2027 (a year's lead time): 2, 3, 4 units in service, never fewer than the two held."""
    import dataclasses

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, j, 0) for j in range(4)], n_sites=4,
                     sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[0.5]], magazine=[2.0], budget=100.0)
    held = np.zeros((4, 1), dtype=bool)
    held[:2] = True
    p = dataclasses.replace(p, in_service_effectors=held)
    plans = plan_pathway(p, schedule([100] * 3, lead=([0], [1], []), rate=([math.inf], [1.0], [])))
    assert [int(yp.solved.effectors.sum()) for yp in plans] == [2, 3, 4]


def test_conventional_holdings_are_kept_beside_production() -> None:
    """Five conventional units held (systems.conventional_min_units), the option a year away: five in 2026 (the
    holdings are no production), more once it is delivered."""
    import dataclasses

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.5]], budget=100.0, conv_cost=[1.0], conv_score=[1.0],
                     conventional_weight=0.1)
    p = dataclasses.replace(p, conv_min_units=np.array([5]))
    plans = plan_pathway(p, schedule([100] * 3, lead=([0], [0], [1]), rate=([math.inf], [math.inf], [2.0])))
    assert [int(round(yp.solved.conventional[0])) for yp in plans] == [5, 7, 9]


@pytest.mark.parametrize("strategy", ["full", "sectors"])
def test_a_nations_cap_holds_in_every_year(strategy: str) -> None:
    """budget.per_nation_eur of €9 and money to spare: a €5 effector (0.9) a year away and a €1 one (0.5, €1 a shot)
    now. Each year's spend, counted on the scenario's own problem (purchases of earlier years included), stays within
    the cap."""
    import dataclasses

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, 0, 0), (0, 0, 0, 1)], n_sites=1,
                     sensor_cost=[1.0], effector_cost=[5.0, 1.0], p_kill=[[0.9], [0.5]], magazine=[5.0, 1e6],
                     cost_per_shot=[0.0, 1.0], budget=100.0, strategy=strategy)
    p = dataclasses.replace(p, nation_cap_eur={0: 9.0})
    plans = plan_pathway(p, schedule([100] * 3, lead=([0], [1, 0], []), rate=([math.inf], [math.inf] * 2, [])))
    for yp in plans:
        assert p.spend_by_nation(yp.exact.sensors, yp.exact.effectors, yp.exact.engagements)[0] <= 9.0 + 1e-6
        assert violations(p, yp.solved) == []


def test_production_goes_first_where_more_is_at_stake() -> None:
    """Two nations, each with two sites in the end state, one unit produced a year; BB's drones are worth 3, AA's 1.
    Shares by D'Hondt on equal holdings tie: the tie goes to BB, so 2026's one unit defends BB (value 3, not 1)."""
    import dataclasses

    det = [(0, 0, 0, 0, 1.0), (1, 0, 2, 0, 1.0)]
    eng = [(0, 0, 0, 0), (0, 0, 1, 0), (1, 0, 2, 0), (1, 0, 3, 0)]
    p = make_problem(demand=[[10.0], [10.0]], det=det, eng=eng, n_sites=4, sensor_cost=[1.0], effector_cost=[1.0],
                     p_kill=[[0.5]], magazine=[2.0], budget=100.0, value=[[1.0], [3.0]], strategy="sectors")
    p = dataclasses.replace(p, nations=("AA", "BB"), cell_nation=np.array([0, 1]), site_nation=np.array([0, 0, 1, 1]))
    sched = Schedule(years=(2026, 2027, 2028, 2029), committed_eur=np.array([100.0] * 4),
                     lead=(np.array([0.0]), np.array([0.0]), np.array([])),
                     rate=(np.array([math.inf]), np.array([1.0]), np.array([])))
    plans = plan_pathway(p, sched)
    assert [round(p.drone_value(yp.exact.engagements), 6) for yp in plans] == [3.0, 4.0, 7.0, 8.0]


def test_a_conventional_floor_out_of_reach_in_the_first_year_is_reported() -> None:
    """objective max_defeat_with_floor (10 points), the conventional option a year away: 2026 cannot hold the floor
    and is planned without it (and says so); 2027 and 2028 hold it."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, 0, 0)], n_sites=1, sensor_cost=[1.0],
                     effector_cost=[1.0], p_kill=[[0.5]], budget=30.0, conv_cost=[1.0], conv_score=[1.0],
                     objective="max_defeat_with_floor", conventional_floor=10.0)
    plans = plan_pathway(p, schedule([20, 25, 30], lead=([0], [0], [1]), rate=([math.inf], [math.inf], [math.inf])))
    assert plans[0].unmet and [yp.unmet for yp in plans[1:]] == ["", ""]
    assert [int(round(yp.solved.conventional[0])) for yp in plans] == [0, 10, 10]


def test_a_year_over_its_unit_limit_is_caught() -> None:
    """The checker holds a plan to the units a pathway allows: two units where one is allowed is a violation."""
    import dataclasses

    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, 1.0)], eng=[(0, 0, j, 0) for j in range(2)], n_sites=2,
                     sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[0.5]], magazine=[2.0], budget=10.0)
    plans = plan_pathway(p, schedule([10] * 3, lead=([0], [0], []), rate=([math.inf], [math.inf], [])))
    limited = dataclasses.replace(p, effector_max_units=np.array([[1.0]]))
    assert any(v.startswith("units of effector effector0 in AA: 2, most 1") for v in violations(limited, plans[0].solved))


@settings(max_examples=200, deadline=None)
@given(weights=st.lists(st.integers(0, 40), min_size=1, max_size=9), totals=st.tuples(st.integers(0, 200),
                                                                                         st.integers(0, 200)))
def test_production_is_shared_monotonically(weights: list[int], totals: tuple[int, int]) -> None:
    """D'Hondt: a larger total never gives a nation fewer units, the units given are the total (below the nations'
    holdings), and a total at or above the holdings limits nothing."""
    w = np.array(weights, dtype=float)
    lo, hi = sorted(totals)
    a, b = split(lo, w), split(hi, w)
    assert (b >= a).all()
    for total, got in ((lo, a), (hi, b)):
        if total >= w.sum():
            assert np.isinf(got).all()
        else:
            assert got.sum() == total and (got[w == 0] == 0).all()


def test_pathway_command_on_the_tiny_scenario(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """`dronewall pathway` end to end: a gun with a year's lead time, interceptor drones two a year, tanks after two
    years; each year's row, units and milestone in the folder."""
    from typer.testing import CliRunner

    from planner.cli import app

    tiny_dict["pathway"] = {"start_year": 2026, "budget_eur_per_year": [5e7, 5e7, 1e8, 1e8],
                            "lead_time_years": {"gun_35mm": 1, "leopard_2a8": 2},
                            "units_per_year": {"interceptor_drone": 2, "leopard_2a8": 3},
                            "milestones": [{"year": 2027, "name": "initial", "defeat_share": 0.3},
                                           {"year": 2029, "name": "all", "detect_share": 0.99}]}
    path = write_yaml(tmp_path / "tiny-pathway.yaml", tiny_dict)
    out = tmp_path / "pathway"
    result = CliRunner().invoke(app, ["pathway", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = assert_matches_schema(out, "pathway")
    rows = doc["years"]
    assert [r["year"] for r in rows] == [2026, 2027, 2028, 2029]
    assert rows[0]["not_yet_delivered"] == "gun_35mm, leopard_2a8" and rows[2]["not_yet_delivered"] == ""
    drones = [r for r in doc["pathway_units"] if r["system"] == "interceptor_drone"]
    by_year = {y: sum(r["units"] for r in drones if r["year"] == y) for y in (2026, 2027, 2028, 2029)}
    assert all(by_year[y] <= 2 * (k + 1) for k, y in enumerate(by_year))
    tanks = {r["year"]: r["units"] for r in doc["pathway_units"] if r["system"] == "leopard_2a8"}
    assert 2026 not in tanks and 2027 not in tanks and tanks.get(2028, 0) <= 3 and tanks.get(2029, 0) <= 6
    assert [r["committed_eur"] for r in rows] == [5e7, 1e8, 2e8, 3e8]
    assert all(r["spent_eur"] <= r["committed_eur"] * (1 + 1e-6) for r in rows)
    assert [r["defeat_share_value_exact"] for r in rows] == sorted(r["defeat_share_value_exact"] for r in rows)
    assert [m["name"] for m in doc["milestones"]] == ["initial", "all"] and doc["milestones"][1]["met"] is False
    assert (out / "pathway.png").stat().st_size > 10_000
    assert "2029 all: missed" in result.output


def test_the_first_year_must_pay_for_what_is_held(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """Units in service and conventional holdings cost money from the first year: too little is refused, naming the
    field, before any solve."""
    from planner.analysis.roadmap import pathway
    from planner.config.io import load_scenario
    from planner.errors import ConfigError

    tiny_dict["systems"]["conventional_min_units"] = {"leopard_2a8": 5}
    tiny_dict["pathway"] = {"start_year": 2026, "budget_eur_per_year": [1e7, 1e8]}
    with pytest.raises(ConfigError, match=r"pathway\.budget_eur_per_year: the first year's €10,000,000 does not pay"):
        pathway(load_scenario(write_yaml(tmp_path / "held.yaml", tiny_dict)))


def test_a_pathway_does_not_take_min_cost(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    from planner.analysis.roadmap import pathway
    from planner.config.io import load_scenario
    from planner.errors import ConfigError

    tiny_dict["objective"] = {"kind": "min_cost", "defeat_targets": {"shahed_136": 0.5}}
    tiny_dict["pathway"] = {"start_year": 2026, "budget_eur_per_year": [1e8]}
    with pytest.raises(ConfigError, match=r"objective\.kind: a pathway plans the most each year's money buys"):
        pathway(load_scenario(write_yaml(tmp_path / "min-cost.yaml", tiny_dict)))


def test_pathway_needs_its_section(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """Bad input: a message naming the section and the fix, exit code 1, no traceback, nothing written."""
    path = write_yaml(tmp_path / "tiny.yaml", tiny_dict)
    done = subprocess.run([sys.executable, "-m", "planner", "pathway", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "pathway: the scenario has no pathway section: add start_year and budget_eur_per_year" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
