"""Numbers by path for a million paths in about 16 bytes each: the paths in a sorted list
beside an array of their numbers, found by binary search, and the paths added since the
last merge in a small dict (a dict of a million paths to numbers was about 80 bytes a
path)."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MERGE_AFTER = 4096
"""Paths held in the dict of recent ones before they are merged into the sorted list (or an
eighth of the list, when more)."""


class PathIndex:
    """A number for each path; a path given again gets its new number."""

    def __init__(self) -> None:
        self._paths: list[str] = []
        self._numbers = array("Q")
        self._recent: dict[str, int] = {}

    def _position(self, path: str) -> int | None:
        index = bisect.bisect_left(self._paths, path)
        if index < len(self._paths) and self._paths[index] == path:
            return index
        return None

    def get(self, path: str) -> int | None:
        """The number of ``path``, or None."""
        number = self._recent.get(path)
        if number is not None:
            return number
        index = self._position(path)
        return None if index is None else self._numbers[index]

    def put(self, path: str, number: int) -> None:
        """Give ``path`` its number (the path object itself is kept: pass the one the rest
        of the run holds)."""
        index = self._position(path)
        if index is not None:
            self._numbers[index] = number
            return
        self._recent[path] = number
        if len(self._recent) > max(MERGE_AFTER, len(self._paths) // 8):
            self._merge()

    def _merge(self) -> None:
        """Move the recent paths into the sorted list (none of them is in it)."""
        paths, numbers = self._paths, self._numbers
        merged_paths: list[str] = []
        merged_numbers = array("Q")
        start = 0
        for path in sorted(self._recent):
            end = bisect.bisect_left(paths, path, start)
            merged_paths += paths[start:end]
            merged_numbers += numbers[start:end]
            merged_paths.append(path)
            merged_numbers.append(self._recent[path])
            start = end
        merged_paths += paths[start:]
        merged_numbers += numbers[start:]
        self._paths, self._numbers, self._recent = merged_paths, merged_numbers, {}

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    def __iter__(self) -> Iterator[str]:
        """Every path, sorted."""
        if self._recent:
            self._merge()
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths) + len(self._recent)


def path_order(paths: Sequence[str]) -> NDArray[np.intp]:
    """The positions of ``paths`` in path order (equal paths in the order given), as numbers
    in an array (a list of a million paths sorted was about 120 MB)."""
    import numpy as np

    return np.argsort(np.array(paths, dtype=object), kind="stable")
