"""Decision sensitivity (the tornado, issue #13): on a hand-checkable variant of the tiny scenario the bisected flips
agree with the values worked out by hand; bad inputs are clear errors; the command writes its files and the
briefing's section reads them."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from planner.analysis.tornado import BUYS_SHARE, tornado
from planner.analysis.tornado_inputs import MAX_DEFAULT_INPUTS, parse_inputs
from planner.cli import analysis_commands
from planner.config.io import Scenario, load_scenario
from planner.errors import ConfigError
from planner.plan import solve_scenario
from planner.registry import by_command
from planner.runfolder import read_analysis
from tests.conftest import CONFIGS
from tests.schema_check import assert_matches_schema

#: The hand case's Leopard 2A8: €30M to buy and €2M a year to run, so one costs K = €50M over the 10-year horizon
#: and the tiny scenario's €300M buys exactly six.
LEOPARD_EUR, LEOPARD_EUR_PER_YEAR = 30e6, 2e6


def hand_case() -> Scenario:
    """configs/tiny.yaml (Slovakia, €300M over 10 years, 12 raids a year of Shaheds and Gerbera decoys, one
    conventional option, max_defeat at 50 drones per Leopard-2A8 equivalent) with the Leopard's price fixed (the
    catalog's may change) and a near-exact solver gap, so that the flips below follow from arithmetic."""
    sc = load_scenario(CONFIGS / "tiny.yaml")
    cfg = sc.config.model_copy(update={"solver": sc.config.solver.model_copy(update={"mip_rel_gap": 1e-6})})
    leo = sc.catalog.conventional["leopard_2a8"]
    leo = leo.model_copy(update={
        "unit_cost_eur": leo.unit_cost_eur.model_copy(update={"value": LEOPARD_EUR}),
        "operating_cost_eur_per_year": leo.operating_cost_eur_per_year.model_copy(update={"value": LEOPARD_EUR_PER_YEAR})})
    catalog = sc.catalog.model_copy(update={"conventional": {**sc.catalog.conventional, "leopard_2a8": leo}})
    return dataclasses.replace(sc, config=cfg, catalog=catalog)


@pytest.fixture(scope="module")
def case() -> dict[str, Any]:
    sc = hand_case()
    plan = solve_scenario(sc)
    return {"scenario": sc, "plan": plan, "tornado": tornado(sc, workers=1)}


def _row(result: Any, path: str) -> pd.Series:
    t = result.table
    return t[t["input"] == path].iloc[0]


def _drone_value_per_raid(plan: Any) -> float:
    """Σ_t v_t·λ_t·d_t: value-weighted drones the nominal plan defeats per raid (v = 1 for a Shahed, decoy_weight
    for a decoy; λ drones per raid; d the promised defeat rate)."""
    w_decoy = plan.scenario.config.objective.decoy_weight
    th = plan.threats
    return float(sum((w_decoy if r.decoy else 1.0) * r.drones_per_raid * r.defeat_rate_lp for r in th.itertuples()))


