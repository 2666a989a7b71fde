"""Build the STAC catalog of a dataset from the spec and the facts validation gathered.

Nothing here reads the data again: every number comes from :class:`RasterFacts`, every
piece of collection metadata from the spec. STAC 1.1.0; extensions projection v2.0.0,
file v2.1.0, scientific v1.0.0 and raster v2.0.0. pystac's RasterExtension speaks only
raster v1.1 (``raster:bands``), so raster v2 band fields are written as STAC 1.1 ``bands``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pystac
from pystac.extensions.file import FileExtension
from pystac.extensions.projection import ProjectionExtension
from pystac.extensions.scientific import Publication, ScientificExtension

from tpqc.schemas.errors import TpqcError
from tpqc.schemas.spdx import licence_ids
from tpqc.schemas.spec import RasterProduct, Spec, TableProduct
from tpqc.schemas.spec_values import iso_step, unit_seconds
from tpqc.stac.layout import CatalogLayout
from tpqc.stac.licenses import license_url
from tpqc.validators.geo import authority_code, footprint_wgs84, pixel_size_metres
from tpqc.validators.json_values import json_number
from tpqc.validators.netcdf_facts import NetcdfFacts
from tpqc.validators.raster_facts import BandFacts, RasterFacts
from tpqc.validators.remote import http_url, join

RASTER_V2 = "https://stac-extensions.github.io/raster/v2.0.0/schema.json"
ASSET_KEY = "data"
CSTR_RESOLVER = "https://cstr.cn/"
MULTIHASH_SHA2_256 = "1220"


@dataclass(frozen=True)
class StacOptions:
    """Where the catalog will live and where its assets are served from."""

    target: Path
    asset_href_prefix: str | None = None
    catalog_id: str | None = None
    copy_assets: bool = False
    """Put each data file beside its item (a catalog that moves with its data)."""


def multihash_sha256(hex_digest: str) -> str:
    """A sha2-256 multihash (code 0x12, length 0x20) in hex, as file:checksum wants it."""
    return MULTIHASH_SHA2_256 + hex_digest


def band_object(band: BandFacts, product: RasterProduct, sampling: str | None) -> dict[str, Any]:
    """One entry of the asset's ``bands``: STAC 1.1 data values plus raster v2 fields."""
    out: dict[str, Any] = {"data_type": band.dtype}
    if band.description:
        out["name"] = band.description
    if band.nodata is not None:
        out["nodata"] = json_number(band.nodata)
    unit = band.unit or (product.values.unit if product.values else None)
    if unit:
        out["unit"] = unit
    if band.valid:
        out["statistics"] = {
            "minimum": band.minimum,
            "maximum": band.maximum,
            "mean": band.mean,
            "stddev": band.stddev,
            "count": band.pixels,
            "valid_percent": round(100.0 * band.valid / band.pixels, 6),
        }
    if band.histogram is not None:
        out["raster:histogram"] = dict(band.histogram)
    if band.scale != 1.0:
        out["raster:scale"] = band.scale
    if band.offset != 0.0:
        out["raster:offset"] = band.offset
    if sampling:
        out["raster:sampling"] = sampling
    return out


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
    ring = without_collinear(
        [[round(lon, 9), round(lat, 9)] for lon, lat in footprint_wgs84(facts)]
    )
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return {"type": "Polygon", "coordinates": [ring]}, [min(lons), min(lats), max(lons), max(lats)]


def _crs_fields(wkt: str) -> dict[str, Any]:
    code = authority_code(wkt)
    if code is not None:
        return {"code": code}
    from pyproj import CRS

    crs = CRS.from_wkt(wkt)
    return {"wkt2": crs.to_wkt("WKT2_2019"), "projjson": crs.to_json_dict()}


