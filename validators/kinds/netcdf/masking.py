"""Which stored values of a NetCDF variable are no data, by the rules netCDF4-python applies
when it masks (the NetCDF users guide's attribute conventions and CF 2.5.1):

- ``missing_value`` (one or several) and ``_FillValue`` mark missing cells; a NaN code
  marks NaNs;
- without ``_FillValue``, NetCDF's default fill of the type (9.96921e36 for floats, -32767
  for shorts ...) is the implicit fill, unless the variable is not pre-filled and is a byte;
- values outside ``valid_range`` (or ``valid_min``/``valid_max``) are missing, compared in
  the stored (packed) type;
- ``_Unsigned = "true"`` on a signed integer variable reads it as unsigned;
- an attribute that cannot be cast to the variable's type without change is ignored, as
  netCDF4 does.

The rules are taken from the header once (:func:`masking_rules`) and applied to each slab
of stored values (:func:`invalid_cells`), so the statistics, histogram, nodata share,
quicklook and catalog statistics all count the same cells netCDF4's masked arrays hide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

BYTE_TYPES = ("i1", "u1")


@dataclass(frozen=True)
class MaskingRules:
    """What makes a stored value missing, in the stored type."""

    fill: float | None = None
    """The declared ``_FillValue``, or the default fill standing in for it."""
    fill_is_default: bool = False
    """True when ``fill`` is NetCDF's default fill (no ``_FillValue`` declared)."""
    missing: tuple[float, ...] = ()
    valid_min: float | None = None
    valid_max: float | None = None
    unsigned: bool = False
    """Read a signed integer variable as unsigned (``_Unsigned = "true"``)."""

    @property
    def codes(self) -> tuple[float, ...]:
        """Every code that marks a missing cell (fill first)."""
        return tuple(c for c in (self.fill, *self.missing) if c is not None)


def _safe(value: Any, dtype: np.dtype[Any]) -> npt.NDArray[Any] | None:
    """The attribute as the variable's type, or None when the cast would change it."""
    try:
        original = np.array(value)
        cast = np.array(value, dtype)
    except (ValueError, TypeError, OverflowError):
        return None
    try:
        same = bool(np.all((original == cast) | (np.isnan(original) & np.isnan(cast))))
    except TypeError:
        same = bool(np.array_equal(original, cast))
    return cast if same else None


def _numbers(array: npt.NDArray[Any] | None) -> tuple[float, ...]:
    if array is None:
        return ()
    return tuple(float(v) for v in np.atleast_1d(array).ravel())


def masking_rules(variable: Any) -> MaskingRules:
    """The masking rules of a netCDF4 variable, from its attributes and fill mode."""
    import netCDF4

    dtype = np.dtype(variable.dtype)
    names = set(variable.ncattrs())
    kind = dtype.str[1:]
    unsigned = (
        "_Unsigned" in names
        and str(variable.getncattr("_Unsigned")).lower() == "true"
        and dtype.kind == "i"
    )
    missing = (
        _numbers(_safe(variable.getncattr("missing_value"), dtype))
        if "missing_value" in names
        else ()
    )
    fill: float | None = None
    is_default = False
    if "_FillValue" in names:
        declared = _numbers(_safe(variable.getncattr("_FillValue"), dtype))
        fill = declared[0] if declared else None
    elif kind in netCDF4.default_fillvals and dtype.kind in "iuf":
        prefilled = variable.get_fill_value() is not None
        if prefilled or kind not in BYTE_TYPES:
            fill = float(np.array(netCDF4.default_fillvals[kind], dtype))
            is_default = True
    low = high = None
    valid_range = (
        _safe(variable.getncattr("valid_range"), dtype) if "valid_range" in names else None
    )
    if valid_range is not None and valid_range.size == 2:
        low, high = float(valid_range.ravel()[0]), float(valid_range.ravel()[1])
    else:
        if "valid_min" in names:
            found = _numbers(_safe(variable.getncattr("valid_min"), dtype))
            low = found[0] if found else None
        if "valid_max" in names:
            found = _numbers(_safe(variable.getncattr("valid_max"), dtype))
            high = found[0] if found else None
    if unsigned:  # the codes too are read as unsigned
        as_unsigned = np.dtype(dtype.str.replace("i", "u"))

        def flip(value: float | None) -> float | None:
            if value is None:
                return None
            return float(np.array(value, dtype).view(as_unsigned))

        fill, low, high = flip(fill), flip(low), flip(high)
        missing = tuple(float(np.array(m, dtype).view(as_unsigned)) for m in missing)
    return MaskingRules(fill, is_default, missing, low, high, unsigned)


def stored_dtype(dtype: Any, rules: MaskingRules) -> np.dtype[Any]:
    """The type of the values the variable stores (unsigned for ``_Unsigned``)."""
    found: np.dtype[Any] = np.dtype(dtype)
    if rules.unsigned:
        found = np.dtype(found.str.replace("i", "u"))
    return found


def stored(raw: npt.NDArray[Any], rules: MaskingRules) -> npt.NDArray[Any]:
    """The slab as the values it stores (a signed slab viewed as unsigned for
    ``_Unsigned``)."""
    if rules.unsigned and raw.dtype.kind == "i":
        return raw.view(raw.dtype.str.replace("i", "u"))
    return raw


def invalid_cells(raw: npt.NDArray[Any], rules: MaskingRules) -> npt.NDArray[np.bool_]:
    """True where a stored value is missing by the rules (fill, missing codes, outside the
    valid range); NaNs are not marked here unless a code is NaN."""
    invalid = np.zeros(raw.shape, bool)
    for code in rules.codes:
        if np.isnan(code):
            if raw.dtype.kind == "f":
                invalid |= np.isnan(raw)
            continue
        invalid |= raw == np.asarray(code).astype(raw.dtype)
    if raw.dtype.kind in "iuf":
        if rules.valid_min is not None:
            invalid |= raw < np.asarray(rules.valid_min).astype(raw.dtype)
        if rules.valid_max is not None:
            invalid |= raw > np.asarray(rules.valid_max).astype(raw.dtype)
    return invalid
