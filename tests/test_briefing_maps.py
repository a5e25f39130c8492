"""Briefing maps: the promised size and dpi, not blank, every nation, clear errors, nothing half-written."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from planner.config.io import load_scenario
from planner.plan import solve_scenario
from planner.report.briefing_maps import load_map_inputs, write_maps
from planner.report.plan import write_plan
from tests.conftest import CONFIGS
from tests.test_config_valid import run_cli


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("maps") / "tiny"
    write_plan(solve_scenario(load_scenario(CONFIGS / "tiny.yaml")), out)
    return out


def test_maps_size_dpi_and_content(plan_dir, tmp_path) -> None:
    paths = write_maps(load_map_inputs(plan_dir), tmp_path / "m", marking="TEST MARKING", dpi=300)
    names = sorted(p.name for p in paths)
    assert names == ["map-SK.pdf", "map-SK.png", "map-overview.pdf", "map-overview.png"]
    for png in (p for p in paths if p.suffix == ".png"):
        with Image.open(png) as im:
            assert im.info["dpi"] == pytest.approx((300, 300), abs=0.5)
            # A4 at 300 dpi, portrait or landscape
            assert sorted(im.size) == [2481, 3507]
            pixels = np.asarray(im.convert("RGB"), dtype=float)
        # not blank: plenty of ink, and the border's colour scale is there (cividis: blue to yellow)
        ink = (pixels.sum(axis=2) < 600).mean()
        assert ink > 0.05
        assert pixels.std() > 20
    for pdf in (p for p in paths if p.suffix == ".pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 20_000


def test_cli_maps_and_errors(plan_dir, tmp_path) -> None:
    res = run_cli("maps", str(plan_dir), "--out", str(tmp_path / "maps"), "--formats", "png", "--dpi", "100")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == [".dronewall-output.json", "map-SK.png",
                                                                      "map-overview.png"]
    res = run_cli("maps", str(plan_dir), "--out", str(tmp_path / "bad"), "--formats", "gif")
    assert res.returncode == 1 and "--formats: 'gif' is not a list of png, pdf, svg" in res.stderr
    assert not (tmp_path / "bad").exists() and "Traceback" not in res.stderr
    res = run_cli("maps", str(plan_dir), "--out", str(tmp_path / "bad"), "--marking", " ")
    assert res.returncode == 1 and "--marking: the banner is empty" in res.stderr
    res = run_cli("maps", str(tmp_path / "nowhere"), "--out", str(tmp_path / "bad"))
    assert res.returncode == 1 and "has no plan.json" in res.stderr


def test_every_system_keeps_a_colour_of_its_own() -> None:
    """The interactive map tells systems apart by colour (and sensor or effector): with every catalog system allowed
    (6 sensors, 12 effectors) no two of a kind share one, so the web map's legend never shows two alike."""
    from types import SimpleNamespace

    from planner.config.io import load_scenario
    from planner.report.briefing_maps import _styles

    cat = load_scenario("eastern-flank").catalog
    styles = _styles(SimpleNamespace(sensor_ids=tuple(cat.sensors), effector_ids=tuple(cat.effectors)))  # type: ignore[arg-type]
    for kind in ("sensor", "effector"):
        colours = [colour for k, _, colour in styles.values() if k == kind]
        assert len(colours) == len(set(colours)) and len(colours) >= 6


def test_a_city_label_keeps_clear_of_the_site_markers() -> None:
    """planner.report.map_labels.place_labels: a city with a site marker where its label would go first (up and to
    the right) gets its label on a side clear of the marker; with markers on every side it is still labelled."""
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from shapely.geometry import Point, box

    from planner.report.map_labels import place_labels

    countries = gpd.GeoDataFrame({"name": ["Testland"], "role": ["defender"]},
                                 geometry=[box(0, 0, 100_000, 100_000)], crs="EPSG:3035")
    city = gpd.GeoDataFrame({"name": ["Centreville"], "kind": ["city"], "population": [500_000]},
                            geometry=[Point(50_000, 50_000)], crs="EPSG:3035")
    for blocked, expect in (([(53_000, 52_000)], "right-free"), ([(53_000, 52_000), (47_000, 52_000),
                                                                 (53_000, 48_000), (47_000, 48_000)], "labelled")):
        fig, ax = plt.subplots(figsize=(6, 6), dpi=100)
        sites = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in blocked], crs="EPSG:3035")
        place_labels(ax, fig, (0, 0, 100_000, 100_000), (0.78, 0.70, 0.21, 0.29), countries, city, sites,
                     airports=False)
        labels = [t for t in ax.texts if t.get_text() == "Centreville"]
        assert len(labels) == 1, expect
        if expect == "right-free":  # not above and to the right, where the marker stands
            assert (labels[0].get_ha(), labels[0].get_va()) != ("left", "bottom")
        plt.close(fig)
