"""The coverage stage (planner.geo.coverage): pairs within a distance match brute force, a narrower query
filters the widest one, a wider one queries again, and catalog draws reuse one coverage."""

from __future__ import annotations

import numpy as np
import pytest

from planner.geo.coverage import Coverage


def _coverage(seed: int = 0) -> Coverage:
    rng = np.random.default_rng(seed)
    cells, sites = rng.uniform(0, 10_000, (40, 2)), rng.uniform(0, 10_000, (25, 2))
    return Coverage(cell_xy=cells, site_xy=sites, cell_no_fire=np.zeros(40, bool), site_no_fire=np.zeros(25, bool),
                    cell_defender=np.array(["AA", "BB"] * 20), site_defender=np.array(["AA"] * 12 + ["BB"] * 13))


def _brute(c: Coverage, r: float, cross: bool = True) -> set[tuple[int, int]]:
    d = np.linalg.norm(c.cell_xy[:, None, :] - c.site_xy[None, :, :], axis=2)
    ok = d <= r
    if not cross:
        ok &= c.cell_defender[:, None] == c.site_defender[None, :]
    return set(zip(*map(np.ndarray.tolist, np.nonzero(ok)), strict=True))


@pytest.mark.parametrize("radii", [(3000.0, 1500.0, 4500.0), (500.0, 2500.0, 2000.0)])
def test_pairs_match_brute_force_whatever_the_order_of_queries(radii: tuple[float, ...]) -> None:
    c = _coverage()
    for r in radii:
        for cross in (True, False):
            got = c.pairs(r, cross_border=cross)
            assert set(zip(got.cell.tolist(), got.site.tolist(), strict=True)) == _brute(c, r, cross)
            d = np.linalg.norm(c.cell_xy[got.cell] - c.site_xy[got.site], axis=1)
            np.testing.assert_allclose(got.distance_m, d)


def test_a_filtered_query_keeps_the_order_of_a_direct_one() -> None:
    """The order of pairs decides the order of the model's rows (and so which of equal plans a solver returns):
    a narrower query filtered from a wider one lists its pairs as a direct query would."""
    for seed in range(5):
        wide, direct = _coverage(seed), _coverage(seed)
        wide.pairs(6000.0)
        for r in (4000.0, 2500.0):
            a, b = wide.pairs(r), direct.pairs(r)
            assert a.cell.tolist() == b.cell.tolist() and a.site.tolist() == b.site.tolist()
            direct = _coverage(seed)


def test_a_narrower_query_reuses_the_widest(monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.geo.coverage as cov

    calls = []
    real = cov.cKDTree

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cov, "cKDTree", counting)
    c = _coverage(1)
    c.pairs(4000.0)
    n = len(calls)
    c.pairs(1000.0)
    c.pairs(3999.0, cross_border=False)
    assert len(calls) == n  # filtered, not queried
    c.pairs(5000.0)
    assert len(calls) > n  # wider: the KD-tree again


def test_no_fire_share_is_the_length_inside() -> None:
    """A 10 km cell from (0, 0) to (10 km, 0) crosses a zone from x = 3 to 7 km: 40% of its crossings lie inside.
    Wholly inside: 1; apart from it: 0; two zones overlapping on the line count once (x = 3..8 km: 50%)."""
    import shapely

    from planner.geo.coverage import no_fire_shares

    cells = np.array([shapely.LineString([(0, 0), (10_000, 0)]), shapely.LineString([(4_000, 0), (6_000, 0)]),
                      shapely.LineString([(0, 5_000), (10_000, 5_000)])])
    zone = shapely.box(3_000, -1_000, 7_000, 1_000)
    assert no_fire_shares(cells, np.array([zone])) == pytest.approx([0.4, 1.0, 0.0])
    both = np.array([zone, shapely.box(5_000, -500, 8_000, 500)])
    assert no_fire_shares(cells[:1], both) == pytest.approx([0.5])
    assert no_fire_shares(cells, np.array([])).tolist() == [0.0, 0.0, 0.0]
