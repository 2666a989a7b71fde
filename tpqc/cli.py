"""The ``tpqc`` command line: the only place that prints or exits.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 tool error.
stdout carries only the report; logs go to stderr (-v/-q anywhere on the line).
"""

from __future__ import annotations

import os

# Before numpy loads: BLAS threads only fight the worker processes for the cores.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import click  # noqa: E402

from tpqc import __version__  # noqa: E402
from tpqc.cli_support import (  # noqa: E402
    ALLOW_IN_DATA_OPTION,
    BASELINE_OPTION,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXTRA_REPORTS_OPTION,
    FORMAT_OPTION,
    OUTPUT_OPTION,
    SHOW_OK_OPTION,
    SHOW_WAIVED_OPTION,
    configure_logging,
    emit,
    emit_extra_reports,
    log,
    note,
    render_context,
    tool_errors,
    validate_options,
    validation_options,
    verbose,
    verbosity_options,
    with_baseline,
)
from tpqc.errors import UsageError  # noqa: E402
from tpqc.validators.engine import gc_pause  # noqa: E402
from tpqc.validators.engine.gc_pause import pause_while_starting  # noqa: E402

if TYPE_CHECKING:
    from tpqc.pipeline import PublishOptions, ValidateOptions
    from tpqc.validators.findings import Report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tpqc")
@verbosity_options
def cli() -> None:
    """tpqc: check a geoscience dataset against its spec and publish it as STAC."""
    configure_logging()


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path))
@validation_options
@FORMAT_OPTION
@OUTPUT_OPTION
@SHOW_OK_OPTION
@SHOW_WAIVED_OPTION
@BASELINE_OPTION
@EXTRA_REPORTS_OPTION
@click.option(
    "--inventory",
    "inventory_csv",
    type=click.Path(path_type=Path),
    help="Also write the per-file inventory table as CSV.",
)
@click.option(
    "--shard",
    metavar="K/N",
    default=None,
    help="Validate only the K-th of N slices of the files (1..N, stable by path); needs "
    "--facts-out. Merge the slices with `tpqc merge`.",
)
@click.option(
    "--facts-out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder the shard writes its facts and findings into.",
)
@ALLOW_IN_DATA_OPTION
@verbosity_options
@tool_errors
@pause_while_starting
def validate(
    spec: Path,
    data: Path | None,
    options: ValidateOptions,
    fmt: str,
    output: Path | None,
    show_ok: bool | None,
    show_waived: bool,
    baseline: Path | None,
    extra_reports: tuple[tuple[str, Path], ...],
    inventory_csv: Path | None,
    shard: str | None,
    facts_out: Path | None,
    allow_in_data: bool,
) -> None:
    """Validate every file of the dataset described by SPEC."""
    import dataclasses

    from tpqc.pipeline import output_guard
    from tpqc.pipeline import validate as run_validation
    from tpqc.schemas.spec import load_spec
    from tpqc.validators.render import render_chunks

    if "html" in (fmt, *(f for f, _ in extra_reports)):
        # the curator's report draws quicklooks and sketches of the one read
        options = dataclasses.replace(options, pictures=True)
    if (shard is None) != (facts_out is None):
        raise UsageError("--shard and --facts-out go together")
    loaded = load_spec(spec, data)
    guard = output_guard(loaded, allow_in_data=allow_in_data)
    # Refused before anything is read: an output may never be an input.
    outputs = [(output, "-o"), (inventory_csv, "--inventory")]
    for path, option in [*outputs, *((p, "--report") for _, p in extra_reports)]:
        if path is not None:
            guard.check_file(path, option)
    if shard is not None and facts_out is not None:
        from tpqc.schemas.yaml_source import read_capped
        from tpqc.shards import Shard, run_shard

        which = Shard.parse(shard)
        guard.check_folder_for_files(facts_out, [which.file_name], "--facts-out")
        # A shard takes the pictures too, so that the merge can draw the HTML report and
        # the catalog its thumbnails without reading anything again.
        shard_options = dataclasses.replace(options, pictures=True)
        text = read_capped(spec)
        report = run_shard(
            loaded, text, str(data) if data else None, shard_options, which, facts_out
        )
        report = with_baseline(report, baseline)
        context = render_context(False, show_ok, loaded, show_waived=show_waived)
        emit_extra_reports(report, extra_reports, context, guard)
        emit(render_chunks(report, fmt, context), output, guard)
        sys.exit(EXIT_FINDINGS if report.failed else EXIT_CLEAN)
    result = run_validation(loaded, options)
    if options.follow_symlinks:  # data files outside the root, reached through symlinks
        guard = guard.with_data_files(loaded.data_root / e.path for e in result.inventory.entries)
    if inventory_csv is not None:
        from tpqc.validators.dataset.rows import rows_csv_chunks

        emit(rows_csv_chunks(result.report.inventory), inventory_csv, guard, "--inventory")
    color = fmt == "text" and output is None and sys.stdout.isatty()
    context = render_context(color, show_ok, loaded, result.pictures, show_waived)
    report = with_baseline(result.report, baseline)
    emit_extra_reports(report, extra_reports, context, guard)
    emit(render_chunks(report, fmt, context), output, guard)
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_CLEAN)


