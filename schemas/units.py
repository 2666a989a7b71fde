"""Unit spellings found in station tables, reduced to one canonical form for comparison."""

from __future__ import annotations

import re

_CANONICAL: dict[str, str] = {
    "degc": "degC",
    "°c": "degC",
    "℃": "degC",
    "deg c": "degC",
    "celsius": "degC",
    "c": "degC",
    "k": "K",
    "kelvin": "K",
    "%": "%",
    "percent": "%",
    "%rh": "%",
    "% vol": "%",
    "%vol": "%",
    "m3/m3": "m3/m3",
    "m3 m-3": "m3/m3",
    "m^3/m^3": "m3/m3",
    "hpa": "hPa",
    "mbar": "hPa",
    "mb": "hPa",
    "kpa": "kPa",
    "pa": "Pa",
    "mm": "mm",
    "m": "m",
    "cm": "cm",
    "m/s": "m/s",
    "m s-1": "m/s",
    "m s^-1": "m/s",
    "ms-1": "m/s",
    "m.s-1": "m/s",
    "deg": "deg",
    "°": "deg",
    "degree": "deg",
    "degrees": "deg",
    "w/m2": "W/m2",
    "w m-2": "W/m2",
    "w/m^2": "W/m2",
    "w.m-2": "W/m2",
    "wm-2": "W/m2",
    "umol m-2 s-1": "umol m-2 s-1",
    "umol/m2/s": "umol m-2 s-1",
    "μmol m-2 s-1": "umol m-2 s-1",
    "µmol m-2 s-1": "umol m-2 s-1",
    "umol/(m2 s)": "umol m-2 s-1",
    "mg m-2 s-1": "mg m-2 s-1",
    "mg/m2/s": "mg m-2 s-1",
    "mg/(m2 s)": "mg m-2 s-1",
    "mg/m3": "mg/m3",
    "mg m-3": "mg/m3",
    "g/m3": "g/m3",
    "g m-3": "g/m3",
    "mmol/mol": "mmol/mol",
    "umol/mol": "umol/mol",
    "ppm": "umol/mol",
    "1": "1",
    "-": "1",
    "": "1",
    "dimensionless": "1",
}


def canonical_unit(text: str | None) -> str | None:
    """The canonical spelling of a unit, or the trimmed text when tpqc does not know it."""
    if text is None:
        return None
    key = re.sub(r"\s+", " ", str(text).strip().strip("()[]")).lower()
    return _CANONICAL.get(key, str(text).strip())


def same_unit(a: str | None, b: str | None) -> bool:
    """True when two unit spellings mean the same unit (None matches anything)."""
    if a is None or b is None:
        return True
    return canonical_unit(a) == canonical_unit(b)


def units_agree(declared: str, found: str) -> bool:
    """True when a declared unit and a file's unit are the same unit: by their usual
    spellings, else by UDUNITS (``mm hr-1`` and ``mm/h``), else letter for letter."""
    if canonical_unit(declared) == canonical_unit(found):
        return True
    import cf_units

    try:
        return bool(cf_units.Unit(declared) == cf_units.Unit(found))
    except ValueError:
        return declared.strip() == found.strip()


PLAUSIBLE_RANGES: dict[str, tuple[float, float]] = {
    "K": (150.0, 350.0),
    "degC": (-120.0, 80.0),
    "%": (0.0, 100.0),
    "m3/m3": (0.0, 1.0),
    "hPa": (0.0, 1100.0),
    "deg": (0.0, 360.0),
}
"""Where values in a unit can lie at the Earth's surface (temperatures from the coldest to
the hottest ever measured, with room), for `tpqc init` to never infer past them."""


def plausible_range(unit: str | None) -> tuple[float, float] | None:
    """The plausible range of values in a unit, when tpqc knows one."""
    canonical = canonical_unit(unit)
    return PLAUSIBLE_RANGES.get(canonical) if canonical else None
