"""PlanningProblem.sector slices every field by the axis it declares (planner.problem.AXES), so a field added
for a new constraint family reaches every national sub-problem, or the test below names it (issue #12: a
per-nation row once inherited another nation's data because a hand-written list of fields missed it)."""

from __future__ import annotations

import dataclasses

import numpy as np

from planner.problem import AXES, INDEXES, PlanningProblem
from tests.test_sectors import two_cells


def test_every_field_declares_one_axis() -> None:
    declared = [name for names in AXES.values() for name in names]
    assert len(declared) == len(set(declared)), "a field is listed under two axes"
    assert set(declared) == {f.name for f in dataclasses.fields(PlanningProblem)}
    assert set(INDEXES) <= set(AXES["det"]) | set(AXES["eng"]) | set(AXES["pt"]) | set(AXES["esc"])


def test_sectors_partition_the_flank() -> None:
    """two_cells: nation AA holds cell 0 and sites 0-1, BB cell 1 and sites 2-3; each sector keeps its own cell,
    sites and pairs, renumbered from 0, no conventional options, and the shared fields whole."""
    p = two_cells()
    for n, (cells, sites) in enumerate(((([0]), [0, 1]), ([1], [2, 3]))):
        sub, ci, si = p.sector(n)
        assert ci.tolist() == cells and si.tolist() == sites
        assert sub.cell_ids.tolist() == p.cell_ids[cells].tolist() and sub.demand.tolist() == p.demand[cells].tolist()
        assert sub.site_ids.tolist() == p.site_ids[sites].tolist()
        assert sub.det_cell.tolist() == [0] and sub.det_site.tolist() == [0]  # renumbered
        assert sub.eng_cell.tolist() == [0] and sub.eng_site.tolist() == [1]
        assert sub.conv_ids == () and len(sub.conv_score) == 0
        assert sub.p_kill is p.p_kill and sub.min_detection is p.min_detection
    assert sum(len(p.sector(n)[0].det_cell) for n in range(2)) == len(p.det_cell)
    capped = dataclasses.replace(p, nation_cap_eur={1: 1.5})
    assert capped.sector(1)[0].budget_eur == p.budget_eur and capped.sector(1)[0].nation_cap_eur == {1: 1.5}
    assert np.array_equal(capped.sector(1)[0].mag_share, p.mag_share[[2, 3]])


def test_pair_indices_are_32_bit_and_keys_do_not_overflow() -> None:
    """The pairs' indices are stored in 32 bits (planner.problem_arrays.PAIR_INDEX: half the memory of a large
    problem's largest arrays), a sector keeps them so, and a key combining cell, site and type is formed in 64 bits:
    with 50,000 sites, 30 types and 5,000 cells the key reaches 7.5 × 10⁹, past 2³¹. Unit A at site 49,999 (type 29)
    reaches cells 4,998 and 4,999, so each gets half its magazine; unit B at site 0 (type 0) reaches cell 4,999
    alone and keeps it whole (in 32 bits the keys wrap and the counts mix units)."""
    from planner.problem_arrays import PAIR_INDEX, magazine_shares

    site = np.array([49_999, 49_999, 0], dtype=PAIR_INDEX)
    effector = np.array([29, 29, 0], dtype=PAIR_INDEX)
    cell = np.array([4_998, 4_999, 4_999], dtype=PAIR_INDEX)
    share = magazine_shares(50_000, 30, 5_000, site, effector, cell)
    assert share[49_999, 29] == 0.5 and share[0, 0] == 1.0 and np.count_nonzero(share) == 2
    from planner.config.io import load_scenario
    from planner.geo.theater import build_theater
    from planner.problem import build_problem
    from tests.conftest import CONFIGS

    sc = load_scenario(CONFIGS / "tiny.yaml")
    p = build_problem(sc, build_theater(sc))
    pairs = ("det_cell", "det_threat", "det_site", "det_sensor", "eng_cell", "eng_threat", "eng_site", "eng_effector")
    assert len(p.eng_cell) and len(p.det_cell)
    for name in pairs:
        assert getattr(p, name).dtype == PAIR_INDEX, name
        assert getattr(p.sector(0)[0], name).dtype == PAIR_INDEX, name
    assert p.det_weight.dtype == np.float64