@cli.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Refuse shards that did not validate this spec.",
)
@FORMAT_OPTION
@OUTPUT_OPTION
@SHOW_OK_OPTION
@SHOW_WAIVED_OPTION
@BASELINE_OPTION
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Judge waiver expiry on this day (YYYY-MM-DD) [default: today, UTC].",
)
@ALLOW_IN_DATA_OPTION
@verbosity_options
@tool_errors
def merge(
    folders: tuple[Path, ...],
    spec_path: Path | None,
    fmt: str,
    output: Path | None,
    show_ok: bool | None,
    show_waived: bool,
    baseline: Path | None,
    as_of: object,
    allow_in_data: bool,
) -> None:
    """Merge the shard outputs in FOLDERS into the report of one run (nothing is read)."""
    import dataclasses
    import datetime as dt

    from tpqc.pipeline import judge, output_guard
    from tpqc.shards import merge_shards
    from tpqc.validators.render import render_chunks

    merged = merge_shards(folders, spec_path)
    guard = output_guard(merged.spec, allow_in_data=allow_in_data)
    if output is not None:
        guard.check_file(output, "-o")
    options = merged.gathered.options
    if isinstance(as_of, dt.datetime):
        options = dataclasses.replace(options, today=as_of.date())
    if fmt != "html":
        options = dataclasses.replace(options, pictures=False)
    result = judge(merged.spec, merged.gathered.inventory, merged.gathered.facts, options)
    log.info("merged %d shards: %d files", merged.shards, len(merged.gathered.facts))
    color = fmt == "text" and output is None and sys.stdout.isatty()
    context = render_context(color, show_ok, merged.spec, result.pictures, show_waived)
    report = with_baseline(result.report, baseline)
    emit(render_chunks(report, fmt, context), output, guard)
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_CLEAN)


@cli.command("list")
@click.argument("spec", type=click.Path(path_type=Path))
@validation_options
@click.option(
    "--facts-out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The shards' folder: the listing is written there, and every `tpqc validate "
    "--shard K/N --facts-out` the same folder takes it instead of listing the root again.",
)
@ALLOW_IN_DATA_OPTION
@verbosity_options
@tool_errors
def list_files(
    spec: Path,
    data: Path | None,
    options: ValidateOptions,
    facts_out: Path,
    allow_in_data: bool,
) -> None:
    """List SPEC's data root once for the shards (nothing is read): a bucket or a folder of
    a million files is then listed once, not once per shard."""
    from tpqc.pipeline import output_guard
    from tpqc.schemas.spec import load_spec
    from tpqc.shards import LISTING_NAME, write_listing

    loaded = load_spec(spec, data)
    guard = output_guard(loaded, allow_in_data=allow_in_data)
    guard.check_folder_for_files(facts_out, [LISTING_NAME], "--facts-out")
    inventory = write_listing(loaded, str(data) if data else None, options, facts_out)
    note(
        f"tpqc: {len(inventory.entries)} files of {len(loaded.products)} products listed "
        f"into {facts_out / LISTING_NAME}"
    )


