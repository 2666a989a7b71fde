"""NetCDF values counted as netCDF4 counts them: ``valid_range``/``valid_min``/``valid_max``
and NetCDF's default fill are missing, ``_Unsigned`` reads unsigned; statistics equal
netCDF4's masked arrays on files built here and on every CDL file of compliance-checker's
test material (compiled with Debian's ``ncgen``); valid time units with missing time values
are C012, not C006; a curvilinear grid's 2-D latitude without units is C003; text packing
attributes are C011 and a text variable is a clear error, never a crash."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import pytest

from tpqc.validators.kinds.netcdf.reader import NetcdfReadJob
from tpqc_testkit import run_cli

CC_DATA = Path(__import__("compliance_checker").__file__).parent / "tests" / "data"
NCGEN = shutil.which("ncgen")


def reference(path: Path, name: str) -> tuple[int, float | None, float | None, float | None]:
    """Valid count, min, max and mean of the variable as netCDF4's masked array has it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with netCDF4.Dataset(path) as ds:
            data = np.ma.masked_invalid(np.ma.asarray(ds[name][:], dtype=np.float64))
    valid = int(data.count())
    if not valid:
        return 0, None, None, None
    return valid, float(data.min()), float(data.max()), float(data.mean(dtype=np.float64))


def ours(path: Path, name: str) -> tuple[int, float | None, float | None, float | None]:
    facts = NetcdfReadJob(variable=name).read(str(path.parent), path.name)
    assert facts.decode_error is None and facts.open_error is None, (path, name)
    return facts.valid, facts.minimum, facts.maximum, facts.mean


def same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    if a[0] != b[0]:
        return False
    return all(
        (x is None and y is None)
        or (x is not None and y is not None and math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12))
        for x, y in zip(a[1:], b[1:], strict=True)
    )


def grid_file(path: Path, **variables: tuple[str, np.ndarray[Any, Any], dict[str, Any]]) -> Path:
    """A 2-D lat/lon file with one variable per keyword: (type, stored values, attributes);
    masked cells are written as the fill (NetCDF's default one without ``_FillValue``)."""
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("lat", 8)
        ds.createDimension("lon", 16)
        for axis, units, start in (("lat", "degrees_north", 30.5), ("lon", "degrees_east", 90.5)):
            coordinate = ds.createVariable(axis, "f8", (axis,))
            coordinate.units = units
            coordinate[:] = np.arange(ds.dimensions[axis].size) + start
        for name, (kind, values, attrs) in variables.items():
            fill = attrs.pop("_FillValue", None)
            variable = ds.createVariable(name, kind, ("lat", "lon"), fill_value=fill)
            variable.setncatts(attrs)
            if not np.ma.isMaskedArray(values):  # stored as given
                variable.set_auto_maskandscale(False)
            variable[:] = values  # masked cells get the (default) fill
    return path


def test_values_outside_the_valid_range_are_missing(tmp_path: Path) -> None:
    values = np.linspace(0.0, 14.89, 128).reshape(8, 16).astype("f4")
    values[3, 4] = 25.0
    path = grid_file(tmp_path / "r.nc", v=("f4", values, {"valid_range": np.array([0, 20], "f4")}))
    assert ours(path, "v") == pytest.approx(reference(path, "v"), rel=1e-12)
    valid, _, maximum, _ = ours(path, "v")
    assert valid == 127 and maximum == pytest.approx(14.89, rel=1e-6)
    split = grid_file(
        tmp_path / "m.nc",
        v=("i2", np.arange(128, dtype="i2").reshape(8, 16), {"valid_min": 10, "valid_max": 99}),
    )
    assert ours(split, "v") == reference(split, "v") == (90, 10.0, 99.0, 54.5)


