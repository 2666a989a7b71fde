"""A read-only sequence whose items are made when they are read: what a million objects kept
in columns (arrays, a list of shared values, a file) look like to their readers."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import TypeVar, overload

Item = TypeVar("Item")


class MadeWhenRead(Sequence[Item]):
    """A read-only sequence kept as columns elsewhere: each item is made when it is read
    (by index, by slice or in order) and never held."""

    __slots__ = ()

    @abstractmethod
    def _made(self, index: int) -> Item:
        """The item at ``index`` (0 <= index < len(self)), made now."""

    @abstractmethod
    def __len__(self) -> int: ...

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self._made(i) for i in range(len(self))[index]]
        return self._made(range(len(self))[index])  # negative indices, IndexError

    def __iter__(self) -> Iterator[Item]:
        return (self._made(index) for index in range(len(self)))

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence (not a text) of equal items in the same order."""
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]
