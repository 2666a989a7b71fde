"""STAC items of station tables: a Point at the station, the data's time span, the table
extension (columns with type, unit and description; row count), file size and checksum."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pystac
from pystac.extensions.file import FileExtension
from pystac.extensions.table import Column, TableExtension

from tpqc.schemas.spec import Station, TableProduct
from tpqc.schemas.spec_values import describe_step
from tpqc.stac.build import ASSET_KEY, multihash_sha256
from tpqc.stac.items import PublishedFile
from tpqc.validators.kinds.table import table_product
from tpqc.validators.kinds.table.checks import station_of
from tpqc.validators.kinds.table.reader import TableFacts

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".dat": "text/plain",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
}


def _utc(local: str, timezone: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(local)
    if timezone in ("UTC", "Z"):
        return moment.replace(tzinfo=dt.UTC)
    sign = -1 if timezone.startswith("-") else 1
    hours, minutes = (int(part) for part in timezone[1:].split(":"))
    offset = dt.timedelta(hours=hours, minutes=minutes) * sign
    return (moment - offset).replace(tzinfo=dt.UTC)


def table_interval(facts: TableFacts, table: TableProduct) -> tuple[dt.datetime, dt.datetime]:
    """The UTC span the records cover: a timestamp labels the end (or start) of its step."""
    assert facts.time_start is not None and facts.time_end is not None
    step = dt.timedelta(seconds=table.time.step_seconds)
    first = _utc(facts.time_start, table.time.timezone)
    last = _utc(facts.time_end, table.time.timezone)
    if table.time.labelled == "end":
        return first - step, last - dt.timedelta(seconds=1)
    return first, last + step - dt.timedelta(seconds=1)


def station_item(file: PublishedFile) -> pystac.Item:
    """One Item for one station table, with its single ``data`` asset (its id is the file's
    stem until the catalog makes ids unique); the guard made sure it has time and place."""
    facts, table = file.facts, table_product(file.product)
    if not isinstance(facts, TableFacts):
        raise TypeError(f"{file.entry.path}: not table facts")
    station = station_of(file.spec, table, file.entry)
    if station is None:
        raise TypeError(f"{file.entry.path}: no station location")
    return _item(facts, table, station)


def _item(facts: TableFacts, table: TableProduct, station: Station) -> pystac.Item:
    start, end = table_interval(facts, table)
    name = station.name or station.id or table.name
    elevation = f" ({station.elevation:g} m)" if station.elevation is not None else ""
    item = pystac.Item(
        id=Path(facts.path).stem,
        geometry={"type": "Point", "coordinates": [station.lon, station.lat]},
        bbox=[station.lon, station.lat, station.lon, station.lat],
        datetime=None,
        start_datetime=start,
        end_datetime=end,
        properties={"title": f"{name}{elevation}: {Path(facts.path).name}"},
    )
    suffix = Path(facts.path).suffix.lower()
    asset = pystac.Asset(
        href=facts.path,
        media_type=MEDIA_TYPES.get(suffix, "text/plain"),
        roles=["data"],
        title=Path(facts.path).name,
    )
    item.add_asset(ASSET_KEY, asset)
    assert facts.size_bytes is not None and facts.sha256 is not None
    FileExtension.ext(asset, add_if_missing=True).apply(
        size=facts.size_bytes, checksum=multihash_sha256(facts.sha256)
    )
    columns: list[dict[str, Any]] = [
        {
            "name": facts.time_header or table.time.column,
            "type": "datetime",
            "description": f"{table.time.labelled} of each {describe_step(table.time.step_seconds)}"
            f" interval, UTC{table.time.timezone if table.time.timezone != 'UTC' else ''}",
        },
    ]
    for column in facts.columns:
        entry: dict[str, Any] = {"name": column.header, "type": "number"}
        if column.description:
            entry["description"] = column.description
        if column.unit:
            entry["unit"] = column.unit
        columns.append(entry)
    extension = TableExtension.ext(item, add_if_missing=True)
    extension.columns = [Column(c) for c in columns]
    extension.row_count = facts.rows
    item.properties["table:columns"] = columns
    return item
