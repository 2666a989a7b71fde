"""What the report, the dataset checks, the pictures and the catalog say about one gridded
file (a GeoTIFF, or a NetCDF variable seen as a grid), derived from its grid facts."""

from __future__ import annotations

from typing import Any

from tpqc.schemas.sections import Product
from tpqc.validators.dataset.summary import Box, Columns, FileSummary
from tpqc.validators.grid.checks import raster_product
from tpqc.validators.grid.facts import RasterFacts, band_json
from tpqc.validators.grid.geo import (
    authority_code,
    bounds_wgs84,
    describe_crs,
    footprint_wgs84,
    georeferencing_problem,
    pixel_size_native,
    placement_of,
)
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.render.pictures import FilePicture, ProductPicture


def grid_entry(facts: RasterFacts, entry: InventoryEntry) -> dict[str, Any]:
    """What the report says about one gridded file beyond its path, product and kind:
    header, grid, footprint, statistics, checksum."""
    out: dict[str, Any] = {
        "fields": dict(entry.fields),
        "size": facts.size_bytes,
        "sha256": facts.sha256,
        "readable": facts.readable,
        "decoded": facts.decoded,
    }
    if not facts.readable:
        return out
    crs: dict[str, Any] | None = None
    if facts.crs_wkt is not None:
        try:
            crs = {"code": authority_code(facts.crs_wkt), "name": describe_crs(facts.crs_wkt)}
        except Exception:  # an exotic CRS still gets its facts reported
            crs = {"code": None, "name": None}
    try:
        wgs84: list[float] | None = [round(v, 9) for v in bounds_wgs84(facts)]
    except Exception:
        wgs84 = None
    out.update(
        {
            "driver": facts.driver,
            "width": facts.width,
            "height": facts.height,
            "band_count": facts.count,
            "dtype": facts.dtypes[0] if len(set(facts.dtypes)) == 1 else list(facts.dtypes),
            "crs": crs,
            "transform": list(facts.transform) if facts.transform else None,
            "resolution": list(pixel_size_native(facts)) if facts.has_geotransform else None,
            "bounds": list(facts.bounds) if facts.bounds and facts.has_geotransform else None,
            "bounds_wgs84": wgs84,
            "block_shape": list(facts.block_shape) if facts.block_shape else None,
            "tiled": facts.tiled,
            "compression": facts.compression,
            "overviews": list(facts.overviews),
            "bands": [band_json(b) for b in facts.bands],
        }
    )
    return out


def _crs_label(wkt: str | None) -> str | None:
    if wkt is None:
        return None
    return authority_code(wkt) or wkt


def _wgs84_bounds(facts: RasterFacts) -> tuple[float, float, float, float] | None:
    """The grid's WGS84 bounds; None when it is not placed on the Earth or its footprint is
    not expressible in WGS84 (reported per file by the extent checks)."""
    if georeferencing_problem(facts) is not None:
        return None
    try:
        return bounds_wgs84(facts)
    except Exception:
        return None


def _columns(fact: RasterFacts, bounds: tuple[float, float, float, float] | None) -> Columns:
    out: dict[str, Any] = {
        "crs": _crs_label(fact.crs_wkt),
        "transform": ",".join(repr(v) for v in fact.transform) if fact.transform else None,
        "shape": f"{fact.height}x{fact.width}",
        "bands": fact.count,
        "dtype": ",".join(sorted(set(fact.dtypes))),
        "nodata": ",".join(sorted({repr(b.nodata) for b in fact.bands})),
        "size": fact.size_bytes,
        "sha256": fact.sha256,
    }
    if fact.transform is not None and fact.has_geotransform:
        out["res_x"], out["res_y"] = abs(fact.transform[0]), abs(fact.transform[4])
    if bounds is not None:
        out["west"], out["south"], out["east"], out["north"] = bounds
    if fact.decoded and fact.bands:
        first = fact.bands[0]
        out["valid_fraction"] = first.valid / first.pixels if first.pixels else None
        out["valid_mean"] = first.mean
    return Columns(out)


def grid_summary(facts: RasterFacts) -> FileSummary:
    """The grid as the dataset checks see it: inventory columns, grid and footprint."""
    if not facts.readable:
        return FileSummary(facts.path, size_bytes=facts.size_bytes)
    bounds = _wgs84_bounds(facts)
    box: Box | None = None
    if bounds is not None:
        west, south, east, north = bounds
        box = (
            west,
            south,
            east,
            north,
            (east - west) / max(facts.width, 1),
            (north - south) / max(facts.height, 1),
        )
    return FileSummary(
        facts.path,
        _columns(facts, bounds),
        grid=placement_of(facts),
        size_bytes=facts.size_bytes,
        wgs84_box=box,
    )


def grid_footprint(facts: RasterFacts) -> tuple[tuple[float, float], ...]:
    """The grid's WGS84 outline, or nothing when it is not placed on the Earth."""
    if not facts.readable or georeferencing_problem(facts) is not None:
        return ()
    try:
        return tuple(footprint_wgs84(facts))
    except ValueError:  # a grid no coordinate operation maps to WGS84
        return ()


def grid_picture(facts: RasterFacts, kind: str, entry: InventoryEntry) -> FilePicture:
    """What the HTML report draws of a grid: the quicklook taken during the read and the
    footprint."""
    return FilePicture(facts.path, kind, entry.product, facts.quicklook, grid_footprint(facts))


def grid_unpublishable(facts: RasterFacts) -> str | None:
    """Why a grid cannot become a catalog item: not decoded, not georeferenced, or on no
    part of the Earth (a grid on Mars); None when it can."""
    if not facts.decoded:
        return "not decoded"
    problem = georeferencing_problem(facts)
    if problem is not None:
        return problem
    try:
        footprint_wgs84(facts)
    except ValueError as exc:
        return str(exc)
    return None


def grid_product_picture(product: Product, section: str) -> ProductPicture:
    """A raster product's declared value range, unit and legend, drawn on its histograms,
    colour scales and class legends."""
    raster = raster_product(product)
    values = raster.values
    return ProductPicture(
        product.name,
        section,
        product.description,
        values.min if values else None,
        values.max if values else None,
        values.unit if values else None,
        classes=dict(raster.classes or {}),
    )
