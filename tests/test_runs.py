"""Reach and magazine rows over runs of consecutive sites (planner.lp.runs; issue #18) are an exact reformulation:
the same optimum, the same LP relaxation and the same exact evaluation as the rows written site by site."""

from __future__ import annotations

import dataclasses

import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import planner.lp.kill_chain as kill_chain
from planner.lp.export import evaluation_duals
from planner.lp.formulation import build_model
from planner.lp.result import FixedPlan
from planner.lp.runs import chain, run_terms, runs
from planner.lp.solve import solve
from planner.lp.solver import make_solver, quiet_stdout
from planner.problem import PlanningProblem
from tests.lp_helpers import make_problem


def test_runs_along_a_chain() -> None:
    """Chain of sites 2, 5, 7, 9, 11 (positions 0-4): sites 5, 7 and 11 are two runs, positions 1-2 and 4; a site off
    the chain (6) gives None. The sum over them is P2 − P0 + P4 − P3."""
    sites = np.array([2, 5, 7, 9, 11])
    assert runs(sites, [5, 7, 11]) == [(1, 2), (4, 4)]
    assert runs(sites, [2, 5, 7, 9, 11]) == [(0, 4)]
    assert runs(sites, [5, 6]) is None and runs(sites, [12]) is None
    prob = pulp.LpProblem("chain", pulp.LpMaximize)
    y = {j: prob.add_variable(f"y{j}", 0, 1) for j in sites.tolist()}
    ch = chain(prob, list(y.items()), lambda j: 1.0, "p")
    terms = run_terms(ch, [5, 7, 11], 2.0)
    assert terms is not None
    assert [(v.name, c) for v, c in terms] == [("p_2_", 2.0), ("p_0_", -2.0), ("p_4_", 2.0), ("p_3_", -2.0)]


def _border(n_cells: int, n_sites: int, reach: list[list[tuple[int, int]]], magazine: float,
            classes: int = 2, short: int | None = None) -> PlanningProblem:
    """Cells 0..n−1 along a border, one sensor type at every site seeing every cell and class (p 0.8), effector types
    whose unit at site j engages the cells reach[e][j] = (first, last) (first > last: none), each type its own layer.
    Every class is reached alike (so the classes share one cover variable per cell and type), except that the last
    class is not reached from site ``short`` (its reach rows then stand apart)."""
    eng = [(i, t, j, e) for e, spans in enumerate(reach) for j, (a, b) in enumerate(spans) for i in range(a, b + 1)
           for t in range(classes) if not (t == classes - 1 and j == short)]
    return make_problem(demand=[[2.0 + i % 3, 1.0 + i % 2][:classes] for i in range(n_cells)],
                        det=[(i, t, j, 0, 0.8) for i in range(n_cells) for t in range(classes) for j in range(n_sites)],
                        eng=eng, n_sites=n_sites, sensor_cost=[3.0], effector_cost=[4.0 + e for e in range(len(reach))],
                        p_kill=[[0.7, 0.5][:classes] for _ in reach], budget=40.0, magazine=[magazine] * len(reach),
                        layer_rank=[[e] * classes for e in range(len(reach))])


def _optimum(p: PlanningProblem, *, relax: bool) -> tuple[float, bool]:
    """The model's optimum, and whether it holds any prefix sum (a row written over runs)."""
    prob, _ = build_model(p, relax=relax)
    with quiet_stdout():
        prob.solve(make_solver(p.solver, mip=not relax))
    assert prob.status == pulp.LpStatusOptimal
    return float(pulp.value(prob.objective)), any(v.name.startswith("chain_") for v in prob.variables())


def _both_ways(monkeypatch: pytest.MonkeyPatch, p: PlanningProblem
               ) -> tuple[list[tuple[float, bool]], list[tuple[float, bool]]]:
    """The MILP's and the LP relaxation's optimum with every row site by site, then with every row over runs."""
    out = []
    for at_least in (10**9, 1):
        with monkeypatch.context() as m:
            m.setattr(kill_chain, "RUN_MIN_SITES", at_least)
            out.append([_optimum(p, relax=False), _optimum(p, relax=True)])
    return out[0], out[1]


