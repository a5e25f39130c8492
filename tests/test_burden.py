"""Who pays, who hosts (issue #16): the financing LP by hand (as much of the bill funded as the sources' rules allow,
then closest to fair shares), and the burden-sharing report of a plan in which one nation pays for another's
systems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner.config.io import load_scenario
from planner.errors import ConfigError
from planner.lp.financing import Source, allocate
from tests.conftest import write_yaml


def test_allocation_by_hand() -> None:
    """Bill: A hosts €100, B €50. Sources: A's budget €80 (A only), B's €10 (B only), a pool of €100 paid half by A
    and half by C (A and B). Fair shares (by a key of 2 : 1 : 1): A €75, B €37.5, C €37.5.
    B's €50 needs its own €10 and €40 of the pool (B's budget first: each euro of it closes B's gap by 1 and moves
    the others' by ½ each at most). Then with A's budget x (40 ≤ x ≤ 80, the pool holding €100): A pays
    x + ½(140 − x), C pays ½(140 − x), and the gaps |½x − 5| + 27.5 + |32.5 − ½x| are €55 for any x in [40, 65]:
    everything funded, B pays €10, the gaps sum to €55."""
    pool = Source("pool", 100.0, {"A": 0.5, "C": 0.5}, frozenset({"A", "B"}))
    alloc = allocate({"A": 100.0, "B": 50.0},
                     [Source("A budget", 80.0, {"A": 1.0}, frozenset({"A"})),
                      Source("B budget", 10.0, {"B": 1.0}, frozenset({"B"})), pool],
                     {"A": 75.0, "B": 37.5, "C": 37.5})
    assert sum(alloc.unfunded.values()) == pytest.approx(0.0, abs=1e-6)
    assert alloc.pays["B"] == pytest.approx(10.0, abs=1e-6)
    assert sum(alloc.pays.values()) == pytest.approx(150.0, abs=1e-6)
    gaps = sum(abs(alloc.pays[n] - f) for n, f in {"A": 75.0, "B": 37.5, "C": 37.5}.items())
    assert gaps == pytest.approx(55.0, abs=1e-6)
    assert 40.0 - 1e-6 <= alloc.paid["A budget", "A"] <= 65.0 + 1e-6


def test_a_host_no_source_may_pay_for_is_unfunded() -> None:
    """The pool pays for A only: B's €50 has its own €10, and €40 stays unfunded, however fair the rest."""
    alloc = allocate({"A": 100.0, "B": 50.0},
                     [Source("A budget", 80.0, {"A": 1.0}, frozenset({"A"})),
                      Source("B budget", 10.0, {"B": 1.0}, frozenset({"B"})),
                      Source("pool", 100.0, {"A": 0.5, "C": 0.5}, frozenset({"A"}))],
                     {"A": 75.0, "B": 37.5, "C": 37.5})
    assert alloc.unfunded == pytest.approx({"A": 0.0, "B": 40.0}, abs=1e-6)


def _funded(tmp_path: Path, tiny: dict[str, Any], sources: list[dict[str, Any]], **extra: Any) -> Path:
    from tests.conftest import CATALOGS

    funding = {"key": "gdp", "nations_file": str(CATALOGS / "nations.yaml"), "sources": sources, **extra}
    return write_yaml(tmp_path / "funded.yaml", {**tiny, "funding": funding})


