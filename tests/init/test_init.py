"""`tpqc init` on real and synthetic datasets: the spec it writes follows the schema, is the
same every time, passes validation on the files it came from (the TODO metadata aside),
and still fails when a defect is planted in a member."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from affine import Affine

from tpqc.examples.wudaoliang.generate import alt_field, write_alt
from tpqc.schemas.yaml_source import load_yaml
from tpqc_testkit import REPO, run_cli, validate_json

SCHEMA = json.loads((REPO / "schemas" / "dataset-spec.schema.json").read_text(encoding="utf-8"))


def init(folder: Path, spec: Path, *extra: str) -> dict[str, Any]:
    """Run tpqc init, check the output against the schema, return it as data."""
    import jsonschema

    result = run_cli("init", str(folder), "-o", str(spec), "--force", *extra)
    assert result.exit_code == 0, result.output
    document = load_yaml(spec.read_text(encoding="utf-8"), str(spec)).value
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return dict(document)


def data_findings(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Findings other than the TODO metadata a person has to fill in."""
    return [(f["code"], f["path"]) for f in report["findings"] if f["code"] != "M009"]


def metadata_fields(report: dict[str, Any]) -> set[str]:
    return {f["field"] for f in report["findings"] if f["code"] == "M009"}


def test_bundled_example_round_trip(example: Path, tmp_path: Path) -> None:
    (example / "spec.yaml").unlink()
    spec = tmp_path / "spec.yaml"
    document = init(example, spec)
    (raster,) = document["rasters"]
    assert raster["pattern"] == "Wudaoliang_ALT_{year}.tif"
    assert raster["fields"] == {"year": {"min": 2017, "max": 2020}}
    assert (raster["crs"], raster["bands"], raster["dtype"], raster["nodata"]) == (
        "EPSG:4326",
        1,
        "float32",
        -9999,
    )
    assert raster["resolution"] == {"value": 30, "unit": "arcsec"}
    assert raster["values"]["min"] <= 1.55 and raster["values"]["max"] >= 4.71
    dataset = document["dataset"]
    assert dataset["temporal"] == {"start": "2017-01-01", "end": "2020-12-31", "resolution": "P1Y"}
    extent = dataset["extent"]
    assert (extent["west"], extent["south"]) == (91.8, 34.8)
    assert 94.04 <= extent["east"] <= 94.05 and 35.61 <= extent["north"] <= 35.62
    code, report = validate_json(spec)
    assert data_findings(report) == []
    assert {"dataset.title", "dataset.license", "dataset.citation"} <= metadata_fields(report)
    assert code == 1  # the TODOs are errors until a person fills them in


