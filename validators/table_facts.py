"""Everything tpqc knows about one station table, from a single read.

The only module that opens CSV or XLSX tables. It reads the file once (XLSX through the
Rust reader calamine, CSV through pandas' C parser), resolves declared columns and their
aliases, turns missing codes into NA, parses and rounds the time column, runs the table's
pandera schema lazily, and keeps summaries (counts and first examples), never the data.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tpqc.schemas.spec import ColumnRule, TableProduct
from tpqc.schemas.tables import (
    IN_RANGE,
    NOT_BACKWARDS,
    NOT_REPEATED,
    ON_GRID,
    TIME_COLUMN,
    ValueRule,
    table_schema,
)
from tpqc.schemas.units import canonical_unit, same_unit
from tpqc.validators.facts import FileFacts, ReadJob
from tpqc.validators.raster_facts import FileHasher, gdal_reason

COMMON_FILL_CODES = (-9999.0, -6999.0, -99999.0, -999.0)
EXCEL_EPOCH = "1899-12-30"
Example = tuple[int, str | None, Any]


@dataclass(frozen=True)
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

    kind: str
    column: str | None
    count: int
    examples: tuple[Example, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
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

    @property
    def readable(self) -> bool:
        """True when the table could be read and has its time column."""
        return self.read_error is None

    def problems_of(self, kind: str) -> list[Problem]:
        """The problems of one kind, in column order."""
        return [p for p in self.problems if p.kind == kind]


@dataclass(frozen=True)
class TableReadJob(ReadJob):
    """What reading one table needs besides its path: its product, the declared temporal
    coverage, and how many example rows to keep per problem."""

    table: TableProduct
    coverage: tuple[dt.datetime, dt.datetime] | None = None
    max_examples: int = 5

    def read(self, root: str, relative: str) -> TableFacts:
        """Read the table once and return its facts."""
        return read_table_facts(root, relative, self.table, self.coverage, self.max_examples)


def _table_format(relative: str, table: TableProduct) -> str:
    if table.format:
        return table.format
    return "xlsx" if Path(relative).suffix.lower() in (".xlsx", ".xlsm", ".xls") else "csv"


def _read_raw(path: Path, table: TableProduct, fmt: str) -> tuple[list[list[str]], Any]:
    """Header lines as text and the data rows as an untyped DataFrame."""
    import pandas as pd

    skip = table.header_rows
    if fmt == "xlsx":
        sheet = table.sheet if table.sheet is not None else 0
        frame = pd.read_excel(path, sheet_name=sheet, header=None, engine="calamine")
        head = [
            ["" if _blank(v) else str(v).strip() for v in row]
            for row in frame.iloc[:skip].itertuples(index=False)
        ]
        return head, frame.iloc[skip:].reset_index(drop=True)
    encoding = table.encoding or _sniff_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(65536)
    delimiter = table.delimiter or _sniff_delimiter(sample)
    head = [
        [cell.strip() for cell in row]
        for row in list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:skip]
    ]
    frame = pd.read_csv(
        path,
        sep=delimiter,
        header=None,
        skiprows=skip,
        encoding=encoding,
        low_memory=False,
        skipinitialspace=True,
    )
    return head, frame


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sniff_encoding(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(65536)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"  # Chinese data centres often ship GBK-encoded CSV
    return "utf-8-sig"


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", ",;\t").delimiter
    except csv.Error:
        return ","


def _find(headers: Sequence[str], names: Sequence[str]) -> list[int]:
    exact = [i for i, h in enumerate(headers) if h in names]
    if exact:
        return exact
    lowered = {n.lower() for n in names}
    return [i for i, h in enumerate(headers) if h.lower() in lowered]


def _parse_time(raw: Any, fmt: str | None) -> Any:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        numeric = pd.to_numeric(raw, errors="coerce")
        texts = raw.where(numeric.isna())
        parsed = pd.to_datetime(numeric, unit="D", origin=EXCEL_EPOCH, errors="coerce")
        if texts.notna().any():
            as_text = texts.astype("string").str.strip()
            from_text = (
                pd.to_datetime(as_text, format=fmt, errors="coerce")
                if fmt
                else pd.to_datetime(as_text, format="mixed", errors="coerce")
            )
            parsed = parsed.fillna(from_text)
    # Excel stores times as fractions of a day: 01:29:59.990 is 01:30 with float noise.
    return parsed.astype("datetime64[ns]").dt.round("1s")


def _stamp(value: Any) -> str | None:
    return None if value is None or value != value else str(value)


def _examples(
    indices: Iterable[Any],
    frame: Any,
    column: str | None,
    first_row: int,
    limit: int,
    values: Any = None,
) -> tuple[Example, ...]:
    out = []
    for index in sorted(indices)[:limit]:
        time = frame[TIME_COLUMN].iat[index] if TIME_COLUMN in frame else None
        value = (
            values.iat[index]
            if values is not None
            else frame[column].iat[index]
            if column in frame
            else None
        )
        if isinstance(value, float) and math.isnan(value):
            value = None
        out.append((first_row + int(index), _stamp(time), _plain(value)))
    return tuple(out)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, int | float | str) else str(value)


def read_table_facts(
    root: str,
    relative: str,
    table: TableProduct,
    coverage: tuple[dt.datetime, dt.datetime] | None = None,
    max_examples: int = 5,
) -> TableFacts:
    """Read one table once and return its facts and summarised problems."""
    from tpqc.schemas.locations import is_remote

    if is_remote(root):
        return _read_remote_table(root, relative, table, coverage, max_examples)
    path = Path(root) / relative
    try:
        size = path.stat().st_size
    except OSError as exc:
        return TableFacts(path=relative, read_error=str(exc))
    hasher = FileHasher(root, relative)
    hasher.start()
    try:
        facts = _analyse(path, relative, table, coverage, max_examples, size)
    except Exception as exc:  # any reader failure is a finding for this file, not a crash
        facts = TableFacts(path=relative, size_bytes=size, read_error=gdal_reason(exc))
    hasher.join()
    return dataclasses.replace(facts, sha256=hasher.digest)


def _read_remote_table(
    root: str,
    relative: str,
    table: TableProduct,
    coverage: tuple[dt.datetime, dt.datetime] | None,
    max_examples: int,
) -> TableFacts:
    """Download a remote table once into a temporary folder, then read it as a local file."""
    import shutil
    import tempfile
    import urllib.request

    from tpqc.validators.remote import http_url, join

    url = http_url(join(root, relative))
    if url is None:
        return TableFacts(path=relative, read_error="remote tables must be http(s) or /vsicurl/")
    with tempfile.TemporaryDirectory(prefix="tpqc-table-") as folder:
        local = Path(folder) / Path(relative).name
        try:
            with urllib.request.urlopen(url, timeout=60) as response, local.open("wb") as out:
                shutil.copyfileobj(response, out)
        except OSError as exc:
            return TableFacts(path=relative, read_error=str(exc))
        facts = read_table_facts(folder, local.name, table, coverage, max_examples)
    return dataclasses.replace(facts, path=relative)


def _analyse(
    path: Path,
    relative: str,
    table: TableProduct,
    coverage: tuple[dt.datetime, dt.datetime] | None,
    limit: int,
    size: int,
) -> TableFacts:
    import numpy as np
    import pandas as pd

    head, raw = _read_raw(path, table, _table_format(relative, table))
    if not head or not any(head[0]):
        return TableFacts(path=relative, size_bytes=size, read_error="no header row")
    headers = head[0] + [""] * max(0, raw.shape[1] - len(head[0]))
    units_line = (
        head[table.units_row - 1] if table.units_row and len(head) >= table.units_row else []
    )
    first_row = table.header_rows + 1
    time_at = _find(headers, [table.time.column, *table.time.aliases])
    if not time_at:
        return TableFacts(
            path=relative,
            size_bytes=size,
            rows=len(raw),
            headers=tuple(headers),
            read_error=f"time column {table.time.column!r} not found",
        )
    frame = pd.DataFrame({TIME_COLUMN: _parse_time(raw.iloc[:, time_at[0]], table.time.format)})
    columns: list[ColumnFacts] = []
    missing_columns: list[str] = []
    duplicates: list[tuple[str, tuple[str, ...]]] = []
    unit_mismatches: list[tuple[str, str, str]] = []
    problems: list[Problem] = []
    used = {time_at[0]}
    rules: list[ValueRule] = []
    declared_codes = set(table.missing_values)
    for rule in table.columns:
        found = _find(headers, [rule.name, *rule.aliases])
        used.update(found)
        if not found:
            if rule.required:
                missing_columns.append(rule.name)
            continue
        if len(found) > 1:
            duplicates.append((rule.name, tuple(headers[i] for i in found)))
            found.sort(key=lambda i: headers[i] != rule.name)  # the exact name wins
        at = found[0]
        values = pd.to_numeric(raw.iloc[:, at], errors="coerce").astype("float64")
        for code in declared_codes:
            values = values.mask(values == code)
        for code in COMMON_FILL_CODES:
            if code in declared_codes:
                continue
            hits = np.flatnonzero((values == code).to_numpy())
            if hits.size:
                problems.append(
                    Problem(
                        "missing_code",
                        rule.name,
                        int(hits.size),
                        _examples(hits, frame, None, first_row, limit, values),
                        {"code": code},
                    )
                )
                values = values.mask(values == code)
        frame[rule.name] = values
        unit = units_line[at] if at < len(units_line) and units_line[at] else None
        if unit is not None and not same_unit(unit, rule.unit):
            unit_mismatches.append((rule.name, str(rule.unit), unit))
        else:  # values in another unit would only repeat the unit finding as range failures
            rules.append(ValueRule(rule.name, rule.min, rule.max))
        valid = values.dropna()
        columns.append(
            ColumnFacts(
                name=rule.name,
                header=headers[at],
                alias=headers[at] != rule.name,
                unit=canonical_unit(unit) if unit else canonical_unit(rule.unit),
                declared_unit=rule.unit,
                description=rule.description,
                dtype="number",
                rows=len(values),
                missing=int(values.isna().sum()),
                minimum=float(valid.min()) if len(valid) else None,
                maximum=float(valid.max()) if len(valid) else None,
            )
        )
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
    problems += _time_problems(frame, raw.iloc[:, time_at[0]], table, coverage, first_row, limit)
    problems += _schema_problems(frame, rules, table, first_row, limit)
    times = frame[TIME_COLUMN].dropna()
    return TableFacts(
        path=relative,
        size_bytes=size,
        rows=len(frame),
        headers=tuple(headers),
        first_data_row=first_row,
        time_header=headers[time_at[0]],
        columns=tuple(columns),
        missing_columns=tuple(missing_columns),
        unexpected_columns=unexpected,
        duplicate_columns=tuple(duplicates),
        unit_mismatches=tuple(unit_mismatches),
        problems=tuple(problems),
        time_start=_stamp(times.min()) if len(times) else None,
        time_end=_stamp(times.max()) if len(times) else None,
    )


def _time_problems(
    frame: Any,
    raw_time: Any,
    table: TableProduct,
    coverage: tuple[dt.datetime, dt.datetime] | None,
    first_row: int,
    limit: int,
) -> list[Problem]:
    import numpy as np
    import pandas as pd

    problems: list[Problem] = []
    times = frame[TIME_COLUMN]
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        problems.append(
            Problem(
                "time_unparseable",
                table.time.column,
                int(bad.size),
                _examples(bad, frame, None, first_row, limit, raw_time),
            )
        )
    step = pd.Timedelta(seconds=table.time.step_seconds)
    valid = times.dropna()
    # An off-grid timestamp (reported as irregular) still fills the step it is nearest to.
    snapped = (
        valid.iloc[0] + ((valid - valid.iloc[0]) / step).round() * step if len(valid) else valid
    )
    ordered = snapped.drop_duplicates().sort_values()
    gaps = ordered.diff()
    long = gaps[gaps > step]
    if len(long):
        missing_steps = (long // step - 1).astype("int64")
        if bad.size:  # rows whose time is unreadable still fill their slot
            previous = pd.Series(ordered.index, index=ordered.index).shift()
            for index in long.index:
                low, high = sorted((int(previous[index]), int(index)))
                missing_steps[index] -= int(((bad > low) & (bad < high)).sum())
            missing_steps = missing_steps[missing_steps > 0]
            long = long[missing_steps.index]
    if len(long):
        worst = int(missing_steps.to_numpy().argmax())
        end_index = long.index[worst]
        gap_end = times.loc[end_index]
        gap_start = gap_end - long.iloc[worst]
        problems.append(
            Problem(
                "time_gaps",
                table.time.column,
                int(missing_steps.sum()),
                tuple(
                    (first_row + int(i), _stamp(times.loc[i]), int(n))
                    for i, n in list(zip(missing_steps.index, missing_steps, strict=True))[:limit]
                ),
                {
                    "gaps": len(long),
                    "longest_missing_steps": int(missing_steps.iloc[worst]),
                    "longest_from": _stamp(gap_start),
                    "longest_to": _stamp(gap_end),
                },
            )
        )
    if coverage is not None and len(ordered):
        start, end = (c.replace(tzinfo=None) for c in coverage)
        lower = times - step if table.time.label == "end" else times
        upper = times if table.time.label == "end" else times + step
        outside = np.flatnonzero(
            ((upper <= start) | (lower >= end + pd.Timedelta(seconds=1))).fillna(False).to_numpy()
        )
        if outside.size:
            problems.append(
                Problem(
                    "time_outside_coverage",
                    table.time.column,
                    int(outside.size),
                    _examples(outside, frame, None, first_row, limit, times),
                    {"coverage": [_stamp(start), _stamp(end)]},
                )
            )
    return problems


CHECK_KINDS = {
    IN_RANGE: "out_of_range",
    NOT_BACKWARDS: "time_not_monotonic",
    NOT_REPEATED: "time_duplicate",
    ON_GRID: "time_irregular",
}


def _schema_problems(
    frame: Any, rules: Sequence[ValueRule], table: TableProduct, first_row: int, limit: int
) -> list[Problem]:
    import pandera.pandas as pa

    valid_times = frame[TIME_COLUMN].dropna()
    origin = valid_times.iloc[0] if len(valid_times) else None
    schema = table_schema(rules, table.time.step_seconds * 10**9, origin)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()]
        problems = []
        for (column, check), group in cases.groupby(["column", "check"], sort=True):
            # Custom time checks keep their names; pandera names its built-in range checks
            # after their bounds (in_range(0, 100)), and value columns carry nothing else.
            kind = CHECK_KINDS.get(str(check)) if column == TIME_COLUMN else "out_of_range"
            if kind is None:
                continue
            indices = [int(i) for i in group["index"]]
            name = table.time.column if column == TIME_COLUMN else str(column)
            values = frame[TIME_COLUMN] if column == TIME_COLUMN else frame[column]
            problems.append(
                Problem(
                    kind,
                    name,
                    len(indices),
                    _examples(indices, frame, None, first_row, limit, values),
                )
            )
        return problems
    return []


def column_rule(table: TableProduct, name: str) -> ColumnRule | None:
    """The declared rule of a column by its spec name."""
    return next((c for c in table.columns if c.name == name), None)
