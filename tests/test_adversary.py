"""The adversary who sees the plan (issue #15): its choices as arrays, its best response by hand and against the
enumeration of every choice on the whole problem."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.adversary import AWAY, SPREAD, Attacker, axes_of, raid
from planner.analysis.adaptive import _eur_per_leak_cut, adversary
from planner.analysis.aware import _spread, plan_against
from planner.analysis.capsearch import Guarded
from planner.analysis.respond import axis_leaks, best_response, enumerate_response
from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.lp.result import FixedPlan
from planner.lp.runner import Runner
from planner.report.adversary import write_adversary
from tests.conftest import write_yaml
from tests.lp_helpers import make_problem
from tests.schema_check import assert_matches_schema


def two_sectors(pk_a: float = 0.8, pk_b: float = 0.4, **kw) -> tuple[Attacker, FixedPlan]:
    """Two cells, each an axis, one drone per raid in each; a sensor seeing everything at each site; effector 0 at
    site 0 covers cell 0 with kill probability ``pk_a``, effector 1 at site 1 cell 1 with ``pk_b``; both built."""
    p = make_problem(demand=[[1.0], [1.0]], det=[(0, 0, 0, 0, 1.0), (1, 0, 1, 0, 1.0)],
                     eng=[(0, 0, 0, 0), (1, 0, 1, 1)], n_sites=2, sensor_cost=[1.0], effector_cost=[1.0, 1.0],
                     p_kill=[[pk_a], [pk_b]], budget=10.0, **kw)
    att = Attacker(axis=np.array([0, 1]), axis_names=("A", "B"), axis_km=np.array([5.0, 5.0]), groups=((0,),),
                   concentrate=1.0, profiles=("catalog",), worlds=(p,))
    fixed = FixedPlan(sensors=np.ones((2, 1)), effectors=np.eye(2), conventional=np.zeros(0), cost_eur=3.0)
    return att, fixed


DETECTED = 1 - 1e-6  # the exact evaluation's detection with p_detect 1 (a weight of −ln 1e-6)


def test_the_attacker_moves_everything_to_the_weaker_sector() -> None:
    """Nominal: 1 × (1 − 0.8) + 1 × (1 − 0.4) = 0.8 leak. On A: 2 × (1 − 0.8) = 0.4; on B: 2 × (1 − 0.4) = 1.2, the
    most: the best response puts both drones on B."""
    att, fixed = two_sectors()
    r = best_response(att, fixed)
    assert r.axes == (1,)
    assert r.damage == pytest.approx(2 * (1 - 0.4 * DETECTED), abs=1e-6)
    assert r.nominal_damage == pytest.approx(2 - (0.8 + 0.4) * DETECTED, abs=1e-6)
    assert r.demand.tolist() == [[0.0], [2.0]]
    assert r.kills[1, 0] == pytest.approx(0.8 * DETECTED, abs=1e-6)
    assert {att.axis_names[a]: leak for (_, _, a), leak in axis_leaks(att, fixed).items()} == pytest.approx(
        {"A": 2 * (1 - 0.8 * DETECTED), "B": 2 * (1 - 0.4 * DETECTED)}, abs=1e-6)
    oracle = enumerate_response(att, fixed)
    assert (oracle.axes, oracle.damage) == (r.axes, pytest.approx(r.damage, abs=1e-6))


def test_equal_sectors_leave_the_attacker_nothing_to_gain_by_moving() -> None:
    """pk 0.6 on both: every choice leaks 2 × 0.4 = 0.8: moving gains nothing (the spread, the first choice met
    among equals in the enumeration, or an axis: the same damage)."""
    att, fixed = two_sectors(0.6, 0.6)
    r = best_response(att, fixed)
    assert r.damage == pytest.approx(r.nominal_damage, abs=1e-9)
    assert r.damage == pytest.approx(2 * (1 - 0.6 * DETECTED), abs=1e-6)


def test_a_magazine_makes_concentration_pay() -> None:
    """Both sectors pk 0.5 but one shot a raid per unit: spread, each unit fires once at its one drone (leak 2 ×
    0.5 = 1.0); all on A, its unit fires once at two drones (leak 2 − 0.5 = 1.5): the attacker concentrates."""
    att, fixed = two_sectors(0.5, 0.5, magazine=[1.0, 1.0])
    r = best_response(att, fixed)
    assert r.axes in ((0,), (1,))
    assert r.damage == pytest.approx(2 - 0.5 * DETECTED, abs=1e-6)
    assert r.nominal_damage == pytest.approx(2 - 2 * 0.5 * DETECTED, abs=1e-6)


def test_flying_high_beats_a_gun_only_plan() -> None:
    """The gun (effector 0, pk 0.9) covers both cells but cannot reach the high profile (no engagement pairs in
    that world): the best response flies high, and every drone leaks (damage 2); at the catalog altitude only
    2 × 0.1 would."""
    p = make_problem(demand=[[1.0], [1.0]], det=[(0, 0, 0, 0, 1.0), (1, 0, 0, 0, 1.0)],
                     eng=[(0, 0, 0, 0), (1, 0, 0, 0)], n_sites=1, sensor_cost=[1.0], effector_cost=[1.0],
                     p_kill=[[0.9]], budget=10.0)
    high = dataclasses.replace(p, eng_cell=p.eng_cell[:0], eng_threat=p.eng_threat[:0], eng_site=p.eng_site[:0],
                               eng_effector=p.eng_effector[:0])
    att = Attacker(axis=np.array([0, 0]), axis_names=("A",), axis_km=np.array([10.0]), groups=((0,),),
                   concentrate=1.0, profiles=("catalog", "high"), worlds=(p, high))
    fixed = FixedPlan(sensors=np.ones((1, 1)), effectors=np.ones((1, 1)), conventional=np.zeros(0), cost_eur=2.0)
    r = best_response(att, fixed)
    assert r.profile == "high" and r.damage == pytest.approx(2.0)
    assert r.nominal_damage == pytest.approx(2 * (1 - 0.9 * DETECTED), abs=1e-6)


def test_raid_keeps_the_mass_and_moves_it() -> None:
    """Decoy share 0.75 of a stream of 4 per cell: 1 armed, 3 decoys; half of group (both classes) moved onto axis
    1 (cells 2, 3) in proportion to what crosses there; AWAY keeps only the unmoved half."""
    p = make_problem(demand=[[1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [0.0, 0.0]], det=[], eng=[], n_sites=1,
                     sensor_cost=[1.0], effector_cost=[1.0], p_kill=[[0.5, 0.5]], budget=1.0, decoy=[False, True])
    att = Attacker(axis=np.array([0, 0, 1, 1]), axis_names=("A", "B"), axis_km=np.array([1.0, 1.0]),
                   groups=((0, 1),), concentrate=0.5, profiles=("catalog",), worlds=(p,), decoy=(0, 1),
                   decoy_shares=(None, 0.75))
    lam = raid(att, 0.75, (1,))
    assert lam.sum(axis=0) == pytest.approx(p.demand.sum(axis=0) * [0.5, 1.5])  # the stream re-shared, mass kept
    assert lam.sum() == pytest.approx(p.demand.sum())
    assert lam[:2].tolist() == [[0.25, 0.75], [0.25, 0.75]]  # half of the re-shared stream stays
    assert lam[3].tolist() == [0.0, 0.0]  # nothing crossed at cell 3: the moved half follows where drones cross
    assert raid(att, None, (AWAY,))[2].tolist() == [1.0, 1.0]
    assert raid(att, None, (SPREAD,)).tolist() == p.demand.tolist()


def test_axes_cut_each_border_in_order() -> None:
    """A 600 km border in 5 km cells at 250 km axes: round(600 / 250) = 2 axes of 300 km; a 100 km border: one."""
    rows = [{"border_id": "AA-XX", "part": 0, "chainage_m": 5000.0 * k, "length_m": 5000.0} for k in range(120)]
    rows += [{"border_id": "BB-XX", "part": 0, "chainage_m": 5000.0 * k, "length_m": 5000.0} for k in range(20)]
    cells = pd.DataFrame(rows[::-1])  # in no particular order
    axis, names, km = axes_of(cells, 250.0)
    assert names == ("AA-XX 1/2", "AA-XX 2/2", "BB-XX")
    assert km.tolist() == [300.0, 300.0, 100.0]
    order = cells.sort_values(["border_id", "chainage_m"]).index
    assert axis[order].tolist() == [0] * 60 + [1] * 60 + [2] * 20


def random_instance(draw: st.DrawFn) -> tuple[Attacker, FixedPlan]:
    """Two nations, 2-4 cells each, two classes (one a decoy), one site a cell with a sensor and one or two effectors of
    random kill probability and magazine, munitions that cost money; an altitude world without some pairs;
    1-2 groups, a concentration of 0.5 or 1, decoy shares."""
    n_a, n_b = draw(st.integers(2, 3)), draw(st.integers(1, 3))
    n = n_a + n_b
    demand = [[draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])), draw(st.sampled_from([0.0, 1.0, 2.0]))] for _ in range(n)]
    demand[0][0] = max(demand[0][0], 0.5)
    pk = [[draw(st.sampled_from([0.3, 0.6, 0.9])), draw(st.sampled_from([0.3, 0.6]))] for _ in range(2)]
    det, eng = [], []
    for i in range(n):
        for t in range(2):
            det.append((i, t, i, 0, draw(st.sampled_from([0.5, 0.9]))))
            for e in range(2):
                if draw(st.booleans()):
                    eng.append((i, t, i, e))
    p = make_problem(demand=demand, det=det, eng=eng, n_sites=n, sensor_cost=[1.0], effector_cost=[1.0, 2.0],
                     p_kill=pk, budget=1e3, magazine=[draw(st.sampled_from([1.0, 2.0, 50.0])), 3.0],
                     cost_per_shot=[0.0, 1.0], decoy=[False, True],
                     value=[[draw(st.sampled_from([1.0, 3.0])), 0.2] for _ in range(n)], strategy="sectors")
    nation = np.array([0] * n_a + [1] * n_b)
    p = dataclasses.replace(p, nations=("AA", "BB"), cell_nation=nation, site_nation=nation)
    keep = np.array([draw(st.booleans()) for _ in range(len(p.eng_cell))], dtype=bool)
    high = dataclasses.replace(p, eng_cell=p.eng_cell[keep], eng_threat=p.eng_threat[keep],
                               eng_site=p.eng_site[keep], eng_effector=p.eng_effector[keep])
    axis = np.array([0] * (n_a - 1) + [1] + [2] * n_b)  # nation AA: two axes, BB: one
    groups = draw(st.sampled_from([((0, 1),), ((0,), (1,))]))
    att = Attacker(axis=axis, axis_names=("A1", "A2", "B"), axis_km=np.ones(3), groups=groups,
                   concentrate=draw(st.sampled_from([0.5, 1.0])), profiles=("catalog", "high"), worlds=(p, high),
                   decoy=(0, 1), decoy_shares=(None, draw(st.sampled_from([0.2, 0.8]))))
    built = np.ones((n, 2))
    spend = {0: 4.0 * n_a + draw(st.sampled_from([0.0, 1.0, 4.0])), 1: 4.0 * n_b + draw(st.sampled_from([0.0, 2.0]))}
    fixed = FixedPlan(sensors=np.ones((n, 1)), effectors=built, conventional=np.zeros(0),
                      cost_eur=sum(spend.values()), nation_spend_eur=spend)
    return att, fixed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_best_response_equals_enumeration(data: st.DataObject) -> None:
    """On random two-nation instances (magazines shared by classes, munitions that cost money, decoys drawing shots,
    an altitude world with fewer pairs, one or two groups, partial concentration), the part-by-part best response
    with its bounds finds the damage of the whole-problem enumeration of every choice, and its choice does that
    damage."""
    att, fixed = random_instance(data.draw)
    r = best_response(att, fixed)
    oracle = enumerate_response(att, fixed)
    assert r.damage == pytest.approx(oracle.damage, rel=1e-6, abs=1e-6)
    assert r.nominal_damage == pytest.approx(oracle.nominal_damage, rel=1e-6, abs=1e-6)
    assert r.damage >= r.nominal_damage - 1e-9
    h = att.profiles.index(r.profile)
    world = dataclasses.replace(att.worlds[h], demand=r.demand)
    again = enumerate_response(dataclasses.replace(att, worlds=(world,), profiles=(r.profile,), decoy_shares=(None,),
                                                   groups=()), fixed)
    assert again.damage == pytest.approx(r.damage, rel=1e-6, abs=1e-6)  # the choice reported does that damage
    assert (r.kills <= r.demand + 1e-9).all()


PROFILE = {"altitude_m": {"shahed_136": 3500}, "source": ["cfa1"], "note": "reported at 3,000-4,000 m"}
DECOYS = {"armed": "shahed_136", "decoy": "gerbera_decoy", "shares": [0.5], "note": "about half, Sep 2025"}

# (id, adversary section, pattern the message must match: it names the field and the fix)
BAD = [
    ("unknown class in a group", {"groups": [["shahed_999"]]},
     r"adversary\.groups\[0\]: unknown threat 'shahed_999'; known: "),
    ("class without a raid density", {"groups": [["orlan_10"]]},
     r"adversary\.groups\[0\]: 'orlan_10' has no raid density in threats\.density: add one or leave it out"),
    ("class in two groups", {"groups": [["shahed_136"], ["shahed_136", "gerbera_decoy"]]},
     r"adversary: groups\[1\] repeats shahed_136: a class moves with one group only"),
    ("empty group", {"groups": [[]]}, r"adversary: groups\[0\] is empty"),
    ("five groups", {"groups": [["a"], ["b"], ["c"], ["d"], ["e"]]}, r"adversary: groups has 5 groups: at most 4"),
    ("zero concentration", {"concentrate_share": 0}, r"adversary\.concentrate_share: 0 is not valid"),
    ("altitude outside the band", {"altitude_profiles": {"high": {**PROFILE, "altitude_m": {"shahed_136": 9000}}}},
     r"adversary\.altitude_profiles\.high\.altitude_m\.shahed_136: 9000 m lies outside the class's catalog band "
     r"50-5000 m: choose a height within it"),
    ("unknown source", {"altitude_profiles": {"high": {**PROFILE, "source": ["nope"]}}},
     r"adversary\.altitude_profiles\.high\.source: unknown source id 'nope': add it to the sources catalog"),
    ("profile without a note", {"altitude_profiles": {"high": {k: v for k, v in PROFILE.items() if k != "note"}}},
     r"adversary\.altitude_profiles\.high\.note: .*missing"),
    ("decoy not a decoy", {"decoys": {**DECOYS, "decoy": "shahed_136", "armed": "gerbera_decoy"}},
     r"adversary\.decoys\.armed: 'gerbera_decoy' is not an armed drone class .*adversary\.decoys\.decoy: "
     r"'shahed_136' is not a decoy class"),
    ("decoy share above 1", {"decoys": {**DECOYS, "shares": [1.5]}}, r"adversary\.decoys\.shares\.0: 1\.5 is not valid"),
    ("same class twice", {"decoys": {**DECOYS, "decoy": "shahed_136"}},
     r"adversary\.decoys: armed and decoy are the same class: name the armed class and the decoy"),
]


@pytest.mark.parametrize(("case", "section", "pattern"), BAD, ids=[c[0] for c in BAD])
def test_bad_adversary_sections_name_the_field(tmp_path, tiny_dict, case, section, pattern) -> None:
    tiny_dict["adversary"] = section
    path = write_yaml(tmp_path / "bad.yaml", tiny_dict)
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    assert "bad.yaml" in str(info.value)
    assert re.search(pattern, str(info.value), re.S), f"{case}: {info.value}"


def _two_nations(p):
    """``p`` with cell and site 0 in nation AA, cell and site 1 in BB, solved by nation."""
    nation = np.array([0, 1])
    return dataclasses.replace(p, nations=("AA", "BB"), cell_nation=nation, site_nation=nation)


def strong_or_weak() -> tuple[object, Attacker, FixedPlan]:
    """One drone a raid at each of two cells (two nations, an axis each), budget 12; a strong effector (pk 0.9, €10)
    or a weak one (pk 0.4, €6) may stand at each site; the nominal plan: one strong unit in nation AA."""
    p = _two_nations(make_problem(
        demand=[[1.0], [1.0]], det=[(0, 0, 0, 0, 1.0), (1, 0, 1, 0, 1.0)],
        eng=[(0, 0, 0, 0), (0, 0, 0, 1), (1, 0, 1, 0), (1, 0, 1, 1)], n_sites=2, sensor_cost=[0.0],
        effector_cost=[10.0, 6.0], p_kill=[[0.9], [0.4]], budget=12.0, strategy="sectors"))
    att = Attacker(axis=np.array([0, 1]), axis_names=("A", "B"), axis_km=np.ones(2), groups=((0,),), concentrate=1.0,
                   profiles=("catalog",), worlds=(p,))
    nominal = FixedPlan(sensors=np.ones((2, 1)), effectors=np.array([[1.0, 0.0], [0.0, 0.0]]),
                        conventional=np.zeros(0), cost_eur=10.0, nation_spend_eur={0: 10.0, 1: 0.0})
    return p, att, nominal


def test_the_aware_plan_equalises_two_sectors() -> None:
    """One drone a raid at each of two cells (two nations, an axis each), budget 12. A strong effector (pk 0.9, €10)
    or a weak one (pk 0.4, €6) may stand at each site. Nominal: one strong (kills 0.9 of the 2 drones; two weak kill
    0.8). Against it the attacker puts both drones on the undefended sector: all 2 leak. Aware: a weak unit in each
    sector (€12) holds either attack to 2 − 2 × 0.4 = 1.2 (one strong: 2 leak on the other side; two strong: €20);
    the best response to it leaks 1.2 wherever it goes: the sectors are equal."""
    p, att, nominal = strong_or_weak()
    r = best_response(att, nominal)
    assert r.axes == (1,) and r.damage == pytest.approx(2.0)
    with Runner(1) as runner:
        aware = plan_against(att, nominal, runner)
    assert aware.fixed.effectors.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert aware.response.damage == pytest.approx(2 - 2 * 0.4 * DETECTED, abs=1e-6)
    leaks = axis_leaks(att, aware.fixed)
    assert leaks[0, 0, 0] == pytest.approx(leaks[0, 0, 1], abs=1e-9)  # equal sectors
    # the rounds' own evaluations, kept for the axes table: the nominal plan's (all 2 leak on B) and this one's
    assert aware.leaks == pytest.approx(leaks, abs=1e-9)
    assert aware.nominal_leaks == pytest.approx(axis_leaks(att, nominal), abs=1e-9)
    assert aware.nominal_leaks[0, 0, 1] == pytest.approx(2.0)
    assert aware.objective >= aware.nominal_objective - 1e-9
    assert aware.gap <= 0.01 + 1e-9
    # the adversary-aware frontier: the search's plans within the budget by money, from nothing built (the cap: the
    # most an attack leaks, 2) to the chosen one, two weak units (€12; two strong, €20, are over the budget); every
    # axis was planned against, so each plan holds every attack to its cap
    money = [sum((f.nation_spend_eur or {}).values()) for _, f in aware.points]
    assert money == sorted(money) and money[0] == 0.0 and aware.points[0][0] == pytest.approx(2.0)
    assert aware.points[-1][0] == aware.cap and money[-1] == pytest.approx(12.0)
    for cap, f in aware.points:
        assert max(axis_leaks(att, f).values()) <= cap * (1 + 1e-6) + 1e-9


def test_a_floor_on_the_scenarios_raid_keeps_every_nation_defended() -> None:
    """strong_or_weak, nation BB's drones worth 0.1 each. Without a floor the aware plan is one strong unit in AA (€10):
    the attack on A leaks 2 × 0.1 = 0.2, the one on B 2 × 0.1 = 0.2 with nothing there (a weak unit in BB would
    cost €16 in all). With each nation held to defeat 30% of the value of the scenario's raid over its border, BB
    needs a weak unit (0.4 of its drone), so AA can afford only the other weak one (€12): the attack on A leaks
    2 − 0.8 = 1.2. The nominal plan (the strong unit in AA) does better against its best response but leaves BB's
    raid undefeated, so it is not the answer."""
    p, att, nominal = strong_or_weak()
    p = dataclasses.replace(p, value=np.array([[1.0], [0.1]]))
    att = dataclasses.replace(att, worlds=(p,))
    with Runner(1) as runner:
        free = plan_against(att, nominal, runner)
        held = plan_against(att, nominal, runner, nominal_floor=0.3)
        with pytest.raises(ConfigError, match="--nominal-floor: 1 is not a share"):
            plan_against(att, nominal, runner, nominal_floor=1.0)
    assert free.fixed.effectors.tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert free.response.damage == pytest.approx(0.2, abs=1e-5)
    assert held.fixed.effectors.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert held.response.damage == pytest.approx(2 - 0.8 * DETECTED, abs=1e-6)
    assert held.objective < held.nominal_objective  # the nominal plan does better, but misses BB's floor


def test_the_aware_plan_meets_the_nations_surveillance_requirement() -> None:
    """strong_or_weak with BB's drones worth 0.1, sensors €1 and a budget of 13. Free, the aware plan is one strong
    unit and a sensor in AA (€11): either attack leaks 0.2 (A: 2 × (1 − 0.9); B: 2 × 0.1 with nothing there), and a
    sensor in BB would buy nothing against the attacks. With BB required to detect 90% of its drones
    (systems.min_detection) the guard MILP holds that requirement on the scenario's raid over BB, as the planning
    model does: BB's sensor is built too (€12), the worst case unchanged."""
    p, att, nominal = strong_or_weak()
    p = dataclasses.replace(p, value=np.array([[1.0], [0.1]]), sensor_unit_cost_eur=np.array([1.0]), budget_eur=13.0)
    nominal = dataclasses.replace(nominal, cost_eur=12.0)
    with Runner(1) as runner:
        free = plan_against(dataclasses.replace(att, worlds=(p,)), nominal, runner)
        q = dataclasses.replace(p, min_detection=np.array([[0.0], [0.9]]))
        held = plan_against(dataclasses.replace(att, worlds=(q,)), nominal, runner)
    assert free.fixed.effectors.tolist() == [[1.0, 0.0], [0.0, 0.0]] and free.fixed.sensors.tolist() == [[1.0], [0.0]]
    assert held.fixed.effectors.tolist() == [[1.0, 0.0], [0.0, 0.0]] and held.fixed.sensors.tolist() == [[1.0], [1.0]]
    assert free.response.damage == pytest.approx(0.2, abs=1e-5) and held.response.damage == pytest.approx(0.2, abs=1e-5)
    assert sum(held.fixed.nation_spend_eur.values()) == pytest.approx(12.0, abs=1e-6)


