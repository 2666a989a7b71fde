"""Grids partly off the Earth (a geostationary full disk) get a true footprint; grids on
another planet are reported and left out of the catalog; nothing crashes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tpqc_testkit import run_cli, validate_json

SPEC = """spec_version: 1
dataset:
  id: mixed
  temporal: {start: 2020-01-01, end: 2020-12-31}
  extent: {west: -180, east: 180, south: -90, north: 90}
rasters:
  - {name: g, pattern: "{name}.tif"}
"""


def _dataset(realdata: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(realdata / "tiff" / "valid" / "goes.tif", data / "goes.tif")
    shutil.copy(realdata / "tiff" / "edge" / "dataset_mars.tif", data / "mars.tif")
    (data / "spec.yaml").write_text(SPEC, encoding="utf-8")
    return data / "spec.yaml"


def test_full_disk_footprint_and_mars_finding(realdata: Path, tmp_path: Path) -> None:
    spec = _dataset(realdata, tmp_path)
    _, report = validate_json(spec, "--no-cache", "--select", "R,M002")
    per_file = {(f["path"], f["code"]) for f in report["findings"]}
    assert ("goes.tif", "R008") not in per_file  # the disk is on the Earth
    (mars,) = [f for f in report["findings"] if f["path"] == "mars.tif"]
    assert mars["code"] == "R008" and "Mars" in mars["actual"]
    goes = next(f for f in report["files"] if f["path"] == "goes.tif")
    west, south, east, north = goes["bounds_wgs84"]
    assert -157 < west < -155 and 6 < east < 7  # GOES-East at 75 W sees 81 degrees around
    assert -81.4 < south < -81 and 81 < north < 81.4


def test_catalog_leaves_the_unmappable_file_out(realdata: Path, tmp_path: Path) -> None:
    spec = _dataset(realdata, tmp_path)
    out = tmp_path / "stac"
    result = run_cli("stac", str(spec), "--out", str(out), "--allow-failed", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "mars.tif" in result.stderr and "goes.tif" not in result.stderr
    item = json.loads((out / "mixed" / "goes" / "goes.json").read_text(encoding="utf-8"))
    ring = item["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) > 100
    assert max(p[1] for p in ring) > 81 and not (out / "mixed" / "mars").exists()
    check = json.loads(run_cli("check-stac", str(out), "-f", "json").stdout)
    assert [f for f in check["findings"] if f["severity"] == "error"] == []
