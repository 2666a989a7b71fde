"""Exact, streaming per-band statistics: counts, min/max, mean and std (Chan's merge),
an exact histogram, and out-of-range pixels with their first locations.

Pure numpy over blocks; knows nothing about files. Blocks may arrive in any order;
examples are kept as the first pixels in row-major order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

HISTOGRAM_BINS = 256
ExampleList = list[tuple[int, int, float]]
Block = npt.NDArray[Any]


@dataclass
class Histogram:
    """An exact histogram of equal-width buckets.

    With a declared range (``fixed``) the buckets span it and values outside are counted
    in ``below``/``above``. Without one, the range starts at the first block's span and
    doubles when a value falls outside, merging bucket pairs; the buckets stay aligned,
    so every count stays exact.
    """

    bins: int = HISTOGRAM_BINS
    lower: float | None = None
    width: float = 0.0
    fixed: bool = False
    counts: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    below: int = 0
    above: int = 0

    @classmethod
    def over(cls, lower: float, upper: float, bins: int = HISTOGRAM_BINS) -> Histogram:
        """A histogram with a fixed range; values outside it are counted separately."""
        width = (upper - lower) / bins if upper > lower else 1.0 / bins
        return cls(bins, lower, width, True, np.zeros(bins, np.int64))

    @property
    def upper(self) -> float:
        """Upper edge of the last bucket."""
        return (self.lower or 0.0) + self.width * self.bins

    def _start(self, low: float, high: float) -> None:
        span = high - low
        magnitude = max(abs(low), abs(high), 1.0)
        # A bucket width that is a power of two keeps the edges exact under doubling.
        self.width = 2.0 ** math.ceil(math.log2(max(span / self.bins, magnitude * 2.0**-40)))
        self.lower = math.floor(low / self.width) * self.width
        # Buckets are half-open, so the top value needs the upper edge strictly above it.
        while high >= self.lower + self.width * self.bins:
            self.width *= 2.0
            self.lower = math.floor(low / self.width) * self.width
        self.counts = np.zeros(self.bins, np.int64)

    def _grow_to(self, low: float, high: float) -> None:
        assert self.lower is not None
        while low < self.lower or high >= self.upper:
            pairs = self.counts.reshape(self.bins // 2, 2).sum(axis=1)
            merged = np.zeros(self.bins, np.int64)
            if low < self.lower:
                merged[self.bins // 2 :] = pairs
                self.lower -= self.width * self.bins
            else:
                merged[: self.bins // 2] = pairs
            self.counts = merged
            self.width *= 2.0

    def add(self, values: Block) -> None:
        """Count finite values into the buckets."""
        if values.size == 0:
            return
        low, high = float(values.min()), float(values.max())
        if self.lower is None:
            self._start(low, high)
        elif not self.fixed:
            self._grow_to(low, high)
        assert self.lower is not None
        scaled = (values.astype(np.float64, copy=False) - self.lower) / self.width
        index = np.floor(scaled).astype(np.int64)
        if self.fixed:
            self.below += int(np.count_nonzero(index < 0))
            # The declared maximum itself belongs to the last bucket.
            at_top = values == self.upper
            self.above += int(np.count_nonzero((index >= self.bins) & ~at_top))
            index = np.where(at_top, self.bins - 1, index)
            index = index[(index >= 0) & (index < self.bins)]
        self.counts += np.bincount(index, minlength=self.bins)[: self.bins]

    def to_json(self) -> dict[str, object]:
        """STAC-style histogram: count, min, max and one count per bucket."""
        return {
            "count": self.bins,
            "min": self.lower if self.lower is not None else 0.0,
            "max": self.upper,
            "buckets": [int(c) for c in self.counts] if self.counts.size else [0] * self.bins,
        }


@dataclass
class BandAccumulator:
    """Running statistics of one band over the blocks seen so far."""

    nodata: float | None
    value_min: float | None = None
    value_max: float | None = None
    max_examples: int = 5
    total: int = 0
    valid: int = 0
    nodata_count: int = 0
    nan_count: int = 0
    inf_count: int = 0
    minimum: float = math.inf
    maximum: float = -math.inf
    mean: float = 0.0
    m2: float = 0.0
    out_of_range: int = 0
    examples: ExampleList = field(default_factory=list)
    first_nan: tuple[int, int] | None = None
    first_inf: tuple[int, int] | None = None
    histogram: Histogram = field(default_factory=Histogram)

    def __post_init__(self) -> None:
        if self.value_min is not None and self.value_max is not None:
            self.histogram = Histogram.over(self.value_min, self.value_max)

    def _first(self, mask: npt.NDArray[np.bool_], row0: int, col0: int) -> tuple[int, int]:
        row, col = np.unravel_index(int(np.argmax(mask)), mask.shape)
        return (row0 + int(row), col0 + int(col))

    def add_block(self, block: Block, row0: int, col0: int) -> None:
        """Fold one 2-D block whose top-left pixel is (row0, col0) into the statistics."""
        self.total += block.size
        nodata = self.nodata
        is_float = np.issubdtype(block.dtype, np.floating)
        invalid: npt.NDArray[np.bool_] | None = None
        if is_float:
            nonfinite = ~np.isfinite(block)
            if nonfinite.any():
                nan = np.isnan(block)
                n_nan = int(np.count_nonzero(nan))
                n_inf = int(np.count_nonzero(nonfinite)) - n_nan
                if nodata is not None and math.isnan(nodata):
                    self.nodata_count += n_nan
                    n_nan = 0
                elif nodata is not None and math.isinf(nodata):
                    at_nodata = int(np.count_nonzero(block == nodata))
                    self.nodata_count += at_nodata
                    n_inf -= at_nodata
                if n_nan and self.first_nan is None:
                    self.first_nan = self._first(nan, row0, col0)
                if n_inf and self.first_inf is None:
                    self.first_inf = self._first(np.isinf(block) & (block != nodata), row0, col0)
                self.nan_count += n_nan
                self.inf_count += n_inf
                invalid = nonfinite
        if nodata is not None and math.isfinite(nodata) and _representable(nodata, block.dtype):
            at_nodata_mask = block == block.dtype.type(nodata)
            self.nodata_count += int(np.count_nonzero(at_nodata_mask))
            invalid = at_nodata_mask if invalid is None else (invalid | at_nodata_mask)
        values = block.ravel() if invalid is None else block[~invalid]
        if values.size == 0:
            return
        self._fold_values(values)
        if self.value_min is not None or self.value_max is not None:
            self._range_check(block, invalid, row0, col0)

    def _fold_values(self, values: Block) -> None:
        n = int(values.size)
        as64 = values.astype(np.float64, copy=False)
        block_mean = float(np.sum(as64) / n)
        deviation = as64 - block_mean
        block_m2 = (
            float(np.dot(deviation, deviation))
            if n < 65536
            else float(np.sum(np.square(deviation, out=deviation)))
        )
        delta = block_mean - self.mean
        combined = self.valid + n
        self.mean += delta * n / combined
        self.m2 += block_m2 + delta * delta * self.valid * n / combined
        self.valid = combined
        self.minimum = min(self.minimum, float(values.min()))
        self.maximum = max(self.maximum, float(values.max()))
        self.histogram.add(values)

    def _range_check(
        self,
        block: Block,
        invalid: npt.NDArray[np.bool_] | None,
        row0: int,
        col0: int,
    ) -> None:
        outside = np.zeros(block.shape, np.bool_)
        if self.value_min is not None:
            outside |= block < self.value_min
        if self.value_max is not None:
            outside |= block > self.value_max
        if invalid is not None:
            outside &= ~invalid
        count = int(np.count_nonzero(outside))
        if not count:
            return
        self.out_of_range += count
        rows, cols = np.nonzero(outside)
        take = min(count, self.max_examples)
        found = [
            (row0 + int(r), col0 + int(c), float(block[r, c]))
            for r, c in zip(rows[:take], cols[:take], strict=True)
        ]
        self.examples = sorted(self.examples + found)[: self.max_examples]

    @property
    def std(self) -> float | None:
        """Population standard deviation of the valid pixels."""
        return math.sqrt(self.m2 / self.valid) if self.valid else None


def _representable(value: float, dtype: np.dtype[np.generic]) -> bool:
    """True when a nodata value can be stored exactly in the band's data type."""
    if math.isnan(value):
        return np.issubdtype(dtype, np.floating)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)  # type: ignore[type-var]
        return float(value).is_integer() and info.min <= value <= info.max
    if np.issubdtype(dtype, np.floating):
        # GDAL compares pixels with the nodata value cast to the band type, so any value
        # whose cast stays finite works; one that overflows to infinity matches nothing.
        with np.errstate(over="ignore"):
            stored = np.array(value, dtype=np.float64).astype(dtype)
        return math.isinf(value) or bool(np.isfinite(stored))
    return True


def nodata_representable(value: float, dtype: str) -> bool:
    """True when ``value`` fits the band data type named ``dtype`` (e.g. ``float32``)."""
    return _representable(value, np.dtype(dtype))
