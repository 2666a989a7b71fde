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
from functools import lru_cache
from typing import Any

import pystac

from tpqc.validators.engine.spill_list import SpillList

ASSET_KEY = "data"


@dataclass
class ItemTally:
    """The aggregate of some items, in the order they were added."""

    ids: SpillList = field(default_factory=SpillList)
    """In order; on disk past some thousands (a million ids were about 70 MB)."""
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

    def add_seen(self, seen: ItemFacts) -> None:
        """Count in an item already looked at."""
        self.ids.append(seen.id)
        box = seen.bbox
        if box:
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
        self.start = _earliest(self.start, seen.start)
        self.end = _latest(self.end, seen.end)
        self.record_start = _earliest(self.record_start, seen.start or seen.instant)
        self.record_end = _latest(self.record_end, seen.end or seen.instant)
        if seen.proj_code is not None:
            self.proj_codes.add(seen.proj_code)
        if seen.gsd is not None:
            self.gsds.add(seen.gsd)
        if seen.has_data:
            self.data_types.update(seen.data_types)
            if not self.media_types:
                self.first_media_type = seen.media_type
            self.media_types.add(seen.media_type)
            self.size += seen.size


@lru_cache(maxsize=4096)
def _time(text: str | None) -> dt.datetime | None:
    """An item's time field as pystac reads it (the items of a series share a few)."""
    return pystac.utils.str_to_datetime(text) if text else None


@dataclass(frozen=True)
class ItemFacts:
    """What a tally takes of one item, looked at once."""

    id: str
    bbox: list[float] | None
    start: dt.datetime | None
    end: dt.datetime | None
    instant: dt.datetime | None
    proj_code: str | None
    gsd: Any
    has_data: bool
    data_types: tuple[str, ...] = ()
    media_type: str | None = None
    size: int = 0

    @classmethod
    def of(cls, item: pystac.Item) -> ItemFacts:
        """Look at an item."""
        properties = item.properties
        asset = item.assets.get(ASSET_KEY)
        bands: list[dict[str, Any]] = asset.extra_fields.get("bands", []) if asset else []
        return cls(
            item.id,
            item.bbox,
            _time(properties.get("start_datetime")),
            _time(properties.get("end_datetime")),
            item.datetime,
            str(properties["proj:code"]) if "proj:code" in properties else None,
            properties.get("gsd"),
            asset is not None,
            tuple(band["data_type"] for band in bands),
            asset.media_type if asset else None,
            int(asset.extra_fields.get("file:size", 0)) if asset else 0,
        )


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
        seen = ItemFacts.of(item)
        self.products.setdefault(product, ItemTally()).add_seen(seen)
        self.every.add_seen(seen)


__all__ = ["CatalogTally", "ItemTally"]
