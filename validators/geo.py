"""Geodesy helpers over any gridded file's facts: CRS identity and equivalence, WGS84
footprints, and pixel sizes in metres or degrees."""

from __future__ import annotations

import itertools
import math
from functools import lru_cache
from typing import Any, Protocol


class Georeferenced(Protocol):
    """The facts of a grid that geodesy needs (GeoTIFF and NetCDF facts both have them)."""

    @property
    def crs_wkt(self) -> str | None: ...
    @property
    def transform(self) -> tuple[float, float, float, float, float, float] | None: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def has_geotransform(self) -> bool: ...
    @property
    def gcp_count(self) -> int: ...
    @property
    def has_rpc(self) -> bool: ...


DENSIFY_POINTS = 21
WGS84 = "EPSG:4326"


@lru_cache(maxsize=256)
def _crs(text: str) -> Any:
    from pyproj import CRS

    return CRS.from_user_input(text)


@lru_cache(maxsize=256)
def describe_crs(text: str) -> str:
    """``EPSG:32646 (WGS 84 / UTM zone 46N)``, or the CRS name when it has no code."""
    crs = _crs(text)
    authority = crs.to_authority(min_confidence=90)
    if authority:
        return f"{authority[0]}:{authority[1]} ({crs.name})"
    return str(crs.name)


@lru_cache(maxsize=256)
def authority_code(text: str) -> str | None:
    """``EPSG:4326`` when the CRS has an authority code, else None."""
    authority = _crs(text).to_authority(min_confidence=90)
    return f"{authority[0]}:{authority[1]}" if authority else None


@lru_cache(maxsize=256)
def crs_equivalent(declared: str, actual_wkt: str) -> bool:
    """True when two CRSs are the same, ignoring axis order and naming differences."""
    a, b = _crs(declared), _crs(actual_wkt)
    if a.equals(b, ignore_axis_order=True):
        return True
    code_a, code_b = authority_code(declared), authority_code(actual_wkt)
    return code_a is not None and code_a == code_b


def georeferencing_problem(facts: Georeferenced) -> str | None:
    """Why a raster cannot be placed on Earth from its CRS and geotransform, or None."""
    if not facts.has_geotransform:
        if facts.gcp_count:
            return f"georeferenced by {facts.gcp_count} ground control points only, no geotransform"
        if facts.has_rpc:
            return "georeferenced by RPC coefficients only, no geotransform"
        return "no geotransform"
    if facts.crs_wkt is None:
        return "no CRS"
    if _crs(facts.crs_wkt).is_engineering:
        return "local engineering CRS, not tied to the Earth"
    a, b, _, d, e, _ = facts.transform or (0.0,) * 6
    if a * e - b * d == 0:
        return "degenerate geotransform (zero pixel area)"
    return None


def footprint_wgs84(facts: Georeferenced) -> list[tuple[float, float]]:
    """The raster's outline as (lon, lat) points, edges densified; raises on failure."""
    if facts.crs_wkt is None or facts.transform is None:
        raise ValueError("no CRS or geotransform")
    return list(_footprint(facts.crs_wkt, facts.transform, facts.width, facts.height))


@lru_cache(maxsize=256)
def _to_wgs84(crs_wkt: str) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(_crs(crs_wkt), _crs(WGS84), always_xy=True)


@lru_cache(maxsize=4096)
def _footprint(
    crs_wkt: str, transform: tuple[float, ...], width: int, height: int
) -> tuple[tuple[float, float], ...]:
    # Cached: the checks, the report, the inventory and the catalog all ask, and the files
    # of one series usually share one grid.
    a, b, c, d, e, f = transform
    outline: list[tuple[float, float]] = []
    corners = [
        (0.0, 0.0),
        (float(width), 0.0),
        (float(width), float(height)),
        (0.0, float(height)),
        (0.0, 0.0),
    ]
    for (c0, r0), (c1, r1) in itertools.pairwise(corners):
        for step in range(DENSIFY_POINTS):
            t = step / DENSIFY_POINTS
            col, row = c0 + (c1 - c0) * t, r0 + (r1 - r0) * t
            outline.append((c + a * col + b * row, f + d * col + e * row))
    outline.append(outline[0])
    xs, ys = _to_wgs84(crs_wkt).transform(
        [p[0] for p in outline], [p[1] for p in outline], errcheck=True
    )
    points = tuple(zip((float(x) for x in xs), (float(y) for y in ys), strict=True))
    if not all(math.isfinite(x) and math.isfinite(y) for x, y in points):
        raise ValueError("footprint does not transform to finite WGS84 coordinates")
    return points