def unique_item_id(path: str, taken: set[str]) -> str:
    """An item id from a file's name, unique among ``taken`` (which it joins)."""
    stem = Path(path).stem
    candidate = stem if stem not in taken else Path(path).name.replace(".", "_")
    index = 2
    while candidate in taken:
        candidate, index = f"{stem}_{index}", index + 1
    taken.add(candidate)
    return candidate


def declared_interval(spec: Spec) -> tuple[dt.datetime, dt.datetime] | None:
    """The dataset's declared temporal coverage, when it has both ends."""
    temporal = spec.dataset.temporal
    if temporal and temporal.start and temporal.end:
        return (temporal.start, temporal.end)
    return None


def build_item(
    facts: RasterFacts,
    product: RasterProduct,
    spec: Spec,
    interval: tuple[dt.datetime, dt.datetime] | None,
) -> pystac.Item:
    """One Item for one GeoTIFF, with its single ``data`` asset (its id is the file's stem
    until the catalog makes ids unique). ``interval`` is the span validation found the file
    to stand for; a file that is no series member gets the declared coverage."""
    geometry, bbox = _geometry(facts)
    interval = interval or declared_interval(spec)
    if interval is None:
        raise TpqcError(
            f"cannot publish {facts.path}: its name has no time fields and the spec declares no "
            "dataset.temporal {start, end}; STAC items need a time"
        )
    properties: dict[str, Any] = {}
    if product.description:
        properties["title"] = f"{product.description}: {Path(facts.path).name}"
    item = pystac.Item(
        id=Path(facts.path).stem,
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
    asset = pystac.Asset(
        href=facts.path, media_type=media, roles=["data"], title=Path(facts.path).name
    )
    item.add_asset(ASSET_KEY, asset)
    assert facts.size_bytes is not None and facts.sha256 is not None
    FileExtension.ext(asset, add_if_missing=True).apply(
        size=facts.size_bytes, checksum=multihash_sha256(facts.sha256)
    )
    sampling = {"Area": "area", "Point": "point"}.get(facts.area_or_point or "")
    asset.extra_fields["bands"] = [band_object(b, product, sampling) for b in facts.bands]
    item.stac_extensions.append(RASTER_V2)
    return item


def _summaries(items: list[pystac.Item]) -> dict[str, Any]:
    codes = sorted({str(i.properties["proj:code"]) for i in items if "proj:code" in i.properties})
    types = sorted(
        {b["data_type"] for i in items for b in i.assets[ASSET_KEY].extra_fields.get("bands", [])}
    )
    gsds = sorted({i.properties["gsd"] for i in items if "gsd" in i.properties})
    out: dict[str, Any] = {}
    if codes:
        out["proj:code"] = codes
    if types:
        out["data_type"] = types
    if gsds:
        out["gsd"] = gsds if len(gsds) <= 8 else {"minimum": gsds[0], "maximum": gsds[-1]}
    return out


def build_collection(
    spec: Spec, items: list[pystac.Item], products: Mapping[str, RasterProduct | TableProduct]
) -> pystac.Collection:
    """The dataset's Collection: metadata from the spec, extents and summaries from items."""
    meta = spec.dataset
    declared = list(meta.extent.as_tuple()) if meta.extent else None
    boxes = [i.bbox for i in items if i.bbox]
    union = declared or (boxes[0] if boxes else [-180.0, -90.0, 180.0, 90.0])
    for box in boxes:
        union = [
            min(union[0], box[0]),
            min(union[1], box[1]),
            max(union[2], box[2]),
            max(union[3], box[3]),
        ]
    starts = [i.common_metadata.start_datetime for i in items]
    ends = [i.common_metadata.end_datetime for i in items]
    temporal = meta.temporal
    # The declared coverage, widened to the items' span when they reach past it (station
    # records in local time, or the last record's interval), so the extent tells the truth.
    starts += [temporal.start] if temporal and temporal.start else []
    ends += [temporal.end] if temporal and temporal.end else []
    start = min((s for s in starts if s), default=None)
    end = max((e for e in ends if e), default=None)
    collection = pystac.Collection(
        id=meta.id,
        title=meta.title or None,
        description=meta.description or meta.title or meta.id,
        keywords=list(meta.keywords) or None,
        license=meta.license or "other",
        providers=[
            pystac.Provider(
                name=p.name,
                description=p.description,
                roles=[pystac.ProviderRole(r) for r in p.roles] or None,
                url=p.url,
            )
            for p in meta.providers
        ]
        or None,
        extent=pystac.Extent(
            pystac.SpatialExtent([[round(v, 9) for v in union]]),
            pystac.TemporalExtent([[start, end]]),
        ),
        summaries=pystac.Summaries(_summaries(items)),
    )
    if "proj:code" in collection.summaries.to_dict():
        # The summaries use projection fields, so the collection declares that extension too.
        collection.stac_extensions.append(ProjectionExtension.get_schema_uri())
    for spdx_id in licence_ids(meta.license) if meta.license else []:
        url = license_url(spdx_id)
        if url:
            collection.add_link(
                pystac.Link("license", url, media_type="text/html", title=f"{spdx_id} licence text")
            )
    if meta.doi or meta.citation or meta.publications:
        sci = ScientificExtension.ext(collection, add_if_missing=True)
        sci.apply(
            doi=meta.doi,
            citation=meta.citation,
            publications=[Publication(p.doi, p.citation) for p in meta.publications] or None,
        )
    if meta.cstr:
        collection.add_link(
            pystac.Link(
                "related",
                CSTR_RESOLVER + meta.cstr,
                media_type="text/html",
                title=f"CSTR:{meta.cstr}",
            )
        )
    media_types = {i.assets[ASSET_KEY].media_type for i in items}
    single = next(iter(products.values())) if len(products) == 1 else None
    collection.item_assets = {
        ASSET_KEY: pystac.ItemAssetDefinition.create(
            title=(single.description or single.name) if single else "data file",
            description=None,
            media_type=media_types.pop() if len(media_types) == 1 else pystac.MediaType.GEOTIFF,
            roles=["data"],
        )
    }
    return collection


def build_catalog(spec: Spec, items: list[pystac.Item], options: StacOptions) -> CatalogLayout:
    """Root Catalog → one Collection → the items (one per file, in path order, ids made
    unique), laid out under the target (see :mod:`tpqc.stac.layout`)."""
    taken: set[str] = set()
    items = sorted(items, key=lambda i: str(i.assets[ASSET_KEY].href))
    for item in items:
        item.id = unique_item_id(item.assets[ASSET_KEY].href, taken)
    collection = build_collection(spec, items, {p.name: p for p in spec.products})
    catalog = pystac.Catalog(
        id=options.catalog_id or f"{spec.dataset.id}-catalog",
        title=spec.dataset.title or None,
        description=f"STAC catalog of {spec.dataset.title or spec.dataset.id}",
        catalog_type=pystac.CatalogType.SELF_CONTAINED,
    )
    layout = CatalogLayout(options.target.resolve(), catalog, collection, list(items))
    remote = http_url(spec.data_url) if spec.data_url else None
    relative = not options.asset_href_prefix and (remote is None or options.copy_assets)
    for item in items:
        item.collection_id = collection.id
        asset = item.assets[ASSET_KEY]
        if options.copy_assets:
            asset.href = str(layout.target / layout.item_folder(item) / Path(asset.href).name)
        elif options.asset_href_prefix:
            asset.href = options.asset_href_prefix.rstrip("/") + "/" + asset.href
        elif remote is not None:
            asset.href = join(remote, asset.href)
        else:
            # abspath, not resolve(): a data file that is a symlink keeps its own path.
            asset.href = os.path.abspath(spec.data_root / asset.href)  # noqa: PTH100
        if relative:
            for other in item.assets.values():
                if not ("://" in other.href or other.href.startswith("./")):
                    other.href = layout.relative_href(item, other.href)
    return layout


THUMBNAIL_KEY = "thumbnail"


def add_thumbnail(item: pystac.Item, png: bytes) -> str:
    """Give an item (already laid out under the catalog) a ``thumbnail`` asset: the PNG
    beside the item's JSON, with its size and sha2-256 multihash. Returns the PNG's path
    relative to the item's folder."""
    import hashlib

    name = f"{item.id}.thumbnail.png"
    asset = pystac.Asset(
        href="./" + name, media_type=pystac.MediaType.PNG, roles=["thumbnail"], title="Quicklook"
    )
    item.add_asset(THUMBNAIL_KEY, asset)
    FileExtension.ext(asset, add_if_missing=True).apply(
        size=len(png), checksum=multihash_sha256(hashlib.sha256(png).hexdigest())
    )
    asset.href = "./" + name
    return name


def hrefs_outside(relative: str, document: Mapping[str, Any]) -> list[str]:
    """The relative asset hrefs of one document (at ``relative`` in the catalog) that leave
    the catalog folder."""
    from posixpath import join, normpath

    folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
    outside = []
    for asset in (document.get("assets") or {}).values():
        href = str(asset.get("href", ""))
        if "://" in href or href.startswith("/"):
            continue
        if normpath(join(folder, href)).startswith(".."):
            outside.append(href)
    return outside


NETCDF_MEDIA_TYPE = "application/netcdf"


def datacube_fields(item: pystac.Item, facts: NetcdfFacts) -> None:
    """The datacube extension for a NetCDF variable: its spatial and time dimensions with
    their extents and steps, and the variable with its unit; the asset's NetCDF media type."""
    from pystac.extensions.datacube import DatacubeExtension, Dimension, Variable

    reference = _reference_system(facts.crs_wkt)
    dimensions: dict[str, Dimension] = {}
    for axis in facts.axes:
        if axis.role in ("x", "y") and axis.first is not None and axis.last is not None:
            spatial: dict[str, Any] = {
                "type": "spatial",
                "axis": axis.role,
                "extent": sorted([axis.first, axis.last]),
            }
            if axis.step is not None:
                spatial["step"] = axis.step
            if reference is not None:
                spatial["reference_system"] = reference
            dimensions[axis.name] = Dimension.from_dict(spatial)
        elif axis.role == "time" and facts.times:
            temporal: dict[str, Any] = {
                "type": "temporal",
                "extent": [_iso_z(facts.times[0]), _iso_z(facts.times[-1])],
            }
            if axis.step is not None and facts.time_units:
                temporal["step"] = _iso_step(axis.step, facts.time_units)
            dimensions[axis.name] = Dimension.from_dict(temporal)
    variable: dict[str, Any] = {"dimensions": list(facts.dims), "type": "data"}
    if facts.attrs.get("units"):
        variable["unit"] = facts.attrs["units"]
    if facts.attrs.get("long_name"):
        variable["description"] = facts.attrs["long_name"]
    DatacubeExtension.ext(item, add_if_missing=True).apply(
        dimensions, {str(facts.variable): Variable(variable)}
    )
    item.assets[ASSET_KEY].media_type = NETCDF_MEDIA_TYPE


def _reference_system(wkt: str | None) -> int | str | None:
    if wkt is None:
        return None
    code = authority_code(wkt)
    if code is not None and code.startswith("EPSG:"):
        return int(code.split(":", 1)[1])
    return wkt


def _iso_z(text: str) -> str:
    return text if text.endswith("Z") or "+" in text[10:] else text + "Z"


def _iso_step(step: float, units: str) -> str | None:
    """The time step as an ISO 8601 duration (PT3H, P1D), from the axis units."""
    seconds = unit_seconds(units.split(" since ", 1)[0])
    return iso_step(round(step * seconds)) if seconds is not None else None
