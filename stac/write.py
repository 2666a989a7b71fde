"""Write a catalog deterministically and atomically.

The documents are written into a fresh temporary folder beside the target, checked, and
then swapped into place in one step (``renameat2(RENAME_EXCHANGE)`` on Linux, a rename
when the target does not exist yet). A crash or kill at any point leaves the previous
catalog as it was; files of the old catalog that the new one lacks disappear with it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tpqc.schemas.errors import TpqcError
from tpqc.validators.atomic import exchange_paths, fsync_tree
from tpqc.validators.json_values import dumps

TEMP_PREFIX = ".tpqc-stac-"


class CatalogWriteError(TpqcError):
    """The catalog could not be put in place; the previous one is untouched."""


def remove_stale_temporaries(target: Path) -> None:
    """Clean up after a killed earlier run: restore a displaced previous catalog if the
    target is missing (the fallback swap was cut between its two renames), then remove
    the temporary folders left beside the target."""
    old = target.with_name(f"{TEMP_PREFIX}{target.name}-old")
    if old.is_dir() and not target.exists():
        old.rename(target)
    for stale in target.parent.glob(f"{TEMP_PREFIX}{target.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)


def write_catalog_atomic(
    target: Path,
    documents: Mapping[str, Any],
    extra_files: Mapping[str, str] | None = None,
    check: Callable[[Path], None] | None = None,
) -> None:
    """Write documents (relative path → JSON) and extra text files, check them, swap them in."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.is_dir():
        raise CatalogWriteError(f"{target} exists and is not a folder")
    remove_stale_temporaries(target)
    staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{target.name}-", dir=target.parent))
    try:
        for relative, document in documents.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(document), encoding="utf-8", newline="\n")
        for relative, text in (extra_files or {}).items():
            (staging / relative).write_text(text, encoding="utf-8", newline="\n")
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