def bounds_wgs84(facts: Georeferenced) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the densified footprint; raises when it cannot transform."""
    points = footprint_wgs84(facts)
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return (min(lons), min(lats), max(lons), max(lats))


def pixel_size_native(facts: Georeferenced) -> tuple[float, float]:
    """Pixel width and height in the CRS's own units."""
    assert facts.transform is not None
    a, b, _, d, e, _ = facts.transform
    return (math.hypot(a, d), math.hypot(b, e))


def pixel_size_metres(facts: Georeferenced) -> tuple[float, float]:
    """Pixel width and height in metres at the raster's centre (geodesic on geographic CRSs)."""
    from pyproj import Geod, Transformer

    assert facts.crs_wkt is not None
    crs = _crs(facts.crs_wkt)
    size_x, size_y = pixel_size_native(facts)
    if not crs.is_geographic:
        factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
        return (size_x * factor, size_y * factor)
    lon, lat = _centre(facts)
    if not crs.equals(_crs(WGS84), ignore_axis_order=True):
        to_wgs84 = Transformer.from_crs(crs, _crs(WGS84), always_xy=True)
        lon, lat = to_wgs84.transform(lon, lat)
    geod = Geod(ellps="WGS84")
    _, _, dx = geod.inv(lon - size_x / 2, lat, lon + size_x / 2, lat)
    _, _, dy = geod.inv(lon, lat - size_y / 2, lon, lat + size_y / 2)
    return (abs(dx), abs(dy))


def _centre(facts: Georeferenced) -> tuple[float, float]:
    assert facts.transform is not None
    a, b, c, d, e, f = facts.transform
    col, row = facts.width / 2, facts.height / 2
    return (c + a * col + b * row, f + d * col + e * row)


UNIT_METRES = {"m": 1.0, "km": 1000.0}
UNIT_DEGREES = {"deg": 1.0, "arcsec": 1.0 / 3600.0}


def _metres_per_degree_of_latitude(facts: Georeferenced) -> float:
    """The north-south geodesic length of one degree at the grid's centre (WGS84)."""
    from pyproj import Geod, Transformer

    assert facts.crs_wkt is not None
    crs = _crs(facts.crs_wkt)
    x, y = _centre(facts)
    if crs.is_geographic:
        lon, lat = x, y
        if not crs.equals(_crs(WGS84), ignore_axis_order=True):
            lon, lat = Transformer.from_crs(crs, _crs(WGS84), always_xy=True).transform(lon, lat)
    else:
        lon, lat = _to_wgs84(facts.crs_wkt).transform(x, y)
    lat = max(-89.5, min(89.5, float(lat)))
    _, _, distance = Geod(ellps="WGS84").inv(lon, lat - 0.5, lon, lat + 0.5)
    return float(distance)


def pixel_size_in(facts: Georeferenced, unit: str) -> tuple[float, float, bool]:
    """Pixel width and height in a declared unit (m, km, deg, arcsec), and whether that unit
    is the grid's own kind (metres on a projected grid, degrees on a geographic one).

    Across kinds the nominal meaning is used: on a geographic grid "1 km" is the degree
    spacing whose north-south geodesic length is 1 km at the grid's centre (about 0.009
    degrees; the east-west length shrinks with latitude and is not what a data centre means),
    and on a projected grid "0.01 deg" is the metric spacing of 0.01 degrees of latitude."""
    assert facts.crs_wkt is not None
    crs = _crs(facts.crs_wkt)
    native_x, native_y = pixel_size_native(facts)
    metric = unit in UNIT_METRES
    if crs.is_geographic and not metric:
        return native_x / UNIT_DEGREES[unit], native_y / UNIT_DEGREES[unit], True
    if not crs.is_geographic and metric:
        factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
        scale = factor / UNIT_METRES[unit]
        return native_x * scale, native_y * scale, True
    per_degree = _metres_per_degree_of_latitude(facts)
    if crs.is_geographic:  # degrees of the grid, declared in metres
        scale = per_degree / UNIT_METRES[unit]
        return native_x * scale, native_y * scale, False
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    scale = factor / per_degree / UNIT_DEGREES[unit]  # metres of the grid, declared in degrees
    return native_x * scale, native_y * scale, False