def test_euros_per_unit_of_leak_cut_follow_the_lower_envelope() -> None:
    """Points by money €0, 10, 20, 30, 40 leaking 10, 8, 9, 5, 5: the second cuts 2 for €10 (€5 a unit); the third
    leaks more than the second (an attack outside the set beat its cap): none; the fourth cuts 3 below the second for
    €20 (€20/3 a unit), not 4 below the third; the fifth cuts nothing: none."""
    out = _eur_per_leak_cut(np.array([0.0, 10, 20, 30, 40]), np.array([10.0, 8, 9, 5, 5]))
    assert np.isnan(out[[0, 2, 4]]).all() and out[1] == pytest.approx(5.0) and out[3] == pytest.approx(20 / 3)


def test_the_frontier_keeps_a_few_caps_spread_over_the_money() -> None:
    """Ten caps 10, 9, …, 1 whose plans cost 10 − cap: six are kept at ranks round(i × 9 / 5) = 0, 2, 4, 5, 7, 9 (caps
    10, 8, 6, 5, 3, 1); the chosen cap 4 (cost 6) is not among them, so the inner cap nearest it in cost gives way
    (5 and 3 both cost 1 away: the smaller, 3); a cap without a plan, or whose plan is over the budget, is never
    kept."""
    tried = {float(c): Guarded(float(c), [], cost=10.0 - c, objective=-c) for c in range(1, 11)}
    tried[0.5] = Guarded(0.5, None)  # no plan
    tried[0.2] = Guarded(0.2, [], cost=99.0)  # a plan over the budget: no objective
    assert _spread(tried, 4.0) == [10.0, 8.0, 6.0, 5.0, 4.0, 1.0]
    assert _spread(tried, 5.0) == [10.0, 8.0, 6.0, 5.0, 3.0, 1.0]
    assert _spread({2.0: tried[2.0], 1.0: tried[1.0]}, 1.0) == [2.0, 1.0]
    # two points: the ends 10 and 1, the chosen 4 in place of the end nearer in cost (10: 6 away, 1: 3 away)
    assert _spread(tried, 4.0, 2) == [10.0, 4.0] and _spread(tried, 4.0, 1) == [4.0] and _spread(tried, 4.0, 0) == []


