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
from collections.abc import Callable, Iterable, Iterator, Mapping
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


Content = str | bytes | Callable[[], str | bytes]
"""An extra file's content, or a function making it just before it is written (a big
report is then never held beside the catalog's documents)."""


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
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target):
        if target.exists() and not target.is_dir():
            raise CatalogWriteError(f"{target} exists and is not a folder")
        remove_stale_temporaries(target)
        _write_and_swap(target, documents, extra_files or {}, check, assets or {})


def _place_asset(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)  # same bytes, no second read, no second copy on disk
    except OSError:
        shutil.copy2(source, destination)


def _write_and_swap(
    target: Path,
    documents: Mapping[str, Any] | Iterable[tuple[str, Any]],
    extra_files: Mapping[str, Content],
    check: Callable[[Path], None] | None,
    assets: Mapping[str, Path],
) -> None:
    prefix = f"{TEMP_PREFIX}{target.name}-{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    try:
        pairs = documents.items() if isinstance(documents, Mapping) else documents
        made: set[Path] = set()
        for relative, document in pairs:
            path = staging / relative
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_text(dumps(document), encoding="utf-8", newline="\n")
        for relative, source in assets.items():
            _place_asset(source, staging / relative)
        for relative, given in extra_files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            content = given() if callable(given) else given
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="\n")
        if check is not None:
            check(staging)
        fsync_tree(staging)
        staging.chmod(0o755)
        if not target.exists():
            staging.rename(target)
            return
        if not exchange_paths(staging, target):
            old = target.with_name(f"{TEMP_PREFIX}{target.name}-old")
            target.rename(old)
            staging.rename(target)
            staging = old
    finally:
        shutil.rmtree(staging, ignore_errors=True)
