"""The dataset inventory as a table: one row per file with its facts, for the JSON report,
the ``--inventory`` CSV, and the series rules expressed as a pandera schema over it."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import heapq
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from tpqc.validators.dataset.members import Member
from tpqc.validators.dataset.summary import Columns
from tpqc.validators.findings import FileEntries, JSONValue

GRID_COLUMNS = ("crs", "transform", "shape", "bands", "dtype", "nodata")
COLUMNS = (
    "path",
    "product",
    "matched",
    "series",
    "member",
    "member_start",
    "member_end",
    "crs",
    "transform",
    "shape",
    "bands",
    "dtype",
    "nodata",
    "res_x",
    "res_y",
    "west",
    "south",
    "east",
    "north",
    "valid_fraction",
    "valid_mean",
    "size",
    "sha256",
)


class InventoryRow(Columns):
    """One row of the inventory: a compact mapping over every one of :data:`COLUMNS` (None
    where the file has no value; a million rows as dicts of 23 keys would be over a
    gigabyte)."""

    __slots__ = ()

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__({column: values.get(column) for column in COLUMNS})


@functools.lru_cache(maxsize=4096)
def _series_text(group: tuple[tuple[str, str], ...]) -> str:
    """A series' non-time fields as one column (``tile=T01``): one string per series,
    shared by its members' rows."""
    return ",".join(f"{k}={v}" for k, v in group)


def _instant(moment: dt.datetime) -> str:
    """An instant in ISO 8601 with ``Z``: one string per instant, shared by the rows of
    the members that start or end then."""
    # keyed with the offset too: equal instants of two time zones are written apart
    return _instant_text(moment, moment.utcoffset())


@functools.lru_cache(maxsize=4096)
def _instant_text(moment: dt.datetime, offset: dt.timedelta | None) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _row(path: str, member: Member | None, columns: Mapping[str, Any] | None) -> InventoryRow:
    """One file's row: its series membership (when it is a member) and its summary's
    columns (``None``: a file no product matched)."""
    row: dict[str, Any] = {
        "path": path,
        "matched": member.matched if member else columns is not None,
    }
    if member is not None:
        row.update(
            product=member.product,
            series=_series_text(member.group),
            member=member.key,
            member_start=_instant(member.start),
            member_end=_instant(member.end),
        )
    if columns is not None:
        row.update(columns)
    return InventoryRow(row)


SERIES_ROW_COLUMNS = (
    "path",
    "product",
    "series",
    "member",
    *GRID_COLUMNS,
    "valid_fraction",
    "valid_mean",
)
"""What the series rules and the outlier check read of a member's row."""


class SeriesRow(Mapping[str, Any]):
    """A series member as the series rules see it (:data:`SERIES_ROW_COLUMNS`): its path,
    product, series and key are its member's own, its grid columns one tuple shared by
    every member on the same grid, its outlier columns two numbers; made when read from the
    series table (:mod:`.series_table`) and never held (the report's full row is made again
    from the file's facts when it is rendered)."""

    __slots__ = ("_grid", "_member", "_valid_fraction", "_valid_mean")

    def __init__(
        self,
        member: Member,
        grid: tuple[Any, ...],
        valid_fraction: Any = None,
        valid_mean: Any = None,
    ) -> None:
        self._member, self._grid = member, grid
        self._valid_fraction, self._valid_mean = valid_fraction, valid_mean

    @property
    def member(self) -> Member:
        """The member the row is of."""
        return self._member

    def __getitem__(self, name: str) -> Any:
        member = self._member
        if name == "path":
            return member.path
        if name == "product":
            return member.product
        if name == "series":
            return _series_text(member.group)
        if name == "member":
            return member.key
        if name == "valid_fraction":
            return self._valid_fraction
        if name == "valid_mean":
            return self._valid_mean
        try:
            return self._grid[GRID_COLUMNS.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(SERIES_ROW_COLUMNS)

    def __len__(self) -> int:
        return len(SERIES_ROW_COLUMNS)

    def __repr__(self) -> str:
        return f"SeriesRow({dict(self)!r})"


def rows_on_read(
    members: Mapping[str, Member],
    paths: Iterable[str],
    columns_of: Callable[[str], Mapping[str, Any] | None],
) -> FileEntries:
    """Every file's inventory row (series members, near-miss names among them, and every
    other file) in path order, each made when a renderer reads it (``columns_of``: a
    matched file's summary columns, from its facts): a report holds no row (a million rows
    were about a gigabyte)."""
    ordered = _sorted_union(paths, members)

    def make(index: int) -> Mapping[str, JSONValue]:
        path = ordered[index]
        return cast("Mapping[str, JSONValue]", _row(path, members.get(path), columns_of(path)))

    return FileEntries(ordered, make)


def _sorted_union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    """Every text of both, once each, sorted: two sorted lists merged (a million paths in
    sets were about 100 MB more)."""
    union: list[str] = []
    for text in heapq.merge(sorted(first), sorted(second)):
        if not union or union[-1] != text:
            union.append(text)
    return union


def rows_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The inventory as CSV text, columns in a fixed order."""
    return "".join(rows_csv_chunks(rows))


def rows_csv_chunks(rows: Iterable[Mapping[str, Any]], per_chunk: int = 1000) -> Iterator[str]:
    """The inventory's CSV text in pieces of ``per_chunk`` rows (a million rows are never
    one string)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for index, row in enumerate(rows, 1):
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in COLUMNS})
        if index % per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@dataclass(frozen=True)
