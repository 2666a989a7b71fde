"""Write a catalog deterministically and atomically.

The documents are written into a fresh temporary folder beside the target, checked, and
then swapped into place in one step (``renameat2(RENAME_EXCHANGE)`` on Linux, a rename
when the target does not exist yet). A crash or kill at any point leaves the previous
catalog as it was; files of the old catalog that the new one lacks disappear with it.

Two runs publishing to the same folder take turns: the target is locked (``flock`` on a lock
file beside it, removed when done) for the whole write, and a staging folder left beside the
target is removed only when the process that made it (its pid is in the name) is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tpqc.schemas.errors import TpqcError
from tpqc.validators.engine.atomic import exchange_paths, fsync_tree
from tpqc.validators.engine.json_values import dumps

TEMP_PREFIX = ".tpqc-stac-"
LOCK_PREFIX = ".lock-tpqc-stac-"
log = logging.getLogger("tpqc")


class CatalogWriteError(TpqcError):
    """The catalog could not be put in place; the previous one is untouched."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _writer_pid(staging: Path, target: Path) -> int | None:
    found = re.fullmatch(rf"{re.escape(TEMP_PREFIX + target.name)}-(\d+)-.+", staging.name)
    return int(found.group(1)) if found else None


def remove_stale_temporaries(target: Path) -> None:
    """Clean up after a killed earlier run: restore a displaced previous catalog if the
    target is missing (the fallback swap was cut between its two renames), then remove the
    staging folders left beside the target by processes that are gone."""
    old = target.with_name(f"{TEMP_PREFIX}{target.name}-old")
    if old.is_dir() and not target.exists():
        old.rename(target)
    for stale in target.parent.glob(f"{TEMP_PREFIX}{target.name}-*"):
        pid = _writer_pid(stale, target)
        if pid is None or pid == os.getpid() or not _alive(pid):
            shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the target's write lock; waits (saying so) while another run holds it. The lock
    file is removed afterwards; a waiter that finds it replaced locks the new one."""
    path = target.with_name(f"{LOCK_PREFIX}{target.name}")
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning("waiting for another tpqc run writing %s", target)
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                same = os.fstat(handle).st_ino == path.stat().st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
        except BaseException:
            os.close(handle)
            raise
        os.close(handle)  # the holder removed the file: lock the one that replaced it
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(handle)


Content = str | bytes | Callable[[], str | bytes | Iterable[str]]
"""An extra file's content, or a function making it just before it is written, whole or in
pieces (a big report is then never held whole in memory)."""


WRITE_BYTES = 1 << 20
"""A document written in pieces goes to its file in writes of about this size."""


def _write_all(handle: int, buffer: bytearray) -> int:
    """Write the buffer whole and empty it; returns how many bytes it held."""
    size = len(buffer)
    view = memoryview(buffer)
    written = 0
    while written < size:
        written += os.write(handle, view[written:])
    view.release()
    del buffer[:]
    return size


LINKS_MARKER = '\n  "links": []'
"""How a document with no links writes its (top-level) links."""


def _with_links(document: Mapping[str, Any], links: Sequence[Any]) -> Iterator[str]:
    """The document's text with its links written one at a time: what :func:`dumps` writes
    of the whole document, the links made as they are read."""
    head, found, tail = dumps({**document, "links": []}).partition(LINKS_MARKER)
    if not found or LINKS_MARKER in tail:  # pragma: no cover - the writer's own layout
        raise AssertionError("a document's links are not where they are expected")
    yield head
    if not links:
        yield LINKS_MARKER
    else:
        yield '\n  "links": ['
        for index, link in enumerate(links):
            text = dumps(link).rstrip("\n").replace("\n", "\n    ")
            yield ("\n    " if index == 0 else ",\n    ") + text
        yield "\n  ]"
    yield tail


class Staging:
    """The fresh folder a catalog is written into before it is swapped into place."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._root = str(folder)
        self._last_made = ""  # the folder made last (an item's files come together)

    def _path(self, relative: str) -> Path:
        return Path(self._made(relative))

    def _made(self, relative: str) -> str:
        """The file's path, its folder made (a million items: plain calls, no Path)."""
        parent = relative.rpartition("/")[0]
        if parent and parent != self._last_made:
            folder = f"{self._root}/{parent}"
            try:
                os.mkdir(folder)  # noqa: PTH102  (one call, no Path, per item folder)
            except FileExistsError:
                pass
            except FileNotFoundError:
                Path(folder).mkdir(parents=True, exist_ok=True)
            self._last_made = parent
        return f"{self._root}/{relative}"

    def document(self, relative: str, document: Any) -> int:
        """Write one JSON document (deterministic text, UTF-8); returns its size in bytes.
        Links made as they are read (a collection's item links) are written one at a time:
        the same bytes, never a million links in memory at once."""
        links = document.get("links") if isinstance(document, dict) else None
        if links is None or isinstance(links, list):
            pieces: Iterable[str] = (dumps(document),)
        else:
            pieces = _with_links(document, links)
        handle = os.open(self._made(relative), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        size = 0
        try:
            buffer = bytearray()
            for piece in pieces:
                buffer += piece.encode("utf-8")
                if len(buffer) >= WRITE_BYTES:
                    size += _write_all(handle, buffer)
            size += _write_all(handle, buffer)
        finally:
            os.close(handle)
        return size

    def file(self, relative: str, given: Content) -> None:
        """Write one extra file (text as UTF-8 with ``\\n`` line ends, or bytes)."""
        content = given() if callable(given) else given
        path = self._path(relative)
        if isinstance(content, bytes):
            path.write_bytes(content)
            return
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            if isinstance(content, str):
                stream.write(content)
            else:
                stream.writelines(content)

    def asset(self, relative: str, source: Path) -> None:
        """Put a data file into the catalog: hard-linked where the file system allows
        (same bytes, no second read, no second copy on disk), else copied."""
        destination = self._path(relative)
        try:
            os.link(source, destination)
        except OSError:
            shutil.copy2(source, destination)


@contextlib.contextmanager
def staged_catalog(target: Path, check: Callable[[Path], None] | None = None) -> Iterator[Staging]:
    """Hold the target's lock and give a fresh staging folder beside it; when the block
    ends, check the folder, flush it to disk and swap it into place. An exception (or a
    failed check) leaves the previous catalog as it was."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target):
        if target.exists() and not target.is_dir():
            raise CatalogWriteError(f"{target} exists and is not a folder")
        remove_stale_temporaries(target)
        prefix = f"{TEMP_PREFIX}{target.name}-{os.getpid()}-"
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
        try:
            yield Staging(folder)
            if check is not None:
                check(folder)
            fsync_tree(folder)
            folder.chmod(0o755)
            if not target.exists():
                folder.rename(target)
                return
            if not exchange_paths(folder, target):
                old = target.with_name(f"{TEMP_PREFIX}{target.name}-old")
                target.rename(old)
                folder.rename(target)
                folder = old
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def write_catalog_atomic(
    target: Path,
    documents: Mapping[str, Any] | Iterable[tuple[str, Any]],
    extra_files: Mapping[str, Content] | None = None,
    check: Callable[[Path], None] | None = None,
    assets: Mapping[str, Path] | None = None,
) -> None:
    """Write documents (relative path → JSON, as a mapping or a stream of pairs written as
    they come), extra files and asset files (relative path → the data file: hard-linked when
    the file system allows, else copied), check them, swap them in."""
    with staged_catalog(target, check) as staging:
        pairs = documents.items() if isinstance(documents, Mapping) else documents
        for relative, document in pairs:
            staging.document(relative, document)
        for relative, source in (assets or {}).items():
            staging.asset(relative, source)
        for relative, given in (extra_files or {}).items():
            staging.file(relative, given)
