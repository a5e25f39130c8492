"""The adversary's choices as arrays (issue #15): the axes the border is cut into, the groups of classes that move
together, the altitude profiles (each a world: the plan's problem with the classes flying that high) and the decoy
shares, from a scenario's ``adversary`` section (:class:`planner.config.adversary.AdversaryConfig`).

A choice is a profile, a decoy share and, for each group, an axis or ``SPREAD`` (the scenario's own spread);
:func:`raid` turns it into drones per raid (cells, classes). The mass of every class is kept: the attacker moves
drones, it does not make more. Geometry ends here: the best response (planner.analysis.respond) sees arrays only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.config.adversary import AdversaryConfig
from planner.config.io import Scenario
from planner.geo.coverage import Coverage
from planner.geo.theater import Theater
from planner.problem import PlanningProblem, build_problem

__all__ = ["AWAY", "SPREAD", "Attacker", "axes_of", "build_attacker", "raid"]

#: A group left where the scenario spreads it.
SPREAD = -1
#: A part's view of a group moved onto an axis in another part (only its unmoved share stays).
AWAY = -2


@dataclass(frozen=True)
class Attacker:
    """What the adversary may choose, indexed like the plan's problem."""

    axis: np.ndarray  # (N,) the axis of each cell
    axis_names: tuple[str, ...]  # "PL-UA 1/2"
    axis_km: np.ndarray  # (A,) length of each axis
    groups: tuple[tuple[int, ...], ...]  # class indices moving together
    concentrate: float  # share of a group's drones moved onto its axis
    profiles: tuple[str, ...]  # "catalog" first, then the scenario's named altitude profiles
    worlds: tuple[PlanningProblem, ...]  # one per profile: the plan's problem with the classes flying that high
    decoy: tuple[int, int] | None = None  # (armed class, decoy class) whose shares the attacker may change
    decoy_shares: tuple[float | None, ...] = (None,)  # None: the scenario's own shares (always a choice)

    @property
    def problem(self) -> PlanningProblem:
        return self.worlds[0]


def axes_of(cells: pd.DataFrame, length_km: float) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """Cut each border's cells (in order along it: part, then chainage) into axes of about ``length_km``; a border
    shorter than 1.5 axes is one. Returns each cell's axis, the axes' names and lengths (km)."""
    axis = np.zeros(len(cells), dtype=np.int64)
    names: list[str] = []
    km: list[float] = []
    for border, rows in cells.groupby("border_id", sort=True):
        rows = rows.sort_values(["part", "chainage_m"], kind="stable")
        length = rows["length_m"].to_numpy(float) / 1000
        total = float(length.sum())
        count = max(1, int(round(total / length_km)))
        middle = np.cumsum(length) - length / 2
        k = np.minimum((middle / (total / count)).astype(np.int64), count - 1) if total > 0 else np.zeros(len(rows), int)
        for j in range(count):
            names.append(str(border) if count == 1 else f"{border} {j + 1}/{count}")
            km.append(float(length[k == j].sum()))
        axis[cells.index.get_indexer(rows.index)] = len(names) - count + k
    return axis, tuple(names), np.array(km)


def build_attacker(scenario: Scenario, theater: Theater, coverage: Coverage, p: PlanningProblem,
                   adversary: AdversaryConfig | None = None) -> Attacker:
    """The adversary of ``scenario`` (its ``adversary`` section, or the defaults) against plans of ``p``. Every world
    has the plan's demand and values; its pairs cover every cell a moving class may cross."""
    adv = adversary or scenario.config.adversary or AdversaryConfig.model_validate({})
    cat = scenario.catalog
    index = {t: k for k, t in enumerate(p.threat_ids)}
    if adv.groups is not None:
        groups = tuple(tuple(index[t] for t in g if t in index) for g in adv.groups)
        groups = tuple(g for g in groups if g)
    else:
        crewed = {t for t in p.threat_ids if cat.threats[t].manned}
        moving = tuple(k for k, t in enumerate(p.threat_ids) if t not in crewed and p.demand[:, k].sum() > 0)
        groups = (moving,) if moving else ()
    axis, names, km = axes_of(theater.cells.reset_index(drop=True), adv.axis_length_km)
    movers = sorted({t for g in groups for t in g})
    # Pairs exist only where a class flies in the scenario (planner.problem: engagements where demand > 0): a world's
    # theater lets every moving class fly everywhere, its demand and values are then the plan's.
    support = theater
    if movers and (p.demand[:, movers] <= 0).any():
        cells = theater.cells.copy()
        for t in movers:
            col = f"raid_{p.threat_ids[t]}"
            cells[col] = np.maximum(cells[col].to_numpy(float), 1e-9)
        support = dataclasses.replace(theater, cells=cells)
    profiles = ["catalog", *adv.altitude_profiles]
    worlds = []
    for name in profiles:
        catalog = cat
        if name != "catalog":
            threats = dict(cat.threats)
            for tid, alt in adv.altitude_profiles[name].altitude_m.items():
                th = threats[tid]
                threats[tid] = th.model_copy(update={"altitude_m": th.altitude_m.model_copy(update={"value": alt})})
            catalog = cat.model_copy(update={"threats": threats})
        if catalog is cat and support is theater:
            worlds.append(p)
            continue
        q = build_problem(dataclasses.replace(scenario, catalog=catalog), support, coverage)
        worlds.append(dataclasses.replace(q, demand=p.demand, value=p.value, harm_eur=p.harm_eur,
                                          value_unit_eur=p.value_unit_eur, config_hash=p.config_hash))
    decoy: tuple[int, int] | None = None
    shares: tuple[float | None, ...] = (None,)
    if adv.decoys is not None and adv.decoys.armed in index and adv.decoys.decoy in index:
        decoy = (index[adv.decoys.armed], index[adv.decoys.decoy])
        shares = (None, *sorted(set(adv.decoys.shares)))
    return Attacker(axis=axis, axis_names=names, axis_km=km, groups=groups, concentrate=adv.concentrate_share,
                    profiles=tuple(profiles), worlds=tuple(worlds), decoy=decoy, decoy_shares=shares)


def raid(att: Attacker, share: float | None, view: tuple[int, ...], demand: np.ndarray | None = None) -> np.ndarray:
    """Drones per raid (N, T) when the attacker flies decoy share ``share`` (None: the scenario's) and moves each
    group ``view[g]``: onto that axis, ``SPREAD`` (left as the scenario spreads it) or ``AWAY`` (onto an axis outside
    the cells of interest: only the unmoved share stays). ``demand``: the raid before the choice (the plan's)."""
    lam = np.array(att.problem.demand if demand is None else demand, dtype=float)
    if share is not None and att.decoy is not None:
        a, d = att.decoy
        stream = lam[:, a] + lam[:, d]
        lam[:, a], lam[:, d] = stream * (1 - share), stream * share
    m = att.concentrate
    for group, where in zip(att.groups, view, strict=True):
        if where == SPREAD:
            continue
        cls = list(group)
        mass = lam[:, cls].sum(axis=0)
        moved = lam[:, cls] * (1 - m)
        if where != AWAY:
            on = att.axis == where
            there = lam[on][:, cls]
            total = there.sum(axis=0)
            shape = np.where(total > 0, there / np.where(total > 0, total, 1.0), 1.0 / max(int(on.sum()), 1))
            moved[on] += m * mass * shape
        lam[:, cls] = moved
    return lam
