"""pandera schemas for station tables, built from a table product of the spec.

The reader gives every table the same shape before validation: declared columns renamed to
their spec names (aliases resolved), values numeric with missing codes already NA, and the
time column parsed into ``TIME_COLUMN``. Range checks skip NA, so a declared missing code is
never out of range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TIME_COLUMN = "__time__"
IN_RANGE, NOT_BACKWARDS, NOT_REPEATED, ON_GRID = (
    "value_in_range",
    "time_not_backwards",
    "time_not_repeated",
    "time_on_grid",
)


@dataclass(frozen=True)
class ValueRule:
    """Limits one (renamed) column must respect."""

    column: str
    min: float | None
    max: float | None


def table_schema(rules: Sequence[ValueRule], step_ns: int, origin: Any) -> Any:
    """The pandera DataFrameSchema of a normalised table (lazy validation collects all)."""
    import pandera.pandas as pa

    columns: dict[str, Any] = {}
    for rule in rules:
        checks = []
        if rule.min is not None and rule.max is not None:
            checks.append(pa.Check.in_range(rule.min, rule.max, name=IN_RANGE))
        elif rule.min is not None:
            checks.append(pa.Check.ge(rule.min, name=IN_RANGE))
        elif rule.max is not None:
            checks.append(pa.Check.le(rule.max, name=IN_RANGE))
        columns[rule.column] = pa.Column(float, checks, nullable=True, required=False)

    def not_backwards(series: Any) -> Any:
        return series.isna() | ~(series.diff().dt.total_seconds() < 0)

    def not_repeated(series: Any) -> Any:
        return series.isna() | ~series.duplicated(keep="first")

    def on_grid(series: Any) -> Any:
        offsets = (series - origin).dt.total_seconds() * 1e9
        return series.isna() | (offsets % step_ns == 0)

    columns[TIME_COLUMN] = pa.Column(
        "datetime64[ns]",
        [
            pa.Check(not_backwards, name=NOT_BACKWARDS),
            pa.Check(not_repeated, name=NOT_REPEATED),
            pa.Check(on_grid, name=ON_GRID),
        ],
        nullable=True,
    )
    return pa.DataFrameSchema(columns, strict=False)
