"""Everything tpqc knows about one station table, from a single read.

The only module that reads CSV or XLSX tables (through :mod:`table_read`). It reads the
file once, a chunk of rows at a time: resolves declared columns and their aliases, turns
missing codes into NA, runs the table's pandera value schema lazily on each chunk, and keeps
summaries (counts and first examples), never the data. The time column is kept as one
compact array and checked as a whole (:mod:`table_time`). Memory is bounded by the chunk
size plus 8 bytes a row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tpqc.schemas.spec import ColumnRule, TableProduct
from tpqc.schemas.tables import ValueRule, table_schema
from tpqc.schemas.units import canonical_unit, same_unit
from tpqc.validators.engine.checksum import hashed_while
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.engine.remote import gdal_reason
from tpqc.validators.kinds.table.chunks import (
    NO_LIMITS_GIVEN,
    TableLimits,
    TableTooLargeError,
    read_chunks,
    table_format,
)
from tpqc.validators.kinds.table.problems import ProblemKind
from tpqc.validators.kinds.table.sketch import SketchBuilder
from tpqc.validators.kinds.table.timestamps import (
    NAT,
    TimeProblem,
    parse_time,
    stamp,
    time_problems,
)
from tpqc.validators.render.pictures import ColumnSketch

COMMON_FILL_CODES = (-9999.0, -6999.0, -99999.0, -999.0)
Example = tuple[int, str | None, Any]


@dataclass(frozen=True, slots=True)
class ColumnFacts:
    """A declared column as found: its header, unit, counts and range (missing codes as NA)."""

    name: str
    header: str
    alias: bool
    unit: str | None
    declared_unit: str | None
    description: str | None
    dtype: str
    rows: int
    missing: int
    minimum: float | None
    maximum: float | None

    @property
    def missing_fraction(self) -> float:
        """Share of rows that are NA after missing codes were removed."""
        return self.missing / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class Problem:
    """A summarised failure: what, where, how many, and the first few rows."""

    kind: ProblemKind
    column: str | None
    count: int
    examples: tuple[Example, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TableFacts(FileFacts):
    """What one read of a station table established. Problems are recorded, never raised."""

    read_error: str | None = None
    rows: int = 0
    headers: tuple[str, ...] = ()
    first_data_row: int = 2
    time_header: str | None = None
    columns: tuple[ColumnFacts, ...] = ()
    missing_columns: tuple[str, ...] = ()
    unexpected_columns: tuple[str, ...] = ()
    duplicate_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unit_mismatches: tuple[tuple[str, str, str], ...] = ()
    problems: tuple[Problem, ...] = ()
    time_start: str | None = None
    time_end: str | None = None
    refused: str | None = None
    """Why the table was refused as implausibly large (not read to its end)."""
    sketches: tuple[ColumnSketch, ...] = ()
    """Each declared column's shape over time, when the read was asked for it."""

    @property
    def readable(self) -> bool:
        """True when the table could be read (to its end) and has its time column."""
        return self.read_error is None and self.refused is None

    def problems_of(self, kind: ProblemKind) -> list[Problem]:
        """The problems of one kind, in column order."""
        return [p for p in self.problems if p.kind == kind]


@dataclass(frozen=True)
class TableReadJob(ReadJob):
    """What reading one table needs besides its path: its product, the declared temporal
    coverage, and how many example rows to keep per problem."""

    table: TableProduct
    coverage: tuple[dt.datetime, dt.datetime] | None = None
    max_examples: int = 5
    limits: TableLimits = NO_LIMITS_GIVEN
    sketch: bool = False
    """Also keep each column's shape over time (for the HTML report)."""

    def read(self, root: str, relative: str) -> TableFacts:
        """Read the table once and return its facts."""
        return read_table_facts(
            root,
            relative,
            self.table,
            self.coverage,
            self.max_examples,
            self.limits,
            sketch=self.sketch,
        )


def _find(headers: Sequence[str], names: Sequence[str]) -> list[int]:
    exact = [i for i, h in enumerate(headers) if h in names]
    if exact:
        return exact
    lowered = {n.lower() for n in names}
    return [i for i, h in enumerate(headers) if h.lower() in lowered]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, int | float | str) else str(value)