def test_a_nation_that_funds_another_sees_its_spend_and_the_hosts_protection(tmp_path: Path,
                                                                             tiny_dict: dict[str, Any]) -> None:
    """Tiny (Slovakia's border) paid by Slovakia's budget (€50M, for Slovakia) and a German pledge (€1bn, for
    Slovakia). By GDP (IMF 2024: SK €130.4bn, DE €4,309.4bn) Slovakia's fair share of the bill is 2.94% and
    Germany's 97.06%; both sources can pay that, so each pays exactly its share: Germany pays for Slovakia's systems
    (all of its payment is for another nation), hosts nothing and has no drones defeated over it; Slovakia hosts the
    whole bill and every drone the plan defeats."""
    from planner.plan import solve_scenario

    path = _funded(tmp_path, tiny_dict, [
        {"name": "Slovakia's budget", "eur": 5e7, "paid_by": "SK", "hosts": ["SK"]},
        {"name": "German pledge", "eur": 1e9, "paid_by": "DE", "hosts": ["SK"]}])
    plan = solve_scenario(load_scenario(path))
    b = plan.summary["burden"]
    rows = {r["nation"]: r for r in b["nations"]}
    bill = b["bill_eur"]
    assert bill == pytest.approx(plan.summary["spend_eur"]["drone_defence"], rel=1e-9) and b["unfunded_eur"] < 1
    share_sk = 130.394e9 / (130.394e9 + 4309.447e9)
    assert rows["SK"]["fair_share_eur"] == pytest.approx(share_sk * bill, rel=1e-3)
    assert rows["SK"]["pays_eur"] == pytest.approx(share_sk * bill, rel=1e-3)
    assert rows["DE"]["pays_eur"] == pytest.approx((1 - share_sk) * bill, rel=1e-3)
    assert rows["DE"]["pays_for_others_eur"] == pytest.approx(rows["DE"]["pays_eur"], rel=1e-9)
    assert rows["DE"]["hosts_eur"] == 0 and rows["DE"]["drones_defeated_over_horizon_exact"] == 0
    assert rows["SK"]["hosts_eur"] == pytest.approx(bill, rel=1e-9)
    assert rows["SK"]["drones_defeated_over_horizon_exact"] == pytest.approx(
        plan.summary["drones_defeated_over_horizon_exact"], rel=1e-9)
    paid = {s["source"]: s["paid_eur"] for s in b["sources"]}
    assert paid["German pledge"] == pytest.approx(rows["DE"]["pays_eur"], rel=1e-9)
    # the run folder keeps the nations' figures with its inputs: it reads back whole (stress, brief, simulate)
    from planner.report.plan import write_plan
    from planner.runfolder import read_run_folder

    folder = write_plan(plan, tmp_path / "run")
    kept = read_run_folder(folder).scenario
    assert kept.config_hash() == plan.scenario.config_hash() and kept.nations["DE"].name == "Germany"
    # and the briefing says who pays: here each pays its share, to the cent
    from planner.report.brief import write_briefing

    write_briefing(folder, tmp_path / "brief", pdf=False)
    html = (tmp_path / "brief" / "briefing.html").read_text()
    assert "Who pays.</b> The funding sources pay" in html and "each nation pays its share." in html
    assert "Paying nations that host nothing" in html and "Germany (DE) pays" in html


@pytest.mark.parametrize(("sources", "extra", "message"), [
    ([{"name": "x", "eur": 1e8, "paid_by": "SK", "hosts": ["PL"]}], {},
     r"funding.sources\[0\].hosts: 'PL' is not a defender \(geodata.defenders: SK\)"),
    ([{"name": "x", "eur": 1e8, "paid_by": "FR"}], {},
     r"funding: FR has no figures in .*nations.yaml for the fair-share key: add its GDP, defence spending and "
     r"population there"),
    ([{"name": "x", "eur": 1e8, "paid_by": {"SK": 0.5, "DE": 0.4}}], {},
     r"funding.sources.0: paid_by .* must be contributors' shares between 0 and 1 summing to 1"),
    ([{"name": "x", "eur": 1e8, "paid_by": "SK"}, {"name": "x", "eur": 1e8, "paid_by": "DE"}], {},
     r"funding: sources name x more than once: give each source its own name"),
    ([{"name": "x", "eur": 1e8, "paid_by": "SK"}], {"nations_file": "nowhere/nations.yaml"},
     r"funding.nations_file: file not found: .*nowhere/nations.yaml"),
])
def test_funding_errors(tmp_path: Path, tiny_dict: dict[str, Any], sources: list[dict[str, Any]],
                        extra: dict[str, Any], message: str) -> None:
    path = _funded(tmp_path, tiny_dict, sources, **extra)
    with pytest.raises(ConfigError, match=message):
        load_scenario(path)


def test_nations_file_errors(tmp_path: Path, tiny_dict: dict[str, Any]) -> None:
    """A nations-file figure must be positive and cite known sources; the message names the file and the field."""
    from tests.conftest import CATALOGS

    text = (CATALOGS / "nations.yaml").read_text()  # edited as text: PyYAML would read Norway's NO as false
    sk = text.index("  SK:")
    part = text[sk:text.index("  HU:")]
    part = part.replace(part[part.index("gdp_eur:"):part.index("\n", part.index("gdp_eur:"))],
                        'gdp_eur: {value: 0, assumption: "a test of the refusal"}')
    part = part.replace("source: [cfk6]", "source: [nope1]")
    bad = tmp_path / "nations.yaml"
    bad.write_text(text[:sk] + part + text[text.index("  HU:"):])
    path = _funded(tmp_path, tiny_dict, [{"name": "x", "eur": 1e8, "paid_by": "SK"}], nations_file=str(bad))
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "nations.yaml: nations.SK.gdp_eur: must be more than 0; got 0" in text
    assert "nations.yaml: nations.SK.population.source: unknown source id 'nope1': add it to the sources catalog" in text
