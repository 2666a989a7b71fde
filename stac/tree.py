"""Load a STAC catalog, collection or item from disk and walk its child and item links."""

from __future__ import annotations

import json
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


def load_tree(start: Path) -> StacTree:
    """Read the document at start (a file, or a folder holding catalog.json/collection.json)."""
    start = Path(start).resolve()
    if start.is_dir():
        for candidate in ("catalog.json", "collection.json"):
            if (start / candidate).is_file():
                start = start / candidate
                break
    tree = StacTree(root=start.parent)
    seen: set[Path] = set()
    pending: list[tuple[Path, StacDoc | None]] = [(start, None)]
    while pending:
        path, parent = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        name = _name(path, tree.root)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            tree.unreadable.append(UnreadableDocument(name, f"{type(exc).__name__}: {exc}"))
            continue
        if not isinstance(data, dict) or "type" not in data:
            tree.unreadable.append(UnreadableDocument(name, "not a STAC object (no 'type')"))
            continue
        doc = StacDoc(path, name, data, parent)
        tree.docs.append(doc)
        for link in data.get("links") or []:
            if not isinstance(link, dict):
                continue
            rel, href = link.get("rel"), link.get("href")
            if rel not in CHECKED or not isinstance(href, str) or is_url(href):
                continue
            target = resolve_local(href, path)
            if not target.is_file():
                tree.unresolved.append(UnresolvedLink(name, str(rel), href))
            elif rel in FOLLOWED:
                pending.append((target, doc))
    return tree