@cli.command("checks")
@verbosity_options
@tool_errors
def list_checks() -> None:
    """List every check: code, name, default severity and description."""
    from tpqc.catalogue import all_checks

    for info in all_checks():
        click.echo(f"{info.code}  {info.name:<28} {info.severity.label:<8} {info.description}")


def _publish(
    spec_path: Path,
    data: Path | None,
    options: ValidateOptions,
    publishing: PublishOptions,
    *,
    show_ok: bool | None = None,
    show_waived: bool = False,
    from_facts: tuple[Path, ...] = (),
) -> int:
    from tpqc.pipeline import publish
    from tpqc.schemas.spec import load_spec
    from tpqc.validators.render import render
    from tpqc.validators.render.text import render_brief

    spec = load_spec(spec_path, data)
    gathered = None
    if from_facts:
        from tpqc.shards import merge_shards

        gathered = merge_shards(from_facts, spec_path).gathered
    result = publish(spec, options, publishing, gathered=gathered)
    report = result.validation.report
    if report.failed or verbose():
        context = render_context(sys.stdout.isatty(), show_ok, show_waived=show_waived)
        emit(render(report, "text", context), None)
    else:  # published: the whole report is in the catalog folder (tpqc-report.json)
        emit(render_brief(report), None)
    if not result.written:
        note("tpqc: the dataset has errors; no catalog written (use --allow-failed)")
        return EXIT_FINDINGS
    for left in result.skipped:
        note(f"tpqc: left out of the catalog ({left.reason}): {left.path}")
    if result.catalog_report is not None:
        _summarise_catalog_findings(result.catalog_report)
    if result.assets_outside:
        log.warning(
            "%d asset hrefs are relative paths that leave the catalog folder: the catalog "
            "breaks when it is moved without the data. Publish with --asset-href-prefix URL "
            "(absolute links to where the data is served) or --copy-assets (the files inside "
            "the catalog)",
            result.assets_outside,
        )
    if result.geoparquet_rows is not None:
        note(
            f"tpqc: wrote {result.geoparquet_rows} items to {publishing.geoparquet} "
            "(read back: same items)"
        )
    if publishing.target is not None:
        written = ", ".join(
            f"{count} {DOCUMENT_NAMES.get(kind, kind)}{'s' if count != 1 else ''}"
            for kind, count in result.documents.items()
        )
        note(f"tpqc: wrote the STAC catalog to {publishing.target} ({written})")
    return EXIT_CLEAN


def _metadata_formats(text: str) -> tuple[str, ...]:
    from tpqc.stac.records import RECORD_FORMATS

    chosen = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in RECORD_FORMATS]
    if unknown:
        raise UsageError(f"--metadata {', '.join(unknown)}: use {', '.join(RECORD_FORMATS)}")
    return chosen


DOCUMENT_NAMES = {"Catalog": "catalog", "Collection": "collection", "Feature": "item"}


def _summarise_catalog_findings(report: Report) -> None:
    """One stderr line per kind of finding in the new catalog, with how many documents."""
    from collections import Counter

    counts = Counter((f.severity.label, f.code, f.name, str(f.actual)) for f in report.findings)
    for (severity, code, name, actual), count in sorted(counts.items()):
        note(f"tpqc: catalog {severity}: {code} {name}: {actual} ({count} documents)")
    if any(code == "S003" for _, code, _, _ in counts):
        note(
            "tpqc: pass --schemas DIR (a local mirror of the STAC extension schemas) to "
            "validate the extensions offline"
        )


