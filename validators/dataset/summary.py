"""What the dataset-wide checks need to know of one file, whatever its kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tpqc.validators.compact import CompactMapping
from tpqc.validators.grid.geo import Georeferenced

Box = tuple[float, float, float, float, float, float]
"""(west, south, east, north, pixel width, pixel height) in WGS84 degrees."""


class Columns(CompactMapping):
    """A file's inventory-table columns, compact: the values in a tuple, the column names in
    a tuple shared by every file with the same columns (a dict per file of a million files
    was about 400 MB while the dataset checks ran)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class FileSummary:
    """One file as the series and metadata checks see it: its inventory-table columns, its
    grid when it has one, its WGS84 footprint, and the time its records cover."""

    path: str
    columns: Mapping[str, Any] = field(default_factory=dict)
    """Its columns of the inventory table (CRS, transform, shape, statistics, size ...)."""
    grid: Georeferenced | None = None
    """A readable gridded file, for the dataset's resolution and size checks."""
    size_bytes: int | None = None
    wgs84_box: Box | None = None
    """The footprint of a placed (georeferenced, mappable) grid."""
    span: tuple[dt.datetime, dt.datetime] | None = None
    """(first, last) instant a station table's records (or a NetCDF time axis) cover."""
    times: tuple[str, ...] = ()
    """The time steps inside the file (NetCDF), ISO 8601 on the file's calendar."""
    time_seconds: tuple[float, ...] = ()
    """The same steps as seconds since 1970-01-01 on that calendar."""
