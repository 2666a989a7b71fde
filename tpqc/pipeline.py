"""spec → inventory → facts (one read per file) → findings → report → catalog.

Every kind of file goes through the same steps; what differs per kind (how it is read,
which checks look at it, what the report and the catalog say) comes from the kind table
(:mod:`tpqc.validators.kinds`)."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpqc.errors import UsageError
from tpqc.schemas.spec import Spec
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.engine.facts_store import FactsStore
from tpqc.validators.engine.outputs import OutputGuard
from tpqc.validators.engine.parallel import (
    FactsJob,
    default_jobs,
    gather_facts_into,
    local_size,
)
from tpqc.validators.findings import FileEntries, Finding, Report, Severity
from tpqc.validators.inventory import Inventory, InventoryEntry, build_inventory
from tpqc.validators.kinds import DataFile, FileKind, ReadOptions, registered_kinds
from tpqc.validators.kinds.base import (
    DEFAULT_MAX_BANDS,
    DEFAULT_MAX_PIXELS,
    DEFAULT_MAX_RATIO,
    DEFAULT_MAX_SHEET_BYTES,
    DEFAULT_MAX_TABLE_ROWS,
)
from tpqc.validators.registry import Selection

if TYPE_CHECKING:
    from tpqc.stac.items import LeftOut, PublishedItems
    from tpqc.stac.records import DatasetRecord
    from tpqc.validators.dataset.members import Member
    from tpqc.validators.render.pictures import ReportPictures

log = logging.getLogger("tpqc")


@dataclass(frozen=True)
class ValidateOptions:
    """How to run a validation: parallelism, check selection, failure threshold, limits."""

    jobs: int = field(default_factory=default_jobs)
    selection: Selection = field(default_factory=Selection)
    fail_on: Severity = Severity.ERROR
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_ratio: float = DEFAULT_MAX_RATIO
    max_bands: int = DEFAULT_MAX_BANDS
    max_table_rows: int = DEFAULT_MAX_TABLE_ROWS
    max_sheet_bytes: int = DEFAULT_MAX_SHEET_BYTES
    max_examples: int = 5
    online: bool = False
    cache_dir: Path | None = None
    """Facts cache folder; None: no cache."""
    cache_by_content: bool = False
    """Key the cache by each file's content hash rather than its identity on disk."""
    scheduler: str | None = None
    """Dask scheduler address or local:N; None: local processes."""
    progress: bool = False
    follow_symlinks: bool = False
    """Validate what symlinks leaving the data root point to."""
    pictures: bool = False
    """Also take quicklooks and column sketches (for the HTML report and thumbnails)."""
    today: dt.date | None = None
    """The day waiver expiry is judged on; None: today (UTC)."""

    def read_options(self, coverage: tuple[dt.datetime, dt.datetime] | None = None) -> ReadOptions:
        """What every read of the run shares, with the declared coverage (tables)."""
        return ReadOptions(
            max_examples=self.max_examples,
            max_pixels=self.max_pixels,
            max_ratio=self.max_ratio,
            max_bands=self.max_bands,
            max_table_rows=self.max_table_rows,
            max_sheet_bytes=self.max_sheet_bytes,
            coverage=coverage,
            pictures=self.pictures,
        )


@dataclass(frozen=True)
class ValidationResult:
    """The report plus the facts behind it, for consumers such as the STAC builder."""

    spec: Spec
    inventory: Inventory
    facts: Mapping[str, FileFacts]
    """Every matched file's facts by path."""
    report: Report
    intervals: Mapping[str, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)
    """The span each series member stands for, as the series checks saw it."""
    kinds: Mapping[str, FileKind] | None = None
    """The file kinds the run judged with; None: the run took no pictures."""

    @functools.cached_property
    def pictures(self) -> ReportPictures | None:
        """What the HTML report draws, when the run took pictures: drawn when first asked
        for (a catalog's thumbnails need none of it; footprints of 100,000 files would be
        hundreds of megabytes)."""
        if self.kinds is None:
            return None
        return _pictures(self.spec, self.inventory, self.facts, self.kinds)


