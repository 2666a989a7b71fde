"""Waivers: accepted exceptions leave the verdict but stay in every report with their reason;
a waiver that accepts nothing or has expired is itself a finding; a waiver without a reason
or naming no check is a located spec error."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from tpqc.examples.wudaoliang.generate import alt_field, write_alt
from tpqc_testkit import REPO, run_cli, validate_json

TARGET = "Wudaoliang_ALT_2018.tif"


def plant_out_of_range(folder: Path) -> None:
    data = alt_field(2018)
    data[40:41, 7:10] = 12.5
    (folder / TARGET).unlink()
    write_alt(folder / TARGET, data)


def add_waivers(folder: Path, text: str) -> None:
    spec = folder / "spec.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "waivers:\n" + text, encoding="utf-8")


def test_matched_waiver_moves_the_finding_out_of_the_verdict(example: Path) -> None:
    plant_out_of_range(example)
    code, before = validate_json(example / "spec.yaml")
    assert code == 1
    assert [f["code"] for f in before["findings"]] == ["R014"]
    add_waivers(
        example,
        "  - check: value-out-of-range\n"
        "    path: Wudaoliang_ALT_2018.tif\n"
        "    band: 1\n"
        "    reason: glacier pixels retrieved above 10 m, accepted by the authors\n"
        "    expires: 2030-12-31\n",
    )
    code, report = validate_json(example / "spec.yaml", "--as-of", "2026-12-02")
    assert code == 0, report["findings"]
    assert report["findings"] == []
    assert report["summary"]["waived"] == 1 and report["summary"]["errors"] == 0
    (waived,) = report["waived"]
    assert (waived["code"], waived["path"], waived["band"]) == (
        "R014",
        "Wudaoliang_ALT_2018.tif",
        1,
    )
    assert waived["waiver"] == {
        "index": 0,
        "reason": "glacier pixels retrieved above 10 m, accepted by the authors",
    }
    assert waived["actual"] == before["findings"][0]["actual"]


def test_waiver_for_another_file_or_band_accepts_nothing_and_is_reported(example: Path) -> None:
    plant_out_of_range(example)
    add_waivers(
        example,
        "  - {check: R014, path: 'Wudaoliang_ALT_2019.tif', reason: a 2019 exception}\n"
        "  - {check: R014, path: '*.tif', band: 2, reason: band 2 only}\n",
    )
    code, report = validate_json(example / "spec.yaml")
    assert code == 1
    found = sorted((f["code"], f["path"], f.get("field")) for f in report["findings"])
    assert found == [
        ("R014", "Wudaoliang_ALT_2018.tif", None),
        ("W001", None, "waivers[0]"),
        ("W001", None, "waivers[1]"),
    ]
    assert report["waived"] == []


def test_expired_waiver_accepts_nothing_and_says_so(example: Path) -> None:
    plant_out_of_range(example)
    add_waivers(
        example,
        "  - {check: R014, path: '*_2018.tif', reason: temporary, expires: 2026-06-30}\n",
    )
    code, report = validate_json(example / "spec.yaml", "--as-of", "2026-12-02")
    assert code == 1
    by_code = {f["code"]: f for f in report["findings"]}
    assert set(by_code) == {"R014", "W002"}
    assert by_code["W002"]["field"] == "waivers[0]"
    assert by_code["W002"]["actual"] == "2026-06-30"
    assert by_code["W002"]["severity"] == "warning"
    # The day it still holds, it holds.
    code, report = validate_json(example / "spec.yaml", "--as-of", "2026-06-30")
    assert code == 0 and [w["code"] for w in report["waived"]] == ["R014"]


def test_missing_series_member_is_waived_by_the_file_it_should_have_been(example: Path) -> None:
    (example / "Wudaoliang_ALT_2019.tif").unlink()
    add_waivers(
        example,
        "  - {check: series-incomplete, path: Wudaoliang_ALT_2019.tif, reason: no 2019 InSAR}\n",
    )
    code, report = validate_json(example / "spec.yaml")
    assert code == 0, report["findings"]
    assert [(w["code"], w["details"]["file"]) for w in report["waived"]] == [
        ("D001", "Wudaoliang_ALT_2019.tif")
    ]


def test_waiver_without_reason_is_a_located_spec_error(example: Path) -> None:
    add_waivers(example, "  - check: R014\n    path: '*.tif'\n")
    result = run_cli("validate", str(example / "spec.yaml"), "--no-cache")
    assert result.exit_code == 2
    lines = (example / "spec.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("  - check: R014") + 1
    assert "waivers[0]" in result.output and "reason" in result.output
    assert f"line {line}" in result.output


def test_waiver_naming_no_check_is_a_located_spec_error(example: Path) -> None:
    add_waivers(example, "  - {check: value-out-of-rang, reason: typo}\n")
    result = run_cli("validate", str(example / "spec.yaml"), "--no-cache")
    assert result.exit_code == 2
    assert "waivers[0].check" in result.output and "value-out-of-range" in result.output


def test_waived_findings_in_junit_sarif_html_and_text(
    example: Path, tmp_path: Path, edit_spec: Callable[[str, str], None]
) -> None:
    plant_out_of_range(example)
    add_waivers(example, "  - {check: R014, reason: accepted by the authors}\n")
    spec = str(example / "spec.yaml")
    outputs = {}
    for fmt in ("junit", "sarif", "html", "text"):
        target = tmp_path / f"report.{fmt}"
        result = run_cli("validate", spec, "--no-cache", "-f", fmt, "-o", str(target))
        assert result.exit_code == 0, result.output
        outputs[fmt] = target.read_text(encoding="utf-8")
    root = ET.fromstring(outputs["junit"])
    (suite,) = [s for s in root if s.get("name") == TARGET]
    (case,) = [c for c in suite if c.get("name", "").startswith("R014")]
    skipped = case.find("skipped")
    assert skipped is not None and "accepted by the authors" in skipped.get("message", "")
    assert case.find("failure") is None and root.get("failures") == "0"
    sarif = json.loads(outputs["sarif"])
    (result_,) = sarif["runs"][0]["results"]
    assert result_["ruleId"] == "R014"
    assert result_["suppressions"][0]["justification"] == "accepted by the authors"
    assert result_["suppressions"][0]["status"] == "accepted"
    assert 'class="waived-finding" data-code="R014"' in outputs["html"]
    assert "accepted by the authors" in outputs["html"]
    assert "1 waived" in outputs["text"]


def test_waived_sarif_still_follows_the_official_schema(example: Path, tmp_path: Path) -> None:
    import jsonschema

    plant_out_of_range(example)
    add_waivers(example, "  - {check: R014, reason: accepted}\n")
    target = tmp_path / "r.sarif"
    run_cli("validate", str(example / "spec.yaml"), "--no-cache", "-f", "sarif", "-o", str(target))
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(json.loads(target.read_text()))


def test_waived_json_report_follows_its_schema(example: Path) -> None:
    import jsonschema

    plant_out_of_range(example)
    add_waivers(example, "  - {check: R014, reason: accepted}\n")
    _, report = validate_json(example / "spec.yaml")
    schema = json.loads((REPO / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert [w["code"] for w in report["waived"]] == ["R014"]


def test_table_waiver_covers_one_column_only(tmp_path: Path) -> None:
    from tpqc.examples.aws.generate import spec_text, write_aws_year

    folder = tmp_path / "aws"
    folder.mkdir()
    write_aws_year(folder / "Dashalong_AWS_2019.csv", 2019, defects=("rh130", "fill9999"), days=40)
    (folder / "spec.yaml").write_text(
        spec_text()
        + "waivers:\n"
        + "  - {check: value-out-of-range, path: 'Dashalong_*.csv', column: RH_5m,\n"
        + '     reason: "sensor icing, confirmed by the station log"}\n',
        encoding="utf-8",
    )
    # 40 days of a year: the coverage check (M001) is not what this test is about
    code, report = validate_json(folder / "spec.yaml", "--ignore", "M001")
    assert [(f["code"], f["field"]) for f in report["findings"]] == [("T014", "Press")]
    assert [(w["code"], w["field"], w["row"]) for w in report["waived"]] == [
        ("T012", "RH_5m", 1003)
    ]
    assert code == 1
