"""Point defence (issue #14, item 2): sites at the protected assets meet the drones whose route passes them, after the
border's layers. Hand-derived shares and one-cell optima, the checker, magazine shares, the sites' placement, the
independent simulation on a point-defence plan, and properties on random instances."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import shapely
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.config.io import load_scenario
from planner.depth import PointPairs, arc_shares, magazine_by_traffic
from planner.errors import ConfigError
from planner.geo.theater import build_theater
from planner.lp.check import Context, check_detection, check_reach
from planner.lp.solve import solve
from planner.plan import kills, solve_problem, solve_scenario
from planner.report.plan import write_plan
from planner.simulate import simulate
from tests.conftest import CONFIGS, absolutise, write_yaml
from tests.lp_helpers import make_problem
from tests.test_layers import two_effector_economics
from tests.test_optimizer import enumerate_best

#: A detection probability whose look weight δ = 1 sits on a chord breakpoint: the promise is exact, 1 − e^(−1).
P_DETECT = 1 - math.exp(-1.0)
D = 10 * P_DETECT  # detected drones of the one-cell problems


def with_points(p, pairs: list[tuple[int, int, int, int, float]], magazine: list[float] | None = None):
    """``p`` with point-defence pairs (cell, class, site, effector, share)."""
    a = np.array(pairs, dtype=float).reshape(-1, 5)
    return dataclasses.replace(p, pt_cell=a[:, 0].astype(np.int64), pt_threat=a[:, 1].astype(np.int64),
                               pt_site=a[:, 2].astype(np.int64), pt_effector=a[:, 3].astype(np.int64),
                               pt_share=a[:, 4], pt_magazine=np.array(magazine or [1.0] * len(a)))


def one_cell(points: list[tuple[int, int, int, int, float]], p_kill: list[list[float]],
             layer_rank: list[list[int]], border: list[tuple[int, int, int, int]]):
    """One cell, one class, λ = 10; a sensor at site 0 (δ = 1); border pairs ``border``; everything affordable."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_DETECT)], eng=border, n_sites=2, sensor_cost=[1.0],
                     effector_cost=[1.0] * len(p_kill), p_kill=p_kill, budget=10.0, layer_rank=layer_rank)
    return with_points(p, points)


def test_arc_shares_by_hand() -> None:
    """A corridor of half-width 1 km at 10 km: 2·asin(0.1)/π = 0.063769 of the headings; from within 1 km, all of
    them (and nothing is left to a farther site); beyond the route's reach, none. Of two sites on one bearing, the
    nearer (wider arc) claims it all; sites on opposite bearings keep their own."""
    d = np.array([[10_000.0], [500.0], [400_000.0]])
    share = arc_shares(d, np.zeros((3, 1)), 1_000.0, 300_000.0)
    assert share[:, 0].tolist() == pytest.approx([2 * math.asin(0.1) / math.pi, 1.0, 0.0])
    inside = arc_shares(np.array([[500.0, 10_000.0]]), np.array([[0.0, 2.0]]), 1_000.0, 300_000.0)
    assert inside[0].tolist() == pytest.approx([1.0, 0.0])
    same = arc_shares(np.array([[10_000.0, 20_000.0]]), np.zeros((1, 2)), 1_000.0, 300_000.0)
    assert same[0].tolist() == pytest.approx([2 * math.asin(0.1) / math.pi, 0.0])
    apart = arc_shares(np.array([[10_000.0, 20_000.0]]), np.array([[0.0, math.pi]]), 1_000.0, 300_000.0)
    assert apart[0].tolist() == pytest.approx([2 * math.asin(0.1) / math.pi, 2 * math.asin(0.05) / math.pi])


def test_point_defence_meets_the_border_survivors_on_its_routes() -> None:
    """Border effector 0 (kill 0.5) engages all D detected drones; a point-defence effector 1 (kill 0.4) at site 1
    holds a corridor with 0.3 of the cell's routes: it meets 0.3 · (D − 0.5 · D) survivors. Kills
    D · (0.5 + 0.3 · 0.5 · 0.4) = 0.56 · D = 3.5399; the exact evaluation is the same."""
    p = one_cell([(0, 0, 1, 1, 0.3)], [[0.5], [0.4]], [[0], [1]], [(0, 0, 0, 0)])
    lp, exact = solve_problem(p)
    for s in (lp, exact):
        assert kills(p, s).sum() == pytest.approx(D * 0.56, rel=1e-6)
    assert exact.point.tolist() == pytest.approx([0.3 * 0.5 * D], rel=1e-6)
    assert exact.engagements[0, 0].tolist() == pytest.approx([D, 0.15 * D], rel=1e-6)


