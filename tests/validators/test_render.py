"""Report renderers: JSON valid against its schema, JUnit parseable, text grouped by file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from tpqc.schemas.resources import load_json_schema
from tpqc_testkit import run_cli


def plant_out_of_range(example: Path) -> None:
    import rasterio

    path = example / "Wudaoliang_ALT_2019.tif"
    with rasterio.open(path) as src:
        data, profile = src.read(), src.profile
    data[0, 1, 2] = 42.0
    data[0, 3, 3] = float("nan")
    path.unlink()
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)


def test_json_report_validates_against_schema(example: Path) -> None:
    plant_out_of_range(example)
    result = run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-j", "1")
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(load_json_schema("report.schema.json")).validate(report)
    assert report["report_version"] == "1.2"
    assert report["summary"]["errors"] == 2 and report["summary"]["passed"] is False
    assert [f["code"] for f in report["findings"]] == ["R014", "R015"]
    (file_2019,) = [f for f in report["files"] if f["path"] == "Wudaoliang_ALT_2019.tif"]
    assert file_2019["crs"]["code"] == "EPSG:4326"
    assert file_2019["bands"][0]["max"] == 42.0
    assert file_2019["bands"][0]["nan_count"] == 1
    assert len(file_2019["sha256"]) == 64


def test_json_report_is_deterministic_and_utf8(example: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert (
        run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-o", str(first)).exit_code
        == 0
    )
    assert (
        run_cli(
            "validate", str(example / "spec.yaml"), "-f", "json", "-o", str(second), "-j", "1"
        ).exit_code
        == 0
    )
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().endswith(b"\n")


def test_junit_has_a_case_per_file_and_check(example: Path) -> None:
    plant_out_of_range(example)
    result = run_cli("validate", str(example / "spec.yaml"), "-f", "junit", "-j", "1")
    root = ET.fromstring(result.stdout)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {f"Wudaoliang_ALT_{y}.tif" for y in (2017, 2018, 2019, 2020)}
    failing = suites["Wudaoliang_ALT_2019.tif"]
    assert failing.get("failures") == "2"
    failed_cases = sorted(
        c.get("name") for c in failing.iter("testcase") if c.find("failure") is not None
    )
    assert failed_cases == ["R014 value-out-of-range", "R015 nan-or-inf"]
    assert suites["Wudaoliang_ALT_2017.tif"].get("failures") == "0"
    assert int(suites["Wudaoliang_ALT_2017.tif"].get("tests", "0")) >= 18
    assert root.get("failures") == "2"


def test_text_report_groups_by_file(example: Path) -> None:
    plant_out_of_range(example)
    text = run_cli("validate", str(example / "spec.yaml"), "-j", "1").stdout
    lines = text.splitlines()
    header = lines.index("Wudaoliang_ALT_2019.tif")
    assert "R014 value-out-of-range" in lines[header + 1]
    assert "Wudaoliang_ALT_2017.tif  ok" in lines
    assert "\x1b[" not in text
    assert lines[-1].startswith("4 files, 2 errors")


def test_github_annotations(example: Path) -> None:
    plant_out_of_range(example)
    out = run_cli("validate", str(example / "spec.yaml"), "-f", "github", "-j", "1").stdout
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "::error file=Wudaoliang_ALT_2019.tif,title=R014 value-out-of-range::"
    )
