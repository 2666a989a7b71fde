"""Build the STAC catalog of a dataset from the spec and the items of its files.

Nothing here reads the data again: the items come from the facts validation gathered
(:mod:`tpqc.stac.items`), every piece of collection metadata from the spec. STAC 1.1.0; the
collection carries the scientific extension v1.0.0 and projection summaries.
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

from tpqc.schemas.spdx import licence_ids
from tpqc.schemas.spec import Product, Spec
from tpqc.stac.layout import CatalogLayout, ProductCollection
from tpqc.stac.licenses import license_url
from tpqc.validators.engine.remote import object_location, public_root

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


def _extent(
    declared: list[float] | None,
    items: list[pystac.Item],
    coverage: tuple[dt.datetime | None, dt.datetime | None],
) -> pystac.Extent:
    """The declared extent and coverage, widened to the items' when these reach past them
    (station records in local time, or the last record's interval), so it tells the truth."""
    boxes = [i.bbox for i in items if i.bbox]
    union = declared or (boxes[0] if boxes else [-180.0, -90.0, 180.0, 90.0])
    for box in boxes:
        union = [
            min(union[0], box[0]),
            min(union[1], box[1]),
            max(union[2], box[2]),
            max(union[3], box[3]),
        ]
    starts = [i.common_metadata.start_datetime for i in items] + [coverage[0]]
    ends = [i.common_metadata.end_datetime for i in items] + [coverage[1]]
    start = min((s for s in starts if s), default=None)
    end = max((e for e in ends if e), default=None)
    return pystac.Extent(
        pystac.SpatialExtent([[round(v, 9) for v in union]]),
        pystac.TemporalExtent([[start, end]]),
    )


def _providers(spec: Spec) -> list[pystac.Provider] | None:
    """The spec's providers, then its creators (people or groups who made the data) as
    producers, so that the catalog names them too."""
    meta = spec.dataset
    providers = [
        pystac.Provider(
            name=p.name,
            description=p.description,
            roles=[pystac.ProviderRole(r) for r in p.roles] or None,
            url=p.url,
        )
        for p in meta.providers
    ]
    named = {p.name for p in providers}
    providers += [
        pystac.Provider(name=c, description="creator", roles=[pystac.ProviderRole.PRODUCER])
        for c in meta.creators
        if c not in named
    ]
    return providers or None


def _dataset_fields(collection: pystac.Collection, spec: Spec) -> None:
    """What every collection of the dataset carries: the licence link, the DOI and citation
    (scientific extension, cite-as link) and the CSTR."""
    meta = spec.dataset
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


def _new_collection(
    spec: Spec,
    ident: str,
    title: str | None,
    description: str,
    items: list[pystac.Item],
    extent: pystac.Extent,
) -> pystac.Collection:
    meta = spec.dataset
    collection = pystac.Collection(
        id=ident,
        title=title,
        description=description,
        keywords=list(meta.keywords) or None,
        license=meta.license or "other",
        providers=_providers(spec),
        extent=extent,
        summaries=pystac.Summaries(_summaries(items)),
    )
    if "proj:code" in collection.summaries.to_dict():
        # The summaries use projection fields, so the collection declares that extension too.
        collection.stac_extensions.append(ProjectionExtension.get_schema_uri())
    _dataset_fields(collection, spec)
    return collection


def _item_assets(collection: pystac.Collection, items: list[pystac.Item], title: str) -> None:
    media_types = {i.assets[ASSET_KEY].media_type for i in items}
    collection.item_assets = {
        ASSET_KEY: pystac.ItemAssetDefinition.create(
            title=title,
            description=None,
            media_type=media_types.pop() if len(media_types) == 1 else pystac.MediaType.GEOTIFF,
            roles=["data"],
        )
    }


def build_collection(
    spec: Spec, items: list[pystac.Item], products: Mapping[str, Product]
) -> pystac.Collection:
    """The dataset's Collection: metadata from the spec, extents and summaries from items;
    ``item_assets`` when its items are its own (a dataset of one product)."""
    meta = spec.dataset
    temporal = meta.temporal
    coverage = (temporal.start, temporal.end) if temporal else (None, None)
    extent = _extent(list(meta.extent.as_tuple()) if meta.extent else None, items, coverage)
    collection = _new_collection(
        spec,
        meta.id,
        meta.title or None,
        meta.description or meta.title or meta.id,
        items,
        extent,
    )
    if len(products) <= 1:
        single = next(iter(products.values()), None)
        _item_assets(
            collection, items, (single.description or single.name) if single else "data file"
        )
    return collection


def product_collection(spec: Spec, product: Product, items: list[pystac.Item]) -> pystac.Collection:
    """One product's Collection: the dataset's licence, DOI, citation and providers, the
    product's own title, extent, summaries and item assets."""
    own = product.temporal
    coverage = (own.start, own.end) if own else (None, None)
    extent = _extent(None, items, coverage)
    meta = spec.dataset
    title = product.description or product.name
    description = f"{title}: a product of {meta.title or meta.id}."
    collection = _new_collection(
        spec, f"{meta.id}-{product.name}", title, description, items, extent
    )
    _item_assets(collection, items, title)
    return collection


def build_catalog(spec: Spec, items: list[pystac.Item], options: StacOptions) -> CatalogLayout:
    """Root Catalog → the dataset's Collection → the items (one per file, in path order, ids
    made unique), or, for a dataset of several products, → one Collection per product → its
    items; laid out under the target (see :mod:`tpqc.stac.layout`). Each item's
    ``collection_id`` names its product when it comes in."""
    taken: set[str] = set()
    items = sorted(items, key=lambda i: str(i.assets[ASSET_KEY].href))
    for item in items:
        item.id = unique_item_id(item.assets[ASSET_KEY].href, taken)
    products = {p.name: p for p in spec.products}
    collection = build_collection(spec, items, products)
    catalog = pystac.Catalog(
        id=options.catalog_id or f"{spec.dataset.id}-catalog",
        title=spec.dataset.title or None,
        description=f"STAC catalog of {spec.dataset.title or spec.dataset.id}",
        catalog_type=pystac.CatalogType.SELF_CONTAINED,
    )
    children: list[ProductCollection] = []
    if len(products) > 1:
        for product in products.values():
            own = [i for i in items if i.collection_id == product.name]
            if own:
                child = product_collection(spec, product, own)
                for item in own:
                    item.collection_id = child.id
                children.append(ProductCollection(product.name, child, own))
        layout = CatalogLayout(options.target.resolve(), catalog, collection, [], children)
    else:
        for item in items:
            item.collection_id = collection.id
        layout = CatalogLayout(options.target.resolve(), catalog, collection, list(items))
    remote = public_root(spec.data_url) if spec.data_url else None
    relative = not options.asset_href_prefix and (remote is None or options.copy_assets)
    for item in items:
        asset = item.assets[ASSET_KEY]
        if options.copy_assets:
            asset.href = str(layout.target / layout.item_folder(item) / Path(asset.href).name)
        elif options.asset_href_prefix:
            asset.href = options.asset_href_prefix.rstrip("/") + "/" + asset.href
        elif remote is not None:
            asset.href = object_location(remote, asset.href)
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