def test_the_aware_plan_answers_an_attacker_flying_high() -> None:
    """Two drones a raid on one axis, budget 10. A gun (pk 0.9, €5) reaches the catalog altitude only (no pairs in
    the high world), a SAM (pk 0.8, €8) both. Nominal: the gun (1.8 kills against the SAM's 1.6). The attacker flies
    high: all 2 leak. Aware: the SAM holds both profiles to 2 − 1.6 = 0.4 (both: €13, over the budget)."""
    p = make_problem(demand=[[1.0], [1.0]], det=[(0, 0, 0, 0, 1.0), (1, 0, 0, 0, 1.0)],
                     eng=[(0, 0, 0, 0), (1, 0, 0, 0), (0, 0, 0, 1), (1, 0, 0, 1)], n_sites=1, sensor_cost=[0.0],
                     effector_cost=[5.0, 8.0], p_kill=[[0.9], [0.8]], budget=10.0)
    gun = p.eng_effector == 0
    high = dataclasses.replace(p, eng_cell=p.eng_cell[~gun], eng_threat=p.eng_threat[~gun],
                               eng_site=p.eng_site[~gun], eng_effector=p.eng_effector[~gun])
    att = Attacker(axis=np.array([0, 0]), axis_names=("A",), axis_km=np.ones(1), groups=((0,),), concentrate=1.0,
                   profiles=("catalog", "high"), worlds=(p, high))
    nominal = FixedPlan(sensors=np.ones((1, 1)), effectors=np.array([[1.0, 0.0]]), conventional=np.zeros(0),
                        cost_eur=5.0)
    assert best_response(att, nominal).profile == "high"
    with Runner(1) as runner:
        aware = plan_against(att, nominal, runner)
    assert aware.fixed.effectors.tolist() == [[0.0, 1.0]]
    assert aware.response.damage == pytest.approx(2 - 1.6 * DETECTED, abs=1e-6)
    assert aware.objective > aware.nominal_objective


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_aware_plan_is_never_worse_in_the_worst_case(data: st.DataObject) -> None:
    """On random two-nation instances (the raid as one group, all of it onto one axis), the adversary-aware plan's
    objective (conventional value less its best response's leak) is never below the nominal plan's, and the leak
    reported is its exact best response's. (The bound is the model's: its detection chords promise a little less
    than the exact evaluation finds, so a plan's exact objective may pass it by that much; the gap is then 0.)"""
    att, fixed = random_instance(data.draw)
    att = dataclasses.replace(att, groups=((0, 1),), concentrate=1.0)
    with Runner(1) as runner:
        aware = plan_against(att, fixed, runner, time_limit_s=60)
    assert aware.objective >= aware.nominal_objective - 1e-6
    assert aware.gap >= 0
    assert aware.response.damage == pytest.approx(best_response(att, aware.fixed).damage, rel=1e-6, abs=1e-6)
    assert aware.response.damage <= aware.nominal_response.damage + 1e-6 or aware.objective > aware.nominal_objective