def test_conventional_weight_flip_agrees_with_the_hand_derivation(case) -> None:
    """Where does the plan stop buying drone defence as the conventional weight w rises?

    The objective is V + w·n: V the value-weighted drones defeated over the horizon (decoys at decoy_weight 0.25),
    n the Leopards bought. A Leopard costs K = €30M + 10 × €2M = €50M over the horizon and the budget is B = €300M
    = 6K. So the plans worth comparing are
      n = 6, nothing left for drone defence:            6w;
      n = 5, K left for drone defence:                 5w + V(K)   (V(m): the most €m of drone defence defeats);
      n = 6 − k, k ≥ 2:                         (6 − k)w + V(kK),  worse than n = 5 while V(kK) − V(K) < (k − 1)w.
    The nominal plan (w = 50) buys 5 Leopards and spends only about €23M of the €50M left on drone defence (its
    value has saturated: more money buys nothing), so V(2K) = V(K) and the nominal drone plan is the best within K.
    Hence the plan stops buying drone defence at
      w* = V(K) = R · Σ_t v_t λ_t d_t
    with R = 12 raids a year × 10 years = 120, λ = 0.872 Shaheds and 1.745 Gerberas per raid (1 and 2 per 100 km
    on 87.2 km of border), v = 1 and 0.25, and d ≈ 59.1% for both classes (the same sensors and interceptors see
    and engage both): w* ≈ 120 × (0.872 + 0.25 × 1.745) × 0.591 ≈ 120 × 1.309 × 0.591 ≈ 92.8 drones per Leopard.
    Below w* the drone share is about 23/300 ≈ 7.6% (above the 1% line), above it 0; it never reaches half the budget,
    so the only flip is the 'buys' one, bisected between the nominal 50 and the high end 100 (6 halvings: ± 0.39).
    """
    plan = case["plan"]
    p = plan.problem
    k_eur = LEOPARD_EUR + p.horizon_years * LEOPARD_EUR_PER_YEAR
    assert p.budget_eur == pytest.approx(6 * k_eur)
    assert int(plan.conventional["units"].sum()) == 5
    assert plan.summary["spend_eur"]["drone_defence"] < 0.9 * k_eur  # money left over: V has saturated
    w_star = p.raids * _drone_value_per_raid(plan)
    assert w_star == pytest.approx(plan.summary["value_defeated_lp"], rel=1e-6)
    assert 80 < w_star < 100  # about 92.8 with the catalogs of 2026-11

    r = _row(case["tornado"], "objective.conventional_weight")
    assert (r["low_value"], r["nominal_value"], r["high_value"]) == (25, 50, 100)
    assert r["flips"] and math.isnan(r["flip_share_value"])
    assert r["flip_buys_tolerance"] == pytest.approx(50 / 2 ** 7)
    assert abs(r["flip_buys_value"] - w_star) <= r["flip_buys_tolerance"] + 1e-6
    assert r["high_drone_defence_eur"] == 0 and r["high_units_leopard_2a8"] == 6
    assert r["low_drone_share"] >= BUYS_SHARE and "stops buying drone defence above" in r["flip"]


def test_raids_flip_and_decoy_weight_no_flip_agree_with_the_hand_derivation(case) -> None:
    """V(K) grows in proportion to the raids a year r (the nominal plan is limited by what it can see and reach, not
    by money, so its defeat rates stay as they are): V(K) = 10·r · Σ_t v_t λ_t d_t. At w = 50 the plan starts buying
    drone defence where that reaches 50: r* = 50 / (10 × 1.309 × 0.591) ≈ 6.46 raids a year, inside 6–24.

    The decoy weight never flips it: at decoy weight 0, V(K) = 120 × 0.872 × 0.591 ≈ 61.9 > 50 (the Shaheds alone
    are worth more than a sixth Leopard), and at 1 it is larger still; the share stays far below half the budget."""
    plan = case["plan"]
    p = plan.problem
    w = p.conventional_weight
    per_raid = _drone_value_per_raid(plan)
    r_star = w / (p.horizon_years * per_raid)
    r = _row(case["tornado"], "threats.raids_per_year")
    assert r["flips"] and "starts buying drone defence above" in r["flip"]
    assert abs(r["flip_buys_value"] - r_star) <= r["flip_buys_tolerance"] + 1e-6
    assert r["low_drone_defence_eur"] == 0

    shahed_only = p.raids * float(sum(x.drones_per_raid * x.defeat_rate_lp for x in plan.threats.itertuples()
                                      if not x.decoy))
    assert shahed_only > w
    d = _row(case["tornado"], "objective.decoy_weight")
    assert not d["flips"] and d["flip"] == "no flip between 0 and 1"
    assert math.isnan(d["flip_buys_value"]) and math.isnan(d["flip_share_value"])
    assert min(d["low_drone_share"], d["high_drone_share"]) >= BUYS_SHARE


def test_default_list_is_ranked_and_curated(case) -> None:
    """The default list: the three knobs, the Leopard's ranged unit cost (its score has no range), and figures of the
    systems the nominal plan uses only; ranked by the swing of the drone share; every solve kept."""
    result = case["tornado"]
    t, m = result.table, result.meta
    paths = list(t["input"])
    assert {"objective.conventional_weight", "threats.raids_per_year", "objective.decoy_weight",
            "conventional.leopard_2a8.unit_cost_eur"} <= set(paths)
    assert "conventional.leopard_2a8.capability_score" not in paths
    assert len(paths) <= MAX_DEFAULT_INPUTS and list(t["rank"]) == list(range(1, len(t) + 1))
    assert (t["swing_share"].diff().dropna() <= 1e-12).all()
    used = set(case["plan"].spend["system"])
    for x in paths:
        if x.startswith(("effectors.", "sensors.")):
            assert x.split(".")[1] in used
    pts = result.points
    assert set(pts["point"]) == {"nominal", "low", "high", "bisection"}
    assert len(pts) == m["solves"] == 1 + 2 * len(t) + 2 * m["bisect_steps"]  # two flips, six halvings each
    assert m["nominal_units"] == {"leopard_2a8": 5} and m["inputs_from"] == "default list"


