"""pandera schemas for the values of station tables, built from a table product of the spec.

The reader gives every chunk of a table the same shape before validation: declared columns
renamed to their spec names (aliases resolved), values numeric with missing codes already
NA. Range checks skip NA, so a declared missing code is never out of range. (The time column
is checked as a whole, across chunks, by ``tpqc.validators.kinds.table.timestamps``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

IN_RANGE = "value_in_range"


@dataclass(frozen=True)
class ValueRule:
    """Limits one (renamed) column must respect."""

    column: str
    min: float | None
    max: float | None


def table_schema(rules: Sequence[ValueRule]) -> Any:
    """The pandera DataFrameSchema of a normalised chunk (lazy validation collects all)."""
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
    return pa.DataFrameSchema(columns, strict=False)
