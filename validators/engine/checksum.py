"""sha256 of a file, in 1 MiB chunks (hashlib releases the GIL, so it runs beside decoding),
and the thread that hashes a file while its reader decodes it."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

HASH_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex sha256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


INLINE_HASH_BYTES = 4 << 20


class FileHasher(threading.Thread):
    """Hashes a file while the main thread decodes it; hashlib releases the GIL."""

    def __init__(self, root: str, relative: str, enabled: bool = True) -> None:
        super().__init__(daemon=True)
        self.root, self.relative = root, relative
        self.enabled = enabled
        self.digest: str | None = None
        self.error: str | None = None
        # Imported here, in the reader's thread: a first import inside the hashing thread
        # could meet the reader's own imports half done.
        from tpqc.schemas.locations import is_remote

        self.remote = is_remote(root)
        if self.remote:
            import tpqc.validators.engine.remote  # noqa: F401

    def small(self) -> bool:
        """True for a local file small enough to hash in place, before decoding it."""
        if self.remote:
            return False
        try:
            return (Path(self.root) / self.relative).stat().st_size <= INLINE_HASH_BYTES
        except OSError:
            return True  # the read reports why the file cannot be reached

    def run(self) -> None:
        if not self.enabled:
            return
        try:
            if self.remote:
                from tpqc.validators.engine.remote import object_location, remote_sha256

                self.digest = remote_sha256(object_location(self.root, self.relative))
            else:
                self.digest = sha256_file(Path(self.root) / self.relative)
        except OSError as exc:
            self.error = str(exc)


def hashed_while(
    root: str, relative: str, read: Callable[[], T], *, enabled: bool = True
) -> tuple[T, str | None]:
    """``read()``'s result and the file's sha256 (None when it cannot be hashed or hashing
    is off): a small local file is hashed in place first (a thread costs more than a few
    MB of hashing), a big or remote one in a thread while ``read`` decodes it."""
    hasher = FileHasher(root, relative, enabled=enabled)
    if hasher.small():
        hasher.run()
        return read(), hasher.digest
    hasher.start()
    try:
        result = read()
    finally:
        hasher.join()
    return result, hasher.digest
