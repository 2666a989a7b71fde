"""Per-file raster checks: pure functions from :class:`RasterFacts` and the spec to issues.

Each check's docstring is its user-facing description (``tpqc checks``). Checks never
open files; they only read facts gathered once by ``raster_facts``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from tpqc.schemas.spec import Product, RasterProduct, Spec
from tpqc.validators.findings import Issue, Location, Severity
from tpqc.validators.grid.dtypes import numpy_dtype
from tpqc.validators.grid.facts import RasterFacts
from tpqc.validators.grid.geo import (
    bounds_wgs84,
    crs_equivalent,
    describe_crs,
    georeferencing_problem,
    pixel_size_in,
    pixel_size_native,
)
from tpqc.validators.registry import Explains, Scope, check


@dataclass(frozen=True)
class RasterContext:
    """What a raster check looks at: the file's facts, its product and the whole spec."""

    facts: RasterFacts
    product: RasterProduct
    spec: Spec

    def at(self, **where: int | str | None) -> Location:
        """A location in this file."""
        return Location(path=self.facts.path, **where)  # type: ignore[arg-type]


RASTER_FILE = Scope[RasterContext]("raster-file")
"""Checks of one raster file's facts against its product."""


def _grid_attribute(*attributes: str) -> Explains:
    """A per-file finding against the spec explains the series' grid-inconsistent finding
    (D004) on these attributes of the same file."""
    return Explains("D004", when=lambda _, found: found.location.field in attributes)


# A valid fraction far from the rest of the series (series-outlier, D005) is explained by
# too much nodata or none at all.
_VALID_FRACTION = Explains(
    "D005", when=lambda _, found: found.details.get("metric") == "valid_fraction"
)


def raster_product(product: Product) -> RasterProduct:
    """A product of the raster section (what a grid's checks are judged against)."""
    if not isinstance(product, RasterProduct):
        raise TypeError(f"{product.name}: not a raster product")
    return product


def _placed(ctx: RasterContext) -> bool:
    return ctx.facts.readable and georeferencing_problem(ctx.facts) is None


@check("R001", "unreadable", scope=RASTER_FILE)
def unreadable(ctx: RasterContext) -> Iterator[Issue]:
    """GDAL cannot open the file (not a TIFF, truncated header, bad tags, unknown codec)."""
    if ctx.facts.open_error is not None:
        yield Issue("GDAL cannot open the file", ctx.at(), actual=ctx.facts.open_error)


@check("R002", "decode-error", scope=RASTER_FILE)
def decode_error(ctx: RasterContext) -> Iterator[Issue]:
    """The file opens but a block of pixels fails to decode (corrupt or truncated data)."""
    if ctx.facts.decode_error is not None:
        row, col = ctx.facts.decode_window or (None, None)
        yield Issue(
            "pixel data fails to decode; statistics and value checks were skipped",
            ctx.at(row=row, column=col),
            actual=ctx.facts.decode_error,
        )


@check("R003", "implausible-size", scope=RASTER_FILE)
def implausible_size(ctx: RasterContext) -> Iterator[Issue]:
    """The declared raster is absurdly large for the file; it is refused before decoding."""
    if ctx.facts.refused is not None:
        yield Issue(
            "raster refused before decoding",
            ctx.at(),
            actual=ctx.facts.refused,
            hint="raise --max-pixels, --max-ratio or --max-bands if the file is genuine",
        )


@check("R004", "not-georeferenced", scope=RASTER_FILE)
def not_georeferenced(ctx: RasterContext) -> Iterator[Issue]:
    """No usable CRS or geotransform: identity transform, GCPs or RPCs only, or a local CRS."""
    if not ctx.facts.readable:
        return
    problem = georeferencing_problem(ctx.facts)
    if problem is not None:
        yield Issue(
            f"not georeferenced: {problem}",
            ctx.at(),
            expected="a CRS and a geotransform",
            actual=problem,
        )


@check("R005", "rotated-grid", scope=RASTER_FILE, explains=(_grid_attribute("transform"),))
def rotated_grid(ctx: RasterContext) -> Iterator[Issue]:
    """The geotransform has rotation or shear terms, so the grid is not north-up."""
    transform = ctx.facts.transform
    if not (ctx.facts.readable and ctx.facts.has_geotransform and transform is not None):
        return
    if transform[1] != 0.0 or transform[3] != 0.0:
        yield Issue(
            "the grid is rotated or sheared",
            ctx.at(),
            expected="rotation terms 0",
            actual={"row_rotation": transform[1], "column_rotation": transform[3]},
        )


