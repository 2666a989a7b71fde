"""check-stac: official schemas offline, located errors, and semantic checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tpqc_testkit import run_cli


def check(path: Path, realdata: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(
        "check-stac",
        str(path),
        "--schemas",
        str(realdata / "stac" / "schemas"),
        "-f",
        "json",
        *extra,
    )
    return result.exit_code, json.loads(result.stdout)


def names(report: dict[str, Any]) -> list[str]:
    return [f["name"] for f in report["findings"]]


VALID_EXAMPLES = [
    "examples/v1.0.0/simple-item.json",
    "examples/v1.0.0/core-item.json",
    "examples/v1.0.0/extended-item.json",
    "examples/v1.0.0/collection.json",
    "examples/v1.0.0/collection-only/collection.json",
    "examples/v1.1.0/simple-item.json",
    "examples/v1.1.0/core-item.json",
    "examples/v1.1.0/extended-item.json",
    "examples/v1.1.0/collection.json",
    "examples/v1.1.0/collectionless-item.json",
    "examples/v1.1.0/collection-only/collection.json",
    "examples/v1.1.0/collection-only/collection-with-schemas.json",
    "extension-examples/projection/item.json",
    "extension-examples/projection/collection.json",
    "extension-examples/raster/item-sentinel2.json",
    "extension-examples/file/item.json",
    "extension-examples/scientific/item.json",
    "extension-examples/scientific/collection.json",
]


@pytest.mark.parametrize("name", VALID_EXAMPLES)
def test_valid_examples_pass_the_schemas(realdata: Path, name: str) -> None:
    _, report = check(realdata / "stac" / name, realdata)
    bad = [f for f in report["findings"] if f["code"] in ("S001", "S002")]
    assert bad == []


def test_example_catalog_walk_reports_only_genuine_problems(realdata: Path) -> None:
    code, report = check(realdata / "stac" / "examples" / "v1.1.0" / "catalog.json", realdata)
    errors = {(f["path"], f["name"]) for f in report["findings"] if f["severity"] == "error"}
    # Upstream facts: two sibling collections share the id "sentinel-2", and the proj example's
    # bbox [.., 59.51584, .., 60.63437] does not contain its geometry (latitudes 58.98..61.19).
    assert errors == {
        ("collection-only/collection-with-schemas.json", "id-duplicate"),
        ("extensions-collection/proj-example/proj-example.json", "bbox-geometry-mismatch"),
    }
    assert len(report["files"]) == 6 and code == 1


def test_unavailable_extension_is_a_warning_never_a_pass(realdata: Path, tmp_path: Path) -> None:
    # Every extension of the real example now ships with tpqc: name one that does not exist.
    document = json.loads(
        (realdata / "stac" / "examples" / "v1.1.0" / "collectionless-item.json").read_text()
    )
    unknown = "https://stac-extensions.github.io/unheard-of/v1.0.0/schema.json"
    document["stac_extensions"].append(unknown)
    item = tmp_path / "collectionless-item.json"
    item.write_text(json.dumps(document), encoding="utf-8")
    code, report = check(item, realdata)
    (warning,) = [f for f in report["findings"] if f["name"] == "schema-unavailable"]
    assert warning["severity"] == "warning"
    assert warning["actual"] == unknown
    assert code == 0
    assert check(item, realdata, "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("bad-item.json", None),
        ("bad-collection.json", None),
        ("item-without-collection-link.json", "collection"),
    ],
)
def test_invalid_documents_fail_with_located_errors(
    realdata: Path, name: str, field: str | None
) -> None:
    code, report = check(realdata / "stac" / "invalid" / name, realdata)
    (error,) = [f for f in report["findings"] if f["name"] == "schema-invalid"]
    assert error["path"] == name and error.get("field") == field
    assert code == 1


def test_without_a_mirror_the_shipped_schemas_validate(realdata: Path) -> None:
    result = run_cli(
        "check-stac",
        str(realdata / "stac" / "extension-examples" / "file" / "item.json"),
        "-f",
        "json",
    )
    report = json.loads(result.stdout)
    # core 1.0.0 and file v2.1.0 ship with tpqc: no schema-unavailable any more
    assert sorted(set(names(report))) == ["asset-missing", "extension-field-undeclared"]
    # the example's data is not beside it: its local asset is missing, an error
    missing = [f for f in report["findings"] if f["code"] == "S014"]
    assert {f["severity"] for f in missing} == {"error"}
    assert sorted(f["field"] for f in missing) == [
        f"assets.{key}.href"
        for key in ("calibrations", "measurement", "noises", "products", "thumbnail")
    ]
    assert report["notes"] == [
        "assets: 0 local verified on disk, 5 missing, 0 remote (not fetched: offline)"
    ]
    assert result.exit_code == 1
    without = run_cli(
        "check-stac",
        str(realdata / "stac" / "extension-examples" / "file" / "item.json"),
        "--no-assets",
        "-f",
        "json",
    )
    report = json.loads(without.stdout)
    assert sorted(set(names(report))) == ["extension-field-undeclared"]
    assert all(f["severity"] == "warning" for f in report["findings"])
    assert without.exit_code == 0


def write(path: Path, document: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def base_item(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": "Feature",
        "stac_version": "1.1.0",
        "id": "x",
        "stac_extensions": [],
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
        "bbox": [0, 0, 1, 1],
        "properties": {
            "datetime": None,
            "start_datetime": "2019-01-01T00:00:00Z",
            "end_datetime": "2019-12-31T23:59:59Z",
        },
        "links": [],
        "assets": {},
    }
    document.update(changes)
    return document


def test_semantic_checks_on_crafted_items(tmp_path: Path, realdata: Path) -> None:
    props = base_item()["properties"] | {"end_datetime": "2018-01-01T00:00:00Z", "foo:bar": 1}
    path = write(tmp_path / "item.json", base_item(properties=props, bbox=[0, 0, 0.5, 1]))
    _, report = check(path, realdata)
    assert sorted(names(report)) == [
        "bbox-geometry-mismatch",
        "datetime-order",
        "extension-field-undeclared",
    ]


@pytest.mark.parametrize("held", [None, 0], ids=["in-memory", "on-disk"])
def test_links_and_duplicate_ids(
    tmp_path: Path, realdata: Path, held: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if held is not None:  # what a walk of a million documents remembers goes to disk
        monkeypatch.setattr("tpqc.validators.engine.firsts.HELD_KEYS", held)
    write(tmp_path / "a" / "item.json", base_item(id="same"))
    write(tmp_path / "b" / "item.json", base_item(id="same"))
    catalog = {
        "type": "Catalog",
        "stac_version": "1.1.0",
        "id": "c",
        "description": "d",
        "links": [
            {"rel": "item", "href": "a/item.json"},
            {"rel": "item", "href": "b/item.json"},
            {"rel": "child", "href": "missing/catalog.json"},
        ],
    }
    code, report = check(write(tmp_path / "catalog.json", catalog), realdata)
    assert sorted(names(report)) == ["id-duplicate", "link-unresolved"]
    (duplicate,) = (f for f in report["findings"] if f["name"] == "id-duplicate")
    assert (duplicate["path"], duplicate["actual"]) == ("b/item.json", "a/item.json")
    assert code == 1


def test_published_catalog_detects_tampered_assets(
    example: Path, tmp_path: Path, realdata: Path
) -> None:
    out = tmp_path / "stac"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1").exit_code == 0
    tif = example / "Wudaoliang_ALT_2018.tif"
    tif.write_bytes(tif.read_bytes() + b"\0")
    item_path = out / "wudaoliang-alt" / "Wudaoliang_ALT_2019" / "Wudaoliang_ALT_2019.json"
    item = json.loads(item_path.read_text())
    item["properties"]["proj:shape"] = [98, 269]
    item_path.write_text(json.dumps(item))
    code, report = check(out, realdata, "--profile")
    found = sorted((f["path"].split("/")[1], f["name"], f.get("field")) for f in report["findings"])
    assert found == [
        ("Wudaoliang_ALT_2018", "asset-file-mismatch", "assets.data.file:checksum"),
        ("Wudaoliang_ALT_2018", "asset-file-mismatch", "assets.data.file:size"),
        ("Wudaoliang_ALT_2019", "projection-mismatch", "assets.data"),
    ]
    assert code == 1


def _random_document(rng: Any, depth: int = 0) -> Any:
    """A random JSON value whose keys are often prefixed and often the nested fields'."""
    keys = [
        "properties",
        "assets",
        "item_assets",
        "bands",
        "summaries",
        "eo:bands",
        "x",
        "proj:epsg",
        "raster:bands",
        "file:size",
        "http://a:b",
        "$ref:x",
        "assets:odd",
        "data",
        "thumbnail",
        "y:z:w",
    ]
    if depth > 4 or rng.random() < 0.3:
        return rng.choice([1, "a:b", None, 2.5, [1, 2, 3]])
    if rng.random() < 0.3:
        return [_random_document(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(keys): _random_document(rng, depth + 1) for _ in range(rng.randrange(6))}


def test_s010s_quick_look_finds_the_prefixes_of_the_full_walk(realdata: Path) -> None:
    """S010 looks at a document's prefixes before walking it with places: the prefixes are
    the ones the walk finds, on every real STAC document and on random nested ones (keys
    under the top-level assets, prefixed keys under the nested fields, lists of both)."""
    import random

    from tpqc.stac.checks import _field_prefixes, _prefixed_fields

    documents = [
        json.loads(path.read_text(encoding="utf-8"))
        for folder in ("examples", "extension-examples", "invalid")
        for path in sorted((realdata / "stac" / folder).rglob("*.json"))
    ]
    rng = random.Random(7)
    documents += [_random_document(rng) for _ in range(3000)]
    found_any = 0
    for document in documents:
        walked = {key.split(":", 1)[0] for key, _ in _prefixed_fields(document, "")}
        assert _field_prefixes(document) == walked
        found_any += bool(walked)
    assert found_any > 500
