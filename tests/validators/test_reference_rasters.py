"""GeoTIFFs the way GDAL reads them: complex rasters (a SAR single-look complex) are read
and summarised by their magnitude as GDAL's statistics are, never an internal error, and
published with STAC's complex data types; EPSG codes are identified as GDAL identifies them
(a Lambert conic on GRS 1980 whose GeoKeys lack the code is EPSG:3968)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS

from tpqc.validators.grid.geo import authority_code
from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts
from tpqc_testkit import run_cli

SPEC = """spec_version: 1
dataset:
  id: slc
  title: Single-look complex
  description: A complex raster
  license: CC-BY-4.0
  citation: "Author, A. (2020) SLC"
  temporal: {start: 2020-01-01, end: 2020-12-31}
  extent: {west: 90, east: 90.4, south: 34.7, north: 35}
rasters:
  - {name: slc, pattern: "slc_{kind}.tif", values: {min: 0, max: 20}}
"""
VALUES = (np.arange(12).reshape(3, 4) + 1j * np.full((3, 4), 2.0)).astype("complex64")


def write_complex(path: Path, dtype: str) -> None:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=3,
        count=1,
        dtype=dtype,
        crs="EPSG:4326",
        transform=Affine(0.1, 0, 90, 0, -0.1, 35),
    ) as out:
        out.write(VALUES, 1)


@pytest.mark.parametrize("dtype", ["complex_int16", "complex64", "complex128"])
def test_a_complex_raster_is_summarised_by_its_magnitude(tmp_path: Path, dtype: str) -> None:
    write_complex(tmp_path / "slc.tif", dtype)
    facts = read_raster_facts(str(tmp_path), "slc.tif", ReadPlan(quicklook=True))
    assert facts.open_error is None and facts.decode_error is None
    (band,) = facts.bands
    magnitude = np.abs(VALUES.astype("complex128"))
    assert band.dtype == dtype and band.valid == 12
    assert band.minimum == pytest.approx(magnitude.min(), rel=1e-6)
    assert band.maximum == pytest.approx(magnitude.max(), rel=1e-6)
    assert band.mean == pytest.approx(magnitude.mean(), rel=1e-6)
    assert facts.quicklook is not None


def test_complex_rasters_validate_and_publish(tmp_path: Path) -> None:
    for dtype, name in (("complex_int16", "cint16"), ("complex64", "cf32")):
        write_complex(tmp_path / f"slc_{name}.tif", dtype)
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    result = run_cli("validate", str(tmp_path / "spec.yaml"), "-f", "json", "--no-cache")
    report = json.loads(result.stdout)
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == []
    bands = {f["path"]: f["bands"][0] for f in report["files"]}
    assert bands["slc_cint16.tif"]["statistics_of"] == "magnitude"
    out = tmp_path / "catalog"
    published = run_cli("stac", str(tmp_path / "spec.yaml"), "--out", str(out), "--no-cache")
    assert published.exit_code == 0, published.output
    types = {}
    for path in out.glob("*/*/*.json"):
        (band,) = json.loads(path.read_text(encoding="utf-8"))["assets"]["data"]["bands"]
        types[path.stem] = band["data_type"]
        assert "statistics" not in band  # STAC gives a complex band's statistics no meaning
    assert types == {"slc_cint16": "cint16", "slc_cf32": "cfloat32"}


LCC_GRS80 = (
    "+proj=lcc +lat_1=37 +lat_2=39.5 +lat_0=36 +lon_0=-79.5 +x_0=0 +y_0=0 "
    "+ellps=GRS80 +units=m +no_defs"
)


def test_epsg_codes_are_identified_as_gdal_identifies_them(tmp_path: Path) -> None:
    path = tmp_path / "lcc.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="uint8",
        crs=CRS.from_proj4(LCC_GRS80),
        transform=Affine(100, 0, 0, 0, -100, 0),
    ) as out:
        out.write(np.ones((1, 4, 4), "uint8"))
    with rasterio.open(path) as dataset:
        wkt, gdal_code = dataset.crs.to_wkt(), dataset.crs.to_epsg()
    assert '"3968"' not in wkt  # the file does not say it
    assert gdal_code == 3968 and authority_code(wkt) == "EPSG:3968"
    assert authority_code("+proj=longlat +datum=WGS84 +no_defs") == "EPSG:4326"
    assert authority_code("+proj=lcc +lat_1=10 +lat_2=11 +lat_0=5 +lon_0=7 +ellps=bessel") is None
