"""Series members: which time step each file stands for, and which steps the spec expects."""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from tpqc.schemas.patterns import FieldValue
from tpqc.schemas.spec import Product, Spec
from tpqc.validators.dataset.member_columns import MemberColumns
from tpqc.validators.dataset.temporal import (
    Duration,
    member_interval,
    member_start,
    natural_resolution,
)
from tpqc.validators.inventory import Inventory

TIME_FIELDS = ("year", "month", "day", "date", "doy")


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True)
class SeriesTime:
    """How long one member of a product's series lasts: declared, implied by the names'
    time fields, and the length used. A declaration the names contradict (P1Y on monthly
    files, whose intervals would overlap; P1D on files named by year) is not used."""

    product: str
    declared: str | None
    natural: str | None
    effective: str | None
    contradiction: str | None = None
    spacing: str | None = None
    """The smallest distance between consecutive members, when it explains a contradiction."""


_NOMINAL_DAYS = {"Y": 365.2425, "M": 30.436875, "W": 7.0, "D": 1.0}


def _nominal(duration: Duration) -> dt.timedelta:
    return dt.timedelta(days=duration.months * _NOMINAL_DAYS["M"]) + duration.span


@dataclass(frozen=True)
class Coverage:
    """The span a product's series covers and the member length declared for it: the
    product's own ``temporal`` where it gives them, else the dataset's."""

    start: dt.datetime | None
    end: dt.datetime | None
    resolution: str | None


def coverage_of(spec: Spec, product: Product) -> Coverage:
    """A product's coverage: its own declaration, else the dataset's (whose member length
    then applies only when the product declares no coverage of its own)."""
    own, dataset = product.temporal, spec.dataset.temporal
    start = (own.start if own else None) or (dataset.start if dataset else None)
    end = (own.end if own else None) or (dataset.end if dataset else None)
    if own is not None:
        return Coverage(start, end, own.resolution)
    return Coverage(start, end, dataset.resolution if dataset else None)


def series_time(
    spec: Spec, product: Product, fields: Iterable[Mapping[str, FieldValue]]
) -> SeriesTime:
    """The member length of one product from its files' time fields (each file's once, in
    one pass: a million files' fields are never held) and the declaration."""
    declared = coverage_of(spec, product).resolution
    remaining = iter(fields)
    first = next(remaining, None)
    natural = natural_resolution(first) if first is not None else None
    name = product.name
    if declared is None or natural is None:
        return SeriesTime(name, declared, natural, declared or natural)
    step, finest = Duration.parse(declared), Duration.parse(natural)
    if _nominal(step) < _nominal(finest) * 0.99:
        return SeriesTime(
            name,
            declared,
            natural,
            natural,
            f"files named down to the {_UNIT_NAMES.get(natural, natural)} cannot each stand "
            f"for {declared}",
        )
    assert first is not None  # natural comes from it
    closest = _closest_overlap(itertools.chain([first], remaining), step)
    if closest is not None:
        return SeriesTime(
            name,
            declared,
            natural,
            natural,
            f"members {_describe_gap(closest)} apart cannot each last {declared}: their "
            "intervals would overlap",
            _describe_gap(closest),
        )
    return SeriesTime(name, declared, natural, declared)


def _closest_overlap(
    fields: Iterable[Mapping[str, FieldValue]], step: Duration
) -> dt.timedelta | None:
    """The smallest distance between consecutive starts of one series (the files sharing
    their non-time fields) that is shorter than ``step``, or None. Each distinct start and
    series is made once and each file is a pair of numbers in two arrays (a million files'
    sets of starts were about 100 MB)."""
    import numpy as np

    number_of_when: dict[tuple[tuple[str, FieldValue], ...], int] = {}
    number_of_start: dict[dt.datetime, int] = {}
    number_of_group: dict[tuple[tuple[str, str], ...], int] = {}
    groups, starts = array("q"), array("q")
    for values in fields:
        # the start depends only on the time fields
        when = tuple((k, values[k]) for k in TIME_FIELDS if k in values)
        number = number_of_when.get(when)
        if number is None:
            start = member_start(values)
            number = (
                -1 if start is None else number_of_start.setdefault(start, len(number_of_start))
            )
            number_of_when[when] = number
        if number < 0:
            continue
        group = tuple(sorted((k, str(v)) for k, v in values.items() if k not in TIME_FIELDS))
        groups.append(number_of_group.setdefault(group, len(number_of_group)))
        starts.append(number)
    if not starts:
        return None
    in_time_order = sorted(number_of_start)
    rank = np.empty(len(in_time_order), dtype=np.int64)
    rank[[number_of_start[start] for start in in_time_order]] = np.arange(len(in_time_order))
    # (series, start's rank) once each, sorted: each series' starts in time order
    pairs = np.unique(
        (np.frombuffer(groups, dtype=np.int64) << 32) | rank[np.frombuffer(starts, dtype=np.int64)]
    )
    low = (1 << 32) - 1
    same_series = (pairs[1:] >> 32) == (pairs[:-1] >> 32)
    neighbours = np.unique(((pairs[:-1][same_series] & low) << 32) | (pairs[1:][same_series] & low))
    closest: dt.timedelta | None = None
    for code in neighbours.tolist():
        earlier, later = in_time_order[code >> 32], in_time_order[code & low]
        if step.after(earlier) > later:
            gap = later - earlier
            closest = gap if closest is None else min(closest, gap)
    return closest


