"""A station table's time column: parsed chunk by chunk into one compact array (8 bytes a
row), then checked as a whole, exactly: unreadable, backwards, repeated and off-grid
timestamps, missing steps, and records outside the declared coverage. Each problem is kept
as a count with its first rows, never one entry per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tpqc.schemas.spec import TableProduct
from tpqc.validators.kinds.table.problems import ProblemKind

EXCEL_EPOCH = "1899-12-30"
NAT = np.iinfo(np.int64).min
"""The int64 value of pandas' NaT: an unreadable timestamp."""
SECOND_NS = 1_000_000_000
Example = tuple[int, str | None, Any]


@dataclass(frozen=True)
class TimeProblem:
    """One kind of time problem: how many rows, the first ones, and details."""

    kind: ProblemKind
    count: int
    rows: tuple[int, ...]
    """0-based data row positions of the first examples."""
    values: tuple[Any, ...] = ()
    """What to show for each example (a raw cell, a timestamp, a number of steps)."""
    details: dict[str, Any] = field(default_factory=dict)


def parse_time(raw: Any, fmt: str | None) -> Any:
    """Timestamps from text, Excel serial days or datetimes, rounded to the second (Excel
    stores 01:30 as a fraction of a day that reads back as 01:29:59.990)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        numeric = pd.to_numeric(raw, errors="coerce")
        # Excel serial days are small numbers; 20170101 is a date written as digits.
        serial = numeric.where(numeric.abs() < 1e6)
        texts = raw.where(serial.isna())
        parsed = pd.to_datetime(serial, unit="D", origin=EXCEL_EPOCH, errors="coerce")
        if texts.notna().any():
            as_text = texts.astype("string").str.strip()
            from_text = (
                pd.to_datetime(as_text, format=fmt, errors="coerce")
                if fmt
                else pd.to_datetime(as_text, format="mixed", errors="coerce")
            )
            parsed = parsed.fillna(from_text)
    return parsed.astype("datetime64[ns]").dt.round("1s")


def stamp(ns: int) -> str | None:
    """An int64 timestamp as pandas prints it (``2019-01-01 00:10:00``), None for NaT."""
    if ns == NAT:
        return None
    import pandas as pd

    return str(pd.Timestamp(ns))


def _first(mask: npt.NDArray[np.bool_], limit: int) -> npt.NDArray[np.intp]:
    """The first ``limit`` positions where a mask holds, without listing them all."""
    found: list[npt.NDArray[np.intp]] = []
    taken = 0
    for start in range(0, mask.size, 1 << 20):
        part = np.flatnonzero(mask[start : start + (1 << 20)])[: limit - taken] + start
        found.append(part)
        taken += part.size
        if taken >= limit:
            break
    return np.concatenate(found) if found else np.zeros(0, np.intp)


def _problem(
    kind: ProblemKind, mask: npt.NDArray[np.bool_], times: npt.NDArray[np.int64], limit: int
) -> TimeProblem | None:
    count = int(np.count_nonzero(mask))
    if not count:
        return None
    rows = _first(mask, limit)
    return TimeProblem(
        kind, count, tuple(int(r) for r in rows), tuple(stamp(int(times[r])) for r in rows)
    )


def time_problems(
    times: npt.NDArray[np.int64],
    raw_bad: Sequence[tuple[int, Any]],
    bad_count: int,
    table: TableProduct,
    step_seconds: int,
    coverage: tuple[dt.datetime, dt.datetime] | None,
    limit: int,
) -> list[TimeProblem]:
    """Every time problem of a table, from all its timestamps (NaT where unreadable).

    Memory: a few arrays of the table's length at 8 bytes a row; a series already in order
    (the usual case) is never sorted or copied."""
    problems: list[TimeProblem] = []
    if bad_count:
        problems.append(
            TimeProblem(
                ProblemKind.TIME_UNPARSEABLE,
                bad_count,
                tuple(r for r, _ in raw_bad[:limit]),
                tuple(v for _, v in raw_bad[:limit]),
            )
        )
    step = step_seconds * SECOND_NS
    valid = times != NAT
    every = bool(valid.all())
    positions = None if every else np.flatnonzero(valid)
    values = times if positions is None else times[positions]
    if not values.size:
        return problems
    increasing = bool(np.all(values[1:] > values[:-1])) if values.size > 1 else True
    if not increasing:
        backwards = np.zeros(times.size, np.bool_)
        backwards[1:] = valid[1:] & valid[:-1] & (times[1:] < times[:-1])
        for found in (
            _problem(ProblemKind.TIME_NOT_MONOTONIC, backwards, times, limit),
            _problem(
                ProblemKind.TIME_DUPLICATE,
                _repeated(times, np.arange(times.size) if positions is None else positions, values),
                times,
                limit,
            ),
        ):
            if found is not None:
                problems.append(found)
        del backwards
    found = _problem(
        ProblemKind.TIME_IRREGULAR, _off_grid(times, valid, int(values[0]), step), times, limit
    )
    if found is not None:
        problems.append(found)
    bad = np.flatnonzero(~valid) if not every else np.zeros(0, np.intp)
    gaps = _gaps(times, positions, values, step, bad, limit, in_order=increasing)
    if gaps is not None:
        problems.append(gaps)
    if coverage is not None:
        outside = _outside(times, valid, step, table.time.labelled, coverage)
        found = _problem(ProblemKind.TIME_OUTSIDE_COVERAGE, outside, times, limit)
        if found is not None:
            start, end = (c.replace(tzinfo=None) for c in coverage)
            found.details["coverage"] = [str(_ts(start)), str(_ts(end))]
            problems.append(found)
    return problems


def _snap(values: npt.NDArray[np.int64], origin: int, step: int) -> npt.NDArray[np.int64]:
    """Each timestamp moved to the nearest step from the origin, a million at a time."""
    out = np.empty(values.size, np.int64)
    for start in range(0, values.size, 1 << 20):
        part = values[start : start + (1 << 20)]
        out[start : start + part.size] = (
            origin + np.round((part - origin) / step).astype(np.int64) * step
        )
    return out


def _ts(moment: dt.datetime) -> Any:
    import pandas as pd

    return pd.Timestamp(moment)


def _repeated(
    times: npt.NDArray[np.int64], positions: npt.NDArray[np.intp], values: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Rows whose timestamp an earlier row already has."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    again = np.zeros(values.size, np.bool_)
    again[1:] = ordered[1:] == ordered[:-1]
    mask = np.zeros(times.size, np.bool_)
    mask[positions[order[again]]] = True
    return mask


def _off_grid(
    times: npt.NDArray[np.int64], valid: npt.NDArray[np.bool_], origin: int, step: int
) -> npt.NDArray[np.bool_]:
    off = np.zeros(times.size, np.bool_)
    for start in range(0, times.size, 1 << 20):
        part = times[start : start + (1 << 20)]
        off[start : start + part.size] = np.remainder(part - origin, step) != 0
    result: npt.NDArray[np.bool_] = valid & off
    return result


def _outside(
    times: npt.NDArray[np.int64],
    valid: npt.NDArray[np.bool_],
    step: int,
    label: str,
    coverage: tuple[dt.datetime, dt.datetime],
) -> npt.NDArray[np.bool_]:
    start, end = (int(_ts(c.replace(tzinfo=None)).value) for c in coverage)
    lower = times - step if label == "end" else times
    upper = times if label == "end" else times + step
    return valid & ((upper <= start) | (lower >= end + SECOND_NS))


def _long_steps(unique: npt.NDArray[np.int64], step: int) -> tuple[Any, Any]:
    """Positions i (in ``unique``) where the next timestamp is more than a step away, and
    those distances, found a million at a time."""
    found, distances = [], []
    for start in range(0, max(unique.size - 1, 0), 1 << 20):
        part = np.diff(unique[start : start + (1 << 20) + 1])
        hits = np.flatnonzero(part > step)
        found.append(hits + start)
        distances.append(part[hits])
    if not found:
        return np.zeros(0, np.intp), np.zeros(0, np.int64)
    return np.concatenate(found), np.concatenate(distances)


def _gaps(
    times: npt.NDArray[np.int64],
    positions: npt.NDArray[Any] | None,
    values: npt.NDArray[np.int64],
    step: int,
    bad: npt.NDArray[np.intp],
    limit: int,
    *,
    in_order: bool = False,
) -> TimeProblem | None:
    """Missing steps between the first and last record. An off-grid timestamp still fills
    the step it is nearest to, and a row whose time is unreadable still fills its slot.
    ``positions`` are the rows of ``values`` (None: every row, in order)."""
    snapped = _snap(values, int(values[0]), step)
    if in_order:  # snapping keeps the order: no sort needed
        repeated = snapped[1:] == snapped[:-1]
        if repeated.any():
            first = np.ones(snapped.size, np.bool_)
            first[1:] = ~repeated
            unique, index = snapped[first], np.flatnonzero(first)
        else:
            unique, index = snapped, None
        del repeated
    else:
        order = np.argsort(snapped, kind="stable")
        ordered = snapped[order]
        first = np.ones(ordered.size, np.bool_)
        first[1:] = ordered[1:] != ordered[:-1]
        unique, index = ordered[first], order[first]
    long, distances = _long_steps(unique, step)
    del snapped, unique
    if not long.size:
        return None

    def row(at: Any) -> Any:
        picked = at if index is None else index[at]
        return picked if positions is None else positions[picked]

    missing = distances // step - 1
    ends, starts = row(long + 1), row(long)
    if bad.size:
        low, high = np.minimum(starts, ends), np.maximum(starts, ends)
        filled = np.searchsorted(bad, high, "left") - np.searchsorted(bad, low, "right")
        missing = missing - filled
        keep = missing > 0
        missing, ends, distances = missing[keep], ends[keep], distances[keep]
        if not missing.size:
            return None
    worst = int(missing.argmax())
    gap_end = int(times[ends[worst]])
    gap_start = gap_end - int(distances[worst])
    return TimeProblem(
        ProblemKind.TIME_GAPS,
        int(missing.sum()),
        tuple(int(r) for r in ends[:limit]),
        tuple(int(n) for n in missing[:limit]),
        {
            "gaps": int(missing.size),
            "longest_missing_steps": int(missing[worst]),
            "longest_from": stamp(gap_start),
            "longest_to": stamp(gap_end),
        },
    )