def test_the_default_fill_is_missing_and_no_undeclared_fill(tmp_path: Path) -> None:
    values = np.ma.masked_array(np.full((8, 16), 2.5, "f4"), mask=False)
    values[0, :5] = np.ma.masked  # never written: NetCDF's default fill 9.96921e36
    values[1, 0] = -9999.0  # a common code nobody declared
    path = grid_file(tmp_path / "SM_1.nc", sm=("f4", values, {"units": "m3 m-3"}))
    facts = NetcdfReadJob(variable="sm").read(str(tmp_path), path.name)
    assert facts.implicit_fill == pytest.approx(9.969209968386869e36)
    assert (facts.valid, facts.nodata_count) == (123, 5)
    assert (facts.valid, facts.minimum) == reference(path, "sm")[:2]
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "spec_version: 1\ndataset: {id: x}\n"
        "rasters:\n  - {name: sm, pattern: 'SM_{n}.nc', variable: sm, nodata: required}\n",
        encoding="utf-8",
    )
    report = json.loads(run_cli("validate", str(spec), "-f", "json", "--no-cache").stdout)
    undeclared = [f for f in report["findings"] if f["code"] == "C009"]
    assert [f["actual"] for f in undeclared] == [{"value": -9999.0, "count": 1}]
    assert not [f for f in report["findings"] if f["code"] in ("R010", "R011")]  # nodata known
    (entry,) = report["files"]
    assert entry["netcdf"]["implicit_fill"] == pytest.approx(9.969209968386869e36)


def test_a_byte_variable_not_prefilled_has_no_default_fill(tmp_path: Path) -> None:
    path = tmp_path / "b.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("lat", 2)
        ds.createDimension("lon", 2)
        variable = ds.createVariable("b", "i1", ("lat", "lon"), fill_value=False)
        variable[:] = np.array([[-127, 1], [2, 3]], "i1")
    assert ours(path, "b") == reference(path, "b") == (4, -127.0, 3.0, -30.25)


def test_unsigned_bytes_are_read_unsigned(tmp_path: Path) -> None:
    stored = np.array([[-1, 1], [2, -56]], "i1")  # 255 and 200 as unsigned
    path = tmp_path / "u.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("lat", 2)
        ds.createDimension("lon", 2)
        variable = ds.createVariable("u", "i1", ("lat", "lon"), fill_value=False)
        variable.setncattr("_Unsigned", "true")
        variable.set_auto_maskandscale(False)
        variable[:] = stored
    assert ours(path, "u") == reference(path, "u") == (4, 1.0, 255.0, 114.5)


@pytest.mark.skipif(
    NCGEN is None and not os.environ.get("TPQC_REQUIRE_NCGEN"),
    reason="ncgen (Debian netcdf-bin) compiles compliance-checker's CDL files",
)
def test_statistics_equal_netcdf4_on_compliance_checkers_material(tmp_path: Path) -> None:
    assert NCGEN is not None, "ncgen is required (apt-get install netcdf-bin)"
    files = sorted(CC_DATA.rglob("*.nc"))
    for cdl in sorted(CC_DATA.rglob("*.cdl")):
        target = tmp_path / f"{cdl.stem}.nc"
        done = subprocess.run(
            [NCGEN, "-k", "nc4", "-o", str(target), str(cdl)], capture_output=True, check=False
        )
        if done.returncode != 0:
            done = subprocess.run(
                [NCGEN, "-o", str(target), str(cdl)], capture_output=True, check=False
            )
        assert done.returncode == 0, (cdl, done.stderr)
        files.append(target)
    compared = masked_by_default_fill = masked_by_range = 0
    for path in files:
        facts = NetcdfReadJob().read(str(path.parent), path.name)
        for name in facts.data_variables:
            variable = NetcdfReadJob(variable=name).read(str(path.parent), path.name)
            if variable.packing_error is not None:
                continue  # text packing attributes: netCDF4 leaves the values packed
            assert same(ours(path, name), reference(path, name)), (path.name, name)
            compared += 1
            masked_by_default_fill += variable.implicit_fill is not None and bool(
                variable.nodata_count
            )
            masked_by_range += variable.valid_min is not None or variable.valid_max is not None
    assert compared >= 200 and len(files) >= 119
    assert masked_by_default_fill >= 17 and masked_by_range >= 17


