"""Series members: which time step each file stands for, and which steps the spec expects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tpqc.schemas.patterns import FieldValue
from tpqc.schemas.spec import RasterProduct, Spec
from tpqc.validators.inventory import Inventory
from tpqc.validators.temporal import Duration, member_interval, natural_resolution

TIME_FIELDS = ("year", "month", "day", "date", "doy")


@dataclass(frozen=True)
class Member:
    """One file as a member of its product's series (near-miss names included)."""

    path: str
    product: str
    group: tuple[tuple[str, str], ...]
    key: str
    start: dt.datetime
    end: dt.datetime
    matched: bool

    @property
    def series(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The series the member belongs to: its product and its non-time fields."""
        return (self.product, self.group)


def member_key(fields: Mapping[str, FieldValue]) -> str | None:
    """``2018``, ``2018-02``, ``2018-02-14`` or ``2018-045`` from a file's time fields."""

    def number(name: str) -> int | None:
        value = fields.get(name)
        return value if isinstance(value, int) else None

    date, year = number("date"), number("year")
    if date is not None:
        return f"{date // 10000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"
    if year is None:
        return None
    if number("doy") is not None:
        return f"{year:04d}-{number('doy'):03d}"
    month, day = number("month"), number("day")
    if month is not None and day is not None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if month is not None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def _resolution(spec: Spec, fields: Mapping[str, FieldValue]) -> str | None:
    temporal = spec.dataset.temporal
    return temporal.resolution if temporal and temporal.resolution else natural_resolution(fields)


def collect_members(spec: Spec, inventory: Inventory) -> list[Member]:
    """Members of every series: matched files, then near-miss names meant for a product."""
    rasters = {p.name for p in spec.rasters}
    candidates: list[tuple[str, str | None, Mapping[str, FieldValue], bool]] = [
        (e.path, e.product, e.fields, True) for e in inventory.entries if e.product in rasters
    ]
    candidates += [
        (u.path, u.product, u.fields, False) for u in inventory.unmatched if u.product in rasters
    ]
    members = []
    for path, product, fields, matched in candidates:
        key = member_key(fields)
        interval = member_interval(fields, _resolution(spec, fields)) if key else None
        if key is None or interval is None:
            continue
        group = tuple(sorted((k, str(v)) for k, v in fields.items() if k not in TIME_FIELDS))
        members.append(Member(path, str(product), group, key, interval[0], interval[1], matched))
    return sorted(members, key=lambda m: (m.product, m.group, m.key, not m.matched, m.path))


def _fields_at(moment: dt.datetime, time_fields: set[str]) -> dict[str, int]:
    values: dict[str, int] = {}
    if "date" in time_fields:
        values["date"] = moment.year * 10000 + moment.month * 100 + moment.day
    if "year" in time_fields:
        values["year"] = moment.year
    if "month" in time_fields:
        values["month"] = moment.month
    if "day" in time_fields:
        values["day"] = moment.day
    if "doy" in time_fields:
        values["doy"] = moment.timetuple().tm_yday
    return values


def expected_members(
    spec: Spec, product: RasterProduct, time_fields: set[str]
) -> Iterator[tuple[str, dict[str, int]]]:
    """(key, time field values) of every member the declared temporal coverage implies."""
    temporal = spec.dataset.temporal
    if not time_fields or temporal is None or temporal.start is None or temporal.end is None:
        return
    probe = dict.fromkeys(time_fields, 1)
    step_text = _resolution(spec, probe)
    if step_text is None:
        return
    step = Duration.parse(step_text)
    if step.months == 0 and step.span <= dt.timedelta(0):
        return
    moment, seen = temporal.start, set[str]()
    while moment <= temporal.end and len(seen) < 100_000:
        values = _fields_at(moment, time_fields)
        key = member_key(values)
        if key is not None and key not in seen:
            seen.add(key)
            yield key, values
        moment = step.after(moment)


def fill_pattern(pattern: str, values: Mapping[str, object]) -> str:
    """The file name a pattern gives for field values (time fields zero-padded)."""
    widths = {"year": 4, "month": 2, "day": 2, "date": 8, "doy": 3}
    out = pattern
    for name, value in values.items():
        text = (
            f"{value:0{widths[name]}d}" if name in widths and isinstance(value, int) else str(value)
        )
        out = out.replace("{" + name + "}", text)
    return out
