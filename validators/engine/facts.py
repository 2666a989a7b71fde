"""What every kind of file's facts have in common, and what reads them.

Each file kind (GeoTIFF, station table ...) has its own frozen facts class deriving from
:class:`FileFacts`, and its own :class:`ReadJob`: a small picklable description of the one
read of a file, run in whatever worker process gets it. The facts of every kind travel the
same typed channel (parallel jobs, the cache, the pipeline, the STAC builder) as
``FileFacts``; a kind's own code narrows them to its class.
"""

from __future__ import annotations

import contextlib
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar


@contextlib.contextmanager
def openable(path: str) -> Iterator[str]:
    """A path every reading library can open. GDAL (through rasterio) and netCDF take UTF-8
    paths, so a local name that is not UTF-8 is reached through a descriptor opened here,
    read-only (``/proc/self/fd/N``); any other path is given back as it is."""
    from tpqc.schemas.locations import has_unprintable

    if not has_unprintable(path):
        yield path
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        yield f"/proc/self/fd/{descriptor}"
    finally:
        os.close(descriptor)


@dataclass(frozen=True, slots=True)
class FileFacts:
    """The facts of one file, of any kind: where it is, its size and checksum."""

    path: str
    size_bytes: int | None = None
    sha256: str | None = None

    @property
    def readable(self) -> bool:
        """True when the file could be read at all (its kind says what that means)."""
        raise NotImplementedError


class FactsPart:
    """The facts of one share of a big file's windows, read by one worker; the parts of a
    file merge into its facts (see :meth:`ReadJob.assemble`)."""


class ReadJob(ABC):
    """How to read one file once: everything the read must know beforehand. Picklable."""

    splittable: ClassVar[bool] = False
    """True when a big file can be read as window shares by several workers."""

    @abstractmethod
    def read(self, root: str, relative: str) -> FileFacts:
        """Read the whole file and return its facts; never raises for bad data."""

    @classmethod
    def warm_up(cls) -> None:
        """Load what reading needs (libraries, drivers) in this process, before it forks
        workers, so that each worker does not load it again."""
        return None

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """What a worker holds open while it reads a batch of files with jobs of this kind
        (a library's environment, set up once instead of per file)."""
        return contextlib.nullcontext()

    def cache_form(self) -> ReadJob:
        """The job as the facts cache keys it: only what the reusable facts depend on."""
        return self

    def reuse(self, cached: FileFacts) -> FileFacts | None:
        """Cached facts (read with a job of the same cache form) made exactly what this job
        would read, or None when they cannot be (the file is read again)."""
        return cached

    def read_part(self, root: str, relative: str, part: int, parts: int) -> FactsPart:
        """Read the ``part``-th of ``parts`` shares of the file (splittable jobs only)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be split")

    def assemble(self, parts: Sequence[FactsPart], sha256: str | None) -> FileFacts:
        """Merge the parts of one file, in order, into its facts (splittable jobs only)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be split")
