"""The decomposition by nation (strategy ``sectors``): its bound, its plans and when it applies."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InfeasibleError
from planner.lp import runner, sectors
from planner.lp.families import national, parts, violations
from planner.lp.formulation import build_model
from planner.lp.solve import solve
from planner.lp.solver import mip_dual_bound
from planner.plan import solve_problem, value_of
from planner.settings import SolverSettings
from tests.lp_helpers import make_problem


def nations(p, cell_nation: list[int], site_nation: list[int], **kw):
    """Assign cells and sites to nations AA, BB, … and switch to the sectors strategy."""
    n = max(cell_nation + site_nation) + 1
    return dataclasses.replace(p, nations=tuple(chr(65 + k) * 2 for k in range(n)),
                               cell_nation=np.array(cell_nation), site_nation=np.array(site_nation),
                               solver=p.solver.replace(strategy="sectors", **kw))


def two_cells(**kw):
    """Cell 0 (nation AA, λ = 10) is seen by sensor site 0 and engaged from site 1; cell 1 (BB, λ = 4)
    likewise from sites 2 and 3. Sensors pd 0.9 and effectors pk 0.5 cost €1 each; a conventional unit
    costs €2 and is worth w = 0.5 per capability point."""
    base = dict(demand=[[10.0], [4.0]], det=[(0, 0, 0, 0, 0.9), (1, 0, 2, 0, 0.9)],
                eng=[(0, 0, 1, 0), (1, 0, 3, 0)], n_sites=4, sensor_cost=[1.0], effector_cost=[1.0],
                p_kill=[[0.5]], budget=4.0, conv_cost=[2.0], conv_score=[1.0], conventional_weight=0.5, gap=0.0)
    return nations(make_problem(**{**base, **kw}), [0, 1], [0, 0, 1, 1])


def test_two_nations_hand_case() -> None:
    """The kill chain of cell 0 promises 10 · 0.89055 · 0.5 = 4.4528 for €2 (2.226 per €), cell 1's
    4 · 0.89055 · 0.5 = 1.7811 for €2 (0.891 per €), a conventional unit 0.5 for €2 (0.25 per €). With €4
    both chains are bought (6.2339); with €3 only cell 0's, and the last euro buys nothing (4.4528)."""
    p = two_cells()
    assert sectors.applies(p)
    s = solve(p)
    assert s.info.strategy == "sectors"
    assert s.objective == pytest.approx(6.233852, abs=1e-5)
    assert s.sensors.sum() == 2 and s.effectors.sum() == 2 and s.conventional.tolist() == [0.0]
    s3 = solve(dataclasses.replace(two_cells(), budget_eur=3.0))
    assert s3.objective == pytest.approx(4.452752, abs=1e-5)
    assert s3.sensors[0, 0] == 1 and s3.effectors[1, 0] == 1 and s3.sensors[2:].sum() == 0
    s8 = solve(dataclasses.replace(two_cells(), budget_eur=8.0))  # €4 left over: two conventional units
    assert s8.objective == pytest.approx(6.233852 + 1.0, abs=1e-5)
    assert s8.conventional.tolist() == [2.0]


def test_sectors_need_separate_nations() -> None:
    """A site of one nation covering another's cell, one nation only, a class target or CBC: the
    monolithic MILP is used instead."""
    p = two_cells()
    crossing = dataclasses.replace(p, det_site=np.array([0, 0]))  # site 0 (AA) also sees cell 1 (BB)
    assert not crossing.is_sectored() and not sectors.applies(crossing)
    assert not sectors.applies(dataclasses.replace(p, cell_nation=np.zeros(2, int), site_nation=np.zeros(4, int),
                                                   nations=("AA",)))
    assert not sectors.applies(p, objective="min_cost")
    assert not sectors.applies(p, target_override={0: 0.5})
    assert not sectors.applies(dataclasses.replace(p, solver=p.solver.replace(backend="cbc")))
    assert not sectors.applies(dataclasses.replace(p, solver=p.solver.replace(strategy="lp_screen")))
    assert solve(crossing).info.strategy == "lp_screen"


