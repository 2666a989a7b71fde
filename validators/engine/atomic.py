"""Atomic output: readers see the old file (or folder) or the new one, never half of either.

Files are written beside their target, flushed to disk, then renamed into place; a folder is
swapped in with ``renameat2(RENAME_EXCHANGE)``. A new file gets the mode the user's umask
allows (as ``open()`` would give it), a replaced file keeps its mode. Devices and pipes
(``-o /dev/null``, ``-o /dev/stdout``) are written through, never replaced."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_CANNOT_EXCHANGE = (22, 38, 95)  # EINVAL, ENOSYS, EOPNOTSUPP: the filesystem cannot swap


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_current_umask()


def write_bytes_atomic(
    path: Path, data: bytes, *, mode: int | None = None, write_through: bool = True
) -> None:
    """Write bytes so that readers see the old file or the new one, never half of it.

    ``mode`` forces the file's permissions (a private cache entry); by default a replaced
    file keeps its mode and a new one gets what the umask allows. A device or pipe at the
    path is written through (``-o /dev/stdout``) unless ``write_through`` is False (a cache
    entry: the node is replaced, never opened, so a planted FIFO cannot block)."""
    _write_pieces(path, (data,), mode=mode, write_through=write_through)


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write UTF-8 text atomically (see :func:`write_bytes_atomic`), with ``\\n`` line ends."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def write_chunks_atomic(path: Path, chunks: Iterable[str], *, mode: int | None = None) -> None:
    """Write UTF-8 text made piece by piece (a report of a million files) atomically, never
    whole in memory: the pieces go to the temporary file as they come; one that fails
    leaves the old file as it was."""
    _write_pieces(path, (chunk.encode("utf-8") for chunk in chunks), mode=mode)


def _write_pieces(
    path: Path, pieces: Iterable[bytes], *, mode: int | None = None, write_through: bool = True
) -> None:
    path = Path(path)
    if write_through and path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a named pipe: write through, never replace the node.
        with path.open("wb") as stream:
            for piece in pieces:
                stream.write(piece)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    permissions = _mode_for(path) if mode is None else mode
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(piece)
            stream.flush()
            os.fchmod(stream.fileno(), permissions)
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def exchange_paths(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; False when the platform or filesystem cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        errno = ctypes.get_errno()
        if errno in _CANNOT_EXCHANGE:
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def fsync_tree(folder: Path) -> None:
    """Flush every file under a folder to disk (before it is swapped into place): one
    ``syncfs`` of the folder's file system on Linux (a catalog of 100,000 files is one call,
    not 100,000 ``fsync``), else each file."""
    if _syncfs(folder):
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as stream:
                os.fsync(stream.fileno())


def _syncfs(folder: Path) -> bool:
    """``syncfs(2)`` on the file system holding ``folder``; False where there is none."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    syncfs = getattr(ctypes.CDLL(libc_name, use_errno=True), "syncfs", None)
    if syncfs is None:
        return False
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if syncfs(descriptor) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno), str(folder))
    finally:
        os.close(descriptor)
    return True
