"""The ``tpqc`` command line: the only place that prints or exits.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 tool error.
stdout carries only the report; logs go to stderr.
"""

from __future__ import annotations

import os

# Before numpy loads: BLAS threads only fight the worker processes for the cores.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")

import logging  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import wraps  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

import click  # noqa: E402

from tpqc import __version__  # noqa: E402
from tpqc.errors import TpqcError  # noqa: E402
from tpqc.validators.render import FORMATS  # noqa: E402

log = logging.getLogger("tpqc")
F = TypeVar("F", bound=Callable[..., Any])
EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL_ERROR = 0, 1, 2


def _configure_logging(verbose: int, quiet: int) -> None:
    level = logging.WARNING + 10 * (quiet - verbose)
    logging.basicConfig(
        stream=sys.stderr,
        level=max(logging.DEBUG, level),
        format="tpqc: %(levelname)s: %(message)s",
    )
    logging.getLogger("tpqc").setLevel(max(logging.DEBUG, level))
    # GDAL's own chatter (rasterio._env) is already captured in findings.
    logging.getLogger("rasterio").setLevel(max(logging.ERROR, level))


def _note(text: str) -> None:
    """An informational line on stderr, silenced by -q."""
    if log.isEnabledFor(logging.WARNING):
        click.echo(text, err=True)