def test_sector_subproblem_keeps_its_own_pairs() -> None:
    p = two_cells()
    sub, ci, si = p.sector(1)
    assert ci.tolist() == [1] and si.tolist() == [2, 3]
    assert sub.det_cell.tolist() == [0] and sub.det_site.tolist() == [0]
    assert sub.eng_site.tolist() == [1] and not sub.conv_ids
    capped = dataclasses.replace(p, nation_cap_eur={1: 1.5})
    assert national(capped, 1)[0].budget_eur == 1.5 and national(capped, 0)[0].budget_eur == 4.0


def test_nation_cap_holds_in_sectors() -> None:
    """BB may spend €1.5: its chain (€2) is out; AA's chain is bought and the other €2 buy a conventional
    unit (4.4528 + 0.5)."""
    p = dataclasses.replace(two_cells(), nation_cap_eur={1: 1.5})
    s = solve(p)
    assert s.sensors[2:].sum() + s.effectors[2:].sum() <= 1
    assert s.objective == pytest.approx(4.952752, abs=1e-5) and s.conventional.tolist() == [1.0]


def test_dual_bound_is_in_the_models_sense() -> None:
    """pulp hands HiGHS a maximisation as a minimisation; the bound read back is not negated."""
    p = two_cells()
    prob, _ = build_model(p)
    from planner.lp.solver import make_solver

    prob.solve(make_solver(SolverSettings(mip_rel_gap=0.0, threads=None)))
    assert mip_dual_bound(prob) == pytest.approx(6.233852, abs=1e-5)


def test_floor_objective_prices_money() -> None:
    """max_defeat_with_floor: the floor of 1 point costs €2, leaving €2 for one chain, cell 0's."""
    p = dataclasses.replace(two_cells(), objective="max_defeat_with_floor", conventional_floor=1.0)
    s = solve(p)
    assert s.conventional.tolist() == [1.0]
    assert s.objective == pytest.approx(4.452752, abs=1e-5)
    assert s.gap is not None and s.gap <= 1e-6
    with pytest.raises(InfeasibleError):
        solve(dataclasses.replace(p, conventional_floor=3.0))  # 3 units cost €6 > €4


def test_in_service_units_cost_operation_only() -> None:
    """An effector in service at site 3 (BB): the plan keeps it, and BB's chain costs only the sensor."""
    base = two_cells(budget=3.0)
    ins = np.zeros((4, 1), bool)
    ins[3, 0] = True
    p = dataclasses.replace(base, in_service_effectors=ins)
    s = solve(p)
    assert s.effectors[3, 0] == 1 and s.sensors[2, 0] == 1 and s.sensors[0, 0] == 1
    assert s.objective == pytest.approx(6.233852, abs=1e-5)


@st.composite
def flanks(draw):
    """Two or three nations, each with one or two cells and two sites of its own."""
    n_nations = draw(st.integers(2, 3))
    cells, sites, det, eng, demand = [], [], [], [], []
    for n in range(n_nations):
        first_cell, first_site = len(cells), len(sites)
        for _ in range(draw(st.integers(1, 2))):
            i = len(cells)
            cells.append(n)
            demand.append([draw(st.floats(0.5, 10))])
            det += [(i, 0, first_site + j, 0, draw(st.floats(0.1, 0.95))) for j in range(2) if draw(st.booleans())]
            eng += [(i, 0, first_site + j, 0) for j in range(2) if draw(st.booleans())]
        sites += [n, n]
        det = det or [(first_cell, 0, first_site, 0, 0.5)]
    p = make_problem(demand=demand, det=det, eng=eng or [(0, 0, 1, 0)], n_sites=len(sites),
                     sensor_cost=[draw(st.floats(0.5, 3))], effector_cost=[draw(st.floats(0.5, 3))],
                     p_kill=[[draw(st.floats(0.1, 1.0))]], magazine=[draw(st.floats(1, 20))],
                     cost_per_shot=[draw(st.floats(0, 0.3))], budget=draw(st.floats(0.5, 10)),
                     conv_cost=[draw(st.floats(1, 4))], conv_score=[1.0],
                     conventional_weight=draw(st.floats(0, 2)), gap=0.0)
    kind = draw(st.sampled_from(["max_defeat", "max_defeat_with_floor"]))
    floor = draw(st.sampled_from([0.0, 0.5, 1.0, 1.5])) if kind != "max_defeat" else 0.0
    p = dataclasses.replace(p, objective=kind, conventional_floor=floor)
    # Surveillance requirements (systems.min_detection) on some nations: an empty national plan breaks them.
    shares = [draw(st.sampled_from([0.0, 0.0, 0.3, 0.6])) for _ in range(n_nations)]
    return dataclasses.replace(nations(p, cells, sites), min_detection=np.array(shares)[:, None])


