"""Series members as they are collected, in columns: each member's path, the number of its
series (product and non-time fields) and of its time step (key and interval), and whether
its name matched. The members are put in series order as numbers (numpy's lexsort over
the series', keys' and paths' ranks): a million members are never objects at once (as a
list of ``Member`` objects to sort they were about 100 MB)."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tpqc.validators.engine.path_index import path_order

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Group = tuple[tuple[str, str], ...]
"""A series' non-time fields as sorted (name, text) pairs."""
Series = tuple[str, Group]
"""A series: its product and its non-time fields."""
Moment = tuple[str, dt.datetime, dt.datetime]
"""A time step: its key (``2018-02``) and the interval it stands for."""


class MemberColumns:
    """Members in the order they are added, as columns; :meth:`orders` gives the orders the
    series table keeps."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.series: list[Series] = []
        """Each distinct series, by number."""
        self.moments: list[Moment] = []
        """Each distinct time step, by number."""
        self.series_of, self.moment_of, self.matched = array("I"), array("I"), array("b")
        self._series_number: dict[Series, int] = {}
        self._moment_number: dict[Moment, int] = {}

    def series_number(self, product: str, group: Group) -> int:
        """The number of the series (given the first time it is asked for)."""
        series = (product, group)
        number = self._series_number.get(series)
        if number is None:
            number = self._series_number[series] = len(self.series)
            self.series.append(series)
        return number

    def moment_number(self, key: str, start: dt.datetime, end: dt.datetime) -> int:
        """The number of the time step (given the first time it is asked for)."""
        moment = (key, start, end)
        number = self._moment_number.get(moment)
        if number is None:
            number = self._moment_number[moment] = len(self.moments)
            self.moments.append(moment)
        return number

    def add(self, path: str, series: int, moment: int, matched: bool) -> None:
        """One member: its path, its series' and time step's numbers, whether it matched."""
        self.paths.append(path)
        self.series_of.append(series)
        self.moment_of.append(moment)
        self.matched.append(matched)

    def __len__(self) -> int:
        return len(self.paths)

    def orders(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """(by path, in series order): the members' positions (in the order added) in path
        order, and each member's path position in series order: by product, series, key,
        matched names first, path (the order five stable sorts once gave a list of them)."""
        import numpy as np

        by_path = path_order(self.paths)
        path_position = np.empty(len(self.paths), dtype=np.intp)
        path_position[by_path] = np.arange(len(self.paths), dtype=np.intp)
        series_rank = _ranks(self.series)
        key_rank = _ranks([key for key, _, _ in self.moments])
        series_of = np.frombuffer(self.series_of, dtype=np.uint32)
        moment_of = np.frombuffer(self.moment_of, dtype=np.uint32)
        not_matched = 1 - np.frombuffer(self.matched, dtype=np.int8)
        # lexsort's last key sorts first; path positions are distinct, so the order is total
        by_series = np.lexsort(
            (path_position, not_matched, key_rank[moment_of], series_rank[series_of])
        )
        return by_path, path_position[by_series]


def _ranks(values: Sequence[Any]) -> NDArray[np.intp]:
    """Each value's rank among the distinct values sorted (equal values share one)."""
    import numpy as np

    distinct = sorted(set(values))
    rank_of = {value: rank for rank, value in enumerate(distinct)}
    return np.array([rank_of[value] for value in values], dtype=np.intp)