@check("R006", "crs-mismatch", scope=RASTER_FILE, explains=(_grid_attribute("crs"),))
def crs_mismatch(ctx: RasterContext) -> Iterator[Issue]:
    """The file's CRS is not equivalent to the declared one (compared by pyproj, not by text)."""
    declared, wkt = ctx.product.crs, ctx.facts.crs_wkt
    if declared is None or not ctx.facts.readable or wkt is None:
        return
    if not crs_equivalent(declared, wkt):
        yield Issue(
            "CRS differs from the spec",
            ctx.at(field="crs"),
            describe_crs(declared),
            describe_crs(wkt),
        )


@check(
    "R007",
    "resolution-mismatch",
    scope=RASTER_FILE,
    explains=(_grid_attribute("transform", "shape"),),
)
def resolution_mismatch(ctx: RasterContext) -> Iterator[Issue]:
    """Pixel size differs from the declared resolution, or pixels are not square. Across units
    the nominal meaning is compared: on a geographic grid 1 km is the degree spacing whose
    north-south geodesic length is 1 km (about 0.009 degrees)."""
    rule = ctx.product.resolution
    if rule is None or not _placed(ctx):
        return
    try:
        x, y, same_unit = pixel_size_in(ctx.facts, rule.unit)
    except Exception as exc:  # a CRS that cannot be measured is reported, not raised
        yield Issue(f"pixel size cannot be measured: {exc}", ctx.at(field="resolution"))
        return
    tolerance = rule.tolerance_for(same_unit)
    native_x, native_y = pixel_size_native(ctx.facts)
    if max(native_x, native_y) > 0 and abs(native_x - native_y) / max(native_x, native_y) > max(
        tolerance, 0.01
    ):
        yield Issue(
            "pixels are not square",
            ctx.at(field="resolution"),
            expected="square pixels",
            actual={"x": native_x, "y": native_y},
        )
    for axis, size in (("x", x), ("y", y)):
        if abs(size - rule.value) > rule.value * tolerance:
            yield Issue(
                f"pixel {axis} size differs from the declared resolution",
                ctx.at(field="resolution"),
                expected=rule.describe(same_unit),
                actual=f"{size:.6g} {rule.unit}",
            )


@check(
    "R008", "extent-mismatch", scope=RASTER_FILE, explains=(_grid_attribute("transform", "shape"),)
)
def extent_mismatch(ctx: RasterContext) -> Iterator[Issue]:
    """The file's footprint in WGS84 (densified edges) breaks the declared extent rule
    (tolerance: the rule's pixels, or the precision the extent was written to)."""
    extent = ctx.spec.dataset.extent
    rule = ctx.product.extent
    if extent is None or not _placed(ctx):
        return
    match = rule.match if rule else "within"
    tolerance = rule.tolerance_pixels if rule else 1.0
    try:
        west, south, east, north = bounds_wgs84(ctx.facts)
    except Exception as exc:
        yield Issue(
            "the footprint cannot be expressed in WGS84",
            ctx.at(field="extent"),
            expected=list(extent.as_tuple()),
            actual=str(exc),
        )
        return
    slack = ctx.spec.extent_slack() or (0.0, 0.0, 0.0, 0.0)
    tol_x = max((east - west) / max(ctx.facts.width, 1) * tolerance, slack[0], slack[2])
    tol_y = max((north - south) / max(ctx.facts.height, 1) * tolerance, slack[1], slack[3])
    outside = (
        west < extent.west - tol_x
        or east > extent.east + tol_x
        or south < extent.south - tol_y
        or north > extent.north + tol_y
    )
    short = (
        west > extent.west + tol_x
        or east < extent.east - tol_x
        or south > extent.south + tol_y
        or north < extent.north - tol_y
    )
    broken = {"within": outside, "covers": short, "equal": outside or short}[match]
    if broken:
        yield Issue(
            f"footprint is not {match} the dataset extent (tolerance {tolerance:g} pixel)",
            ctx.at(field="extent"),
            expected=[extent.west, extent.south, extent.east, extent.north],
            actual=[round(v, 6) for v in (west, south, east, north)],
        )


@check("R009", "band-count-mismatch", scope=RASTER_FILE, explains=(_grid_attribute("bands"),))
def band_count_mismatch(ctx: RasterContext) -> Iterator[Issue]:
    """The file has a different number of bands than declared."""
    if (
        ctx.product.bands is not None
        and ctx.facts.readable
        and ctx.facts.count != ctx.product.bands
    ):
        yield Issue(
            "band count differs from the spec",
            ctx.at(field="bands"),
            ctx.product.bands,
            ctx.facts.count,
        )


