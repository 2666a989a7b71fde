"""Checks across the files of one product whose files form a series (named by time fields):
complete series, one grid, no outliers."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tpqc.schemas.patterns import compile_pattern
from tpqc.schemas.spec import Product, Spec
from tpqc.validators.dataset.members import (
    TIME_FIELDS,
    Member,
    SeriesTime,
    coverage_of,
    expected_members,
    fill_pattern,
)
from tpqc.validators.dataset.rows import SeriesRuleFailures
from tpqc.validators.dataset.temporal import member_interval
from tpqc.validators.findings import Issue, Location, Severity
from tpqc.validators.registry import Explains, Scope, check

ROBUST_Z_LIMIT = 3.5
MIN_SERIES_FOR_OUTLIERS = 4


@dataclass(frozen=True)
class SeriesContext:
    """The members of one product, what the pandera series rules found, and the spec."""

    spec: Spec
    product: Product
    members: Sequence[Member]
    """In series order: by series (non-time fields), time step, matched names first, path."""
    failures: SeriesRuleFailures
    rows: Mapping[str, Mapping[str, Any]]
    time: SeriesTime
    """How long a member lasts: declared, implied by the names, used."""


SERIES = Scope[SeriesContext]("series")
"""Checks across the members of one product whose files form a series."""


def _series(
    members: Sequence[Member],
) -> Iterator[tuple[tuple[tuple[str, str], ...], list[Member]]]:
    """Each series of the product (a group of its non-time fields) with its members, in
    the groups' order, one series at a time (the members come in series order)."""
    return ((group, list(run)) for group, run in itertools.groupby(members, key=_group_of))


def _group_of(member: Member) -> tuple[tuple[str, str], ...]:
    return member.group


def _where(ctx: SeriesContext) -> Location:
    return Location(field=f"{ctx.spec.section_of(ctx.product.name)}.{ctx.product.name}")


@dataclass(frozen=True)
class MissingMember:
    """A member the coverage implies that has no file: its key, the field values of its
    series and time, and the span it would stand for."""

    key: str
    group: tuple[tuple[str, str], ...]
    values: Mapping[str, int]
    interval: tuple[dt.datetime, dt.datetime] | None


def missing_members(ctx: SeriesContext) -> list[MissingMember]:
    """Every member the product's coverage and rules imply that no file stands for, in each
    series (a group of the non-time fields) of the product."""
    time_fields = {f for f in compile_pattern(ctx.product.pattern).fields if f in TIME_FIELDS}
    expected = list(expected_members(ctx.spec, ctx.product, time_fields, ctx.time.effective))
    missing: list[MissingMember] = []
    for group, members in _series(ctx.members) if ctx.members else [((), [])]:
        present = {m.key for m in members}
        missing += [
            MissingMember(key, group, values, member_interval(values, ctx.time.effective))
            for key, values in expected
            if key not in present
        ]
    return missing


@check("D001", "series-incomplete", scope=SERIES)
def series_incomplete(ctx: SeriesContext) -> Iterator[Issue]:
    """A member the declared temporal coverage and resolution imply has no file (one finding
    a member: the time axes inside the other files do not report it again)."""
    for member in missing_members(ctx):
        name = fill_pattern(ctx.product.pattern, {**dict(member.group), **member.values})
        label = f" of {', '.join(f'{k}={v}' for k, v in member.group)}" if member.group else ""
        yield Issue(
            f"series member {member.key}{label} is missing",
            _where(ctx),
            expected=name,
            actual=None,
            details={"member": member.key, "file": name},
        )


@check("D002", "series-duplicate", scope=SERIES, explains=("F001",))
def series_duplicate(ctx: SeriesContext) -> Iterator[Issue]:
    """Two files stand for the same member (e.g. .tif and .TIF, or two spellings)."""
    flagged = set(ctx.failures.duplicates)
    by_key: dict[tuple[Any, ...], list[Member]] = {}
    for member in ctx.members:
        if member.path in flagged:
            by_key.setdefault((member.group, member.key), []).append(member)
    for (_, key), members in sorted(by_key.items()):
        keep, *others = members  # matched names sort first, then by path
        for other in others:
            yield Issue(
                f"a second file for member {key}",
                Location(path=other.path),
                expected=keep.path,
                actual=other.path,
                details={"member": key},
            )