def test_the_adversary_analysis_on_the_tiny_scenario(tmp_path, tiny_dict) -> None:
    """`dronewall adversary` end to end on one border (one axis): both plans against both raids, the folder written
    and its document matching its schema; the aware plan's worst case no worse than the nominal plan's."""
    tiny_dict["adversary"] = {"altitude_profiles": {"high": PROFILE | {"altitude_m": {"shahed_136": 3500,
                                                                                      "gerbera_decoy": 3500}}}}
    scenario = load_scenario(write_yaml(tmp_path / "tiny.yaml", tiny_dict))
    result = adversary(scenario, time_limit_s=60)
    m = result.summary
    assert m["axis_count"] == 1 and m["choices"] == 2 * 1 * 2
    assert m["plans"]["aware"]["best_response_leak"] <= m["plans"]["nominal"]["best_response_leak"] + 1e-6
    assert set(result.table["plan"]) == {"nominal", "aware"} and len(result.table) == 4
    out = write_adversary(result, tmp_path / "adversary")
    doc = assert_matches_schema(out, "adversary")
    assert len(doc["adversary_axes"]) == 1 and (out / "adversary.png").stat().st_size > 10_000
    # the adversary-aware frontier: its chosen plan is the aware plan; the scenario's raid is one of the attacker's
    # choices (the catalog profile, spread, the scenario's decoys), so no point's best response leaks less than it
    # (the raid's exact evaluation on the whole border against the best response's, nation by nation)
    fr = result.frontier
    assert len(fr) >= 1 and (fr["best_response_leak"] >= fr["leaked_value_over_horizon"] - 1e-6).all()
    if fr["chosen"].any():
        chosen = fr[fr["chosen"]].iloc[0]
        assert chosen["drone_defence_eur"] == pytest.approx(m["plans"]["aware"]["drone_defence_eur"])
        assert chosen["best_response_rate_value"] == pytest.approx(m["plans"]["aware"]["best_response_rate"])
    assert len(doc["adversary_frontier"]) == len(fr) and (out / "adversary_frontier.png").stat().st_size > 10_000
    # a floor on the scenario's raid above what the free aware plan defeats (one nation: the whole raid; the best
    # any plan does is about 59.1%), no frontier; a share of 1 or more is refused
    assert m["plans"]["aware"]["nominal_rate"] < 0.59
    held = adversary(scenario, time_limit_s=60, frontier_points=0, nominal_floor=0.59)
    assert held.summary["nominal_floor"] == 0.59 and held.frontier.empty
    assert held.summary["plans"]["aware"]["nominal_rate"] >= 0.59 - 1e-6
    assert held.summary["nation_rates_exact"]["aware"]["SK"] == pytest.approx(
        held.summary["plans"]["aware"]["nominal_rate"], abs=1e-6)  # one nation: its rate is the flank's
    assert_matches_schema(write_adversary(held, tmp_path / "held"), "adversary")
    with pytest.raises(ConfigError, match="--nominal-floor: 1.5 is not a share"):
        adversary(scenario, nominal_floor=1.5)
    assert (out / "plans" / "aware" / "plan.json").exists()


