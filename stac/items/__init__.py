"""The STAC items of a dataset's files: one publishability guard, then the item builder each
file kind names (``FileKind.item_builder``): :mod:`.grid` for gridded files, :mod:`.datacube`
for NetCDF variables, :mod:`.station` for station tables.

The guard leaves a file out, with its reason, when its name is not UTF-8 (no catalog can
name it), when its kind publishes nothing, or when the kind says the file cannot be an item
(unreadable, not placed on the Earth, no time or station).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import pystac

from tpqc.schemas.locations import has_unprintable
from tpqc.schemas.spec import Spec
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.inventory import Inventory
from tpqc.validators.kinds import DataFile, FileKind, Interval, resolve


@dataclass(frozen=True)
class PublishedFile(DataFile):
    """One file on its way into the catalog: its kind, spec, product, entry and facts, and
    the span validation found it to stand for (None: no series member)."""

    kind: FileKind | None = None
    interval: Interval | None = None

    @property
    def of_kind(self) -> FileKind:
        """The file's kind."""
        if self.kind is None:
            raise TypeError(f"{self.entry.path}: no kind")
        return self.kind

    def with_interval(self, interval: Interval | None) -> PublishedFile:
        """The same file standing for another span."""
        return dataclasses.replace(self, interval=interval)


ItemBuilder = Callable[[PublishedFile], pystac.Item]


@dataclass(frozen=True)
class LeftOut:
    """A file that is not in the catalog, and why."""

    path: str
    reason: str


def unpublishable(file: PublishedFile) -> str | None:
    """Why a file cannot become a catalog item (None: it can), for every kind alike."""
    if has_unprintable(file.entry.path):
        return "its name is not UTF-8 (filename-not-utf8)"
    if file.of_kind.item_builder is None:
        return f"{file.of_kind.name} files are not published"
    return file.of_kind.unpublishable(file)


@dataclass
class PublishedItems:
    """The files of a dataset as catalog items, made one at a time in path order (the order
    the catalog gives ids in): iterate for ``(file, item)`` pairs; the files left out are in
    :attr:`left_out` once the iteration has passed them."""

    spec: Spec
    inventory: Inventory
    facts: Mapping[str, FileFacts]
    intervals: Mapping[str, Interval]
    kinds: Mapping[str, FileKind]
    left_out: list[LeftOut] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[PublishedFile, pystac.Item]]:
        self.left_out.clear()
        for entry in self.inventory.in_path_order():
            kind = self.kinds[entry.kind]
            product = self.spec.product_named(entry.product)
            file = PublishedFile(
                self.spec,
                product,
                entry,
                self.facts[entry.path],
                kind,
                self.intervals.get(entry.path),
            )
            reason = unpublishable(file)
            if reason is not None:
                self.left_out.append(LeftOut(entry.path, reason))
                continue
            builder: ItemBuilder = resolve(str(kind.item_builder))
            item = builder(file)
            item.collection_id = product.name  # its product's collection, named in the catalog
            yield file, item


__all__ = ["ItemBuilder", "LeftOut", "PublishedFile", "PublishedItems", "unpublishable"]
