"""Sweeps on a Dask cluster (a LocalCluster here): same results as local worker processes."""

from __future__ import annotations

import pytest

from planner.analysis.sweeps import frontier
from planner.config.io import load_scenario
from planner.errors import ConfigError
from tests.conftest import CONFIGS

distributed = pytest.importorskip("distributed")


def test_frontier_on_a_local_cluster() -> None:
    scenario = load_scenario(CONFIGS / "tiny.yaml")
    here = frontier(scenario, points=3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        there = frontier(scenario, points=3, scheduler=cl.scheduler_address)
    cols = ["conventional_capability", "drone_spend_eur", "value_lp", "defeat_rate_value_exact"]
    assert there.table[cols].round(6).equals(here.table[cols].round(6))


def test_unreachable_scheduler_is_a_clear_error() -> None:
    scenario = load_scenario(CONFIGS / "tiny.yaml")
    with pytest.raises(ConfigError, match=r"--scheduler: no Dask scheduler answers at tcp://127\.0\.0\.1:1"):
        frontier(scenario, points=2, scheduler="tcp://127.0.0.1:1")