def test_init_is_deterministic(example: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    init(example, first, "--no-cache")
    init(example, second)
    assert first.read_bytes() == second.read_bytes()


def test_validation_after_init_reads_nothing_again(example: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    spec = tmp_path / "spec.yaml"
    init(example, spec, "--cache", str(cache))
    entries = sorted(p.name for p in cache.rglob("*.json"))
    assert len(entries) == 4
    validate_json(spec, "--cache", str(cache))
    # the facts read by init answer validation's read against the inferred value range
    assert sorted(p.name for p in cache.rglob("*.json")) == entries


def rewrite_2018(folder: Path, data: Any = None, **profile: Any) -> None:
    (folder / "Wudaoliang_ALT_2018.tif").unlink()
    write_alt(
        folder / "Wudaoliang_ALT_2018.tif", alt_field(2018) if data is None else data, **profile
    )


def plant_values(folder: Path) -> None:
    data = alt_field(2018)
    data[10:12, 10:12] = 40.0
    rewrite_2018(folder, data)


PLANTED = {
    "crs": (lambda d: rewrite_2018(d, crs="EPSG:4490"), "R006"),
    "resolution": (
        lambda d: rewrite_2018(
            d,
            alt_field(2018)[::2, ::2].copy(),
            transform=Affine(2 / 120, 0, 91.8, 0, -2 / 120, 35.61),
        ),
        "R007",
    ),
    "values": (plant_values, "R014"),
    "missing-year": (lambda d: (d / "Wudaoliang_ALT_2019.tif").unlink(), "D001"),
}


@pytest.mark.parametrize("defect", sorted(PLANTED))
def test_inferred_spec_still_catches_planted_defects(
    example: Path, tmp_path: Path, defect: str
) -> None:
    spec = tmp_path / "spec.yaml"
    init(example, spec)
    plant, code = PLANTED[defect]
    plant(example)
    _, report = validate_json(spec)
    assert code in {c for c, _ in data_findings(report)}


def write_grid(
    path: Path,
    data: np.ndarray,
    crs: str,
    transform: Affine,
    nodata: float | None,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=str(data.dtype),
        crs=crs,
        transform=transform,
        nodata=nodata,
        tiled=True,
        compress="deflate",
    ) as out:
        out.write(data, 1)


def utm_product(folder: Path) -> None:
    """Three yearly 30 m land-cover rasters of one UTM tile (uint8 classes 1-9, 0 nodata)."""
    rng = np.random.default_rng(7)
    for year in (2000, 2010, 2020):
        classes = rng.integers(1, 10, size=(300, 400), dtype=np.uint8)
        classes[:20, :30] = 0
        transform = Affine(30, 0, 399960, 0, -30, 4200000)
        write_grid(folder / f"Heihe_LC_30m_{year}.tif", classes, "EPSG:32647", transform, 0)


def test_utm_30m_product(tmp_path: Path) -> None:
    folder = tmp_path / "lc"
    utm_product(folder)
    spec = tmp_path / "spec.yaml"
    (raster,) = init(folder, spec)["rasters"]
    assert raster["pattern"] == "Heihe_LC_30m_{year}.tif"
    assert (raster["crs"], raster["resolution"]) == ("EPSG:32647", {"value": 30, "unit": "m"})
    assert (raster["dtype"], raster["nodata"]) == ("uint8", 0)
    assert raster["values"]["min"] <= 1 and raster["values"]["max"] >= 9
    _, report = validate_json(spec)
    assert data_findings(report) == []


def monthly_product(folder: Path, months: list[tuple[int, int]]) -> None:
    """Monthly 0.05-degree soil moisture over the Qilian Mountains, nodata -9999."""
    rng = np.random.default_rng(3)
    for year, month in months:
        field = rng.uniform(0.02, 0.45, size=(60, 160)).astype(np.float32)
        field[:5, :5] = -9999.0
        transform = Affine(0.05, 0, 94.0, 0, -0.05, 40.0)
        write_grid(folder / f"SM_{year}{month:02d}.tif", field, "EPSG:4326", transform, -9999.0)


def test_monthly_005_degree_series(tmp_path: Path) -> None:
    folder = tmp_path / "sm"
    months = [(year, month) for year in (2018, 2019) for month in range(1, 13)]
    monthly_product(folder, months)
    spec = tmp_path / "spec.yaml"
    document = init(folder, spec)
    (raster,) = document["rasters"]
    assert raster["pattern"] == "SM_{year}{month}.tif"
    assert raster["fields"] == {"year": {"min": 2018, "max": 2019}, "month": {"min": 1, "max": 12}}
    assert raster["resolution"] == {"value": 0.05, "unit": "deg"}
    text = spec.read_text(encoding="utf-8")
    assert "5.55 km north-south" in text  # the geodesic size of 0.05 degrees of latitude
    assert document["dataset"]["temporal"] == {
        "start": "2018-01-01",
        "end": "2019-12-31",
        "resolution": "P1M",
    }
    assert document["dataset"]["extent"] == {
        "west": 94.0,
        "east": 102.0,
        "south": 37.0,
        "north": 40.0,
    }
    _, report = validate_json(spec)
    assert data_findings(report) == []
    (folder / "SM_201906.tif").unlink()
    _, report = validate_json(spec)
    missing = [f for f in report["findings"] if f["code"] == "D001"]
    assert [f["details"]["member"] for f in missing] == ["2019-06"]


def test_real_geotiffs(realdata: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    document = init(realdata / "tiff" / "valid", spec)
    files = sorted(p.name for p in (realdata / "tiff" / "valid").glob("*.tif"))
    assert len(document["rasters"]) == len(files)  # unrelated files: one product each
    crs = {r["pattern"]: r.get("crs") for r in document["rasters"]}
    assert crs["utmsmall.tif"] == "EPSG:26711" and crs["test_esri_wkt.tif"] == "ESRI:102039"
    _, report = validate_json(spec)
    # the one true data finding: NaN pixels in a file whose nodata value is 0
    assert data_findings(report) == [("R015", "dataset_nodata_and_nan.tif")]
    assert {f["path"] for f in report["files"]} == set(files)


def test_real_station_table(realdata: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    document = init(realdata / "tables", spec)
    assert document["exclude"] == ["Available_data.xlsx"]  # an inventory sheet, not a table
    (table,) = document["tables"]
    assert table["pattern"] == "Eddy_covariance_ITP_Data_{year}.xlsx"
    assert table["time"] == {"column": "Date", "step": "30min"}
    assert table["missing_values"] == [-6999]
    variables = {name: rule.get("variable") for name, rule in table["columns"].items()}
    assert variables["L"] == "obukhov_length"  # its values rule out stability z/L
    assert variables["Hs"] == "sensible_heat_flux" and variables["QA_LE"] == "qa_class"
    assert document["dataset"]["temporal"] == {"start": "2019-01-01", "end": "2019-12-31"}
    _, report = validate_json(spec)
    assert data_findings(report) == []
    assert "dataset.extent" in metadata_fields(report)  # a table gives no extent: a TODO


def test_names_that_fit_no_pattern_are_left_for_validation(example: Path, tmp_path: Path) -> None:
    shutil.copy(example / "Wudaoliang_ALT_2018.tif", example / "Wudaoliang_ALT_2018 .tif")
    spec = tmp_path / "spec.yaml"
    document = init(example, spec)
    assert [r["pattern"] for r in document["rasters"]] == ["Wudaoliang_ALT_{year}.tif"]
    assert "Wudaoliang_ALT_2018 .tif" in spec.read_text(encoding="utf-8")  # in a comment
    _, report = validate_json(spec)
    # reported as the second file of member 2018 (series-duplicate explains the odd name)
    assert data_findings(report) == [("D002", "Wudaoliang_ALT_2018 .tif")]


def test_init_refuses_to_replace_a_spec(example: Path) -> None:
    result = run_cli("init", str(example), "-o", str(example / "spec.yaml"))
    assert result.exit_code == 2
    assert (example / "spec.yaml").read_text(encoding="utf-8").startswith("# tpqc dataset spec")
