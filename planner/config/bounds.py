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
