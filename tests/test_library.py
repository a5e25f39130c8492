"""The library as a notebook user meets it (issue #17): short reprs and HTML views, GeoDataFrames of the plan."""

from __future__ import annotations

from pathlib import Path

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


def test_the_model_as_mps_solves_to_the_same_optimum(tmp_path: Path) -> None:
    """write_mps: the LP relaxation written, read back by HiGHS itself and solved, gives the relaxation's optimum as
    dronewall solves it; the file says it maximises."""
    import highspy
    import pulp

    from planner.lp.solver import run_model

    sc = planner.load_scenario("tiny")
    path = planner.write_mps(sc, tmp_path / "tiny.mps", relax=True)
    assert "OBJSENSE" in path.read_text()[:200]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.run()
    prob, variables = planner.build_model(sc, relax=True)
    run_model(prob, planner.planning_problem(sc), mip=False)
    assert h.getInfo().objective_function_value == pytest.approx(pulp.value(prob.objective), rel=1e-7)
    assert {"sensors", "effectors", "conventional", "engage"} <= set(variables)


def test_value_of_money_is_the_relaxations_marginal() -> None:
    """The budget's shadow price is what €1M more adds to the LP relaxation's optimum (a finite difference at the
    tiny scenario, whose marginal euro buys Leopard-2A8 tanks at 50 points of value per unit: 1 a million)."""
    import pulp

    from planner.lp.solver import run_model

    sc = planner.load_scenario("tiny")

    def relaxed(s: planner.Scenario) -> float:
        prob, _ = planner.build_model(s, relax=True)
        run_model(prob, planner.planning_problem(s), mip=False)
        return float(pulp.value(prob.objective))

    value = planner.value_of_money(sc)
    more = relaxed(sc.with_overrides({"budget.total_eur": sc.config.budget.total_eur + 1e6})) - relaxed(sc)
    assert value["objective_units_per_meur"] == pytest.approx(more, rel=1e-4)
    assert value["objective_units_per_meur"] == pytest.approx(1.0, rel=1e-3)


def test_coverage_and_site_system_layers(tiny_plan: planner.Plan, tmp_path: Path) -> None:
    """plan.gpkg's long layer holds every unit; the coverage layer each unit's cells from the model's pairs (the cells
    any sensor watches are those the plan detects drones in); --formats writes the same layers as FlatGeobuf and
    GeoParquet."""
    import geopandas as gpd

    from planner.report.plan_layers import coverage_layer

    out = planner.write_plan(tiny_plan, tmp_path / "run", formats=("fgb", "parquet"))
    units = gpd.read_file(out / "plan.gpkg", layer="site_systems")
    assert len(units) == len(tiny_plan.units) and set(units["system"]) == set(tiny_plan.units["system"])
    cover = coverage_layer(tiny_plan)
    assert len(cover) == len(units) and (cover["cells"] > 0).all()
    p = tiny_plan.problem
    watched = cover[cover["category"] == "sensor"].geometry.union_all()
    seen = tiny_plan.geo_cells()
    seen = seen[seen[[c for c in seen.columns if c.startswith("p_detect_")]].max(axis=1) > 0]
    assert all(watched.buffer(1).contains(g) for g in seen.geometry)
    assert cover["border_km"].max() <= float(p.cell_ids.size) * 10 + 1e-9  # at most every 10 km cell
    for suffix, read in ((".fgb", gpd.read_file), (".parquet", gpd.read_parquet)):
        again = read(out / "layers" / f"coverage{suffix}")  # FlatGeobuf orders features by its spatial index
        key = ["site_id", "system"]
        assert again.sort_values(key)[[*key, "cells"]].values.tolist() == cover.sort_values(key)[
            [*key, "cells"]].values.tolist() and again.crs == cover.crs


def test_unknown_or_unavailable_formats_are_refused() -> None:
    from planner.report.plan_layers import check_formats

    with pytest.raises(planner.ConfigError, match=r"--formats: unknown format shp: give gpkg"):
        check_formats(["fgb", "shp"])
    assert check_formats(["gpkg", "FGB", " "]) == ("fgb",)


def test_exact_duals_are_the_evaluations_marginals(tiny_plan: planner.Plan) -> None:
    """planner.exact_duals: the money row's dual is what €10k more for munitions adds to the exact evaluation (a
    finite difference of the same LP, the plan held); where magazines bind (raids 100 times the expected size at
    surge: measured 0.192 a shot in every cell, the money then slack), each binding cell and type has a positive
    dual, none where they are slack (the tiny plan)."""
    import dataclasses

    import pulp

    from planner.lp.formulation import build_model
    from planner.lp.solver import run_model
    from planner.plan import fixed_plan

    p = tiny_plan.problem
    fixed = fixed_plan(p, tiny_plan.solved)

    def evaluated(cost: float) -> float:
        prob, _ = build_model(p, fixed=dataclasses.replace(fixed, cost_eur=cost))
        run_model(prob, p, mip=False)
        return float(pulp.value(prob.objective))

    duals = planner.exact_duals(tiny_plan)
    money = duals.loc[duals["family"] == "money", "dual"]
    assert len(money) == 1 and (duals["family"] == "magazine").sum() == 0
    base = fixed.cost_eur * (1 + 1e-9) + 1.0  # the evaluation's own budget (planner.lp.formulation.build_model)
    step = (evaluated(base + 1e4) - evaluated(base)) / 1e4
    assert float(money.iloc[0]) == pytest.approx(step, rel=1e-4)
    surged = planner.solve(planner.load_scenario("tiny").with_overrides({"threats.raid_surge_factor": 100}))
    tight = planner.exact_duals(surged)
    mags = tight[tight["family"] == "magazine"]
    assert len(mags) > 0 and (mags["dual"] > 0).all() and set(mags["cell_id"]) <= set(surged.problem.cell_ids)
    assert set(mags["system"]) == {"interceptor_drone"}