class GridDeviation:
    """A file whose grid attribute differs from what most files of its series share."""

    path: str
    column: str
    value: Any
    common: Any


@dataclass(frozen=True)
class SeriesRuleFailures:
    """What the pandera series schema rejected."""

    duplicates: tuple[str, ...]
    grid: tuple[GridDeviation, ...]


def _obviously_clean(rows: Sequence[Mapping[str, Any]]) -> bool:
    """True when no row can fail the series schema: all members distinct and every series on
    one grid. Then pandas and pandera (0.8 s to import) are not needed to say so."""
    import numpy as np

    # hashes, sorted (8 bytes a member; a collision only sends the rows to pandera)
    keys = np.fromiter(
        (hash((row["product"], row["series"], row["member"])) for row in rows),
        dtype=np.int64,
        count=len(rows),
    )
    keys.sort()
    if bool((keys[1:] == keys[:-1]).any()):
        return False
    del keys
    # the first gridded row of each series, by the series' hash (a collision only compares
    # two series' rows: at worst pandera is asked)
    first_of: dict[int, Mapping[str, Any]] = {}
    for row in rows:
        if row.get("crs") is None:
            continue
        first = first_of.setdefault(hash((row["product"], row["series"])), row)
        if first is not row and any(str(row.get(c)) != str(first.get(c)) for c in GRID_COLUMNS):
            return False
    return True


def series_rule_failures(rows: Sequence[Mapping[str, Any]]) -> SeriesRuleFailures:
    """Run the series schema: one file per (product, series, member); within a series every
    file on the grid most files share. Lazy validation collects every failure."""
    series_rows = rows
    if any(r.get("member") is None for r in rows):  # a series table's rows all have one
        series_rows = [r for r in rows if r.get("member") is not None]
    if len(series_rows) < 2 or _obviously_clean(series_rows):
        return SeriesRuleFailures((), ())
    import pandas as pd
    import pandera.pandas as pa

    frame = pd.DataFrame([dict(r) for r in series_rows], columns=list(SERIES_ROW_COLUMNS))
    frame = frame.astype(dict.fromkeys(SERIES_ROW_COLUMNS, "object"))
    keys = ["product", "series"]
    grid = frame[frame["crs"].notna()]
    common = {
        column: grid.groupby(keys)[column].transform(lambda s: s.astype(str).mode().iloc[0])
        for column in GRID_COLUMNS
    }

    def same_as_most(column: str) -> pa.Check:
        return pa.Check(
            lambda s: (
                s.isna() | (s.astype(str) == common[column].reindex(s.index).fillna(s.astype(str)))
            ),
            name="same_as_most_files_of_series",
        )

    schema = pa.DataFrameSchema(
        {column: pa.Column(object, same_as_most(column), nullable=True) for column in GRID_COLUMNS},
        unique=["product", "series", "member"],
        report_duplicates="all",
    )
    duplicates: set[int] = set()
    deviations: list[GridDeviation] = []
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        for case in errors.failure_cases.itertuples():
            index = int(case.index)
            if case.check == "multiple_fields_uniqueness":
                duplicates.add(index)
            elif case.column in GRID_COLUMNS:
                deviations.append(
                    GridDeviation(
                        str(frame.at[index, "path"]),
                        str(case.column),
                        frame.at[index, case.column],
                        str(common[case.column].at[index]),
                    )
                )
    return SeriesRuleFailures(
        tuple(sorted(str(frame.at[i, "path"]) for i in duplicates)),
        tuple(sorted(set(deviations), key=lambda d: (d.path, d.column))),
    )
