"""The briefing (dronewall brief): its files, its bottom line against the plan, its sources, the charts, the
interactive map, and both HTML files as a user sees them in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from PIL import Image

from planner.config.io import load_scenario
from planner.plan import solve_scenario
from planner.report.brief import load_run, used_figures, write_briefing
from planner.report.briefing_maps import load_map_inputs
from planner.report.webmap import map_data, write_webmap
from tests.browser import chromium_path, open_page
from tests.conftest import CONFIGS
from tests.test_config_valid import run_cli


@pytest.fixture(scope="module")
def run_dir(tiny_briefed_run):
    """The tiny plan with a stress test and a frontier inside it, and a premium beside it (tests/conftest.py)."""
    return tiny_briefed_run


@pytest.fixture(scope="module")
def brief(run_dir):
    # the stress folder is found in the run folder and named as well: it counts once
    result = write_briefing(run_dir, run_dir / "brief", analyses=(run_dir.parent / "premium", run_dir / "stress"),
                            marking="TEST MARKING")
    return result


def test_files_and_analyses(brief, run_dir) -> None:
    out = run_dir / "brief"
    assert brief["analyses"] == ["adversary", "frontier", "premium", "simulation", "stress"]
    for name in ("briefing.html", "briefing.pdf", "interactive-map.html", "brief.json", "maps/map-overview.png",
                 "maps/map-SK.png", "maps/map-SK.pdf", "charts/spending.png", "charts/spending.pdf",
                 "charts/frontier.png", "charts/premium.png", "charts/stress.png", "charts/adversary.png",
                 "charts/adversary-frontier.png"):
        assert (out / name).is_file(), name
    for png in (out / "charts").glob("*.png"):
        with Image.open(png) as im:
            assert im.info["dpi"] == pytest.approx((300, 300), abs=0.5)
            assert im.size[0] == 2400  # 8 inches wide at 300 dpi
    doc = json.loads((out / "brief.json").read_text())
    assert doc["marking"] == "TEST MARKING" and doc["timings_s"]["total_s"] > 0
    assert not list(run_dir.glob(".brief.tmp-*"))


def test_slides_are_16_9_and_carry_the_bottom_line(brief, run_dir) -> None:
    """brief/slides/: the bottom line, the overview map and each chart as 2,000 × 1,125 PNGs (16:9 at 150 dpi); the
    bottom line's bold leads become lines of their own, its markdown gone."""
    from planner.report.brief import bottom_line
    from planner.report.brief_inputs import load_run
    from planner.report.slides import bullet_lines

    slides = sorted((run_dir / "brief" / "slides").glob("*.png"))
    names = [p.name for p in slides]
    assert names[:3] == ["slide-01-bottom-line.png", "slide-02-map-overview.png", "slide-03-spending.png"]
    assert any(n.endswith("-stress.png") for n in names) and any(n.endswith("-frontier.png") for n in names)
    for png in slides:
        with Image.open(png) as im:
            assert im.size == (2000, 1125), png.name
    lines = bullet_lines(bottom_line(load_run(run_dir)))
    leads = [text for text, bold in lines if bold]
    assert leads[:2] == ["The decision.", "What the money buys."]
    assert all("**" not in text and "`" not in text and len(text) <= 138 for text, _ in lines)


def test_slides_come_as_one_pptx_too(brief, run_dir) -> None:
    """brief/slides/briefing.pptx (python-pptx, the pptx extra; in the test extras): one 16:9 slide per PNG, in order,
    each the slide's image over the whole page with its title in the notes."""
    from pptx import Presentation

    folder = run_dir / "brief" / "slides"
    deck = Presentation(str(folder / "briefing.pptx"))
    pngs = sorted(folder.glob("*.png"))
    assert len(deck.slides) == len(pngs) and len(pngs) >= 3
    assert deck.slide_width * 9 == deck.slide_height * 16
    first = deck.slides[0]
    assert first.notes_slide.notes_text_frame.text.startswith("Bottom line: ")
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]  # PICTURE
    assert len(pictures) == len(pngs)
    assert all((p.left, p.top, p.width, p.height) == (0, 0, deck.slide_width, deck.slide_height) for p in pictures)


