"""Build the STAC catalog of a dataset from the spec and the items of its files.

Nothing here reads the data again: the items come from the facts validation gathered
(:mod:`tpqc.stac.items`), every piece of collection metadata from the spec. STAC 1.1.0; the
collection carries the scientific extension v1.0.0 and projection summaries.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pystac
from pystac.extensions.file import FileExtension
from pystac.extensions.projection import ProjectionExtension
from pystac.extensions.scientific import Publication, ScientificExtension

from tpqc.schemas.spdx import licence_ids
from tpqc.schemas.spec import Product, Spec
from tpqc.stac.layout import CatalogLayout, ProductFolder
from tpqc.stac.licenses import license_url
from tpqc.stac.tally import CatalogTally, ItemTally
from tpqc.validators.engine.firsts import Firsts
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


def unique_item_id(path: str, taken: Firsts) -> str:
    """An item id from a file's name, unique among ``taken`` (which it joins): its stem,
    else its name with dots made underscores, else its stem numbered from 2."""
    stem = Path(path).stem
    candidate = stem
    if taken.first(candidate, "") is None:
        return candidate
    candidate, index = Path(path).name.replace(".", "_"), 2
    while taken.first(candidate, "") is not None:
        candidate, index = f"{stem}_{index}", index + 1
    return candidate


def declared_interval(spec: Spec) -> tuple[dt.datetime, dt.datetime] | None:
    """The dataset's declared temporal coverage, when it has both ends."""
    temporal = spec.dataset.temporal
    if temporal and temporal.start and temporal.end:
        return (temporal.start, temporal.end)
    return None


def _summaries(tally: ItemTally) -> dict[str, Any]:
    codes = sorted(tally.proj_codes)
    types = sorted(tally.data_types)
    gsds = sorted(tally.gsds)
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
    tally: ItemTally,
    coverage: tuple[dt.datetime | None, dt.datetime | None],
) -> pystac.Extent:
    """The declared extent and coverage, widened to the items' when these reach past them
    (station records in local time, or the last record's interval), so it tells the truth."""
    union = declared or tally.box or [-180.0, -90.0, 180.0, 90.0]
    if tally.box is not None:
        box = tally.box
        union = [
            min(union[0], box[0]),
            min(union[1], box[1]),
            max(union[2], box[2]),
            max(union[3], box[3]),
        ]
    starts = [tally.start, coverage[0]]
    ends = [tally.end, coverage[1]]
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
    tally: ItemTally,
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
        summaries=pystac.Summaries(_summaries(tally)),
    )
    if "proj:code" in collection.summaries.to_dict():
        # The summaries use projection fields, so the collection declares that extension too.
        collection.stac_extensions.append(ProjectionExtension.get_schema_uri())
    _dataset_fields(collection, spec)
    return collection


def _item_assets(collection: pystac.Collection, tally: ItemTally, title: str) -> None:
    media_types = set(tally.media_types)
    collection.item_assets = {
        ASSET_KEY: pystac.ItemAssetDefinition.create(
            title=title,
            description=None,
            media_type=media_types.pop() if len(media_types) == 1 else pystac.MediaType.GEOTIFF,
            roles=["data"],
        )
    }


def build_collection(
    spec: Spec, tally: ItemTally, products: Mapping[str, Product]
) -> pystac.Collection:
    """The dataset's Collection: metadata from the spec, extents and summaries from the
    items' tally; ``item_assets`` when its items are its own (a dataset of one product)."""
    meta = spec.dataset
    temporal = meta.temporal
    coverage = (temporal.start, temporal.end) if temporal else (None, None)
    extent = _extent(list(meta.extent.as_tuple()) if meta.extent else None, tally, coverage)
    collection = _new_collection(
        spec,
        meta.id,
        meta.title or None,
        meta.description or meta.title or meta.id,
        tally,
        extent,
    )
    if len(products) <= 1:
        single = next(iter(products.values()), None)
        _item_assets(
            collection, tally, (single.description or single.name) if single else "data file"
        )
    return collection


def product_collection(spec: Spec, product: Product, tally: ItemTally) -> pystac.Collection:
    """One product's Collection: the dataset's licence, DOI, citation and providers, the
    product's own title, extent, summaries and item assets."""
    own = product.temporal
    coverage = (own.start, own.end) if own else (None, None)
    extent = _extent(None, tally, coverage)
    meta = spec.dataset
    title = product.description or product.name
    description = f"{title}: a product of {meta.title or meta.id}."
    collection = _new_collection(
        spec, f"{meta.id}-{product.name}", title, description, tally, extent
    )
    _item_assets(collection, tally, title)
    return collection