def test_layers_at_one_site_and_the_same_type_twice() -> None:
    """No border unit. At site 1, two types share the corridor (0.3 of the routes): effector 0 (kill 0.5) first,
    then effector 1 (kill 0.4) on its survivors: 0.3 · D · (1 − 0.5 · 0.6) = 0.21 · D. With effector 0 also at the
    border (site 0), it engages every drone there and again at the site: D · 0.5 + 0.3 · 0.5 · D · 0.7."""
    p = one_cell([(0, 0, 1, 0, 0.3), (0, 0, 1, 1, 0.3)], [[0.5], [0.4]], [[0], [1]], [])
    _, exact = solve_problem(p)
    assert kills(p, exact).sum() == pytest.approx(0.3 * D * 0.7, rel=1e-6)
    both = one_cell([(0, 0, 1, 0, 0.3), (0, 0, 1, 1, 0.3)], [[0.5], [0.4]], [[0], [1]], [(0, 0, 0, 0)])
    _, exact = solve_problem(both)
    assert kills(both, exact).sum() == pytest.approx(D * 0.5 + 0.3 * 0.5 * D * 0.7, rel=1e-6)
    assert exact.engagements[0, 0, 0] == pytest.approx(D + 0.3 * 0.5 * D, rel=1e-6)


def test_the_checker_bounds_point_defence_by_its_share_of_the_survivors() -> None:
    p = one_cell([(0, 0, 1, 1, 0.3)], [[0.5], [0.4]], [[0], [1]], [(0, 0, 0, 0)])
    _, exact = solve_problem(p)
    assert check_detection(p, exact, Context()) == [] and check_reach(p, exact, Context()) == []
    more = exact.point * 1.5
    eng = exact.engagements.copy()
    eng[0, 0, 1] = more[0]
    bad = dataclasses.replace(exact, point=more, engagements=eng)
    found = check_detection(p, bad, Context())
    assert len(found) == 1 and "on its routes after the border" in found[0]
    unbuilt = dataclasses.replace(exact, effectors=np.array([[1.0, 0.0], [0.0, 0.0]]))
    assert any("no unit built there" in line for line in check_detection(p, unbuilt, Context()))


def test_magazine_shares_follow_the_traffic() -> None:
    """One unit (site 0, effector 0) over two cells: shares × drones 0.5 · 4 + 0.5 · 2 = 3 in cell 0 (two classes)
    and 0.25 · 4 = 1 in cell 1: its magazine splits 3/4 and 1/4, once per cell whatever the class."""
    pairs = PointPairs(cell=np.array([0, 0, 1]), threat=np.array([0, 1, 0]), site=np.zeros(3, np.int64),
                       effector=np.zeros(3, np.int64), share=np.array([0.5, 0.5, 0.25]), magazine=np.zeros(3))
    assert magazine_by_traffic(pairs, np.array([[4.0, 2.0], [4.0, 0.0]]), 1).tolist() == pytest.approx(
        [0.75, 0.75, 0.25])


def tiny(tmp_path, *, effectors: list[str], reach_m: float, depths: list[float] | None = None) -> dict:
    data = absolutise(yaml.safe_load((CONFIGS / "tiny.yaml").read_text()), CONFIGS)
    data["theater"]["cell_length_m"] = 1000
    if depths is not None:
        data["theater"]["site_depths_m"] = depths
    data["systems"].update(effectors=effectors, sensors=["radar_long"])
    data["objective"]["conventional_weight"] = 0
    data["kill_chain"] = {"layered": True, "point_defence": True, "point_defence_reach_m": reach_m}
    return data


