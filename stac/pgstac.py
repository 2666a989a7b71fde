"""Load a tpqc catalog into a pgSTAC database (the store most STAC APIs, stac-fastapi among
them, serve from), through pypgstac's connection and pgSTAC's own SQL functions.

Everything happens in one transaction: the collections are upserted, the items copied in
by pypgstac's loader and upserted partition by partition (a changed
file's item replaces the old one; loading the same catalog twice changes nothing) and, with
``prune``, the items of the catalog's collections that the catalog no longer has are
deleted; a failure half way leaves the database as it was. Links that only make sense in
the static catalog (relative ``self``, ``root``, ``parent``, ``child``, ``item``,
``collection``) are left out: the API makes its own. Items stream from the catalog in
batches, so memory does not grow with their number. A password in the DSN never appears in
any message."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tpqc.schemas.errors import TpqcError, UsageError
from tpqc.stac.tree import is_url, read_json_document, resolve_local, stac_kind

SUPPORTED = ((0, 9, 0), (0, 11, 0))
"""pgSTAC versions tpqc loads into: at least the first, below the second."""
BATCH = 10_000
"""Items read into memory and copied into pgSTAC at a time (pypgstac's loader: COPY into
a temporary table, then one upsert per partition)."""
STATIC_RELS = frozenset({"self", "root", "parent", "child", "item", "collection"})


class PgstacError(TpqcError):
    """The database cannot take the catalog (unreachable, no pgSTAC, another version)."""


@dataclass(frozen=True)
class PgstacLoad:
    """What one load did."""

    version: str
    collections: int
    items: int
    new_items: int
    pruned: int


def resolve_dsn(dsn: str | None) -> str:
    """The connection string: ``--dsn``, else ``PGSTAC_DSN``, else empty (libpq then takes
    ``PGHOST``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``, ``PGPORT`` ...)."""
    return dsn or os.environ.get("PGSTAC_DSN", "")


def redact(text: str, dsn: str) -> str:
    """``text`` without the password of ``dsn`` (or ``PGPASSWORD``), wherever it appears."""
    secrets = set()
    with contextlib.suppress(Exception):
        from psycopg.conninfo import conninfo_to_dict

        password = conninfo_to_dict(dsn).get("password")
        if password:
            secrets.add(str(password))
    if os.environ.get("PGPASSWORD"):
        secrets.add(os.environ["PGPASSWORD"])
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "********")
    # a URL's user:password@ even when it could not be parsed
    return re.sub(r"(://[^:/@\s]+):[^@\s]+@", r"\1:********@", text)


def _version_tuple(version: str) -> tuple[int, int, int]:
    numbers = [*(int(n) for n in re.findall(r"\d+", version)[:3]), 0, 0, 0]
    return numbers[0], numbers[1], numbers[2]


def _for_api(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the static catalog's relative structural links."""
    links = [
        link
        for link in document.get("links") or []
        if isinstance(link, dict)
        and not (link.get("rel") in STATIC_RELS and not is_url(str(link.get("href", ""))))
    ]
    return {**document, "links": links}


def _walk(root: Path) -> tuple[list[dict[str, Any]], list[Path]]:
    """The catalog's collections (documents) and its items (paths), by its links."""
    start = root / "catalog.json" if root.is_dir() else root
    collections: list[dict[str, Any]] = []
    items: list[Path] = []
    pending, seen = [start], set()
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        document = read_json_document(path)
        kind = stac_kind(document)
        if kind == "Item":
            items.append(path)
            continue
        if kind == "Collection":
            collections.append(document)
        for link in document.get("links") or []:
            href = link.get("href") if isinstance(link, dict) else None
            if link.get("rel") in ("child", "item") and isinstance(href, str) and not is_url(href):
                pending.append(resolve_local(href, path))
    return collections, items


def _items(paths: list[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        yield _for_api(read_json_document(path))


def _time_range(item: Mapping[str, Any]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The (datetime, end_datetime) pgSTAC stores for an item (a range's start when its
    datetime is null; its datetime when it has no end), to compare with a stored row."""
    properties = item.get("properties") or {}
    start = properties.get("datetime") or properties.get("start_datetime")
    end = properties.get("end_datetime") or start
    return _instant(start), _instant(end)


def _instant(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def load_catalog(root: Path, dsn: str, *, prune: bool = False) -> PgstacLoad:
    """Upsert the catalog's collections and items into pgSTAC in one transaction (and with
    ``prune`` delete the items of its collections it no longer has)."""
    import psycopg
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    collections, item_paths = _walk(root)
    if not collections:
        raise UsageError(f"{root} holds no STAC collection to load")
    database = PgstacDB(dsn=dsn, commit_on_exit=False)
    try:
        try:
            version = database.version
        except psycopg.Error as exc:
            raise PgstacError(redact(f"cannot connect to the database: {exc}", dsn)) from None
        if not version:
            raise PgstacError("the database has no pgSTAC: run `pypgstac migrate` first")
        low, high = SUPPORTED
        if not low <= _version_tuple(version) < high:
            raise PgstacError(
                f"pgSTAC {version} is not supported: tpqc loads into pgSTAC "
                f"{'.'.join(map(str, low))} up to (not including) {'.'.join(map(str, high))}"
            )
        from pypgstac import __version__ as pypgstac_version

        if _version_tuple(version)[:2] != _version_tuple(pypgstac_version)[:2]:
            raise PgstacError(
                f"pgSTAC {version} in the database, pypgstac {pypgstac_version} installed: "
                "their versions must agree up to the minor number (pip install "
                f"'pypgstac=={'.'.join(version.split('.')[:2])}.*')"
            )
        connection = database.connect()
        ids = [str(c["id"]) for c in collections]
        try:
            with connection.transaction():
                stored = {
                    (str(row[0]), str(row[1])): (row[2], row[3])
                    for row in connection.execute(
                        "SELECT collection, id, datetime, end_datetime FROM pgstac.items "
                        "WHERE collection = ANY(%s)",
                        (ids,),
                    )
                }
                before = set(stored)
                for collection in collections:
                    connection.execute(
                        "SELECT pgstac.upsert_collection(%s::jsonb)",
                        (json.dumps(_for_api(collection)),),
                    )
                loaded: set[tuple[str, str]] = set()

                def items() -> Iterator[dict[str, Any]]:
                    for item in _items(item_paths):
                        key = (str(item.get("collection")), str(item["id"]))
                        loaded.add(key)
                        if key in stored and stored[key] != _time_range(item):
                            # moved in time: another partition, where an upsert would
                            # leave the old row beside the new one
                            connection.execute(
                                "SELECT pgstac.delete_item(%s, %s)", (key[1], key[0])
                            )
                        yield item

                Loader(database).load_items(items(), insert_mode=Methods.upsert, chunksize=BATCH)
                gone = sorted(before - loaded) if prune else []
                for collection_id, item_id in gone:
                    connection.execute(
                        "SELECT pgstac.delete_item(%s, %s)", (item_id, collection_id)
                    )
        except psycopg.Error as exc:
            raise PgstacError(
                redact(f"pgSTAC refused the catalog, nothing was changed: {exc}", dsn)
            ) from None
    finally:
        database.close()
    return PgstacLoad(version, len(collections), len(loaded), len(loaded - before), len(gone))
