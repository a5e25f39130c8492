"""The library as a notebook user meets it (issue #17): short reprs and HTML views, GeoDataFrames of the plan."""

from __future__ import annotations

import pytest

import planner


@pytest.fixture(scope="module")
def tiny_plan() -> planner.Plan:
    return planner.solve(planner.load_scenario("tiny"))


def test_scenario_repr_is_short() -> None:
    sc = planner.load_scenario("tiny")
    text = repr(sc)
    assert len(text) < 600 and "tiny [" in text and "€0.30bn over 10 years" in text and "SK" in text
    assert sc._repr_html_().startswith("<table>") and "shahed_136" in sc._repr_html_()


def test_plan_repr_is_short_and_says_the_headline(tiny_plan: planner.Plan) -> None:
    text = repr(tiny_plan)
    s = tiny_plan.summary
    assert len(text) < 1000, len(text)
    assert f"{100 * s['defeat_rate_all_exact']:.1f}% of" in text and "(exact evaluation)" in text
    assert f"€{s['spend_eur']['total'] / 1e9:.2f}bn of €0.30bn" in text
    html = tiny_plan._repr_html_()
    assert html.count("<table") == 2 and "defeat_rate_exact" in html


def test_plan_geodataframes(tiny_plan: planner.Plan) -> None:
    """geo_cells() and geo_sites(): the plan's cells and built sites with geometry, in the theater's CRS."""
    cells, sites = tiny_plan.geo_cells(), tiny_plan.geo_sites()
    assert cells.crs == tiny_plan.theater.cells.crs and len(cells) == len(tiny_plan.cells)
    assert cells.geometry.notna().all() and {"border_id", "p_defeat_shahed_136", "leakers_all"} <= set(cells.columns)
    assert cells["p_defeat_all"].tolist() == tiny_plan.cells["p_defeat_all"].tolist()
    assert set(sites["site_id"]) == set(tiny_plan.units["site_id"]) and sites.geometry.notna().all()