@settings(max_examples=40, deadline=None)
@given(p=flanks())
def test_sectors_plan_is_feasible_and_its_gap_is_proven(p) -> None:
    """Against the monolithic MILP solved to optimality: the sectors plan is never better (it is a plan),
    its bound never below the optimum (it is a bound), and its reported gap covers the difference."""
    try:
        best = solve(dataclasses.replace(p, solver=p.solver.replace(strategy="full"))).objective
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve(p)
        return
    s = solve(p)
    assert s.objective <= best + 1e-6
    assert s.info.bound >= best - 1e-6
    assert best - s.objective <= s.gap * max(abs(best), abs(s.objective)) + 1e-6
    costs = p.costs(s.sensors, s.effectors, s.engagements, s.conventional)
    assert costs["total"] <= p.budget_eur * (1 + 1e-9) + 1e-6
    if p.objective == "max_defeat_with_floor":
        assert (s.conventional * p.conv_score).sum() >= p.conventional_floor - 1e-9
    assert violations(p, s) == []  # every family, surveillance requirements included
    for (n, t), have in p.detection_shares(s.detected).items():
        assert have >= p.min_detection[n, t] - 1e-6


def two_cells_watching_bb(share: float):
    """two_cells, but BB's drones are worth nothing (value 0) and BB requires ``share`` of them detected."""
    p = two_cells(value=[[1.0], [0.0]])
    return dataclasses.replace(p, min_detection=np.array([[0.0], [share]]))


def test_surveillance_requirement_holds_under_every_strategy() -> None:
    """Without the requirement the plan buys cell 0's chain (€2, 10 · 0.89055 · 0.5 = 4.4528) and a conventional
    unit (€2, 0.5): 4.9528, nothing in BB, whose drones are worth nothing. With BB requiring half its drones
    detected, its empty plan is barred: a sensor at site 2 (€1; its promise may reach 0.89055, exactly 0.9) leaves
    €1, too little for a conventional unit: 4.4528, under sectors and the monolithic MILPs alike."""
    free = solve(two_cells(value=[[1.0], [0.0]]))
    assert free.objective == pytest.approx(4.952752, abs=1e-5) and free.sensors[2:].sum() == 0
    for strategy in ("sectors", "full", "lp_screen"):
        p = two_cells_watching_bb(0.5)
        p = dataclasses.replace(p, solver=p.solver.replace(strategy=strategy))
        s = solve(p)
        assert s.info.strategy == strategy
        assert s.objective == pytest.approx(4.452752, abs=1e-5), strategy
        assert s.sensors[2, 0] == 1 and s.conventional.tolist() == [0.0]
        assert p.detection_shares(s.detected)[1, 0] >= 0.5 - 1e-6  # the promise, held at the requirement
        assert violations(p, s) == []
    exact = p.detection_shares(p.demand * p.detection_probability(solve_problem(two_cells_watching_bb(0.5))[1].sensors))
    assert exact[1, 0] == pytest.approx(0.9, abs=1e-6)  # the exact evaluation: one sensor of p_detect 0.9


def test_an_unreachable_surveillance_requirement_is_explained() -> None:
    """One sensor of p_detect 0.9 is all BB can have: 95% is out of reach, and the message says so from the data."""
    with pytest.raises(InfeasibleError, match=r"systems.min_detection: BB requires 0.950 of t0 detected; every "
                                              r"candidate sensor together detects 0.900"):
        solve_problem(two_cells_watching_bb(0.95))


