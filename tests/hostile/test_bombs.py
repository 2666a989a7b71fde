"""Band bombs: a small file declaring tens of thousands of bands is refused before decoding,
and per-band work is linear (bands read in groups within the memory budget)."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import numpy as np
import pytest

from tpqc.examples.wudaoliang.generate import write_alt
from tpqc.validators.raster_facts import ReadPlan, read_raster_facts
from tpqc_testkit import validate_json


def band_bomb(path: Path, bands: int = 65_535, size: int = 64) -> None:
    """A 650 KB band-interleaved TIFF whose bands all share one strip of zeros."""
    entries = [
        (256, 3, 1, size),  # width
        (257, 3, 1, size),  # height
        (258, 3, bands, 0),  # bits per sample: an array, placed below
        (259, 3, 1, 1),  # no compression
        (262, 3, 1, 1),  # min-is-black
        (273, 4, bands, 0),  # strip offsets: an array
        (277, 3, 1, bands),  # samples per pixel
        (278, 3, 1, size),  # rows per strip
        (279, 4, bands, 0),  # strip byte counts: an array
        (284, 3, 1, 2),  # planar: one plane per band
        (339, 3, 1, 1),  # unsigned integers
    ]
    base = 8 + 2 + 12 * len(entries) + 4
    arrays = {258: base, 273: base + 2 * bands, 279: base + 6 * bands}
    data = base + 10 * bands
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHII", tag, kind, count, arrays.get(tag, value))
    body = struct.pack(f"<{bands}H", *([8] * bands))
    body += struct.pack(f"<{bands}I", *([data] * bands))
    body += struct.pack(f"<{bands}I", *([size * size] * bands))
    path.write_bytes(
        b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + body + bytes(size * size)
    )


def test_band_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    band_bomb(tmp_path / "bomb.tif")
    (tmp_path / "spec.yaml").write_text(
        "spec_version: 1\ndataset: {id: b}\nrasters:\n  - {name: b, pattern: bomb.tif}\n",
        encoding="utf-8",
    )
    assert (tmp_path / "bomb.tif").stat().st_size < 1 << 20
    start = time.perf_counter()
    code, report = validate_json(tmp_path / "spec.yaml", "--no-cache", "--select", "R003")
    assert time.perf_counter() - start < 60  # generous: the decode it replaces takes minutes
    (finding,) = report["findings"]
    assert finding["code"] == "R003" and "65535 bands" in finding["actual"]
    assert code == 1
    code, report = validate_json(
        tmp_path / "spec.yaml", "--no-cache", "--select", "R003", "--max-bands", "70000"
    )
    # Past the band limit, the shared strip still betrays it: 268 MB declared in 650 KB.
    (finding,) = report["findings"]
    assert "bands, over the limit" not in finding["actual"] and "hostile" in finding["actual"]


def test_grouped_band_reads_give_the_same_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(5, 2, (40, 90, 120)).astype(np.float32)
    data[:, :5, :5] = -9999
    write_alt(tmp_path / "many.tif", data, blockxsize=64, blockysize=64, interleave="band")
    whole = read_raster_facts(str(tmp_path), "many.tif", ReadPlan(0, 10))
    monkeypatch.setattr("tpqc.validators.raster_facts.BAND_GROUP_PIXELS", 64 * 64 * 3)
    grouped = read_raster_facts(str(tmp_path), "many.tif", ReadPlan(0, 10))
    assert grouped == whole
    for band in (0, 17, 39):
        valid = data[band][data[band] != -9999].astype(np.float64)
        facts = grouped.bands[band]
        assert facts.minimum == valid.min() and facts.maximum == valid.max()
        assert facts.mean == pytest.approx(valid.mean(), rel=1e-12)