@dataclass
class _Tally:
    """A count and the first examples of one problem, gathered across chunks."""

    count: int = 0
    examples: list[Example] = field(default_factory=list)

    def add(self, count: int, examples: Sequence[Example], limit: int) -> None:
        self.count += count
        self.examples = (self.examples + list(examples))[:limit]


@dataclass
class _Column:
    """One declared column being read: where it is, and what was found so far."""

    rule: ColumnRule
    at: int
    header: str
    unit: str | None
    checked: bool
    """False when its unit differs from the declared one (no range check then)."""
    rows: int = 0
    missing: int = 0
    minimum: float = math.inf
    maximum: float = -math.inf
    codes: dict[float, _Tally] = field(default_factory=dict)
    out_of_range: _Tally = field(default_factory=_Tally)

    def facts(self) -> ColumnFacts:
        has = self.rows > self.missing
        return ColumnFacts(
            name=self.rule.name,
            header=self.header,
            alias=self.header != self.rule.name,
            unit=canonical_unit(self.unit) if self.unit else canonical_unit(self.rule.unit),
            declared_unit=self.rule.unit,
            description=self.rule.description,
            dtype="number",
            rows=self.rows,
            missing=self.missing,
            minimum=self.minimum if has else None,
            maximum=self.maximum if has else None,
        )


def read_table_facts(
    root: str,
    relative: str,
    table: TableProduct,
    coverage: tuple[dt.datetime, dt.datetime] | None = None,
    max_examples: int = 5,
    limits: TableLimits = NO_LIMITS_GIVEN,
    *,
    sketch: bool = False,
) -> TableFacts:
    """Read one table once and return its facts and summarised problems."""
    from tpqc.schemas.locations import is_remote

    if is_remote(root):
        return _read_remote_table(root, relative, table, coverage, max_examples, limits)
    path = Path(root) / relative
    try:
        size = path.stat().st_size
    except OSError as exc:
        return TableFacts(path=relative, read_error=str(exc))

    def read() -> TableFacts:
        try:
            return _analyse(path, relative, table, coverage, max_examples, size, limits, sketch)
        except TableTooLargeError as exc:
            return TableFacts(path=relative, size_bytes=size, refused=str(exc))
        except Exception as exc:  # any reader failure is a finding for this file, not a crash
            return TableFacts(path=relative, size_bytes=size, read_error=gdal_reason(exc))

    facts, digest = hashed_while(root, relative, read)
    return dataclasses.replace(facts, sha256=digest)


def _read_remote_table(
    root: str,
    relative: str,
    table: TableProduct,
    coverage: tuple[dt.datetime, dt.datetime] | None,
    max_examples: int,
    limits: TableLimits,
) -> TableFacts:
    """Download a remote table (http(s) or a bucket) once into a temporary folder, then read
    it as a local file."""
    from tpqc.validators.engine.remote import local_copy

    try:
        with local_copy(root, relative) as local:
            facts = read_table_facts(
                str(local.parent), local.name, table, coverage, max_examples, limits
            )
    except OSError as exc:
        return TableFacts(path=relative, read_error=str(exc))
    return dataclasses.replace(facts, path=relative)


@dataclass(frozen=True)
class _Layout:
    """Where the declared columns are in the file, resolved once from its header."""

    headers: tuple[str, ...]
    time_at: int
    columns: tuple[_Column, ...]
    missing: tuple[str, ...]
    duplicates: tuple[tuple[str, tuple[str, ...]], ...]
    unexpected: tuple[str, ...]
    unit_mismatches: tuple[tuple[str, str, str], ...]


