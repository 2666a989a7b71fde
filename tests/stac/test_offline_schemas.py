"""The schemas tpqc ships: every extension tpqc writes validates offline in an installed tpqc,
an unknown core version is never a pass, and one document can be checked on its own."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from tpqc_testkit import run_cli


def check(*args: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("check-stac", *args, "-f", "json")
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_shipped_bundle_is_the_official_schemas(realdata: Path) -> None:
    from tpqc.stac.schema_bundle import BUNDLE_NAME, build_bundle
    from tpqc_testkit import REPO

    mirrors = [realdata / "stac" / "schemas", realdata / "stac" / "more-schemas"]
    shipped = json.loads((REPO / "stac" / BUNDLE_NAME).read_text(encoding="utf-8"))
    # GeoJSON's geometry schemas come from the geojson-schema npm package (not in the
    # shared mirrors): each is the schema its URL names
    npm = {u for u, s in shipped["sources"].items() if s["repository"] == "geojson/schema"}
    assert {u.rsplit("/", 1)[1] for u in npm} >= {"Polygon.json", "MultiPolygon.json"}
    for url in npm:
        assert shipped["schemas"][url]["$id"] == url and shipped["sources"][url]["license"] == "MIT"
    rebuilt = build_bundle(mirrors)
    assert {k: v for k, v in shipped["schemas"].items() if k not in npm} == rebuilt["schemas"]
    assert {k: v for k, v in shipped["sources"].items() if k not in npm} == rebuilt["sources"]
    assert shipped["invalid"] == rebuilt["invalid"]
    for url, source in shipped["sources"].items():
        if url in npm:
            continue
        (raw,) = [
            (m / source["file"]).read_bytes() for m in mirrors if (m / source["file"]).is_file()
        ]
        assert hashlib.sha256(raw).hexdigest() == source["sha256"], url
        assert source["license"] in ("Apache-2.0", "MIT") and source["repository"]
    written = {
        "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
        "https://stac-extensions.github.io/raster/v2.0.0/schema.json",
        "https://stac-extensions.github.io/file/v2.1.0/schema.json",
        "https://stac-extensions.github.io/scientific/v1.0.0/schema.json",
        "https://stac-extensions.github.io/datacube/v2.2.0/schema.json",
        "https://stac-extensions.github.io/table/v1.2.0/schema.json",
        "https://stac-extensions.github.io/classification/v1.1.0/schema.json",
        "https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json",
        "https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json",
        "https://schemas.stacspec.org/v0.9.0/item-spec/json-schema/item.json",
        "https://schemas.stacspec.org/v0.8.0/item-spec/json-schema/item.json",
    }
    assert written <= set(shipped["schemas"])
    assert len(shipped["invalid"]) == 2  # as released: kept, recorded, never a pass


def test_own_catalog_validates_fully_offline_without_a_mirror(
    example: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.delenv("TPQC_STAC_SCHEMAS", raising=False)
    out = tmp_path / "stac"
    published = run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1")
    assert published.exit_code == 0 and "S003" not in published.stderr
    code, report, _ = check(str(out), "--profile", "--fail-on", "info")
    assert report["findings"] == [] and code == 0


def test_unknown_version_and_garbage_are_never_a_pass(tmp_path: Path) -> None:
    path = tmp_path / "item.json"
    path.write_text(
        json.dumps(
            {
                "type": "Feature",
                "stac_version": "9.9.9",
                "geometry": "garbage",
                "properties": {},
                "links": [],
                "assets": {},
            }
        ),
        encoding="utf-8",
    )
    code, report, _ = check(str(path))
    found = sorted((f["code"], f["severity"], f.get("field")) for f in report["findings"])
    assert found == [
        ("S015", "error", "stac_version"),
        ("S016", "error", "geometry"),
        ("S016", "error", "id"),
    ]
    assert code == 1


def test_missing_id_fails_on_the_shipped_core_schema(realdata: Path) -> None:
    code, report, _ = check(str(realdata / "stac" / "invalid" / "bad-item.json"))
    assert {f["code"] for f in report["findings"] if f["severity"] == "error"} >= {"S002", "S016"}
    assert code == 1


def test_one_document_copied_out_of_its_catalog(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1").exit_code == 0
    alone = tmp_path / "alone" / "collection.json"
    alone.parent.mkdir()
    shutil.copy(out / "wudaoliang-alt" / "collection.json", alone)
    code, walked, _ = check(str(alone))
    assert "S005" in {f["code"] for f in walked["findings"]} and code == 1
    code, report, _ = check(str(alone), "--no-links")
    assert report["findings"] == [] and code == 0
    links = json.loads(alone.read_text(encoding="utf-8"))["links"]
    local = [k for k in links if k["rel"] in ("root", "parent", "collection", "child", "item")]
    assert len(local) == 6  # root, parent and four items
    assert report["notes"] == ["6 links not followed (--no-links)"]
    text = run_cli("check-stac", str(alone), "--no-links").stdout
    assert "note: 6 links not followed" in text


def test_several_documents_at_once(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1").exit_code == 0
    items = sorted(str(p) for p in out.rglob("Wudaoliang_ALT_*.json"))
    code, report, _ = check(*items, "--no-links")
    assert len(report["files"]) == 4 and code == 0


def test_a_geotiff_given_to_check_stac_says_what_it_is(realdata: Path) -> None:
    code, report, _ = check(str(realdata / "tiff" / "valid" / "byte.tif"))
    (finding,) = report["findings"]
    assert finding["code"] == "S001" and finding["actual"].startswith("a TIFF file")
    assert code == 1