def test_text_packing_attributes_are_a_finding(tmp_path: Path) -> None:
    path = grid_file(
        tmp_path / "h_1.nc",
        u=("i2", np.ones((8, 16), "i2"), {"scale_factor": "0.001f", "units": "m/s"}),
    )
    facts = NetcdfReadJob(variable="u").read(str(tmp_path), path.name)
    assert facts.open_error is None and facts.packing_error is not None
    assert "scale_factor" in facts.packing_error and "0.001f" in facts.packing_error


def test_a_text_variable_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "t_1.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("station", 2)
        ds.createDimension("chars", 4)
        names = ds.createVariable("names", "S1", ("station", "chars"))
        names[:] = netCDF4.stringtochar(np.array(["ab", "cd"], "S4"))
    facts = NetcdfReadJob(variable="names").read(str(tmp_path), path.name)
    assert facts.variable is None and facts.variable_error is not None
    assert "S1" in facts.variable_error
    assert NetcdfReadJob().read(str(tmp_path), path.name).data_variables == ()


def time_file(path: Path, units: str, times: np.ndarray[Any, Any]) -> Path:
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", times.size)
        ds.createDimension("lat", 2)
        ds.createDimension("lon", 2)
        for axis, axis_units in (("lat", "degrees_north"), ("lon", "degrees_east")):
            coordinate = ds.createVariable(axis, "f8", (axis,))
            coordinate.units = axis_units
            coordinate[:] = [30.5, 31.5]
        time = ds.createVariable("time", "f8", ("time",), fill_value=-1.0)
        time.units = units
        time[:] = times
        values = ds.createVariable("v", "f4", ("time", "lat", "lon"))
        values.units = "K"
        values[:] = np.full((times.size, 2, 2), 280.0, "f4")
    return path


def netcdf_codes(folder: Path, name: str) -> list[tuple[str, str | None]]:
    spec = folder / f"{name}.yaml"
    spec.write_text(
        "spec_version: 1\ndataset: {id: x}\n"
        f"rasters:\n  - {{name: v, pattern: '{name}.nc', variable: v}}\n",
        encoding="utf-8",
    )
    report = json.loads(run_cli("validate", str(spec), "-f", "json", "--no-cache").stdout)
    return sorted((f["code"], f.get("field")) for f in report["findings"] if f["code"][0] == "C")


def test_missing_time_values_are_not_invalid_units(tmp_path: Path) -> None:
    units = "seconds since 1970-01-01T00:00:00Z"
    time_file(tmp_path / "all_fill.nc", units, np.array([-1.0, -1.0]))
    codes = netcdf_codes(tmp_path, "all_fill")
    assert ("C012", "time") in codes and ("C006", "time") not in codes
    time_file(tmp_path / "one_fill.nc", units, np.array([0.0, -1.0]))
    facts = NetcdfReadJob(variable="v").read(str(tmp_path), "one_fill.nc")
    assert (facts.times_missing, facts.times) == (1, ("1970-01-01T00:00:00",))
    time_file(tmp_path / "bad_units.nc", "seconds after the big bang", np.array([0.0, 1.0]))
    codes = netcdf_codes(tmp_path, "bad_units")
    assert ("C006", "time") in codes and ("C012", "time") not in codes


def test_a_curvilinear_latitude_without_units_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "curvi.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("y", 3)
        ds.createDimension("x", 4)
        lat = ds.createVariable("lat2d", "f8", ("y", "x"))
        lat.standard_name = "latitude"  # no units
        lat[:] = np.arange(12.0).reshape(3, 4)
        lon = ds.createVariable("lon2d", "f8", ("y", "x"))
        lon.units = "degrees_east"
        lon.axis = "X"
        lon[:] = np.arange(12.0).reshape(3, 4) + 90
        values = ds.createVariable("v", "f4", ("y", "x"))
        values.units = "K"
        values.coordinates = "lat2d lon2d"
        values[:] = np.full((3, 4), 280.0, "f4")
    codes = netcdf_codes(tmp_path, "curvi")
    assert ("C003", "lat2d") in codes and ("C003", "lon2d") not in codes