_UNIT_NAMES = {"P1D": "day", "P1M": "month", "P1Y": "year"}


def _describe_gap(gap: dt.timedelta) -> str:
    days = gap.total_seconds() / 86400
    if days >= 365:
        return f"{days / 365.2425:.3g} years"
    if days >= 28:
        return f"{days / 30.436875:.3g} months"
    return f"{days:.3g} days"


def collect_members(
    spec: Spec, inventory: Inventory, series: Collection[str]
) -> tuple[MemberColumns, dict[str, SeriesTime]]:
    """Members of every series (matched files, then near-miss names meant for a product) of
    the products named in ``series``, in columns (the series table sorts them), and how
    long a member of each product lasts."""
    rasters = set(series)

    def candidates() -> Iterator[tuple[str, str, Mapping[str, FieldValue], bool]]:
        for e in inventory.entries:
            if e.product in rasters:
                yield e.path, e.product, e.fields, True
        for u in inventory.unmatched:
            if u.product is not None and u.product in rasters:
                yield u.path, u.product, u.fields, False

    times = {
        name: series_time(
            spec,
            spec.product_named(name),
            (f for _, p, f, _ in candidates() if p == name and member_key(f)),
        )
        for name in sorted(rasters)
    }
    columns = MemberColumns()
    # Members of a big archive repeat their series and time steps (a million tiles of a
    # few series, a few hundred days): each is numbered once.
    moments: dict[tuple[object, ...], int | None] = {}
    for path, product, fields, matched in candidates():
        effective = times[product].effective
        # key and interval depend only on the time fields and the member length
        when = (effective, *((k, fields[k]) for k in TIME_FIELDS if k in fields))
        if when not in moments:
            key = member_key(fields)
            interval = member_interval(fields, effective) if key else None
            moments[when] = (
                columns.moment_number(key, *interval)
                if key is not None and interval is not None
                else None
            )
        moment = moments[when]
        if moment is None:
            continue
        group = tuple(sorted((k, str(v)) for k, v in fields.items() if k not in TIME_FIELDS))
        columns.add(path, columns.series_number(product, group), moment, matched)
    return columns, times


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


MAX_EXPECTED_MEMBERS = 100_000
"""A coverage implying more members than this is not enumerated further."""


def expected_members(
    spec: Spec, product: Product, time_fields: set[str], resolution: str | None
) -> Iterator[tuple[str, dict[str, int]]]:
    """(key, time field values) of every member the product's coverage implies, one every
    ``resolution`` (else every natural step of the time fields), keeping only those whose
    values the product's field rules admit (``year: {in: [2015, 2020]}`` expects two
    members, whatever the dataset's coverage)."""
    coverage = coverage_of(spec, product)
    if not time_fields or coverage.start is None or coverage.end is None:
        return
    step_text = resolution or natural_resolution(dict.fromkeys(time_fields, 1))
    if step_text is None:
        return
    step = Duration.parse(step_text)
    if step.months == 0 and step.span <= dt.timedelta(0):
        return
    rules = {name: rule for name, rule in product.fields.items() if name in time_fields}
    moment, seen, steps = coverage.start, set[str](), 0
    while moment <= coverage.end and steps < MAX_EXPECTED_MEMBERS:
        values = _fields_at(moment, time_fields)
        key = member_key(values)
        if (
            key is not None
            and key not in seen
            and all(rule.admits(values[name]) for name, rule in rules.items())
        ):
            seen.add(key)
            yield key, values
        moment, steps = step.after(moment), steps + 1


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
