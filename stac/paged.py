"""A STAC document too big to hold whole (the collection of a million items links every
one of them: about 100 MB of text, 400 MB once parsed) read in pages: everything but its
``links`` parsed at once, the links a page at a time, each as it is read from the file."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

PAGED_AFTER_BYTES = 16 << 20
"""A document larger than this is read in pages (when the walk keeps items slim); smaller
ones are read whole, as they always were."""
LINKS_PER_PAGE = 20_000
"""Links in one page (about 8 MB parsed; with the page checked as a document, its transient
memory is a few times that)."""
MAX_DEPTH = 1000
"""Nesting past this is left to the whole read, which refuses it (as orjson does)."""
MAX_CONTEXT_LINKS = 10_000
"""A document with more links than this that are not item or child links is read whole."""
_OPENING = ("start_map", "start_array")


PAGED_RELS = ("item", "child")
"""The links that come by the million and are paged; every other link (root, parent,
self, license, cite-as ...) goes with every page."""


class PageReadError(ValueError):
    """A paged document's links could not be read back (the file changed or broke)."""


@dataclass(frozen=True)
class LinkPage:
    """Some of a document's links: every link that is not an item or child link (so that
    a rule over all of them, such as a schema's ``contains``, sees what it looks for),
    then a page of item and child links. ``indices`` are their places in the document's
    ``links``; the links from ``fresh_from`` on are this page's own (the first page
    counts its context links as its own)."""

    indices: list[int]
    links: list[Any]
    fresh_from: int


@dataclass(frozen=True)
class PagedDocument:
    """A document whose top level is an object with a ``links`` array: ``skeleton`` is
    every other member, parsed; ``context`` the links that are not item or child links,
    with their indices; :meth:`link_pages` reads the rest."""

    path: Path
    skeleton: dict[str, Any]
    context: list[tuple[int, Any]]

    def link_pages(self, size: int | None = None) -> Iterator[LinkPage]:
        """The item and child links ``size`` at a time (one page, maybe of context links
        alone, at least). Raises :class:`PageReadError` when the file can no longer be
        read as it was."""
        import ijson

        size = size or LINKS_PER_PAGE
        context_indices = [index for index, _ in self.context]
        context_links = [link for _, link in self.context]
        indices: list[int] = []
        links: list[Any] = []
        first = True
        try:
            with self.path.open("rb") as stream:
                for index, link in enumerate(_links(stream)):
                    if not _paged(link):
                        continue
                    indices.append(index)
                    links.append(link)
                    if len(links) >= size:
                        yield LinkPage(
                            context_indices + indices,
                            context_links + links,
                            0 if first else len(context_links),
                        )
                        first, indices, links = False, [], []
        except (OSError, ValueError, ijson.JSONError) as exc:
            raise PageReadError(f"its links cannot be read: {exc}") from None
        if links or first:
            yield LinkPage(
                context_indices + indices, context_links + links, 0 if first else len(context_links)
            )


def _links(stream: BinaryIO) -> Iterator[Any]:
    import ijson

    return iter(ijson.items(stream, "links.item", use_float=True))


def _paged(link: Any) -> bool:
    return isinstance(link, dict) and link.get("rel") in PAGED_RELS


def read_paged(path: Path, limit: int) -> PagedDocument | None:
    """The document at ``path`` as a :class:`PagedDocument` when it is a regular file of
    more than :data:`PAGED_AFTER_BYTES` (and at most ``limit``) whose top level is an
    object with one ``links`` array, of which at most :data:`MAX_CONTEXT_LINKS` are not
    item or child links; None otherwise (read it whole: a document that is not valid JSON gets
    the whole read's reason). Reads the file twice here (the rest of the document, then
    the context links); :meth:`PagedDocument.link_pages` is a third pass."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or not PAGED_AFTER_BYTES < info.st_size <= limit:
        return None
    import ijson

    try:
        with path.open("rb") as stream:
            skeleton = _without_links(ijson.parse(stream, use_float=True))
            if skeleton is None:
                return None
            stream.seek(0)
            context: list[tuple[int, Any]] = []
            for index, link in enumerate(_links(stream)):
                if not _paged(link):
                    context.append((index, link))
                    if len(context) > MAX_CONTEXT_LINKS:
                        return None
    except (OSError, ValueError, ijson.JSONError):
        return None
    return PagedDocument(path, skeleton, context)


def _without_links(events: Iterator[tuple[str, str, Any]]) -> dict[str, Any] | None:
    """The top-level object built from parser events with its ``links`` array left out;
    None when the top level is not an object, or ``links`` is absent, not an array, or
    given twice (the whole read decides what such a document is)."""
    from ijson.common import ObjectBuilder

    first = next(events, None)
    if first is None or first[1] != "start_map":
        return None
    builder = ObjectBuilder()
    builder.event("start_map", None)
    links_arrays = 0
    for prefix, event, value in events:
        if prefix == "" and event == "map_key" and value == "links":
            links_arrays += 1
            _, opened, _ = next(events)
            if opened != "start_array" or links_arrays > 1:
                return None
            for inner_prefix, inner_event, _ in events:
                if inner_event == "end_array" and inner_prefix == "links":
                    break
                if inner_event in _OPENING and inner_prefix.count(".") >= MAX_DEPTH:
                    return None
            continue
        if event in _OPENING and prefix.count(".") >= MAX_DEPTH:
            return None
        builder.event(event, value)
    if links_arrays != 1:
        return None
    built = builder.value
    return built if isinstance(built, dict) else None
