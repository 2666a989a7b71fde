"""Streaming statistics: equal to whole-array numpy, whatever the block order and split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tpqc.validators.grid.statistics import BandAccumulator, Histogram, nodata_representable


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


def _add(hist: Histogram, values: np.ndarray) -> None:
    hist.add(values, float(values.min()), float(values.max()))


def _assert_exact(hist: Histogram, values: np.ndarray) -> None:
    assert hist.lower is not None
    edges = hist.lower + hist.width * np.arange(hist.bins + 1)
    expected, _ = np.histogram(values, bins=edges)
    assert hist.counts.tolist() == expected.tolist()
    assert hist.lower <= values.min() and hist.upper > values.max()
    assert math.log2(hist.width).is_integer() and (hist.lower / hist.width).is_integer()


def test_adaptive_histogram_is_exact_after_growth() -> None:
    rng = np.random.default_rng(2)
    hist = Histogram()
    chunks = [rng.normal(0, 1, 1000), rng.normal(50, 5, 1000), rng.normal(-300, 1, 10)]
    for chunk in chunks:
        _add(hist, chunk)
    _assert_exact(hist, np.concatenate(chunks))


def test_histograms_of_disjoint_parts_merge_exactly() -> None:
    rng = np.random.default_rng(3)
    parts = [
        rng.normal(3, 0.1, 500).astype(np.float32),
        rng.normal(80, 20, 500).astype(np.float32),
        np.array([-7.25], np.float32),
    ]
    merged = Histogram()
    for part in parts:
        single = Histogram()
        _add(single, part)
        merged.merge(single)
    _assert_exact(merged, np.concatenate(parts).astype(np.float64))


def test_seeded_histogram_keeps_its_declared_grid() -> None:
    hist = Histogram()
    hist.seed(0.0, 10.0)
    _add(hist, np.array([0.0, 5.0, 10.0], np.float32))
    assert (hist.lower, hist.width) == (0.0, 0.0625)  # 256 buckets of 1/16 cover 0..16
    _add(hist, np.array([12.5, -1.0], np.float32))
    _assert_exact(hist, np.array([0.0, 5.0, 10.0, 12.5, -1.0]))


def test_constant_data_gets_a_histogram() -> None:
    hist = Histogram()
    _add(hist, np.full(10, 3.0))
    assert int(hist.counts.sum()) == 10
    assert hist.lower is not None and hist.lower <= 3.0 < hist.upper


def test_integer_buckets_are_at_least_one_wide() -> None:
    hist = Histogram()
    _add(hist, np.arange(0, 10, dtype=np.uint8))
    assert hist.width == 1.0 and hist.counts[:10].tolist() == [1] * 10


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_accumulators_of_split_windows_merge_exactly(parts: int) -> None:
    rng = np.random.default_rng(5)
    data = rng.normal(100, 15, size=(70, 40)).astype(np.float32)
    data[rng.random(data.shape) < 0.05] = -9999
    data[9, 9] = np.nan
    whole = BandAccumulator(nodata=-9999.0, value_min=60, value_max=140, max_examples=4)
    feed(whole, data, 10, 40)
    merged = BandAccumulator(nodata=-9999.0, value_min=60, value_max=140, max_examples=4)
    for rows in np.array_split(np.arange(70), parts):
        part = BandAccumulator(nodata=-9999.0, value_min=60, value_max=140, max_examples=4)
        part.add_block(data[rows[0] : rows[-1] + 1], int(rows[0]), 0)
        merged.merge(part)
    assert (merged.valid, merged.nodata_count, merged.nan_count, merged.out_of_range) == (
        whole.valid,
        whole.nodata_count,
        whole.nan_count,
        whole.out_of_range,
    )
    assert merged.examples == whole.examples and merged.first_nan == whole.first_nan
    assert (merged.minimum, merged.maximum) == (whole.minimum, whole.maximum)
    assert merged.mean == pytest.approx(whole.mean, rel=1e-14)
    assert merged.std == pytest.approx(whole.std, rel=1e-12)
    valid = data[np.isfinite(data) & (data != -9999)].astype(np.float64)
    _assert_exact(merged.histogram, valid)


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