@dataclass(frozen=True)
class GatheredFacts:
    """Facts gathered elsewhere (by shards): the inventory they cover, every matched file's
    facts, and the options they were read and are judged with."""

    inventory: Inventory
    facts: Mapping[str, FileFacts]
    options: ValidateOptions


@dataclass(frozen=True)
class RunPlan:
    """What a run will read: the inventory, and one read job per matched file."""

    spec: Spec
    inventory: Inventory
    jobs: tuple[FactsJob, ...]


def output_guard(
    spec: Spec | None,
    kinds: Mapping[str, FileKind] | None = None,
    *,
    data_root: Path | None = None,
    allow_in_data: bool = False,
    may_replace: bool = False,
) -> OutputGuard:
    """The guard of a run's outputs: never the spec, never the dataset's files (names any
    file kind reads), nothing inside the data root without leave."""
    kinds = kinds if kinds is not None else registered_kinds()
    if spec is not None and data_root is None and spec.data_url is None:
        data_root = spec.data_root

    def is_data_name(name: str) -> bool:
        return any(kind.claims(name) for kind in kinds.values())

    return OutputGuard(
        spec.path if spec is not None else None,
        data_root,
        is_data_name,
        allow_in_data,
        may_replace=may_replace,
    )


def plan_run(
    spec: Spec,
    options: ValidateOptions = ValidateOptions(),
    kinds: Mapping[str, FileKind] | None = None,
    inventory: Inventory | None = None,
) -> RunPlan:
    """List the data root, match the files to products and plan one read of each; a bad
    waiver or a missing data root stops here, before any file is read. ``inventory``: a
    listing already made (``tpqc list``), used instead of listing again."""
    kinds = kinds if kinds is not None else registered_kinds()
    if spec.waivers:
        from tpqc.catalogue import all_checks
        from tpqc.validators.waivers import waiver_codes

        waiver_codes(spec, all_checks())
    root = spec.location
    if spec.data_url is None and not spec.data_root.is_dir():
        raise UsageError(f"data root {root} is not a folder")
    if inventory is None:
        inventory = build_inventory(
            spec, list(kinds.values()), follow_symlinks=options.follow_symlinks
        )
    temporal = spec.dataset.temporal
    read = options.read_options(
        (temporal.start, temporal.end) if temporal and temporal.start and temporal.end else None
    )
    log.info(
        "%d files match %d products (%d match none, %d odd entries) under %s",
        len(inventory.entries),
        len(spec.products),
        len(inventory.unmatched),
        len(inventory.odd),
        root,
    )
    # A read job depends on the file's kind and product, not on the file: one job per
    # (kind, product) is shared by its files (a million jobs were about 160 MB).
    shared: dict[tuple[str, str], ReadJob] = {}
    jobs = []
    for entry in inventory.entries:
        job = shared.get((entry.kind, entry.product))
        if job is None:
            product = spec.product_named(entry.product)
            job = shared[(entry.kind, entry.product)] = kinds[entry.kind].job(spec, product, read)
        jobs.append((root, entry.path, job))
    return RunPlan(spec, inventory, tuple(jobs))


def read_planned(
    plan: RunPlan, options: ValidateOptions, beside: Callable[[], None] | None = None
) -> FactsStore:
    """Every planned file's facts by path: one read each (or the facts cache); ``beside``
    runs in this thread while the worker processes read (with none, after the reads)."""
    started = time.perf_counter()
    facts = gather(list(plan.jobs), options, beside)
    log.info("read %d files in %.2f s", len(facts), time.perf_counter() - started)
    return facts


def validate(
    spec: Spec,
    options: ValidateOptions = ValidateOptions(),
    kinds: Mapping[str, FileKind] | None = None,
) -> ValidationResult:
    """Validate every file of the dataset against its spec, reading each file once."""
    kinds = kinds if kinds is not None else registered_kinds()
    plan = plan_run(spec, options, kinds)
    inventory = plan.inventory
    present = kinds_present(inventory, kinds)
    # While the workers read, this process loads what judging needs (the SPDX list ...).
    facts = read_planned(plan, options, beside=lambda: _warm_judging(spec, present))
    del plan  # its jobs (a tuple a file) are done with
    return judge(spec, inventory, facts, options, kinds)


