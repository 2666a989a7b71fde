"""A first-in first-out queue of (number, path) pairs that holds some thousands in memory
and the rest in an unnamed temporary file: the documents a walk over a million items still
has to read, without a million strings in memory."""

from __future__ import annotations

import os
import struct
import tempfile
import weakref
from collections import deque
from typing import IO

HELD_ENTRIES = 20_000
"""Entries held in memory; past this, new ones go to the file until the memory is empty."""
FLUSH_BYTES = 1 << 20
"""Entries written to the file in pieces of about this many bytes."""
_HEADER = struct.Struct("<qI")  # the number, the path's length in bytes


class SpillQueue:
    """``append`` at the back, ``popleft`` at the front, in order, whatever the size.

    Paths are kept as the file system's bytes (``os.fsencode``), so any name survives the
    round trip. The file is unnamed (nothing is left behind however the run ends) and is
    emptied whenever every entry in it has been read back."""

    def __init__(self, held: int | None = None) -> None:
        self._held = max(1, HELD_ENTRIES if held is None else held)
        self._front: deque[tuple[int, str]] = deque()
        self._file: IO[bytes] | None = None
        self._unwritten = bytearray()
        self._in_file = 0
        """Entries in the file (or about to be written to it) not read back yet."""
        self._read_at = 0

    def append(self, number: int, path: str) -> None:
        """Queue one entry at the back."""
        if not self._in_file and len(self._front) < self._held:
            self._front.append((number, path))
            return
        encoded = os.fsencode(path)
        self._unwritten += _HEADER.pack(number, len(encoded))
        self._unwritten += encoded
        self._in_file += 1
        if len(self._unwritten) >= FLUSH_BYTES:
            self._flush()

    def popleft(self) -> tuple[int, str]:
        """The entry at the front (IndexError when the queue is empty)."""
        if not self._front and self._in_file:
            self._refill()
        return self._front.popleft()

    def __len__(self) -> int:
        return len(self._front) + self._in_file

    def __bool__(self) -> bool:
        return bool(self._front) or self._in_file > 0

    @property
    def on_disk(self) -> bool:
        """True once some entries went to the file."""
        return self._file is not None

    def close(self) -> None:
        """Forget every entry and delete the file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._front.clear()
        self._unwritten.clear()
        self._in_file = 0
        self._read_at = 0

    def _flush(self) -> None:
        if not self._unwritten:
            return
        if self._file is None:
            # unnamed, closed by close() (a context manager cannot span the queue's life)
            self._file = tempfile.TemporaryFile(prefix="tpqc-queue-")  # noqa: SIM115
            weakref.finalize(self, self._file.close)
        self._file.seek(0, os.SEEK_END)
        self._file.write(self._unwritten)
        self._unwritten.clear()

    def _refill(self) -> None:
        """Move up to ``held`` entries from the file to the front."""
        self._flush()
        stream = self._file
        assert stream is not None
        stream.seek(self._read_at)
        while len(self._front) < self._held and self._in_file:
            header = stream.read(_HEADER.size)
            number, length = _HEADER.unpack(header)
            self._front.append((number, os.fsdecode(stream.read(length))))
            self._in_file -= 1
        self._read_at = stream.tell()
        if not self._in_file:  # all read back: the file starts again empty
            stream.seek(0)
            stream.truncate()
            self._read_at = 0
