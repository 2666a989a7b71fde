"""The one guard every output path goes through: tpqc never writes over its inputs.

A report (``-o``), an inventory CSV, a GeoParquet file, a shard's facts, a spec written by
``tpqc init`` and a catalog folder are all checked here before anything is read or written:

- never the spec, never a file of the dataset (a file a file kind would read, or any
  existing file inside the data root), whatever path leads there (``..``, symlinks);
- never inside the data root, unless it is a new file there and the user asked for it
  (``--allow-output-in-data``); a name a file kind would read as data is refused even then;
- a catalog folder, which publishing replaces whole, never is, contains or lies above the
  data root or the spec, and inside the data root never holds files of the dataset, even
  with ``--force``; elsewhere an existing folder is replaced only when it is empty or a tpqc
  catalog, unless forced.

Devices and pipes (``-o /dev/null``, ``-o /dev/stdout``) are written through, so they pass.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tpqc.schemas.errors import UsageError
from tpqc.schemas.identity import CATALOG_REPORT_NAME
from tpqc.validators.engine.listing import is_tpqc_catalog

ALLOW_FLAG = "--allow-output-in-data"


class UnsafeOutputError(UsageError):
    """An output path would overwrite or delete an input: the spec or the dataset's files."""


def _encloses(outer: Path, inner: Path) -> bool:
    return outer == inner or outer in inner.parents


def _never_data(name: str) -> bool:
    return False


def _resolved(path: Path) -> Path:
    # resolve() follows every symlink on the way, also that of a file not yet written.
    return Path(path).resolve()


def _is_special(path: Path) -> bool:
    """A device or pipe (written through, never replaced)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@dataclass(frozen=True)
class OutputGuard:
    """What a run's outputs must never touch: its spec and its dataset."""

    spec: Path | None = None
    data_root: Path | None = None
    """None for a dataset on the network (nothing local to protect)."""
    is_data_name: Callable[[str], bool] = _never_data
    """True for a file name some file kind would read as data (``x.tif``, ``x.nc``)."""
    allow_in_data: bool = False
    """The user asked for new output files inside the data root."""
    data_files: tuple[Path, ...] = field(default=())
    """Data files outside the root (targets of followed symlinks)."""
    may_replace: bool = False
    """An existing file inside the data root that no kind reads may be replaced (``tpqc
    init --force`` over the spec it wrote there before)."""

    def with_data_files(self, files: Iterable[Path]) -> OutputGuard:
        """The guard also protecting these files (resolved), wherever they are."""
        return dataclasses.replace(
            self, data_files=self.data_files + tuple(_resolved(p) for p in files)
        )

    def _root(self) -> Path | None:
        return _resolved(self.data_root) if self.data_root is not None else None

    def _is_spec(self, out: Path, given: Path) -> bool:
        if self.spec is None:
            return False
        spec = _resolved(self.spec)
        if out == spec:
            return True
        try:
            return given.exists() and given.samefile(self.spec)
        except OSError:
            return False

    def check_file(self, path: Path, option: str) -> None:
        """Refuse an output file that is an input, or lies inside the data root without
        being a new file the user allowed there."""
        given = Path(path)
        if _is_special(given):
            return
        out = _resolved(given)
        if out.is_dir():
            raise UnsafeOutputError(
                f"{option} {path} is a folder; give a file name, e.g. {option} {given / 'report'}"
            )
        if self._is_spec(out, given):
            raise UnsafeOutputError(
                f"{option} {path} is the spec; tpqc never writes over its inputs"
            )
        if out in self.data_files:
            raise UnsafeOutputError(
                f"{option} {path} is a data file of the dataset; tpqc never writes over its inputs"
            )
        root = self._root()
        if root is None or not _encloses(root, out):
            return
        where = out.relative_to(root)
        if self.is_data_name(out.name):
            raise UnsafeOutputError(
                f"{option} {path} is {'a data file' if out.exists() else 'named like data'} "
                f"inside the data root {self.data_root} ({where}); tpqc never writes to the "
                "data"
            )
        if out.exists() and not self.may_replace:
            raise UnsafeOutputError(
                f"{option} {path} exists inside the data root {self.data_root} ({where}); "
                "tpqc never overwrites a file of the dataset: write it elsewhere"
            )
        if not self.allow_in_data:
            raise UnsafeOutputError(
                f"{option} {path} lies inside the data root {self.data_root}; tpqc does not "
                f"write into the data unless asked: write it elsewhere, or pass {ALLOW_FLAG} "
                "for a new file there"
            )

    def check_folder_for_files(self, folder: Path, names: Iterable[str], option: str) -> None:
        """Refuse a folder that files are written into (``--facts-out``) when one of the
        files would replace an input or land inside the data root without leave."""
        out = _resolved(Path(folder))
        if out.exists() and not out.is_dir():
            raise UnsafeOutputError(f"{option} {folder} exists and is not a folder")
        for name in names:
            self.check_file(out / name, option)

    def check_catalog_folder(self, target: Path, *, force: bool = False) -> None:
        """Refuse a catalog folder whose replacement would lose the dataset, the spec or
        unrelated files (``--force`` allows the last, never the first two)."""
        out = _resolved(Path(target))
        protected = [("the spec", _resolved(self.spec) if self.spec else None)]
        protected.insert(0, ("the data root", self._root()))
        for what, path in protected:
            if path is not None and _encloses(out, path):
                relation = "is" if out == path else "contains"
                raise UnsafeOutputError(
                    f"--out {target} {relation} {what} ({path}); publishing replaces the "
                    "whole folder and would delete it. Choose a folder of its own, e.g. --out "
                    f"{path.parent / 'stac' if what == 'the spec' else path / 'stac'}"
                )
        if out.exists() and not out.is_dir():
            raise UnsafeOutputError(f"--out {target} exists and is not a folder")
        if not out.is_dir() or not any(out.iterdir()) or is_tpqc_catalog(out):
            return
        root = self._root()
        if root is not None and _encloses(root, out):
            data = self._first_data_file(out)
            raise UnsafeOutputError(
                f"--out {target} lies inside the data root and holds "
                + (f"files of the dataset ({data})" if data else "files tpqc did not write")
                + "; publishing would delete them, --force or not. Choose a new folder"
            )
        if not force:
            raise UnsafeOutputError(
                f"--out {target} is a folder that tpqc did not write (no catalog.json and "
                f"{CATALOG_REPORT_NAME}); publishing would replace everything in it. Choose "
                "an empty or new folder, or pass --force to replace it"
            )

    def _first_data_file(self, folder: Path) -> str | None:
        for base, _, names in os.walk(folder):
            for name in sorted(names):
                if self.is_data_name(name):
                    return str(Path(base, name).relative_to(folder))
        return None