def test_the_aware_search_ends_on_short_time_no_value_and_refuses_cross_border_coverage() -> None:
    """However short the time, one search runs and a plan comes back; drones worth nothing end the search at once
    (every cap 0); a unit covering another nation's cell (cross-border coverage) is refused with the field to
    change, since the flank no longer splits by nation."""
    p, att, nominal = strong_or_weak()
    with Runner(1) as runner:
        quick = plan_against(att, nominal, runner, time_limit_s=1e-6)
        assert quick.response.damage <= 2.0 + 1e-9 and quick.rounds[0]["caps_tried"] >= 1
        worthless = dataclasses.replace(att, worlds=(dataclasses.replace(p, value=np.zeros((2, 1))),))
        assert plan_against(worthless, nominal, runner).response.damage == pytest.approx(0.0)
        across = dataclasses.replace(p, det_cell=np.array([0, 1, 1]), det_threat=np.zeros(3, dtype=np.int64),
                                     det_site=np.array([0, 1, 0]), det_sensor=np.zeros(3, dtype=np.int64),
                                     det_weight=np.full(3, p.det_weight[0]))
        with pytest.raises(ConfigError, match="theater.cross_border_coverage: planning against the adversary"):
            plan_against(dataclasses.replace(att, worlds=(across,)), nominal, runner)