SPANS = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=4, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reach=st.lists(SPANS, min_size=1, max_size=2), magazine=st.sampled_from([1.0, 2.5, 1e6]),
       classes=st.sampled_from([1, 2]), short=st.integers(0, 8))
def test_runs_keep_the_optimum_and_the_relaxation(monkeypatch: pytest.MonkeyPatch, reach: list[list[tuple[int, int]]],
                                                   magazine: float, classes: int, short: int) -> None:
    """Random reaches along a border (a unit reaches a span of cells, or none; one or two classes, sharing a cover
    variable or not), written site by site and then with every row over runs (RUN_MIN_SITES = 1): the MILP's optimum
    and the LP relaxation's agree to 1e-7, and the second model does hold prefix sums."""
    n_sites = max(len(spans) for spans in reach)
    reach = [spans + [(1, 0)] * (n_sites - len(spans)) for spans in reach]
    p = _border(6, n_sites, reach, magazine, classes, short)
    assume(len(p.eng_cell) > 0)  # some unit reaches some cell (not so when the one reaching site is the short one)
    plain, chained = _both_ways(monkeypatch, p)
    assert not plain[0][1] and chained[0][1] and chained[1][1]
    assert [v for v, _ in chained] == pytest.approx([v for v, _ in plain], rel=1e-7, abs=1e-7)


def test_runs_keep_the_hand_optimum_and_the_exact_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four cells, five sites; one type whose unit at site j reaches cells j−1..j (site 0: cell 0; site 4: cell 3),
    its magazine of 3 shots a raid shared evenly among them (so magazines bind at demands 2, 3, 4, 2), the sensor at
    every site. Solved (with the independent checker behind every solve) and evaluated exactly with every row site by
    site and then over runs: the same optimum, and the same exact value of the site-by-site plan."""
    reach = [[(0, 0), (0, 1), (1, 2), (2, 3), (3, 3)]]
    p = dataclasses.replace(_border(4, 5, reach, 3.0, classes=1), demand=np.array([[2.0], [3.0], [4.0], [2.0]]))
    with monkeypatch.context() as m:
        m.setattr(kill_chain, "RUN_MIN_SITES", 10**9)
        plain = solve(p)
        fixed = FixedPlan(sensors=plain.sensors, effectors=plain.effectors, conventional=plain.conventional,
                          cost_eur=p.costs(plain.sensors, plain.effectors, plain.engagements,
                                           plain.conventional)["total"], engagements=plain.engagements)
        exact_plain = solve(p, fixed=fixed)
    with monkeypatch.context() as m:
        m.setattr(kill_chain, "RUN_MIN_SITES", 1)
        chained = solve(p)
        exact_chained = solve(p, fixed=fixed)
        duals = evaluation_duals(p, fixed)  # the chains' rows are no magazine rows (found by review)
    assert chained.objective == pytest.approx(plain.objective, rel=1e-9)
    assert exact_chained.objective == pytest.approx(exact_plain.objective, rel=1e-9)
    assert set(duals.loc[duals["family"] == "magazine", "cell_id"]) <= set(p.cell_ids.tolist())
    assert plain.effectors.sum() >= 1  # the case engages: the rows over runs were exercised


def test_runs_shared_cover_row_keeps_its_signs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cells, two classes reached alike (one cover variable per cell), one type: sites 0-1 reach cell 1, sites 2-3
    cell 0; budget 8 buys one sensor (3) and one unit (4), so one cell is covered. Over runs, cell 0's cover is
    P_3 − P_1: a unit at site 0 or 1 must not count for it (written P_3 + P_1 it did, and the optimum covered both
    cells: found by review). Both optima agree, and the chained model does hold a shared cover row."""
    p = dataclasses.replace(_border(2, 4, [[(1, 1), (1, 1), (0, 0), (0, 0)]], 1e6), budget_eur=8.0)
    plain, chained = _both_ways(monkeypatch, p)
    with monkeypatch.context() as m:
        m.setattr(kill_chain, "RUN_MIN_SITES", 1)
        prob, _ = build_model(p)
    assert any(str(c.name).startswith("cover_") for c in prob.constraints()) and chained[0][1]
    assert [v for v, _ in chained] == pytest.approx([v for v, _ in plain], rel=1e-9)
