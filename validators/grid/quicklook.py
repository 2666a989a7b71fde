"""A small picture of a raster, taken during its one read: every n-th pixel of every n-th
row is kept as the windows stream past (no second read), and the picture is drawn once the
statistics are known: one band on a colour scale stretched over its 2-98 % range (from the
exact histogram), three byte bands as RGB, or a categorical band in one colour per class of
its legend (the file's own colour table where it has one) with values the legend does not
name in a signal colour; nodata, NaN and infinity transparent.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_SIDE = 192
"""Longest side of a quicklook in pixels: 400 of them fit a report of a few MB."""
# A sequential palette from deep blue through teal and green to yellow (anchors of our own,
# interpolated linearly in RGB), readable in print and by most colour-blind readers.
_ANCHORS = (
    (0.00, (38, 20, 86)),
    (0.20, (44, 74, 140)),
    (0.40, (33, 128, 141)),
    (0.60, (45, 170, 113)),
    (0.80, (150, 204, 60)),
    (1.00, (249, 231, 33)),
)
SCALE_NAME = "tpqc-sequential"
CLASSES_NAME = "tpqc-classes"

# Twelve distinct hues for classes without a colour table (our own choice, alternating light
# and dark so that neighbours in a legend differ), then repeated.
_CLASS_COLOURS = (
    (31, 119, 180),
    (255, 187, 120),
    (44, 160, 44),
    (255, 152, 150),
    (148, 103, 189),
    (196, 156, 148),
    (140, 86, 75),
    (158, 218, 229),
    (188, 189, 34),
    (127, 127, 127),
    (23, 190, 207),
    (214, 39, 40),
)
UNKNOWN_COLOUR = (255, 0, 255)
"""Pixels whose value the legend does not name: magenta, in no palette of ours."""
MAX_CLASSES = 250
"""Legends longer than this are drawn on the colour scale (a palette has 256 entries)."""


def palette(size: int = 256) -> npt.NDArray[np.uint8]:
    """``size`` RGB colours of the sequential scale, darkest first."""
    positions = np.linspace(0.0, 1.0, size)
    stops = np.array([a for a, _ in _ANCHORS])
    colours = np.array([c for _, c in _ANCHORS], dtype=np.float64)
    channels = [np.interp(positions, stops, colours[:, i]) for i in range(3)]
    return np.round(np.stack(channels, axis=1)).astype(np.uint8)


@dataclass(frozen=True)
class Quicklook:
    """A raster's quicklook: a PNG, how it was decimated, and its colour scale."""

    png: bytes
    factor: int
    """Every ``factor``-th pixel of every ``factor``-th row, from the first."""
    width: int
    height: int
    bands: tuple[int, ...]
    """One band on the colour scale, or three as red, green and blue."""
    low: float
    high: float
    """Values at the two ends of the colour scale (first band)."""
    scale: str = SCALE_NAME
    classes: tuple[tuple[int, str], ...] = ()
    """A categorical band: each legend class's value and colour (``rrggbb``)."""
    unknown_colour: str | None = None
    """The colour of values the legend does not name, when the picture shows some."""


def hex_colour(rgb: Sequence[int]) -> str:
    """``(r, g, b)`` as ``rrggbb``."""
    return "".join(f"{int(v):02x}" for v in rgb[:3])


def class_colours(
    legend: Sequence[int], colour_table: Mapping[int, Sequence[int]] | None = None
) -> dict[int, tuple[int, int, int]]:
    """One colour per legend class: the file's colour table entry for the value when it
    has one, else the n-th of tpqc's class colours, n the class's place in the legend."""
    table = colour_table or {}
    out: dict[int, tuple[int, int, int]] = {}
    for place, value in enumerate(legend):
        entry = table.get(value)
        if entry is not None and len(entry) >= 3:
            out[value] = (int(entry[0]), int(entry[1]), int(entry[2]))
        else:
            out[value] = _CLASS_COLOURS[place % len(_CLASS_COLOURS)]
    return out


def decimation(width: int, height: int, max_side: int = MAX_SIDE) -> int:
    """The step that brings the longest side to at most ``max_side`` pixels."""
    return max(1, math.ceil(max(width, height) / max_side))


def shown_bands(count: int, dtypes: Sequence[str]) -> tuple[int, ...]:
    """Bands 1-3 as RGB for byte or 16-bit imagery with three or more bands, else band 1."""
    if count >= 3 and all(d in ("uint8", "uint16") for d in dtypes[:3]):
        return (1, 2, 3)
    return (1,) if count else ()


