"""NetCDF datasets under the same spec: a CMFD-style monthly series written with netCDF4,
each defect planted in one month and reported once by its code, statistics equal to an
independent numpy computation, bad files reported with the library's reason, time axes
checked within and across files, and STAC items with datacube fields."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import pytest

from tpqc.examples.cmfd.generate import DEFECTS, NAME, write_cmfd_month, write_example
from tpqc.validators.kinds.netcdf.reader import NetcdfReadJob
from tpqc_testkit import run_cli, validate_json

CC_DATA = Path(__import__("compliance_checker").__file__).parent / "tests" / "data"
FEBRUARY = NAME.format(year=2018, month=2)


@pytest.fixture(scope="module")
def cmfd_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cmfd-master")
    write_example(folder)
    return folder


@pytest.fixture
def cmfd(cmfd_master: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "cmfd"
    shutil.copytree(cmfd_master, folder)
    return folder


def found(report: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return sorted((f["code"], f["path"], f.get("field")) for f in report["findings"])


def test_clean_series_passes_and_statistics_are_exact(cmfd: Path) -> None:
    code, report = validate_json(cmfd / "spec.yaml")
    assert (code, report["findings"]) == (0, [])
    files = {f["path"]: f for f in report["files"]}
    with netCDF4.Dataset(cmfd / FEBRUARY) as ds:
        values = ds["prec"][:]  # netCDF4 unpacks and masks by itself: an independent oracle
        steps = len(ds["time"])
    band = files[FEBRUARY]["bands"][0]
    assert band["valid"] == values.count() and band["pixels"] == values.size
    assert band["min"] == pytest.approx(float(values.min()), abs=1e-12)
    assert band["max"] == pytest.approx(float(values.max()), abs=1e-12)
    assert band["mean"] == pytest.approx(float(values.mean(dtype=np.float64)), rel=1e-12)
    assert band["stddev"] == pytest.approx(float(values.std(dtype=np.float64)), rel=1e-9)
    netcdf = files[FEBRUARY]["netcdf"]
    assert (netcdf["variable"], netcdf["time_steps"], netcdf["calendar"]) == (
        "prec",
        steps,
        "standard",
    )
    assert (netcdf["time_first"], netcdf["time_last"]) == (
        "2018-02-01T00:00:00",
        "2018-02-28T21:00:00",
    )
    assert files[FEBRUARY]["crs"]["code"] == "EPSG:4326"


EXPECTED = {
    "missing_step": [("D007", FEBRUARY, "time")],
    "units": [("C003", FEBRUARY, "prec")],
    "fill_in_data": [("C009", FEBRUARY, "prec")],
    "standard_name": [("C004", FEBRUARY, "prec")],
    "no_history": [("C008", FEBRUARY, "history")],
}


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_each_planted_defect_is_reported_once(cmfd: Path, defect: str) -> None:
    write_cmfd_month(cmfd / FEBRUARY, 2018, 2, defects=[defect])
    _, report = validate_json(cmfd / "spec.yaml")
    assert found(report) == EXPECTED[defect]


def test_wrong_grid_is_a_resolution_mismatch(cmfd: Path) -> None:
    write_cmfd_month(cmfd / FEBRUARY, 2018, 2, defects=["grid"])
    _, report = validate_json(cmfd / "spec.yaml")
    resolution = [f for f in report["findings"] if f["code"] == "R007"]
    assert {f["path"] for f in resolution} == {FEBRUARY}
    assert {f["actual"] for f in resolution} == {"0.25 deg"}
    assert set(DEFECTS) == set(EXPECTED) | {"grid"}


def test_values_out_of_range_are_located_at_their_time_step(cmfd: Path) -> None:
    with netCDF4.Dataset(cmfd / FEBRUARY, "r+") as ds:
        ds["prec"].set_auto_maskandscale(False)
        ds["prec"][7, 12, 30] = 30000  # 30 mm/h in packed units of 0.001
    spec = cmfd / "spec.yaml"
    spec.write_text(spec.read_text().replace("max: 50,", "max: 20,"), encoding="utf-8")
    _, report = validate_json(spec)
    (finding,) = [f for f in report["findings"] if f["code"] == "R014"]
    assert (finding["path"], finding["band"], finding["row"], finding["column"]) == (
        FEBRUARY,
        8,
        12,
        30,
    )
    assert finding["details"]["time"] == "2018-02-01T21:00:00"
    assert finding["actual"]["max"] == pytest.approx(30.0)


def test_time_steps_missing_and_duplicated_across_files(cmfd: Path) -> None:
    (cmfd / NAME.format(year=2018, month=3)).unlink()
    # January written again as February's file: its steps occur twice and February's are gone
    write_cmfd_month(cmfd / FEBRUARY, 2018, 1)
    _, report = validate_json(cmfd / "spec.yaml", "--ignore", "M001")
    codes = {(f["code"], f["path"]) for f in report["findings"]}
    assert ("D001", None) in codes  # March is missing by name
    assert ("D008", FEBRUARY) in codes


def test_declared_coverage_is_compared_with_the_time_axis(cmfd: Path) -> None:
    spec = cmfd / "spec.yaml"
    spec.write_text(
        spec.read_text().replace("end: 2018-03-31", "end: 2018-06-30"), encoding="utf-8"
    )
    _, report = validate_json(spec, "--select", "M001")
    (finding,) = report["findings"]
    assert finding["expected"][1].startswith("2018-03-31")


def test_bad_files_are_findings_with_the_library_reason(cmfd: Path) -> None:
    january = cmfd / NAME.format(year=2018, month=1)
    january.write_bytes(january.read_bytes()[: january.stat().st_size // 2])  # truncated HDF5
    march = cmfd / NAME.format(year=2018, month=3)
    with netCDF4.Dataset(march, "w", format="NETCDF3_CLASSIC") as ds:
        ds.createDimension("x", 3)
        ds.createVariable("prec", "f4", ("x",))[:] = 1.0
    raw = bytearray(march.read_bytes())
    raw[8:12] = b"\x7f\x7f\x7f\x7f"  # the header's dimension list tag
    march.write_bytes(bytes(raw))
    _, report = validate_json(cmfd / "spec.yaml")
    by_path = {f["path"]: f for f in report["findings"] if f["code"] == "C001"}
    assert set(by_path) == {january.name, march.name}
    assert "HDF error" in by_path[january.name]["actual"]  # netCDF4's own words
    assert "Invalid argument" in by_path[march.name]["actual"]
    assert {f["path"] for f in report["files"]} >= {FEBRUARY}


def test_a_variable_the_file_does_not_have(cmfd: Path) -> None:
    spec = cmfd / "spec.yaml"
    spec.write_text(spec.read_text().replace("variable: prec", "variable: tmp"), encoding="utf-8")
    _, report = validate_json(spec)
    missing = [f for f in report["findings"] if f["code"] == "C002"]
    assert len(missing) == 3 and all(f["actual"] == ["prec"] for f in missing)


def write_grid(
    path: Path,
    *,
    calendar: str = "standard",
    units: str = "days since 2000-01-01",
    mapping: dict[str, Any] | None = None,
    mapping_name: str | None = None,
) -> None:
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        for name in ("title", "institution", "source", "history"):
            ds.setncattr(name, name)
        ds.Conventions = "CF-1.8"
        ds.createDimension("time", 4)
        ds.createDimension("y", 5)
        ds.createDimension("x", 6)
        time = ds.createVariable("time", "f8", ("time",))
        time.units, time.calendar = units, calendar
        time[:] = [0, 1, 2, 3]
        if mapping is not None:
            y = ds.createVariable("y", "f8", ("y",))
            y.units, y.standard_name = "m", "projection_y_coordinate"
            y[:] = 3000000 - np.arange(5) * 1000.0
            x = ds.createVariable("x", "f8", ("x",))
            x.units, x.standard_name = "m", "projection_x_coordinate"
            x[:] = 500000 + np.arange(6) * 1000.0
            crs = ds.createVariable("crs", "i4")
            for key, value in mapping.items():
                crs.setncattr(key, value)
        t = ds.createVariable("tas", "f4", ("time", "y", "x"), fill_value=-999.0)
        t.units, t.standard_name = "K", "air_temperature"
        if mapping_name is not None:
            t.grid_mapping = mapping_name
        t[:] = 270 + np.arange(120, dtype=np.float32).reshape(4, 5, 6) / 10


def test_calendars_are_decoded_by_their_own_rules(tmp_path: Path) -> None:
    write_grid(tmp_path / "noleap.nc", calendar="noleap", units="days since 2001-02-27")
    write_grid(tmp_path / "360.nc", calendar="360_day", units="days since 2001-02-28")
    noleap = NetcdfReadJob().read(str(tmp_path), "noleap.nc")
    assert noleap.times == (
        "2001-02-27T00:00:00",
        "2001-02-28T00:00:00",
        "2001-03-01T00:00:00",
        "2001-03-02T00:00:00",
    )
    days360 = NetcdfReadJob().read(str(tmp_path), "360.nc")
    assert days360.times[1:3] == ("2001-02-29T00:00:00", "2001-02-30T00:00:00")
    write_grid(tmp_path / "bad.nc", units="days after 2000-01-01")
    bad = NetcdfReadJob().read(str(tmp_path), "bad.nc")
    assert bad.time_error is not None and bad.times == ()


UTM47 = {
    "grid_mapping_name": "transverse_mercator",
    "longitude_of_central_meridian": 99.0,
    "latitude_of_projection_origin": 0.0,
    "scale_factor_at_central_meridian": 0.9996,
    "false_easting": 500000.0,
    "false_northing": 0.0,
    "semi_major_axis": 6378137.0,
    "inverse_flattening": 298.257223563,
}


def test_grid_mapping_gives_the_crs_or_a_finding(tmp_path: Path) -> None:
    from tpqc.validators.grid.geo import crs_equivalent

    write_grid(tmp_path / "utm.nc", mapping=UTM47, mapping_name="crs")
    utm = NetcdfReadJob().read(str(tmp_path), "utm.nc")
    assert utm.crs_source == "grid_mapping crs" and utm.crs_error is None
    assert utm.crs_wkt is not None and crs_equivalent("EPSG:32647", utm.crs_wkt)
    assert utm.transform == (1000.0, 0.0, 499500.0, 0.0, -1000.0, 3000500.0)
    write_grid(tmp_path / "lost.nc", mapping=UTM47, mapping_name="nowhere")
    lost = NetcdfReadJob().read(str(tmp_path), "lost.nc")
    assert lost.crs_wkt is None and "nowhere" in str(lost.crs_error)


def test_real_compliance_checker_file_with_bad_cf_attributes(tmp_path: Path) -> None:
    # bad_region.nc ships with compliance-checker (IOOS) as a file that breaks CF: units
    # and standard_name are person's names, the time coordinate has no units, and the
    # variable is stored (latitude, longitude, time).
    shutil.copy(CC_DATA / "bad_region.nc", tmp_path / "bad_region.nc")
    (tmp_path / "spec.yaml").write_text(
        "spec_version: 1\ndata: .\ndataset: {id: cc}\nrasters:\n"
        "  - {name: salinity, pattern: bad_region.nc, variable: salinity}\n",
        encoding="utf-8",
    )
    _, report = validate_json(tmp_path / "spec.yaml", "--select", "C")
    codes = {(f["code"], f.get("field")) for f in report["findings"]}
    assert {("C003", "salinity"), ("C004", "salinity"), ("C006", "time")} <= codes
    facts = NetcdfReadJob(variable="salinity").read(str(tmp_path), "bad_region.nc")
    with netCDF4.Dataset(tmp_path / "bad_region.nc") as ds:
        oracle = ds["salinity"][:]
    assert (facts.valid, facts.minimum, facts.maximum) == (
        oracle.count(),
        float(oracle.min()),
        float(oracle.max()),
    )


def test_catalog_items_carry_datacube_fields(cmfd: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalog"
    result = run_cli("stac", str(cmfd / "spec.yaml"), "--out", str(out), "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    (item_path, *_) = sorted(out.glob("*/*/*.json"))
    item = json.loads(item_path.read_text(encoding="utf-8"))
    assert (
        "https://stac-extensions.github.io/datacube/v2.3.0/schema.json" in item["stac_extensions"]
    )
    props = item["properties"]
    assert props["cube:dimensions"]["time"]["step"] == "PT3H"
    assert props["cube:dimensions"]["lon"]["axis"] == "x"
    assert props["cube:variables"]["prec"]["unit"] == "mm hr-1"
    assert item["assets"]["data"]["type"] == "application/netcdf"
    checked = run_cli("check-stac", str(out), "-f", "json")
    report = json.loads(checked.stdout)
    # The official datacube schema ships with tpqc: validated offline, nothing left unchecked.
    assert report["findings"] == []
    assert checked.exit_code == 0


def test_a_file_read_in_shares_gives_the_same_facts(cmfd: Path) -> None:
    job = NetcdfReadJob(variable="prec", value_min=0.0, value_max=3.0, quicklook=True)
    whole = job.read(str(cmfd), FEBRUARY)
    parts = [job.read_part(str(cmfd), FEBRUARY, k, 3) for k in range(3)]
    merged = job.assemble(parts, whole.sha256)
    assert merged == whole  # statistics folded in time order: bit for bit
    assert whole.out_of_range > 0 and len(whole.step_means) == len(whole.times)
