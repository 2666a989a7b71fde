"""What the HTML report shows beyond the report itself: the dataset's metadata, each file's
quicklook, footprint and column sketches, each product's declared ranges. All of it comes
from the facts of the one read and from the spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tpqc.validators.grid.quicklook import Quicklook

NOT_A_TIME = -(2**63)
"""A missing timestamp in a sketch (numpy's NaT as int64)."""


@dataclass(frozen=True)
class ColumnSketch:
    """A column over time in at most about 2 x TARGET_POINTS stretches of rows."""

    name: str
    rows_per_point: int
    times: tuple[int, ...]
    """First timestamp of each stretch (int64 nanoseconds, :data:`NOT_A_TIME` when missing)."""
    lows: tuple[float | None, ...]
    highs: tuple[float | None, ...]
    means: tuple[float | None, ...]


@dataclass(frozen=True)
class ProductPicture:
    """What a product declares that the pictures draw against."""

    name: str
    section: str
    description: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
    classes: Mapping[int, str] = field(default_factory=dict)
    """A categorical product's legend: class value and name."""
    step_seconds: int | None = None
    column_limits: Mapping[str, tuple[float | None, float | None, str | None]] = field(
        default_factory=dict
    )
    """Per table column: (min, max, unit) as declared or from the variable pack."""


@dataclass(frozen=True)
class FilePicture:
    """One file as the report draws it."""

    path: str
    kind: str
    product: str
    quicklook: Quicklook | None = None
    footprint: tuple[tuple[float, float], ...] = ()
    """Its WGS84 outline, when it is placed on the Earth."""
    sketches: tuple[ColumnSketch, ...] = ()


@dataclass(frozen=True)
class ReportPictures:
    """The dataset's metadata and every file's pictures."""

    title: str = ""
    description: str = ""
    doi: str | None = None
    cstr: str | None = None
    license: str | None = None
    citation: str | None = None
    extent: tuple[float, float, float, float] | None = None
    spec_sha256: str | None = None
    gdal_version: str | None = None
    products: Mapping[str, ProductPicture] = field(default_factory=dict)
    files: Mapping[str, FilePicture] = field(default_factory=dict)
