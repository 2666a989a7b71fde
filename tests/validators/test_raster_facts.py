"""raster_facts on real third-party GeoTIFFs: correct facts, GDAL's reasons, no crashes."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import rasterio

from tpqc.validators.grid.facts import RasterFacts
from tpqc.validators.grid.geo import authority_code, georeferencing_problem
from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts
from tpqc_testkit import codes_by_path, tree_digest, validate_json

# From shared/realdata/PROVENANCE.md: crs, width, height, bands, dtype, nodata, min, max.
VALID = {
    "byte.tif": ("EPSG:26711", 20, 20, 1, "uint8", None, 74, 255),
    "utmsmall.tif": ("EPSG:26711", 100, 100, 1, "uint8", None, 0, 255),
    "RGB.byte.tif": ("EPSG:32618", 791, 718, 3, "uint8", 0.0, 1, 255),
    "rgb_lzw.tif": ("EPSG:32618", 791, 718, 3, "uint8", 0.0, 1, 255),
    "world.byte.tif": ("EPSG:4326", 2880, 1200, 1, "uint8", None, 0, 1),
    "trmm-wgs84.tif": ("EPSG:4326", 40, 40, 1, "float32", -9999.900390625, 0, 0.8305168748),
    "float_raster_with_nodata.tif": (None, 13, 12, 1, "float32", -3.3999999521443642e38, 0, 0.25),
    "test_esri_wkt.tif": ("ESRI:102039", 2, 2, 1, "uint16", None, 1, 4),
    "au-3577.tif": ("EPSG:3577", 133, 124, 1, "uint8", 0.0, 30, 253),
    "goes.tif": (None, 542, 542, 3, "uint8", None, 0, 198),
    "cogeo.tif": ("EPSG:3857", 1024, 1024, 3, "uint8", None, 0, 255),
    "dataset_gdalcog.tif": ("EPSG:32621", 2658, 2667, 1, "uint16", None, 1, 7872),
    "dataset_int16_nodata.tif": ("EPSG:32621", 2658, 2667, 1, "int16", -9999.0, 1, 7872),
    "dataset_nodata_nan.tif": ("EPSG:4326", 316, 341, 1, "float64", math.nan, 0, 5.435047415),
    "S2A_MSIL2A_20220722T105631_N0400_R094_T31TCN_20220722T171159.tif": (
        "EPSG:32631",
        14,
        22,
        14,
        "float32",
        math.nan,
        0.2401437461,
        2.779000044,
    ),
    "RGBA.uint16.tif": ("EPSG:32612", 634, 411, 4, "uint16", None, 0, 10000),
    "dataset_dateline.tif": ("EPSG:32660", 2325, 2355, 1, "uint16", None, 1, 63014),
    "image_no_overview.tif": ("EPSG:3857", 1024, 1024, 4, "uint8", None, 39, 255),
    "byte_point.tif": ("EPSG:32611", 20, 20, 1, "uint8", None, 74, 255),
    "byte_bigtiff_strip5lines.tif": ("EPSG:26711", 20, 20, 1, "uint8", None, 74, 255),
    "cog_band_tags.tif": (None, 256, 256, 1, "int16", -1000.0, -894, 13413),
}


def numpy_oracle(path: Path) -> list[dict[str, float]]:
    """Exact per-band statistics from a whole-array read at full resolution."""
    out = []
    with rasterio.open(path) as src:
        for band in range(1, src.count + 1):
            data = src.read(band).astype(np.float64)
            nodata = src.nodatavals[band - 1]
            valid = np.isfinite(data)
            if nodata is not None and not math.isnan(nodata):
                valid &= data != np.array(nodata, dtype=src.dtypes[band - 1]).astype(np.float64)
            values = data[valid]
            out.append(
                {
                    "valid": int(values.size),
                    "min": values.min(),
                    "max": values.max(),
                    "mean": values.mean(),
                    "std": values.std(),
                }
            )
    return out


def test_valid_table_covers_the_valid_folder(realdata: Path) -> None:
    on_disk = {p.name for p in (realdata / "tiff" / "valid").glob("*.tif")}
    assert on_disk - set(VALID) == {"dataset_nodata_and_nan.tif"}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_file_facts_match_provenance_and_numpy(realdata: Path, name: str) -> None:
    folder = realdata / "tiff" / "valid"
    facts = read_raster_facts(str(folder), name)
    crs, width, height, count, dtype, nodata, minimum, maximum = VALID[name]
    assert facts.readable and facts.decoded, (facts.open_error, facts.decode_error)
    assert (facts.width, facts.height, facts.count) == (width, height, count)
    assert set(facts.dtypes) == {dtype}
    if crs is not None:
        assert facts.crs_wkt is not None and authority_code(facts.crs_wkt) == crs
    band_nodata = facts.bands[0].nodata
    if nodata is None:
        assert band_nodata is None
    elif math.isnan(nodata):
        assert band_nodata is not None and math.isnan(band_nodata)
    else:
        assert band_nodata == pytest.approx(nodata)
    assert min(b.minimum for b in facts.bands if b.minimum is not None) == pytest.approx(minimum)
    assert max(b.maximum for b in facts.bands if b.maximum is not None) == pytest.approx(maximum)
    for band, oracle in zip(facts.bands, numpy_oracle(folder / name), strict=True):
        assert band.valid == oracle["valid"]
        assert band.minimum == oracle["min"] and band.maximum == oracle["max"]
        assert band.mean == pytest.approx(oracle["mean"], rel=1e-12, abs=1e-12)
        assert band.stddev == pytest.approx(oracle["std"], rel=1e-9, abs=1e-12)
        assert band.histogram is not None
        assert sum(band.histogram["buckets"]) == band.valid
        assert len(band.histogram["buckets"]) == band.histogram["count"]
    assert facts.sha256 is not None and len(facts.sha256) == 64


def test_rpc_coefficients_are_seen_where_they_are_the_only_georeferencing(
    realdata: Path,
) -> None:
    edge = str(realdata / "tiff" / "edge")
    rpc = read_raster_facts(edge, "byte_rpc.tif")
    assert rpc.has_rpc and not rpc.has_geotransform and rpc.gcp_count == 0
    # the RPC coefficients are the reason given, not a bare "no geotransform"
    assert georeferencing_problem(rpc) != georeferencing_problem(replace(rpc, has_rpc=False))
    gcp = read_raster_facts(edge, "byte_gcp.tif")
    assert gcp.gcp_count > 0 and not gcp.has_rpc


def test_nodata_and_nan_file_counts_both_kinds_of_missing(realdata: Path) -> None:
    facts = read_raster_facts(str(realdata / "tiff" / "valid"), "dataset_nodata_and_nan.tif")
    (band,) = facts.bands
    assert band.nodata == 0.0 and band.nan_count > 0 and band.nodata_count > 0
    assert band.valid + band.nan_count + band.nodata_count == band.pixels == 549 * 549
    assert band.minimum == pytest.approx(0.001445062924)
    assert band.maximum == pytest.approx(29.84785271)


# What each edge file exercises (PROVENANCE.md) and the finding it must produce.
EDGE = {
    "GTModelTypeGeoKey_only.tif": "not-georeferenced",
    "all-nodata.tif": "all-nodata",
    "byte_gcp.tif": "not-georeferenced",
    "byte_nogeoref.tif": "not-georeferenced",
    "byte_rpc.tif": "not-georeferenced",
    "byte_truncated.tif": "decode-error",
    "byte_zstd_corrupted.tif": "decode-error",
    "corrupted_gtiff_tags.tif": "decode-error",
    "dataset_mars.tif": "extent-mismatch",
    "epsg26711_3855_geotiff1_1.tif": "crs-mismatch",
    "float32_with_nodata_slightly_above_float_max.tif": "not-georeferenced",
    "geomatrix.tif": "rotated-grid",
    "huge4GB.tif": "implausible-size",
    "image_dec.tif": "overviews-invalid",
    "image_sorted.tif": "overviews-invalid",
    "minimum_tiff_tags_no_warning.tif": "not-georeferenced",
    "nan32_nodata.tif": "crs-mismatch",
    "rotated.tif": "rotated-grid",
    "stats_nodata_neginf.tif": "not-georeferenced",
    "toomanyblocks.tif": "unreadable",
    "unknown_compression.tif": "unreadable",
}

EDGE_SPEC = """spec_version: 1
data: {data}
dataset:
  id: edge
  extent: {{west: 91.80, east: 94.04, south: 34.80, north: 35.61}}
