"""Catalog honesty: every figure carries a source or an assumption, and the figures are sane."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.config.io import load_catalog
from tests.conftest import CATALOGS

KINDS = ("sources", "threats", "sensors", "effectors", "conventional")
# Numbers that are definitions, not measurements: the RCS a radar's quoted range refers to.
DEFINITIONS = {"reference_rcs_m2"}
#: Parents whose numbers are definitions, not figures: an option's split of its points among capability areas.
DEFINITION_PARENTS = {"capability_areas"}
FIGURE_KEYS = {"value", "low", "high"}


def _walk(node: Any, path: str, found: list[tuple[str, Any]]) -> None:
    if isinstance(node, dict):
        for key, val in node.items():
            _walk(val, f"{path}.{key}", found)
    elif isinstance(node, list):
        for i, val in enumerate(node):
            _walk(val, f"{path}[{i}]", found)
    elif isinstance(node, int | float) and not isinstance(node, bool):
        found.append((path, node))


def _figure_of(raw: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The mapping that holds the number at ``path`` if it is a figure field (value/low/high)."""
    *parents, leaf = path.split(".")[1:]
    if leaf not in FIGURE_KEYS:
        return None
    node: Any = raw
    for key in parents:
        node = node[key]
    return node


@pytest.mark.parametrize("kind", KINDS[1:])
def test_every_catalog_number_has_a_source_or_an_assumption(kind: str) -> None:
    """Read the raw YAML (not the models): no number may stand without provenance."""
    raw = yaml.safe_load((CATALOGS / f"{kind}.yaml").read_text())
    sources = yaml.safe_load((CATALOGS / "sources.yaml").read_text())["sources"]
    numbers: list[tuple[str, Any]] = []
    _walk(raw, "", numbers)
    assert len(numbers) > 20
    for path, _ in numbers:
        if path.rsplit(".", 1)[-1] in DEFINITIONS or path.rsplit(".", 2)[-2] in DEFINITION_PARENTS:
            continue
        fig = _figure_of(raw, path)
        assert fig is not None, f"{kind}.yaml{path}: a number outside a figure (value/low/high)"
        assert fig.get("source") or (fig.get("assumption") or "").strip(), (
            f"{kind}.yaml{path}: no source and no assumption"
        )
        for sid in fig.get("source") or []:
            assert sid in sources, f"{kind}.yaml{path}: unknown source '{sid}'"


def test_every_source_is_used_and_cited() -> None:
    cat = load_catalog({k: CATALOGS / f"{k}.yaml" for k in KINDS})
    used = {sid for _, fig in cat.figures() for sid in fig.source}
    # Sources cited in prose (assumptions, rationales, notes) as '(cf94)' count as used too.
    prose = " ".join((CATALOGS / f"{k}.yaml").read_text() for k in (*KINDS[1:], "nations"))
    used |= set(re.findall(r"\b(cf[a-z]?\d+)\b", prose))
    # Incident replays (configs/incidents/) cite the reporting of what happened.
    used |= {sid for f in (CATALOGS.parent / "incidents").glob("*.yaml") for sid in re.findall(r"\b(cf[a-z]?\d+)\b", f.read_text())}
    # Shipped scenarios cite the reporting behind their adversary's choices (adversary.altitude_profiles, decoys).
    used |= {sid for f in CATALOGS.parent.glob("*.yaml") for sid in re.findall(r"\b(cf[a-z]?\d+)\b", f.read_text())}
    unused = sorted(set(cat.sources) - used)
    assert not unused, f"sources.yaml lists sources no figure uses: {unused}"


def test_required_catalog_entries_are_present() -> None:
    cat = load_catalog({k: CATALOGS / f"{k}.yaml" for k in KINDS})
    assert {"shahed_136", "gerbera_decoy", "geran_3_jet", "orlan_10", "fpv_quad"} <= set(cat.threats)
    assert {g for t in cat.threats.values() for g in [t.guidance]} == {"autonomous", "remote", "fibre", "piloted"}
    assert {s.modality for s in cat.sensors.values()} == {"radar", "passive_rf", "acoustic", "eo_ir"}
    assert {"acoustic_node", "passive_rf", "radar_short_3d", "radar_medium", "radar_long", "eo_ir"} <= set(cat.sensors)
    assert {"gun_35mm", "interceptor_drone", "manpads", "sam_short", "sam_medium", "patriot_pac3", "laser_hel",
            "rf_jammer", "fighter_aim9x"} <= set(cat.effectors)
    assert {"leopard_2a8", "k2", "pzh2000_battery", "himars", "puma_ifv"} <= set(cat.conventional)
    assert {e.kinetic for e in cat.effectors.values()} == {True, False}


def test_single_shot_kill_probabilities_are_labelled_assumptions() -> None:
    """No public single-shot Pk against drones exists: every one must say it is assumed, with a range."""
    cat = load_catalog({k: CATALOGS / f"{k}.yaml" for k in KINDS})
    for eid, eff in cat.effectors.items():
        for tid, fig in eff.p_kill_per_shot.items():
            assert fig.assumption, f"{eid}.p_kill_per_shot.{tid} must be marked as an assumption"
            if fig.value not in (0.0,):
                assert fig.low is not None or fig.high is not None or eid == "rf_jammer", (
                    f"{eid}.p_kill_per_shot.{tid} needs a low/high range"
                )


def test_probabilities_within_unit_interval() -> None:
    cat = load_catalog({k: CATALOGS / f"{k}.yaml" for k in KINDS})
    for path, fig in cat.figures():
        if ".p_detect" in path or ".p_kill_per_shot." in path:
            lo, hi = fig.range
            assert 0.0 <= lo <= fig.value <= hi <= 1.0, path


def test_figure_without_provenance_is_rejected(catalog_copy: Path) -> None:
    from planner.errors import ConfigError

    path = catalog_copy / "threats.yaml"
    path.write_text(path.read_text().replace("speed_mps: {value: 31, source: [cf11]}", "speed_mps: {value: 31}"))
    with pytest.raises(ConfigError, match=r"orlan_10\.speed_mps: figure has neither a source nor an assumption"):
        load_catalog({k: catalog_copy / f"{k}.yaml" for k in KINDS})
