"""What every command of the ``tpqc`` door shares: verbosity, exit codes for tool errors,
report output, and the options of the commands that validate a dataset."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tpqc.errors import TpqcError, UsageError
from tpqc.validators.render import FORMATS

if TYPE_CHECKING:
    from tpqc.pipeline import ValidateOptions
    from tpqc.schemas.spec import Spec
    from tpqc.validators.engine.outputs import OutputGuard
    from tpqc.validators.findings import Report
    from tpqc.validators.render import RenderContext

log = logging.getLogger("tpqc")
F = TypeVar("F", bound=Callable[..., Any])
EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
_NOISY_LIBRARIES = ("distributed", "tornado", "asyncio", "bokeh", "fsspec")


@dataclass
class Verbosity:
    """-v and -q counted wherever they are given (before or after the subcommand)."""

    verbose: int = 0
    quiet: int = 0

    @property
    def level(self) -> int:
        """The log level: WARNING by default, INFO with -v, DEBUG with -vv, ERROR with -q."""
        return max(
            logging.DEBUG, min(logging.CRITICAL, logging.WARNING + 10 * (self.quiet - self.verbose))
        )


def _verbosity() -> Verbosity:
    return click.get_current_context().find_root().ensure_object(Verbosity)


def configure_logging() -> None:
    """Apply the counted -v/-q: tpqc's own lines on stderr; the libraries' chatter (GDAL,
    Dask's 'Nanny at ... closed') only from -vv on."""
    level = _verbosity().level
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("tpqc: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    log.setLevel(level)
    libraries = logging.DEBUG if level <= logging.DEBUG else logging.ERROR
    logging.getLogger("rasterio").setLevel(libraries)
    for name in _NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(libraries if libraries == logging.DEBUG else logging.ERROR)


def _count(kind: str) -> Callable[[click.Context, click.Parameter, int], None]:
    def add(ctx: click.Context, param: click.Parameter, value: int) -> None:
        if value:
            state = ctx.find_root().ensure_object(Verbosity)
            setattr(state, kind, getattr(state, kind) + value)
            configure_logging()

    return add


def verbosity_options(func: F) -> F:
    """-v/--verbose and -q/--quiet, counted, on the group and on every subcommand."""
    func = click.option(
        "-q",
        "--quiet",
        count=True,
        expose_value=False,
        callback=_count("quiet"),
        help="Less output on stderr (repeatable).",
    )(func)
    return click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_count("verbose"),
        help="More output on stderr: -v what tpqc does, -vv also the libraries (repeatable).",
    )(func)


def quiet() -> bool:
    """True when -q was given (informational lines are silenced)."""
    return _verbosity().level > logging.WARNING


def verbose() -> bool:
    """True when -v was given (more than the default on the terminal)."""
    return _verbosity().level < logging.WARNING


def note(text: str) -> None:
    """An informational line on stderr, silenced by -q."""
    if not quiet():
        click.echo(text, err=True)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush does
    not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def tool_errors(func: F) -> F:
    """Turn tpqc errors, closed pipes and crashes into exit code 2 with a line on stderr,
    and Ctrl-C into 130 (never 1, which says the dataset has errors)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TpqcError as exc:
            click.echo(f"tpqc: error: {exc}", err=True)
            sys.exit(EXIT_TOOL_ERROR)
        except BrokenPipeError:
            _silence_stdout()
            click.echo("tpqc: error: the output was closed before the report was written", err=True)
            sys.exit(EXIT_TOOL_ERROR)
        except KeyboardInterrupt:
            _silence_stdout()
            click.echo("tpqc: interrupted; nothing was written", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # the last line of defence: never exit 1 on a crash
            log.debug("internal error", exc_info=True)
            click.echo(f"tpqc: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_TOOL_ERROR)

    return wrapper  # type: ignore[return-value]


def emit(
    text: str | Iterable[str],
    output: Path | None,
    guard: OutputGuard | None = None,
    option: str = "-o",
) -> None:
    """Write a report (its text, or its text in pieces) to stdout, or atomically to a file
    the output guard allows (never an input of the run); a file that cannot be written is
    a tool error naming why."""
    pieces = (text,) if isinstance(text, str) else text
    if output is None:
        try:
            for piece in pieces:
                click.echo(piece, nl=False)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk (> /dev/full), a revoked terminal
            _silence_stdout()
            raise UsageError(f"cannot write the report to stdout: {exc.strerror or exc}") from exc
        return
    from tpqc.validators.engine.atomic import write_chunks_atomic
    from tpqc.validators.engine.outputs import OutputGuard

    (guard or OutputGuard()).check_file(output, option)
    try:
        write_chunks_atomic(output, pieces)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {output}: {exc.strerror or exc}") from exc


def render_context(
    color: bool,
    show_ok: bool | None = None,
    spec: Spec | None = None,
    pictures: object = None,
    show_waived: bool = False,
) -> RenderContext:
    """What renderers get besides the report: every check's identity, colour, clean files,
    where the spec's fields are (SARIF) and the run's pictures (HTML)."""
    from tpqc.catalogue import all_checks
    from tpqc.validators.render import RenderContext

    return RenderContext(
        every_check=all_checks,
        color=color,
        show_ok=show_ok,
        show_waived=show_waived,
        spec_uri=str(spec.path) if spec is not None else None,
        spec_lines=spec_lines(spec) if spec is not None else {},
        pictures=pictures,
    )


def spec_lines(spec: Spec) -> dict[str, int]:
    """The line of each spec field as findings name it: ``dataset.extent``, and products by
    name (``rasters.alt``, ``rasters.alt.pattern``) as well as by position."""
    names: dict[tuple[str | int, ...], str] = {
        (section, i): p.name
        for section, products in spec.sections.items()
        for i, p in enumerate(products)
    }
    out: dict[str, int] = {}
    for key, line in spec.lines.items():
        parts = [str(k) for k in key]
        if len(key) >= 2 and key[:2] in names:
            out.setdefault(".".join([parts[0], names[key[:2]], *parts[2:]]), line)
        out.setdefault(".".join(parts), line)
    return out


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
ALLOW_IN_DATA_OPTION = click.option(
    "--allow-output-in-data",
    "allow_in_data",
    is_flag=True,
    help="Allow new output files inside the data root (never over a file there, never a "
    "name a file kind reads as data).",
)
SHOW_OK_OPTION = click.option(
    "--show-ok/--hide-ok",
    "show_ok",
    default=None,
    help="List clean files in the text report [default: only for up to 50 files].",
)


def _extra_report(value: str) -> tuple[str, Path]:
    fmt, sep, path = value.partition("=")
    if not sep or not path or fmt not in FORMATS:
        raise click.BadParameter(
            f"{value!r}: write FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}"
        )
    return fmt, Path(path)


EXTRA_REPORTS_OPTION = click.option(
    "--report",
    "extra_reports",
    multiple=True,
    metavar="FORMAT=FILE",
    callback=lambda _ctx, _param, values: tuple(_extra_report(v) for v in values),
    help="Also write the report in another format to FILE (repeatable), from the same run: "
    "--report sarif=tpqc.sarif --report html=report.html --report markdown=summary.md.",
)


def emit_extra_reports(
    report: Report,
    extra: tuple[tuple[str, Path], ...],
    context: RenderContext,
    guard: OutputGuard | None,
) -> None:
    """Write the report in each extra format to its file (each checked by the guard)."""
    from tpqc.validators.render import render_chunks

    for fmt, path in extra:
        plain = dataclasses.replace(context, color=False)
        emit(render_chunks(report, fmt, plain), path, guard, "--report")


BASELINE_OPTION = click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="An earlier JSON report of this dataset: findings it already had are unchanged and "
    "do not decide the exit code; new ones do; fixed ones are listed.",
)


def with_baseline(report: Report, baseline: Path | None) -> Report:
    """The report compared with the baseline report, when one was given."""
    if baseline is None:
        return report
    from tpqc.validators.baseline import compare_with_baseline, load_baseline

    return compare_with_baseline(report, load_baseline(baseline), baseline)


SHOW_WAIVED_OPTION = click.option(
    "--show-waived",
    is_flag=True,
    help="List every waived finding in the text report [default: one line per check].",
)


_VALIDATION_KEYS = (
    "fail_on",
    "select",
    "ignore",
    "jobs",
    "max_pixels",
    "max_ratio",
    "max_bands",
    "max_table_rows",
    "max_sheet_bytes",
    "max_examples",
    "online",
    "cache",
    "no_cache",
    "cache_key",
    "scheduler",
    "follow_symlinks",
    "as_of",
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
            "--max-bands",
            type=click.IntRange(min=1),
            default=None,
            help="Refuse rasters declaring more bands than this [default: 16384].",
        ),
        click.option(
            "--max-table-rows",
            type=click.IntRange(min=1),
            default=None,
            help="Refuse tables with more rows than this [default: 50000000].",
        ),
        click.option(
            "--max-sheet-bytes",
            type=click.IntRange(min=1),
            default=None,
            help="Refuse workbooks whose sheets unpack to more bytes [default: 256 MiB].",
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
            "--cache-key",
            type=click.Choice(["stat", "content"]),
            default="stat",
            show_default=True,
            help="Key cached facts by the file's identity on disk (stat: path, inode, times; "
            "free) or by its content (content: sha256 of every byte, so a cache restored "
            "into a fresh CI checkout re-reads only changed files).",
        ),
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
        click.option(
            "--as-of",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            help="Judge waiver expiry on this day (YYYY-MM-DD) [default: today, UTC].",
        ),
    ]

    @wraps(func)
    def fold(*args: Any, **kwargs: Any) -> Any:
        raw = {key: kwargs.pop(key) for key in _VALIDATION_KEYS}
        kwargs["options"] = validate_options(**raw)
        return func(*args, **kwargs)

    wrapped: Any = tool_errors(fold)
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped  # type: ignore[no-any-return]


def validate_options(
    fail_on: str = "error",
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    jobs: int | None = None,
    max_pixels: int | None = None,
    max_ratio: float | None = None,
    max_bands: int | None = None,
    max_table_rows: int | None = None,
    max_sheet_bytes: int | None = None,
    max_examples: int = 5,
    online: bool = False,
    cache: Path | None = None,
    no_cache: bool = False,
    cache_key: str = "stat",
    scheduler: str | None = None,
    follow_symlinks: bool = False,
    as_of: dt.datetime | None = None,
) -> ValidateOptions:
    """The run's options from the command line's values."""
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
        "progress": not quiet(),
        "today": as_of.date() if as_of is not None else None,
    }
    if not no_cache:
        from tpqc.validators.engine.facts_cache import default_cache_dir

        chosen["cache_dir"] = cache or default_cache_dir()
        chosen["cache_by_content"] = cache_key == "content"
    limits = (
        ("jobs", jobs),
        ("max_pixels", max_pixels),
        ("max_ratio", max_ratio),
        ("max_bands", max_bands),
        ("max_table_rows", max_table_rows),
        ("max_sheet_bytes", max_sheet_bytes),
    )
    for key, value in limits:
        if value is not None:
            chosen[key] = value
    return ValidateOptions(**chosen)
