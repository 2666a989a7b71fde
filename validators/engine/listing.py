"""List a local data root without surprises: every candidate data file is either a regular
file to read, or an entry tpqc reports and never opens.

A name that looks like data (a ``.tif``, a ``.csv`` ...) but is a FIFO, a device, a folder, a
dangling or looping symlink, something that cannot be stat'ed, or a symlink leaving the data
root, is an :class:`OddEntry`: the run goes on and says so. Folders that cannot be listed are
odd entries too. Symlinks leaving the root are followed only when asked to. A tpqc catalog
inside the data root (``--out`` beside the data, ``--copy-assets``) is output, not data, and
is not walked into. Data a checkout did not fetch is said to be so: a file under 1 KiB that
is a Git LFS or git-annex pointer (its first 200 bytes are looked at), a dangling symlink
into git-annex's object store, a ``.dvc`` file whose data is not in the workspace.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tpqc.schemas.identity import CATALOG_REPORT_NAME

OddKind = Literal["unreadable", "not-regular", "outside-root", "not-fetched"]

POINTER_BYTES = 1024
"""Files smaller than this are looked at for a Git LFS or git-annex pointer."""
_POINTERS = (
    (b"version https://git-lfs.github.com/spec/", "a Git LFS pointer (the data was not pulled)"),
    (b"/annex/objects/", "a git-annex pointer (the data was not fetched)"),
)


@dataclass(frozen=True)
class OddEntry:
    """A data-looking entry that is not a readable regular file inside the root."""

    path: str
    kind: OddKind
    reason: str
    target: str | None = None
    """Where a symlink points."""


@dataclass(frozen=True)
class Listing:
    """Regular files (relative POSIX paths, sorted) and the odd entries found beside them."""

    files: tuple[str, ...]
    odd: tuple[OddEntry, ...] = field(default_factory=tuple)


_KIND_NAMES = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def _what(mode: int) -> str:
    return _KIND_NAMES.get(stat.S_IFMT(mode), "not a regular file")


def is_tpqc_catalog(folder: Path) -> bool:
    """True for a folder holding a catalog tpqc wrote (its root catalog and its report)."""
    try:
        return (folder / "catalog.json").is_file() and (folder / CATALOG_REPORT_NAME).is_file()
    except OSError:  # a folder that cannot be searched is reported by the listing
        return False


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def list_data_root(
    root: Path, looks_like_data: Callable[[str], bool], *, follow_symlinks: bool = False
) -> Listing:
    """Regular files under ``root`` (hidden entries skipped) and odd data-looking entries.
    Symlinked folders are walked as ``ls -R`` and GDAL see them when they stay inside the
    root (a link to a folder whose own name is hidden, ``current -> .store/v3``, included),
    and outside it only with ``follow_symlinks``; a link back to a folder being walked is a
    loop, reported and not walked again."""
    real_root = os.path.realpath(root)
    files: list[str] = []
    odd: list[OddEntry] = []
    # (folder, its path relative to the root, the real paths of the folders above it)
    pending: list[tuple[Path, str, frozenset[str]]] = [(root, "", frozenset({real_root}))]
    while pending:
        folder, prefix, chain = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in listing)
                names = {n for n, _ in entries}
        except OSError as exc:
            odd.append(
                OddEntry(prefix or ".", "unreadable", f"cannot list the folder: {exc.strerror}")
            )
            continue
        below: list[tuple[Path, str, frozenset[str]]] = []
        for name, is_folder in entries:
            if name.startswith("."):
                continue
            full = Path(folder, name)
            rel = f"{prefix}/{name}" if prefix else name
            if is_folder:
                if looks_like_data(name):
                    odd.append(OddEntry(rel, "not-regular", "a folder, not a data file"))
                real = os.path.realpath(full)
                if real not in chain and not is_tpqc_catalog(full):  # reached by a link
                    below.append((full, rel, chain | {real}))
                continue
            if full.is_symlink() and full.is_dir():
                entry = _linked_folder(full, rel, real_root, follow_symlinks, chain)
                if entry is None:
                    if not is_tpqc_catalog(full):
                        below.append((full, rel, chain | {os.path.realpath(full)}))
                elif entry.kind != "not-regular" or looks_like_data(name):
                    odd.append(entry)
                continue
            if name.endswith(".dvc") and looks_like_data(name[:-4]):
                if not (Path(folder) / name[:-4]).exists() and name[:-4] not in names:
                    odd.append(
                        OddEntry(
                            rel[:-4],
                            "not-fetched",
                            f"tracked by DVC ({name}) but not in the workspace (not pulled)",
                        )
                    )
                continue
            if not looks_like_data(name):
                continue
            entry = _file_entry(full, rel, real_root, follow_symlinks)
            if entry is None:
                files.append(rel)
            else:
                odd.append(entry)
        pending.extend(reversed(below))
    return Listing(tuple(sorted(files)), tuple(sorted(odd, key=lambda e: e.path)))


def _linked_folder(
    full: Path, rel: str, real_root: str, follow: bool, chain: frozenset[str]
) -> OddEntry | None:
    """None when a symlinked folder may be walked into; else why not."""
    target = os.path.realpath(full)
    if target in chain:
        return OddEntry(rel, "not-regular", "a symlink loop (a link to a folder above it)", target)
    if not _inside(target, real_root) and not follow:
        return OddEntry(
            rel, "outside-root", "a symlink leaving the data root (not followed)", target
        )
    return None


def _file_entry(full: Path, rel: str, real_root: str, follow: bool) -> OddEntry | None:
    """None for a regular file that may be read; else what is odd about the entry."""
    try:
        info = full.lstat()
    except OSError as exc:
        return OddEntry(rel, "unreadable", f"cannot be stat'ed: {exc.strerror}")
    if not stat.S_ISLNK(info.st_mode):
        if stat.S_ISREG(info.st_mode):
            return _pointer(full, rel, info.st_size)
        return OddEntry(rel, "not-regular", _what(info.st_mode))
    try:
        target_info = full.stat()
    except OSError as exc:
        link = str(full.readlink()) if exc.errno == errno.ENOENT else ""
        if "/annex/objects/" in link:  # git-annex keeps data behind such links
            return OddEntry(rel, "not-fetched", _POINTERS[1][1], link)
        reason = {
            errno.ENOENT: "a dangling symlink (its target does not exist)",
            errno.ELOOP: "a symlink loop",
        }.get(exc.errno or 0, f"a symlink whose target cannot be stat'ed: {exc.strerror}")
        return OddEntry(rel, "not-regular", reason, str(full.readlink()))
    target = os.path.realpath(full)
    if not stat.S_ISREG(target_info.st_mode):
        return OddEntry(rel, "not-regular", f"a symlink to {_what(target_info.st_mode)}", target)
    if not _inside(target, real_root) and not follow:
        return OddEntry(
            rel, "outside-root", "a symlink leaving the data root (not followed)", target
        )
    return _pointer(full, rel, target_info.st_size)


def _pointer(full: Path, rel: str, size: int) -> OddEntry | None:
    """A small file that is a Git LFS or git-annex pointer instead of the data; else None."""
    if size >= POINTER_BYTES:
        return None
    try:
        with full.open("rb") as handle:
            head = handle.read(200)
    except OSError:
        return None  # the reader reports why it cannot be read
    lfs, annex = _POINTERS
    if head.startswith(lfs[0]):
        return OddEntry(rel, "not-fetched", lfs[1])
    if annex[0] in head[:160] and b"\n" not in head.rstrip(b"\n"):  # one line: a path
        return OddEntry(rel, "not-fetched", annex[1])
    return None
