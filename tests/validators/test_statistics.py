"""Streaming statistics: equal to whole-array numpy, whatever the block order and split."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tpqc.validators.statistics import BandAccumulator, Histogram, nodata_representable


def feed(
    acc: BandAccumulator, data: np.ndarray, rows: int, cols: int, reverse: bool = False
) -> None:
    blocks = [(r, c) for r in range(0, data.shape[0], rows) for c in range(0, data.shape[1], cols)]
    for r, c in reversed(blocks) if reverse else blocks:
        acc.add_block(data[r : r + rows, c : c + cols], r, c)


@pytest.mark.parametrize("split", [(1, 1000), (7, 13), (64, 64), (500, 500)])
@pytest.mark.parametrize("reverse", [False, True])
def test_block_split_and_order_do_not_change_results(split: tuple[int, int], reverse: bool) -> None:
    rng = np.random.default_rng(1)
    data = (rng.normal(1e4, 3.0, size=(120, 90))).astype(np.float32)
    data[rng.random(data.shape) < 0.1] = -9999
    data[3, 4] = np.nan
    data[50, 60] = np.inf
    acc = BandAccumulator(nodata=-9999.0, value_min=9990.0, value_max=10010.0, max_examples=3)
    feed(acc, data, *split, reverse=reverse)
    valid = data[np.isfinite(data) & (data != -9999)].astype(np.float64)
    assert acc.valid == valid.size
    assert acc.nodata_count == int((data == -9999).sum())
    assert (acc.nan_count, acc.inf_count, acc.first_nan, acc.first_inf) == (1, 1, (3, 4), (50, 60))
    assert acc.minimum == valid.min() and acc.maximum == valid.max()
    assert acc.mean == pytest.approx(valid.mean(), rel=1e-14)
    assert acc.std == pytest.approx(valid.std(), rel=1e-10)
    outside = np.argwhere(np.isfinite(data) & (data != -9999) & ((data < 9990) | (data > 10010)))
    assert acc.out_of_range == len(outside)
    assert [(r, c) for r, c, _ in acc.examples] == [tuple(map(int, p)) for p in outside[:3]]


def test_adaptive_histogram_is_exact_after_growth() -> None:
    rng = np.random.default_rng(2)
    hist = Histogram()
    chunks = [rng.normal(0, 1, 1000), rng.normal(50, 5, 1000), rng.normal(-300, 1, 10)]
    for chunk in chunks:
        hist.add(chunk)
    assert hist.lower is not None
    everything = np.concatenate(chunks)
    edges = hist.lower + hist.width * np.arange(hist.bins + 1)
    expected, _ = np.histogram(everything, bins=edges)
    assert hist.counts.tolist() == expected.tolist()
    assert hist.lower <= everything.min() and hist.upper > everything.max()


def test_constant_data_gets_a_histogram() -> None:
    hist = Histogram()
    hist.add(np.full(10, 3.0))
    assert int(hist.counts.sum()) == 10
    assert hist.lower is not None and hist.lower <= 3.0 < hist.upper


def test_fixed_histogram_counts_outside_values_separately() -> None:
    hist = Histogram.over(0.0, 10.0, bins=10)
    hist.add(np.array([-1.0, 0.0, 5.0, 10.0, 11.0, 12.0]))
    assert (hist.below, hist.above, int(hist.counts.sum())) == (1, 2, 3)
    assert hist.counts[-1] == 1  # the declared maximum falls in the last bucket


def test_empty_band_has_no_statistics() -> None:
    acc = BandAccumulator(nodata=0.0)
    acc.add_block(np.zeros((4, 4), dtype=np.uint8), 0, 0)
    assert (acc.valid, acc.nodata_count, acc.std) == (0, 16, None)


@pytest.mark.parametrize(
    ("value", "dtype", "fits"),
    [
        (-9999.0, "int16", True),
        (-9999.0, "uint8", False),
        (0.5, "int32", False),
        (math.nan, "float32", True),
        (math.nan, "uint16", False),
        (1e39, "float32", False),
        (-math.inf, "float32", True),
        (-9999.9, "float32", True),
    ],
)
def test_nodata_representable(value: float, dtype: str, fits: bool) -> None:
    assert nodata_representable(value, dtype) is fits
