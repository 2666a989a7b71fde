"""A Qilian-style multi-product dataset (yearly GeoTIFFs, a land-cover pair, monthly
NetCDF, station tables) validated as a curator would: exactly the planted errors, no false
series errors; `tpqc init` covers every product and keeps the defects visible (issue 21)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tpqc.examples.qilian.generate import PLANTED, write_example
from tpqc_testkit import run_cli


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset with every defect a curator first met, and its hand-written spec."""
    return write_example(tmp_path_factory.mktemp("qilian") / "data", (*PLANTED, "lc_class"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example(tmp_path_factory.mktemp("qilian-clean") / "data")


def validate(spec: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("validate", str(spec), "-f", "json", "--no-cache", *extra)
    return result.exit_code, json.loads(result.stdout)


def errors(report: dict[str, Any]) -> Counter[tuple[str, str | None]]:
    return Counter((f["code"], f["path"]) for f in report["findings"] if f["severity"] == "error")


def test_the_hand_written_spec_gives_exactly_the_planted_errors(planted: Path) -> None:
    code, report = validate(planted)
    assert code == 1
    assert errors(report) == Counter(
        {
            ("D001", None): 2,  # LST 2017, soil moisture of July 2018: one finding each
            ("R014", "LST/LST_2019.tif"): 1,  # kelvin x 100
            ("R019", "LandCover/LC_2020.tif"): 1,  # a class the legend does not name
            ("T010", "AWS/Dashalong_AWS_2019.csv"): 1,  # 68 hours without records
            ("T008", "AWS/Dashalong_AWS_2019.csv"): 1,  # a record twice
            ("T012", "AWS/Dashalong_AWS_2019.csv"): 1,  # RH of 104 %
        }
    )
    missing = sorted(f["details"]["member"] for f in report["findings"] if f["code"] == "D001")
    assert missing == ["2017", "2018-07"]
    (scaled,) = [f for f in report["findings"] if f["code"] == "R014"]
    assert "100 times" in scaled["hint"] and scaled["actual"]["min"] > 25000
    (unknown,) = [f for f in report["findings"] if f["code"] == "R019"]
    assert unknown["actual"] == {"77": 20}


def test_a_clean_dataset_has_no_finding_at_all(clean: Path) -> None:
    code, report = validate(clean)
    assert report["findings"] == [] and code == 0


def _filled(text: str) -> str:
    """An init spec with its TODOs filled as a curator would."""
    values = {
        '"TODO: the dataset\'s title"': "Qilian Mountains integrated observations",
        '"TODO: what the data is and how it was made"': "Four products of the Qilian Mountains.",
        '"TODO: 10.xxxx/... without https://doi.org/"': "10.11888/Geogra.tpdc.270000",
        '"TODO: Authors (year) Title. Publisher. https://doi.org/..."': (
            '"Example, A. (2026). Qilian Mountains integrated observations. TPDC. '
            'https://doi.org/10.11888/Geogra.tpdc.270000"'
        ),
        '"TODO: an SPDX licence such as CC-BY-4.0"': "CC-BY-4.0",
    }
    for old, new in values.items():
        assert old in text, old
        text = text.replace(old, new)
    assert not [line for line in text.splitlines() if "TODO" in line.split("#")[0]]
    return text


def _init(data: Path, target: Path) -> str:
    result = run_cli("init", str(data), "-o", str(target), "--no-cache")
    assert result.exit_code == 0, result.stderr
    target.write_text(_filled(target.read_text(encoding="utf-8")), encoding="utf-8")
    return target.read_text(encoding="utf-8")


def test_init_covers_every_product_and_keeps_defects_visible(planted: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = _init(planted.parent, spec)
    from tpqc.schemas.spec import load_spec

    loaded = load_spec(spec)
    patterns = {p.pattern for p in loaded.products}
    assert patterns == {
        "LST/LST_{year}.tif",
        "LandCover/LC_{year}.tif",
        "SoilMoisture/SM_{year}{month}.nc",
        "AWS/{station}_AWS_{year}.csv",
    }
    lst, cover, moisture = (
        next(p for p in loaded.rasters if p.pattern.startswith(prefix))
        for prefix in ("LST", "LandCover", "SoilMoisture")
    )
    assert cover.fields["year"].allowed == ("2015", "2020")  # two members, not a series
    assert loaded.dataset.temporal is not None and loaded.dataset.temporal.end is not None
    assert loaded.dataset.temporal.end.year == 2020
    assert moisture.variable == "sm" and moisture.values is not None
    assert lst.values is not None and lst.values.unit == "K"
    assert lst.values.max is not None and lst.values.max <= 350  # the x 100 year left out
    assert "suspect, left out of the value range: LST/LST_2019.tif" in text
    (aws,) = loaded.tables
    assert {c.name: c.variable for c in aws.columns}["RH_5m"] == "relative_humidity"
    code, report = validate(spec)
    found = errors(report)
    assert found[("R014", "LST/LST_2019.tif")] == 1
    assert found[("T012", "AWS/Dashalong_AWS_2019.csv")] == 1
    assert found[("D001", None)] == 2 and code == 1


def test_init_on_clean_files_validates_them_without_error(clean: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    _init(clean.parent, spec)
    code, report = validate(spec)
    assert errors(report) == Counter() and code == 0


def test_init_on_a_folder_without_dates(realdata: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(realdata / "tiff" / "valid" / "byte.tif", data / "byte.tif")
    spec = data / "spec.yaml"
    result = run_cli("init", str(data), "-o", str(spec), "--no-cache")
    assert result.exit_code == 0 and spec.is_file()
    code, report = validate(spec)
    assert code == 1
    # only what a person must write is missing: the TODOs, and the coverage the names lack
    assert {f["code"] for f in report["findings"] if f["severity"] == "error"} == {"M009"}


def test_a_product_coverage_outside_the_datasets_is_located(planted: Path, tmp_path: Path) -> None:
    text = planted.read_text(encoding="utf-8").replace(
        "temporal: {start: 2018-01-01, end: 2018-12-31, resolution: P1M}",
        "temporal: {start: 2014-01-01, end: 2018-12-31, resolution: P1M}",
    )
    spec = planted.parent / "outside.yaml"
    spec.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 2 and "rasters[2].temporal.start" in result.stderr


def test_a_band_unit_other_than_the_declared_one(planted: Path, tmp_path: Path) -> None:
    text = planted.read_text(encoding="utf-8").replace(
        "values: {min: 220, max: 340, unit: K}", "values: {min: -50, max: 70, unit: degC}"
    )
    spec = planted.parent / "celsius.yaml"
    spec.write_text(text, encoding="utf-8")
    _, report = validate(spec)
    mismatches = [f for f in report["findings"] if f["code"] == "R020"]
    assert {f["path"] for f in mismatches} == {
        f"LST/LST_{y}.tif" for y in (2015, 2016, 2018, 2019, 2020)
    }
    assert all(f["expected"] == "degC" and f["actual"] == "K" for f in mismatches)


def test_a_fresh_process_loads_only_the_checks_it_runs_and_finds_the_same(
    planted: Path, tmp_path: Path
) -> None:
    """`tpqc validate` loads the check modules of the kinds it reads and the dataset's, not
    every check (the STAC documents', other kinds'); the findings are those of a process
    that had every check loaded, for every kind at once; SARIF still lists its rules."""
    import subprocess
    import sys
    import tempfile

    from tpqc.catalogue import all_checks

    all_checks()
    _, loaded = validate(planted)
    probe = (
        "import json, sys; from tpqc.cli import main; sys.argv[0] = 'tpqc'\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    run = [sys.executable, "-c", probe, "validate", str(planted), "-f", "json", "--no-cache"]
    fresh = subprocess.run(
        run, capture_output=True, text=True, cwd=tempfile.gettempdir(), timeout=300, check=False
    )
    assert fresh.returncode == 1
    assert json.loads(fresh.stdout)["findings"] == loaded["findings"]
    modules = (
        "import sys; from pathlib import Path; from tpqc.pipeline import validate, "
        "ValidateOptions; from tpqc.schemas.spec import load_spec; from tpqc.examples."
        "wudaoliang.generate import write_example; folder = Path(sys.argv[1]); "
        "write_example(folder); validate(load_spec(folder / 'spec.yaml'), "
        "ValidateOptions(jobs=1)); print(sorted(m for m in sys.modules if m in "
        "('tpqc.stac.checks', 'tpqc.validators.kinds.table.checks', 'jsonschema')))"
    )
    rasters_only = subprocess.run(
        [sys.executable, "-c", modules, str(tmp_path / "alt")],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        timeout=300,
        check=True,
    )
    assert rasters_only.stdout.strip() == "[]"
    sarif = run_cli("validate", str(planted), "-f", "sarif", "--no-cache")
    rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert {"R014", "T010", "D001"} <= {rule["id"] for rule in rules}