def test_html_is_self_contained_and_tells_the_bottom_line(brief, run_dir) -> None:
    html = (run_dir / "brief" / "briefing.html").read_text()
    plan = json.loads((run_dir / "plan.json").read_text())
    # one file: every picture inlined, nothing fetched from anywhere
    srcs = re.findall(r'src="([^"]+)"', html)
    assert len(srcs) == 2 + 6 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert html.count("TEST MARKING") >= 2
    assert '@top-center { content: "TEST MARKING"' in html  # printed: in every page's margin
    for head in ("What the money buys.", "What it costs in tanks.", "Where it fails.", "How it fails.",
                 "Against an adversary who sees it.", "How sure."):
        assert f"<b>{head}</b>" in html
    adv = json.loads((run_dir / "adversary" / "adversary.json").read_text())["plans"]["nominal"]
    assert (f"defeats {100 * adv['nominal_rate']:.0f}% of the scenario's raid (value-weighted) but "
            f"{100 * adv['best_response_rate']:.0f}% once the adversary answers it") in html
    # the numbers are the plan's: the exact defeat rate and the tanks the drone money would buy and run
    assert f"<b>{100 * plan['defeat_rate_all_exact']:.0f}% of all drones</b>" in html
    tank = load_scenario(CONFIGS / "tiny.yaml").catalog.conventional["leopard_2a8"]
    per_tank = tank.unit_cost_eur.value + plan["horizon_years"] * tank.operating_cost_eur_per_year.value
    assert f"{plan['spend_eur']['drone_defence'] / per_tank:,.0f} Leopard 2A8 main battle tanks" in html
    stress_doc = json.loads((run_dir / "stress" / "stress.json").read_text())
    failures = sum(c["expensive_failure"] for c in stress_doc["cases"])
    assert f"it is an expensive failure in {failures} " in html
    sim = json.loads((run_dir / "simulation" / "simulation.json").read_text())
    worst = max(abs(t["difference_pp"]) for t in sim["threats"])
    assert f"An independent simulation agrees within {worst:.1f} points per threat class." in html
    for section in ("Maps", "Charts", "Tables", "Assumptions and sources", "Manifest"):
        assert f"<h2>{section}</h2>" in html


def test_every_used_figure_and_its_sources_are_listed(brief, run_dir) -> None:
    html = (run_dir / "brief" / "briefing.html").read_text()
    run = load_run(run_dir)
    figures = used_figures(run)
    paths = [p for p, _ in figures]
    # tiny allows two sensors, two effectors, one conventional option and two threat classes
    assert any(p.startswith("sensors.radar_short_3d.") for p in paths)
    assert not any(p.startswith(("sensors.eo_ir.", "effectors.sam_short.", "conventional.k2.", "threats.fpv_quad."))
                   for p in paths)
    assert not any(".geran_3_jet" in p for p in paths)
    for path, fig in figures:
        assert f"<td>{path}</td>" in html
        for sid in fig.source:
            assert f"<td>{sid}</td>" in html
    assert f"Every catalog figure the plan used ({len(figures)}:" in html


def test_pdf_is_a_document(brief, run_dir) -> None:
    data = (run_dir / "brief" / "briefing.pdf").read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type /Page\b", data))
    assert pages >= 6  # BLUF, two maps, charts, tables, sources


def test_webmap_data_matches_the_plan(run_dir) -> None:
    inputs = load_map_inputs(run_dir)
    data = map_data(inputs)
    assert len(data["cells"]["features"]) == len(inputs.cells)
    built = inputs.sites[inputs.sites["systems"] != ""]
    assert len(data["sites"]) == len(built)
    n_effectors = sum(s in inputs.effector_ids for v in built["systems"] for s in v.split(","))
    assert len(data["coverage"]) == n_effectors
    for f in data["cells"]["features"]:
        p = f["properties"]
        assert p["p"] is None or 0 <= p["p"] <= 1
        assert len(p["threats"]) == len(inputs.threat_ids)
    site = data["sites"][0]
    assert site["cost_eur"] > 0 and site["systems"]
    json.dumps(data, allow_nan=False)  # no NaN reaches the page


def test_headline_figures_agree(brief, run_dir) -> None:
    """The BLUF, plan.json and the stress test's nominal row give the same € of drone defence per drone defeated
    and the same shares defeated, each the exact evaluation's (the BLUF had shown €96,752 from the promised kills
    beside the stress row's €96,050 from the exact ones)."""
    from planner.report.brief_tables import eur, pct

    html = (run_dir / "brief" / "briefing.html").read_text()
    plan = json.loads((run_dir / "plan.json").read_text())
    nominal = next(c for c in json.loads((run_dir / "stress" / "stress.json").read_text())["cases"]
                   if c["case"] == "nominal")
    assert nominal["eur_per_defeat"] == pytest.approx(plan["drone_defence_eur_per_defeat"], rel=1e-9)
    assert nominal["defeat_rate_all"] == pytest.approx(plan["defeat_rate_all_exact"], abs=1e-9)
    assert plan["drone_defence_eur_per_defeat"] == pytest.approx(
        plan["spend_eur"]["drone_defence"] / plan["drones_defeated_over_horizon_exact"], rel=0.05)
    assert f"at {eur(plan['drone_defence_eur_per_defeat'])} of drone defence per drone defeated" in html
    assert f"{pct(plan['defeat_rate_all_exact'])} of all drones" in html
    assert f"{pct(plan['defeat_rate_armed_exact'])} of armed ones" in html