def test_workers_give_the_same_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sectors solved in worker processes give the plan solved in this process, and so does the exact
    evaluation nation by nation."""
    p = two_cells()
    here_lp, here_exact = solve_problem(p)
    monkeypatch.setattr(runner, "PARALLEL_MIN_PAIRS", 0)
    there_lp, there_exact = solve_problem(p)
    assert there_lp.info.workers == 2 and here_lp.info.workers == 1
    assert there_lp.objective == pytest.approx(here_lp.objective, abs=1e-9)
    assert value_of(p, there_exact) == pytest.approx(value_of(p, here_exact), abs=1e-9)
    assert value_of(p, here_exact) == pytest.approx(10 * 0.9 * 0.5 + 4 * 0.9 * 0.5, abs=1e-6)


def test_in_service_beyond_a_nation_cap_is_reported() -> None:
    """BB's effector in service costs €1/yr to run for 3 years; BB's cap is €2: no plan exists."""
    base = two_cells(budget=10.0)
    ins = np.zeros((4, 1), bool)
    ins[3, 0] = True
    p = dataclasses.replace(base, in_service_effectors=ins, effector_operating_eur_per_year=np.array([1.0]),
                            horizon_years=3, nation_cap_eur={1: 2.0})
    with pytest.raises(InfeasibleError, match=r"units in service in BB cost €0\.00bn to operate, more than its cap "
                                              r"\(budget\.per_nation_eur, €0\.00bn\)"):
        solve_problem(p)


@pytest.mark.parametrize("cross", [False, True])
def test_cross_border_coverage_switch(cross: bool) -> None:
    """On the shipped flank (10 km cells), sites cover only their own nation's cells unless
    theater.cross_border_coverage is true, and then some cover a neighbour's (e.g. PL and LT): the flank is then
    one part, priced as a whole and cut into segments along the border, not nine nations."""
    from planner.config.io import load_scenario
    from planner.geo.theater import build_theater
    from planner.problem import build_problem
    from tests.conftest import CONFIGS

    sc = load_scenario(CONFIGS / "eastern-flank.yaml")
    theater = sc.config.theater.model_copy(update={"cell_length_m": 10_000, "cross_border_coverage": cross})
    sc = dataclasses.replace(sc, config=sc.config.model_copy(update={"theater": theater}))
    p = build_problem(sc, build_theater(sc))
    assert p.is_sectored() is not cross
    assert sectors.applies(p)
    assert len(parts(p)) == (1 if cross else 9)
    crossing = p.cell_nation[p.eng_cell] != p.site_nation[p.eng_site]
    assert bool(crossing.any()) is cross
    if cross:
        pairs = {(p.nations[p.site_nation[j]], p.nations[p.cell_nation[i]])
                 for i, j in zip(p.eng_cell[crossing], p.eng_site[crossing], strict=True)}
        assert ("PL", "LT") in pairs or ("LT", "PL") in pairs


def test_floor_without_conventional_options_is_infeasible() -> None:
    p = dataclasses.replace(two_cells(), objective="max_defeat_with_floor", conventional_floor=1.0, conv_ids=(),
                            conv_unit_cost_eur=np.zeros(0), conv_operating_eur_per_year=np.zeros(0),
                            conv_score=np.zeros(0), conv_min_units=np.zeros(0, dtype=np.int64))
    with pytest.raises(InfeasibleError, match=r"conventional_floor 1 needs conventional options"):
        solve(p)


def test_fair_deadline_shares_the_time_left() -> None:
    """100 s left on 2 workers, three nations of sizes 2, 4 and 97 (103 in all) unfinished. The largest, started
    first, gets 100 · 2 · 97/103 = 188 s, cut to the 100 s left; the next (size 4, started beside it) 100 · 2 · 4/103 =
    7.8 s; the smallest, started 7.8 s later with the largest still running (2 + 97 = 99 unfinished), 92.2 · 2 · 2/99
    = 3.7 s, raised to the 5 s floor. Past the end, a task still gets the floor."""
    assert runner.fair_deadline(0.0, 100.0, 97, 103, 2) == pytest.approx(100.0)
    assert runner.fair_deadline(0.0, 100.0, 4, 103, 2) == pytest.approx(800 / 103)
    assert runner.fair_deadline(7.8, 100.0, 2, 99, 2) == pytest.approx(7.8 + runner.MIN_SHARE_S)
    assert runner.fair_deadline(120.0, 100.0, 2, 99, 2) == pytest.approx(120.0 + runner.MIN_SHARE_S)


def test_fair_deadline_leaves_out_what_running_tasks_hold() -> None:
    """100 s left on 2 workers (200 worker-seconds); a running task holds its deadline 80 s away (busy 80). Two
    tasks not started, of sizes 2 and 6, share the other 120: the smaller gets 120 · 2/8 = 30 s. Where the running
    tasks hold every worker to the end, a task still gets the floor."""
    assert runner.fair_deadline(0.0, 100.0, 2, 8, 2, busy=80.0) == pytest.approx(30.0)
    assert runner.fair_deadline(0.0, 100.0, 6, 8, 2, busy=80.0) == pytest.approx(90.0)
    assert runner.fair_deadline(0.0, 100.0, 2, 8, 2, busy=200.0) == pytest.approx(runner.MIN_SHARE_S)


def test_shared_time_reaches_every_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in this process with ``share_until`` 60 s away, every task starts with a deadline of its own, smallest
    first: the small sub-problem (size 3 of 55 unfinished) gets 60 · 3/55 = 3.3 s, raised to the 5 s floor; the
    large one, started after it with only itself unfinished, the rest of the 60 s. Neither ends after the shared
    deadline (but for the floor)."""
    p = two_cells()
    subs = [national(p, n)[0] for n in (0, 1)]
    subs[1] = dataclasses.replace(subs[1], eng_cell=np.zeros(50, dtype=np.int64))  # the larger one
    seen: list[tuple[int, float]] = []

    def fake(task):
        seen.append((len(task.problem.eng_cell), task.problem.solver.deadline - time.time()))
        return runner.TaskResult()

    monkeypatch.setattr(runner, "solve_sector", fake)
    import time
    until = time.time() + 60
    runner.Runner(1).map([sectors.SectorTask(problem=q) for q in subs], share_until=until)
    assert [n for n, _ in seen] == [1, 50]
    assert seen[0][1] == pytest.approx(runner.MIN_SHARE_S, abs=0.5)
    assert seen[1][1] == pytest.approx(60, abs=1.0)


