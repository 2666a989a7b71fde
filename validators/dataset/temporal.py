"""Time meaning of filename fields and ISO 8601 durations: which interval a series member covers."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tpqc.schemas.patterns import FieldValue

_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
ONE_SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration split into calendar months and an exact time span."""

    months: int = 0
    span: dt.timedelta = dt.timedelta(0)

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``P1Y``, ``P1M``, ``P8D``, ``PT30M`` and the like."""
        found = _DURATION.match(text)
        if not found or text in ("P", "PT"):
            raise ValueError(f"not an ISO 8601 duration: {text!r}")
        parts = {k: int(v) for k, v in found.groupdict().items() if v}
        return cls(
            months=12 * parts.get("years", 0) + parts.get("months", 0),
            span=dt.timedelta(
                weeks=parts.get("weeks", 0),
                days=parts.get("days", 0),
                hours=parts.get("hours", 0),
                minutes=parts.get("minutes", 0),
                seconds=parts.get("seconds", 0),
            ),
        )

    def after(self, start: dt.datetime) -> dt.datetime:
        """start + this duration (calendar-aware for months and years)."""
        month_index = start.month - 1 + self.months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return start.replace(year=year, month=month, day=day) + self.span


def member_start(fields: Mapping[str, FieldValue]) -> dt.datetime | None:
    """The first instant a file's time fields name (UTC), or None when it has none."""

    def number(name: str) -> int | None:
        value = fields.get(name)
        return value if isinstance(value, int) else None

    try:
        date = number("date")
        if date is not None:
            return dt.datetime(date // 10000, date // 100 % 100, date % 100, tzinfo=dt.UTC)
        year = number("year")
        if year is None:
            return None
        doy = number("doy")
        if doy is not None:
            return dt.datetime(year, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=doy - 1)
        return dt.datetime(year, number("month") or 1, number("day") or 1, tzinfo=dt.UTC)
    except ValueError:
        return None


def natural_resolution(fields: Mapping[str, FieldValue]) -> str | None:
    """The step a file's time fields imply: P1D for a day, P1M for a month, P1Y for a year."""
    if any(k in fields for k in ("date", "day", "doy")):
        return "P1D"
    if "month" in fields:
        return "P1M"
    if "year" in fields:
        return "P1Y"
    return None


def member_interval(
    fields: Mapping[str, FieldValue], resolution: str | None
) -> tuple[dt.datetime, dt.datetime] | None:
    """[start, end] a series member covers: 2017 with P1Y is 2017-01-01 .. 2017-12-31T23:59:59."""
    start = member_start(fields)
    step = resolution or natural_resolution(fields)
    if start is None or step is None:
        return None
    return (start, Duration.parse(step).after(start) - ONE_SECOND)
