"""Band bombs: a small file declaring tens of thousands of bands is refused before decoding,
and per-band work is linear (bands read in groups within the memory budget)."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import numpy as np
import pytest

from tpqc.examples.wudaoliang.generate import write_alt
from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts
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
    monkeypatch.setattr("tpqc.validators.kinds.geotiff.reader.BAND_GROUP_PIXELS", 64 * 64 * 3)
    grouped = read_raster_facts(str(tmp_path), "many.tif", ReadPlan(0, 10))
    assert grouped == whole
    for band in (0, 17, 39):
        valid = data[band][data[band] != -9999].astype(np.float64)
        facts = grouped.bands[band]
        assert facts.minimum == valid.min() and facts.maximum == valid.max()
        assert facts.mean == pytest.approx(valid.mean(), rel=1e-12)


TABLE_SPEC = """spec_version: 1
dataset: {id: t}
tables:
  - name: aws
    pattern: "{station}_AWS.{ext}"
    time: {column: TIMESTAMP, step: 10min}
    columns:
      Ta: {variable: air_temperature}
"""


def _table_spec(folder: Path) -> Path:
    spec = folder / "spec.yaml"
    spec.write_text(TABLE_SPEC, encoding="utf-8")
    return spec


def _xlsx_bomb(path: Path, rows: int) -> None:
    """A tiny workbook whose one sheet unpacks to many megabytes of identical rows."""
    import zipfile

    cells = '<row><c t="inlineStr"><is><t>2019-01-01 00:10</t></is></c><c><v>1</v></c></row>' * rows
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>TIMESTAMP</t></is></c>'
        f'<c r="B1" t="inlineStr"><is><t>Ta</t></is></c></row>{cells}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("[Content_Types].xml", "<Types/>")


def test_xlsx_that_unpacks_to_too_much_is_refused_unread(tmp_path: Path) -> None:
    _xlsx_bomb(tmp_path / "Bomb_AWS.xlsx", 200_000)
    packed = (tmp_path / "Bomb_AWS.xlsx").stat().st_size
    spec = _table_spec(tmp_path)
    code, report = validate_json(
        spec, "--no-cache", "--select", "T", "--max-sheet-bytes", "8000000"
    )
    (finding,) = report["findings"]
    assert finding["code"] == "T018" and "unpack to" in finding["actual"]
    assert packed * 100 < int(finding["actual"].split("unpack to ")[1].split()[0])
    assert code == 1


def test_row_limit_refuses_a_long_csv(tmp_path: Path) -> None:
    lines = ["TIMESTAMP,Ta"] + [
        f"2019-01-01 {h:02d}:{m:02d},1.0" for h in range(24) for m in range(0, 60, 10)
    ]
    (tmp_path / "Long_AWS.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = _table_spec(tmp_path)
    code, report = validate_json(spec, "--no-cache", "--select", "T")
    assert report["findings"] == [] and code == 0
    code, report = validate_json(spec, "--no-cache", "--select", "T", "--max-table-rows", "100")
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("T018", "Long_AWS.csv")]


def test_chunked_reading_gives_the_findings_of_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tpqc.examples.aws.generate import DEFECTS, spec_text, write_aws_year

    write_aws_year(tmp_path / "Dashalong_AWS_2019.csv", 2019, days=30, defects=tuple(DEFECTS))
    (tmp_path / "spec.yaml").write_text(spec_text(), encoding="utf-8")
    _, whole = validate_json(tmp_path / "spec.yaml", "--no-cache")
    monkeypatch.setattr("tpqc.validators.kinds.table.chunks.CHUNK_ROWS", 333)
    _, chunked = validate_json(tmp_path / "spec.yaml", "--no-cache")
    assert chunked["findings"] == whole["findings"] and len(whole["findings"]) >= 5
    assert chunked["files"] == whole["files"]
