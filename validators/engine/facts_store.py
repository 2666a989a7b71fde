"""Every file's facts of a run, by path, held in memory up to a few thousand files and past
that in an anonymous temporary file, each read back when it is asked for.

The facts of one read GeoTIFF are about 6 kB as Python objects (its histograms, statistics,
tags) and about 1.3 kB pickled: a million files' facts held as objects would need about
6 GB while the checks, the report and the catalog each walk them once more. A run of a few
thousand files keeps them as objects (nothing changes for it); a bigger one writes each
file's facts out as they arrive and keeps only where each record starts, by path (about 24
bytes a file besides the path, which is the run's own). The file is opened unnamed
(nothing is left behind, whatever ends the run) in the temporary folder (``TMPDIR``),
never beside the data.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import tempfile
import threading
import weakref
from array import array
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from tpqc.validators.engine.facts import FileFacts
from tpqc.validators.engine.path_index import PathIndex

SPILL_AFTER = 5_000
"""Files whose facts are held as objects; past this, every file's facts go to the file."""


class _ByConstructor(dict[type, Callable[[Any], tuple[Any, ...]]]):
    """How the store pickles dataclasses: as their constructor's arguments (``cls(*values)``
    when read back) instead of the default state, whose setting walks ``dataclasses.fields``
    at every object (a quarter of the time to read a file's facts back). Classes with a
    ``__post_init__`` or fields outside the constructor keep the default."""

    def __init__(self) -> None:
        super().__init__()
        self._plain: set[type] = set()

    def __missing__(self, cls: type) -> Callable[[Any], tuple[Any, ...]]:
        if cls in self._plain:
            raise KeyError(cls)
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        if not fields or hasattr(cls, "__post_init__") or not all(f.init for f in fields):
            self._plain.add(cls)
            raise KeyError(cls)
        names = tuple(f.name for f in fields)

        def by_constructor(value: Any) -> tuple[Any, ...]:
            return (cls, tuple([getattr(value, name) for name in names]))

        self[cls] = by_constructor
        return by_constructor


_REDUCTIONS = _ByConstructor()


def _pickled(facts: FileFacts) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCTIONS
    pickler.dump(facts)
    return buffer.getvalue()


class FactsStore(Mapping[str, FileFacts]):
    """Facts by path, listed in path order (whatever order the reads finished in); a path
    put again replaces its facts."""

    def __init__(self, spill_after: int | None = None) -> None:
        self._spill_after = SPILL_AFTER if spill_after is None else max(0, spill_after)
        self._held: dict[str, FileFacts] = {}
        self._record = PathIndex()
        """Path -> record number in the file, once spilled."""
        self._offsets = array("Q", [0])
        """Where each record starts; the last entry is where the next one will."""
        self._file: IO[bytes] | None = None
        self._unflushed = False
        self._lock = threading.Lock()

    @property
    def spilled(self) -> bool:
        """True once the facts live in the temporary file."""
        return self._file is not None

    def put(self, facts: FileFacts, path: str | None = None) -> None:
        """Keep one file's facts (written out at once when the store has spilled);
        ``path``: the facts' path as the run already holds it (kept instead of the facts'
        own copy: a million paths are about 70 MB)."""
        if path is None:
            path = facts.path
        elif path != facts.path:
            raise ValueError(f"facts of {facts.path!r} put as {path!r}")
        if self._file is None:
            if len(self._held) < self._spill_after or path in self._held:
                self._held[path] = facts
                return
            self._spill()
        self._append(path, facts)

    def _spill(self) -> None:
        """Open the temporary file and move the facts held so far into it, in order."""
        # open as long as the store lives: closed by close() or when the store is let go
        self._file = tempfile.TemporaryFile(prefix="tpqc-facts-")  # noqa: SIM115
        weakref.finalize(self, self._file.close)
        held, self._held = self._held, {}
        for path, facts in held.items():
            self._append(path, facts)

    def _append(self, path: str, facts: FileFacts) -> None:
        assert self._file is not None
        record = _pickled(facts)
        with self._lock:
            self._file.write(record)
            self._unflushed = True
            self._record.put(path, len(self._offsets) - 1)
            self._offsets.append(self._offsets[-1] + len(record))

    def __getitem__(self, path: str) -> FileFacts:
        if self._file is None:
            return self._held[path]
        number = self._record.get(path)
        if number is None:
            raise KeyError(path)
        start, end = self._offsets[number], self._offsets[number + 1]
        with self._lock:
            if self._unflushed:
                self._file.flush()
                self._unflushed = False
        facts: FileFacts = pickle.loads(os.pread(self._file.fileno(), end - start, start))
        return facts

    def __contains__(self, path: object) -> bool:
        return path in (self._held if self._file is None else self._record)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._held) if self._file is None else self._record)

    def __len__(self) -> int:
        return len(self._held if self._file is None else self._record)

    def close(self) -> None:
        """Let the temporary file go (the store is empty afterwards)."""
        if self._file is not None:
            self._file.close()
        self._file = None
        self._held, self._record, self._offsets = {}, PathIndex(), array("Q", [0])