def test_shared_time_without_a_ledger_starts_the_small_first_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """In worker processes (here two threads) sharing a deadline but without ledger seats (a Dask cluster, a family's
    price chains), nothing moves a running task's deadline later, so the small start first as in this process; with
    no deadline shared, largest first."""
    p = two_cells()
    subs = [national(p, n)[0] for n in (0, 1)]
    subs[1] = dataclasses.replace(subs[1], eng_cell=np.zeros(50, dtype=np.int64))  # the larger one
    started: list[int] = []
    lock = threading.Lock()

    def fake(task):
        with lock:
            started.append(len(task.problem.eng_cell))
        return runner.TaskResult()

    monkeypatch.setattr(runner, "solve_sector", fake)
    pool = runner.Runner(2)
    tasks = [sectors.SectorTask(problem=q) for q in subs]
    with concurrent.futures.ThreadPoolExecutor(1) as pool.pool:  # one thread: the order of submission is the order run
        pool.map(tasks, share_until=time.time() + 60)
        pool.map(tasks)
    assert started == [1, 50, 50, 1]


@pytest.mark.parametrize(("share", "evaluations"), [(0.0, 8), (1e9, 1)])
def test_no_price_is_evaluated_without_the_time_the_last_took(monkeypatch: pytest.MonkeyPatch, share: float,
                                                                evaluations: int) -> None:
    """With €3 the pricing bisects through all 8 prices (the last euro buys nothing, so no price closes the gap). A
    price is evaluated only with ``NEXT_ROUND_SHARE`` times the last evaluation's seconds left: at 10⁹ times, none
    is after the first; the flank-wide MILP that follows small problems closes the gap either way (4.4528)."""
    monkeypatch.setattr(sectors, "NEXT_ROUND_SHARE", share)
    s = solve(dataclasses.replace(two_cells(), budget_eur=3.0))
    assert len(s.info.price_evaluations) == evaluations
    assert s.objective == pytest.approx(4.452752, abs=1e-5)
