"""A station column's shape over time, kept while the table streams past: the rows fall into
buckets of a power-of-two size aligned to the row number, each bucket keeping its first
time, its min, max and mean; when there are too many buckets, pairs merge and the size
doubles. A few hundred points per column, whatever the table's length."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from tpqc.validators.kinds.table.timestamps import NAT
from tpqc.validators.render.pictures import ColumnSketch

TARGET_POINTS = 400


class SketchBuilder:
    """Folds chunks of one column into its sketch."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.size = 1
        # bucket id -> [first time, low, high, sum, count]
        self.points: dict[int, list[float]] = {}

    def add(
        self, values: npt.NDArray[np.float64], times: npt.NDArray[np.int64], offset: int
    ) -> None:
        """Fold one chunk whose first row is row ``offset`` of the table."""
        if not values.size:
            return
        ids = (offset + np.arange(values.size)) // self.size
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        valid = ~np.isnan(values)
        lows = np.fmin.reduceat(values, starts)
        highs = np.fmax.reduceat(values, starts)
        sums = np.add.reduceat(np.where(valid, values, 0.0), starts)
        counts = np.add.reduceat(valid.astype(np.int64), starts)
        clock = np.where(times == NAT, np.iinfo(np.int64).max, times)
        firsts = np.minimum.reduceat(clock, starts)
        for i, start in enumerate(starts):
            self._fold(int(ids[start]), [float(firsts[i]), lows[i], highs[i], sums[i], counts[i]])
        while len(self.points) > 2 * TARGET_POINTS:
            self.size *= 2
            merged: dict[int, list[float]] = {}
            for key, point in self.points.items():
                if key // 2 in merged:
                    merged[key // 2] = _combine(merged[key // 2], point)
                else:
                    merged[key // 2] = point
            self.points = merged

    def _fold(self, key: int, point: list[float]) -> None:
        known = self.points.get(key)
        self.points[key] = point if known is None else _combine(known, point)

    def sketch(self) -> ColumnSketch:
        """The sketch so far, stretches in row order."""
        keys = sorted(self.points)
        out: list[tuple[int, float | None, float | None, float | None]] = []
        for key in keys:
            first, low, high, total, count = self.points[key]
            time = NAT if first >= np.iinfo(np.int64).max else int(first)
            if count:
                out.append((time, float(low), float(high), float(total) / float(count)))
            else:
                out.append((time, None, None, None))
        return ColumnSketch(
            self.name,
            self.size,
            tuple(t for t, _, _, _ in out),
            tuple(lo for _, lo, _, _ in out),
            tuple(hi for _, _, hi, _ in out),
            tuple(m for _, _, _, m in out),
        )


def _combine(a: list[float], b: list[float]) -> list[float]:
    return [
        min(a[0], b[0]),
        _fmin(a[1], b[1]),
        _fmax(a[2], b[2]),
        a[3] + b[3],
        a[4] + b[4],
    ]


def _fmin(a: Any, b: Any) -> float:
    return float(np.fmin(a, b))


def _fmax(a: Any, b: Any) -> float:
    return float(np.fmax(a, b))
