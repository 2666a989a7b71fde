"""Where a catalog may be written: never over the data, the spec, or a folder tpqc did not make.

Publishing replaces the whole ``--out`` folder in one swap, so a wrong ``--out`` would delete
what it held. Before anything is read, the target is refused when it is, contains or lies
above the data root or the spec, and an existing folder is replaced only when it is empty or
is a tpqc catalog (it holds ``catalog.json`` and tpqc's ``tpqc-report.json``), unless forced.
"""

from __future__ import annotations

from pathlib import Path

from tpqc.schemas.errors import UsageError
from tpqc.schemas.identity import CATALOG_REPORT_NAME
from tpqc.validators.listing import is_tpqc_catalog

REPORT_NAME = CATALOG_REPORT_NAME


class UnsafeTargetError(UsageError):
    """The catalog folder would replace data that is not a tpqc catalog."""


def _encloses(outer: Path, inner: Path) -> bool:
    return outer == inner or outer in inner.parents


def check_publish_target(
    target: Path, spec_path: Path, data_root: Path | None, *, force: bool = False
) -> None:
    """Refuse a catalog folder whose replacement would lose the dataset, the spec or
    unrelated files. ``data_root`` is None for a remote dataset."""
    out = Path(target).resolve()
    protected = [("the spec", Path(spec_path).resolve())]
    if data_root is not None:
        protected.insert(0, ("the data root", Path(data_root).resolve()))
    for what, path in protected:
        if _encloses(out, path):
            relation = "is" if out == path else "contains"
            raise UnsafeTargetError(
                f"--out {target} {relation} {what} ({path}); publishing replaces the whole "
                "folder and would delete it. Choose a folder of its own, e.g. --out "
                f"{path.parent / 'stac' if what == 'the spec' else path / 'stac'}"
            )
    if out.exists() and not out.is_dir():
        raise UnsafeTargetError(f"--out {target} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not is_tpqc_catalog(out) and not force:
        raise UnsafeTargetError(
            f"--out {target} is a folder that tpqc did not write (no catalog.json and "
            f"{REPORT_NAME}); publishing would replace everything in it. Choose an empty or "
            "new folder, or pass --force to replace it"
        )


def check_file_target(path: Path, spec_path: Path, data_root: Path | None) -> None:
    """Refuse an output file (--geoparquet) that is the spec, lies inside the data root
    (tpqc never writes to the data) or is a folder."""
    out = Path(path).resolve()
    if out == Path(spec_path).resolve():
        raise UnsafeTargetError(f"{path} is the spec; choose another file")
    if data_root is not None and _encloses(Path(data_root).resolve(), out):
        raise UnsafeTargetError(
            f"{path} lies inside the data root {data_root}: tpqc never writes to the data"
        )
    if out.is_dir():
        raise UnsafeTargetError(f"{path} is a folder; give a file name such as items.parquet")
