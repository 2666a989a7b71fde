"""Read a station table's header lines and its data in chunks of rows, in bounded memory.

CSV is read by pandas' C parser a chunk at a time, so a table of ten million rows never sits
in memory whole. XLSX is unpacked by calamine, which needs the whole sheet, so a workbook is
refused before it is opened when its sheets would unpack to more than a limit (a 5 MB file
can hold a 1.9 GB sheet). Tables with more rows than a limit are refused as they are read.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tpqc.schemas.spec import TableProduct
from tpqc.validators.kinds.base import DEFAULT_MAX_SHEET_BYTES, DEFAULT_MAX_TABLE_ROWS

CHUNK_ROWS = 200_000
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls")


class TableTooLargeError(ValueError):
    """A table over a size or row limit; refused as implausible, not read further."""


@dataclass(frozen=True)
class TableLimits:
    """How big a table may be before it is refused."""

    max_rows: int = DEFAULT_MAX_TABLE_ROWS
    max_sheet_bytes: int = DEFAULT_MAX_SHEET_BYTES


NO_LIMITS_GIVEN = TableLimits()


def table_format(relative: str, table: TableProduct) -> str:
    """csv or xlsx: declared, else from the file name."""
    if table.format:
        return table.format
    return "xlsx" if Path(relative).suffix.lower() in XLSX_SUFFIXES else "csv"


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


def check_workbook_size(path: Path, limits: TableLimits) -> None:
    """Refuse a workbook whose sheets unpack to more than the limit, before unpacking."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [
                i
                for i in archive.infolist()
                if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml"
            ]
    except zipfile.BadZipFile:
        return  # not a ZIP (an old .xls): the reader says why
    unpacked = sum(i.file_size for i in sheets)
    packed = sum(i.compress_size for i in sheets)
    if unpacked > limits.max_sheet_bytes:
        raise TableTooLargeError(
            f"its sheets unpack to {unpacked} bytes ({packed} compressed), over the limit of "
            f"{limits.max_sheet_bytes}: refused before reading"
        )


def read_head(
    path: Path, fmt: str, rows: int, limits: TableLimits = NO_LIMITS_GIVEN
) -> list[list[str]]:
    """The first lines of a table as text cells (header lines and a few data rows), for
    recognising its layout; the encoding and delimiter are sniffed as for a full read."""
    import pandas as pd

    if fmt == "xlsx":
        check_workbook_size(path, limits)
        frame = pd.read_excel(path, sheet_name=0, header=None, engine="calamine", nrows=rows)
        return [
            ["" if _blank(v) else str(v).strip() for v in row]
            for row in frame.itertuples(index=False)
        ]
    encoding = _sniff_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(65536)
    delimiter = _sniff_delimiter(sample)
    lines = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end inside a line
    return [[cell.strip() for cell in row] for row in lines[:rows]]


def read_chunks(
    path: Path, table: TableProduct, fmt: str, limits: TableLimits = NO_LIMITS_GIVEN
) -> tuple[list[list[str]], Iterator[Any]]:
    """The header lines as text and an iterator of the data rows as untyped DataFrames of
    at most CHUNK_ROWS rows each (row positions continue across chunks)."""
    import pandas as pd

    skip = table.header_rows
    if fmt == "xlsx":
        check_workbook_size(path, limits)
        sheet = table.sheet if table.sheet is not None else 0
        frame = pd.read_excel(path, sheet_name=sheet, header=None, engine="calamine")
        head = [
            ["" if _blank(v) else str(v).strip() for v in row]
            for row in frame.iloc[:skip].itertuples(index=False)
        ]
        body = frame.iloc[skip:].reset_index(drop=True)
        if len(body) > limits.max_rows:
            raise TableTooLargeError(
                f"it has {len(body)} rows, over the limit of {limits.max_rows}"
            )
        chunks = (body.iloc[i : i + CHUNK_ROWS] for i in range(0, max(len(body), 1), CHUNK_ROWS))
        return head, chunks
    encoding = table.encoding or _sniff_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(65536)
    delimiter = table.delimiter or _sniff_delimiter(sample)
    head = [
        [cell.strip() for cell in row]
        for row in list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:skip]
    ]
    reader = pd.read_csv(
        path,
        sep=delimiter,
        header=None,
        skiprows=skip,
        encoding=encoding,
        low_memory=False,
        skipinitialspace=True,
        chunksize=CHUNK_ROWS,
    )
    return head, _counted(reader, limits.max_rows)


def _counted(reader: Any, max_rows: int) -> Iterator[Any]:
    rows = 0
    with reader:
        for chunk in reader:
            rows += len(chunk)
            if rows > max_rows:
                raise TableTooLargeError(
                    f"it has more than {max_rows} rows, the limit: not read on"
                )
            yield chunk
