"""Geodesy helpers over any gridded file's facts: CRS identity and equivalence, WGS84
footprints, and pixel sizes in metres or degrees."""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class GridPlacement:
    """Only what geodesy needs of a grid: what a file's summary keeps for the dataset checks
    instead of the file's whole facts (its statistics and histograms: about 6 kB a file)."""

    crs_wkt: str | None
    transform: tuple[float, float, float, float, float, float] | None
    width: int
    height: int
    has_geotransform: bool
    gcp_count: int
    has_rpc: bool


def placement_of(grid: Georeferenced) -> GridPlacement:
    """The grid's placement, its CRS text shared with every other grid in the same CRS."""
    return GridPlacement(
        sys.intern(grid.crs_wkt) if grid.crs_wkt is not None else None,
        grid.transform,
        grid.width,
        grid.height,
        grid.has_geotransform,
        grid.gcp_count,
        grid.has_rpc,
    )


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
@lru_cache(maxsize=256)
def authority_code(text: str) -> str | None:
    """``EPSG:4326`` when the CRS has an authority code, else None: PROJ's match at 90 %
    confidence (which also finds ESRI and other authorities), else GDAL's identification
    of an EPSG code (what ``gdalinfo`` and rasterio's ``CRS.to_epsg()`` report: a Lambert
    conic on GRS 1980 whose GeoKeys lack the code is EPSG:3968)."""
    authority = _crs(text).to_authority(min_confidence=90)
    if authority:
        return f"{authority[0]}:{authority[1]}"
    from rasterio.crs import CRS
    from rasterio.errors import CRSError

    try:
        code = CRS.from_user_input(text).to_epsg()
    except (CRSError, ValueError):
        return None
    return f"EPSG:{code}" if code else None


@lru_cache(maxsize=256)
def crs_equivalent(declared: str, actual_wkt: str) -> bool:
    """True when two CRSs are the same, ignoring axis order and naming differences."""
    a, b = _crs(declared), _crs(actual_wkt)
    if a.equals(b, ignore_axis_order=True):
        return True
    code_a, code_b = authority_code(declared), authority_code(actual_wkt)
    if code_a is not None and code_a == code_b:
        return True
    return _same_coordinates(a, b)


def _anonymous_datum(crs: Any) -> bool:
    """True for a CRS whose datum has no name of its own (as a CF grid mapping gives)."""
    datum = crs.datum.name.lower() if crs.datum is not None else ""
    return not datum or datum.startswith(("undefined", "unknown", "unnamed", "not specified"))


def _same_coordinates(a: Any, b: Any) -> bool:
    """True when two CRSs of the same kind give the same coordinates (within a millimetre
    or 1e-8 degrees) to points spread over the declared one's area of use: a CF grid
    mapping (projection parameters and an ellipsoid, no datum name) is the EPSG CRS it
    spells out."""
    from pyproj import Transformer
    from pyproj.exceptions import ProjError

    if a.is_geographic != b.is_geographic or a.is_projected != b.is_projected:
        return False
    if not (_anonymous_datum(a) or _anonymous_datum(b)):
        return False  # two named datums (WGS 84 and CGCS2000) differ, whatever the shift
    area = a.area_of_use or b.area_of_use
    west, south, east, north = area.bounds if area else (-10.0, -10.0, 10.0, 10.0)
    points = [
        (west + (east - west) * fx, south + (north - south) * fy)
        for fx in (0.25, 0.5, 0.75)
        for fy in (0.25, 0.5, 0.75)
    ]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    try:
        xa, ya = Transformer.from_crs(WGS84, a, always_xy=True).transform(lons, lats)
        xb, yb = Transformer.from_crs(WGS84, b, always_xy=True).transform(lons, lats)
    except ProjError:
        return False
    tolerance = 1e-8 if a.is_geographic else 1e-3
    pairs = zip([*xa, *ya], [*xb, *yb], strict=True)
    return all(math.isfinite(p) and abs(p - q) <= tolerance for p, q in pairs)


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
    """The raster's outline as (lon, lat) points, edges densified; for a grid partly off
    the Earth, the outline of the part on it. Raises (UnmappableError) when none maps."""
    if facts.crs_wkt is None or facts.transform is None:
        raise ValueError("no CRS or geotransform")
    return list(_footprint(facts.crs_wkt, facts.transform, facts.width, facts.height))


class UnmappableError(ValueError):
    """A grid whose footprint cannot be expressed in WGS84 (another planet, no coordinate
    operation, or no pixel that lies on the Earth)."""


@lru_cache(maxsize=256)
def _to_wgs84(crs_wkt: str) -> Any:
    from pyproj import Transformer
    from pyproj.exceptions import ProjError

    crs = _crs(crs_wkt)
    try:
        return Transformer.from_crs(crs, _crs(WGS84), always_xy=True)
    except ProjError as exc:
        body = crs.ellipsoid.name if crs.ellipsoid is not None else "unknown"
        raise UnmappableError(f"no transformation to WGS84 (ellipsoid {body}): {exc}") from None


def _to_lonlat(crs_wkt: str, xs: list[float], ys: list[float]) -> list[tuple[float, float]]:
    """Transformed points, non-finite where a point lies off the Earth or off the projection."""
    from pyproj.exceptions import ProjError

    try:
        lons, lats = _to_wgs84(crs_wkt).transform(xs, ys, errcheck=False)
    except ProjError as exc:
        raise UnmappableError(str(exc)) from None
    return [(float(x), float(y)) for x, y in zip(lons, lats, strict=True)]


