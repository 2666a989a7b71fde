"""The STAC catalog tpqc builds: correct, complete, from the validation's facts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from affine import Affine

from tpqc.examples.wudaoliang.generate import alt_field, write_alt
from tpqc_testkit import run_cli, tree_digest


def publish(example: Path, out: Path, *extra: str) -> int:
    return run_cli(
        "stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1", *extra
    ).exit_code


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def item(out: Path, year: int) -> dict[str, Any]:
    name = f"Wudaoliang_ALT_{year}"
    return load(out / "wudaoliang-alt" / name / f"{name}.json")


def test_example_catalog_passes_official_schemas_and_profile(
    example: Path, tmp_path: Path, realdata: Path
) -> None:
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    result = run_cli(
        "check-stac",
        str(out),
        "--profile",
        "--schemas",
        str(realdata / "stac" / "schemas"),
        "-f",
        "json",
        "--fail-on",
        "info",
    )
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert result.exit_code == 0
    assert sorted(f["type"] for f in report["files"]) == ["Catalog", "Collection"] + ["Item"] * 4


def test_collection_metadata_comes_from_the_spec(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    collection = load(out / "wudaoliang-alt" / "collection.json")
    assert collection["stac_version"] == "1.1.0"
    assert collection["id"] == "wudaoliang-alt"
    assert collection["license"] == "CC-BY-4.0"
    assert collection["sci:doi"] == "10.11888/Cryos.tpdc.272892"
    assert collection["sci:citation"].startswith("Lu, P., Hao, T., Li, R. (2022)")
    links = {(link["rel"], link["href"]) for link in collection["links"]}
    assert ("license", "https://creativecommons.org/licenses/by/4.0/") in links
    assert ("cite-as", "https://doi.org/10.11888/Cryos.tpdc.272892") in links
    assert ("related", "https://cstr.cn/18406.11.Cryos.tpdc.272892") in links
    assert collection["providers"][0]["roles"] == ["host", "licensor"]
    assert collection["extent"]["temporal"]["interval"] == [
        ["2017-01-01T00:00:00Z", "2020-12-31T23:59:59Z"]
    ]
    west, south, east, north = collection["extent"]["spatial"]["bbox"][0]
    assert (west, south, north) == (91.8, 34.8, 35.61) and 94.04 <= east < 94.05
    assert collection["summaries"]["proj:code"] == ["EPSG:4326"]
    assert collection["summaries"]["data_type"] == ["float32"]
    assert collection["item_assets"]["data"]["roles"] == ["data"]


def test_items_carry_exact_facts(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    doc = item(out, 2017)
    props = doc["properties"]
    assert props["datetime"] is None
    assert (props["start_datetime"], props["end_datetime"]) == (
        "2017-01-01T00:00:00Z",
        "2017-12-31T23:59:59Z",
    )
    assert props["proj:code"] == "EPSG:4326" and props["proj:shape"] == [97, 269]
    asset = doc["assets"]["data"]
    tif = example / "Wudaoliang_ALT_2017.tif"
    assert asset["href"] == "../../../wudaoliang/Wudaoliang_ALT_2017.tif"
    assert asset["file:size"] == tif.stat().st_size
    assert asset["file:checksum"] == "1220" + hashlib.sha256(tif.read_bytes()).hexdigest()
    (band,) = asset["bands"]
    data = alt_field(2017).astype(np.float64)
    valid = data[data != -9999]
    stats = band["statistics"]
    assert stats["minimum"] == valid.min() and stats["maximum"] == valid.max()
    assert stats["mean"] == pytest.approx(valid.mean(), rel=1e-12)
    assert stats["stddev"] == pytest.approx(valid.std(), rel=1e-9)
    assert stats["valid_percent"] == pytest.approx(100 * valid.size / data.size, abs=1e-6)
    hist = band["raster:histogram"]
    assert hist["count"] == len(hist["buckets"]) and sum(hist["buckets"]) == valid.size
    assert band["nodata"] == -9999.0 and band["unit"] == "m" and band["data_type"] == "float32"
    ring = doc["geometry"]["coordinates"][0]
    # a lon/lat grid's edges are straight: the four corners, closed
    assert ring[0] == ring[-1] and len(ring) == 5
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert doc["bbox"] == [min(lons), min(lats), max(lons), max(lats)]
    assert doc["bbox"][0] == 91.8 and doc["bbox"][3] == 35.61


def test_curved_footprints_keep_their_points() -> None:
    from tpqc.stac.items.grid import without_collinear

    square = [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.5], [0.0, 0.0]]
    assert without_collinear(square) == [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    arc = [[float(x), (x / 10) ** 2] for x in range(11)] + [[10.0, 5.0], [0.0, 5.0], [0.0, 0.0]]
    assert len(without_collinear(arc)) == len(arc)


def test_statistics_come_from_full_resolution_not_overviews(example: Path, tmp_path: Path) -> None:
    tif = example / "Wudaoliang_ALT_2018.tif"
    with rasterio.open(tif, "r+") as dst:
        dst.build_overviews([2, 4], rasterio.enums.Resampling.average)
    with rasterio.open(tif, "r+") as dst:  # overviews now keep values the base no longer has
        data = dst.read(1)
        data[data != -9999] += 1.0
        dst.write(data, 1)
    with rasterio.open(tif) as src:
        assert src.overviews(1) == [2, 4]
        overview = src.read(1, out_shape=(49, 135))
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    stats = item(out, 2018)["assets"]["data"]["bands"][0]["statistics"]
    valid = data[data != -9999].astype(np.float64)
    assert stats["maximum"] == valid.max() and stats["minimum"] == valid.min()
    assert stats["mean"] == pytest.approx(valid.mean(), rel=1e-12)
    assert overview[overview != -9999].max() < valid.max()


def test_two_runs_are_byte_identical(example: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert publish(example, first) == 0
    assert publish(example, second) == 0
    assert tree_digest(first) == tree_digest(second)
    assert publish(example, first) == 0
    assert tree_digest(first) == tree_digest(second)


def test_utf8_titles_and_trailing_newline(
    example: Path, tmp_path: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec(
        "title: Active Layer Thickness Data",
        "title: 五道梁地区活动层厚度 Active Layer Thickness Data",
    )
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    raw = (out / "wudaoliang-alt" / "collection.json").read_bytes()
    assert "五道梁".encode() in raw and b"\\u" not in raw and raw.endswith(b"}\n")


def test_asset_href_prefix(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert publish(example, out, "--asset-href-prefix", "https://data.tpdc.ac.cn/alt/") == 0
    assert item(out, 2019)["assets"]["data"]["href"] == (
        "https://data.tpdc.ac.cn/alt/Wudaoliang_ALT_2019.tif"
    )


def test_catalog_elsewhere_keeps_relative_hrefs_working(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "far" / "away" / "catalog"
    assert publish(example, out) == 0
    href = item(out, 2020)["assets"]["data"]["href"]
    target = (out / "wudaoliang-alt" / "Wudaoliang_ALT_2020" / href).resolve()
    assert target == (example / "Wudaoliang_ALT_2020.tif").resolve()


def test_media_type_says_cog_only_for_cog_layout(example: Path, tmp_path: Path) -> None:
    (example / "Wudaoliang_ALT_2019.tif").unlink()
    write_alt(example / "Wudaoliang_ALT_2019.tif", alt_field(2019), tiled=False, blockysize=1)
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    assert item(out, 2019)["assets"]["data"]["type"] == "image/tiff; application=geotiff"
    assert item(out, 2018)["assets"]["data"]["type"].endswith("; profile=cloud-optimized")


def test_crs_without_code_is_written_as_true_wkt2(
    example: Path, tmp_path: Path, edit_spec: Callable[[str, str], None]
) -> None:
    custom = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +x_0=0 +y_0=0 +ellps=krass +units=m +no_defs"
    edit_spec("crs: EPSG:4326", f'crs: "{custom}"')
    edit_spec(
        "extent: {match: within, tolerance_pixels: 1}",
        "extent: {match: within, tolerance_pixels: 400}",
    )
    for year in (2017, 2018, 2019, 2020):
        (example / f"Wudaoliang_ALT_{year}.tif").unlink()
        write_alt(
            example / f"Wudaoliang_ALT_{year}.tif",
            alt_field(year)[:60, :150].copy(),
            crs=rasterio.crs.CRS.from_proj4(custom),
            transform=Affine(1000, 0, -1110000, 0, -1000, 4010000),
        )
    out = tmp_path / "stac"
    assert (
        run_cli(
            "stac",
            str(example / "spec.yaml"),
            "--out",
            str(out),
            "--ignore",
            "extent-mismatch,extent-mismatch-dataset",
        ).exit_code
        == 0
    )
    props = item(out, 2017)["properties"]
    assert props.get("proj:code") is None
    assert props["proj:wkt2"].startswith(("PROJCRS[", "BOUNDCRS["))
    assert props["proj:projjson"]["type"] in ("ProjectedCRS", "BoundCRS")


def test_monthly_fields_give_month_intervals(tmp_path: Path, example_master: Path) -> None:
    folder = tmp_path / "monthly"
    folder.mkdir()
    spec = (example_master / "spec.yaml").read_text(encoding="utf-8")
    spec = spec.replace('"Wudaoliang_ALT_{year}.tif"', '"Wudaoliang_ALT_{year}{month}.tif"')
    spec = spec.replace("start: 2017-01-01, end: 2020-12-31", "start: 2019-02-01, end: 2019-02-28")
    spec = spec.replace("resolution: P1Y", "resolution: P1M").replace(
        "{year: {min: 2017, max: 2020}}", "{}"
    )
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    write_alt(folder / "Wudaoliang_ALT_201902.tif", alt_field(2019))
    out = tmp_path / "stac"
    assert run_cli("stac", str(folder / "spec.yaml"), "--out", str(out)).exit_code == 0
    props = load(out / "wudaoliang-alt" / "Wudaoliang_ALT_201902" / "Wudaoliang_ALT_201902.json")[
        "properties"
    ]
    assert (props["start_datetime"], props["end_datetime"]) == (
        "2019-02-01T00:00:00Z",
        "2019-02-28T23:59:59Z",
    )


def test_failing_dataset_is_not_published_unless_allowed(example: Path, tmp_path: Path) -> None:
    (example / "Wudaoliang_ALT_2019.tif").write_bytes(b"garbage")
    out = tmp_path / "stac"
    result = run_cli("stac", str(example / "spec.yaml"), "--out", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert "R001 unreadable" in result.stdout
    assert publish(example, out, "--allow-failed") == 0
    items = sorted(p.name for p in (out / "wudaoliang-alt").iterdir() if p.is_dir())
    assert items == ["Wudaoliang_ALT_2017", "Wudaoliang_ALT_2018", "Wudaoliang_ALT_2020"]
    report = load(out / "tpqc-report.json")
    assert [f["name"] for f in report["findings"]] == ["unreadable"]


def test_stale_items_disappear(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    (example / "Wudaoliang_ALT_2020.tif").unlink()
    ignore = "series-incomplete,temporal-coverage-mismatch"
    assert publish(example, out, "--ignore", ignore) == 0
    assert not (out / "wudaoliang-alt" / "Wudaoliang_ALT_2020").exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".tpqc")] == []


def test_dataset_without_any_time_is_a_clear_tool_error(
    example: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec("  temporal: {start: 2017-01-01, end: 2020-12-31, resolution: P1Y}\n", "")
    edit_spec('pattern: "Wudaoliang_ALT_{year}.tif"', 'pattern: "Wudaoliang_ALT_{tag}.tif"')
    edit_spec("fields: {year: {min: 2017, max: 2020}}", "fields: {}")
    result = run_cli(
        "stac", str(example / "spec.yaml"), "--out", str(example / "stac"), "--allow-failed"
    )
    assert result.exit_code == 2
    assert "dataset.temporal" in result.stderr and "internal error" not in result.stderr
    assert not (example / "stac").exists()


def test_allow_failed_publishes_even_with_metadata_missing(
    example: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec("  license: CC-BY-4.0\n", "")
    out = example.parent / "stac"
    assert publish(example, out) == 1 and not out.exists()
    assert publish(example, out, "--allow-failed") == 0
    assert load(out / "wudaoliang-alt" / "collection.json")["license"] == "other"


def test_items_carry_the_quicklook_as_thumbnail(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert publish(example, out) == 0
    doc = item(out, 2018)
    thumbnail = doc["assets"]["thumbnail"]
    assert thumbnail["roles"] == ["thumbnail"] and thumbnail["type"] == "image/png"
    assert thumbnail["href"] == "./Wudaoliang_ALT_2018.thumbnail.png"
    png = out / "wudaoliang-alt" / "Wudaoliang_ALT_2018" / "Wudaoliang_ALT_2018.thumbnail.png"
    raw = png.read_bytes()
    assert raw.startswith(b"\x89PNG") and thumbnail["file:size"] == len(raw)
    assert thumbnail["file:checksum"] == "1220" + hashlib.sha256(raw).hexdigest()
    from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts

    facts = read_raster_facts(
        str(example), "Wudaoliang_ALT_2018.tif", ReadPlan(0, 10, quicklook=True)
    )
    assert facts.quicklook is not None and facts.quicklook.png == raw  # the report's picture
    png.write_bytes(raw + b"x")  # a tampered thumbnail is caught like any asset
    check = json.loads(run_cli("check-stac", str(out), "-f", "json").stdout)
    assert {(f["code"], f["field"]) for f in check["findings"]} == {
        ("S011", "assets.thumbnail.file:checksum"),
        ("S011", "assets.thumbnail.file:size"),
    }
