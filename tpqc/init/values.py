"""Round what the data shows into what a spec should declare: value ranges and extents
rounded outward (never tighter than the data), steps and durations as people write them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TypeVar

import numpy as np

from tpqc.schemas.spec_values import step_text

T = TypeVar("T", bound=Hashable)


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _round(value: Decimal, step: Decimal, rounding: str) -> float:
    return float((value / step).to_integral_value(rounding=rounding) * step)


def outward_range(low: float, high: float, dtype: str | None = None) -> tuple[float, float]:
    """A round range that holds [low, high]: the bounds move out to a multiple of the power of
    ten below the span (0.52..8.7 → 0..9, 1520..5790 → 1000..6000, -0.2..0.95 → -1..1),
    within what the data type can hold, and never below zero for data that is not."""
    span = high - low if high > low else max(abs(high), abs(low), 1.0)
    step = Decimal(10) ** math.floor(math.log10(span))
    lo = _round(_decimal(low), step, ROUND_FLOOR)
    hi = _round(_decimal(high), step, ROUND_CEILING)
    if low >= 0 > lo:
        lo = 0.0
    if dtype is not None and np.issubdtype(np.dtype(dtype), np.integer):
        info = np.iinfo(np.dtype(dtype))
        lo, hi = max(lo, float(info.min)), min(hi, float(info.max))
    return lo, hi


def extent_decimals(west: float, south: float, east: float, north: float) -> int:
    """How many decimals a dataset extent is written to: a hundredth of its size, at least
    two (0.01 degrees) and at most six."""
    span = max(east - west, north - south, 1e-9)
    return max(2, min(6, math.ceil(-math.log10(span / 100))))


def outward_extent(
    west: float, south: float, east: float, north: float
) -> tuple[tuple[float, float, float, float], int]:
    """The box rounded outward to its decimals (within -180..180, -90..90), and those
    decimals (validation's default tolerance is one unit of the last decimal)."""
    decimals = extent_decimals(west, south, east, north)
    step = Decimal(1).scaleb(-decimals)

    def nudge(value: float) -> Decimal:  # 91.80000000001 is 91.80
        return _decimal(round(value, decimals + 6))

    box = (
        max(-180.0, _round(nudge(west), step, ROUND_FLOOR)),
        max(-90.0, _round(nudge(south), step, ROUND_FLOOR)),
        min(180.0, _round(nudge(east), step, ROUND_CEILING)),
        min(90.0, _round(nudge(north), step, ROUND_CEILING)),
    )
    return box, decimals


def fraction_ceiling(observed: float, margin: float = 0.05) -> float:
    """A limit for a fraction observed in the data, with a margin, in steps of 0.05."""
    return min(1.0, math.ceil((observed + margin) * 20 - 1e-9) / 20)


def significant(value: float, digits: int = 6) -> float:
    """The value to so many significant digits (0.008333333 → 0.00833333)."""
    return float(f"{value:.{digits}g}")


def most_common(values: Sequence[T]) -> tuple[T, int] | None:
    """The most common value (ties: the one seen first) and how many share it."""
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    first = next(v for v in values if counts[v] == best)
    return first, best


def yaml_number(value: float) -> str:
    """A number as YAML 1.1 reads it back exactly: integers plain, others in fixed
    notation with a dot (PyYAML reads 1e-05 as text)."""
    if math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        sign = "" if exponent[0] in "+-" else "+"
        return f"{mantissa}e{sign}{exponent}"
    return text if "." in text else text + ".0"


__all__ = [
    "extent_decimals",
    "fraction_ceiling",
    "most_common",
    "outward_extent",
    "outward_range",
    "significant",
    "step_text",
    "yaml_number",
]
