"""Reports a curator reads (issue 21): the text report shows the offending values and
where they are, waived findings take one line per check unless --show-waived, and
`tpqc stac` prints a summary (the whole report only on failure or with -v)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tpqc.examples.qilian.generate import PLANTED, write_example
from tpqc_testkit import run_cli


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example(tmp_path_factory.mktemp("reports") / "data", (*PLANTED, "lc_class"))


def finding_block(text: str, code: str) -> list[str]:
    """The lines of the first finding with this code in a text report."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if f" {code} " in line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("            "):
            break
        block.append(line.strip())
    return block


def test_the_text_report_shows_the_offending_values(planted: Path) -> None:
    text = run_cli("validate", str(planted), "--no-cache").stdout
    block = finding_block(text, "T012")
    actual = next(line for line in block if line.startswith("actual:"))
    assert json.loads(actual.split(":", 1)[1]) == {"rows": 3, "max": 104.0}
    examples = next(line for line in block if line.startswith("examples:"))
    assert "row 1503 (2019-01-11 10:10:00) = 104.0" in examples
    raster = finding_block(text, "R014")
    examples = next(line for line in raster if line.startswith("examples:"))
    assert examples.startswith("examples: row 0, col 0 = 26917.97")
    assert examples.endswith("2 more in the JSON report")


def test_the_json_report_names_how_far_out_the_table_values_are(planted: Path) -> None:
    report = json.loads(run_cli("validate", str(planted), "-f", "json", "--no-cache").stdout)
    (rh,) = [f for f in report["findings"] if f["code"] == "T012"]
    assert rh["actual"] == {"rows": 3, "max": 104.0}
    assert [e["value"] for e in rh["details"]["examples"]] == [104.0, 104.0, 104.0]


def test_waived_findings_are_one_line_per_check(planted: Path, tmp_path: Path) -> None:
    spec = tmp_path / "waived.yaml"
    spec.write_text(
        planted.read_text(encoding="utf-8").replace("data: .", f"data: {planted.parent}")
        + "waivers:\n"
        "  - {check: series-incomplete, reason: not acquired}\n"
        "  - {check: value-out-of-range, reason: reprocessing}\n",
        encoding="utf-8",
    )
    text = run_cli("validate", str(spec), "--no-cache").stdout
    waived = text.split("waived (4, not counted)\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split(":")[0].strip() for line in waived[:3]] == [
        "D001 series-incomplete",
        "R014 value-out-of-range",
        "T012 value-out-of-range",
    ]
    assert waived[0].split(":", 1)[1].strip().startswith("2 findings")
    listed = run_cli("validate", str(spec), "--no-cache", "--show-waived").stdout
    section = listed.split("waived (4, not counted)\n", 1)[1]
    assert "  (dataset)" in section and "  LST/LST_2019.tif" in section
    assert sum(1 for line in section.splitlines() if line.strip().startswith("waived:")) == 4


def test_stac_prints_a_summary_unless_asked_or_failing(planted: Path, tmp_path: Path) -> None:
    clean = write_example(tmp_path / "clean")
    published = run_cli("stac", str(clean), "--out", str(tmp_path / "catalog"), "--no-cache")
    assert published.exit_code == 0
    lines = published.stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith("22 files, 0 errors")
    assert "(1 catalog, 5 collections, 22 items)" in published.stderr
    verbose = run_cli("stac", str(clean), "--out", str(tmp_path / "catalog"), "--no-cache", "-v")
    assert "SoilMoisture/SM_201807.nc  ok" in verbose.stdout
    failing = run_cli("stac", str(planted), "--out", str(tmp_path / "failed"), "--no-cache")
    assert failing.exit_code == 1
    assert "AWS/Dashalong_AWS_2019.csv" in failing.stdout and " T012 " in failing.stdout
    assert not (tmp_path / "failed").exists()
