"""Load a STAC catalog, collection or item from disk and walk its child and item links."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

FOLLOWED = ("child", "item")
CHECKED = ("root", "parent", "collection", "child", "item")


@dataclass(frozen=True)
class StacDoc:
    """One STAC document: where it is, its name in reports, its JSON, and its parent."""

    path: Path
    name: str
    data: dict[str, Any]
    parent: StacDoc | None = None
    slim: bool = False
    """Only what the tree checks need is kept (type, id, collection): an item of a big
    tree, read again from ``path`` when its own checks run (:meth:`full`)."""

    def full(self) -> StacDoc:
        """The document with all its JSON (read again for a slim one)."""
        if not self.slim:
            return self
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return StacDoc(self.path, self.name, data, self.parent)

    @property
    def kind(self) -> str:
        """Item, Catalog or Collection."""
        kind = self.data.get("type")
        return "Item" if kind == "Feature" else str(kind)


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


@dataclass
class StacTree:
    """Every document reachable from the start, and what could not be read or found."""

    root: Path
    docs: list[StacDoc] = field(default_factory=list)
    unreadable: list[UnreadableDocument] = field(default_factory=list)
    unresolved: list[UnresolvedLink] = field(default_factory=list)
    links_not_followed: int = 0
    """Local links of the documents that were not followed (--no-links)."""
    _collections: dict[str, StacDoc] | None = None

    def collection(self, collection_id: object) -> StacDoc | None:
        """The collection of this id among the documents read (first one wins)."""
        if self._collections is None:
            self._collections = {}
            for doc in self.docs:
                if doc.kind == "Collection":
                    self._collections.setdefault(str(doc.data.get("id")), doc)
        return self._collections.get(str(collection_id))


def is_url(href: str) -> bool:
    """True for http(s) and other URL schemes (never fetched offline)."""
    return urlparse(href).scheme not in ("", "file") and len(urlparse(href).scheme) > 1


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


def _unreadable_reason(path: Path, exc: Exception) -> str:
    """Why a file is not a STAC document, in words a user can act on."""
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
    except OSError:
        return f"{type(exc).__name__}: {exc}"
    what = next((name for magic, name in _MAGIC.items() if head.startswith(magic)), None)
    if what is not None:
        return (
            f"{what}, not a STAC JSON document: check-stac reads catalogs, collections and "
            "items (catalog.json, collection.json, item .json files)"
        )
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text, so not a STAC JSON document"
    return f"not valid JSON: {exc}"


def _start_document(start: Path) -> Path:
    start = Path(start).resolve()
    if start.is_dir():
        for candidate in ("catalog.json", "collection.json"):
            if (start / candidate).is_file():
                return start / candidate
    return start


SLIM_KEYS = ("type", "id", "collection")


def load_tree(
    starts: Path | Sequence[Path], *, follow_links: bool = True, slim_items: bool = False
) -> StacTree:
    """Read the documents at ``starts`` (files, or folders holding catalog.json or
    collection.json), and with ``follow_links`` every child and item they link to. With
    ``slim_items``, items keep only their type, id and collection once their links are
    followed: a tree of 100,000 items fits in memory; each is read again to be checked."""
    paths = [_start_document(p) for p in ([starts] if isinstance(starts, Path) else starts)]
    tree = StacTree(root=paths[0].parent if len(paths) == 1 else _common_folder(paths))
    seen: set[Path] = set()
    pending: deque[tuple[Path, StacDoc | None]] = deque((p, None) for p in paths)
    while pending:
        path, parent = pending.popleft()
        if path in seen:
            continue
        seen.add(path)
        name = _name(path, tree.root)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            tree.unreadable.append(UnreadableDocument(name, _unreadable_reason(path, exc)))
            continue
        if not isinstance(data, dict) or "type" not in data:
            tree.unreadable.append(UnreadableDocument(name, "not a STAC object (no 'type')"))
            continue
        doc = StacDoc(path, name, data, parent)
        if slim_items and doc.kind == "Item":
            slim = {key: data[key] for key in SLIM_KEYS if key in data}
            tree.docs.append(StacDoc(path, name, slim, parent, slim=True))
        else:
            tree.docs.append(doc)
        for link in data.get("links") or []:
            if not isinstance(link, dict):
                continue
            rel, href = link.get("rel"), link.get("href")
            if rel not in CHECKED or not isinstance(href, str) or is_url(href):
                continue
            if not follow_links:
                tree.links_not_followed += 1
                continue
            target = resolve_local(href, path)
            if not target.is_file():
                tree.unresolved.append(UnresolvedLink(name, str(rel), href))
            elif rel in FOLLOWED:
                pending.append((target, doc))
    return tree


def _common_folder(paths: Sequence[Path]) -> Path:
    import os

    return Path(os.path.commonpath([str(p.parent) for p in paths]))