def _layout(table: TableProduct, head: list[list[str]], width: int) -> _Layout | str:
    """The file's columns against the declared ones, or why the table cannot be read."""
    if not head or not any(head[0]):
        return "no header row"
    headers = head[0] + [""] * max(0, width - len(head[0]))
    units_line = (
        head[table.units_row - 1] if table.units_row and len(head) >= table.units_row else []
    )
    time_at = _find(headers, [table.time.column, *table.time.aliases])
    if not time_at:
        return f"time column {table.time.column!r} not found"
    columns: list[_Column] = []
    missing: list[str] = []
    duplicates: list[tuple[str, tuple[str, ...]]] = []
    mismatches: list[tuple[str, str, str]] = []
    used = {time_at[0]}
    for rule in table.columns:
        found = _find(headers, [rule.name, *rule.aliases])
        used.update(found)
        if not found:
            if rule.required:
                missing.append(rule.name)
            continue
        if len(found) > 1:
            duplicates.append((rule.name, tuple(headers[i] for i in found)))
            found.sort(key=lambda i: headers[i] != rule.name)  # the exact name wins
        at = found[0]
        unit = units_line[at] if at < len(units_line) and units_line[at] else None
        agrees = unit is None or same_unit(unit, rule.unit)
        if not agrees:
            mismatches.append((rule.name, str(rule.unit), str(unit)))
        columns.append(_Column(rule, at, headers[at], unit, checked=agrees))
    names_seen: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if header:
            names_seen.setdefault(header, []).append(index)
    for header, places in names_seen.items():
        if len(places) > 1 and not any(header in names for _, names in duplicates):
            duplicates.append((header, tuple(headers[i] for i in places)))
    unexpected = (
        ()
        if table.unexpected_columns == "allow" or not table.columns
        else tuple(h for i, h in enumerate(headers) if i not in used and h)
    )
    return _Layout(
        tuple(headers),
        time_at[0],
        tuple(columns),
        tuple(missing),
        tuple(duplicates),
        unexpected,
        tuple(mismatches),
    )


def _analyse(
    path: Path,
    relative: str,
    table: TableProduct,
    coverage: tuple[dt.datetime, dt.datetime] | None,
    limit: int,
    size: int,
    limits: TableLimits,
    sketch: bool = False,
) -> TableFacts:
    head, chunks = read_chunks(path, table, table_format(relative, table), limits)
    first_row = table.header_rows + 1
    chunk_iter: Iterator[Any] = iter(chunks)
    first = next(chunk_iter, None)
    width = first.shape[1] if first is not None else len(head[0] if head else [])
    layout = _layout(table, head, width)
    if isinstance(layout, str):
        rows = 0 if first is None else len(first) + sum(len(c) for c in chunk_iter)
        headers = tuple(head[0]) if head else ()
        return TableFacts(
            path=relative, size_bytes=size, rows=rows, headers=headers, read_error=layout
        )
    declared = set(table.missing_values)
    rules = [ValueRule(c.rule.name, c.rule.min, c.rule.max) for c in layout.columns if c.checked]
    schema = table_schema(rules)
    builders = [SketchBuilder(c.rule.name) for c in layout.columns] if sketch else []
    times: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    unreadable: list[tuple[int, Any]] = []
    bad_count, offset = 0, 0
    for chunk in _with_first(first, chunk_iter):
        raw_time = chunk.iloc[:, layout.time_at]
        parsed = parse_time(raw_time, table.time.format)
        stamps = parsed.to_numpy(dtype="datetime64[ns]").view(np.int64)
        bad = np.flatnonzero(stamps == NAT)
        bad_count += int(bad.size)
        for position in bad[: max(0, limit - len(unreadable))]:
            unreadable.append((offset + int(position), _plain(raw_time.iat[int(position)])))
        times.append(stamps)
        frame = _fold_columns(chunk, layout.columns, declared, stamps, offset, first_row, limit)
        _check_values(schema, frame, layout.columns, stamps, offset, first_row, limit)
        for builder in builders:
            builder.add(frame[builder.name].to_numpy(dtype=np.float64), stamps, offset)
        offset += len(chunk)
    all_times = np.concatenate(times) if times else np.zeros(0, np.int64)
    times.clear()
    problems = _column_problems(layout.columns)
    problems += _time_findings(
        time_problems(
            all_times, unreadable, bad_count, table, table.time.step_seconds, coverage, limit
        ),
        table,
        all_times,
        first_row,
    )
    valid = all_times[all_times != NAT]
    return TableFacts(
        path=relative,
        size_bytes=size,
        rows=offset,
        headers=layout.headers,
        first_data_row=first_row,
        time_header=layout.headers[layout.time_at],
        columns=tuple(c.facts() for c in layout.columns),
        missing_columns=layout.missing,
        unexpected_columns=layout.unexpected,
        duplicate_columns=layout.duplicates,
        unit_mismatches=layout.unit_mismatches,
        problems=tuple(problems),
        time_start=stamp(int(valid.min())) if valid.size else None,
        time_end=stamp(int(valid.max())) if valid.size else None,
        sketches=tuple(b.sketch() for b in builders),
    )


