"""What a collection and the dataset's record need to know of their items, gathered one
item at a time: the catalog is written as a stream, and no list of items is ever kept.

A :class:`ItemTally` holds, per collection, the union of the items' boxes, their earliest
start and latest end, the projection codes, band data types, ground sample distances and
media types they use, their number, their files' total size, and their ids in order (the
collection's item links). :class:`CatalogTally` holds one per product and one for all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pystac

ASSET_KEY = "data"


@dataclass
class ItemTally:
    """The aggregate of some items, in the order they were added."""

    ids: list[str] = field(default_factory=list)
    box: list[float] | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    record_start: dt.datetime | None = None
    """Earliest ``start_datetime`` or ``datetime`` (the metadata record's view)."""
    record_end: dt.datetime | None = None
    proj_codes: set[str] = field(default_factory=set)
    data_types: set[str] = field(default_factory=set)
    gsds: set[float] = field(default_factory=set)
    media_types: set[str | None] = field(default_factory=set)
    first_media_type: str | None = None
    size: int = 0

    @property
    def count(self) -> int:
        """How many items were added."""
        return len(self.ids)

    def add(self, item: pystac.Item) -> None:
        """Count one item in (its id as the catalog names it)."""
        self.ids.append(item.id)
        if item.bbox:
            box = item.bbox
            self.box = (
                list(box[:4])
                if self.box is None
                else [
                    min(self.box[0], box[0]),
                    min(self.box[1], box[1]),
                    max(self.box[2], box[2]),
                    max(self.box[3], box[3]),
                ]
            )
        common = item.common_metadata
        self.start = _earliest(self.start, common.start_datetime)
        self.end = _latest(self.end, common.end_datetime)
        self.record_start = _earliest(self.record_start, common.start_datetime or item.datetime)
        self.record_end = _latest(self.record_end, common.end_datetime or item.datetime)
        properties = item.properties
        if "proj:code" in properties:
            self.proj_codes.add(str(properties["proj:code"]))
        if "gsd" in properties:
            self.gsds.add(properties["gsd"])
        asset = item.assets.get(ASSET_KEY)
        if asset is not None:
            bands: list[dict[str, Any]] = asset.extra_fields.get("bands", [])
            self.data_types.update(band["data_type"] for band in bands)
            if not self.media_types:
                self.first_media_type = asset.media_type
            self.media_types.add(asset.media_type)
            self.size += int(asset.extra_fields.get("file:size", 0))


def _earliest(known: dt.datetime | None, new: dt.datetime | None) -> dt.datetime | None:
    if new is None:
        return known
    return new if known is None else min(known, new)


def _latest(known: dt.datetime | None, new: dt.datetime | None) -> dt.datetime | None:
    if new is None:
        return known
    return new if known is None else max(known, new)


@dataclass
class CatalogTally:
    """Every item of the catalog counted once: per product (by product name) and in all."""

    products: dict[str, ItemTally] = field(default_factory=dict)
    every: ItemTally = field(default_factory=ItemTally)

    def add(self, item: pystac.Item, product: str) -> None:
        """Count an item of ``product`` in."""
        self.products.setdefault(product, ItemTally()).add(item)
        self.every.add(item)


__all__ = ["CatalogTally", "ItemTally"]
