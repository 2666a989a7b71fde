"""The official STAC JSON Schemas tpqc ships, so that an installed tpqc validates fully
offline what it writes and what it commonly meets: STAC core 1.0.0 and 1.1.0 and every
earlier release from 0.8.0 (with the extensions each bundled), GeoJSON and its geometry
schemas, PROJJSON 0.2/0.5/0.7, and every tagged release of the projection, raster, file,
scientific, table, datacube, eo, view, classification, sat, sar, processing, timestamps and
item-assets extensions. Two pre-1.0 files are not valid JSON as released; the bundle records
them as such (a document naming one is told so, not passed).

The bundle (``stac-schemas.json``, package data) holds each schema document by the URL
documents refer to it by, with where it came from: its upstream repository, path and commit,
licence, and the sha256 of the upstream file. It is generated, not edited:

    python -m tpqc.stac.schema_bundle MIRROR_DIR... > stac/stac-schemas.json

from mirrors laid out as ``v1.0.0/item.json``, ``extensions/<name>/<version>/schema.json``,
``geojson/``, ``projjson/<v>/`` and ``stac-spec/<tag>/<path>`` (the layouts of
``shared/realdata/stac/schemas`` and ``shared/realdata/stac/more-schemas``), plus a mirror
whose ``geojson/`` holds the ``*.json`` of the ``geojson-schema`` npm package of the
geojson/schema repository (``npm pack geojson-schema@1.0.5``): the geometry schemas
pre-1.0 extensions name.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tpqc.stac.schema_urls import mirror_entries

EXTENSION_RELEASES: dict[str, dict[str, str]] = {
    "table": {
        "v1.0.0": "28dbd76873b7",
        "v1.0.1": "c8d7bda33edc",
        "v1.1.0": "c766a63186fb",
        "v1.2.0": "f962838a51c0",
    },
    "eo": {"v1.0.0": "6f50accced23", "v1.1.0": "b4f74a350c6c", "v2.0.0": "94f844feebb8"},
    "view": {"v1.0.0": "9ed0592fcdcc", "v1.1.0": "4cfdd4efafb3"},
    "datacube": {
        "v1.0.0": "f6f41d72f8d9",
        "v2.0.0": "cf0c58f4b673",
        "v2.1.0": "fb6fad486b63",
        "v2.2.0": "9e74fa706c9b",
        "v2.3.0": "57ed7bb1ff0b",
    },
    "classification": {"v1.0.0": "98abb724a3e0", "v1.1.0": "1ae4641dca1b"},
    "sat": {"v1.0.0": "26226bda3af8", "v1.1.0": "0e53eaabe4b5", "v1.2.0": "0b606ca7d486"},
    "processing": {"v1.0.0": "97aabee54e54", "v1.1.0": "5bec245e5a5d", "v1.2.0": "e881fbc0d063"},
    "timestamps": {"v1.0.0": "47497117bf21", "v1.1.0": "c41df8b2706e"},
    "item-assets": {"v1.0.0": "bb24a9dff729"},
    "sar": {
        "v1.0.0": "4aa4355531e0",
        "v1.1.0": "33d199d79cf0",
        "v1.2.0": "54972bd2a063",
        "v1.3.0": "2bef4833ed05",
    },
}
"""Commits of the tagged extension releases shipped beyond the ones tpqc writes (the
stac-extensions repositories, Apache-2.0)."""

STAC_RELEASES: dict[str, str] = {
    "v0.8.0": "4cd7df0fbadb",
    "v0.8.1": "9b281bdceac0",
    "v0.9.0": "568a04821935",
    "v1.0.0-beta.1": "5d0ad6c7d8af",
    "v1.0.0-beta.2": "4988a40f6071",
    "v1.0.0-rc.1": "2c4ffa26691c",
    "v1.0.0-rc.2": "ebd167536b17",
    "v1.0.0-rc.3": "f81324f712a6",
    "v1.0.0-rc.4": "4ecbabccefc6",
}
"""Commits of the pre-1.0 stac-spec releases shipped (Apache-2.0)."""

BUNDLE_NAME = "stac-schemas.json"
STAC_SPEC = ("radiantearth/stac-spec", "v1.0.0 (commit 789e90fba4c7)", "Apache-2.0")
PYSTAC = ("stac-utils/pystac", "HEAD (commit e064109398b0)", "Apache-2.0")
GEOJSON = (
    "geojson/schema",
    "npm geojson-schema 1.0.5 (tarball sha1 2732e23c06162c16505e199c5a8b8b3d76a9dc30)",
    "MIT",
)
SOURCES: dict[str, tuple[str, str, str]] = {
    "v1.0.0/": STAC_SPEC,
    "v1.1.0/": PYSTAC,
    "geojson/Feature.json": PYSTAC,
    "geojson/Geometry.json": PYSTAC,
    "geojson/": GEOJSON,
    "extensions/projection/v1.0.0/": (
        "stac-extensions/projection",
        "v1.0.0 (3b33ef00ea7c)",
        "Apache-2.0",
    ),
    "extensions/projection/v1.1.0/": (
        "stac-extensions/projection",
        "v1.1.0 (bba986cee500)",
        "Apache-2.0",
    ),
    "extensions/projection/v2.0.0/": (
        "stac-extensions/projection",
        "v2.0.0 (f17b5707439e)",
        "Apache-2.0",
    ),
    "extensions/raster/v1.1.0/": ("stac-extensions/raster", "v1.1.0 (e24ddb0cd4b6)", "Apache-2.0"),
    "extensions/raster/v2.0.0/": ("stac-extensions/raster", "v2.0.0 (5707e1310309)", "Apache-2.0"),
    "extensions/file/v2.1.0/": ("stac-extensions/file", "v2.1.0 (a7ee3e7c5e4c)", "Apache-2.0"),
    "extensions/scientific/v1.0.0/": (
        "stac-extensions/scientific",
        "v1.0.0 (cff9ff73e250)",
        "Apache-2.0",
    ),
    **{
        f"extensions/{name}/{version}/": (
            f"stac-extensions/{name}",
            f"{version} ({commit})",
            "Apache-2.0",
        )
        for name, versions in EXTENSION_RELEASES.items()
        for version, commit in versions.items()
    },
    **{
        f"stac-spec/{tag}/": ("radiantearth/stac-spec", f"{tag} ({commit})", "Apache-2.0")
        for tag, commit in STAC_RELEASES.items()
    },
    "projjson/v0.2/": ("OSGeo/PROJ", "92d8cc66100d", "MIT"),
    "projjson/v0.5/": ("OSGeo/PROJ", "35e4207a9d9e", "MIT"),
    "projjson/v0.7/": ("OSGeo/PROJ", "52da98bd995c", "MIT"),
}


def _source(relative: str) -> dict[str, str]:
    for prefix, (repository, ref, licence) in SOURCES.items():
        if relative.startswith(prefix):
            return {"repository": repository, "ref": ref, "license": licence}
    raise KeyError(f"no recorded source for {relative}")


def build_bundle(mirrors: list[Path]) -> dict[str, Any]:
    """The bundle of every schema of the mirror folders, by URL, with its provenance; a
    file that is not valid JSON as released is recorded with the parser's reason."""
    schemas: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    for mirror in mirrors:
        for url, path in mirror_entries(mirror):
            raw = path.read_bytes()
            relative = path.relative_to(mirror).as_posix()
            try:
                schemas[url] = json.loads(raw)
            except ValueError as exc:
                invalid[url] = f"not valid JSON as released: {exc}"
            sources[url] = {
                **_source(relative),
                "file": relative,
                "sha256": hashlib.sha256(raw).hexdigest(),
            }
    return {
        "$comment": "Official STAC JSON Schemas shipped with tpqc; generated by "
        "tpqc.stac.schema_bundle, each with its upstream source and licence.",
        "sources": dict(sorted(sources.items())),
        "invalid": dict(sorted(invalid.items())),
        "schemas": dict(sorted(schemas.items())),
    }


@cache
def _bundle() -> dict[str, Any]:
    text = resources.files("tpqc.stac").joinpath(BUNDLE_NAME).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def bundled_schemas() -> dict[str, Any]:
    """The shipped schema documents by URL."""
    schemas: dict[str, Any] = _bundle()["schemas"]
    return schemas


def broken_schemas() -> dict[str, str]:
    """Shipped schema URLs whose official file is not valid JSON, with the reason."""
    invalid: dict[str, str] = _bundle().get("invalid", {})
    return invalid


if __name__ == "__main__":
    document = build_bundle([Path(arg) for arg in sys.argv[1:]])
    sys.stdout.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
