"""Where each document of a catalog lives, and its JSON, computed per object in one pass.

The layout is pystac's self-contained one: ``catalog.json`` at the top, the collection in
``<collection>/collection.json``, each item in ``<collection>/<item>/<item>.json``. pystac's
tree operations (``add_child``, ``normalize_hrefs``, ``to_dict`` with link transformation)
revisit the whole tree per object and grow with the square of the number of items, and hold
every item; a national archive has a million. Here every link is written from the layout
itself, which is known before the first item is made: each object is serialised alone
(pystac still writes its fields and extensions), gets its links from where it lives, and is
let go once written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import pystac
from pystac.utils import make_relative_href

JSON = "application/json"
GEOJSON = "application/geo+json"


def _plain_absolute(path: str) -> bool:
    """An absolute POSIX path without ``.`` or ``..`` components, trailing slash or
    backslash (where :func:`relative_path` and pystac agree by construction)."""
    return (
        path.startswith("/")
        and not path.endswith(("/", "/.", "/.."))
        and "/./" not in path
        and "/../" not in path
        and "//" not in path
        and "\\" not in path
    )


def relative_path(path: str, folder: str) -> str:
    """A plain absolute path relative to a plain absolute folder, written as pystac writes
    relative hrefs (``./`` before one that does not climb): ``os.path.relpath`` without
    its two ``getcwd`` calls per path, for catalogs of a million items."""
    target = path.split("/")
    start = folder.split("/")
    common = 0
    for own, other in zip(target, start, strict=False):
        if own != other:
            break
        common += 1
    parts = [".."] * (len(start) - common) + target[common:]
    relative = "/".join(parts) if parts else "."
    return relative if relative.startswith("../") else "./" + relative


def _link(rel: str, href: str, media_type: str, title: str | None) -> dict[str, Any]:
    link: dict[str, Any] = {"rel": rel, "href": href, "type": media_type}
    if title:
        link["title"] = title
    return link


class Links(Sequence[dict[str, Any]]):
    """A collection's links: the few made whole, then one ``item`` link per item id made
    each time it is read, then the few after (a million items' link objects were about
    300 MB; the catalog writes them one at a time)."""

    def __init__(
        self,
        before: Sequence[dict[str, Any]],
        item_ids: Sequence[str],
        after: Sequence[dict[str, Any]],
    ) -> None:
        self._before, self._ids, self._after = list(before), item_ids, list(after)

    def __len__(self) -> int:
        return len(self._before) + len(self._ids) + len(self._after)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self._before):
            return self._before[index]
        index -= len(self._before)
        if index < len(self._ids):
            item_id = self._ids[index]
            return _link("item", f"./{item_id}/{item_id}.json", GEOJSON, None)
        return self._after[index - len(self._ids)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The links in order, the ids read in order (a list on disk reads a megabyte at a
        time, not an id at a time)."""
        yield from self._before
        for item_id in self._ids:
            yield _link("item", f"./{item_id}/{item_id}.json", GEOJSON, None)
        yield from self._after


@dataclass(frozen=True)
class ProductFolder:
    """One product's collection: its id and title, in the folder named by the product."""

    folder: str
    collection_id: str
    title: str | None


@dataclass(frozen=True)
class CatalogLayout:
    """Where every document of a catalog lives: the catalog, the dataset's collection, and
    the items directly under it (a dataset of one product) or under one child collection per
    product (so each collection's item_assets and summaries are true of all its items).
    Known before any item is made, so each item is written the moment it is made."""

    target: Path
    """The catalog's folder, resolved."""
    catalog_title: str | None
    collection_id: str
    collection_title: str | None
    products: Mapping[str, ProductFolder] = field(default_factory=dict)
    """By product name, when the dataset has several products (else empty)."""

    def item_folder(self, item_id: str, product: str | None = None) -> str:
        """The item's folder relative to the target (``alt/Wudaoliang_ALT_2017``, or
        ``qilian/lst/LST_2015`` under a product collection)."""
        own = self.products.get(product or "")
        if own is None:
            return f"{self.collection_id}/{item_id}"
        return f"{self.collection_id}/{own.folder}/{item_id}"

    def owner(self, product: str | None) -> tuple[str, str | None]:
        """The id and title of the collection an item of ``product`` belongs to."""
        own = self.products.get(product or "")
        if own is None:
            return self.collection_id, self.collection_title
        return own.collection_id, own.title

    def relative_href(self, folder: str, item_id: str, href: str) -> str:
        """An absolute local href as the item's documents refer to it (``../../data/x.tif``,
        ``./x.tif`` beside it), as pystac writes relative asset hrefs."""
        start = f"{self.target}/{folder}"
        if _plain_absolute(href) and _plain_absolute(start):
            return relative_path(href, start)
        return str(make_relative_href(href, f"{start}/{item_id}.json"))

    def catalog_document(self, catalog: pystac.Catalog) -> tuple[str, dict[str, Any]]:
        """The root catalog, linking the dataset's collection."""
        document = catalog.to_dict(include_self_link=False, transform_hrefs=False)
        document["links"] = [
            _link("root", "./catalog.json", JSON, self.catalog_title),
            _link("child", f"./{self.collection_id}/collection.json", JSON, self.collection_title),
        ]
        return "catalog.json", document

    def collection_document(
        self,
        collection: pystac.Collection,
        children: Iterable[ProductFolder],
        item_ids: Sequence[str],
    ) -> tuple[str, dict[str, Any]]:
        """The dataset's collection, linking its product collections or its items."""
        document = collection.to_dict(include_self_link=False, transform_hrefs=False)
        document["links"] = Links(
            [
                _link("root", "../catalog.json", JSON, self.catalog_title),
                *document.get("links", []),
                *(
                    _link("child", f"./{child.folder}/collection.json", JSON, child.title)
                    for child in children
                ),
            ],
            item_ids,
            [_link("parent", "../catalog.json", JSON, self.catalog_title)],
        )
        return f"{self.collection_id}/collection.json", document

    def product_document(
        self, product: ProductFolder, collection: pystac.Collection, item_ids: Sequence[str]
    ) -> tuple[str, dict[str, Any]]:
        """One product's collection, linking its items."""
        document = collection.to_dict(include_self_link=False, transform_hrefs=False)
        document["links"] = Links(
            [
                _link("root", "../../catalog.json", JSON, self.catalog_title),
                *document.get("links", []),
            ],
            item_ids,
            [_link("parent", "../collection.json", JSON, self.collection_title)],
        )
        return f"{self.collection_id}/{product.folder}/collection.json", document

    def item_document(self, item: pystac.Item, product: str | None) -> tuple[str, dict[str, Any]]:
        """One item, linking its root and its collection."""
        folder = self.item_folder(item.id, product)
        _, owner_title = self.owner(product)
        document = item.to_dict(include_self_link=False, transform_hrefs=False)
        document["links"] = [
            _link(
                "root", "../" * (folder.count("/") + 1) + "catalog.json", JSON, self.catalog_title
            ),
            _link("collection", "../collection.json", JSON, owner_title),
            _link("parent", "../collection.json", JSON, owner_title),
            *document.get("links", []),
        ]
        return f"{folder}/{item.id}.json", document


__all__ = ["CatalogLayout", "ProductFolder"]
