"""The series members of a run, kept in columns: each member's path, series, time step and
whether its name matched, and the columns the series rules and the outlier check read of
its file. A member (:class:`~.members.Member`) and its row (:class:`~.rows.SeriesRow`)
are made when they are read, never held (a million members and rows as objects were
about 260 MB beside an index of them by path; these columns are about 45 bytes a
member)."""

from __future__ import annotations

import bisect
import contextlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tpqc.validators.dataset.member_columns import MemberColumns
from tpqc.validators.dataset.members import Member
from tpqc.validators.dataset.rows import GRID_COLUMNS, SeriesRow
from tpqc.validators.engine.made_when_read import MadeWhenRead

_NO_GRID = (None,) * len(GRID_COLUMNS)

# how a member's valid_fraction or valid_mean is kept
_NONE, _FLOAT, _OTHER = 0, 1, 2


class _Numbers:
    """One column of optional numbers: floats in an array, None as a flag, anything else
    (an int, a numpy number) as it is, aside."""

    def __init__(self, size: int) -> None:
        self._values = array("d", bytes(8 * size))
        self._how = array("b", bytes(size))
        self._other: dict[int, Any] = {}

    def put(self, index: int, value: Any) -> None:
        self._other.pop(index, None)
        if type(value) is float:
            self._values[index], self._how[index] = value, _FLOAT
        elif value is None:
            self._how[index] = _NONE
        else:
            self._other[index], self._how[index] = value, _OTHER

    def get(self, index: int) -> Any:
        how = self._how[index]
        if how == _FLOAT:
            return self._values[index]
        return None if how == _NONE else self._other[index]


_NUMPY_TYPE = {"I": "uint32", "b": "int8"}


def _array(code: str, values: Any) -> array[Any]:
    """A numpy array's numbers as a Python array (faster to read one at a time)."""
    made = array(code)
    made.frombytes(values.astype(_NUMPY_TYPE[code]).tobytes())
    return made


