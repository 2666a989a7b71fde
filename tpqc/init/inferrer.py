"""What ``tpqc init`` asks of each file kind: an :class:`Inferrer`, named by the kind's
registration (``FileKind.inferrer``), that says how the kind's files are read for inference,
which files hold the same content, and what a product's rules should be. The pieces every
inferrer shares are here too: a pattern's field rules, the time span and member length the
names give, and the first instant and footprint of a product.
"""

from __future__ import annotations

import datetime as dt
import itertools
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from tpqc.init.names import NameGroup
from tpqc.init.values import most_common
from tpqc.init.writer import Block, Flow
from tpqc.pipeline import ValidateOptions
from tpqc.schemas.patterns import compile_pattern, parse_field
from tpqc.schemas.sections import Product
from tpqc.validators.dataset.temporal import Duration, member_start, natural_resolution
from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.kinds import FileKind

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Span:
    """The first and last instant a product's files stand for, and a member's length (P1Y,
    P1M, P8D ...; None when it cannot be said)."""

    start: dt.datetime
    end: dt.datetime
    resolution: str | None = None


@dataclass(frozen=True)
class Prepared:
    """How a kind's files are read for inference: the provisional product each file is read
    with, and the files that turned out to be no data of the kind (with the reason)."""

    products: Mapping[str, Product]
    excluded: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Inferred:
    """What one product's files suggest: its spec entry, the time they cover and their WGS84
    footprints (for the dataset's coverage and extent)."""

    block: Block
    spans: tuple[Span, ...] = ()
    boxes: tuple[Box, ...] = ()


class Inferrer(ABC):
    """``tpqc init`` for the files of one kind."""

    text_fields: ClassVar[tuple[str, ...]] = ()
    """Words of the names that are fields rather than product names (region, station)."""
    fallback_name: ClassVar[str] = "product"
    """The product name when a pattern has no literal words."""

    def __init__(self, kind: FileKind) -> None:
        self.kind = kind

    @abstractmethod
    def prepare(self, root: Path, paths: Sequence[str], options: ValidateOptions) -> Prepared:
        """The provisional product each file is read with (from its name or first lines)."""

    @abstractmethod
    def signature(self, path: str, facts: FileFacts) -> Hashable:
        """What tells files of different content apart (a name word that separates
        signatures splits a group into products)."""

    @abstractmethod
    def infer(self, name: str, group: NameGroup, facts: Sequence[FileFacts]) -> Inferred:
        """The spec entry of one product: the files of one inferred pattern."""


def _usual_gap(numbers: Sequence[int]) -> int:
    """The most common distance between consecutive values (1 for a single value)."""
    gaps = [b - a for a, b in itertools.pairwise(sorted(set(numbers)))]
    usual = most_common(gaps)
    return usual[0] if usual else 1


def fields_block(group: NameGroup) -> Block | None:
    """The field rules of an inferred pattern: bounds for time and number fields that run
    one by one (a missing year among them stays a finding), the list of values for sparse
    ones (land cover of 2015 and 2020 is two members, not a series through 2024) and for
    words."""
    block = Block()
    for guess in group.fields:
        if guess.kind in ("time", "number") and _usual_gap(guess.numbers) == 1:
            low, high = min(guess.numbers), max(guess.numbers)
            items: list[tuple[str, object]] = [("min", low), ("max", high)]
            if guess.regex:
                items.append(("regex", guess.regex))
            block.add(guess.name, Flow(items))
        elif guess.kind in ("time", "number") and guess.name not in ("doy", "date", "day"):
            block.add(guess.name, Flow([("in", list(guess.numbers))]))
        elif guess.kind in ("time", "number"):
            low, high = min(guess.numbers), max(guess.numbers)
            block.add(guess.name, Flow([("min", low), ("max", high)]))
        else:
            block.add(guess.name, Flow([("in", list(guess.values))]))
    return block if block.entries else None


def series_span(group: NameGroup) -> Span | None:
    """First and last instant the members stand for, and the member length the names say
    (P1Y, P1M, P8D ...), from the pattern's time fields."""
    if not group.time_fields:
        return None
    pattern = compile_pattern(group.pattern, {f.name: f.regex for f in group.fields if f.regex})
    starts: list[dt.datetime] = []
    natural = None
    for path in group.paths:
        raw = pattern.match(path)
        if raw is None:
            continue
        fields = {k: parse_field(k, v) for k, v in raw.items()}
        start = member_start(fields)
        if start is not None:
            starts.append(start)
            natural = natural_resolution(fields)
    if not starts or natural is None:
        return None
    starts = sorted(set(starts))
    resolution = _spacing(starts, natural)
    last = Duration.parse(resolution).after(starts[-1]) - dt.timedelta(seconds=1)
    return Span(starts[0], last, resolution)


def _spacing(starts: Sequence[dt.datetime], natural: str) -> str:
    """The member length: the usual distance between members for day composites (MODIS
    8-day), the names' own unit for years and months (a map of 2015 stands for 2015, even
    when the next is of 2020)."""
    if len(starts) < 2:
        return natural
    if natural[-1] in ("Y", "M"):
        return natural
    # Days: a new year restarts day-of-year composites (MODIS 8-day).
    gaps = [
        (b - a).days for a, b in itertools.pairwise(starts) if a.year == b.year or natural != "P1D"
    ] or [1]
    usual = most_common([g for g in gaps if g > 0])
    return f"P{usual[0] if usual else 1}D"


__all__ = [
    "Box",
    "Inferred",
    "Inferrer",
    "Prepared",
    "Span",
    "fields_block",
    "series_span",
]
