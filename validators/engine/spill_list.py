"""An append-only list of texts that holds some thousands in memory and the rest in an
unnamed temporary file: a million item ids in the order their collection links them,
without a million strings in memory."""

from __future__ import annotations

import os
import tempfile
import weakref
from array import array
from collections.abc import Iterator
from typing import IO

from tpqc.validators.engine.made_when_read import MadeWhenRead

HELD_TEXTS = 50_000
"""Texts held in a list; past this, every text goes to the file."""
FLUSH_BYTES = 1 << 20
READ_BYTES = 1 << 20


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a file name's undecodable bytes too


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


class SpillList(MadeWhenRead[str]):
    """Texts in the order they were appended; read by index or in order (a pass in order
    reads the file a megabyte at a time). Equal to any sequence of the same texts."""

    def __init__(self, held: int | None = None) -> None:
        self._held_limit = HELD_TEXTS if held is None else max(0, held)
        self._held: list[str] = []
        self._file: IO[bytes] | None = None
        self._offsets = array("Q", [0])
        """Where each text on disk starts, and where the last one ends."""
        self._unwritten = bytearray()

    @property
    def on_disk(self) -> bool:
        """True once the texts live in the file."""
        return self._file is not None

    def append(self, text: str) -> None:
        """Add a text at the end."""
        if self._file is None:
            self._held.append(text)
            if len(self._held) > self._held_limit:
                self._spill()
            return
        encoded = _encoded(text)
        self._unwritten += encoded
        self._offsets.append(self._offsets[-1] + len(encoded))
        if len(self._unwritten) >= FLUSH_BYTES:
            self._flush()

    def _spill(self) -> None:
        # unnamed, closed by close() or when the list is let go
        self._file = tempfile.TemporaryFile(prefix="tpqc-texts-")  # noqa: SIM115
        weakref.finalize(self, self._file.close)
        held, self._held = self._held, []
        for text in held:
            self.append(text)

    def _flush(self) -> None:
        if self._file is not None and self._unwritten:
            self._file.seek(0, os.SEEK_END)
            self._file.write(self._unwritten)
            self._file.flush()
            self._unwritten.clear()

    def __len__(self) -> int:
        return len(self._held) if self._file is None else len(self._offsets) - 1

    def _made(self, index: int) -> str:
        if self._file is None:
            return self._held[index]
        self._flush()
        start, end = self._offsets[index], self._offsets[index + 1]
        return _decoded(os.pread(self._file.fileno(), end - start, start))

    def __iter__(self) -> Iterator[str]:
        if self._file is None:
            yield from list(self._held)
            return
        self._flush()
        descriptor, offsets = self._file.fileno(), self._offsets
        count, index = len(self), 0
        while index < count:
            start = offsets[index]
            last = index  # the texts that end within READ_BYTES of start (one at least)
            while last + 1 < count and offsets[last + 2] - start <= READ_BYTES:
                last += 1
            data = os.pread(descriptor, offsets[last + 1] - start, start)
            for number in range(index, last + 1):
                yield _decoded(data[offsets[number] - start : offsets[number + 1] - start])
            index = last + 1

    def __repr__(self) -> str:
        return f"SpillList({len(self)} texts{', on disk' if self.on_disk else ''})"

    def close(self) -> None:
        """Forget every text and delete the file."""
        if self._file is not None:
            self._file.close()
        self._file, self._held = None, []
        self._offsets, self._unwritten = array("Q", [0]), bytearray()
