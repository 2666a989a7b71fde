"""What one read of a gridded file established, whatever its format: the header of the grid
(size, CRS, geotransform, blocks, overviews) and exact per-band statistics. A GeoTIFF's
reader fills these facts directly; a NetCDF variable is seen through them (its grid view),
so every raster check, the report entry and the STAC projection and band fields apply to
any gridded kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.engine.json_values import json_number
from tpqc.validators.grid.quicklook import Quicklook


@dataclass(frozen=True, slots=True)
class BandFacts:
    """Header facts and exact statistics of one band (1-based index)."""

    index: int
    dtype: str
    nodata: float | None
    nodata_representable: bool
    description: str | None = None
    unit: str | None = None
    scale: float = 1.0
    offset: float = 0.0
    pixels: int = 0
    valid: int = 0
    nodata_count: int = 0
    nan_count: int = 0
    inf_count: int = 0
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    stddev: float | None = None
    histogram: Mapping[str, Any] | None = None
    out_of_range: int = 0
    out_of_range_examples: tuple[tuple[int, int, float], ...] = ()
    first_nan: tuple[int, int] | None = None
    first_inf: tuple[int, int] | None = None
    decoded_statistics: bool = False
    """The statistics are of the decoded values (scale and offset applied, as a NetCDF
    variable is read), not of the stored ones (a GeoTIFF band's)."""
    value_counts: tuple[tuple[int, int], ...] | None = None
    """(value, pixels) of every distinct valid value, when the read tallied them (a
    categorical band); None when it did not, or the band had too many to tally."""
    too_many_values: bool = False

    @property
    def nodata_fraction(self) -> float:
        """Share of pixels that are nodata (including NaN nodata)."""
        return self.nodata_count / self.pixels if self.pixels else 0.0


@dataclass(frozen=True, slots=True)
class RasterFacts(FileFacts):
    """What one read of a gridded file established. Problems are recorded, never raised."""

    open_error: str | None = None
    decode_error: str | None = None
    decode_window: tuple[int, int] | None = None
    refused: str | None = None
    pixels_read: bool = False
    driver: str | None = None
    width: int = 0
    height: int = 0
    count: int = 0
    crs_wkt: str | None = None
    transform: tuple[float, float, float, float, float, float] | None = None
    has_geotransform: bool = False
    gcp_count: int = 0
    has_rpc: bool = False
    """RPC coefficients are the file's only georeferencing (no geotransform, no GCPs)."""
    block_shape: tuple[int, int] | None = None
    tiled: bool = False
    compression: str | None = None
    interleave: str | None = None
    layout: str | None = None
    area_or_point: str | None = None
    overviews: tuple[int, ...] = ()
    cog: bool = False
    bands: tuple[BandFacts, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    colour_table: tuple[tuple[int, int, int, int], ...] = ()
    """The first band's colour table (value, red, green, blue), when it is a palette band."""
    quicklook: Quicklook | None = None
    """A small picture taken during the read, when the plan asked for one."""
    value_range: tuple[float | None, float | None] | None = None
    """The declared (min, max) out-of-range pixels were counted against."""

    @property
    def readable(self) -> bool:
        """True when the header could be read."""
        return self.open_error is None

    @property
    def colours_by_value(self) -> dict[int, tuple[int, int, int]]:
        """The colour table as a mapping of value to (red, green, blue)."""
        return {value: (r, g, b) for value, r, g, b in self.colour_table}

    @property
    def decoded(self) -> bool:
        """True when every pixel was read and the statistics are complete."""
        return self.readable and self.pixels_read

    @property
    def dtypes(self) -> tuple[str, ...]:
        """Data type of each band."""
        return tuple(b.dtype for b in self.bands)

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(left, bottom, right, top) in the file's CRS, for a north-up grid."""
        if self.transform is None:
            return None
        a, b, c, d, e, f = self.transform
        xs = [c, c + a * self.width, c + b * self.height, c + a * self.width + b * self.height]
        ys = [f, f + d * self.width, f + e * self.height, f + d * self.width + e * self.height]
        return (min(xs), min(ys), max(xs), max(ys))


def band_json(band: BandFacts) -> dict[str, Any]:
    """One band's facts as they appear in the JSON report."""
    return {
        "band": band.index,
        "dtype": band.dtype,
        "nodata": json_number(band.nodata),
        "unit": band.unit,
        "scale": band.scale,
        "offset": band.offset,
        "pixels": band.pixels,
        "valid": band.valid,
        "nodata_count": band.nodata_count,
        "nan_count": band.nan_count,
        "inf_count": band.inf_count,
        "min": band.minimum,
        "max": band.maximum,
        "mean": band.mean,
        "stddev": band.stddev,
        "histogram": dict(band.histogram) if band.histogram else None,
        **({"statistics_of": "magnitude"} if band.dtype.startswith("complex") else {}),
        **(
            {"value_counts": {str(value): count for value, count in band.value_counts}}
            if band.value_counts is not None
            else {}
        ),
    }
