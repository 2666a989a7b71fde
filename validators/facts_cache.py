"""A cache of file facts, so a re-run reads only the files that changed.

The key is the file's real path, size, inode, device, mtime and ctime (nanoseconds) plus
the read plan and tpqc's version. ctime changes on every write and cannot be set back by
``touch -d``, so a rewritten file of the same size is never served stale. Entries are
pickles in a private folder (0700) under the user's cache directory; a corrupt entry is a
miss. Remote (/vsi..., URL) files are never cached.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from tpqc.schemas.identity import TOOL_VERSION
from tpqc.schemas.locations import is_remote

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/tpqc/facts, else ~/.cache/tpqc/facts."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tpqc" / "facts"


class FactsCache:
    """Facts by (file identity, read plan); safe against concurrent writers."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0

    def key(self, full_path: str, plan: Any) -> str | None:
        """The cache key of a local file read with a plan, or None when it cannot be cached."""
        if is_remote(full_path):
            return None
        try:
            stat = Path(full_path).stat()
        except OSError:
            return None
        identity = (
            CACHE_FORMAT,
            TOOL_VERSION,
            os.path.realpath(full_path),
            stat.st_size,
            stat.st_ino,
            stat.st_dev,
            stat.st_mtime_ns,
            stat.st_ctime_ns,
            repr(plan),
        )
        return hashlib.sha256(repr(identity).encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str | None) -> Any | None:
        """The cached facts, or None."""
        if key is None:
            return None
        try:
            with self._path(key).open("rb") as stream:
                value = pickle.load(stream)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str | None, facts: Any) -> None:
        """Store facts atomically; a cache that cannot be written is silently skipped."""
        if key is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(facts, stream, protocol=pickle.HIGHEST_PROTOCOL)
            Path(temporary).replace(path)
        except OSError:
            return
