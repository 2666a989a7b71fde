"""Spec traps a curator falls into are located errors with the accepted forms; written forms
people use are accepted; tolerances fit real metadata."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from affine import Affine

from tpqc.errors import SpecError
from tpqc.examples.wudaoliang.generate import alt_field, write_alt
from tpqc.schemas.spec import load_spec
from tpqc.schemas.spec_values import StepError, parse_step
from tpqc_testkit import run_cli, validate_json

Edit = Callable[[str, str], None]


def problems(example: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(example / "spec.yaml")
    return caught.value.problems


def test_unknown_field_is_located_and_suggested(example: Path, edit_spec: Edit) -> None:
    edit_spec("fields: {year: {min: 2017, max: 2020}}", "fields: {yaer: {min: 2017, max: 2020}}")
    (problem,) = problems(example)
    assert problem.startswith("rasters[0].fields.yaer: 'yaer' is not a field of the pattern")
    lines = (example / "spec.yaml").read_text(encoding="utf-8").splitlines()
    line = 1 + next(i for i, text in enumerate(lines) if "yaer" in text)
    assert "did you mean 'year'?" in problem and f"(line {line})" in problem


def test_start_after_end_is_located(example: Path, edit_spec: Edit) -> None:
    edit_spec("start: 2017-01-01", "start: 2021-01-01")
    (problem,) = problems(example)
    assert problem.startswith("dataset.temporal.start: start 2021-01-01 is after end 2020-12-31")


def test_duplicate_key_is_located(example: Path, edit_spec: Edit) -> None:
    edit_spec("    bands: 1\n", "    bands: 1\n    bands: 2\n")
    (problem,) = problems(example)
    assert problem.startswith("rasters[0].bands: duplicate key 'bands'")


@pytest.mark.parametrize(
    ("old", "new", "where", "suggestion"),
    [
        ("end: 2020-12-31", "end: 2020/12/31", "dataset.temporal.end", "write 2020-12-31"),
        ("resolution: P1Y", "resolution: 1 year", "dataset.temporal.resolution", "write P1Y"),
        ("crs: EPSG:4326", "crs: EPSG 4326", "rasters[0].crs", "did you mean EPSG:4326?"),
        ("nodata: required", "nodata: none", "rasters[0].nodata", "required (any nodata"),
        (
            "resolution: {value: 1, unit: km, tolerance: 0.25}",
            "resolution: 1km - 10km",
            "rasters[0].resolution",
            "1 km, 30 m, 0.01 deg",
        ),
    ],
)
def test_refusals_say_what_is_accepted(
    example: Path, edit_spec: Edit, old: str, new: str, where: str, suggestion: str
) -> None:
    edit_spec(old, new)
    (problem,) = problems(example)
    assert problem.startswith(where + ":") and suggestion in problem
    assert "^P(?!$)" not in problem and "<unicode string>" not in problem


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("nodata: required", "nodata: '-9999'"),
        ("resolution: {value: 1, unit: km, tolerance: 0.25}", "resolution: 1km"),
        ("resolution: {value: 1, unit: km, tolerance: 0.25}", "resolution: 30 arcsec"),
        ("resolution: {value: 1, unit: km, tolerance: 0.25}", "resolution: {value: 1, unit: km}"),
    ],
)
def test_forms_people_write_are_accepted(
    example: Path, edit_spec: Edit, old: str, new: str
) -> None:
    edit_spec(old, new)
    code, report = validate_json(example / "spec.yaml")
    assert report["findings"] == [] and code == 0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1D", 86400),
        ("D", 86400),
        ("1d", 86400),
        ("10T", 600),
        ("10min", 600),
        ("30min", 1800),
        ("30 min", 1800),
        ("H", 3600),
        ("1h", 3600),
        ("PT30M", 1800),
        ("pt30m", 1800),
        ("P1D", 86400),
        ("P1W", 604800),
        ("30s", 30),
    ],
)
def test_time_steps_as_people_write_them(text: str, seconds: int) -> None:
    assert parse_step(text) == seconds


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("M", "ambiguous"),
        ("MS", "ambiguous"),
        ("1Y", "calendar"),
        ("P1M", "calendar"),
        ("fortnight", "not a time step"),
    ],
)
def test_ambiguous_and_calendar_steps_are_refused_with_the_accepted_forms(
    text: str, why: str
) -> None:
    with pytest.raises(StepError) as caught:
        parse_step(text)
    assert why in str(caught.value) and "10min, 30min, 10T, 1h" in str(caught.value)


def test_step_refusal_is_a_located_spec_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "spec_version: 1\ndataset: {id: t}\ntables:\n"
        "  - {name: aws, pattern: '{s}.csv', time: {column: T, step: M}}\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(spec))
    assert result.exit_code == 2 and "tables[0].time.step" in result.stderr
    assert "ambiguous" in result.stderr and "(line 4)" in result.stderr


def test_one_km_on_a_0_009_degree_grid_passes_by_default(example: Path, edit_spec: Edit) -> None:
    edit_spec(
        "resolution: {value: 1, unit: km, tolerance: 0.25}", "resolution: {value: 1, unit: km}"
    )
    for year in (2017, 2018, 2019, 2020):
        path = example / f"Wudaoliang_ALT_{year}.tif"
        path.unlink()
        data = alt_field(year)[:90, :249].copy()
        write_alt(path, data, transform=Affine(0.009, 0, 91.80, 0, -0.009, 35.61))
    code, report = validate_json(example / "spec.yaml", "--select", "R007,M003")
    assert report["findings"] == [] and code == 0
    edit_spec(
        "resolution: {value: 1, unit: km}", "resolution: {value: 1, unit: km, tolerance: 0.001}"
    )
    code, report = validate_json(example / "spec.yaml", "--select", "R007")
    assert {f["code"] for f in report["findings"]} == {"R007"}  # 0.009 deg is 0.998 km


def test_extent_declared_to_hundredths_passes_clean_tiles(example: Path) -> None:
    # 0.002-degree tiles whose union reaches 94.032 east: "94.04" is that rounded up to 0.01.
    for year in (2017, 2018, 2019, 2020):
        path = example / f"Wudaoliang_ALT_{year}.tif"
        path.unlink()
        left = 91.80 + (year - 2017) * 0.558
        data = np.full((405, 279), 2.5, np.float32)
        write_alt(path, data, transform=Affine(0.002, 0, left, 0, -0.002, 35.61))
    spec = example / "spec.yaml"
    text = spec.read_text(encoding="utf-8")
    code, report = validate_json(spec, "--select", "M002,R008")
    assert report["findings"] == [] and code == 0
    spec.write_text(text.replace("east: 94.04", "east: 94.040"), encoding="utf-8")
    code, report = validate_json(spec, "--select", "M002")  # written to 0.001: 0.008 is off
    assert [f["code"] for f in report["findings"]] == ["M002"] and code == 1
    spec.write_text(text.replace("east: 94.04", "east: 94.06, tolerance: 0.03"), encoding="utf-8")
    assert validate_json(spec, "--select", "M002")[1]["findings"] == []


def _monthly(folder: Path) -> Path:
    from tpqc.examples.wudaoliang.generate import spec_text

    for month in range(1, 13):
        write_alt(folder / f"Wudaoliang_ALT_2018{month:02d}.tif", alt_field(2018))
    text = spec_text().replace('"Wudaoliang_ALT_{year}.tif"', '"Wudaoliang_ALT_{year}{month}.tif"')
    text = text.replace(
        "fields: {year: {min: 2017, max: 2020}}", "fields: {year: {min: 2018, max: 2018}}"
    )
    text = text.replace(
        "start: 2017-01-01, end: 2020-12-31, resolution: P1Y",
        "start: 2018-01-01, end: 2018-12-31, resolution: P1Y",
    )
    (folder / "spec.yaml").write_text(text, encoding="utf-8")
    return folder / "spec.yaml"


def test_yearly_resolution_on_monthly_files_is_the_contradiction_itself(tmp_path: Path) -> None:
    spec = _monthly(tmp_path)
    _, report = validate_json(spec, "--no-cache")
    codes = [f["code"] for f in report["findings"]]
    assert codes == ["D006"], report["findings"]  # no misleading M001 or D001
    (finding,) = report["findings"]
    assert (finding["expected"], finding["actual"]) == ("P1M", "P1Y")
    assert (
        finding["details"]["spacing"] == "0.92 months" or "month" in finding["details"]["spacing"]
    )
    out = tmp_path / "stac"
    result = run_cli("stac", str(spec), "--out", str(out), "--allow-failed", "-j", "1")
    assert result.exit_code == 0, result.stderr
    item = json.loads(
        (
            out / "wudaoliang-alt" / "Wudaoliang_ALT_201802" / "Wudaoliang_ALT_201802.json"
        ).read_text()
    )
    props = item["properties"]
    assert (props["start_datetime"], props["end_datetime"]) == (
        "2018-02-01T00:00:00Z",
        "2018-02-28T23:59:59Z",
    )


def test_daily_resolution_on_yearly_files_is_refused_as_well(
    example: Path, edit_spec: Edit
) -> None:
    edit_spec("resolution: P1Y", "resolution: P1D")
    _, report = validate_json(example / "spec.yaml")
    assert [f["code"] for f in report["findings"]] == ["D006"]
