"""Bounds on the numbers that feed the optimizer: :class:`AtMost` (a generous but physical upper limit, named with
its unit when refused) and the number format its messages use."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema


def fmt_number(x: float) -> str:
    """``100,000`` for round numbers a reader can take in, ``1e+300`` for the rest."""
    return f"{int(x):,}" if math.isfinite(x) and abs(x) < 1e15 and float(x).is_integer() else f"{x:g}"


#: Largest value (and high bound) of each catalog figure, with its unit: generous but physical, so that a
#: slip of units or digits is named at once rather than breaking the solver.
LIMITS: dict[str, tuple[float, str]] = {
    "unit_cost_eur": (1e11, "EUR"),  # EUR 100 bn a unit: above any ship or aircraft
    "operating_cost_eur_per_year": (1e10, "EUR a year"),
    "cost_per_shot_eur": (1e9, "EUR"),
    "speed_mps": (1e4, "m/s"),  # Mach 30
    "altitude_m": (1e6, "m"),
    "max_altitude_m": (1e6, "m"),
    "max_target_altitude_m": (1e6, "m"),
    "rcs_m2": (1e4, "m²"),
    "warhead_kg": (1e5, "kg"),
    "range_km": (20_000, "km"),
    "detection_range_m": (1e7, "m"),  # 10,000 km: beyond any over-the-horizon radar
    "detection_range_m_by_threat": (1e7, "m"),
    "range_m": (1e7, "m"),
    "mast_height_m": (1e4, "m"),
    "crew": (1e5, "people"),
    "shots_per_engagement": (1e4, "shots"),
    "magazine_shots_per_raid": (1e6, "shots"),
    "reaction_time_s": (86_400, "s"),  # a day
    "capability_score": (1e4, "Leopard-2A8 equivalents"),
    "escort_window_s": (86_400, "s"),
    "transit_speed_mps": (1e4, "m/s"),
    "sortie_cost_eur": (1e9, "EUR"),
    "escorts_per_raid": (1e4, "escorts"),
}


@dataclass(frozen=True)
class AtMost:
    """Annotation: a number at most ``limit`` (in ``unit``), refused with a message that names the unit and
    the allowed range; shown as the JSON Schema's ``maximum``. ``lower`` words the field's lower bound.

    Every number that feeds the optimizer has one: generous but physical, so that a slip of units or
    digits (``1e300`` raids a year) is named at once rather than breaking the solver.
    """

    limit: float
    unit: str
    lower: str = "more than 0"

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> Any:
        out = handler(schema)
        out["maximum"] = int(self.limit) if float(self.limit).is_integer() else self.limit
        return out

    def _check(self, value: float) -> float:
        if value > self.limit:
            unit = f" {self.unit}" if self.unit else ""
            msg = (f"{fmt_number(value)}{unit} is out of range: allowed {self.lower} and at most "
                   f"{fmt_number(self.limit)}{unit}")
            raise ValueError(msg)
        return value