def _with_first(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest


def _fold_columns(
    chunk: Any,
    columns: Sequence[_Column],
    declared: set[float],
    stamps: np.ndarray[Any, np.dtype[np.int64]],
    offset: int,
    first_row: int,
    limit: int,
) -> Any:
    """Numeric values of the declared columns of one chunk, missing codes as NA; counts,
    ranges and undeclared fill codes folded into each column. Returns the chunk's frame of
    declared columns by their spec names, for the value schema."""
    import pandas as pd

    frame = {}
    for column in columns:
        values = pd.to_numeric(chunk.iloc[:, column.at], errors="coerce").astype("float64")
        for code in declared:
            values = values.mask(values == code)
        for code in COMMON_FILL_CODES:
            if code in declared:
                continue
            hits = np.flatnonzero((values == code).to_numpy())
            if hits.size:
                examples = [
                    (first_row + offset + int(i), stamp(int(stamps[i])), code) for i in hits[:limit]
                ]
                column.codes.setdefault(code, _Tally()).add(int(hits.size), examples, limit)
                values = values.mask(values == code)
        column.rows += len(values)
        column.missing += int(values.isna().sum())
        if values.notna().any():
            column.minimum = min(column.minimum, float(values.min()))
            column.maximum = max(column.maximum, float(values.max()))
        frame[column.rule.name] = values.reset_index(drop=True)
    return pd.DataFrame(frame)


def _check_values(
    schema: Any,
    frame: Any,
    columns: Sequence[_Column],
    stamps: np.ndarray[Any, np.dtype[np.int64]],
    offset: int,
    first_row: int,
    limit: int,
) -> None:
    """Run the pandera value schema on one chunk; fold its failures into the columns."""
    import pandera.pandas as pa

    if frame.empty:
        return
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()]
        by_name = {c.rule.name: c for c in columns}
        for name, group in cases.groupby("column", sort=True):
            column = by_name.get(str(name))
            if column is None:
                continue
            rows = sorted(int(i) for i in group["index"])
            examples = [
                (first_row + offset + r, stamp(int(stamps[r])), _plain(frame[str(name)].iat[r]))
                for r in rows[:limit]
            ]
            column.out_of_range.add(len(rows), examples, limit)


def _column_problems(columns: Sequence[_Column]) -> list[Problem]:
    problems: list[Problem] = []
    for column in columns:
        for code, tally in column.codes.items():
            problems.append(
                Problem(
                    ProblemKind.MISSING_CODE,
                    column.rule.name,
                    tally.count,
                    tuple(tally.examples),
                    {"code": code},
                )
            )
    for column in columns:
        if column.out_of_range.count:
            problems.append(
                Problem(
                    ProblemKind.OUT_OF_RANGE,
                    column.rule.name,
                    column.out_of_range.count,
                    tuple(column.out_of_range.examples),
                )
            )
    return problems


def _time_findings(
    found: Sequence[TimeProblem],
    table: TableProduct,
    times: np.ndarray[Any, np.dtype[np.int64]],
    first_row: int,
) -> list[Problem]:
    """Time problems as table problems: row numbers as in the file, each row's time."""
    problems = []
    for problem in found:
        examples = tuple(
            (first_row + row, stamp(int(times[row])), value)
            for row, value in zip(problem.rows, problem.values, strict=True)
        )
        problems.append(
            Problem(problem.kind, table.time.column, problem.count, examples, problem.details)
        )
    return problems


def column_rule(table: TableProduct, name: str) -> ColumnRule | None:
    """The declared rule of a column by its spec name."""
    return next((c for c in table.columns if c.name == name), None)
