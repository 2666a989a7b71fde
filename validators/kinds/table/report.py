"""What the report and the dataset checks say about one station table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tpqc.schemas.spec import TableProduct
from tpqc.validators.dataset.summary import FileSummary
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.kinds.table.reader import TableFacts


def table_entry(facts: TableFacts, entry: InventoryEntry) -> dict[str, Any]:
    """What the report says about one table beyond its path, product and kind: rows, time
    span, columns, checksum."""
    return {
        "fields": dict(entry.fields),
        "size": facts.size_bytes,
        "sha256": facts.sha256,
        "readable": facts.readable,
        "rows": facts.rows,
        "time_start": facts.time_start,
        "time_end": facts.time_end,
        "columns": [
            {
                "name": c.name,
                "header": c.header,
                "unit": c.unit,
                "rows": c.rows,
                "missing": c.missing,
                "min": c.minimum,
                "max": c.maximum,
            }
            for c in facts.columns
        ],
    }


def table_span(facts: TableFacts, table: TableProduct) -> tuple[dt.datetime, dt.datetime] | None:
    """The span the records cover, on the table's own clock (as coverage is compared): a
    timestamp labels the end (or start) of its step."""
    if not facts.readable or facts.time_start is None or facts.time_end is None:
        return None
    step = dt.timedelta(seconds=table.time.step_seconds)
    first = dt.datetime.fromisoformat(facts.time_start).replace(tzinfo=dt.UTC)
    last = dt.datetime.fromisoformat(facts.time_end).replace(tzinfo=dt.UTC)
    if table.time.labelled == "end":
        return (first - step, last - dt.timedelta(seconds=1))
    return (first, last + step - dt.timedelta(seconds=1))


def table_summary(facts: TableFacts, table: TableProduct) -> FileSummary:
    """The table as the dataset checks see it: no grid, the time its records cover."""
    return FileSummary(facts.path, size_bytes=facts.size_bytes, span=table_span(facts, table))
