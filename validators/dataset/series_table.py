"""The series members of a run in path order, with the columns the series rules and the
outlier check read of each kept in arrays: a member's row (:class:`~.rows.SeriesRow`) is
made when it is read, never held (a million rows as objects were about 160 MB beside an
index of them by path)."""

from __future__ import annotations

import bisect
import contextlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

from tpqc.validators.dataset.members import Member
from tpqc.validators.dataset.rows import GRID_COLUMNS, SeriesRow

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


class SeriesTable(Mapping[str, Member]):
    """Every series member (near-miss names included) by path, in path order, with its
    row's grid and outlier columns (none until its file's summary is given)."""

    def __init__(self, members: Iterable[Member]) -> None:
        self._members = sorted(members, key=_path_of)
        self._paths = [m.path for m in self._members]
        size = len(self._members)
        self._grid_of = array("i", [-1]) * size
        """Each member's grid: an index into ``_grids``, -1 for none."""
        self._grids: list[tuple[Any, ...]] = []
        self._grid_index: dict[tuple[Any, ...], int] = {}
        self._fraction, self._mean = _Numbers(size), _Numbers(size)

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
        return SeriesRow(
            self._members[index], grid, self._fraction.get(index), self._mean.get(index)
        )

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
        return self._members[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.index_of(path) is not None

    def values(self) -> Iterator[Member]:  # type: ignore[override]
        """The members in path order."""
        return iter(self._members)

    def items(self) -> Iterator[tuple[str, Member]]:  # type: ignore[override]
        """(path, member) in path order."""
        return zip(self._paths, self._members, strict=True)


class SeriesRows(Sequence[SeriesRow]):
    """A series table's rows in path order, each made when read."""

    def __init__(self, table: SeriesTable) -> None:
        self._table = table

    @overload
    def __getitem__(self, index: int) -> SeriesRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[SeriesRow]: ...
    def __getitem__(self, index: int | slice) -> SeriesRow | list[SeriesRow]:
        if isinstance(index, slice):
            return [self._table.row(i) for i in range(len(self._table))[index]]
        if index < 0:
            index += len(self._table)
        if not 0 <= index < len(self._table):
            raise IndexError(index)
        return self._table.row(index)

    def __iter__(self) -> Iterator[SeriesRow]:
        return (self._table.row(i) for i in range(len(self._table)))

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


def _path_of(member: Member) -> str:
    return member.path
