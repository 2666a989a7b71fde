"""Cross-file checks: series members, the inventory table, series rules and metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tpqc.schemas.spec import Spec
from tpqc.validators.findings import Finding
from tpqc.validators.inventory import Inventory
from tpqc.validators.inventory_frame import inventory_rows, series_rule_failures
from tpqc.validators.members import TIME_FIELDS, collect_members
from tpqc.validators.metadata import DATASET, ONLINE, DatasetContext
from tpqc.validators.registry import Selection, run_scope
from tpqc.validators.series import SERIES, SeriesContext
from tpqc.validators.summary import FileSummary
from tpqc.validators.time_axis import TIME_AXIS, AxisFile, TimeAxisContext

# Codes of findings that explain others (a sharper finding is reported, the other dropped).
FILENAME_MISMATCH, FIELD_OUT_OF_RANGE = "F001", "F002"
EXTENT_MISMATCH = "R008"
SERIES_DUPLICATE, SERIES_OUTSIDE_COVERAGE = "D002", "D003"


@dataclass(frozen=True)
class DatasetResult:
    """Dataset-level findings and the inventory table behind them."""

    findings: list[Finding]
    rows: list[dict[str, Any]]
    intervals: dict[str, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)
    """The interval each matched series member stands for (what the catalog publishes)."""


def dataset_findings(
    spec: Spec,
    inventory: Inventory,
    summaries: Mapping[str, FileSummary],
    file_findings: Sequence[Finding],
    selection: Selection,
    online: bool = False,
) -> DatasetResult:
    """Run the series and metadata checks over the files' summaries (one per matched file);
    returns their findings and the inventory rows."""
    members, times = collect_members(spec, inventory)
    paths = [e.path for e in inventory.entries] + [u.path for u in inventory.unmatched]
    rows = inventory_rows(members, summaries, paths)
    failures = series_rule_failures(rows)
    explained: dict[str, set[str]] = {}
    for finding in file_findings:
        if finding.location.path is not None:
            explained.setdefault(finding.location.path, set()).add(finding.code)
    frozen = {path: frozenset(names) for path, names in explained.items()}
    by_path = {str(r["path"]): r for r in rows}
    findings: list[Finding] = []
    for product in spec.rasters:
        context = SeriesContext(
            spec,
            product,
            [m for m in members if m.product == product.name],
            failures,
            by_path,
            frozen,
            times[product.name],
        )
        findings += run_scope(SERIES, context, selection)
        axes = tuple(
            AxisFile(e.path, summaries[e.path].times, summaries[e.path].time_seconds)
            for e in inventory.for_product(product.name)
            if summaries[e.path].time_seconds
        )
        if axes:
            findings += run_scope(TIME_AXIS, TimeAxisContext(product, axes), selection)
    ordered = [summaries[e.path] for e in inventory.entries]
    grids = [s for s in ordered if s.grid is not None]
    # Files already outside the declared extent (extent-mismatch) would only distort the union.
    boxes = [
        s.wgs84_box
        for s in grids
        if s.wgs84_box is not None and EXTENT_MISMATCH not in frozen.get(s.path, frozenset())
    ]
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
        import tpqc.validators.doi_online  # noqa: F401  (registers the online checks)

        findings += run_scope(ONLINE, context_m, selection)
    intervals = {m.path: (m.start, m.end) for m in members if m.matched}
    return DatasetResult(findings, rows, intervals)


def without_explained(
    file_findings: Sequence[Finding], dataset: Sequence[Finding]
) -> list[Finding]:
    """Drop file findings a sharper dataset finding already states: a near-miss name that is a
    duplicate member (series-duplicate, not filename-mismatch), and a time field outside its
    bounds when the member lies outside the temporal coverage (series-outside-coverage)."""
    duplicates = {f.location.path for f in dataset if f.code == SERIES_DUPLICATE}
    outside = {f.location.path for f in dataset if f.code == SERIES_OUTSIDE_COVERAGE}
    kept = []
    for finding in file_findings:
        path = finding.location.path
        if finding.code == FILENAME_MISMATCH and path in duplicates:
            continue
        if (
            finding.code == FIELD_OUT_OF_RANGE
            and path in outside
            and (finding.location.field in TIME_FIELDS)
        ):
            continue
        kept.append(finding)
    return kept
