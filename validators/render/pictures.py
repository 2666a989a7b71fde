"""What the HTML report shows beyond the report itself: the dataset's metadata, each file's
quicklook, footprint and column sketches, each product's declared ranges. All of it comes
from the facts of the one read and from the spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tpqc.validators.quicklook import Quicklook
from tpqc.validators.table_sketch import ColumnSketch


@dataclass(frozen=True)
class ProductPicture:
    """What a product declares that the pictures draw against."""

    name: str
    section: str
    description: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
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
