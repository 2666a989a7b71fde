"""Cross-file checks: series members, the inventory table, series rules and metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from tpqc.schemas.spec import Spec
from tpqc.validators.dataset.members import Member, collect_members
from tpqc.validators.dataset.metadata import DATASET, ONLINE, DatasetContext
from tpqc.validators.dataset.rows import inventory_rows, series_rule_failures
from tpqc.validators.dataset.series import SERIES, SeriesContext, missing_members
from tpqc.validators.dataset.summary import FileSummary
from tpqc.validators.dataset.time_axis import TIME_AXIS, AxisFile, TimeAxisContext
from tpqc.validators.findings import Finding
from tpqc.validators.inventory import Inventory
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


def dataset_findings(
    spec: Spec,
    inventory: Inventory,
    summaries: Mapping[str, FileSummary],
    file_findings: Sequence[Finding],
    selection: Selection,
    series: Collection[str],
    online: bool = False,
) -> DatasetResult:
    """Run the series checks over the products named in ``series`` (those whose files form
    series) and the metadata checks over the files' summaries (one per matched file);
    returns their findings and the series members (the inventory rows are made again
    when a report is rendered: :func:`~tpqc.validators.dataset.rows.rows_on_read`)."""
    members, times = collect_members(spec, inventory, series)
    paths = [e.path for e in inventory.entries] + [u.path for u in inventory.unmatched]
    rows = inventory_rows(members, summaries, paths)
    failures = series_rule_failures(rows)
    # Files already outside the declared extent (extent-mismatch) would only distort the union.
    outside = {f.location.path for f in file_findings if f.code == EXTENT_MISMATCH}
    by_path = {str(r["path"]): r for r in rows}
    findings: list[Finding] = []
    for product in (p for p in spec.products if p.name in series):
        context = SeriesContext(
            spec,
            product,
            [m for m in members if m.product == product.name],
            failures,
            by_path,
            times[product.name],
        )
        findings += run_scope(SERIES, context, selection)
        absent = tuple(
            (_seconds(m.interval[0]), _seconds(m.interval[1]))
            for m in missing_members(context)
            if m.interval is not None
        )
        axes = tuple(
            AxisFile(e.path, summaries[e.path].times, summaries[e.path].time_seconds)
            for e in inventory.for_product(product.name)
            if summaries[e.path].time_seconds
        )
        if axes:
            step = getattr(product, "time_step", None)  # declared by products with time axes
            context_t = TimeAxisContext(product.name, step, axes, absent)
            findings += run_scope(TIME_AXIS, context_t, selection)
    ordered = [summaries[e.path] for e in inventory.entries]
    grids = [s for s in ordered if s.grid is not None]
    boxes = [s.wgs84_box for s in grids if s.wgs84_box is not None and s.path not in outside]
    context_m = DatasetContext(
        spec,
        members,
        [s.grid for s in grids if s.grid is not None],
        boxes,
        [s.span for s in ordered if s.span is not None],
        [s.size_bytes or 0 for s in grids],
    )
    findings += run_scope(DATASET, context_m, selection)
    if online:
        import tpqc.validators.dataset.doi_online  # noqa: F401  (registers the online checks)

        findings += run_scope(ONLINE, context_m, selection)
    return DatasetResult(findings, {m.path: m for m in members})
