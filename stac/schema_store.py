"""Offline JSON Schemas for STAC, registered under the URLs documents refer to.

Sources, later ones adding to or overriding earlier ones: the STAC 1.1.0 core and GeoJSON
schemas that pystac bundles, the official schemas tpqc ships (:mod:`schema_bundle`: core
1.0.0 and 1.1.0 and every extension version tpqc writes), a local mirror (``--schemas DIR``
or ``TPQC_STAC_SCHEMAS``) laid out as ``v1.0.0/item.json``,
``extensions/<name>/<version>/schema.json``, ``geojson/Feature.json`` and
``projjson/<v>/projjson.schema.json``, and tpqc's own profile schema. Every file is
registered under the URL it is fetched from, never only under its ``$id``: several
upstream ``$id``s end in ``#`` and STAC 1.1.0 ``common.json`` calls itself ``commonjson``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tpqc.stac.schema_urls import STAC_SCHEMAS, core_url, external_refs, mirror_entries

PROFILE_URL = "https://tpqc.dev/schemas/stac-profile/1.0.json"


def _bundled_entries() -> Iterator[tuple[str, Any]]:
    base = resources.files("pystac.validation").joinpath("jsonschemas")
    core = base.joinpath("stac-spec").joinpath("v1.1.0")
    for entry in sorted(core.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield core_url("v1.1.0", entry.name), entry
    for entry in sorted(base.joinpath("geojson").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield f"https://geojson.org/schema/{entry.name}", entry


def _refuse(url: str) -> Resource[Any]:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(url)


def _fetch(url: str) -> Resource[Any]:
    """Retrieve a schema over the network; used only with --online."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:
        document = json.loads(response.read().decode("utf-8"))
    return Resource.from_contents(document, default_specification=DRAFT7)


@dataclass(frozen=True)
class SchemaStore:
    """A registry of schema documents keyed by URL, for jsonschema's ``$ref`` resolution."""

    registry: Registry[Any]
    urls: frozenset[str]
    online: bool = False
    _fast: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _missing: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, mirror: Path | None = None, *, online: bool = False) -> SchemaStore:
        """Bundled core + optional mirror (argument or ``TPQC_STAC_SCHEMAS``) + tpqc profile.

        With ``online``, schemas missing locally are fetched from their URLs."""
        documents: dict[str, Any] = {}
        from tpqc.stac.schema_bundle import bundled_schemas

        for url, entry in _bundled_entries():
            documents[url] = json.loads(entry.read_text(encoding="utf-8"))
        documents.update(bundled_schemas())
        folder = mirror or (
            Path(os.environ["TPQC_STAC_SCHEMAS"]) if os.environ.get("TPQC_STAC_SCHEMAS") else None
        )
        if folder is not None:
            for url, path in mirror_entries(folder):
                documents[url] = json.loads(path.read_text(encoding="utf-8"))
        profile = resources.files("tpqc.schemas").joinpath("stac-profile.schema.json")
        documents[PROFILE_URL] = json.loads(profile.read_text(encoding="utf-8"))
        empty: Registry[Any] = Registry(retrieve=_fetch if online else _refuse)  # type: ignore[call-arg]
        registry = empty.with_resources(
            (url, Resource.from_contents(doc, default_specification=DRAFT7))
            for url, doc in documents.items()
        )
        return cls(registry, frozenset(documents), online)

    def core_versions(self) -> list[str]:
        """The STAC versions whose core schemas are at hand (``1.0.0``, ``1.1.0``)."""
        prefix = STAC_SCHEMAS + "/v"
        return sorted(
            {u[len(prefix) :].split("/", 1)[0] for u in self.urls if u.startswith(prefix)}
        )

    def has(self, url: str) -> bool:
        """True when the schema at this URL can be used: fetching is allowed, or it and every
        schema it refers to are available offline."""
        return self.online or (url.rstrip("#") in self.urls and not self.missing_refs(url))

    def missing_refs(self, url: str) -> tuple[str, ...]:
        """The schemas a shipped schema refers to (directly or through others) that are not
        available offline (datacube v2.2.0 names PROJJSON v0.4)."""
        key = url.rstrip("#")
        known = self._missing.get(key)
        if known is None:
            seen: set[str] = set()
            missing: set[str] = set()
            pending = [key]
            while pending:
                current = pending.pop()
                if current in seen:
                    continue
                seen.add(current)
                if current not in self.urls:
                    missing.add(current)
                    continue
                pending.extend(external_refs(self.registry.contents(current), current))
            known = self._missing[key] = tuple(sorted(missing))
        return known

    def conforms(self, url: str, document: Any) -> bool:
        """True when a document is valid against the schema at ``url``: a compiled
        validator (jsonschema-rs, built once per URL, refs served from this store) answers
        in microseconds. Formats are not asserted, as with jsonschema's default; a False
        is for :mod:`jsonschema` to explain."""
        validator = self._fast.get(url)
        if validator is None:
            import jsonschema_rs

            key = url.rstrip("#")

            def retrieve(uri: str) -> Any:
                return self.schema(uri)

            validator = jsonschema_rs.validator_for(
                self.schema(key),
                validate_formats=False,
                retriever=retrieve,
                base_uri=key,
            )
            self._fast[url] = validator
        return bool(validator.is_valid(document))

    def conforms_item(self, document: Any) -> bool:
        """True when an item is valid against its core schema and every extension schema
        it declares that is at hand (compiled validators)."""
        version = document.get("stac_version") if isinstance(document, dict) else None
        if not isinstance(version, str):
            return False
        urls = [core_url(f"v{version}", "item.json")]
        urls += [u for u in document.get("stac_extensions") or [] if isinstance(u, str)]
        return all(self.conforms(url, document) for url in urls if self.has(url))

    def with_documents(self, documents: dict[str, Any]) -> SchemaStore:
        """This store with more schemas (those shipped beside a document), registered under
        their URIs."""
        if not documents:
            return self
        registry = self.registry.with_resources(
            (uri, Resource.from_contents(doc, default_specification=DRAFT7))
            for uri, doc in documents.items()
        )
        return SchemaStore(registry, self.urls | frozenset(documents), self.online)

    def unavailable_reason(self, url: str) -> str:
        """Why the schema at ``url`` cannot be used offline, in a few words."""
        from tpqc.stac.schema_bundle import broken_schemas

        broken = broken_schemas()
        key = url.rstrip("#")
        if key in broken:
            return f"the official schema is {broken[key]}"
        if key not in self.urls:
            return "not available offline"
        refs = self.missing_refs(key)
        faulty = [r for r in refs if r in broken]
        if faulty:
            return f"it refers to {faulty[0]}, which is {broken[faulty[0]]}"
        return f"it needs {', '.join(refs)}"

    def schema(self, url: str) -> Any:
        """The schema document registered at (or, online, fetched from) a URL."""
        key = url.rstrip("#")
        if key in self.urls:
            return self.registry.contents(key)
        return self.registry.get_or_retrieve(key).value.contents
