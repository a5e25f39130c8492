"""The constraint families as declared objects (planner.lp.families): each names a define_* function that exists
and a check; a family declared per nation survives the decomposition (a national sub-problem keeps its arrays, and
every candidate national plan is held to it), a family that spans nations is left to the choice among national
plans (a national sub-problem drops it); explanations come from the data."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest

from planner.lp import families
from planner.lp.families import FAMILIES, explain, national, per_nation_violations
from tests.lp_helpers import make_problem

#: What a family that spans nations leaves out of a national sub-problem: field -> its neutral value there.
FLANK_WIDE = {"conventional floor": ("conventional_floor", 0.0), "class targets": ("defeat_targets", {}),
              "national caps": ("nation_cap_eur", {})}


def two_nations(**kw):
    """Cell 0 (AA, λ = 10) seen from site 0 and engaged from site 1; cell 1 (BB, λ = 4) from sites 2 and 3."""
    p = make_problem(demand=[[10.0], [4.0]], det=[(0, 0, 0, 0, 0.9), (1, 0, 2, 0, 0.9)],
                     eng=[(0, 0, 1, 0), (1, 0, 3, 0)], n_sites=4, sensor_cost=[1.0], effector_cost=[1.0],
                     p_kill=[[0.5]], budget=10.0, strategy="sectors", **kw)
    return dataclasses.replace(p, nations=("AA", "BB"), cell_nation=np.array([0, 1]),
                               site_nation=np.array([0, 0, 1, 1]))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_each_family_names_its_define_function_and_check(family) -> None:
    for ref in family.define.split(", "):
        module, name = ref.split(".")
        assert callable(getattr(importlib.import_module(f"planner.lp.{module}"), name)), ref
    assert callable(family.check) and family.holds


def test_flank_wide_families_are_left_out_of_national_sub_problems() -> None:
    p = dataclasses.replace(two_nations(), conventional_floor=3.0, defeat_targets={0: 0.5}, nation_cap_eur={1: 5.0},
                            min_detection=np.array([[0.5], [0.8]]))
    for n in (0, 1):
        sub, _, _ = national(p, n)
        for f in FAMILIES:
            if f.name in FLANK_WIDE:
                field, neutral = FLANK_WIDE[f.name]
                assert getattr(sub, field) == neutral, f.name
        # per nation: surveillance keeps the nation's row of requirements (shared array, sliced by nation index)
        assert sub.min_detection[n, 0] == p.min_detection[n, 0]
    # BB's cap is carried into BB's national model as its money
    assert national(p, 1)[0].budget_eur == 5.0 and national(p, 0)[0].budget_eur == 10.0
    # the values a national model gives flank-wide fields come from the families' declarations alone
    assert {name for f in FAMILIES for name, _ in f.national} == {field for field, _ in FLANK_WIDE.values()}
    assert {f.name for f in FAMILIES if not f.per_nation} == {"budget", "conventional floor", "class targets"}


def test_a_candidate_breaking_a_per_nation_family_is_flagged() -> None:
    """BB requires 80% of its drones detected: its empty plan (nothing built) breaks the surveillance family;
    AA's, with no requirement, does not."""
    p = dataclasses.replace(two_nations(), min_detection=np.array([[0.0], [0.8]]))
    for n, broken in ((0, False), (1, True)):
        sub, _, _ = national(p, n)
        shape = sub.demand.shape
        found = per_nation_violations(sub, np.zeros((2, 1)), np.zeros((2, 1)), np.zeros(shape),
                                 np.zeros((*shape, 1)))
        assert bool(found) is broken, found
        if broken:
            assert found[0].startswith("surveillance requirement of BB")


def test_explanations_come_from_the_data() -> None:
    p = two_nations()
    assert explain(p, lambda q, t: 1.0) == []
    ins = np.zeros((4, 1), bool)
    ins[3, 0] = True
    dear = dataclasses.replace(p, in_service_effectors=ins, effector_operating_eur_per_year=np.array([5.0]),
                               horizon_years=3)
    assert any("units in service cost more to operate than the budget allows" in r for r in explain(dear, None))
    capped = dataclasses.replace(dear, nation_cap_eur={1: 2.0}, budget_eur=100.0)
    assert explain(capped, None) == ["the units in service in BB cost €0.00bn to operate, more than its cap "
                                     "(budget.per_nation_eur, €0.00bn)"]
    targets = dataclasses.replace(p, defeat_targets={0: 0.9})
    assert explain(targets, lambda q, t: 0.45) == ["defeat-rate target 0.9 for t0 is unreachable within €0.00bn: "
                                                   "best reachable 0.450"]
    short = dataclasses.replace(p, min_detection=np.array([[0.0], [0.95]]))
    assert explain(short, None) == [
        "systems.min_detection: BB requires 0.950 of t0 detected; every candidate sensor together detects 0.900"]
    assert families.PER_NATION == tuple(f for f in FAMILIES if f.per_nation)


def test_a_sweep_names_the_family_that_makes_a_nation_infeasible() -> None:
    """The sweeps' national plans (planner.analysis.family) explain an infeasible nation from the data, as a plan
    does: BB requires 95% of its drones detected and its one candidate sensor sees 90%. (They used to blame the
    units in service, which this scenario has none of.)"""
    from planner.analysis.family import build_family
    from planner.errors import InfeasibleError

    p = dataclasses.replace(two_nations(), min_detection=np.array([[0.0], [0.95]]))
    with pytest.raises(InfeasibleError, match=r"systems\.min_detection: BB requires 0\.950 of t0 detected; every "
                                              r"candidate sensor together detects 0\.900: lower the share"):
        build_family(p, prices=[1e-3])
