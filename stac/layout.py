"""Where each document of a catalog lives, and its JSON, computed per object in one pass.

The layout is pystac's self-contained one: ``catalog.json`` at the top, the collection in
``<collection>/collection.json``, each item in ``<collection>/<item>/<item>.json``. pystac's
tree operations (``add_child``, ``normalize_hrefs``, ``to_dict`` with link transformation)
revisit the whole tree per object and grow with the square of the number of items; a
national archive has hundreds of thousands. Here every link is written from the layout
itself, so publishing time and memory grow linearly: each object is serialised alone
(pystac still writes its fields and extensions) and gets its links from where it lives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pystac
from pystac.utils import make_relative_href

JSON = "application/json"
GEOJSON = "application/geo+json"


def _link(rel: str, href: str, media_type: str, title: str | None) -> dict[str, Any]:
    link: dict[str, Any] = {"rel": rel, "href": href, "type": media_type}
    if title:
        link["title"] = title
    return link


@dataclass(frozen=True)
class ProductCollection:
    """One product's collection and its items, in the folder named by the product."""

    folder: str
    collection: pystac.Collection
    items: list[pystac.Item]


@dataclass(frozen=True)
class CatalogLayout:
    """A catalog, the dataset's collection, and its items: directly under the dataset's
    collection (a dataset of one product), or under one child collection per product (so
    each collection's item_assets and summaries are true of all its items)."""

    target: Path
    """The catalog's folder, resolved."""
    catalog: pystac.Catalog
    collection: pystac.Collection
    items: list[pystac.Item]
    """The items of a one-product dataset (none when there are product collections)."""
    products: list[ProductCollection] = field(default_factory=list)

    def _folders(self) -> dict[str, str]:
        return {p.collection.id: p.folder for p in self.products}

    def item_folder(self, item: pystac.Item) -> str:
        """The item's folder relative to the target (``alt/Wudaoliang_ALT_2017``, or
        ``qilian/lst/LST_2015`` under a product collection)."""
        folder = self._folders().get(item.collection_id or "")
        if folder is None:
            return f"{self.collection.id}/{item.id}"
        return f"{self.collection.id}/{folder}/{item.id}"

    def item_path(self, item: pystac.Item) -> Path:
        """The absolute path of the item's JSON document."""
        return self.target / self.item_folder(item) / f"{item.id}.json"

    def relative_href(self, item: pystac.Item, href: str) -> str:
        """An absolute local href as the item's documents refer to it (``../../data/x.tif``,
        ``./x.tif`` beside it), as pystac writes relative asset hrefs."""
        return str(make_relative_href(href, str(self.item_path(item))))

    def documents(self) -> dict[str, dict[str, Any]]:
        """Every STAC document keyed by its path relative to the target, in path order."""
        return dict(sorted(self.stream()))

    def drain(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """:meth:`stream`, letting go of each item once it is written: a catalog of 100,000
        items is never whole in memory, as objects or as documents. The layout is spent."""
        return self._documents(release=True)

    def stream(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every STAC document with its path relative to the target, one at a time: the
        catalog, the dataset's collection, each product's collection, then each item."""
        return self._documents(release=False)

    def _documents(self, release: bool) -> Iterator[tuple[str, dict[str, Any]]]:
        catalog_title = self.catalog.title
        folder = self.collection.id
        catalog = self.catalog.to_dict(include_self_link=False, transform_hrefs=False)
        catalog["links"] = [
            _link("root", "./catalog.json", JSON, catalog_title),
            _link("child", f"./{folder}/collection.json", JSON, self.collection.title),
        ]
        yield "catalog.json", catalog
        collection = self.collection.to_dict(include_self_link=False, transform_hrefs=False)
        collection["links"] = [
            _link("root", "../catalog.json", JSON, catalog_title),
            *collection.get("links", []),
            *(
                _link("child", f"./{p.folder}/collection.json", JSON, p.collection.title)
                for p in self.products
            ),
            *(_link("item", f"./{i.id}/{i.id}.json", GEOJSON, None) for i in self.items),
            _link("parent", "../catalog.json", JSON, catalog_title),
        ]
        yield f"{folder}/collection.json", collection
        yield from self._items(self.items, release)
        for product in self.products:
            yield self._product_document(product)
            yield from self._items(product.items, release)

    def _product_document(self, product: ProductCollection) -> tuple[str, dict[str, Any]]:
        document = product.collection.to_dict(include_self_link=False, transform_hrefs=False)
        document["links"] = [
            _link("root", "../../catalog.json", JSON, self.catalog.title),
            *document.get("links", []),
            *(_link("item", f"./{i.id}/{i.id}.json", GEOJSON, None) for i in product.items),
            _link("parent", "../collection.json", JSON, self.collection.title),
        ]
        return f"{self.collection.id}/{product.folder}/collection.json", document

    def _items(
        self, items: list[pystac.Item], release: bool
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        for index, item in enumerate(items):
            yield self._item_document(item)
            if release:
                items[index] = None  # type: ignore[call-overload]

    def _item_document(self, item: pystac.Item) -> tuple[str, dict[str, Any]]:
        folder = self.item_folder(item)
        owner = next(
            (p.collection for p in self.products if p.collection.id == item.collection_id),
            self.collection,
        )
        document = item.to_dict(include_self_link=False, transform_hrefs=False)
        document["links"] = [
            _link(
                "root", "../" * (folder.count("/") + 1) + "catalog.json", JSON, self.catalog.title
            ),
            _link("collection", "../collection.json", JSON, owner.title),
            _link("parent", "../collection.json", JSON, owner.title),
            *document.get("links", []),
        ]
        return f"{folder}/{item.id}.json", document


__all__ = ["CatalogLayout", "ProductCollection"]