def kinds_present(inventory: Inventory, kinds: Mapping[str, FileKind]) -> list[FileKind]:
    """The kinds of the inventory's files, each once, in registration order."""
    names = {e.kind for e in inventory.entries}
    return [kind for name, kind in kinds.items() if name in names]


def _warm_judging(spec: Spec, kinds: list[FileKind]) -> None:
    """Load, once, what the checks will need: a cache warmed, never a result."""
    from tpqc.catalogue import load_judging_checks

    load_judging_checks(kinds)  # the check modules of the kinds read, and the dataset's
    import tpqc.validators.dataset.judge
    import tpqc.validators.inventory_checks
    import tpqc.validators.render.pictures  # noqa: F401

    if spec.dataset.license:
        from tpqc.schemas.spdx import spdx_ids

        spdx_ids()
    from contextlib import suppress

    from pyproj.exceptions import CRSError

    from tpqc.validators.grid.geo import authority_code

    for product in spec.rasters:
        # pyproj loaded, the declared CRS parsed; one pyproj cannot read is the check's
        # to report.
        if product.crs:
            with suppress(CRSError):
                authority_code(product.crs)


def file_findings(
    spec: Spec,
    inventory: Inventory,
    facts: Mapping[str, FileFacts],
    selection: Selection,
    kinds: Mapping[str, FileKind] | None = None,
) -> list[Finding]:
    """The per-file findings of the files whose facts are given."""
    kinds = kinds if kinds is not None else registered_kinds()
    found: list[Finding] = []
    for entry in inventory.entries:
        if entry.path in facts:
            file = _data_file(spec, entry, facts)
            found += kinds[entry.kind].findings(file, selection)
    return found


def _data_file(spec: Spec, entry: InventoryEntry, facts: Mapping[str, FileFacts]) -> DataFile:
    """One matched file as its kind sees it: the spec, its product, its entry and facts."""
    return DataFile(spec, spec.product_named(entry.product), entry, facts[entry.path])


def series_products(spec: Spec, kinds: Mapping[str, FileKind]) -> set[str]:
    """The products whose files form series: those of a section some kind with series
    behaviour serves."""
    sections = {k.section for k in kinds.values() if k.series}
    return {p.name for p in spec.products if spec.section_of(p.name) in sections}


def judge(
    spec: Spec,
    inventory: Inventory,
    facts: Mapping[str, FileFacts],
    options: ValidateOptions,
    kinds: Mapping[str, FileKind] | None = None,
) -> ValidationResult:
    """Every check over the facts of the dataset's files (read here or by shards), the
    waivers applied: the report, the same whichever way the facts were gathered."""
    from tpqc.catalogue import all_checks, load_judging_checks
    from tpqc.validators.dataset.judge import SummaryFold, dataset_findings
    from tpqc.validators.engine.gc_pause import resume
    from tpqc.validators.inventory_checks import inventory_findings
    from tpqc.validators.registry import without_explained
    from tpqc.validators.waivers import apply_waivers, waiver_codes

    resume()  # facts merged from shards are judged without a read before (gc_pause)
    kinds = kinds if kinds is not None else registered_kinds()
    load_judging_checks(kinds_present(inventory, kinds))
    # a waiver may name any check (of a kind absent from this run too)
    codes = waiver_codes(spec, all_checks()) if spec.waivers else ()
    file_level = inventory_findings(spec, inventory, options.selection)
    fold = SummaryFold(spec, inventory, series_products(spec, kinds))
    for entry in inventory.entries:  # each file's facts taken once: findings, then summary
        kind = kinds[entry.kind]
        file = _data_file(spec, entry, facts)
        found = kind.findings(file, options.selection)
        file_level += found
        fold.add(entry, kind.summary(file), found)
    by_path = _EntriesByPath(inventory)
    files = _file_entries(spec, by_path, facts, kinds)
    dataset = dataset_findings(fold, options.selection, options.online)
    del fold
    findings = without_explained(file_level + dataset.findings)
    log.info(
        "%d findings (%d per file, %d dataset-wide)",
        len(findings),
        len(file_level),
        len(dataset.findings),
    )
    today = options.today or dt.datetime.now(dt.UTC).date()
    sorted_out = apply_waivers(spec, findings, codes, today, options.selection)
    report = Report.build(
        str(spec.path),
        spec.location,
        sorted_out.active,
        files,
        options.fail_on,
        _inventory_rows(spec, inventory, by_path, facts, kinds, dataset.members),
        waived=sorted_out.waived,
        dataset_id=spec.dataset.id,
    )
    drawn = kinds if options.pictures else None
    return ValidationResult(spec, inventory, facts, report, dataset.intervals, drawn)