@check("R010", "dtype-mismatch", scope=RASTER_FILE, explains=(_grid_attribute("dtype"),))
def dtype_mismatch(ctx: RasterContext) -> Iterator[Issue]:
    """A band's data type differs from the declared one."""
    declared = ctx.product.dtype
    if declared is None or not ctx.facts.readable:
        return
    for band in ctx.facts.bands:
        if band.dtype != declared:
            yield Issue(
                "data type differs from the spec",
                ctx.at(band=band.index, field="dtype"),
                declared,
                band.dtype,
            )


@check("R011", "nodata-missing", scope=RASTER_FILE, explains=(_grid_attribute("nodata"),))
def nodata_missing(ctx: RasterContext) -> Iterator[Issue]:
    """The spec requires a nodata value but a band declares none."""
    if ctx.product.nodata is None or not ctx.facts.readable:
        return
    for band in ctx.facts.bands:
        if band.nodata is None:
            yield Issue(
                "band has no nodata value",
                ctx.at(band=band.index, field="nodata"),
                ctx.product.nodata.describe(),
                None,
            )


@check("R012", "nodata-mismatch", scope=RASTER_FILE, explains=(_grid_attribute("nodata"),))
def nodata_mismatch(ctx: RasterContext) -> Iterator[Issue]:
    """A band's nodata value differs from the declared one (NaN compared as NaN)."""
    rule = ctx.product.nodata
    if rule is None or rule.kind == "required" or not ctx.facts.readable:
        return
    for band in ctx.facts.bands:
        if band.nodata is None:
            continue
        if rule.kind == "nan":
            wrong = not math.isnan(band.nodata)
        else:
            assert rule.value is not None
            wrong = math.isnan(band.nodata) or not _same_in_dtype(
                band.nodata, rule.value, band.dtype
            )
        if wrong:
            yield Issue(
                "nodata value differs from the spec",
                ctx.at(band=band.index, field="nodata"),
                rule.describe(),
                repr(band.nodata),
            )


def _same_in_dtype(a: float, b: float, dtype: str) -> bool:
    if a == b:
        return True
    kind = numpy_dtype(dtype)
    if np.issubdtype(kind, np.floating):
        with np.errstate(over="ignore"):
            return bool(np.array(a).astype(kind) == np.array(b).astype(kind))
    return False


@check("R013", "nodata-unrepresentable", scope=RASTER_FILE)
def nodata_unrepresentable(ctx: RasterContext) -> Iterator[Issue]:
    """The nodata value cannot be stored in the band's data type, so no pixel can carry it."""
    for band in ctx.facts.bands:
        if band.nodata is not None and not band.nodata_representable:
            yield Issue(
                "nodata value does not fit the band's data type",
                ctx.at(band=band.index, field="nodata"),
                f"a value {band.dtype} can hold",
                repr(band.nodata),
            )


@check("R014", "value-out-of-range", scope=RASTER_FILE)
def value_out_of_range(ctx: RasterContext) -> Iterator[Issue]:
    """Valid pixels (nodata and NaN excluded) fall outside the declared value range."""
    rule = ctx.product.values
    if rule is None or (rule.min is None and rule.max is None) or not ctx.facts.decoded:
        return
    for band in ctx.facts.bands:
        if not band.out_of_range:
            continue
        first = band.out_of_range_examples[0] if band.out_of_range_examples else None
        yield Issue(
            f"{band.out_of_range} valid pixels are outside the declared range",
            ctx.at(
                band=band.index, row=first[0] if first else None, column=first[1] if first else None
            ),
            expected={"min": rule.min, "max": rule.max, "unit": rule.unit},
            actual={"min": band.minimum, "max": band.maximum, "count": band.out_of_range},
            hint=scaling_hint(rule.min, rule.max, band.minimum, band.maximum),
            details={
                "examples": [
                    {"row": r, "column": c, "value": v} for r, c, v in band.out_of_range_examples
                ]
            },
        )


SCALINGS = (10, 100, 1000, 10000)


def scaling_hint(
    low: float | None, high: float | None, minimum: float | None, maximum: float | None
) -> str | None:
    """The likely cause of values off by a power of ten from the declared range (kelvin
    stored x 100, metres written as millimetres), or None."""
    if minimum is None or maximum is None or (low is None and high is None):
        return None

    def inside(a: float, b: float) -> bool:
        return (low is None or a >= low) and (high is None or b <= high)

    for factor in SCALINGS:
        if inside(minimum / factor, maximum / factor):
            return (
                f"the values look {factor} times the declared range: stored x {factor} "
                f"(scaled integers, or another unit); divide by {factor} or declare the "
                "band's scale"
            )
        if inside(minimum * factor, maximum * factor):
            return (
                f"the values look 1/{factor} of the declared range: another unit? multiply "
                f"by {factor}, or declare the unit the data is in"
            )
    return None