SCHEMAS_OPTION = click.option(
    "--schemas",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="More STAC schemas: a local mirror that adds to or overrides the bundled ones "
    "[env: TPQC_STAC_SCHEMAS].",
)


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.option(
    "--out",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder of the catalog; replaced atomically (only an empty folder or a tpqc catalog).",
)
@click.option(
    "--geoparquet",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also (or, without --out, only) write the items as one stac-geoparquet file, "
    "checked by reading it back (pip install 'tpqc[geoparquet]').",
)
@validation_options
@click.option("--allow-failed", is_flag=True, help="Publish even when validation found errors.")
@click.option(
    "--asset-href-prefix",
    metavar="URL",
    help="Asset hrefs become URL/<path> instead of paths relative to the catalog.",
)
@SCHEMAS_OPTION
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing --out folder even when tpqc did not write it.",
)
@click.option(
    "--copy-assets",
    is_flag=True,
    help="Put each data file beside its item (hard links where possible): a catalog that "
    "can be moved with its data.",
)
@click.option(
    "--metadata",
    "metadata_formats",
    default="",
    metavar="FORMATS",
    help="Also publish metadata records beside the dataset's collection, linked as "
    "describedby: a comma list of datacite, datacite-json, schema-org, iso19139, dcat.",
)
@click.option(
    "--metadata-date",
    default=None,
    metavar="YYYY-MM-DD",
    help="The records' own date (ISO 19139, DCAT) [default: $SOURCE_DATE_EPOCH, else the "
    "citation's year].",
)
@click.option(
    "--from-facts",
    "from_facts",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Build the catalog from shard outputs (tpqc validate --shard) instead of reading "
    "the data; repeat for several folders.",
)
@SHOW_OK_OPTION
@SHOW_WAIVED_OPTION
@verbosity_options
@tool_errors
@pause_while_starting
def stac(
    spec: Path,
    out: Path | None,
    geoparquet: Path | None,
    data: Path | None,
    options: ValidateOptions,
    allow_failed: bool,
    asset_href_prefix: str | None,
    schemas: Path | None,
    force: bool,
    copy_assets: bool,
    metadata_formats: str,
    metadata_date: str | None,
    from_facts: tuple[Path, ...],
    show_ok: bool | None,
    show_waived: bool,
) -> None:
    """Validate the dataset of SPEC and publish it as a static STAC catalog in --out. The
    whole report is printed when validation fails or with -v; otherwise a summary (the
    catalog folder holds the whole report as tpqc-report.json)."""
    from tpqc.pipeline import PublishOptions

    publishing = PublishOptions(
        target=out,
        geoparquet=geoparquet,
        allow_failed=allow_failed,
        asset_href_prefix=asset_href_prefix,
        schemas=schemas,
        force=force,
        copy_assets=copy_assets,
        metadata=_metadata_formats(metadata_formats),
        metadata_date=metadata_date,
    )
    sys.exit(
        _publish(
            spec,
            data,
            options,
            publishing,
            show_ok=show_ok,
            show_waived=show_waived,
            from_facts=from_facts,
        )
    )