rasters:
  - name: any
    pattern: "{{name}}.tif"
    fields: {{name: {{regex: "[A-Za-z0-9_.-]+"}}}}
    crs: EPSG:4326
"""


@pytest.fixture
def edge_report(realdata: Path, tmp_path: Path) -> tuple[int, dict[str, object]]:
    spec = tmp_path / "edge.yaml"
    spec.write_text(EDGE_SPEC.format(data=realdata / "tiff" / "edge"), encoding="utf-8")
    return validate_json(spec, "--jobs", "2")


def test_every_edge_file_yields_its_finding(realdata: Path, edge_report: tuple[int, dict]) -> None:
    code, report = edge_report
    assert {p.name for p in (realdata / "tiff" / "edge").glob("*.tif")} == set(EDGE)
    found = codes_by_path(report)
    for name, expected in EDGE.items():
        assert expected in found.get(name, []), (name, found.get(name))
    assert code == 1


def test_edge_findings_carry_gdal_reasons(edge_report: tuple[int, dict]) -> None:
    _, report = edge_report
    actual = {(f["path"], f["name"]): f["actual"] for f in report["findings"]}
    assert "ZSTD" in actual[("byte_zstd_corrupted.tif", "decode-error")]
    assert "TIFFReadEncodedStrip" in actual[("byte_truncated.tif", "decode-error")]
    assert "Too many blocks" in actual[("toomanyblocks.tif", "unreadable")]
    assert "missing codec" in actual[("unknown_compression.tif", "unreadable")]
    assert "celestial body" in actual[("dataset_mars.tif", "extent-mismatch")]
    assert actual[("image_sorted.tif", "overviews-invalid")] == [4, 2, 8]
    assert actual[("byte_gcp.tif", "not-georeferenced")].startswith("georeferenced by 2 ground")
    for finding in report["findings"]:
        assert "Traceback" not in str(finding["actual"])


def test_edge_special_values_are_counted(realdata: Path) -> None:
    folder = str(realdata / "tiff" / "edge")
    (neginf,) = read_raster_facts(folder, "stats_nodata_neginf.tif").bands
    assert (neginf.valid, neginf.nodata_count, neginf.minimum, neginf.maximum) == (2, 1, -2.0, 1.0)
    (nan,) = read_raster_facts(folder, "nan32_nodata.tif").bands
    assert (nan.valid, nan.nodata_count, nan.nan_count) == (90, 10, 0)
    assert (nan.minimum, nan.maximum) == (50.0, 58.0)
    (high,) = read_raster_facts(folder, "float32_with_nodata_slightly_above_float_max.tif").bands
    assert (high.valid, high.pixels) == (85, 100)


def test_huge_declared_raster_is_not_decoded(realdata: Path) -> None:
    facts = read_raster_facts(str(realdata / "tiff" / "edge"), "huge4GB.tif")
    assert facts.refused is not None and "65535 x 65535" in facts.refused
    assert facts.bands[0].pixels == 0


def test_statistics_ignore_overviews_with_different_values(tmp_path: Path) -> None:
    data = np.arange(256 * 256, dtype=np.float32).reshape(256, 256)
    path = tmp_path / "ovr.tif"
    profile = {
        "driver": "GTiff",
        "width": 256,
        "height": 256,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": rasterio.Affine(0.01, 0, 90, 0, -0.01, 36),
        "tiled": True,
        "blockxsize": 64,
        "blockysize": 64,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.full((1, 256, 256), 999.0, dtype=np.float32))
        dst.build_overviews([2, 4], rasterio.enums.Resampling.nearest)
    with rasterio.open(path, "r+") as dst:
        dst.write(data[np.newaxis])
    with rasterio.open(path) as src:
        assert src.overviews(1) == [2, 4]
        assert float(src.read(1, out_shape=(64, 64)).max()) == 999.0
    (band,) = read_raster_facts(str(tmp_path), "ovr.tif").bands
    assert (band.minimum, band.maximum) == (0.0, 65535.0)
    assert band.mean == pytest.approx(float(data.astype(np.float64).mean()))


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_sidecars_are_found_without_listing_the_folder(tmp_path: Path) -> None:
    """GDAL probes sidecars one by one (it no longer lists the folder at each open): an
    external overview (.ovr) and a world file (.tfw) beside the file are still seen, among
    many other files."""
    profile = {"driver": "GTiff", "width": 64, "height": 32, "count": 1, "dtype": "uint8"}
    with rasterio.open(tmp_path / "bare.tif", "w", **profile) as dst:
        dst.write(np.ones((1, 32, 64), dtype=np.uint8))
    with rasterio.Env(TIFF_USE_OVR=True), rasterio.open(tmp_path / "bare.tif", "r+") as dst:
        dst.build_overviews([2], rasterio.enums.Resampling.nearest)  # as bare.tif.ovr
    (tmp_path / "bare.tfw").write_text("0.5\n0\n0\n-0.25\n90.25\n35.875\n")
    for index in range(50):
        (tmp_path / f"other_{index}.txt").write_text("")
    assert (tmp_path / "bare.tif.ovr").exists()
    facts = read_raster_facts(str(tmp_path), "bare.tif")
    assert facts.overviews == (2,)
    assert facts.has_geotransform
    assert facts.transform == (0.5, 0.0, 90.0, 0.0, -0.25, 36.0)


def test_run_leaves_data_folder_byte_identical(
    example: Path, realdata: Path, tmp_path: Path
) -> None:
    edge_copy = tmp_path / "edge-copy"
    shutil.copytree(realdata / "tiff" / "edge", edge_copy)
    before = tree_digest(edge_copy), tree_digest(example)
    spec = tmp_path / "edge.yaml"
    spec.write_text(EDGE_SPEC.format(data=edge_copy), encoding="utf-8")
    validate_json(spec)
    validate_json(example / "spec.yaml")
    assert (tree_digest(edge_copy), tree_digest(example)) == before


def test_window_iteration_matches_whole_read_on_striped_and_tiled(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    data = rng.normal(5, 2, size=(3, 300, 517)).astype(np.float32)
    data[0, 10:20, 30:40] = -1
    for name, layout in (
        ("strip.tif", {}),
        ("tile.tif", {"tiled": True, "blockxsize": 32, "blockysize": 16}),
    ):
        profile = {
            "driver": "GTiff",
            "width": 517,
            "height": 300,
            "count": 3,
            "dtype": "float32",
            "nodata": -1,
            "crs": "EPSG:4326",
            "transform": rasterio.Affine(0.01, 0, 90, 0, -0.01, 36),
            **layout,
        }
        with rasterio.open(tmp_path / name, "w", **profile) as dst:
            dst.write(data)
        facts: RasterFacts = read_raster_facts(
            str(tmp_path), name, ReadPlan(value_min=0, value_max=10)
        )
        for band, oracle in zip(facts.bands, numpy_oracle(tmp_path / name), strict=True):
            assert band.valid == oracle["valid"]
            assert band.mean == pytest.approx(oracle["mean"], rel=1e-12)
            assert band.stddev == pytest.approx(oracle["std"], rel=1e-9)
            values = data[band.index - 1]
            valid = values[values != -1]
            assert band.out_of_range == int(((valid < 0) | (valid > 10)).sum())
            hist = band.histogram
            assert hist is not None and hist["min"] <= valid.min() and hist["max"] > valid.max()
            edges = np.linspace(hist["min"], hist["max"], hist["count"] + 1)
            counts, _ = np.histogram(valid, bins=edges)
            assert hist["buckets"] == counts.tolist()