def test_point_sites_stand_outside_their_no_fire_zone_facing_the_border(tmp_path) -> None:
    """Košice and its airport, Prešov air base and Poprad: one site each, 5 km (the zone) + 1 km (the standoff)
    from the asset towards the nearest border point, on Slovak land, outside every no-fire zone."""
    sc = load_scenario(write_yaml(tmp_path / "t.yaml", tiny(tmp_path, effectors=["mobile_fire_group"], reach_m=1000)))
    th = build_theater(sc)
    points = th.sites[th.sites["kind"] == "point"].set_index("asset_id")
    assert set(points.index) == set(th.assets["asset_id"])
    assets = th.assets.set_index("asset_id").loc[points.index]
    assert np.allclose(points.distance(assets.geometry, align=False), 6000.0, atol=1.0)
    assert (assets["distance_to_border_m"].to_numpy() - points["distance_to_border_m"].to_numpy()
            == pytest.approx(6000.0, abs=50.0))
    assert not points["in_no_fire_zone"].any()
    land = th.countries.set_index("country").loc["SK"].geometry
    assert all(shapely.contains(land, g) for g in points.geometry)


def simulated_on_the_routes(tmp_path, data: dict, *, least: float, within: float) -> None:
    """Solve ``data`` (no border pairs: only the inland sites engage), check the plan defeats more than ``least`` and
    that the independent simulation agrees with its exact evaluation within ``within`` points per class."""
    plan = solve_scenario(load_scenario(write_yaml(tmp_path / "t.yaml", data)))
    assert len(plan.problem.eng_cell) == 0 and len(plan.problem.pt_cell) > 0
    assert plan.summary["defeat_rate_all_exact"] > least
    write_plan(plan, tmp_path / "plan")
    r = simulate(tmp_path / "plan", drones=40_000)
    for row in r.table.itertuples(index=False):
        assert abs(row.difference_pp) <= within, row


def test_the_simulation_agrees_on_a_point_defence_plan(tmp_path) -> None:
    """Measured on 2026-12-04: mobile fire groups only, border rows 40 km inland (out of every cell's reach), so
    only the three point-defence sites the plan builds engage; the corridor is the group's reach (1,479 m after its
    10 s reaction at 50 m/s). Exact 1.71% for both classes; the simulation, drawing each drone's heading and
    crossing point, −0.01 and −0.05 points."""
    data = tiny(tmp_path, effectors=["mobile_fire_group"], reach_m=1479, depths=[40_000])
    simulated_on_the_routes(tmp_path, data, least=0.01, within=0.3)


@st.composite
def point_problems(draw):
    """1–2 cells, one class; site 0 at the border (effector 0), site 1 a point-defence site (effector 1, and
    effector 0 too when drawn) with a random share of each cell's routes; two layers."""
    n_cells = draw(st.integers(1, 2))
    det = [(i, 0, 0, 0, draw(st.floats(0.1, 1 - 1e-6))) for i in range(n_cells)]
    eng = [(i, 0, 0, 0) for i in range(n_cells) if draw(st.booleans())]
    points = [(i, 0, 1, e, share) for i in range(n_cells) for share in [draw(st.floats(0.01, 1.0))]
              for e in (1, *((0,) if draw(st.booleans()) else ()))]
    p = make_problem(demand=[[draw(st.floats(0.5, 10))] for _ in range(n_cells)], det=det, eng=eng, n_sites=2,
                     **two_effector_economics(draw), layer_rank=[[0], [1]])
    traffic = [draw(st.floats(0.1, 1.0)) for _ in points]
    return with_points(p, points, [t / sum(traffic) for t in traffic])