def test_the_briefings_finding_reads_the_leak_cut_by_its_sign_and_skips_rates_it_lacks() -> None:
    """A floor may make the aware plan leak more than the nominal one: the finding says 'raises', never 'cuts by −x%';
    an adversary-aware frontier whose raids carry no value (null rates) adds no sentence of its own."""
    from planner.report.brief_sections import adversary_finding

    plan = {"nominal_rate": 0.6, "best_response_rate": 0.04, "best_response": "A; altitude high; decoy share 0.5",
            "drone_defence_eur": 1e9, "conventional_capability": 200.0, "expensive_failure": True}
    m = {"plans": {"nominal": plan, "aware": plan | {"drone_defence_eur": 1.5e9, "best_response_rate": 0.1}},
         "drone_defence_shift_eur": 0.5e9, "conventional_capability_shift": -20.0, "worst_case_leak_cut": -0.4,
         "nominal_floor": 0.5, "target": 0.48,
         "adversary_frontier": [{"drone_defence_eur": 0.0, "best_response_rate_value": None}]}
    text = adversary_finding(m)
    assert "raises what the worst attack leaks by 40%" in text and "cuts" not in text
    assert "€500.0M more" in text and "every nation held to defeat 50%" in text
    assert "and defeats 60% of the scenario's raid" in text
    assert "plans tried" not in text
