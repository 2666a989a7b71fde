"""STAC items of gridded files (a GeoTIFF, or a NetCDF variable through its grid view): the
footprint in WGS84, projection v2.0.0 fields, file size and checksum, and per band (STAC 1.1
``bands`` with raster v2.0.0) the data type, nodata, unit and exact statistics of the one
read; a categorical product's legend as classification v1.1.0 classes. pystac's
RasterExtension speaks only raster v1.1 (``raster:bands``), so raster v2 band fields are
written as STAC 1.1 ``bands``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pystac
from pystac.extensions.file import FileExtension
from pystac.extensions.projection import ProjectionExtension

from tpqc.schemas.errors import TpqcError
from tpqc.schemas.spec import RasterProduct
from tpqc.stac.build import ASSET_KEY, declared_interval, multihash_sha256
from tpqc.stac.items import PublishedFile
from tpqc.validators.engine.json_values import json_number
from tpqc.validators.grid.checks import raster_product
from tpqc.validators.grid.dtypes import is_complex, stac_data_type
from tpqc.validators.grid.facts import BandFacts, RasterFacts
from tpqc.validators.grid.geo import (
    GridPlacement,
    authority_code,
    footprint_wgs84,
    pixel_size_metres,
    placement_of,
)
from tpqc.validators.grid.quicklook import class_colours, hex_colour

RASTER_V2 = "https://stac-extensions.github.io/raster/v2.0.0/schema.json"
CLASSIFICATION = "https://stac-extensions.github.io/classification/v1.1.0/schema.json"


def band_object(band: BandFacts, product: RasterProduct, sampling: str | None) -> dict[str, Any]:
    """One entry of the asset's ``bands``: STAC 1.1 data values plus raster v2 fields."""
    out: dict[str, Any] = {"data_type": stac_data_type(band.dtype)}
    if band.description:
        out["name"] = band.description
    if band.nodata is not None:
        out["nodata"] = json_number(band.nodata)
    unit = band.unit or (product.values.unit if product.values else None)
    if unit:
        out["unit"] = unit
    stored = _stored(band)
    # A complex band's statistics are of its magnitude (the report says so); STAC gives
    # them no meaning, so they are not published.
    if band.valid and not is_complex(band.dtype):
        out["statistics"] = {
            "minimum": stored(band.minimum),
            "maximum": stored(band.maximum),
            "mean": stored(band.mean),
            "stddev": band.stddev / abs(band.scale) if band.stddev is not None else None,
            "count": band.pixels,
            "valid_percent": round(100.0 * band.valid / band.pixels, 6),
        }
        if band.scale < 0:  # decoding flips the order
            stats = out["statistics"]
            stats["minimum"], stats["maximum"] = stats["maximum"], stats["minimum"]
    if band.histogram is not None and not is_complex(band.dtype):
        histogram = dict(band.histogram)
        if band.scale != 1.0 or band.offset != 0.0:
            edges = sorted((stored(histogram["min"]), stored(histogram["max"])))
            buckets = list(histogram["buckets"])
            histogram = {
                **histogram,
                "min": edges[0],
                "max": edges[1],
                "buckets": buckets[::-1] if band.scale < 0 else buckets,
            }
        out["raster:histogram"] = histogram
    if band.scale != 1.0:
        out["raster:scale"] = band.scale
    if band.offset != 0.0:
        out["raster:offset"] = band.offset
    if sampling:
        out["raster:sampling"] = sampling
    return out


def _stored(band: BandFacts) -> Any:
    """How a statistic of the band becomes one of its stored values: as it is for a band
    read as stored (GeoTIFF), un-scaled for one read decoded (a packed NetCDF variable), so
    that the statistics, the data type and ``raster:scale``/``raster:offset`` agree."""
    if not band.decoded_statistics or (band.scale == 1.0 and band.offset == 0.0):
        return lambda value: value

    def stored(value: float | None) -> float | None:
        if value is None:
            return None
        raw = (value - band.offset) / band.scale
        return (
            float(round(raw))
            if band.dtype.startswith(("int", "uint")) and abs(raw - round(raw)) < 1e-6
            else raw
        )

    return stored


def without_collinear(ring: list[list[float]]) -> list[list[float]]:
    """A closed ring without the points that lie on the straight line between their
    neighbours (the densified edges of a lon/lat grid are straight: its footprint is four
    corners, not 85 points; curved edges of projected grids keep every point)."""
    if len(ring) < 5:
        return ring
    points = ring[:-1]
    kept = []
    for index, (x, y) in enumerate(points):
        (x0, y0), (x1, y1) = points[index - 1], points[(index + 1) % len(points)]
        cross = (x - x0) * (y1 - y0) - (y - y0) * (x1 - x0)
        if abs(cross) > 1e-12 * max(1.0, abs(x1 - x0) + abs(y1 - y0)) ** 2:
            kept.append([x, y])
    if len(kept) < 3:
        return ring
    return [*kept, kept[0]]


