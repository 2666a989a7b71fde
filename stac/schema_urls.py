"""Where STAC schemas live: the URLs documents name them by, and how a local mirror folder
lays them out (``v1.0.0/item.json``, ``extensions/<name>/<version>/schema.json``,
``geojson/Feature.json``, ``projjson/<v>/projjson.schema.json``, and earlier releases as
the stac-spec repository holds them, ``stac-spec/v0.9.0/item-spec/json-schema/item.json``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

STAC_SCHEMAS = "https://schemas.stacspec.org"
EXTENSIONS = "https://stac-extensions.github.io"
CORE_FOLDERS = {"catalog.json": "catalog-spec", "collection.json": "collection-spec"}


def core_url(version: str, name: str) -> str:
    """URL of a STAC core schema file, e.g. (``v1.1.0``, ``item.json``)."""
    folder = CORE_FOLDERS.get(name, "item-spec")
    return f"{STAC_SCHEMAS}/{version}/{folder}/json-schema/{name}"


def mirror_entries(root: Path) -> Iterator[tuple[str, Path]]:
    """(URL, file) of every schema in a mirror folder."""
    for path in sorted(root.glob("v*/*.json")):
        yield core_url(path.parent.name, path.name), path
    for path in sorted(root.glob("extensions/*/*/schema.json")):
        yield f"{EXTENSIONS}/{path.parent.parent.name}/{path.parent.name}/schema.json", path
    for path in sorted(root.glob("geojson/*.json")):
        yield f"https://geojson.org/schema/{path.name}", path
    for path in sorted(root.glob("projjson/*/projjson.schema.json")):
        yield f"https://proj.org/schemas/{path.parent.name}/projjson.schema.json", path
    for path in sorted(root.glob("stac-spec/*/**/*.json")):
        # Pre-1.0 releases, as https://schemas.stacspec.org/<tag>/<path> serves them.
        yield f"{STAC_SCHEMAS}/{path.relative_to(root / 'stac-spec').as_posix()}", path


_META_SCHEMAS = ("http://json-schema.org/", "https://json-schema.org/")
"""JSON Schema's own meta-schemas, which every validator knows."""


def external_refs(schema: Any, base: str) -> set[str]:
    """The other documents a schema's ``$ref``s name (resolved against its own URL), JSON
    Schema's meta-schemas left out."""
    from urllib.parse import urljoin

    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                target = urljoin(base, ref).split("#", 1)[0]
                if target and target != base and not target.startswith(_META_SCHEMAS):
                    found.add(target)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found
