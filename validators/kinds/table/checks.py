"""Checks on station tables: pure functions from :class:`TableFacts` and the spec to issues.

Failures are summarised per column and check (how many rows, the first few with row number,
timestamp and value), never one finding per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tpqc.schemas.spec import Spec, Station, TableProduct
from tpqc.schemas.spec_values import describe_step
from tpqc.validators.findings import Issue, Location, Severity
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.kinds.table.problems import ProblemKind
from tpqc.validators.kinds.table.reader import Problem, TableFacts, column_rule
from tpqc.validators.registry import Scope, check


@dataclass(frozen=True)
class TableContext:
    """A table's facts, its product, where its station stands, and the spec."""

    facts: TableFacts
    table: TableProduct
    station: Station | None
    spec: Spec

    def at(self, column: str | None = None, row: int | None = None) -> Location:
        """A location in this table (row numbers count every line of the file from 1)."""
        return Location(path=self.facts.path, field=column, row=row)


TABLE_FILE = Scope[TableContext]("table-file")
"""Checks of one station table's facts against its product."""


def _summary(
    problem: Problem,
    ctx: TableContext,
    message: str,
    expected: object = None,
    actual: object = None,
) -> Issue:
    first = problem.examples[0][0] if problem.examples else None
    return Issue(
        message,
        ctx.at(problem.column, first),
        expected=expected,
        actual=actual if actual is not None else {"rows": problem.count},
        details={
            **dict(problem.details),
            "count": problem.count,
            "examples": [{"row": r, "time": t, "value": v} for r, t, v in problem.examples],
        },
    )


@check("T001", "table-unreadable", scope=TABLE_FILE)
def table_unreadable(ctx: TableContext) -> Iterator[Issue]:
    """The table cannot be read (not CSV/XLSX, corrupt, no header, no time column)."""
    if ctx.facts.read_error is not None:
        yield Issue("the table cannot be read", ctx.at(), actual=ctx.facts.read_error)


@check("T018", "table-implausible-size", scope=TABLE_FILE)
def table_implausible_size(ctx: TableContext) -> Iterator[Issue]:
    """The table is too big to be genuine (a workbook whose sheets unpack to gigabytes, more
    rows than the limit); it was refused rather than read into memory."""
    if ctx.facts.refused is not None:
        yield Issue(
            "table refused as implausibly large",
            ctx.at(),
            actual=ctx.facts.refused,
            hint="raise --max-table-rows or --max-sheet-bytes if the table is genuine",
        )


@check("T002", "column-missing", scope=TABLE_FILE)
def column_missing(ctx: TableContext) -> Iterator[Issue]:
    """A required column is present under none of its names or aliases."""
    for name in ctx.facts.missing_columns:
        rule = column_rule(ctx.table, name)
        names = [name, *(rule.aliases if rule else ())]
        yield Issue(
            f"required column {name} is missing",
            ctx.at(name),
            expected=names,
            actual=list(ctx.facts.headers),
        )


@check("T003", "column-unexpected", Severity.WARNING, scope=TABLE_FILE)
def column_unexpected(ctx: TableContext) -> Iterator[Issue]:
    """A column the spec does not declare (declare it, or set unexpected_columns: allow)."""
    for header in ctx.facts.unexpected_columns:
        yield Issue(f"column {header} is not declared", ctx.at(header), actual=header)


@check("T004", "column-duplicate", scope=TABLE_FILE)
def column_duplicate(ctx: TableContext) -> Iterator[Issue]:
    """A column appears twice: the same header repeated, or two aliases of one column."""
    for name, headers in ctx.facts.duplicate_columns:
        yield Issue(
            f"column {name} appears {len(headers)} times",
            ctx.at(name),
            expected="one column",
            actual=list(headers),
        )


@check("T005", "unit-mismatch", scope=TABLE_FILE)
def unit_mismatch(ctx: TableContext) -> Iterator[Issue]:
    """The units row gives another unit than declared (K where degC is declared); the
    column's range check is skipped, its values being in another unit."""
    for name, declared, found in ctx.facts.unit_mismatches:
        yield Issue(
            f"column {name} is in {found}, not {declared}",
            ctx.at(name),
            expected=declared,
            actual=found,
        )


@check("T006", "time-unparseable", scope=TABLE_FILE)
def time_unparseable(ctx: TableContext) -> Iterator[Issue]:
    """Timestamps that cannot be read as dates (a format is given with time.format)."""
    for problem in ctx.facts.problems_of(ProblemKind.TIME_UNPARSEABLE):
        yield _summary(
            problem,
            ctx,
            f"{problem.count} timestamps cannot be parsed",
            expected=ctx.table.time.format or "ISO dates or Excel date-times",
        )


@check("T007", "time-not-monotonic", scope=TABLE_FILE)
def time_not_monotonic(ctx: TableContext) -> Iterator[Issue]:
    """The time column goes backwards."""
    for problem in ctx.facts.problems_of(ProblemKind.TIME_NOT_MONOTONIC):
        yield _summary(
            problem,
            ctx,
            f"time goes backwards at {problem.count} rows",
            expected="increasing timestamps",
        )


@check("T008", "time-duplicate", scope=TABLE_FILE)
def time_duplicate(ctx: TableContext) -> Iterator[Issue]:
    """The same timestamp appears more than once."""
    for problem in ctx.facts.problems_of(ProblemKind.TIME_DUPLICATE):
        yield _summary(
            problem, ctx, f"{problem.count} repeated timestamps", expected="unique timestamps"
        )