@check("R015", "nan-or-inf", scope=RASTER_FILE)
def nan_or_inf(ctx: RasterContext) -> Iterator[Issue]:
    """NaN in a band whose nodata is not NaN, or infinity that is not the nodata value."""
    if not ctx.facts.decoded:
        return
    for band in ctx.facts.bands:
        for count, first, what in (
            (band.nan_count, band.first_nan, "NaN"),
            (band.inf_count, band.first_inf, "infinite"),
        ):
            if count:
                yield Issue(
                    f"{count} pixels are {what} but not the nodata value",
                    ctx.at(
                        band=band.index,
                        row=first[0] if first else None,
                        column=first[1] if first else None,
                    ),
                    expected="finite values or nodata",
                    actual={"count": count},
                )


@check("R016", "too-much-nodata", scope=RASTER_FILE, explains=(_VALID_FRACTION,))
def too_much_nodata(ctx: RasterContext) -> Iterator[Issue]:
    """The share of nodata pixels in a band exceeds max_nodata_fraction."""
    limit = ctx.product.max_nodata_fraction
    if limit is None or not ctx.facts.decoded:
        return
    for band in ctx.facts.bands:
        if band.valid and band.nodata_fraction > limit:
            yield Issue(
                "too many nodata pixels",
                ctx.at(band=band.index),
                expected=f"<= {limit:g}",
                actual=round(band.nodata_fraction, 6),
            )


@check("R017", "all-nodata", scope=RASTER_FILE, explains=(_VALID_FRACTION,))
def all_nodata(ctx: RasterContext) -> Iterator[Issue]:
    """A band holds no valid pixel at all."""
    if not ctx.facts.decoded:
        return
    for band in ctx.facts.bands:
        if band.pixels and not band.valid:
            yield Issue(
                "band holds no valid pixel",
                ctx.at(band=band.index),
                expected="some valid pixels",
                actual={"nodata": band.nodata_count, "nan": band.nan_count, "inf": band.inf_count},
            )


@check("R018", "overviews-invalid", Severity.WARNING, scope=RASTER_FILE)
def overviews_invalid(ctx: RasterContext) -> Iterator[Issue]:
    """Internal overviews are not a proper pyramid (unsorted, or a decimation factor of 1)."""
    factors = list(ctx.facts.overviews)
    if factors and (factors != sorted(set(factors)) or factors[0] <= 1):
        yield Issue(
            "overview levels are not strictly decreasing in size",
            ctx.at(),
            expected="increasing factors > 1",
            actual=factors,
        )


@check("R019", "class-unknown", scope=RASTER_FILE)
def class_unknown(ctx: RasterContext) -> Iterator[Issue]:
    """A categorical product's pixels hold values its legend (``classes``) does not name,
    each with how many pixels; or the band has too many distinct values to be classes."""
    legend = ctx.product.classes
    if legend is None or not ctx.facts.decoded:
        return
    for band in ctx.facts.bands:
        if band.too_many_values:
            yield Issue(
                f"band {band.index} holds thousands of distinct values: no legend's classes",
                ctx.at(band=band.index),
                expected=sorted(legend),
                actual="more than 4096 values",
            )
            continue
        unknown = {value: count for value, count in band.value_counts or () if value not in legend}
        if unknown:
            yield Issue(
                f"{sum(unknown.values())} valid pixels hold {len(unknown)} values the legend "
                "does not name",
                ctx.at(band=band.index),
                expected=sorted(legend),
                actual={str(value): count for value, count in sorted(unknown.items())},
                hint="add the classes to the legend, or set those pixels to nodata",
            )


@check("R020", "unit-mismatch", scope=RASTER_FILE)
def unit_mismatch(ctx: RasterContext) -> Iterator[Issue]:
    """A band's unit (GDAL's unit type or its ``units`` tag) differs from the unit the spec
    declares for the values: the value range would be compared in the wrong unit."""
    rule = ctx.product.values
    if rule is None or rule.unit is None or not ctx.facts.readable:
        return
    from tpqc.schemas.units import units_agree

    for band in ctx.facts.bands:
        if band.unit and not units_agree(rule.unit, band.unit):
            yield Issue(
                f"band {band.index} is in {band.unit}, the spec declares {rule.unit}",
                ctx.at(band=band.index),
                expected=rule.unit,
                actual=band.unit,
                hint=f"the range {rule.min}..{rule.max} is meant in {rule.unit}: convert the "
                "data, or declare the unit it is in",
            )