def test_shares_of_drones_defeated_agree(run_dir) -> None:
    """One definition of "drones defeated" everywhere: the maps' figure for the whole border and the border-sector
    table, weighted by the drones crossing each cell, give plan.json's exact share (the headline), and each nation's
    map figure is its cells' killed drones over its drones, from cells.csv (a length weighting gave 58% on the maps
    beside 60% in the headline)."""
    import pandas as pd

    from planner.report.brief_tables import border_sectors, drone_weights

    plan = json.loads((run_dir / "plan.json").read_text())
    cells = pd.read_csv(run_dir / "cells.csv").rename(columns={"drones_over_horizon_all": "drones_all",
                                                                "leakers_over_horizon_all": "leakers_all"})
    assert cells["drones_all"].sum() == pytest.approx(plan["drones_over_horizon"], rel=1e-6)  # 6 places a cell
    killed = cells["drones_all"] - cells["leakers_all"]
    assert killed.sum() / cells["drones_all"].sum() == pytest.approx(plan["defeat_rate_all_exact"], abs=1e-6)
    inputs = load_map_inputs(run_dir)
    w = drone_weights(inputs.cells)
    mapped = float((inputs.cells["p_defeat_all"].fillna(0) * w).sum() / w.sum())
    assert mapped == pytest.approx(plan["defeat_rate_all_exact"], abs=1e-6)
    run = load_run(run_dir)
    sectors = border_sectors(run)
    sums = cells.assign(killed=cells["drones_all"] - cells["leakers_all"]).groupby("border_id")[
        ["killed", "drones_all"]].sum()
    per_sector = sums["killed"] / sums["drones_all"]
    for r in sectors.itertuples():  # the same within cells.csv's 6 decimal places
        assert r.defeat == pytest.approx(per_sector[r.border_id], abs=1e-6)
    old = inputs.cells.drop(columns="drones_all")  # a run folder written before the column: the same weights
    assert drone_weights(old).to_numpy() == pytest.approx(w.to_numpy(), rel=1e-6, abs=1e-9)


chromium = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                              reason="Chromium is not installed (apt-get install chromium); CI installs it")


@chromium
def test_report_in_chromium(brief, run_dir) -> None:
    rep = open_page(run_dir / "brief" / "briefing.html", probe="document.querySelectorAll('table').length")
    assert rep.problems == []
    assert rep.images == 8 and rep.broken_images == []
    assert rep.facts >= 8


@chromium
def test_interactive_map_in_chromium(brief, run_dir) -> None:
    inputs = load_map_inputs(run_dir)
    n_markers = sum(len(v.split(",")) for v in inputs.sites["systems"] if v)
    popups = {}

    def click(page) -> None:  # a border cell, then a site, as a user would (the click goes to the element itself:
        # an open popup's pan animation must not move the target under the pointer)
        page.locator("path.leaflet-interactive[stroke-width='4.5']").first.dispatch_event("click")
        popups["cell"] = page.locator(".leaflet-popup-content", has_text="border cell").inner_text(timeout=10_000)
        page.evaluate("dronewallMap.map.closePopup()")
        page.locator(".leaflet-marker-icon.dw-icon").first.dispatch_event("click")
        popups["site"] = page.locator(".leaflet-popup-content", has_text="site ").inner_text(timeout=10_000)

    rep = open_page(run_dir / "brief" / "interactive-map.html", actions=click, probe="""({
        overlays: document.querySelectorAll('.leaflet-control-layers-overlays input').length,
        cells: dronewallMap.layers.cells.getLayers()[1].getLayers().length,
        markers: document.querySelectorAll('.leaflet-marker-icon.dw-icon').length,
        countries: dronewallMap.layers.countries.getLayers().length,
        marking: document.querySelector('.marking').textContent,
        panes: ['background', 'coverage', 'overlay'].map(
            (p) => +getComputedStyle(document.querySelector('.leaflet-' + p + '-pane')).zIndex)})""")
    assert rep.problems == []
    f = rep.facts
    assert f["overlays"] == 7 and f["cells"] == len(inputs.cells) and f["markers"] == n_markers
    assert f["countries"] >= 2 and f["marking"] == "TEST MARKING"
    assert f["panes"] == sorted(f["panes"])  # countries under coverage under the border cells
    assert "defeat probability (exact)" in popups["cell"] and "leakers" in popups["cell"]
    assert "cost over the horizon" in popups["site"] and "€" in popups["site"]


