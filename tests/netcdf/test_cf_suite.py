"""compliance-checker's suites as an opt-in check family: each failed check is one C013
finding with compliance-checker's own messages, its section and its priority as severity;
nothing runs without the opt-in; the data variable's values are not read again (its
``actual_range`` is judged by C014 from the one read)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np

from tpqc_testkit import run_cli


def write(folder: Path, *, actual_range: tuple[float, float] | None = None) -> None:
    with netCDF4.Dataset(folder / "sst_1.nc", "w") as ds:  # no Conventions, no title
        ds.createDimension("lat", 4)
        ds.createDimension("lon", 5)
        lat = ds.createVariable("lat", "f8", ("lat",))
        lat.units = "degrees_north"
        lat.standard_name = "latitude"
        lat[:] = [30.5, 31.5, 31.5, 32.5]  # not strictly monotonic: CF 1.2, a requirement
        lon = ds.createVariable("lon", "f8", ("lon",))
        lon.units = "degrees_east"
        lon.standard_name = "longitude"
        lon[:] = np.arange(5) + 90.5
        sst = ds.createVariable("sst", "f4", ("lat", "lon"), fill_value=-999.0)
        sst.units = "K"
        sst.standard_name = "sea_surface_temperature"
        if actual_range is not None:
            sst.actual_range = np.array(actual_range, "f4")
        sst[:] = np.arange(20, dtype="f4").reshape(4, 5) + 280


def validate(folder: Path, cf: str | None) -> dict[str, Any]:
    option = f", cf: {cf}" if cf else ""
    (folder / "spec.yaml").write_text(
        "spec_version: 1\ndataset: {id: x}\n"
        f"rasters:\n  - {{name: sst, pattern: 'sst_{{n}}.nc', variable: sst{option}}}\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(folder / "spec.yaml"), "-f", "json", "--no-cache")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_each_failed_check_is_a_finding_with_its_section_and_priority(tmp_path: Path) -> None:
    write(tmp_path)
    report = validate(tmp_path, "{suite: cf-1.8}")
    suite = [f for f in report["findings"] if f["code"] == "C013"]
    sections = {f["details"]["section"]: f for f in suite}
    monotonic = sections["§1.2 Terminology"]
    assert monotonic["severity"] == "error" and monotonic["details"]["priority"] == 3
    assert any("lat" in message and "monotonic" in message for message in monotonic["actual"])
    attributes = sections["§2.6 Attributes"]
    assert attributes["severity"] == "warning" and attributes["details"]["priority"] == 2
    assert {f["expected"] for f in suite} == {"cf-1.8"} and {f["path"] for f in suite} == {
        "sst_1.nc"
    }


def test_several_suites_and_nothing_without_the_opt_in(tmp_path: Path) -> None:
    write(tmp_path)
    both = validate(tmp_path, "{suite: [cf-1.8, acdd-1.3]}")
    assert {f["details"]["suite"] for f in both["findings"] if f["code"] == "C013"} == {
        "cf-1.8",
        "acdd-1.3",
    }
    plain = validate(tmp_path, None)
    assert not [f for f in plain["findings"] if f["code"] == "C013"]


def test_an_unknown_suite_is_a_located_spec_error(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "spec.yaml").write_text(
        "spec_version: 1\ndataset: {id: x}\n"
        "rasters:\n  - {name: sst, pattern: 'sst_{n}.nc', cf: {suite: cf-2.0}}\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(tmp_path / "spec.yaml"))
    assert result.exit_code == 2 and "rasters[0].cf.suite" in result.stderr


def test_actual_range_is_judged_from_the_one_read(tmp_path: Path) -> None:
    write(tmp_path, actual_range=(280.0, 300.0))  # the values run 280..299
    report = validate(tmp_path, "{suite: cf-1.8}")
    (mismatch,) = [f for f in report["findings"] if f["code"] == "C014"]
    assert mismatch["expected"] == [280.0, 299.0] and mismatch["actual"] == [280.0, 300.0]
    # compliance-checker's own actual_range check, which reads the values, does not run
    messages = [m for f in report["findings"] if f["code"] == "C013" for m in f["actual"]]
    assert not [m for m in messages if "actual_range" in m]
    write(tmp_path, actual_range=(280.0, 299.0))
    report = validate(tmp_path, None)
    assert not [f for f in report["findings"] if f["code"] == "C014"]