def _geometry(facts: RasterFacts) -> tuple[dict[str, Any], list[float]]:
    ring, bbox = _outline(facts)
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}, list(bbox)


def _outline(facts: RasterFacts) -> tuple[tuple[tuple[float, float], ...], tuple[float, ...]]:
    """The footprint as the item's ring (rounded to 1e-9 degrees, straight runs reduced to
    their ends) and its bounding box."""
    return _outline_of(placement_of(facts))


@lru_cache(maxsize=1024)
def _outline_of(
    grid: GridPlacement,
) -> tuple[tuple[tuple[float, float], ...], tuple[float, ...]]:
    # Cached as the footprint is: the files of one series usually share one grid.
    ring = without_collinear([[round(lon, 9), round(lat, 9)] for lon, lat in footprint_wgs84(grid)])
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return tuple((p[0], p[1]) for p in ring), (min(lons), min(lats), max(lons), max(lats))


def _crs_fields(wkt: str) -> dict[str, Any]:
    code = authority_code(wkt)
    if code is not None:
        return {"code": code}
    from pyproj import CRS

    crs = CRS.from_wkt(wkt)
    return {"wkt2": crs.to_wkt("WKT2_2019"), "projjson": crs.to_json_dict()}


def grid_item(file: PublishedFile) -> pystac.Item:
    """One Item for one gridded file, with its single ``data`` asset (its id is the file's
    stem until the catalog makes ids unique). Its time is the span validation found the
    file to stand for; a file that is no series member gets the declared coverage."""
    facts = file.of_kind.grid(file.facts)
    if facts is None:
        raise TypeError(f"{file.entry.path}: {file.of_kind.name} files are no grids")
    return _item(facts, raster_product(file.product), file)


def _item(facts: RasterFacts, product: RasterProduct, file: PublishedFile) -> pystac.Item:
    geometry, bbox = _geometry(facts)
    interval = file.interval or declared_interval(file.spec)
    if interval is None:
        raise TpqcError(
            f"cannot publish {facts.path}: its name has no time fields and the spec declares no "
            "dataset.temporal {start, end}; STAC items need a time"
        )
    properties: dict[str, Any] = {}
    file_path = Path(facts.path)
    if product.description:
        properties["title"] = f"{product.description}: {file_path.name}"
    item = pystac.Item(
        id=file_path.stem,
        geometry=geometry,
        bbox=bbox,
        datetime=None,
        start_datetime=interval[0],
        end_datetime=interval[1],
        properties=properties,
    )
    assert facts.crs_wkt is not None and facts.transform is not None and facts.bounds is not None
    ProjectionExtension.ext(item, add_if_missing=True).apply(
        **_crs_fields(facts.crs_wkt),
        shape=[facts.height, facts.width],
        transform=list(facts.transform),
        bbox=list(facts.bounds),
    )
    try:
        gsd = sum(pixel_size_metres(facts)) / 2
        item.common_metadata.gsd = round(gsd, 3)
    except Exception:  # a CRS whose pixel size cannot be measured simply has no gsd
        pass
    media = pystac.MediaType.COG if facts.cog else pystac.MediaType.GEOTIFF
    asset = pystac.Asset(href=facts.path, media_type=media, roles=["data"], title=file_path.name)
    item.add_asset(ASSET_KEY, asset)
    assert facts.size_bytes is not None and facts.sha256 is not None
    FileExtension.ext(asset, add_if_missing=True).apply(
        size=facts.size_bytes, checksum=multihash_sha256(facts.sha256)
    )
    sampling = {"Area": "area", "Point": "point"}.get(facts.area_or_point or "")
    asset.extra_fields["bands"] = [band_object(b, product, sampling) for b in facts.bands]
    item.stac_extensions.append(RASTER_V2)
    if product.classes:
        asset.extra_fields["classification:classes"] = class_objects(product.classes, facts)
        item.stac_extensions.append(CLASSIFICATION)
    return item


def class_objects(legend: Mapping[int, str], facts: RasterFacts) -> list[dict[str, Any]]:
    """The legend as classification v1.1.0 classes: value, the declared name as description,
    a machine-readable name, and the colour the file's colour table (else tpqc's quicklook)
    gives the class."""
    colours = class_colours(sorted(legend), facts.colours_by_value)
    return [
        {
            "value": value,
            "description": legend[value],
            "name": re.sub(r"[^0-9A-Za-z_-]+", "-", legend[value]).strip("-") or str(value),
            "color_hint": hex_colour(colours[value]).upper(),
        }
        for value in sorted(legend)
    ]
