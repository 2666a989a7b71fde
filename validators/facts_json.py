"""The per-file section of the JSON report, derived from raster facts."""

from __future__ import annotations

from typing import Any

from tpqc.validators.geo import authority_code, bounds_wgs84, describe_crs, pixel_size_native
from tpqc.validators.inventory import InventoryEntry
from tpqc.validators.raster_facts import RasterFacts, band_json


def table_json(facts: Any, entry: InventoryEntry) -> dict[str, Any]:
    """What the report says about one table: rows, time span, columns, checksum."""
    return {
        "path": facts.path,
        "product": entry.product,
        "kind": "table",
        "fields": dict(entry.fields),
        "size": facts.size_bytes,
        "sha256": facts.sha256,
        "readable": facts.readable,
        "rows": facts.rows,
        "time_start": facts.time_start,
        "time_end": facts.time_end,
        "columns": [
            {
                "name": c.name,
                "header": c.header,
                "unit": c.unit,
                "rows": c.rows,
                "missing": c.missing,
                "min": c.minimum,
                "max": c.maximum,
            }
            for c in facts.columns
        ],
    }


def file_json(facts: RasterFacts, entry: InventoryEntry) -> dict[str, Any]:
    """What the report says about one file: header, grid, footprint, statistics, checksum."""
    out: dict[str, Any] = {
        "path": facts.path,
        "product": entry.product,
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
