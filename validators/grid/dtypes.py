"""Band data types by the names rasterio gives them, including those numpy lacks:
``complex_int16`` (GDAL's CInt16, two 16-bit integers) is read as ``complex64``. Complex
bands are summarised by their magnitude, as GDAL's own statistics are."""

from __future__ import annotations

from typing import Any

import numpy as np

READ_AS = {"complex_int16": "complex64"}
"""rasterio type names numpy does not know, and the numpy type their values are read as."""
STORED_BYTES = {"complex_int16": 4}
"""Bytes per value on disk where they differ from the type read."""
STAC_DATA_TYPES = {"complex_int16": "cint16", "complex64": "cfloat32", "complex128": "cfloat64"}
"""STAC ``data_type`` names of complex types (the others are spelt as numpy spells them)."""


def numpy_dtype(name: str) -> np.dtype[Any]:
    """The numpy type a band of this rasterio type is read as."""
    return np.dtype(READ_AS.get(name, name))


def stored_itemsize(name: str) -> int:
    """Bytes per value of a band of this type on disk (before compression)."""
    return STORED_BYTES.get(name, numpy_dtype(name).itemsize)


def is_complex(name: str) -> bool:
    """True for complex band types (SAR single-look complex and the like)."""
    return numpy_dtype(name).kind == "c"


def magnitude(block: np.ndarray[Any, Any], nodata: float | None) -> np.ndarray[Any, Any]:
    """A complex block as its magnitude, cells equal to nodata kept as nodata."""
    values: np.ndarray[Any, Any] = np.abs(block).astype(np.float64)
    if nodata is not None and not np.isnan(nodata):
        values[block == nodata] = nodata
    return values


def stac_data_type(name: str) -> str:
    """The STAC raster ``data_type`` of a band type."""
    return STAC_DATA_TYPES.get(name, name)
