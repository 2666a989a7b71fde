"""Series rules over the time axes inside a product's files (NetCDF): every step of the
regular sequence is there, once, within and across files.

The step is the product's ``time_step`` when declared, else the most common distance
between consecutive steps; steps of a month (28 to 31 days apart, or 30 on a 360-day
calendar) are counted in calendar months. A gap is located at the file whose first step
after it comes late; a repeated step at the file that repeats it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tpqc.validators.findings import Issue, Location
from tpqc.validators.registry import Scope, check

DAY = 86400.0


@dataclass(frozen=True)
class AxisFile:
    """One file's time steps: ISO text and seconds on its calendar."""

    path: str
    times: tuple[str, ...]
    seconds: tuple[float, ...]


@dataclass(frozen=True)
class TimeAxisContext:
    """A product's files with a time axis, in path order, and the step the product declares
    for it (seconds; None: the most common one)."""

    product: str
    time_step: int | None
    files: tuple[AxisFile, ...]
    absent: tuple[tuple[float, float], ...] = ()
    """Spans (seconds since 1970) of series members known to have no file: the steps they
    would hold are series-incomplete's to report, not missing steps again."""


TIME_AXIS = Scope[TimeAxisContext]("time-axis")
"""Checks across the time axes inside the files of one product."""


def _steps(ctx: TimeAxisContext) -> list[tuple[float, str, str]]:
    """Every (seconds, ISO, path), in time order (stable: path order breaks ties)."""
    steps = [(s, t, f.path) for f in ctx.files for s, t in zip(f.seconds, f.times, strict=True)]
    return sorted(steps, key=lambda step: step[0])


def _month_index(iso: str) -> int:
    year, month = int(iso[:4].lstrip("-") or 0), int(iso[5:7])
    return year * 12 + month - 1


@check("D007", "time-steps-missing", scope=TIME_AXIS)
def time_steps_missing(ctx: TimeAxisContext) -> Iterator[Issue]:
    """Steps of the regular time sequence are missing inside or between the files (a day of
    a daily series, a month of a monthly one)."""
    steps = _steps(ctx)
    unique: list[tuple[float, str, str]] = []
    for entry in steps:
        if not unique or entry[0] != unique[-1][0]:
            unique.append(entry)
    if len(unique) < 2:
        return
    diffs = [b[0] - a[0] for a, b in itertools.pairwise(unique)]
    if ctx.time_step is None and _mostly_monthly(diffs):
        for before, after in itertools.pairwise(unique):
            missing = _month_index(after[1]) - _month_index(before[1]) - 1
            first = _month_index(before[1])
            moments = [_month_start(first + k) for k in range(1, missing + 1)]
            if missing > 0 and not _absent(ctx, moments):
                yield _gap(before, after, missing, "P1M")
        return
    declared = ctx.time_step
    step = float(declared) if declared else Counter(diffs).most_common(1)[0][0]
    if step <= 0:
        return
    for before, after in itertools.pairwise(unique):
        missing = round((after[0] - before[0]) / step) - 1
        ks = range(1, missing + 1) if missing <= 10_000 else (1, missing)
        if missing > 0 and not _absent(ctx, [before[0] + k * step for k in ks]):
            yield _gap(before, after, missing, f"{step:g} s")


def _absent(ctx: TimeAxisContext, moments: Sequence[float]) -> bool:
    """True when every missing step lies in a member known to have no file (one gap, one
    finding: the missing member's)."""
    return bool(ctx.absent) and all(
        any(start <= moment <= end for start, end in ctx.absent) for moment in moments
    )


def _month_start(index: int) -> float:
    """Seconds since 1970 of the first instant of a month (months counted from year 0)."""
    year, month = divmod(index, 12)
    return (dt.datetime(max(year, 1), month + 1, 1) - dt.datetime(1970, 1, 1)).total_seconds()


def _mostly_monthly(diffs: Sequence[float]) -> bool:
    """Most steps are a calendar month apart (28 to 31 days)."""
    months = sum(1 for d in diffs if 28 * DAY <= d <= 31 * DAY)
    return months * 2 > len(diffs)


def _gap(
    before: tuple[float, str, str], after: tuple[float, str, str], missing: int, step: str
) -> Issue:
    return Issue(
        f"{missing} time steps missing between {before[1]} and {after[1]}",
        Location(path=after[2], field="time"),
        expected={"step": step, "after": before[1]},
        actual=after[1],
        details={"missing": missing, "previous_file": before[2]},
    )


@check("D008", "time-steps-duplicated", scope=TIME_AXIS)
def time_steps_duplicated(ctx: TimeAxisContext) -> Iterator[Issue]:
    """A time step occurs twice, inside one file or in two files."""
    first: dict[float, tuple[str, str]] = {}
    for seconds, iso, path in _steps(ctx):
        if seconds in first:
            yield Issue(
                f"time step {iso} occurs again",
                Location(path=path, field="time"),
                expected="each step once",
                actual=iso,
                details={"first_in": first[seconds][1]},
            )
        else:
            first[seconds] = (iso, path)


__all__ = ["TIME_AXIS", "AxisFile", "TimeAxisContext"]