@chromium
def test_interactive_map_without_a_reachable_tile_server(run_dir, tmp_path) -> None:
    """Tiles asked for but no server (a closed loopback port): the shipped geodata still draws."""
    path = write_webmap(load_map_inputs(run_dir), tmp_path / "m.html", tiles="http://127.0.0.1:9/{z}/{x}/{y}.png")
    rep = open_page(path, probe="document.querySelectorAll('.leaflet-overlay-pane path').length")
    assert rep.failed_requests and all("127.0.0.1:9" in r for r in rep.failed_requests)
    assert rep.page_errors == []
    assert rep.facts > 20  # countries, cells, no-fire zones drawn


def test_cli_run_brief(tmp_path) -> None:
    res = run_cli("run", str(CONFIGS / "tiny.yaml"), "--out", str(tmp_path / "p"), "--brief", "--marking", "X")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "p" / "brief" / "briefing.html").is_file() and "briefing in" in res.stdout
    assert "analyses included: none" in res.stdout


def test_cli_brief_errors(run_dir, tmp_path) -> None:
    bad = tmp_path / "bad"
    results = []

    def brief_cli(*args: str):
        res = run_cli("brief", *args)
        results.append(res)
        return res

    res = brief_cli(str(tmp_path / "nowhere"), "--out", str(bad))
    assert res.returncode == 1 and "has no plan.json" in res.stderr
    res = brief_cli(str(run_dir), "--out", str(bad), "--analysis", str(tmp_path))
    assert res.returncode == 1 and "--analysis: " in res.stderr and "holds none of decision.json, stress.json" in res.stderr
    other = tmp_path / "other-stress"
    shutil.copytree(run_dir / "stress", other)
    doc = json.loads((other / "stress.json").read_text())
    doc["config_hash"] = "0" * 64
    (other / "stress.json").write_text(json.dumps(doc))
    res = brief_cli(str(run_dir), "--out", str(bad), "--analysis", str(other))
    assert res.returncode == 1 and "stress.json: this stress analysis was made from another scenario" in res.stderr
    shutil.copytree(run_dir.parent / "premium", tmp_path / "premium-2")
    res = brief_cli(str(run_dir), "--out", str(bad), "--analysis", str(run_dir.parent / "premium"),
                    "--analysis", str(tmp_path / "premium-2"))
    assert res.returncode == 1 and "two premium analyses" in res.stderr
    res = brief_cli(str(run_dir), "--out", str(bad), "--marking", "")
    assert res.returncode == 1 and "--marking: the banner is empty" in res.stderr
    res = brief_cli(str(run_dir), "--out", str(bad), "--tiles", "http://tiles.example/t.png")
    assert res.returncode == 1 and "--tiles: 'http://tiles.example/t.png' has no {z}, {x} and {y}" in res.stderr
    assert not bad.exists()
    res = brief_cli(str(run_dir), "--out", str(run_dir))  # would replace the run it is made from
    assert res.returncode == 1 and f"--out: '{run_dir}' holds {run_dir}, which this command reads" in res.stderr
    assert (run_dir / "plan.json").is_file()
    assert all("Traceback" not in r.stderr for r in results)


@chromium
def test_the_browser_check_catches_broken_pages(tmp_path) -> None:
    """The checks above can fail: a missing image, a console error and an exception are all reported."""
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><img src='missing.png' alt='gone'><script>console.error('boom');"
                    "undefinedFunction();</script>")
    rep = open_page(page)
    assert rep.broken_images and "boom" in rep.console_errors
    assert any("undefinedFunction" in e for e in rep.page_errors)
    assert rep.failed_requests  # the missing file