def _tool_errors(func: F) -> F:
    """Turn tpqc errors and crashes into exit code 2 with a message on stderr."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TpqcError as exc:
            click.echo(f"tpqc: error: {exc}", err=True)
            sys.exit(EXIT_TOOL_ERROR)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # the last line of defence: never exit 1 on a crash
            log.debug("internal error", exc_info=True)
            click.echo(f"tpqc: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_TOOL_ERROR)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tpqc")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less log output on stderr (repeatable).")
def cli(verbose: int, quiet: int) -> None:
    """tpqc: check a geoscience dataset against its spec and publish it as STAC."""
    _configure_logging(verbose, quiet)


_VALIDATION_KEYS = (
    "fail_on",
    "select",
    "ignore",
    "jobs",
    "max_pixels",
    "max_ratio",
    "max_examples",
    "online",
    "cache",
    "no_cache",
    "scheduler",
    "follow_symlinks",
)


def validation_options(func: F) -> F:
    """Options shared by the commands that validate a dataset, folded into ``options``."""
    options = [
        click.option(
            "--data",
            "data",
            type=click.Path(),
            help="Data root (overrides the spec's `data`).",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["error", "warning", "info"]),
            default="error",
            show_default=True,
            help="Lowest severity that makes the exit code 1.",
        ),
        click.option(
            "--select", multiple=True, help="Only these checks (codes, names or prefixes)."
        ),
        click.option(
            "--ignore", multiple=True, help="Skip these checks (codes, names or prefixes)."
        ),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            help="Parallel worker processes [default: number of cores].",
        ),
        click.option(
            "--max-pixels",
            type=click.IntRange(min=1),
            default=None,
            help="Refuse rasters declaring more pixels than this.",
        ),
        click.option(
            "--max-ratio",
            type=click.FloatRange(min=1),
            default=None,
            help="Refuse compressed rasters whose declared size exceeds file size x this.",
        ),
        click.option(
            "--max-examples",
            type=click.IntRange(min=0),
            default=5,
            show_default=True,
            help="Example pixels kept per value-out-of-range finding.",
        ),
        click.option(
            "--online",
            is_flag=True,
            help="Also resolve the DOI at doi.org (the only network use; opt-in).",
        ),
        click.option(
            "--cache",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Facts cache folder [default: ~/.cache/tpqc/facts].",
        ),
        click.option("--no-cache", is_flag=True, help="Read every file; store nothing."),
        click.option(
            "--scheduler",
            metavar="ADDRESS|local:N",
            default=None,
            help="Run the work on a Dask cluster (tcp://host:8786) or a LocalCluster (local:N).",
        ),
        click.option(
            "--follow-symlinks",
            is_flag=True,
            help="Validate the files that symlinks leaving the data root point to.",
        ),
    ]

    @wraps(func)
    def fold(*args: Any, **kwargs: Any) -> Any:
        raw = {key: kwargs.pop(key) for key in _VALIDATION_KEYS}
        kwargs["options"] = _validate_options(**raw)
        return func(*args, **kwargs)

    wrapped: Any = _tool_errors(fold)
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped  # type: ignore[no-any-return]


def _validate_options(
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    jobs: int | None,
    max_pixels: int | None,
    max_ratio: float | None,
    max_examples: int,
    online: bool,
    cache: Path | None = None,
    no_cache: bool = False,
    scheduler: str | None = None,
    follow_symlinks: bool = False,
) -> Any:
    from tpqc.catalogue import selection
    from tpqc.pipeline import ValidateOptions
    from tpqc.validators.findings import Severity

    chosen: dict[str, Any] = {
        "selection": selection(select, ignore),
        "fail_on": Severity.parse(fail_on),
        "max_examples": max_examples,
        "online": online,
        "scheduler": scheduler,
        "follow_symlinks": follow_symlinks,
        "progress": logging.getLogger("tpqc").getEffectiveLevel() <= logging.WARNING,
    }
    if not no_cache:
        from tpqc.validators.facts_cache import default_cache_dir

        chosen["cache_dir"] = cache or default_cache_dir()
    for key, value in (("jobs", jobs), ("max_pixels", max_pixels), ("max_ratio", max_ratio)):
        if value is not None:
            chosen[key] = value
    return ValidateOptions(**chosen)


def _render_context(color: bool) -> Any:
    from tpqc.catalogue import all_checks
    from tpqc.validators.render import RenderContext

    return RenderContext(checks=all_checks(), color=color)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        from tpqc.validators.atomic import write_text_atomic

        write_text_atomic(output, text)


FORMAT_OPTION = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the report here instead of stdout.",
)


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path))
@validation_options
@FORMAT_OPTION
@OUTPUT_OPTION
@click.option(
    "--inventory",
    "inventory_csv",
    type=click.Path(path_type=Path),
    help="Also write the per-file inventory table as CSV.",
)
@_tool_errors
def validate(
    spec: Path,
    data: Path | None,
    options: Any,
    fmt: str,
    output: Path | None,
    inventory_csv: Path | None,
) -> None:
    """Validate every file of the dataset described by SPEC."""
    from tpqc.pipeline import validate as run_validation
    from tpqc.schemas.spec import load_spec
    from tpqc.validators.render import render

    result = run_validation(load_spec(spec, data), options)
    if inventory_csv is not None:
        from tpqc.validators.atomic import write_text_atomic
        from tpqc.validators.inventory_frame import rows_csv

        write_text_atomic(inventory_csv, rows_csv(result.report.inventory))
    color = fmt == "text" and output is None and sys.stdout.isatty()
    _emit(render(result.report, fmt, _render_context(color)), output)
    sys.exit(EXIT_FINDINGS if result.report.failed else EXIT_CLEAN)


@cli.command("checks")
@_tool_errors
def list_checks() -> None:
    """List every check: code, name, default severity and description."""
    from tpqc.catalogue import all_checks

    for info in all_checks():
        click.echo(f"{info.code}  {info.name:<28} {info.severity.label:<8} {info.description}")


def _publish(
    spec_path: Path,
    data: Path | None,
    out: Path,
    options: Any,
    allow_failed: bool,
    prefix: str | None,
    schemas: Path | None,
    force: bool = False,
) -> int:
    from tpqc.pipeline import publish
    from tpqc.schemas.spec import load_spec
    from tpqc.validators.render import render

    spec = load_spec(spec_path, data)
    result = publish(
        spec,
        options,
        out,
        allow_failed=allow_failed,
        asset_href_prefix=prefix,
        schemas=schemas,
        force=force,
    )
    report = result.validation.report
    click.echo(render(report, "text", _render_context(sys.stdout.isatty())), nl=False)
    if not result.written:
        _note("tpqc: the dataset has errors; no catalog written (use --allow-failed)")
        return EXIT_FINDINGS
    for path in result.skipped:
        _note(f"tpqc: left out of the catalog (unreadable or not georeferenced): {path}")
    if result.catalog_report is not None:
        _summarise_catalog_findings(result.catalog_report)
    _note(f"tpqc: wrote the STAC catalog to {out}")
    return EXIT_CLEAN


def _summarise_catalog_findings(report: Any) -> None:
    """One stderr line per kind of finding in the new catalog, with how many documents."""
    from collections import Counter

    counts = Counter((f.severity.label, f.code, f.name, str(f.actual)) for f in report.findings)
    for (severity, code, name, actual), count in sorted(counts.items()):
        _note(f"tpqc: catalog {severity}: {code} {name}: {actual} ({count} documents)")
    if any(code == "S003" for _, code, _, _ in counts):
        _note(
            "tpqc: pass --schemas DIR (a local mirror of the STAC extension schemas) to "
            "validate the extensions offline"
        )


SCHEMAS_OPTION = click.option(
    "--schemas",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Local mirror of STAC schemas [env: TPQC_STAC_SCHEMAS].",
)


@cli.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder of the catalog; replaced atomically (only an empty folder or a tpqc catalog).",
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
@_tool_errors
def stac(
    spec: Path,
    out: Path,
    data: Path | None,
    options: Any,
    allow_failed: bool,
    asset_href_prefix: str | None,
    schemas: Path | None,
    force: bool,
) -> None:
    """Validate the dataset of SPEC and publish it as a static STAC catalog in --out."""
    sys.exit(_publish(spec, data, out, options, allow_failed, asset_href_prefix, schemas, force))


@cli.command("check-stac")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@SCHEMAS_OPTION
@click.option("--profile", is_flag=True, help="Also require what every tpqc catalog guarantees.")
@click.option("--online", is_flag=True, help="Fetch schemas that are not available locally.")
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True
)
@click.option("--select", multiple=True, help="Only these checks (codes, names or prefixes).")
@click.option("--ignore", multiple=True, help="Skip these checks (codes, names or prefixes).")
@FORMAT_OPTION
@OUTPUT_OPTION
@_tool_errors
def check_stac_command(
    path: Path,
    schemas: Path | None,
    profile: bool,
    online: bool,
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    output: Path | None,
) -> None:
    """Validate a STAC catalog, collection or item offline, walking its links."""
    from tpqc.catalogue import selection
    from tpqc.stac.schema_store import SchemaStore
    from tpqc.stac.validate import check_stac
    from tpqc.validators.findings import Severity
    from tpqc.validators.render import render

    report = check_stac(
        path,
        SchemaStore.load(schemas, online=online),
        profile=profile,
        selection=selection(select, ignore),
        fail_on=Severity.parse(fail_on),
    )
    color = fmt == "text" and output is None and sys.stdout.isatty()
    _emit(render(report, fmt, _render_context(color)), output)
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_CLEAN)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("tpqc-demo"))
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None)
@_tool_errors
def demo(folder: Path, jobs: int | None) -> None:
    """Write the bundled Wudaoliang example into FOLDER, validate it and build its catalog."""
    from tpqc.examples.wudaoliang.generate import write_example

    spec_path = write_example(folder)
    _note(f"tpqc: wrote the example dataset and its spec to {folder}")
    options = _validate_options("error", (), (), jobs, None, None, 5, False)
    sys.exit(_publish(spec_path, None, folder / "stac", options, False, None, None))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="tpqc")