class _EntriesByPath:
    """The inventory's entries in path order, found by path with a binary search: the
    sorted paths beside each one's position among the entries (each entry is made when it
    is asked for)."""

    def __init__(self, inventory: Inventory) -> None:
        from tpqc.validators.inventory import InventoryEntries

        entries = inventory.entries
        assert isinstance(entries, InventoryEntries)
        self._entries = entries
        self._position = entries.path_order()
        self.paths = [entries.paths[position] for position in self._position]

    def entry(self, index: int) -> InventoryEntry:
        """The entry at ``index`` in path order."""
        return self._entries[self._position[index]]

    def get(self, path: str) -> InventoryEntry | None:
        """The entry of ``path``, or None."""
        index = bisect.bisect_left(self.paths, path)
        if index < len(self.paths) and self.paths[index] == path:
            return self.entry(index)
        return None


def _file_entries(
    spec: Spec,
    by_path: _EntriesByPath,
    facts: Mapping[str, FileFacts],
    kinds: Mapping[str, FileKind],
) -> FileEntries:
    """The report's file entries in path order, each made by its kind when a renderer reads
    it (not held: they are the largest part of a report)."""

    def make(index: int) -> Mapping[str, Any]:
        entry = by_path.entry(index)
        file = _data_file(spec, entry, facts)
        return kinds[entry.kind].report_entry(file)

    return FileEntries(by_path.paths, make)


def _inventory_rows(
    spec: Spec,
    inventory: Inventory,
    by_path: _EntriesByPath,
    facts: Mapping[str, FileFacts],
    kinds: Mapping[str, FileKind],
    members: Mapping[str, Member],
) -> FileEntries:
    """The report's inventory rows in path order, each made again from the file's facts
    (its kind's summary) when a renderer reads it: the dataset checks' rows are not kept."""
    from tpqc.validators.dataset.rows import rows_on_read

    def columns_of(path: str) -> Mapping[str, Any] | None:
        entry = by_path.get(path)
        if entry is None:
            return None
        file = _data_file(spec, entry, facts)
        return kinds[entry.kind].summary(file).columns

    paths = [*by_path.paths, *(u.path for u in inventory.unmatched)]
    return rows_on_read(members, paths, columns_of)


def _pictures(
    spec: Spec,
    inventory: Inventory,
    facts: Mapping[str, FileFacts],
    kinds: Mapping[str, FileKind],
) -> ReportPictures:
    """The dataset's metadata, each product's declared ranges and each file's pictures."""
    import dataclasses

    import rasterio

    from tpqc.schemas.locations import printable
    from tpqc.validators.render.pictures import ProductPicture, ReportPictures

    products = {}
    for product in spec.products:
        section = spec.section_of(product.name)
        kind = next((k for k in kinds.values() if k.section == section), None)
        products[product.name] = (
            kind.product_picture(product)
            if kind is not None
            else ProductPicture(product.name, section, product.description)
        )
    files = {}
    for entry in inventory.entries:
        file = _data_file(spec, entry, facts)
        picture = kinds[entry.kind].picture(file)
        if picture is not None:  # keyed and named as the report names the file
            shown = printable(entry.path)
            files[shown] = dataclasses.replace(picture, path=shown)
    meta = spec.dataset
    return ReportPictures(
        title=meta.title,
        description=meta.description,
        doi=meta.doi,
        cstr=meta.cstr,
        license=meta.license,
        citation=meta.citation,
        extent=meta.extent.as_tuple() if meta.extent else None,
        spec_sha256=spec.sha256,
        gdal_version=str(rasterio.__gdal_version__),
        products=products,
        files=files,
    )


