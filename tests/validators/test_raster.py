"""Per-file raster checks: each defect planted into a copy of the bundled example is
reported exactly once, by the right name, at the right file, and nothing else is."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from affine import Affine

from tpqc.examples.wudaoliang.generate import NORTH, PIXEL, WEST, alt_field, write_alt
from tpqc_testkit import validate_json

TARGET = "Wudaoliang_ALT_2018.tif"


def rewrite(folder: Path, data: Any = None, name: str = TARGET, **profile: Any) -> None:
    """Replace the 2018 file with a variant written through rasterio."""
    (folder / TARGET).unlink()
    write_alt(folder / name, alt_field(2018) if data is None else data, **profile)


def with_values(update: Callable[[np.ndarray], None]) -> np.ndarray:
    data = alt_field(2018)
    update(data)
    return data


def corrupt_first_tile(folder: Path) -> None:
    with rasterio.open(folder / TARGET) as src:
        offset = int(src.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1))
        size = int(src.get_tag_item("BLOCK_SIZE_0_0", "TIFF", bidx=1))
    raw = bytearray((folder / TARGET).read_bytes())
    raw[offset + 2 : offset + size - 4] = bytes(range(256)) * ((size - 6) // 256) + bytes(
        (size - 6) % 256
    )
    (folder / TARGET).write_bytes(bytes(raw))


PLANTED: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "crs": (lambda d: rewrite(d, crs="EPSG:4490"), ["crs-mismatch"]),
    "resolution": (
        lambda d: rewrite(
            d,
            alt_field(2018)[::3, ::3].copy(),
            transform=Affine(3 * PIXEL, 0, WEST, 0, -3 * PIXEL, NORTH),
        ),
        ["resolution-mismatch", "resolution-mismatch"],
    ),
    "extent": (
        lambda d: rewrite(d, transform=Affine(PIXEL, 0, WEST - 1.0, 0, -PIXEL, NORTH)),
        ["extent-mismatch"],
    ),
    "bands": (lambda d: rewrite(d, np.stack([alt_field(2018)] * 2)), ["band-count-mismatch"]),
    "dtype": (lambda d: rewrite(d, alt_field(2018).astype("float64")), ["dtype-mismatch"]),
    "nodata-missing": (
        lambda d: rewrite(d, with_values(lambda a: a.__setitem__(a == -9999, 1.0)), nodata=None),
        ["nodata-missing"],
    ),
    "values": (
        lambda d: rewrite(
            d, with_values(lambda a: a.__setitem__((slice(40, 41), slice(7, 10)), 12.5))
        ),
        ["value-out-of-range"],
    ),
    "nan": (
        lambda d: rewrite(
            d, with_values(lambda a: a.__setitem__((slice(5, 6), slice(5, 7)), np.nan))
        ),
        ["nan-or-inf"],
    ),
    "too-much-nodata": (
        lambda d: rewrite(d, with_values(lambda a: a.__setitem__(slice(0, 70), -9999.0))),
        ["too-much-nodata"],
    ),
    "all-nodata": (lambda d: rewrite(d, with_values(lambda a: a.fill(-9999.0))), ["all-nodata"]),
    "stray-space": (
        lambda d: (d / TARGET).rename(d / "Wudaoliang_ALT_2018 .tif"),
        ["filename-mismatch"],
    ),
    "lower-case": (
        lambda d: (d / TARGET).rename(d / "wudaoliang_alt_2018.tif"),
        ["filename-mismatch"],
    ),
    "year-2021": (
        lambda d: shutil.copy(d / TARGET, d / "Wudaoliang_ALT_2021.tif"),
        ["series-outside-coverage"],
    ),
    "garbage": (lambda d: (d / TARGET).write_bytes(b"II*\x00" + b"\x17" * 300), ["unreadable"]),
    "corrupt-tile": (corrupt_first_tile, ["decode-error"]),
    "rotated": (
        lambda d: rewrite(d, transform=Affine(PIXEL, 1e-6, WEST, 1e-6, -PIXEL, NORTH)),
        ["rotated-grid"],
    ),
    "no-crs": (lambda d: rewrite(d, crs=None), ["not-georeferenced"]),
}


def test_clean_example_has_no_findings(example: Path) -> None:
    code, report = validate_json(example / "spec.yaml")
    assert code == 0
    assert report["findings"] == []
    assert report["summary"] == {
        "files": 4,
        "errors": 0,
        "warnings": 0,
        "infos": 0,
        "passed": True,
        "waived": 0,
    }


@pytest.mark.parametrize("defect", sorted(PLANTED))
def test_planted_defect_is_reported_exactly_once(example: Path, defect: str) -> None:
    plant, expected = PLANTED[defect]
    plant(example)
    code, report = validate_json(example / "spec.yaml")
    names = Counter(f["name"] for f in report["findings"])
    assert names == Counter(expected), report["findings"]
    paths = {f["path"] for f in report["findings"]}
    assert len(paths) == 1 and next(iter(paths)).lower().startswith("wudaoliang_alt_20")
    assert code == 1


def test_value_out_of_range_locates_pixels(example: Path) -> None:
    PLANTED["values"][0](example)
    _, report = validate_json(example / "spec.yaml", "--max-examples", "2")
    (finding,) = report["findings"]
    assert finding["code"] == "R014" and finding["band"] == 1
    assert (finding["row"], finding["column"]) == (40, 7)
    assert finding["actual"]["count"] == 3 and finding["actual"]["max"] == 12.5
    assert finding["expected"] == {"min": 0.0, "max": 10.0, "unit": "m"}
    assert finding["details"]["examples"] == [
        {"row": 40, "column": 7, "value": 12.5},
        {"row": 40, "column": 8, "value": 12.5},
    ]


def test_crs_mismatch_names_both_crs(example: Path) -> None:
    rewrite(example, crs="EPSG:32646", transform=Affine(1000, 0, 300000, 0, -1000, 3940000))
    _, report = validate_json(example / "spec.yaml", "--select", "crs-mismatch")
    (finding,) = report["findings"]
    assert finding["expected"].startswith("EPSG:4326")
    assert finding["actual"] == "EPSG:32646 (WGS 84 / UTM zone 46N)"


def test_projected_raster_with_matching_km_resolution_passes(
    example: Path, edit_spec: Callable[[str, str], None]
) -> None:
    edit_spec("crs: EPSG:4326", "crs: EPSG:32646")
    for year in (2017, 2018, 2019, 2020):
        (example / f"Wudaoliang_ALT_{year}.tif").unlink()
        write_alt(
            example / f"Wudaoliang_ALT_{year}.tif",
            alt_field(year)[:80, :190].copy(),
            crs="EPSG:32646",
            transform=Affine(1000, 0, 395000, 0, -1000, 3939000),
        )
    code, report = validate_json(example / "spec.yaml", "--ignore", "extent-mismatch-dataset")
    assert report["findings"] == [], report["findings"]
    assert code == 0


def test_nodata_value_rule(example: Path, edit_spec: Callable[[str, str], None]) -> None:
    edit_spec("nodata: required", "nodata: -9999")
    assert validate_json(example / "spec.yaml")[1]["findings"] == []
    rewrite(example, with_values(lambda a: a.__setitem__(a == -9999, -32768)), nodata=-32768)
    _, report = validate_json(example / "spec.yaml")
    assert [(f["name"], f["actual"]) for f in report["findings"]] == [
        ("nodata-mismatch", "-32768.0")
    ]


def test_fail_on_warning_and_select_ignore(example: Path) -> None:
    PLANTED["values"][0](example)
    assert validate_json(example / "spec.yaml", "--ignore", "R014")[0] == 0
    assert validate_json(example / "spec.yaml", "--select", "crs-mismatch")[0] == 0
    assert validate_json(example / "spec.yaml", "--select", "R01")[0] == 1


def test_implausible_size_limit_refuses_before_decoding(example: Path) -> None:
    code, report = validate_json(example / "spec.yaml", "--max-pixels", "1000")
    assert Counter(f["name"] for f in report["findings"]) == Counter({"implausible-size": 4})
    assert all(not f["decoded"] and f["readable"] for f in report["files"])
    assert code == 1