@cli.command("check-stac")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@SCHEMAS_OPTION
@click.option(
    "--no-links",
    is_flag=True,
    help="Validate only the given documents; do not follow or check their links.",
)
@click.option("--profile", is_flag=True, help="Also require what every tpqc catalog guarantees.")
@click.option(
    "--no-assets",
    is_flag=True,
    help="The catalog is published without its data: do not look for local asset files "
    "(a missing one is otherwise an error).",
)
@click.option("--online", is_flag=True, help="Fetch schemas that are not available locally.")
@click.option(
    "--max-document-bytes",
    type=click.IntRange(min=1),
    default=64 << 20,
    show_default=True,
    help="Refuse (as unreadable) STAC documents larger than this.",
)
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True
)
@click.option("--select", multiple=True, help="Only these checks (codes, names or prefixes).")
@click.option("--ignore", multiple=True, help="Skip these checks (codes, names or prefixes).")
@FORMAT_OPTION
@OUTPUT_OPTION
@SHOW_OK_OPTION
@verbosity_options
@tool_errors
def check_stac_command(
    paths: tuple[Path, ...],
    schemas: Path | None,
    no_links: bool,
    profile: bool,
    no_assets: bool,
    online: bool,
    max_document_bytes: int,
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    output: Path | None,
    show_ok: bool | None,
) -> None:
    """Validate STAC catalogs, collections or items offline, walking their links (with
    --no-links: just the given documents, as copied out of their catalog)."""
    from tpqc.catalogue import selection
    from tpqc.pipeline import output_guard
    from tpqc.stac.schema_store import SchemaStore
    from tpqc.stac.validate import check_stac
    from tpqc.validators.findings import Severity
    from tpqc.validators.render import render_chunks

    # The report never lands on or inside what it checks.
    if output is not None:
        for path in paths:
            if path.is_dir():
                output_guard(None, data_root=path).check_file(output, "-o")
            else:
                output_guard(None).with_data_files([path]).check_file(output, "-o")
    report = check_stac(
        list(paths),
        SchemaStore.load(schemas, online=online),
        profile=profile,
        selection=selection(select, ignore),
        fail_on=Severity.parse(fail_on),
        follow_links=not no_links,
        max_document_bytes=max_document_bytes,
        assets_on_disk=not no_assets,
    )
    color = fmt == "text" and output is None and sys.stdout.isatty()
    emit(render_chunks(report, fmt, render_context(color, show_ok)), output)
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_CLEAN)


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["datacite", "datacite-json", "schema-org", "iso19139", "dcat"]),
    default="datacite",
    show_default=True,
    help="Metadata format.",
)
@OUTPUT_OPTION
@click.option(
    "--date",
    "record_date",
    default=None,
    metavar="YYYY-MM-DD",
    help="The record's own date (ISO 19139, DCAT) [default: $SOURCE_DATE_EPOCH, else the "
    "citation's year].",
)
@click.option(
    "--from-facts",
    "from_facts",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Describe the dataset from shard outputs (tpqc validate --shard) instead of "
    "reading the data; repeat for several folders.",
)
@validation_options
@ALLOW_IN_DATA_OPTION
@verbosity_options
@tool_errors
def metadata(
    spec: Path,
    data: Path | None,
    options: ValidateOptions,
    fmt: str,
    output: Path | None,
    record_date: str | None,
    from_facts: tuple[Path, ...],
    allow_in_data: bool,
) -> None:
    """Validate the dataset of SPEC, then write its DataCite, schema.org, ISO 19139 or
    DCAT metadata from the validated facts (nothing invented: what the spec and the data
    cannot give is left out and named)."""
    from tpqc.pipeline import describe, output_guard
    from tpqc.schemas.spec import load_spec
    from tpqc.stac.records import render_record
    from tpqc.validators.render import render

    loaded = load_spec(spec, data)
    guard = output_guard(loaded, allow_in_data=allow_in_data)
    if output is not None:
        guard.check_file(output, "-o")
    gathered = None
    if from_facts:
        from tpqc.shards import merge_shards

        gathered = merge_shards(from_facts, spec).gathered
    result, record = describe(loaded, options, gathered=gathered)
    if record is None:
        emit(render(result.report, "text", render_context(sys.stdout.isatty())), None)
        note("tpqc: the dataset has errors; no metadata written")
        sys.exit(EXIT_FINDINGS)
    text = render_record(record, fmt, record_date)
    emit(text, output, guard)
    note("tpqc: left out (neither the spec nor the data gives them): " + "; ".join(record.left_out))
    sys.exit(EXIT_CLEAN)


@cli.command()
@click.argument("catalog", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--dsn",
    default=None,
    help="PostgreSQL connection string [default: $PGSTAC_DSN, else libpq's PG* variables].",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Delete the items of the catalog's collections that the catalog no longer has.",
)
@click.option(
    "--no-assets",
    is_flag=True,
    help="The catalog is published without its data: do not look for local asset files.",
)
@SCHEMAS_OPTION
@verbosity_options
@tool_errors
def pgstac(
    catalog: Path, dsn: str | None, prune: bool, no_assets: bool, schemas: Path | None
) -> None:
    """Load the STAC catalog CATALOG (a folder tpqc stac wrote) into a pgSTAC database in
    one transaction; only a catalog that passes check-stac is loaded."""
    from tpqc.stac.schema_store import SchemaStore
    from tpqc.stac.validate import check_stac
    from tpqc.validators.render import render

    try:
        from tpqc.stac.pgstac import load_catalog, resolve_dsn
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise UsageError("tpqc pgstac needs pypgstac: pip install 'tpqc[pgstac]'") from exc
    report = check_stac(catalog, SchemaStore.load(schemas), assets_on_disk=not no_assets)
    if report.failed:
        emit(render(report, "text", render_context(sys.stdout.isatty())), None)
        note("tpqc: the catalog fails check-stac; nothing loaded")
        sys.exit(EXIT_FINDINGS)
    try:
        import pypgstac  # noqa: F401
    except ImportError as exc:
        raise UsageError("tpqc pgstac needs pypgstac: pip install 'tpqc[pgstac]'") from exc
    done = load_catalog(catalog, resolve_dsn(dsn), prune=prune)
    note(
        f"tpqc: loaded {done.collections} collections and {done.items} items "
        f"({done.new_items} new{f', {done.pruned} pruned' if prune else ''}) into pgSTAC "
        f"{done.version}"
    )
    sys.exit(EXIT_CLEAN)