def gather(
    jobs: list[FactsJob], options: ValidateOptions, beside: Callable[[], None] | None = None
) -> FactsStore:
    """Read every file's facts: cache first, then local processes or the Dask cluster. Each
    file's facts go to the store as they arrive (a big run's to its temporary file)."""
    from tpqc.progress import progress_bar
    from tpqc.validators.engine.facts_cache import FactsCache
    from tpqc.validators.engine.gc_pause import resume

    resume()  # what the start made is frozen before any worker forks (gc_pause)
    cache = (
        FactsCache(options.cache_dir, by_content=options.cache_by_content)
        if options.cache_dir is not None
        else None
    )
    store = FactsStore()

    def keep(index: int, facts: FileFacts) -> None:
        store.put(facts, jobs[index][1])  # the inventory's path, not the facts' own copy

    total = sum(local_size(root, relative) for root, relative, _ in jobs)
    with progress_bar(len(jobs), total, options.progress) as progress:
        if options.scheduler is None:
            gather_facts_into(
                keep, jobs, options.jobs, cache=cache, progress=progress, beside=beside
            )
        else:
            from tpqc.validators.engine.cluster import dask_executor

            with dask_executor(options.scheduler) as (executor, workers):
                log.info("on the Dask cluster %s: %d workers", options.scheduler, workers)
                gather_facts_into(
                    keep,
                    jobs,
                    workers,
                    executor=executor,
                    cache=cache,
                    progress=progress,
                    beside=beside,
                )
    if cache is not None:
        log.info("facts cache %s: %d hits, %d misses", cache.folder, cache.hits, cache.misses)
    if any(relative not in store for _, relative, _ in jobs):
        raise RuntimeError("some files were never read")
    return store


@dataclass(frozen=True)
class PublishOptions:
    """Where and how `tpqc stac` publishes what validation read."""

    target: Path | None = None
    """The catalog folder (replaced atomically); None: only ``geoparquet``."""
    geoparquet: Path | None = None
    """Also (or only) the items as one stac-geoparquet file."""
    allow_failed: bool = False
    """Publish even when validation found errors (unpublishable files are left out)."""
    asset_href_prefix: str | None = None
    """Asset hrefs become this URL + the file's path."""
    schemas: Path | None = None
    """More STAC schemas for the self-check (a local mirror)."""
    force: bool = False
    """Replace an existing folder tpqc did not write (never one holding the data)."""
    copy_assets: bool = False
    """Put every data file beside its item (hard links where possible)."""
    metadata: tuple[str, ...] = ()
    """Metadata records to publish beside the dataset's collection (``describedby``)."""
    metadata_date: str | None = None
    """The records' own date (ISO 19139, DCAT)."""


@dataclass(frozen=True)
class PublishResult:
    """What `tpqc stac` did: the validation, whether a catalog was written, what was left out."""

    validation: ValidationResult
    written: bool
    catalog_report: Report | None = None
    skipped: tuple[LeftOut, ...] = ()
    """Files that are not in the catalog, each with its reason."""
    assets_outside: int = 0
    """Asset hrefs relative to the catalog that leave its folder (it breaks when moved)."""
    geoparquet_rows: int | None = None
    """Items written to the GeoParquet file (and read back), when one was asked for."""
    documents: Mapping[str, int] = field(default_factory=dict)
    """How many documents of each STAC type (Catalog, Collection, Feature) were written."""