@check(
    "D003",
    "series-outside-coverage",
    scope=SERIES,
    explains=(Explains("F002", when=lambda _, field: field.location.field in TIME_FIELDS),),
)
def series_outside_coverage(ctx: SeriesContext) -> Iterator[Issue]:
    """A member lies entirely outside the declared temporal coverage (a 2021 file in
    2017-2020): the product's own, else the dataset's."""
    coverage = coverage_of(ctx.spec, ctx.product)
    if coverage.start is None or coverage.end is None:
        return
    where = (
        f"{ctx.spec.section_of(ctx.product.name)}.{ctx.product.name}.temporal"
        if ctx.product.temporal is not None
        else "dataset.temporal"
    )
    for member in ctx.members:
        if member.start > coverage.end or member.end < coverage.start:
            yield Issue(
                f"member {member.key} is outside the declared temporal coverage",
                Location(path=member.path, field=where),
                expected=[_iso(coverage.start), _iso(coverage.end)],
                actual=[_iso(member.start), _iso(member.end)],
            )


def _iso(moment: Any) -> str:
    return str(moment.isoformat()).replace("+00:00", "Z")


@check("D004", "grid-inconsistent", scope=SERIES)
def grid_inconsistent(ctx: SeriesContext) -> Iterator[Issue]:
    """A file of the series differs from the others in CRS, geotransform, shape, bands, dtype
    or nodata; the finding names the value most files share."""
    if not ctx.failures.grid:
        return
    names = {m.path for m in ctx.members}
    for deviation in ctx.failures.grid:
        if deviation.path not in names:
            continue
        yield Issue(
            f"{deviation.column} differs from the other files of the series",
            Location(path=deviation.path, field=deviation.column),
            expected=deviation.common,
            actual=deviation.value,
        )


def robust_z(values: Sequence[float], floor: float) -> list[float]:
    """Robust z-scores: 0.6745 (x - median) / MAD, the MAD floored to avoid dividing by ~0."""
    centre = statistics.median(values)
    mad = statistics.median(abs(v - centre) for v in values)
    scale = max(mad, floor)
    return [0.6745 * (v - centre) / scale for v in values]


@check("D005", "series-outlier", Severity.WARNING, scope=SERIES)
def series_outlier(ctx: SeriesContext) -> Iterator[Issue]:
    """A member's valid-pixel mean or valid fraction departs strongly from the rest of the
    series (robust z-score over 3.5): a unit change or a processing error in one year."""
    for _, members in _series(ctx.members):
        rows = [(m, ctx.rows.get(m.path, {})) for m in members if m.matched]
        for column, floor_of in (("valid_mean", 0.01), ("valid_fraction", 0.0)):
            points = [(m, row.get(column)) for m, row in rows]
            usable = [(m, float(v)) for m, v in points if isinstance(v, int | float)]
            if len(usable) < MIN_SERIES_FOR_OUTLIERS:
                continue
            values = [v for _, v in usable]
            centre = statistics.median(values)
            floor = max(abs(centre) * floor_of, 0.01 if column == "valid_fraction" else 1e-9)
            for (member, value), z in zip(usable, robust_z(values, floor), strict=True):
                if abs(z) > ROBUST_Z_LIMIT:
                    yield Issue(
                        f"{column} of member {member.key} departs from the series",
                        Location(path=member.path, band=1),
                        expected=f"about {centre:.6g} (series median)",
                        actual=value,
                        details={"robust_z": round(z, 2), "metric": column},
                    )


@check("D006", "temporal-resolution-contradiction", scope=SERIES)
def temporal_resolution_contradiction(ctx: SeriesContext) -> Iterator[Issue]:
    """The declared temporal resolution contradicts the file names (P1Y on monthly files,
    whose intervals would overlap; P1D on files named by year); the names' own step is used
    for the series checks and the catalog instead."""
    if ctx.time.contradiction is not None:
        yield Issue(
            f"temporal resolution {ctx.time.declared} contradicts the file names: "
            f"{ctx.time.contradiction}",
            Location(field="dataset.temporal.resolution"),
            expected=ctx.time.natural,
            actual=ctx.time.declared,
            hint=f"declare resolution: {ctx.time.natural} (what the names' time fields say)",
            details={"product": ctx.product.name, "spacing": ctx.time.spacing},
        )