def catalog_layout(spec: Spec, target: Path) -> CatalogLayout:
    """Where the documents of the dataset's catalog go: root Catalog → the dataset's
    Collection → its items, or, for a dataset of several products, → one Collection per
    product (in the product's folder) → its items."""
    meta = spec.dataset
    products: dict[str, ProductFolder] = {}
    if len(spec.products) > 1:
        for product in spec.products:
            title = product.description or product.name
            products[product.name] = ProductFolder(product.name, f"{meta.id}-{product.name}", title)
    return CatalogLayout(
        target.resolve(), meta.title or None, meta.id, meta.title or None, products
    )


@dataclass(frozen=True)
class PlacedItem:
    """One item as the catalog writes it: its document, the files beside it (thumbnail),
    and where its data file goes when the assets are copied."""

    relative: str
    document: dict[str, Any]
    beside: tuple[tuple[str, bytes], ...] = ()
    copied_asset: tuple[str, Path] | None = None


class CatalogStream:
    """The catalog of a dataset, made one item at a time: each item (given in path order)
    gets its unique id, its collection, its asset hrefs and thumbnail, and leaves as its
    document; what the collections need of it is tallied. :meth:`closing_documents` then
    gives the collections and the root catalog. Nothing here holds an item once it is
    placed: memory does not grow with the catalog but by an id per item."""

    def __init__(self, spec: Spec, options: StacOptions) -> None:
        self.spec = spec
        self.options = options
        self.layout = catalog_layout(spec, options.target)
        self.tally = CatalogTally()
        self._taken = Firsts()  # the ids given: on disk past some thousands
        self._remote = public_root(spec.data_url) if spec.data_url else None
        self._relative = not options.asset_href_prefix and (
            self._remote is None or options.copy_assets
        )
        self._last_href: str | None = None

    def place(self, item: pystac.Item, product: str, thumbnail: bytes | None) -> PlacedItem:
        """Give the item its id, collection and hrefs; returns its document and files."""
        asset = item.assets[ASSET_KEY]
        href = str(asset.href)
        if self._last_href is not None and href < self._last_href:
            raise ValueError(f"items must come in path order: {href} after {self._last_href}")
        self._last_href = href
        item.id = unique_item_id(href, self._taken)
        layout, options = self.layout, self.options
        product_name = product if product in layout.products else None
        item.collection_id = layout.owner(product_name)[0]
        self.tally.add(item, product)
        folder = layout.item_folder(item.id, product_name)
        source = self.spec.data_root / href
        if options.copy_assets:
            asset.href = str(layout.target / folder / Path(href).name)
        elif options.asset_href_prefix:
            asset.href = options.asset_href_prefix.rstrip("/") + "/" + href
        elif self._remote is not None:
            asset.href = object_location(self._remote, href)
        else:
            # abspath, not resolve(): a data file that is a symlink keeps its own path.
            asset.href = os.path.abspath(source)  # noqa: PTH100
        if self._relative:
            for other in item.assets.values():
                if not ("://" in other.href or other.href.startswith("./")):
                    other.href = layout.relative_href(folder, item.id, other.href)
        beside: tuple[tuple[str, bytes], ...] = ()
        if thumbnail is not None:
            beside = ((f"{folder}/{add_thumbnail(item, thumbnail)}", thumbnail),)
        relative, document = layout.item_document(item, product_name)
        copied = (f"{folder}/{source.name}", source) if options.copy_assets else None
        return PlacedItem(relative, document, beside, copied)

    def closing_documents(
        self, described_by: Iterable[pystac.Link] = ()
    ) -> list[tuple[str, dict[str, Any]]]:
        """The root catalog, the dataset's collection (with ``described_by`` links to its
        metadata records) and each product's collection, from the tally of every item."""
        spec, layout, tally = self.spec, self.layout, self.tally
        products = {p.name: p for p in spec.products}
        collection = build_collection(spec, tally.every, products)
        for link in described_by:
            collection.add_link(link)
        catalog = pystac.Catalog(
            id=self.options.catalog_id or f"{spec.dataset.id}-catalog",
            title=spec.dataset.title or None,
            description=f"STAC catalog of {spec.dataset.title or spec.dataset.id}",
            catalog_type=pystac.CatalogType.SELF_CONTAINED,
        )
        children = [
            (folder, tally.products[name])
            for name, folder in layout.products.items()
            if name in tally.products
        ]
        documents = [
            layout.catalog_document(catalog),
            layout.collection_document(
                collection,
                [folder for folder, _ in children],
                () if layout.products else tally.every.ids,
            ),
        ]
        for folder, own in children:
            child = product_collection(spec, products[folder.folder], own)
            documents.append(layout.product_document(folder, child, own.ids))
        return documents


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