@pytest.mark.parametrize(("inputs", "message"), [
    (["objective.conventional_wieght"], r"--inputs: 'objective.conventional_wieght' is not an input: did you mean "
                                        r"objective.conventional_weight"),
    (["effectors.gun_35mm.cost_per_shot"], r"did you mean effectors.gun_35mm.cost_per_shot_eur"),
    (["conventional.leopard_2a8.capability_score"], r"is not an input: .*catalog figure with a low/high range"),
    (["objective.decoy_weight=1:0"], r"'objective.decoy_weight=1:0' is not a range: write "
                                     r"objective.decoy_weight=LOW:HIGH"),
    (["objective.decoy_weight=-1:1"], r"objective.decoy_weight = -1 is not allowed"),
    (["effectors.gun_35mm.cost_per_shot_eur=1:2"], r"moves over its catalog range"),
    (["threats.raids_per_year", "threats.raids_per_year"], r"named twice"),
    ([""], r"no input named"),
])
def test_bad_inputs_are_clear_errors(inputs: list[str], message: str) -> None:
    sc = load_scenario(CONFIGS / "tiny.yaml")
    with pytest.raises(ConfigError, match=message):
        parse_inputs(sc, inputs)
    with pytest.raises(ConfigError, match=message):  # before any work is done
        tornado(sc, inputs=inputs)


def test_bad_bisect_steps_and_gap() -> None:
    with pytest.raises(ConfigError, match=r"--bisect-steps: 99 is out of range"):
        tornado(load_scenario(CONFIGS / "tiny.yaml"), bisect_steps=99)
    with pytest.raises(ConfigError, match=r"--mip-rel-gap: 1.5 is not a gap"):
        tornado(load_scenario(CONFIGS / "tiny.yaml"), mip_rel_gap=1.5)


def test_workers_give_the_same_points() -> None:
    """The points solved in the Runner's worker processes are those solved in this process."""
    sc = hand_case()
    kw: dict[str, Any] = {"inputs": ["objective.conventional_weight", "conventional.leopard_2a8.unit_cost_eur"],
                          "bisect_steps": 1}
    one, two = tornado(sc, workers=1, **kw), tornado(sc, workers=2, **kw)
    cols = ["input", "low_drone_defence_eur", "high_drone_defence_eur", "flip_buys_value"]
    pd.testing.assert_frame_equal(one.table[cols], two.table[cols], rtol=1e-6)
    assert two.meta["workers"] == 2


def test_command_writes_its_files_and_the_briefing_reads_them(tmp_path: Path) -> None:
    """`dronewall tornado` (its typer command) writes tornado.csv, .json, .png and tornado_points.csv; the
    briefing's section reads them back into a table and the chart."""
    app = typer.Typer()
    app.command()(analysis_commands.tornado)
    out = tmp_path / "tornado"
    res = CliRunner().invoke(app, [str(CONFIGS / "tiny.yaml"), "--out", str(out), "--inputs",
                                   "objective.conventional_weight=20:120", "--bisect-steps", "2", "--workers", "1",
                                   "--mip-rel-gap", "0.001"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "tornado.csv", "tornado.json", "tornado.png", "tornado_points.csv"]
    assert (out / "tornado.png").stat().st_size > 10_000
    assert "conventional weight" in res.output and "results in" in res.output
    doc = read_analysis(out, "tornado")
    assert [r["input"] for r in doc["inputs"]] == ["objective.conventional_weight"]
    assert (doc["inputs"][0]["low_value"], doc["inputs"][0]["high_value"]) == (20, 120)
    meta = assert_matches_schema(out, "tornado")
    assert meta["bisect_steps"] == 2 and meta["mip_rel_gap"] == 0.001
    # the scenario's own hash (not the tighter gap's): the briefing matches it with the plan's
    assert meta["config_hash"] == load_scenario(CONFIGS / "tiny.yaml").config_hash()

    from planner.report.brief_inputs import Analysis

    part = by_command("tornado").load("section")(Analysis("tornado", out, doc), None)
    (table,), (chart,) = part.tables, part.charts
    assert table.rows[0][0].startswith("conventional weight") and "moves the split most" in table.note
    assert chart.name == "tornado" and len(chart.draw().axes) == 1
