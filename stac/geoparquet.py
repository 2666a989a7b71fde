"""The catalog's items as one stac-geoparquet file, for archives too large to browse as
JSON files: one row per item, read by DuckDB, GeoPandas, pyarrow or rustac.

Written with stac-geoparquet (``pip install 'tpqc[geoparquet]'``), chunk by chunk (items
are streamed, never held as one table), atomically, and checked by reading it back: the
same items in the same order, each still valid against the STAC item schema. Relative
hrefs only make sense beside JSON files, so the rows carry absolute ones: the data file's
path or URL, and, when the JSON catalog is written too, links to its documents (without
it, a row names no collection: a link to a collection document that does not exist would
be a lie, and STAC wants one for every item that names its collection).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tpqc.schemas.errors import TpqcError

CHUNK_ITEMS = 8192


class GeoParquetError(TpqcError):
    """The GeoParquet file could not be written, or did not read back as written."""


def _absolute(href: str, base: Path) -> str:
    if "://" in href or href.startswith("/"):
        return href
    return os.path.normpath(base.parent / href)


def parquet_item(document: dict[str, Any], location: Path, *, linked: bool) -> dict[str, Any]:
    """An item document as a row: hrefs absolute; with ``linked`` (the JSON catalog is
    written at ``location``'s tree) its links point at those documents, else the row keeps
    only absolute links and names no collection."""
    row = dict(document)
    row["assets"] = {
        key: {**asset, "href": _absolute(str(asset.get("href", "")), location)}
        for key, asset in (document.get("assets") or {}).items()
    }
    links = document.get("links") or []
    if linked:
        row["links"] = [{**k, "href": _absolute(str(k.get("href", "")), location)} for k in links]
    else:
        row["links"] = [k for k in links if "://" in str(k.get("href", ""))]
        row.pop("collection", None)
    return row


def write_geoparquet(
    path: Path,
    items: Iterable[tuple[str, dict[str, Any]]],
    collections: Callable[[], Iterable[dict[str, Any]]],
    target: Path,
    conforms: Any = None,
    *,
    linked: bool = True,
) -> int:
    """Write ``items`` (relative path in the catalog → item document) to ``path``
    atomically and check the file by reading it back; returns the number of rows.
    ``collections()`` gives the collection documents once every item has been taken (their
    extents and summaries are the items' tally).
    ``conforms(document)`` tells whether a read-back item is still valid STAC."""
    try:
        import pyarrow.parquet as pq
        import stac_geoparquet.arrow as sga
    except ImportError as exc:
        raise GeoParquetError(
            f"--geoparquet needs stac-geoparquet: pip install 'tpqc[geoparquet]' ({exc})"
        ) from None
    ids: list[str] = []

    def rows() -> Iterator[dict[str, Any]]:
        for relative, document in items:
            ids.append(str(document["id"]))
            yield parquet_item(document, target / relative, linked=linked)

    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".tpqc-{path.name}-", dir=path.parent)
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory(prefix=".tpqc-chunks-", dir=path.parent) as chunks:
            reader = sga.parse_stac_items_to_arrow(
                rows(), chunk_size=CHUNK_ITEMS, schema="ChunksToDisk", tmpdir=chunks
            )
            metadata = {str(c["id"]): c for c in collections()} if linked else None
            sga.to_parquet(reader, temporary, collections=metadata)
        _read_back(pq, sga, Path(temporary), ids, conforms)
        Path(temporary).chmod(0o644 & ~_umask())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(ids)


def without_fill_nulls(value: Any) -> Any:
    """A read-back item without the nulls the columnar file adds: one table holds items of
    every product, so a station's row gets ``proj:code: null``, ``bands: null`` and so on
    for the fields only rasters have. Only ``properties.datetime`` may be null in STAC (an
    interval's items have it so) and is kept."""
    if isinstance(value, dict):
        kept = {}
        for key, child in value.items():
            if child is None and key != "datetime":
                continue
            kept[key] = without_fill_nulls(child)
        return kept
    if isinstance(value, list):
        return [without_fill_nulls(v) for v in value]
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read_back(pq: Any, sga: Any, path: Path, ids: list[str], conforms: Any) -> None:
    """The file holds exactly the items written, in order, each valid STAC."""
    file = pq.ParquetFile(path)
    position = 0
    for batch in file.iter_batches(batch_size=CHUNK_ITEMS):
        for item in sga.stac_table_to_items(batch):
            if position >= len(ids) or item.get("id") != ids[position]:
                expected = ids[position] if position < len(ids) else "no more items"
                raise GeoParquetError(
                    f"{path.name} reads back item {item.get('id')!r} at row {position}, "
                    f"not {expected!r}"
                )
            if conforms is not None and not conforms(without_fill_nulls(item)):
                raise GeoParquetError(
                    f"{path.name} reads back item {item.get('id')!r} that is no valid STAC"
                )
            position += 1
    if position != len(ids):
        raise GeoParquetError(f"{path.name} reads back {position} items, {len(ids)} written")


__all__ = ["GeoParquetError", "parquet_item", "write_geoparquet"]
