"""Load a STAC catalog, collection or item from disk and walk its child and item links."""

from __future__ import annotations

import dataclasses
import errno
import os
import posixpath
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlsplit

from tpqc.stac.paged import LinkPage, PageReadError, read_paged
from tpqc.validators.engine.firsts import Firsts
from tpqc.validators.engine.spill_queue import SpillQueue

FOLLOWED = ("child", "item")
CHECKED = ("root", "parent", "collection", "child", "item")
MAX_DOCUMENT_BYTES = 64 << 20
"""The largest STAC document read (``check-stac --max-document-bytes``): an item is a few
kB; a footprint of millions of vertices belongs in an asset, not in the item."""


class DocumentError(ValueError):
    """A STAC document that cannot be read, and why, in words a user can act on."""


def read_json_document(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> Any:
    """The JSON value of a document file: only a regular file (a FIFO or device is never
    read: it could block or never end), at most ``limit`` bytes, parsed by orjson (a few
    times the document's size in memory; nesting past 1024 levels refused, so no reader or
    check runs out of stack)."""
    import orjson

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise DocumentError(f"cannot open: {exc.strerror or exc}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise DocumentError(f"{what}, not a regular file: never read as a document")
        if info.st_size > limit:
            raise DocumentError(
                f"{info.st_size} bytes, more than the {limit} a STAC document may have here "
                "(--max-document-bytes)"
            )
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            # a buffer of the file's size, not of the limit (megabytes per small document)
            data = stream.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since: read on, up to past the limit
                data += stream.read(limit + 1 - len(data))
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise DocumentError("a folder, not a document") from None
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise DocumentError(f"more than {limit} bytes (--max-document-bytes)")
    try:
        return orjson.loads(data)  # refuses nesting past 1024 levels
    except orjson.JSONDecodeError as exc:
        return _lenient_json(data, exc)


def _lenient_json(data: bytes, first: Exception) -> Any:
    """What orjson is stricter about than JSON readers in the wild (NaN, integers past 64
    bits) is read by the standard library, within its limits."""
    import json

    try:
        return json.loads(data)
    except RecursionError:
        raise DocumentError("nested too deep to be a STAC document") from None
    except ValueError:
        raise DocumentError(_json_reason(data, first)) from None


def _json_reason(data: bytes, exc: Exception) -> str:
    what = next((name for magic, name in _MAGIC.items() if data.startswith(magic)), None)
    if what is not None:
        return (
            f"{what}, not a STAC JSON document: check-stac reads catalogs, collections and "
            "items (catalog.json, collection.json, item .json files)"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text, so not a STAC JSON document"
    return f"not valid JSON: {exc}"


@dataclass(frozen=True)
class StacDoc:
    """One STAC document: where it is, its name in reports, its JSON, and its parent."""

    path: Path
    name: str
    data: dict[str, Any]
    parent: StacDoc | None = None
    slim: bool = False
    """Only what the tree checks need is kept (type, id, collection): an item of a big
    tree, checked whole when it was read."""
    link_pages: Iterator[LinkPage] | None = field(default=None, compare=False, repr=False)
    """For a document read in pages (:mod:`tpqc.stac.paged`; ``data`` lacks its links):
    its links a page at a time, read as they are asked for. The walk reads whatever pages
    were not asked for before it goes on."""

    @property
    def kind(self) -> str:
        """Item, Catalog or Collection (for a pre-1.0 catalog or collection, which has no
        ``type``, what its fields make it)."""
        return stac_kind(self.data) or str(self.data.get("type"))


def stac_kind(data: Any) -> str | None:
    """Item, Catalog or Collection, or None for no STAC object. Catalogs and collections
    had no ``type`` before 1.0.0-rc.1: one with an extent or a license is a collection,
    as stac-validator and pystac decide."""
    if not isinstance(data, dict):
        return None
    kind = data.get("type")
    if kind == "Feature":
        return "Item"
    if kind in ("Catalog", "Collection"):
        return str(kind)
    if kind is None and isinstance(data.get("stac_version"), str) and "id" in data:
        return "Collection" if "extent" in data or "license" in data else "Catalog"
    return None


@dataclass(frozen=True)
class UnreadableDocument:
    """A document that could not be read as STAC, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class UnresolvedLink:
    """A link whose local target does not exist."""

    name: str
    rel: str
    href: str


@dataclass(frozen=True)
class DuplicateId:
    """A document whose id another document of the same scope had first."""

    name: str
    kind: str
    id: str
    first: str
    """The name of the document that had the id first."""


@dataclass
class StacTree:
    """Every document reachable from the start, and what could not be read or found.

    A document is kept as its name, type and id alone (``listed``; a collection is found
    by its id), and its id is compared with the ids of its scope as it comes in
    (``duplicates``)."""

    root: Path
    unreadable: list[UnreadableDocument] = field(default_factory=list)
    unresolved: list[UnresolvedLink] = field(default_factory=list)
    links_not_followed: int = 0
    """Local links of the documents that were not followed (--no-links)."""
    listed: list[tuple[str, str, Any]] = field(default_factory=list)
    """Every document read, in order: its name, type and id (unless ``list_documents`` is
    False: a self-check that reports findings only)."""
    list_documents: bool = True
    duplicates: list[DuplicateId] = field(default_factory=list)
    _collections: dict[str, StacDoc] = field(default_factory=dict)
    _first_by_key: Firsts = field(default_factory=Firsts)
    """The name of the first document of each (type, start, scope, id): on disk past some
    thousands of documents."""

    def add(self, doc: StacDoc) -> None:
        """Count a document read in (a collection is found by its id from then on)."""
        kind = doc.kind
        ident = doc.data.get("id")
        if self.list_documents:
            self.listed.append((doc.name, kind, ident))
        if kind == "Collection":
            self._collections.setdefault(str(ident), doc)
        top, scope = _id_scope(doc)
        # one text key, unambiguous (orjson's bytes would each keep a 4 kB buffer)
        key = repr((kind, top, scope, str(ident)))
        first = self._first_by_key.first(key, doc.name)
        if first is not None:
            self.duplicates.append(DuplicateId(doc.name, kind, str(ident), first))

    def close(self) -> None:
        """Forget the first document of each id (its database, when on disk, is deleted):
        the duplicates found are kept."""
        self._first_by_key.close()

    def collection(self, collection_id: object) -> StacDoc | None:
        """The collection of this id among the documents read so far (first one wins)."""
        return self._collections.get(str(collection_id))


def _id_scope(doc: StacDoc) -> tuple[str, str]:
    """Where an id must be unique: two collections of one catalog, or two items of one
    collection, may not share one (documents given on their own, reached from no common
    start, are independent). The name of the document the walk started from, and the
    scope within it."""
    top = doc
    while top.parent is not None:
        top = top.parent
    collection = doc.data.get("collection") if doc.kind == "Item" else None
    if isinstance(collection, str):
        scope = f"collection {collection}"
    else:
        scope = doc.parent.name if doc.parent is not None else f"alone {doc.name}"
    return top.name, scope


def is_url(href: str) -> bool:
    """True for http(s) and other URL schemes (never fetched offline)."""
    scheme = urlsplit(href).scheme  # parsed once: a catalog check asks for every link
    return scheme not in ("", "file") and len(scheme) > 1


def resolve_local(href: str, base: Path) -> Path:
    """A local href resolved against the folder of the document that holds it."""
    parsed = urlparse(href)
    raw = parsed.path if parsed.scheme == "file" else href
    return (base.parent / raw).resolve() if not Path(raw).is_absolute() else Path(raw)


def _name(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


_MAGIC = {
    b"II*\x00": "a TIFF file",
    b"MM\x00*": "a TIFF file",
    b"II+\x00": "a BigTIFF file",
    b"\x89HDF": "an HDF5/NetCDF-4 file",
    b"CDF\x01": "a NetCDF file",
    b"PK\x03\x04": "a ZIP (or XLSX) file",
    b"\x89PNG": "a PNG image",
}


def _start_document(start: Path) -> Path:
    start = Path(start).resolve()
    if start.is_dir():
        for candidate in ("catalog.json", "collection.json"):
            if (start / candidate).is_file():
                return start / candidate
    return start


SLIM_KEYS = ("type", "id", "collection")


class TreeWalk:
    """Read the documents at ``starts`` (files, or folders holding catalog.json or
    collection.json), and with ``follow_links`` every child and item they link to, parents
    before their children. :meth:`documents` gives each document whole as it is read, once;
    the tree keeps it, or with ``slim_items`` an item reached through links keeps only its
    type, id and collection, and any other document loses its links once the next one is
    asked for: a tree of a million items is never whole in memory. A document
    past ``max_bytes``, or not a regular file, is unreadable. ``list_documents`` False: the
    tree does not list every document's name, type and id either."""

    def __init__(
        self,
        starts: Path | Sequence[Path],
        *,
        follow_links: bool = True,
        slim_items: bool = False,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        list_documents: bool = True,
    ) -> None:
        self.paths = [
            _start_document(p) for p in ([starts] if isinstance(starts, Path) else starts)
        ]
        root = self.paths[0].parent if len(self.paths) == 1 else _common_folder(self.paths)
        self.tree = StacTree(root=root, list_documents=list_documents)
        self.follow_links = follow_links
        self.slim_items = slim_items
        self.max_bytes = max_bytes
        self._links: dict[str, bool] = {}

    def _is_link(self, path: str) -> bool:
        """Whether a path is a symlink, remembered for the few paths many links share (the
        collection, the root catalog)."""
        known = self._links.get(path)
        if known is None:
            if len(self._links) > 4096:
                self._links.clear()
            known = self._links[path] = posixpath.islink(path)
        return known

    def _resolve(self, href: str, base: Path) -> Path:
        """:func:`resolve_local`, step by step from the document's folder: ``base`` is a
        real path (every document the walk reads is), so ``..`` is its parent and only the
        components the href adds need a look (one ``lstat`` each, not a ``realpath`` of the
        whole path per link; a million items have four links each)."""
        return Path(self._resolved(href, str(base)))

    def _resolved(self, href: str, base: str) -> str:
        """:meth:`_resolve` as a string (a walk queues a million of them)."""
        parsed = urlparse(href) if ":" in href else None
        raw = parsed.path if parsed is not None and parsed.scheme == "file" else href
        if posixpath.isabs(raw):
            return str(Path(raw))
        current = posixpath.dirname(base)
        for part in raw.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                current = posixpath.dirname(current)
                continue
            current = posixpath.join(current, part)
            if self._is_link(current):
                current = posixpath.realpath(current)
        return current

    def documents(self) -> Iterator[StacDoc]:
        """Each readable document, whole, in the order it is read."""
        seen = Firsts()  # read once each: on disk past some thousands of paths
        try:
            yield from self._walk(seen)
        finally:
            seen.close()

    def _walk(self, seen: Firsts) -> Iterator[StacDoc]:
        # Documents still to read with the index of their parent in ``parents``: a
        # collection queues every item it links to, on disk past some thousands.
        pending = SpillQueue()
        parents: list[StacDoc] = []
        try:
            for start in self.paths:
                pending.append(-1, str(start))
            while pending:
                parent_index, where = pending.popleft()
                if seen.first(where, "") is not None:
                    continue
                parent = parents[parent_index] if parent_index >= 0 else None
                read = self._read(where, parent)
                if read is None:
                    continue
                doc, kept = read
                queue = _LinkQueue(self, doc, kept, where, pending, parents)
                if doc.link_pages is None:
                    queue.add(doc.data.get("links"))
                    yield doc
                else:
                    pages = queue.paged(doc.link_pages)
                    yield dataclasses.replace(doc, link_pages=pages)
                    for _ in pages:  # what the reader of the document did not ask for
                        pass
                if self.slim_items and not doc.slim:
                    # Checked: what is kept of it (a collection's extent, its name as a
                    # scope) needs no links, and a collection of a million items links
                    # them all.
                    doc.data.pop("links", None)
        finally:
            pending.close()

    def _read(self, where: str, parent: StacDoc | None) -> tuple[StacDoc, StacDoc] | None:
        """The document at ``where`` (None when it is unreadable or not STAC: the tree
        says why) and what the tree keeps of it (the same document, or a slim item)."""
        tree = self.tree
        path = Path(where)
        name = _name(path, tree.root)
        paged = read_paged(path, self.max_bytes) if self.slim_items else None
        try:
            data = paged.skeleton if paged is not None else read_json_document(path, self.max_bytes)
        except DocumentError as exc:
            tree.unreadable.append(UnreadableDocument(name, str(exc)))
            return None
        if not isinstance(data, dict) or ("type" not in data and stac_kind(data) is None):
            tree.unreadable.append(
                UnreadableDocument(name, "not a STAC object (no 'type', no 'stac_version')")
            )
            return None
        pages = paged.link_pages() if paged is not None else None
        doc = StacDoc(path, name, data, parent, link_pages=pages)
        kept = doc
        if self.slim_items and doc.kind == "Item" and parent is not None:
            slim = {key: data[key] for key in SLIM_KEYS if key in data}
            kept = StacDoc(path, name, slim, parent, slim=True)
        tree.add(kept)
        return doc, kept


class _LinkQueue:
    """Checks the local links of one document as they come (a paged document's a page at
    a time) and queues the child and item documents they lead to."""

    def __init__(
        self,
        walk: TreeWalk,
        doc: StacDoc,
        kept: StacDoc,
        where: str,
        pending: SpillQueue,
        parents: list[StacDoc],
    ) -> None:
        self.walk, self.doc, self.kept, self.where = walk, doc, kept, where
        self.pending, self.parents = pending, parents
        self.index = -1
        """The document's index among the parents, once it has queued a document."""

    def add(self, links: Any) -> None:
        """Check and queue these links of the document."""
        walk, tree = self.walk, self.walk.tree
        for link in links if isinstance(links, list) else ():
            if not isinstance(link, dict):
                continue
            rel, href = link.get("rel"), link.get("href")
            if rel not in CHECKED or not isinstance(href, str) or is_url(href):
                continue
            if not walk.follow_links:
                tree.links_not_followed += 1
                continue
            target = walk._resolved(href, self.where)
            if not posixpath.isfile(target):
                tree.unresolved.append(UnresolvedLink(self.doc.name, str(rel), href))
            elif rel in FOLLOWED:
                if self.index < 0:
                    # what the tree keeps of it: a slim item holds its children's scope
                    self.parents.append(self.kept)
                    self.index = len(self.parents) - 1
                self.pending.append(self.index, target)

    def paged(self, pages: Iterator[LinkPage]) -> Iterator[LinkPage]:
        """The pages, each page's own links checked and queued as it is handed on; a page
        that cannot be read makes the document unreadable (its links so far stay
        checked)."""
        try:
            for page in pages:
                self.add(page.links[page.fresh_from :])
                yield page
        except PageReadError as exc:
            self.walk.tree.unreadable.append(UnreadableDocument(self.doc.name, str(exc)))


def _common_folder(paths: Sequence[Path]) -> Path:
    import os

    return Path(os.path.commonpath([str(p.parent) for p in paths]))
