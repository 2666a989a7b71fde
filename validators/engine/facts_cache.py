"""A cache of file facts, so a re-run reads only the files that changed.

The key is the file's real path, size, inode, device, mtime and ctime (nanoseconds) plus
the read job and tpqc's version. ctime changes on every write and cannot be set back by
``touch -d``, so a rewritten file of the same size is never served stale.

Entries are JSON (:mod:`facts_codec`), which cannot run code, in a private folder: created
0700, and refused when it is not the user's own or others may write to it (a planted entry
could otherwise make a broken file look clean). An entry that cannot be read or decoded is a
miss. Objects of S3-compatible buckets are keyed by location, size, ETag and time; other
remote (/vsicurl/, URL) files are never cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

from tpqc.schemas.errors import UsageError
from tpqc.schemas.identity import TOOL_VERSION
from tpqc.schemas.locations import is_remote
from tpqc.validators.engine.atomic import write_bytes_atomic
from tpqc.validators.engine.facts import FileFacts, ReadJob
from tpqc.validators.engine.facts_codec import FactsFormatError, decode_facts, encode_facts

CACHE_FORMAT = 2
MAX_ENTRY_BYTES = 64 << 20


class UnsafeCacheError(UsageError):
    """The cache folder could be written by someone else."""


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/tpqc/facts, else ~/.cache/tpqc/facts."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tpqc" / "facts"


def _check_private(folder: Path) -> None:
    info = folder.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeCacheError(f"facts cache {folder} is not a folder (a symlink?)")
    if info.st_uid != os.getuid():
        raise UnsafeCacheError(
            f"facts cache {folder} belongs to another user (uid {info.st_uid}); use a cache "
            "folder of your own (--cache DIR) or --no-cache"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeCacheError(
            f"facts cache {folder} is writable by others (mode {stat.S_IMODE(info.st_mode):o}): "
            f"run chmod 700 {folder}, or use --no-cache"
        )


def _read_entry(path: Path) -> bytes:
    """An entry's bytes, opened without following a symlink and without blocking, and read
    only when the opened node is a regular file of ours within the size limit (a FIFO or
    device planted in its place is a miss, never a hang)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        info = os.fstat(descriptor)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_size > MAX_ENTRY_BYTES
        ):
            raise FactsFormatError("not an entry of ours")
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read(MAX_ENTRY_BYTES + 1)
    finally:
        os.close(descriptor)


HASH_BLOCK = 8 << 20


def content_sha256(path: str) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while block := stream.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class FactsCache:
    """Facts by (file identity, read job); safe against concurrent writers and other users.

    With ``by_content`` the identity is the file's name, size and sha256 instead of where it
    lies and its inode and times: a cache restored into a fresh checkout (new inodes, new
    times, maybe another folder) still serves every unchanged file, at the price of hashing
    every byte before reading. The hash of a file whose stat identity has not changed is
    remembered, so a second local run does not hash again."""

    def __init__(self, folder: Path, *, by_content: bool = False) -> None:
        self.by_content = by_content
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            self.folder.mkdir(mode=0o700)
        _check_private(self.folder)

    def key(self, full_path: str, job: ReadJob, relative: str | None = None) -> str | None:
        """The cache key of a local file read with a job, or None when it cannot be cached
        (``relative``: its path under the data root, which content keys include)."""
        if is_remote(full_path):
            return self._object_key(full_path, job, relative)
        try:
            info = Path(full_path).stat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        if self.by_content:
            return self._content_key(full_path, info, job, relative or Path(full_path).name)
        identity = (
            CACHE_FORMAT,
            TOOL_VERSION,
            os.path.realpath(full_path),
            info.st_size,
            info.st_ino,
            info.st_dev,
            info.st_mtime_ns,
            info.st_ctime_ns,
            repr(job),
        )
        return hashlib.sha256(repr(identity).encode("utf-8")).hexdigest()

    def _object_key(self, location: str, job: ReadJob, relative: str | None) -> str | None:
        """A bucket object's key: its location, size, ETag and time (an object replaced in
        the bucket has another ETag); other remote files are not cached."""
        from tpqc.validators.engine.buckets import bucket_location, object_head

        if bucket_location(location) is None:
            return None
        try:
            size, etag, modified = object_head(location)
        except OSError:
            return None
        identity = (CACHE_FORMAT, TOOL_VERSION, "s3", location, size, etag, modified, repr(job))
        return hashlib.sha256(repr(identity).encode("utf-8")).hexdigest()

    def _content_key(
        self, full_path: str, info: os.stat_result, job: ReadJob, relative: str
    ) -> str | None:
        stat_identity = (
            os.path.realpath(full_path),
            info.st_size,
            info.st_ino,
            info.st_dev,
            info.st_mtime_ns,
            info.st_ctime_ns,
        )
        memo = self.folder / "sha256" / hashlib.sha256(repr(stat_identity).encode()).hexdigest()
        try:
            digest = _read_entry(memo).decode("ascii")
            if len(digest) != 64:
                raise ValueError(digest)
        except (OSError, ValueError):
            try:
                digest = content_sha256(full_path)
            except OSError:
                return None
            with contextlib.suppress(OSError):
                memo.parent.mkdir(mode=0o700, exist_ok=True)
                write_bytes_atomic(memo, digest.encode("ascii"))
        identity = (
            CACHE_FORMAT,
            TOOL_VERSION,
            "content",
            relative,
            info.st_size,
            digest,
            repr(job),
        )
        return hashlib.sha256(repr(identity).encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str | None) -> FileFacts | None:
        """The cached facts, or None (a miss) when absent, unreadable or not facts."""
        if key is None:
            return None
        import orjson

        path = self._path(key)
        try:
            document = orjson.loads(_read_entry(path))
            if not isinstance(document, dict) or document.get("key") != key:
                raise FactsFormatError("entry of another key")
            facts = decode_facts(document.get("entry"))
        except (OSError, ValueError, TypeError, RecursionError):
            # orjson.JSONDecodeError and FactsFormatError are ValueErrors: a miss, no crash.
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def put(self, key: str | None, facts: FileFacts) -> None:
        """Store facts atomically; a cache that cannot be written is silently skipped."""
        if key is None:
            return
        import orjson

        path = self._path(key)
        try:
            if not path.parent.is_dir():
                path.parent.mkdir(mode=0o700, exist_ok=True)
            data = orjson.dumps({"key": key, "entry": encode_facts(facts)})
            write_bytes_atomic(path, data, mode=0o600, write_through=False)
        except (OSError, TypeError):
            return