@cli.command()
@click.argument("data_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the spec here (its data path is relative to it) instead of stdout.",
)
@click.option("--force", is_flag=True, help="Replace an existing spec file.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option(
    "--cache",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Facts cache folder [default: ~/.cache/tpqc/facts].",
)
@click.option("--no-cache", is_flag=True, help="Read every file; store nothing.")
@verbosity_options
@tool_errors
def init(
    data_dir: Path,
    output: Path | None,
    force: bool,
    jobs: int | None,
    cache: Path | None,
    no_cache: bool,
) -> None:
    """Read DATA_DIR's files once and write the spec they suggest, with TODOs to fill in."""
    from tpqc.init import infer_spec
    from tpqc.pipeline import output_guard

    # The spec is written beside the data on purpose, but never over a data file.
    guard = output_guard(None, data_root=data_dir, allow_in_data=True, may_replace=force)
    if output is not None:
        guard.check_file(output, "-o")
        if output.exists() and not force:
            raise UsageError(f"{output} exists; give another -o or --force to replace it")
    options = validate_options(jobs=jobs, cache=cache, no_cache=no_cache)
    result = infer_spec(data_dir, output, options)
    emit(result.text, output, guard)
    where = output or "stdout"
    note(
        f"tpqc: wrote {where}: {result.products} products over {result.files} files"
        + (f", {len(result.unfit)} files fit no pattern" if result.unfit else "")
        + (f", {len(result.excluded)} excluded" if result.excluded else "")
        + "; fill in the TODOs, then run tpqc validate"
    )


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("tpqc-demo"))
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None)
@verbosity_options
@tool_errors
def demo(folder: Path, jobs: int | None) -> None:
    """Write the bundled Wudaoliang example into FOLDER, validate it and build its catalog."""
    from tpqc.examples.wudaoliang.generate import write_example
    from tpqc.pipeline import PublishOptions

    spec_path = write_example(folder)
    note(f"tpqc: wrote the example dataset and its spec to {folder}")
    # The demo's catalog holds its files (hard links): it can be moved or served as it is.
    options = validate_options(jobs=jobs)
    publishing = PublishOptions(target=folder / "stac", copy_assets=True)
    sys.exit(_publish(spec_path, None, options, publishing))


def main() -> None:
    """Console-script entry point. Ctrl-C before a command runs (while libraries load) is
    exit 130 too: click alone would call it an abort with exit 1."""
    # rasterio imports boto3 whenever it can (0.15 s per process start) only to resolve AWS
    # credentials itself; tpqc leaves them to GDAL and obstore, which read the same
    # variables and profiles.
    sys.modules.setdefault("boto3", None)  # type: ignore[arg-type]
    gc_pause.ALLOWED = True  # this process is tpqc's own: see gc_pause
    try:
        code = cli.main(prog_name="tpqc", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("tpqc: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SystemExit as done:  # a command's own exit: its code, then a quick leave
        code = done.code
        if not isinstance(code, int) and code is not None:
            raise
    _leave(code if isinstance(code, int) else EXIT_CLEAN)


def _leave(code: int) -> None:
    """End the process with ``code`` once its work is done, without tearing the interpreter
    down: freeing every object and unloading GDAL and PROJ took 0.13-0.18 s after each
    run, a tenth of a small dataset's validation. Exit handlers still run (log handlers
    flushed, temporary folders removed) and the standard streams are flushed; every output
    file is closed by then (written atomically). With a thread still running, or a stream
    that cannot be flushed, the ordinary exit."""
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the ordinary exit say so
        sys.exit(code)
    os._exit(code)


__all__ = ["cli", "main"]