def test_rules_as_applied_per_nation() -> None:
    """The scenario table names each nation's own rules, not only the default (Poland under escort_only had been
    printed as shoot_unmanned), with the identification delay and the threat-to-asset criterion where set."""
    from planner.config.roe import RoeConfig
    from planner.report.brief_tables import rules_text

    assert rules_text(RoeConfig()) == "shoot_unmanned"
    roe = RoeConfig(per_nation={"PL": "escort_only", "LT": "shoot_unmanned"}, identification_delay_s=30,
                    identification_delay_s_per_nation={"PL": 120}, engage_only_threatening=True)
    assert rules_text(roe) == ("shoot_unmanned (PL: escort_only); identification delay 30 s (PL: 120 s); "
                               "only drones heading for a protected asset are engaged")
    assert rules_text(RoeConfig(hold_fire_over_built_up=True, hold_fire_over_built_up_per_nation={"RO": False})) == (
        "shoot_unmanned; no kinetic fire over settlements of 1,000+ residents (except RO)")
    assert rules_text(RoeConfig(hold_fire_over_built_up_per_nation={"PL": True, "LT": True})) == (
        "shoot_unmanned; no kinetic fire over settlements of 1,000+ residents in LT, PL")


def test_quick_map_legend_names_systems(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """map.png's legend names each system as the catalog does, without its examples in brackets (it had shown ids
    such as radar_short_3d), with the units built."""
    from matplotlib.axes import Axes

    from planner.report.plan_map import plot_plan

    scenario = load_scenario(CONFIGS / "tiny.yaml")
    plan = solve_scenario(scenario)
    labels: list[str] = []
    original = Axes.legend

    def record(self, *args, **kwargs):
        labels.extend(h.get_label() for h in kwargs.get("handles", []))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "legend", record)
    cells = plan.theater.cells.merge(plan.cells, on="cell_id")
    plot_plan(plan, cells, plan.theater.sites, tmp_path / "map.png", dpi=40)
    cat = scenario.catalog
    for system, n in plan.units.groupby("system")["units"].sum().items():
        name = (cat.sensors.get(system) or cat.effectors[system]).name  # "Short-range 3D drone radar (e.g. ...)"
        assert f"{name.split(' (')[0]} ({int(n)})" in labels
        assert not any(label.startswith(f"{system} (") for label in labels)


def test_national_map_legend_names_systems(run_dir) -> None:
    """The briefing maps' legend names each system as the catalog does, without its bracketed examples (it had
    shown ids such as acoustic_node), after its role and before its count."""
    import matplotlib.pyplot as plt

    from planner.report import briefing_maps

    inputs = load_map_inputs(run_dir)
    fig, ax = plt.subplots()
    try:
        labels = [h.get_label() for h in briefing_maps._sites(ax, inputs, "SK")]
    finally:
        plt.close(fig)
    scenario = load_scenario(CONFIGS / "tiny.yaml")
    shown = [s for s in (*inputs.sensor_ids, *inputs.effector_ids) if any(f": {s} (" in lb for lb in labels)]
    assert not shown, labels
    names = {k: v.name.split(" (")[0] for kind in (scenario.catalog.sensors, scenario.catalog.effectors)
             for k, v in kind.items()}
    systems = [lb for lb in labels if lb.startswith(("sensor: ", "effector: "))]
    assert systems and all(lb.split(": ", 1)[1].rsplit(" (", 1)[0] in names.values() for lb in systems)


def test_a_page_per_nation(brief, run_dir) -> None:
    """The Nations section: per defender what it hosts (plan.json's spend by nation), what that buys over its border
    (cells.csv's drones and leakers) and its rules as applied; no crewed-incursion clause without crewed classes,
    no payment line without a funding section."""
    import pandas as pd

    html = (run_dir / "brief" / "briefing.html").read_text()
    plan = json.loads((run_dir / "plan.json").read_text())
    cells = pd.read_csv(run_dir / "cells.csv").rename(columns={"drones_over_horizon_all": "drones_all",
                                                                "leakers_over_horizon_all": "leakers_all"})
    part = html[html.index('id="nations"'):]
    part = part[:part.index("</section>")]
    hosts = plan["spend_by_nation_eur"]["SK"]
    assert f"€{hosts / 1e6:,.1f}M of drone defence over the horizon" in part
    drones, leak = cells["drones_all"].sum(), cells["leakers_all"].sum()
    assert f"{100 * (drones - leak) / drones:.0f}% of the {drones:,.0f} drones crossing its 87 km of border" in part
    assert "engages drones, not crewed aircraft (roe shoot_unmanned)" in part
    assert "crewed incursions" not in part and "Pays" not in part
    assert "radar_short_3d" not in part and "Short-range 3D drone radar" in part  # names, not ids
