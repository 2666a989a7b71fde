"""Cross-file checks: series members, the inventory table, series rules and metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from tpqc.schemas.spec import Spec
from tpqc.validators.dataset.members import Member, collect_members
from tpqc.validators.dataset.metadata import DATASET, ONLINE, DatasetContext
from tpqc.validators.dataset.rows import series_rule_failures
from tpqc.validators.dataset.series import SERIES, SeriesContext, missing_members
from tpqc.validators.dataset.series_table import SeriesTable
from tpqc.validators.dataset.summary import Box, FileSummary
from tpqc.validators.dataset.time_axis import TIME_AXIS, AxisFile, TimeAxisContext
from tpqc.validators.findings import Finding
from tpqc.validators.grid.geo import Georeferenced, GridPlacement, placement_of
from tpqc.validators.inventory import Inventory, InventoryEntry
from tpqc.validators.registry import Selection, run_scope

EXTENT_MISMATCH = "R008"


class MemberIntervals(Mapping[str, tuple[dt.datetime, dt.datetime]]):
    """The interval each matched series member stands for (what the catalog publishes),
    read from the members themselves rather than copied."""

    def __init__(self, members: Mapping[str, Member]) -> None:
        self._members = members

    def __getitem__(self, path: str) -> tuple[dt.datetime, dt.datetime]:
        member = self._members[path]
        if not member.matched:
            raise KeyError(path)
        return (member.start, member.end)

    def __iter__(self) -> Iterator[str]:
        return (path for path, member in self._members.items() if member.matched)

    def __len__(self) -> int:
        return sum(1 for member in self._members.values() if member.matched)


@dataclass(frozen=True)
class DatasetResult:
    """Dataset-level findings and the series members behind them."""

    findings: list[Finding]
    members: Mapping[str, Member] = field(default_factory=dict)
    """Every series member (near-miss names included) by path: the inventory rows' series
    columns."""

    @property
    def intervals(self) -> Mapping[str, tuple[dt.datetime, dt.datetime]]:
        """The interval each matched series member stands for (what the catalog publishes)."""
        return MemberIntervals(self.members)


def _seconds(moment: dt.datetime) -> float:
    """Seconds since 1970-01-01 on the proleptic clock (as time axes count them)."""
    return (moment.replace(tzinfo=None) - dt.datetime(1970, 1, 1)).total_seconds()


class SummaryFold:
    """What the dataset checks keep of the files' summaries, folded in one file at a time
    as the files are judged (a million files' summaries are never held at once): each
    series member's slim row (its key, grid and outlier columns), the distinct grids, the
    union of the footprints, the gridded files' total size, the tables' spans and the time
    axes inside the files."""

    def __init__(self, spec: Spec, inventory: Inventory, series: Collection[str]) -> None:
        """``series``: the products whose files form series."""
        self.spec, self.series = spec, series
        columns, self.times = collect_members(spec, inventory, series)
        self.table = SeriesTable(columns)
        """Every member by path (the one index of them), with its slim row's columns once
        its file's summary comes (a near miss's: none)."""
        del columns  # the table holds what it needs of them
        self.members = self.table.in_series_order
        self.grids: dict[GridPlacement, Georeferenced] = {}
        """One grid of each distinct placement (CRS, transform, shape), first seen first."""
        self.union: Box | None = None
        self.total_size = 0
        self.spans: list[tuple[dt.datetime, dt.datetime]] = []
        self.axes: dict[str, list[AxisFile]] = {}

    def add(self, entry: InventoryEntry, summary: FileSummary, found: Sequence[Finding]) -> None:
        """Fold in one matched file's summary; ``found``: the file's own findings (a file
        already outside the declared extent would only distort the union)."""
        index = self.table.index_of(entry.path)
        if index is not None:
            self.table.set_columns(index, summary.columns)
        if summary.grid is not None:
            self.grids.setdefault(placement_of(summary.grid), summary.grid)
            self.total_size += summary.size_bytes or 0
            outside = any(
                f.code == EXTENT_MISMATCH and f.location.path == entry.path for f in found
            )
            if summary.wgs84_box is not None and not outside:
                self.union = _widened(self.union, summary.wgs84_box)
        if summary.span is not None:
            self.spans.append(summary.span)
        if summary.time_seconds:
            axis = AxisFile(entry.path, summary.times, summary.time_seconds)
            self.axes.setdefault(entry.product, []).append(axis)


def _widened(union: Box | None, box: Box) -> Box:
    """The union of the footprints so far and one more, with the largest pixel size."""
    if union is None:
        return box
    return (
        min(union[0], box[0]),
        min(union[1], box[1]),
        max(union[2], box[2]),
        max(union[3], box[3]),
        max(union[4], box[4]),
        max(union[5], box[5]),
    )


def dataset_findings(
    fold: SummaryFold, selection: Selection, online: bool = False
) -> DatasetResult:
    """Run the series checks over the products whose files form series and the metadata
    checks over the folded summaries (one per matched file); returns their findings and the
    series members (the inventory rows are made again when a report is rendered:
    :func:`~tpqc.validators.dataset.rows.rows_on_read`)."""
    spec, members, table = fold.spec, fold.members, fold.table
    failures = series_rule_failures(table.rows)
    findings: list[Finding] = []
    for product in (p for p in spec.products if p.name in fold.series):
        context = SeriesContext(
            spec,
            product,
            table.members_of(product.name),
            failures,
            table.rows_by_path,
            fold.times[product.name],
        )
        findings += run_scope(SERIES, context, selection)
        absent = tuple(
            (_seconds(m.interval[0]), _seconds(m.interval[1]))
            for m in missing_members(context)
            if m.interval is not None
        )
        axes = tuple(fold.axes.get(product.name, ()))
        if axes:
            step = getattr(product, "time_step", None)  # declared by products with time axes
            context_t = TimeAxisContext(product.name, step, axes, absent)
            findings += run_scope(TIME_AXIS, context_t, selection)
    context_m = DatasetContext(
        spec, members, list(fold.grids.values()), fold.union, fold.spans, fold.total_size
    )
    findings += run_scope(DATASET, context_m, selection)
    if online:
        import tpqc.validators.dataset.doi_online  # noqa: F401  (registers the online checks)

        findings += run_scope(ONLINE, context_m, selection)
    return DatasetResult(findings, table)
