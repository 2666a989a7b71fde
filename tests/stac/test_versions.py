"""Every STAC release from 0.8.0 validated offline with the official schemas tpqc ships:
catalogs and collections without a ``type`` (before 1.0.0-rc.1) are read as what their
fields make them, pre-1.0 short extension names (``eo``, ``proj``) name the extensions of
their release, an extension schema shipped beside the documents is used (inside the
checked folder only), a release whose official schema is broken is said to be so, and ids
are unique within a catalog, not across independent documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tpqc_testkit import run_cli

PRE_1_0 = (
    "0.8.0",
    "0.8.1",
    "0.9.0",
    "1.0.0-beta.1",
    "1.0.0-beta.2",
    "1.0.0-rc.1",
    "1.0.0-rc.2",
    "1.0.0-rc.3",
    "1.0.0-rc.4",
)
POLYGON = {"type": "Polygon", "coordinates": [[[90, 30], [95, 30], [95, 35], [90, 35], [90, 30]]]}
LINKS = [
    {"rel": "self", "href": "https://example.org/stac/doc.json"},
    {"rel": "item", "href": "https://example.org/stac/item.json"},
]


def item(version: str, extensions: list[str], **properties: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "stac_version": version,
        "type": "Feature",
        "id": f"item-{version}",
        "bbox": [90, 30, 95, 35],
        "geometry": POLYGON,
        "properties": {"datetime": "2017-06-01T00:00:00Z", **properties},
        "assets": {"data": {"href": "https://example.org/a.tif", "type": "image/tiff"}},
        "links": LINKS[:1],
    }
    if not version.startswith("0.8"):  # 0.8 items had no stac_extensions
        document["stac_extensions"] = extensions
    return document


def catalog(version: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "stac_version": version,
        "id": f"catalog-{version}",
        "description": "A catalog",
        "links": LINKS,
    }
    if version.startswith("1.0.0-rc"):
        document |= {"type": "Catalog", "stac_extensions": []}
    return document


def collection(version: str) -> dict[str, Any]:
    document = catalog(version) | {
        "id": f"collection-{version}",
        "license": "CC-BY-4.0",
        "extent": {
            "spatial": {"bbox": [[90, 30, 95, 35]]},
            "temporal": {"interval": [["2017-01-01T00:00:00Z", None]]},
        },
    }
    if "type" in document:
        document["type"] = "Collection"
    elif not version.startswith("0.8"):
        document["stac_extensions"] = []
    return document


def check(*paths: Path, options: tuple[str, ...] = ("--no-links",)) -> tuple[int, list[Any]]:
    result = run_cli("check-stac", *map(str, paths), *options, "-f", "json")
    return result.exit_code, json.loads(result.stdout)["findings"]


def write(path: Path, document: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("version", PRE_1_0)
def test_every_release_validates_its_documents(version: str, tmp_path: Path) -> None:
    paths = [
        write(tmp_path / f"{name}.json", make(version))
        for name, make in (("catalog", catalog), ("collection", collection))
    ]
    paths.append(write(tmp_path / "item.json", item(version, [])))
    code, findings = check(*paths)
    if version == "1.0.0-beta.1":
        # the release's item schema refers to instrument.json, broken as released
        (broken,) = findings
        assert (broken["code"], broken["path"], broken["field"]) == (
            "S015",
            "item.json",
            "stac_version",
        )
        assert "instrument.json" in broken["message"] and code == 1
    else:
        assert findings == [] and code == 0


@pytest.mark.parametrize("version", ["0.8.1", "1.0.0-rc.4"])
def test_a_schema_violation_of_an_old_release_is_found(version: str, tmp_path: Path) -> None:
    bad = collection(version)
    bad["extent"]["spatial"] = [90, 30, 95, 35]  # a bare list: not an object
    code, findings = check(write(tmp_path / "collection.json", bad))
    assert [(f["code"], f["field"]) for f in findings] == [("S002", "extent.spatial")]
    assert code == 1


def test_catalogs_without_a_type_are_read_as_what_they_are(tmp_path: Path) -> None:
    root = write(
        tmp_path / "catalog.json",
        catalog("0.8.1")
        | {
            "links": [
                {"rel": "child", "href": "./collection.json"},
            ]
        },
    )
    write(
        tmp_path / "collection.json",
        collection("0.8.1")
        | {
            "links": [
                {"rel": "item", "href": "./item.json"},
                {"rel": "parent", "href": "./catalog.json"},
            ]
        },
    )
    write(tmp_path / "item.json", item("0.8.1", []))
    result = run_cli("check-stac", str(root), "-f", "json")
    report = json.loads(result.stdout)
    assert {f["path"]: f["type"] for f in report["files"]} == {
        "catalog.json": "Catalog",
        "collection.json": "Collection",
        "item.json": "Item",
    }
    assert report["findings"] == [] and result.exit_code == 0
    write(tmp_path / "notstac.json", {"hello": "world"})
    code, findings = check(tmp_path / "notstac.json")
    assert [f["code"] for f in findings] == ["S001"] and code == 1


def test_short_extension_names_name_their_releases_schemas(tmp_path: Path) -> None:
    fine = item(
        "0.9.0", ["eo"], **{"eo:gsd": 30, "eo:bands": [{"name": "B1"}], "eo:cloud_cover": 12}
    )
    code, findings = check(write(tmp_path / "fine.json", fine))
    assert findings == [] and code == 0  # eo: fields belong to the declared "eo"
    cloudy = item("1.0.0-beta.2", ["eo", "proj"], **{"eo:cloud_cover": 250, "proj:epsg": 4326})
    code, findings = check(write(tmp_path / "cloudy.json", cloudy))
    assert [(f["code"], f["field"]) for f in findings] == [("S002", "properties.eo:cloud_cover")]
    assert findings[0]["expected"] == (
        "https://schemas.stacspec.org/v1.0.0-beta.2/extensions/eo/json-schema/schema.json"
    )
    # 0.9.0's eo required eo:gsd and eo:bands
    code, findings = check(write(tmp_path / "old.json", item("0.9.0", ["eo"])))
    assert [(f["code"], f["field"], f["actual"]) for f in findings] == 2 * [
        ("S002", "properties", "allOf.1.properties.properties.required")
    ]


def test_a_broken_official_extension_schema_is_named(tmp_path: Path) -> None:
    cloud = item("1.0.0-beta.2", ["pointcloud"])
    code, findings = check(write(tmp_path / "cloud.json", cloud))
    (unavailable,) = findings
    assert code == 0  # a warning: the rest of the item was validated
    assert (unavailable["code"], unavailable["field"]) == ("S003", "stac_extensions")
    assert "not valid JSON as released" in unavailable["message"]
    assert unavailable["actual"].startswith("pointcloud (https://schemas.stacspec.org/")


EXTENSION = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "properties": {
            "type": "object",
            "properties": {"local:quality": {"$ref": "definitions.json#/quality"}},
        }
    },
}


def test_an_extension_schema_beside_the_documents_is_used(tmp_path: Path) -> None:
    write(tmp_path / "schema" / "local.json", EXTENSION)
    write(tmp_path / "schema" / "definitions.json", {"quality": {"enum": ["good", "fair"]}})
    good = item("1.0.0", ["./schema/local.json"], **{"local:quality": "good"})
    bad = item("1.0.0", ["./schema/local.json"], **{"local:quality": "awful"})
    bad["id"] = "bad"
    root = write(
        tmp_path / "catalog.json",
        {
            "type": "Catalog",
            "stac_version": "1.0.0",
            "id": "local",
            "description": "Items with a local extension",
            "links": [
                {"rel": "item", "href": "./items/good.json"},
                {"rel": "item", "href": "./items/bad.json"},
            ],
        },
    )
    for name, document in (("good", good), ("bad", bad)):
        document["stac_extensions"] = ["../schema/local.json"]
        write(tmp_path / "items" / f"{name}.json", document)
    code, findings = check(root, options=())
    assert [(f["code"], f["path"], f["field"]) for f in findings] == [
        ("S002", "items/bad.json", "properties.local:quality")
    ]
    assert code == 1
    # the same item checked on its own: the schema lies outside what is checked
    code, findings = check(tmp_path / "items" / "good.json")
    (refused,) = findings
    assert (refused["code"], refused["actual"]) == ("S003", "../schema/local.json")
    assert "leaving the checked folder" in refused["message"]


def test_ids_are_unique_within_a_catalog_not_across_documents(tmp_path: Path) -> None:
    one = write(tmp_path / "a" / "item.json", item("1.0.0", []))
    two = write(tmp_path / "b" / "item.json", item("1.0.0", []))
    code, findings = check(one, two)
    assert findings == [] and code == 0
    root = write(
        tmp_path / "catalog.json",
        {
            "type": "Catalog",
            "stac_version": "1.0.0",
            "id": "twice",
            "description": "The same id twice",
            "links": [
                {"rel": "item", "href": "./a/item.json"},
                {"rel": "item", "href": "./b/item.json"},
            ],
        },
    )
    code, findings = check(root, options=())
    assert [(f["code"], f["path"]) for f in findings] == [("S006", "b/item.json")]