@check("T009", "time-irregular", scope=TABLE_FILE)
def time_irregular(ctx: TableContext) -> Iterator[Issue]:
    """Timestamps off the declared step (after rounding away sub-second Excel noise)."""
    step = describe_step(ctx.table.time.step_seconds)
    for problem in ctx.facts.problems_of(ProblemKind.TIME_IRREGULAR):
        yield _summary(
            problem,
            ctx,
            f"{problem.count} timestamps are off the {step} grid",
            expected=f"multiples of {step} from the first timestamp",
        )


@check("T010", "time-gaps", scope=TABLE_FILE)
def time_gaps(ctx: TableContext) -> Iterator[Issue]:
    """Missing time steps between the first and last record: how many, and the longest gap."""
    seconds = ctx.table.time.step_seconds
    for problem in ctx.facts.problems_of(ProblemKind.TIME_GAPS):
        details = problem.details
        longest = details["longest_missing_steps"]
        yield _summary(
            problem,
            ctx,
            f"{problem.count} time steps ({describe_step(problem.count * seconds)}) are missing "
            f"in {details['gaps']} gaps; the longest ({describe_step(longest * seconds)}) runs "
            f"from {details['longest_from']} to {details['longest_to']}",
            expected=f"a record every {describe_step(seconds)}",
            actual={"missing_steps": problem.count, "gaps": details["gaps"]},
        )


@check("T011", "time-outside-coverage", scope=TABLE_FILE)
def time_outside_coverage(ctx: TableContext) -> Iterator[Issue]:
    """Records whose interval lies outside the dataset's declared temporal coverage."""
    for problem in ctx.facts.problems_of(ProblemKind.TIME_OUTSIDE_COVERAGE):
        yield _summary(
            problem,
            ctx,
            f"{problem.count} records lie outside the temporal coverage",
            expected=problem.details.get("coverage"),
        )


@check("T012", "value-out-of-range", scope=TABLE_FILE)
def table_value_out_of_range(ctx: TableContext) -> Iterator[Issue]:
    """Values of a column outside its limits (declared, or from the variable pack); missing
    codes are NA first, so -6999 is never out of range."""
    found = {column.name: column for column in ctx.facts.columns}
    for problem in ctx.facts.problems_of(ProblemKind.OUT_OF_RANGE):
        rule = column_rule(ctx.table, problem.column or "")
        limits = {"min": rule.min, "max": rule.max, "unit": rule.unit} if rule else None
        actual: dict[str, object] = {"rows": problem.count}
        column = found.get(problem.column or "")
        if rule is not None and column is not None:
            # the column's extremes that pass its limits: how far out the values are
            if rule.min is not None and column.minimum is not None and column.minimum < rule.min:
                actual["min"] = column.minimum
            if rule.max is not None and column.maximum is not None and column.maximum > rule.max:
                actual["max"] = column.maximum
        yield _summary(
            problem,
            ctx,
            f"{problem.count} values of {problem.column} are out of range",
            expected=limits,
            actual=actual,
        )


@check("T013", "too-many-missing", scope=TABLE_FILE)
def too_many_missing(ctx: TableContext) -> Iterator[Issue]:
    """The share of missing values in a column (after missing codes became NA) is too high."""
    for column in ctx.facts.columns:
        rule = column_rule(ctx.table, column.name)
        limit = (
            rule.max_missing_fraction
            if rule and rule.max_missing_fraction is not None
            else (ctx.table.max_missing_fraction)
        )
        if limit is not None and column.missing_fraction > limit:
            yield Issue(
                f"{column.missing_fraction:.1%} of {column.name} is missing",
                ctx.at(column.name),
                expected=f"<= {limit:.0%}",
                actual={"missing": column.missing, "rows": column.rows},
            )


@check("T014", "missing-code-in-data", scope=TABLE_FILE)
def missing_code_in_data(ctx: TableContext) -> Iterator[Issue]:
    """A common fill value the spec does not declare (-9999 in a file declared with -6999);
    it is treated as missing for the other checks."""
    for problem in ctx.facts.problems_of(ProblemKind.MISSING_CODE):
        yield _summary(
            problem,
            ctx,
            f"{problem.count} values of {problem.column} are the undeclared fill "
            f"value {problem.details['code']:g}",
            expected=list(ctx.table.missing_values),
            actual=problem.details["code"],
        )


@check("T015", "station-outside-extent", scope=TABLE_FILE)
def station_outside_extent(ctx: TableContext) -> Iterator[Issue]:
    """The station's location lies outside the dataset's declared extent."""
    extent, station = ctx.spec.dataset.extent, ctx.station
    if extent is None or station is None:
        return
    if not (
        extent.west <= station.lon <= extent.east and extent.south <= station.lat <= extent.north
    ):
        yield Issue(
            "the station lies outside the dataset extent",
            ctx.at("station"),
            expected=list(extent.as_tuple()),
            actual=[station.lon, station.lat],
        )


@check("T016", "column-alias", Severity.INFO, scope=TABLE_FILE)
def column_alias(ctx: TableContext) -> Iterator[Issue]:
    """A declared column was found under one of its aliases or another letter case."""
    for column in ctx.facts.columns:
        if column.alias:
            yield Issue(
                f"column {column.name} found as {column.header}",
                ctx.at(column.name),
                expected=column.name,
                actual=column.header,
            )


@check("T017", "station-unknown", scope=TABLE_FILE)
def station_unknown(ctx: TableContext) -> Iterator[Issue]:
    """The table's station field names a station the spec's stations table does not list."""
    if ctx.table.station_field and ctx.station is None:
        yield Issue(
            "station not in the spec's stations table",
            ctx.at("station"),
            expected=sorted(ctx.spec.stations),
        )


def station_of(spec: Spec, table: TableProduct, entry: InventoryEntry) -> Station | None:
    """Where the table's station stands: declared in the table, or looked up by its field."""
    if table.station is not None:
        return table.station
    if table.station_field is not None:
        return spec.stations.get(str(entry.fields.get(table.station_field)))
    return None
