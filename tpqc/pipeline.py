"""spec → inventory → facts (one read per file) → findings → report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tpqc.errors import UsageError
from tpqc.schemas.spec import Spec
from tpqc.validators.dataset import dataset_findings, without_explained
from tpqc.validators.facts_json import file_json, table_json
from tpqc.validators.findings import Report, Severity
from tpqc.validators.inventory import Inventory, InventoryEntry, build_inventory
from tpqc.validators.parallel import FactsJob, TableJob, default_jobs, gather_facts, local_size
from tpqc.validators.raster_facts import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_MAX_RATIO,
    ReadPlan,
)
from tpqc.validators.registry import Selection
from tpqc.validators.runner import (
    inventory_findings,
    raster_findings,
    station_of,
    table_findings,
)


@dataclass(frozen=True)
class ValidateOptions:
    """How to run a validation: parallelism, check selection, failure threshold, limits."""

    jobs: int = field(default_factory=default_jobs)
    selection: Selection = field(default_factory=Selection)
    fail_on: Severity = Severity.ERROR
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_ratio: float = DEFAULT_MAX_RATIO
    max_examples: int = 5
    online: bool = False
    cache_dir: Path | None = None
    """Facts cache folder; None: no cache."""
    scheduler: str | None = None
    """Dask scheduler address or local:N; None: local processes."""
    progress: bool = False


@dataclass(frozen=True)
class ValidationResult:
    """The report plus the facts behind it, for consumers such as the STAC builder."""

    spec: Spec
    inventory: Inventory
    facts: dict[str, Any]
    """RasterFacts or TableFacts by path."""
    report: Report


def validate(spec: Spec, options: ValidateOptions = ValidateOptions()) -> ValidationResult:
    """Validate every file of the dataset against its spec, reading each file once."""
    root = spec.location
    if spec.data_url is None and not spec.data_root.is_dir():
        raise UsageError(f"data root {root} is not a folder")
    inventory = build_inventory(spec)
    products = {p.name: p for p in spec.rasters}
    tables = {t.name: t for t in spec.tables}
    temporal = spec.dataset.temporal
    coverage = (
        (temporal.start, temporal.end) if temporal and temporal.start and temporal.end else None
    )
    jobs: list[FactsJob] = []
    for entry in inventory.entries:
        if entry.kind == "table":
            job = TableJob(tables[entry.product], coverage, options.max_examples)
            jobs.append((str(root), entry.path, job))
            continue
        values = products[entry.product].values
        plan = ReadPlan(
            value_min=values.min if values else None,
            value_max=values.max if values else None,
            max_examples=options.max_examples,
            max_pixels=options.max_pixels,
            max_ratio=options.max_ratio,
        )
        jobs.append((str(root), entry.path, plan))
    facts = {f.path: f for f in _gather(jobs, options)}
    file_level = inventory_findings(spec, inventory, options.selection)
    file_level += raster_findings(spec, inventory, facts, options.selection)
    file_level += table_findings(spec, inventory, facts, options.selection)
    dataset = dataset_findings(
        spec, inventory, facts, file_level, options.selection, options.online
    )
    findings = without_explained(file_level, dataset.findings) + dataset.findings
    files = [
        file_json(facts[e.path], e) if e.kind == "raster" else table_json(facts[e.path], e)
        for e in inventory.entries
    ]
    report = Report.build(str(spec.path), str(root), findings, files, options.fail_on, dataset.rows)
    return ValidationResult(spec, inventory, facts, report)


def _gather(jobs: list[FactsJob], options: ValidateOptions) -> list[Any]:
    """Read every file's facts: cache first, then local processes or the Dask cluster."""
    from tpqc.progress import progress_bar
    from tpqc.validators.facts_cache import FactsCache

    cache = FactsCache(options.cache_dir) if options.cache_dir is not None else None
    total = sum(local_size(root, relative) for root, relative, _ in jobs)
    with progress_bar(len(jobs), total, options.progress) as progress:
        if options.scheduler is None:
            return gather_facts(jobs, options.jobs, cache=cache, progress=progress)
        from tpqc.validators.cluster import dask_executor

        with dask_executor(options.scheduler) as (executor, workers):
            return gather_facts(jobs, workers, executor=executor, cache=cache, progress=progress)


@dataclass(frozen=True)
class PublishResult:
    """What `tpqc stac` did: the validation, whether a catalog was written, what was left out."""

    validation: ValidationResult
    written: bool
    catalog_report: Report | None = None
    skipped: tuple[str, ...] = ()


def publish(
    spec: Spec,
    options: ValidateOptions,
    target: Path,
    *,
    allow_failed: bool = False,
    asset_href_prefix: str | None = None,
    schemas: Path | None = None,
    force: bool = False,
) -> PublishResult:
    """Validate, then build, check and atomically write the STAC catalog from the same facts.

    The target is checked first: it may never hold the data or the spec, and an existing
    folder is replaced only when it is a tpqc catalog (or ``force``)."""
    from tpqc.catalogue import selection
    from tpqc.stac.build import StacOptions, build_catalog, catalog_documents
    from tpqc.stac.schema_store import SchemaStore
    from tpqc.stac.target import REPORT_NAME, check_publish_target
    from tpqc.stac.validate import check_stac
    from tpqc.stac.write import CatalogWriteError, write_catalog_atomic
    from tpqc.validators.geo import georeferencing_problem
    from tpqc.validators.render.json_report import render_json

    check_publish_target(target, spec.path, None if spec.data_url else spec.data_root, force=force)
    result = validate(spec, options)
    if result.report.failed and not allow_failed:
        return PublishResult(result, written=False)
    usable: list[tuple[InventoryEntry, Any]] = []
    skipped: list[str] = []
    stations = {}
    tables = {t.name: t for t in spec.tables}
    for entry in result.inventory.entries:
        facts = result.facts[entry.path]
        if entry.kind == "table":
            station = station_of(spec, tables[entry.product], entry)
            if facts.readable and facts.time_start and station is not None:
                usable.append((entry, facts))
                stations[entry.path] = station
            else:
                skipped.append(entry.path)
        elif facts.decoded and georeferencing_problem(facts) is None:
            usable.append((entry, facts))
        else:
            skipped.append(entry.path)
    stac_options = StacOptions(target=target, asset_href_prefix=asset_href_prefix)
    catalog = build_catalog(spec, usable, stac_options, stations)
    documents = catalog_documents(catalog, target)
    store = SchemaStore.load(schemas)
    checked: list[Report] = []
    self_check = selection(ignore=["asset-file-mismatch", "projection-mismatch"])

    def check(staging: Path) -> None:
        # The catalog was built from the very facts just read: re-hashing every asset and
        # reopening every GeoTIFF (S011, S012) would only read the data a second time.
        # The profile's metadata guarantees hold for datasets that passed validation; one
        # published with --allow-failed may lack the very fields validation reported missing.
        report = check_stac(
            staging / "catalog.json",
            store,
            profile=not result.report.failed,
            selection=self_check,
        )
        checked.append(report)
        if report.failed:
            problems = "; ".join(
                f"{f.code} {f.location.path}: {f.message}"
                for f in report.findings
                if f.severity >= report.fail_on
            )
            raise CatalogWriteError(
                f"the new catalog fails its own checks, nothing written: {problems}"
            )

    write_catalog_atomic(target, documents, {REPORT_NAME: render_json(result.report)}, check)
    return PublishResult(result, True, checked[0] if checked else None, tuple(skipped))


__all__ = [
    "PublishResult",
    "ValidateOptions",
    "ValidationResult",
    "publish",
    "validate",
]