@settings(max_examples=20, deadline=None)
@given(p=point_problems())
def test_point_defence_milp_equals_enumeration(p) -> None:
    assert solve(p).objective == pytest.approx(enumerate_best(p), rel=1e-6, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(p=point_problems())
def test_a_point_site_never_lowers_the_plan_and_exact_never_below_the_promise(p) -> None:
    """Point defence only adds engagements (without it the model is the same with its pairs gone), so the optimum
    with it is at least the optimum without; and the exact evaluation of the plan never defeats less than the LP
    promised."""
    without = with_points(p, [])
    assert solve(p).objective >= solve(without).objective - 1e-6
    lp, exact = solve_problem(p)
    assert kills(p, exact).sum() >= kills(p, lp).sum() - 1e-6


@st.composite
def route_problems(draw):
    """1–2 cells, one class; site 0 at the border (effector 0); each cell's route (a random share of its drones) meets
    site 1 (effector 1) and then site 2 (effector 0 or 1), in turn (kill_chain.routes: to_assets); two layers."""
    n_cells = draw(st.integers(1, 2))
    det = [(i, 0, 0, 0, draw(st.floats(0.1, 1 - 1e-6))) for i in range(n_cells)]
    eng = [(i, 0, 0, 0) for i in range(n_cells) if draw(st.booleans())]
    rows = []
    for i in range(n_cells):
        share, second = draw(st.floats(0.05, 1.0)), draw(st.integers(0, 1))
        rows += [(i, 1, 1, share, 10 + i, 0), (i, 2, second, share, 10 + i, 1)]
    p = make_problem(demand=[[draw(st.floats(0.5, 10))] for _ in range(n_cells)], det=det, eng=eng, n_sites=3,
                     sensor_cost=[draw(st.floats(0.5, 3))],
                     effector_cost=[draw(st.floats(0.5, 3)), draw(st.floats(0.5, 3))],
                     p_kill=[[draw(st.floats(0.1, 1.0))], [draw(st.floats(0.1, 1.0))]],
                     magazine=[draw(st.floats(1, 20)), draw(st.floats(1, 20))],
                     budget=draw(st.floats(0.5, 8)), layer_rank=[[0], [1]])
    a = np.array(rows, dtype=float)
    return dataclasses.replace(p, pt_cell=a[:, 0].astype(np.int64), pt_threat=np.zeros(len(a), np.int64),
                               pt_site=a[:, 1].astype(np.int64), pt_effector=a[:, 2].astype(np.int64),
                               pt_share=a[:, 3], pt_magazine=np.full(len(a), 1.0 / len(a)),
                               pt_route=a[:, 4].astype(np.int64), pt_order=a[:, 5].astype(np.int64))


@settings(max_examples=20, deadline=None)
@given(p=route_problems())
def test_routes_milp_equals_enumeration_and_a_stop_never_lowers_it(p) -> None:
    """Sites met in turn on a route: the MILP equals enumeration over the builds; dropping the second stop never
    raises the optimum; the exact evaluation never defeats less than the promise."""
    best = solve(p).objective
    assert best == pytest.approx(enumerate_best(p), rel=1e-6, abs=1e-6)
    first = np.flatnonzero(p.pt_order == 0)
    shorter = dataclasses.replace(p, **{f: getattr(p, f)[first] for f in ("pt_cell", "pt_threat", "pt_site",
                                                                          "pt_effector", "pt_share", "pt_magazine",
                                                                          "pt_route", "pt_order")})
    assert best >= solve(shorter).objective - 1e-6
    lp, exact = solve_problem(p)
    assert kills(p, exact).sum() >= kills(p, lp).sum() - 1e-6


def test_rows_in_depth_stand_on_the_routes(tmp_path) -> None:
    """kill_chain.depth_rows_m: a row of point sites at each depth, spaced as the border rows, on Slovak land, beside
    the asset sites; without point_defence the scenario is refused with the fix."""
    data = tiny(tmp_path, effectors=["mobile_fire_group"], reach_m=1400)
    data["kill_chain"]["depth_rows_m"] = [20_000, 35_000]
    th = build_theater(load_scenario(write_yaml(tmp_path / "t.yaml", data)))
    rows = th.sites[th.sites["site_id"].str.startswith("depth-")]
    assert (rows["kind"] == "point").all() and set(rows["depth_m"]) == {20_000.0, 35_000.0}
    border = th.sites[th.sites["kind"] == "border"]
    for depth in (20_000.0, 35_000.0):  # as many stations as the border row (a few fold back over the border)
        assert 0.7 * len(border) <= (rows["depth_m"] == depth).sum() <= len(border)
    assert rows["distance_to_border_m"].min() >= 0.5 * 20_000
    data["kill_chain"]["point_defence"] = False
    with pytest.raises(ConfigError, match=r"kill_chain: .*depth_rows_m is set but point_defence is false: .*set "
                                          r"point_defence: true"):
        load_scenario(write_yaml(tmp_path / "u.yaml", data))


def test_the_simulation_agrees_on_a_plan_with_rows_in_depth(tmp_path) -> None:
    """Mobile fire groups only, border rows 40 km inland (out of every cell's reach), one row in depth at 20 km and
    the asset sites: the plan's groups engage only on the routes. The simulation draws each drone's heading and meets
    every site its route passes; the model gives a drone to the nearest site whose corridor it passes. Measured on
    2026-12-05: exact 11.4% for both classes, simulated −0.03 and −0.34 points (with rows at 15 and 30 km: 17.3%,
    −0.41 and +0.20)."""
    data = tiny(tmp_path, effectors=["mobile_fire_group"], reach_m=1400, depths=[40_000])
    data["kill_chain"]["depth_rows_m"] = [20_000]
    simulated_on_the_routes(tmp_path, data, least=0.02, within=1.0)


def test_aimed_stops_by_hand() -> None:
    """kill_chain.routes: to_assets. A cell's midpoint at the origin; targets A (0, 100 km) of weight 3, B (100 km, 0)
    of weight 1 and C 400 km away (beyond the 300 km reach: no drone goes there); corridor half-width 1 km. S1 (0,
    30 km) and S2 (0.5 km, 60 km) stand on the route to A, in that order; S3 (50 km, 0.8 km) on the route to B; S4
    (50 km, 5 km) on none. Stops: A's route (3/4 of the drones) S1 then S2, B's (1/4) S3. A second cell 400 km from
    every target has none in reach (it keeps the arcs)."""
    from planner.depth import aimed_stops

    cells = np.array([[0.0, 0.0], [0.0, 700_000.0]])
    sites = np.array([[0.0, 30_000.0], [500.0, 60_000.0], [50_000.0, 800.0], [50_000.0, 5_000.0]])
    targets = np.array([[0.0, 100_000.0], [100_000.0, 0.0], [0.0, -400_000.0]])
    cell, site, target, order, share, aimed = aimed_stops(cells, sites, targets, np.array([3.0, 1.0, 100.0]),
                                                          1_000.0, 300_000.0)
    assert aimed.tolist() == [True, False]
    stops = sorted(zip(cell.tolist(), site.tolist(), target.tolist(), order.tolist(), share.tolist(), strict=True))
    assert stops == [(0, 0, 0, 0, 0.75), (0, 1, 0, 1, 0.75), (0, 2, 1, 0, 0.25)]


def test_a_route_meets_its_sites_in_turn() -> None:
    """One cell, λ = 10, D detected; one route with all of them (share 1) passes site 1 (effector 0, kill 0.5) and
    then site 2 (effector 1, kill 0.4): D · (1 − 0.5 · 0.6) = 0.7 D defeated, the second site engaging the 0.5 D the
    first left. The same two sites as two routes of half the drones each (the arcs of uniform headings): D · (0.5 ·
    0.5 + 0.5 · 0.4) = 0.45 D. The checker holds the route's order: the second site engaging all D is caught."""
    p = make_problem(demand=[[10.0]], det=[(0, 0, 0, 0, P_DETECT)], eng=[], n_sites=3, sensor_cost=[1.0],
                     effector_cost=[1.0, 1.0], p_kill=[[0.5], [0.4]], budget=10.0, layer_rank=[[0], [1]])
    series = dataclasses.replace(p, pt_cell=np.array([0, 0]), pt_threat=np.array([0, 0]), pt_site=np.array([1, 2]),
                                 pt_effector=np.array([0, 1]), pt_share=np.array([1.0, 1.0]),
                                 pt_magazine=np.array([1.0, 1.0]), pt_route=np.array([7, 7]), pt_order=np.array([0, 1]))
    lp, exact = solve_problem(series)
    for s in (lp, exact):
        assert kills(series, s).sum() == pytest.approx(0.7 * D, rel=1e-6)
    assert exact.point.tolist() == pytest.approx([D, 0.5 * D], rel=1e-6)
    apart = dataclasses.replace(series, pt_share=np.array([0.5, 0.5]), pt_route=np.array([1, 2]),
                                pt_order=np.array([0, 0]))
    _, exact_apart = solve_problem(apart)
    assert kills(apart, exact_apart).sum() == pytest.approx(0.45 * D, rel=1e-6)
    bad = dataclasses.replace(exact, point=np.array([D, D]),
                              engagements=np.array([[[D, D]]]))
    assert any("on its routes after the border" in line for line in check_detection(series, bad, Context()))


def test_routes_to_the_assets_set_what_a_leaker_strikes_and_threatens() -> None:
    """kill_chain.routes: to_assets in the value model and the threat-to-asset rule. A cell at the origin of nation
    XX; its assets: a city C (0, 100 km) of 300,000 and an airport A (100 km, 0) weighted 100,000, and a second
    airport B (0, 50 km) on the route to C (closure radius 5 km); a city of another nation and one beyond the reach
    draw no drones. Drones: 3/4 to C, 1/4 to A: 0.75 city strikes a leaker; airports closed 0.25 (A) + 0.75 (B, on
    C's route) = 1.0; every drone threatens. A second cell, whose only asset in reach is another nation's city 50 km
    away, keeps the uniform figures (a share of its headings strikes that city)."""
    from planner.config.consequence import ConsequenceConfig
    from planner.geo.coverage import Coverage
    from planner.routes import route_exposure, threatening_share

    cov = Coverage(cell_xy=np.array([[0.0, 0.0], [0.0, 950_000.0]]), site_xy=np.zeros((0, 2)),
                   cell_no_fire=np.zeros(2), site_no_fire=np.zeros(0, bool), cell_defender=np.array(["XX", "XX"]),
                   site_defender=np.zeros(0, str),
                   asset_xy=np.array([[0.0, 100_000.0], [100_000.0, 0.0], [0.0, 50_000.0], [10_000.0, 0.0],
                                      [0.0, -400_000.0], [0.0, 1_000_000.0]]),
                   asset_city=np.array([True, False, False, True, True, True]),
                   asset_population=np.array([300_000.0, 0.0, 0.0, 1e6, 1e6, 1e6]),
                   asset_defender=np.array(["XX", "XX", "XX", "YY", "XX", "YY"]),
                   asset_weight=np.array([300_000.0, 100_000.0, 0.0, 1e6, 1e6, 1e6]), routes_to_assets=True)
    cons = ConsequenceConfig(airport_closure_radius_m=5_000)
    strikes, passes = route_exposure(cov, cons, np.array([300_000.0]))
    assert strikes[0, 0] == pytest.approx(0.75) and passes[0, 0] == pytest.approx(1.0)
    assert threatening_share(cov, cons, np.array([300_000.0]))[0, 0] == 1.0
    uniform = dataclasses.replace(cov, routes_to_assets=False)
    assert strikes[1, 0] > 0 and strikes[1, 0] == route_exposure(uniform, cons, np.array([300_000.0]))[0][1, 0]


def test_the_simulation_agrees_on_a_plan_with_routes_to_the_assets(tmp_path) -> None:
    """Mobile fire groups on a row in depth (20 km) and at the assets, border rows out of reach; drones fly to
    Slovakia's assets (Košice, its airport, Prešov air base, Poprad...) in proportion to their value, meeting the
    sites on their route in turn, in the model as in the simulation (which draws each drone's target and crossing
    point). Measured on 2026-12-05: exact 28.9% for both classes (12 groups), simulated +0.36 and −0.20 points
    (uniform headings on the same sites: 11.4%; each route given to its first site only: 27.0%)."""
    data = tiny(tmp_path, effectors=["mobile_fire_group"], reach_m=1400, depths=[40_000])
    data["kill_chain"].update(depth_rows_m=[20_000], routes="to_assets")
    simulated_on_the_routes(tmp_path, data, least=0.02, within=1.0)


def test_the_wartime_reference_runs_coarse_and_the_simulation_agrees(tmp_path) -> None:
    """configs/ukraine-2024-h1.yaml (units limited, rows in depth, routes to the assets) at 10 km cells and 20 km
    sites, its solve stopped at 20 s: the limits hold, the groups stand inland, and the simulation agrees with the
    exact evaluation of whatever plan it found within 3 points (the crossing drawn along 10 km cells, where the model
    takes their midpoints). Measured on 2026-12-05: 60.4% exact, 81 groups of the 200 allowed, simulated +0.93
    points; at 20 km cells +1.6 points, and +3.6 under the lowest versions (detection 4.5 points apart there), so 20
    km cells were too coarse for this check (the 5 km reference: docs/validation.md)."""
    scenario = load_scenario(CONFIGS / "ukraine-2024-h1.yaml", overrides={
        "theater.cell_length_m": 10_000, "theater.site_spacing_m": 20_000, "solver.time_limit_s": 20})
    plan = solve_scenario(scenario)
    counts = plan.units["system"].value_counts()
    assert counts["mobile_fire_group"] <= 200 and counts["manpads"] <= 40 and counts.get("gun_35mm", 0) <= 4
    assert plan.units.loc[plan.units["system"] == "mobile_fire_group", "site_id"].str.match("depth-|point-").all()
    write_plan(plan, tmp_path / "plan")
    r = simulate(tmp_path / "plan", drones=20_000)
    for row in r.table.itertuples(index=False):
        assert abs(row.difference_pp) <= 3.0, row