def publish(
    spec: Spec,
    options: ValidateOptions,
    publishing: PublishOptions,
    *,
    gathered: GatheredFacts | None = None,
    kinds: Mapping[str, FileKind] | None = None,
) -> PublishResult:
    """Validate, then build, check and atomically write the STAC catalog from the same facts.

    The target is checked first: it may never hold the data or the spec, and an existing
    folder is replaced only when it is a tpqc catalog (or forced). With ``gathered`` (merged
    shards) nothing is read: the catalog is built from those facts. With a GeoParquet file
    the items also go to one stac-geoparquet file (read back to check it); no target writes
    only that file."""
    import dataclasses

    from tpqc.stac.items import PublishedItems

    kinds = kinds if kinds is not None else registered_kinds()
    target, geoparquet = publishing.target, publishing.geoparquet
    if publishing.copy_assets and (spec.data_url or publishing.asset_href_prefix):
        raise UsageError("--copy-assets needs local data and no --asset-href-prefix")
    if target is None and geoparquet is None:
        raise UsageError("give --out (a JSON catalog), --geoparquet FILE, or both")
    guard = output_guard(spec, kinds)
    if target is not None:
        guard.check_catalog_folder(target, force=publishing.force)
    if geoparquet is not None:
        guard.check_file(geoparquet, "--geoparquet")
    # Thumbnails are the quicklooks of the one read.
    if gathered is None:
        result = validate(spec, dataclasses.replace(options, pictures=True), kinds)
    else:
        judged = dataclasses.replace(gathered.options, pictures=True, today=options.today)
        result = judge(spec, gathered.inventory, gathered.facts, judged, kinds)
    if result.report.failed and not publishing.allow_failed:
        return PublishResult(result, written=False)
    items = PublishedItems(spec, result.inventory, result.facts, result.intervals, kinds)
    return _write_catalog(result, items, publishing)


def describe(
    spec: Spec,
    options: ValidateOptions,
    *,
    gathered: GatheredFacts | None = None,
    kinds: Mapping[str, FileKind] | None = None,
) -> tuple[ValidationResult, DatasetRecord | None]:
    """Validate (or judge the gathered facts), then the dataset's metadata record from the
    catalog items the facts give; no record when validation failed."""
    import dataclasses

    from tpqc.stac.items import PublishedItems
    from tpqc.stac.records import build_record
    from tpqc.stac.tally import CatalogTally

    kinds = kinds if kinds is not None else registered_kinds()
    if gathered is None:
        result = validate(spec, dataclasses.replace(options, pictures=False), kinds)
    else:
        judged = dataclasses.replace(gathered.options, pictures=False, today=options.today)
        result = judge(spec, gathered.inventory, gathered.facts, judged, kinds)
    if result.report.failed:
        return result, None
    tally = CatalogTally()
    for file, item in PublishedItems(spec, result.inventory, result.facts, result.intervals, kinds):
        tally.add(item, file.product.name)
    return result, build_record(spec, tally)


def _write_catalog(
    result: ValidationResult, items: PublishedItems, publishing: PublishOptions
) -> PublishResult:
    """Publish the items (see :mod:`tpqc.stac.publication`)."""
    from tpqc.stac.publication import CatalogPublisher, CatalogRequest

    request = CatalogRequest(
        publishing.target,
        publishing.geoparquet,
        publishing.asset_href_prefix,
        publishing.copy_assets,
        publishing.schemas,
        publishing.metadata,
        publishing.metadata_date,
    )
    done = CatalogPublisher(items, request).publish(result.report)
    return PublishResult(
        result,
        True,
        done.catalog_report,
        tuple(items.left_out),
        done.assets_outside,
        done.geoparquet_rows,
        done.documents,
    )


__all__ = [
    "GatheredFacts",
    "PublishOptions",
    "PublishResult",
    "RunPlan",
    "ValidateOptions",
    "ValidationResult",
    "judge",
    "output_guard",
    "plan_run",
    "publish",
    "read_planned",
    "validate",
]