class SeriesTable(Mapping[str, Member]):
    """Every series member (near-miss names included) by path, in path order, with its
    row's grid and outlier columns (none until its file's summary is given); also in
    series order (product, series, time step, matched names first, path), each product's
    members together."""

    def __init__(self, columns: MemberColumns) -> None:
        """``columns``: the members as collected, in any order (sorted here)."""
        import numpy as np

        by_path, in_series_order = columns.orders()
        size = len(columns)
        self._paths: list[str] = np.array(columns.paths, dtype=object)[by_path].tolist()
        self._series_order = _array("I", in_series_order)
        """The path position of each member in series order."""
        self._series_of = _array("I", np.frombuffer(columns.series_of, dtype=np.uint32)[by_path])
        self._moment_of = _array("I", np.frombuffer(columns.moment_of, dtype=np.uint32)[by_path])
        self._matched = _array("b", np.frombuffer(columns.matched, dtype=np.int8)[by_path])
        self._series = columns.series
        self._moments = columns.moments
        self._products: dict[str, tuple[int, int]] = {}
        """Each product's members: their range in series order (products in name order)."""
        per_series = np.bincount(
            np.frombuffer(columns.series_of, dtype=np.uint32), minlength=len(self._series)
        ).tolist()
        per_product: dict[str, int] = {}
        for (product, _), count in zip(self._series, per_series, strict=True):
            per_product[product] = per_product.get(product, 0) + count
        first = 0
        for product in sorted(per_product):
            self._products[product] = (first, first + per_product[product])
            first += per_product[product]
        self._grid_of = array("i", [-1]) * size
        """Each member's grid: an index into ``_grids``, -1 for none."""
        self._grids: list[tuple[Any, ...]] = []
        self._grid_index: dict[tuple[Any, ...], int] = {}
        self._fraction, self._mean = _Numbers(size), _Numbers(size)

    @classmethod
    def of(cls, members: Iterable[Member]) -> SeriesTable:
        """A table of members given as objects, in any order."""
        columns = MemberColumns()
        for m in members:
            series = columns.series_number(m.product, m.group)
            columns.add(m.path, series, columns.moment_number(m.key, m.start, m.end), m.matched)
        return cls(columns)

    def member(self, index: int) -> Member:
        """The member at ``index`` (in path order), made now."""
        product, group = self._series[self._series_of[index]]
        key, start, end = self._moments[self._moment_of[index]]
        return Member(
            self._paths[index], product, group, key, start, end, bool(self._matched[index])
        )

    @property
    def in_series_order(self) -> MembersInOrder:
        """Every member in series order, each made when read."""
        return MembersInOrder(self, 0, len(self._paths))

    def members_of(self, product: str) -> MembersInOrder:
        """One product's members in series order, each made when read."""
        first, end = self._products.get(product, (0, 0))
        return MembersInOrder(self, first, end)

    def index_of(self, path: str) -> int | None:
        """The position of ``path``'s member, or None when it is none."""
        index = bisect.bisect_left(self._paths, path)
        if index < len(self._paths) and self._paths[index] == path:
            return index
        return None

    def set_columns(self, index: int, columns: Mapping[str, Any]) -> None:
        """Keep the member's row columns from its file's summary (equal grids kept once)."""
        grid = tuple(columns.get(column) for column in GRID_COLUMNS)
        number = None
        with contextlib.suppress(TypeError):  # a value that cannot be a key: kept apart
            number = self._grid_index.get(grid)
            if number is None:
                number = self._grid_index[grid] = len(self._grids)
                self._grids.append(grid)
        if number is None:
            number = len(self._grids)
            self._grids.append(grid)
        self._grid_of[index] = number
        self._fraction.put(index, columns.get("valid_fraction"))
        self._mean.put(index, columns.get("valid_mean"))

    def row(self, index: int) -> SeriesRow:
        """The slim row of the member at ``index``, made now."""
        number = self._grid_of[index]
        grid = self._grids[number] if number >= 0 else _NO_GRID
        return SeriesRow(self.member(index), grid, self._fraction.get(index), self._mean.get(index))

    @property
    def rows(self) -> SeriesRows:
        """Every member's row, in path order, each made when read."""
        return SeriesRows(self)

    @property
    def rows_by_path(self) -> RowsByPath:
        """Every member's row by path, each made when read."""
        return RowsByPath(self)

    def __getitem__(self, path: str) -> Member:
        index = self.index_of(path)
        if index is None:
            raise KeyError(path)
        return self.member(index)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.index_of(path) is not None

    def values(self) -> Iterator[Member]:  # type: ignore[override]
        """The members in path order, each made when read."""
        return (self.member(index) for index in range(len(self._paths)))

    def items(self) -> Iterator[tuple[str, Member]]:  # type: ignore[override]
        """(path, member) in path order."""
        return zip(self._paths, self.values(), strict=True)


class MembersInOrder(MadeWhenRead[Member]):
    """A run of a series table's members in series order, each made when read."""

    def __init__(self, table: SeriesTable, first: int, end: int) -> None:
        self._table, self._first, self._end = table, first, end

    def _made(self, index: int) -> Member:
        return self._table.member(self._table._series_order[self._first + index])

    def __len__(self) -> int:
        return self._end - self._first


class SeriesRows(MadeWhenRead[SeriesRow]):
    """A series table's rows in path order, each made when read."""

    def __init__(self, table: SeriesTable) -> None:
        self._table = table

    def _made(self, index: int) -> SeriesRow:
        return self._table.row(index)

    def __len__(self) -> int:
        return len(self._table)


class RowsByPath(Mapping[str, SeriesRow]):
    """A series table's rows by path, each made when read."""

    def __init__(self, table: SeriesTable) -> None:
        self._table = table

    def __getitem__(self, path: str) -> SeriesRow:
        index = self._table.index_of(path)
        if index is None:
            raise KeyError(path)
        return self._table.row(index)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)