class QuicklookSampler:
    """Keeps every ``factor``-th pixel of the shown bands as blocks stream past; samplers of
    disjoint windows of one file merge."""

    def __init__(
        self,
        width: int,
        height: int,
        bands: tuple[int, ...],
        legend: Sequence[int] | None = None,
        colour_table: Mapping[int, Sequence[int]] | None = None,
    ) -> None:
        self.factor = decimation(width, height)
        self.bands = bands
        categorical = legend is not None and len(bands) == 1 and 0 < len(legend) <= MAX_CLASSES
        # a categorical band's colour per class (empty: drawn on the colour scale)
        self.colours = class_colours(sorted(legend or ()), colour_table) if categorical else {}
        rows, cols = -(-height // self.factor), -(-width // self.factor)
        self.values = np.full((len(bands), rows, cols), np.nan, np.float64)

    def add(
        self, band: int, block: npt.NDArray[Any], row0: int, col0: int, nodata: float | None
    ) -> None:
        """Sample one block of a band whose top-left pixel is (row0, col0)."""
        if band not in self.bands:
            return
        f = self.factor
        first_row, first_col = (-row0) % f, (-col0) % f
        sample = block[first_row::f, first_col::f].astype(np.float64)
        if sample.size == 0:
            return
        invalid = ~np.isfinite(sample)
        if nodata is not None and math.isfinite(nodata):
            invalid |= sample == np.float64(np.array(nodata).astype(block.dtype))
        sample[invalid] = np.nan
        top, left = (row0 + first_row) // f, (col0 + first_col) // f
        rows, cols = sample.shape
        self.values[self.bands.index(band), top : top + rows, left : left + cols] = sample

    def merge(self, other: QuicklookSampler) -> None:
        """Take the pixels another sampler of the same file saw."""
        seen = ~np.isnan(other.values)
        self.values[seen] = other.values[seen]

    def render(self, histograms: Sequence[Mapping[str, Any] | None]) -> Quicklook | None:
        """Draw the picture with each shown band stretched over its 2-98 % range."""
        if not self.bands or np.isnan(self.values).all():
            return None
        if self.colours:
            return self._render_classes()
        ranges = [
            stretch(self.values[i], histograms[i] if i < len(histograms) else None)
            for i in range(len(self.bands))
        ]
        image = draw(self.values, ranges)
        return Quicklook(
            png=png_bytes(image),
            factor=self.factor,
            width=image.width,
            height=image.height,
            bands=self.bands,
            low=ranges[0][0],
            high=ranges[0][1],
        )

    def _render_classes(self) -> Quicklook:
        """One colour per class, the signal colour for values outside the legend."""
        from PIL import Image

        values = self.values[0]
        classes = sorted(self.colours)
        unknown_index = len(classes)
        indices = np.full(values.shape, unknown_index, np.uint8)
        for place, value in enumerate(classes):
            indices[values == value] = place
        invalid = np.isnan(values)
        indices[invalid] = TRANSPARENT
        colours = np.zeros((256, 3), np.uint8)
        for place, value in enumerate(classes):
            colours[place] = self.colours[value]
        colours[unknown_index] = UNKNOWN_COLOUR
        image = Image.fromarray(indices, "P")
        image.putpalette(colours.ravel().tolist())
        image.info["transparency"] = TRANSPARENT
        shows_unknown = bool((indices == unknown_index).any())
        return Quicklook(
            png=png_bytes(image),
            factor=self.factor,
            width=image.width,
            height=image.height,
            bands=self.bands,
            low=float(classes[0]),
            high=float(classes[-1]),
            scale=CLASSES_NAME,
            classes=tuple((value, hex_colour(self.colours[value])) for value in classes),
            unknown_colour=hex_colour(UNKNOWN_COLOUR) if shows_unknown else None,
        )


def stretch(
    values: npt.NDArray[np.float64], histogram: Mapping[str, Any] | None
) -> tuple[float, float]:
    """The 2nd and 98th percentile of a band's valid pixels, from its exact histogram (all
    pixels, not the sample); the sample's range when there is none."""
    if histogram and sum(histogram.get("buckets", [])) > 0:
        buckets = np.asarray(histogram["buckets"], dtype=np.float64)
        edges = np.linspace(float(histogram["min"]), float(histogram["max"]), buckets.size + 1)
        cumulative = np.cumsum(buckets) / buckets.sum()
        low = float(edges[int(np.searchsorted(cumulative, 0.02))])
        high = float(edges[int(np.searchsorted(cumulative, 0.98)) + 1])
    else:
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return (low, high) if high > low else (low, low + 1.0)


TRANSPARENT = 255
"""The palette index of invalid pixels in a one-band quicklook (255 colours + clear)."""


def levels(
    band: npt.NDArray[np.float64], low: float, high: float, top: int
) -> npt.NDArray[np.uint8]:
    """Values stretched over [low, high] to 0..top (NaN to 0)."""
    scaled = np.clip((band - low) / (high - low), 0.0, 1.0)
    return np.nan_to_num(scaled * float(top), nan=0.0).round().astype(np.uint8)


def draw(values: npt.NDArray[np.float64], ranges: Sequence[tuple[float, float]]) -> Any:
    """The picture: one band as palette indices (255 colours, index 255 clear), or three
    bands as RGBA; invalid pixels clear."""
    from PIL import Image

    valid = ~np.isnan(values).any(axis=0)
    if len(ranges) == 1:
        indices = levels(values[0], *ranges[0], TRANSPARENT - 1)
        indices[~valid] = TRANSPARENT
        image = Image.fromarray(indices, "P")
        colours = np.zeros((256, 3), np.uint8)
        colours[:TRANSPARENT] = palette(TRANSPARENT)
        image.putpalette(colours.ravel().tolist())
        image.info["transparency"] = TRANSPARENT
        return image
    channels = [
        levels(band, low, high, 255) for band, (low, high) in zip(values, ranges, strict=True)
    ]
    alpha = np.where(valid, 255, 0).astype(np.uint8)
    return Image.fromarray(np.stack([*channels[:3], alpha], axis=-1), "RGBA")


def png_bytes(image: Any) -> bytes:
    """The picture as a PNG (deterministic: no timestamps, fixed compression)."""
    buffer = io.BytesIO()
    options: dict[str, Any] = {"format": "PNG", "optimize": False, "compress_level": 6}
    if "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    image.save(buffer, **options)
    return buffer.getvalue()