def _finite(point: tuple[float, float]) -> bool:
    return math.isfinite(point[0]) and math.isfinite(point[1]) and abs(point[1]) <= 90.0


EDGE_SAMPLES = 64
EDGE_BISECTIONS = 12


@lru_cache(maxsize=1024)
def _footprint(
    crs_wkt: str, transform: tuple[float, ...], width: int, height: int
) -> tuple[tuple[float, float], ...]:
    # Cached: the checks, the report, the inventory and the catalog all ask, and the files
    # of one series usually share one grid (an entry is about 10 kB: 1,024 are 10 MB).
    a, b, c, d, e, f = transform

    def ground(col: float, row: float) -> tuple[float, float]:
        return (c + a * col + b * row, f + d * col + e * row)

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
            outline.append(ground(c0 + (c1 - c0) * t, r0 + (r1 - r0) * t))
    outline.append(outline[0])
    points = _to_lonlat(crs_wkt, [p[0] for p in outline], [p[1] for p in outline])
    if all(_finite(p) for p in points):
        return tuple(points)
    return _visible_outline(crs_wkt, ground, width, height)


def _visible_outline(
    crs_wkt: str, ground: Any, width: int, height: int
) -> tuple[tuple[float, float], ...]:
    """The outline of the part of a grid that lies on the Earth (a geostationary full disk's
    corners are in space): per sampled row, the first and last pixel that maps, refined by
    bisection to the limb, traced down the left side and up the right."""
    left: list[tuple[float, float]] = []
    right: list[tuple[float, float]] = []
    rows = [height * i / EDGE_SAMPLES for i in range(EDGE_SAMPLES + 1)]
    cols = [width * j / EDGE_SAMPLES for j in range(EDGE_SAMPLES + 1)]
    mapped_rows: list[int] = []
    middles: list[float] = []
    for i, row in enumerate(rows):
        grounds = [ground(col, row) for col in cols]
        mapped = _to_lonlat(crs_wkt, [g[0] for g in grounds], [g[1] for g in grounds])
        good = [j for j, p in enumerate(mapped) if _finite(p)]
        if not good:
            continue
        first, last = good[0], good[-1]
        mapped_rows.append(i)
        middles.append(cols[(first + last) // 2])
        left.append(
            _limb(crs_wkt, lambda v, r=row: ground(v, r), cols[first], _at(cols, first - 1))
            or mapped[first]
        )
        right.append(
            _limb(crs_wkt, lambda v, r=row: ground(v, r), cols[last], _at(cols, last + 1))
            or mapped[last]
        )
    if len(left) < 2:
        raise UnmappableError("no part of the grid lies on the Earth")
    top, bottom = mapped_rows[0], mapped_rows[-1]
    above = _limb(crs_wkt, lambda v: ground(middles[0], v), rows[top], _at(rows, top - 1))
    below = _limb(crs_wkt, lambda v: ground(middles[-1], v), rows[bottom], _at(rows, bottom + 1))
    ring = ([above] if above else []) + left + ([below] if below else []) + right[::-1]
    return (*ring, ring[0])


def _at(values: list[float], index: int) -> float | None:
    return values[index] if 0 <= index < len(values) else None


def _limb(
    crs_wkt: str, ground: Any, inside: float, outside: float | None
) -> tuple[float, float] | None:
    """The last point that maps between a mapped sample and its unmapped neighbour (both
    positions along one line of the grid; ``ground`` gives a position's coordinates)."""
    if outside is None:
        return None
    good, bad = inside, outside
    best: tuple[float, float] | None = None
    for _ in range(EDGE_BISECTIONS):
        middle = (good + bad) / 2
        x, y = ground(middle)
        (point,) = _to_lonlat(crs_wkt, [x], [y])
        if _finite(point):
            good, best = middle, point
        else:
            bad = middle
    return best


def bounds_wgs84(facts: Georeferenced) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the densified footprint; raises when it cannot transform."""
    if facts.crs_wkt is None or facts.transform is None:
        raise ValueError("no CRS or geotransform")
    return _bounds(facts.crs_wkt, facts.transform, facts.width, facts.height)


@lru_cache(maxsize=1024)
def _bounds(
    crs_wkt: str, transform: tuple[float, ...], width: int, height: int
) -> tuple[float, float, float, float]:
    # the checks, the summary, the report and the item each ask for a file's bounds
    points = _footprint(crs_wkt, transform, width, height)
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
    return _pixel_size_metres(placement_of(facts))


@lru_cache(maxsize=1)
def _wgs84_geod() -> Any:
    from pyproj import Geod

    return Geod(ellps="WGS84")


@lru_cache(maxsize=1024)
def _pixel_size_metres(facts: GridPlacement) -> tuple[float, float]:
    # cached per grid as the bounds are: the files of a series share a few grids
    from pyproj import Transformer

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
    geod = _wgs84_geod()
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
    return _metres_per_degree_at(placement_of(facts))


@lru_cache(maxsize=1024)
def _metres_per_degree_at(facts: GridPlacement) -> float:
    from pyproj import Transformer

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
    _, _, distance = _wgs84_geod().inv(lon, lat - 0.5, lon, lat + 0.5)
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
