"""Small planning problems built by hand (no geometry), for optimizer tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.problem import PlanningProblem
from planner.settings import SolverSettings


def make_problem(*, demand: list[list[float]], det: list[tuple[int, int, int, int, float]],
                 eng: list[tuple[int, int, int, int]], n_sites: int, sensor_cost: list[float],
                 effector_cost: list[float], p_kill: list[list[float]], budget: float,
                 magazine: list[float] | None = None, shots: list[float] | None = None,
                 cost_per_shot: list[float] | None = None, decoy: list[bool] | None = None,
                 value: list[list[float]] | None = None, conv_cost: list[float] | None = None,
                 conv_score: list[float] | None = None, conventional_weight: float = 0.0,
                 objective: str = "max_defeat", targets: dict[int, float] | None = None,
                 conventional_floor: float = 0.0, raids_per_year: float = 1.0, horizon_years: int = 1,
                 surge: float = 1.0, gap: float = 0.0, strategy: str = "full",
                 layer_rank: list[list[int]] | None = None, **extra: Any) -> PlanningProblem:
    """A PlanningProblem from plain lists: det = (cell, threat, site, sensor, p_detect), eng = (cell, threat,
    site, effector). Operating costs are zero; every site and cell belongs to nation 'AA'. ``layer_rank`` (E, T):
    each effector's layer along each class's track (kill_chain.layered); none: one layer."""
    lam = np.array(demand, dtype=float)
    n_cells, n_threats = lam.shape
    n_sensors, n_effectors = len(sensor_cost), len(effector_cost)
    det_a = np.array(det, dtype=float).reshape(-1, 5)
    eng_a = np.array(eng, dtype=np.int64).reshape(-1, 4)
    mag_share = np.zeros((n_sites, n_effectors))
    for j in range(n_sites):
        for e in range(n_effectors):
            cells = {int(r[0]) for r in eng_a if r[2] == j and r[3] == e}
            if cells:
                mag_share[j, e] = 1.0 / len(cells)
    conv_cost = conv_cost or []
    conv_score = conv_score or []
    return PlanningProblem(
        name="hand", config_hash="0" * 64, nations=("AA",), cell_ids=np.array([f"c{i}" for i in range(n_cells)]),
        cell_nation=np.zeros(n_cells, dtype=np.int64), cell_no_fire=np.zeros(n_cells, bool),
        cell_engage=np.ones(n_cells, bool), cell_asset_value=np.zeros(n_cells), threat_ids=tuple(f"t{t}" for t in range(n_threats)),
        threat_decoy=np.array(decoy or [False] * n_threats), threat_unit_cost_eur=np.ones(n_threats),
        demand=lam, value=np.array(value, dtype=float) if value is not None else np.ones_like(lam),
        site_ids=np.array([f"s{j}" for j in range(n_sites)]), site_nation=np.zeros(n_sites, dtype=np.int64),
        site_no_fire=np.zeros(n_sites, bool), sensor_ids=tuple(f"sensor{k}" for k in range(n_sensors)),
        sensor_unit_cost_eur=np.array(sensor_cost, float), sensor_operating_eur_per_year=np.zeros(n_sensors),
        effector_ids=tuple(f"effector{k}" for k in range(n_effectors)),
        effector_unit_cost_eur=np.array(effector_cost, float), effector_operating_eur_per_year=np.zeros(n_effectors),
        effector_kinetic=np.ones(n_effectors, bool),
        effector_shots=np.array(shots or [1.0] * n_effectors, float),
        effector_cost_per_shot_eur=np.array(cost_per_shot or [0.0] * n_effectors, float),
        effector_magazine=np.array(magazine or [1e6] * n_effectors, float),
        p_kill=np.array(p_kill, float),
        det_cell=det_a[:, 0].astype(np.int64), det_threat=det_a[:, 1].astype(np.int64),
        det_site=det_a[:, 2].astype(np.int64), det_sensor=det_a[:, 3].astype(np.int64),
        det_weight=-np.log(np.maximum(1 - det_a[:, 4], 1e-6)),
        eng_cell=eng_a[:, 0], eng_threat=eng_a[:, 1], eng_site=eng_a[:, 2], eng_effector=eng_a[:, 3],
        mag_share=mag_share, in_service_sensors=np.zeros((n_sites, n_sensors), bool),
        in_service_effectors=np.zeros((n_sites, n_effectors), bool), conv_ids=tuple(f"conv{c}" for c in range(len(conv_cost))),
        conv_unit_cost_eur=np.array(conv_cost, float), conv_operating_eur_per_year=np.zeros(len(conv_cost)),
        conv_score=np.array(conv_score, float), conv_min_units=np.zeros(len(conv_cost), dtype=np.int64),
        budget_eur=budget, nation_cap_eur={}, horizon_years=horizon_years, raids_per_year=raids_per_year,
        surge_factor=surge, decoy_discrimination=0.0, objective=objective, conventional_weight=conventional_weight,
        conventional_floor=conventional_floor, defeat_targets=targets or {},
        layer_rank=np.array(layer_rank, dtype=np.int64) if layer_rank is not None else np.zeros((0, 0), np.int64),
        solver=SolverSettings(strategy=strategy, time_limit_s=60, mip_rel_gap=gap, threads=2, seed=0, **extra),
    )
