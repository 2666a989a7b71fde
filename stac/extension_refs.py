"""What a document's ``stac_extensions`` entries name, in every form STAC has used: a schema
URL (1.0.0 on), a short name of an extension of the core specification (``eo``, ``view``,
``proj`` before 1.0.0-rc.2, served at ``schemas.stacspec.org/<version>/extensions/``), or a
schema shipped beside the document as a relative path (read only inside the checked tree),
and the schemas those local files refer to, registered under their ``file:`` URIs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from tpqc.stac.schema_urls import STAC_SCHEMAS, external_refs
from tpqc.stac.tree import is_url

SHORT_NAME_FOLDERS = {"proj": "projection", "sci": "scientific", "cube": "datacube"}
"""Short names whose folder in the specification has another name."""
MAX_LOCAL_SCHEMA_BYTES = 4 << 20
"""A local schema file larger than this is not read."""
MAX_LOCAL_SCHEMAS = 64
"""At most this many local schema files are read for one document."""


@dataclass(frozen=True)
class ExtensionRef:
    """One ``stac_extensions`` entry and the schema it stands for."""

    written: str
    url: str
    """The schema to validate with: a URL, or the ``file:`` URI of a schema in the tree."""
    names: frozenset[str]
    """The names the entry declares (``eo``; ``projection`` and ``proj``), for matching
    ``prefix:`` fields to their extension."""
    folder: str | None = None
    """A short name's folder name, when it differs (``projection`` for ``proj``)."""
    refusal: str | None = None
    """Why the schema is not read (a relative path leaving the checked tree, or missing)."""


def extension_refs(data: dict[str, Any], document: Path, root: Path) -> list[ExtensionRef]:
    """The entries of the document's ``stac_extensions``, each with its schema."""
    entries = data.get("stac_extensions")
    version = data.get("stac_version")
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, str) or not entry:
            continue
        if is_url(entry):
            parts = urlparse(entry).path.split("/")
            out.append(ExtensionRef(entry, entry, frozenset(p for p in parts if p)))
        elif "/" in entry or entry.endswith(".json"):
            out.append(_local_ref(entry, document, root))
        else:
            folder = SHORT_NAME_FOLDERS.get(entry, entry)
            url = f"{STAC_SCHEMAS}/v{version}/extensions/{folder}/json-schema/schema.json"
            alias = folder if folder != entry else None
            out.append(ExtensionRef(entry, url, frozenset({entry, folder}), folder=alias))
    return out


def _local_ref(entry: str, document: Path, root: Path) -> ExtensionRef:
    path = (document.parent / unquote(urlparse(entry).path)).resolve()
    names = frozenset({path.stem, path.parent.name, *Path(entry).parts})
    if not path.is_relative_to(root.resolve()):
        return ExtensionRef(
            entry, entry, names, refusal="a relative path leaving the checked folder"
        )
    if not path.is_file():
        return ExtensionRef(entry, path.as_uri(), names, refusal="no such file beside the document")
    return ExtensionRef(entry, path.as_uri(), names)


def local_schemas(refs: list[ExtensionRef], root: Path) -> dict[str, Any]:
    """The local schema files the entries name, and the local files their ``$ref``s name in
    turn (inside ``root``), keyed by ``file:`` URI; unreadable or oversized files are left
    out (the store then reports the schema unavailable)."""
    documents: dict[str, Any] = {}
    pending = [r.url for r in refs if r.refusal is None and r.url.startswith("file:")]
    if not pending:  # the usual case: extensions named by URL (no folder resolved per item)
        return documents
    boundary = root.resolve()
    while pending and len(documents) < MAX_LOCAL_SCHEMAS:
        uri = pending.pop()
        if uri in documents:
            continue
        path = Path(unquote(urlparse(uri).path))
        if not path.is_relative_to(boundary) or not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_LOCAL_SCHEMA_BYTES:
                continue
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        documents[uri] = schema
        pending.extend(sorted(t for t in external_refs(schema, uri) if t.startswith("file:")))
    return documents
