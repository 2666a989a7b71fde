"""Station tables: the real TPDC eddy-covariance workbook, and a synthetic AWS year with each
defect planted, reported once under its name."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tpqc.examples.aws.generate import DEFECTS, spec_text, write_aws_year
from tpqc.schemas.spec import load_spec
from tpqc.validators.kinds.table.reader import read_table_facts
from tpqc_testkit import REPO, run_cli, validate_json

EC = "Eddy_covariance_ITP_Data_2019.xlsx"


def names(report: dict[str, Any]) -> Counter[str]:
    return Counter(f["name"] for f in report["findings"])


@pytest.fixture
def yakou(realdata: Path, tmp_path: Path) -> Path:
    """The Yakou example spec pointed at the real workbook."""
    spec = tmp_path / "spec.yaml"
    text = (REPO / "examples" / "yakou" / "spec.yaml").read_text(encoding="utf-8")
    spec.write_text(
        text.replace("data: ../../../shared/realdata/tables", f"data: {realdata / 'tables'}"),
        encoding="utf-8",
    )
    return spec


def test_real_eddy_covariance_table_findings_are_true(yakou: Path) -> None:
    code, report = validate_json(yakou)
    # The example spec carries no citation (TPDC's landing page has it) and no creators.
    assert sorted((f["name"], f["field"], f["severity"]) for f in report["findings"]) == [
        ("metadata-missing", "dataset.citation", "error"),
        ("metadata-missing", "dataset.creators", "warning"),
    ]
    (table,) = report["files"]
    assert (table["path"], table["rows"]) == (EC, 17519)
    assert (table["time_start"], table["time_end"]) == (
        "2019-01-01 00:30:00",
        "2019-12-31 23:30:00",
    )
    columns = {c["name"]: c for c in table["columns"]}
    assert columns["QA_LE"]["missing"] == 6553 and columns["H2O"]["missing"] == 4426
    assert columns["L"]["min"] == -85207.7 and columns["L"]["max"] == 430491.0
    assert code == 1


def test_real_table_sub_second_excel_noise_is_not_irregular(realdata: Path, yakou: Path) -> None:
    spec = load_spec(yakou)
    facts = read_table_facts(str(realdata / "tables"), EC, spec.tables[0])
    assert facts.problems == ()
    raw = pd.read_excel(realdata / "tables" / EC, engine="calamine")["Date"]
    assert (raw != raw.dt.round("1s")).sum() == 384  # the noise is really there


def test_declaring_l_as_stability_shows_what_l_really_is(realdata: Path, yakou: Path) -> None:
    text = yakou.read_text(encoding="utf-8").replace(
        "L: {variable: obukhov_length}", "L: {variable: stability}"
    )
    yakou.write_text(text, encoding="utf-8")
    _, report = validate_json(yakou, "--select", "T")
    (finding,) = report["findings"]
    raw = pd.read_excel(realdata / "tables" / EC, engine="calamine")["L"]
    valid = raw[raw != -6999]
    assert finding["name"] == "value-out-of-range" and finding["field"] == "L"
    assert finding["details"]["count"] == int(((valid < -100) | (valid > 100)).sum())


def test_stricter_missing_limit_flags_qa_columns(yakou: Path) -> None:
    text = yakou.read_text(encoding="utf-8").replace(
        "max_missing_fraction: 0.4", "max_missing_fraction: 0.3"
    )
    yakou.write_text(text, encoding="utf-8")
    _, report = validate_json(yakou, "--select", "too-many-missing")
    assert sorted(f["field"] for f in report["findings"]) == ["QA_Fc", "QA_LE"]
    (qa_le,) = [f for f in report["findings"] if f["field"] == "QA_LE"]
    assert qa_le["actual"] == {"missing": 6553, "rows": 17519}


def aws_folder(
    tmp_path: Path, defects: tuple[str, ...] = (), suffix: str = ".csv", days: int | None = None
) -> Path:
    folder = tmp_path / "aws"
    folder.mkdir(exist_ok=True)
    write_aws_year(folder / f"Dashalong_AWS_2019{suffix}", 2019, defects=defects, days=days)
    spec = spec_text()
    if suffix != ".csv":
        spec = spec.replace('"{station}_AWS_{year}.csv"', f'"{{station}}_AWS_{{year}}{suffix}"')
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    return folder


EXPECTED = {
    "rh130": ("value-out-of-range", "RH_5m", 1003),
    "duplicate_time": ("time-duplicate", "TIMESTAMP", 4003),
    "gap6h": ("time-gaps", "TIMESTAMP", 3003),
    "kelvin": ("unit-mismatch", "Ta_5m", None),
    "fill9999": ("missing-code-in-data", "Press", 2003),
    "alias": ("column-alias", "DLR_Cor", None),
}


def test_clean_aws_year_has_no_findings(tmp_path: Path) -> None:
    code, report = validate_json(aws_folder(tmp_path) / "spec.yaml")
    assert report["findings"] == [] and code == 0
    assert report["files"][0]["rows"] == 52560


@pytest.mark.parametrize("defect", DEFECTS)
def test_each_planted_aws_defect_is_reported_once(tmp_path: Path, defect: str) -> None:
    _, report = validate_json(aws_folder(tmp_path, (defect,)) / "spec.yaml")
    name, column, row = EXPECTED[defect]
    assert [(f["name"], f["field"], f.get("row")) for f in report["findings"]] == [
        (name, column, row)
    ]


def test_all_aws_defects_together(tmp_path: Path) -> None:
    code, report = validate_json(aws_folder(tmp_path, DEFECTS) / "spec.yaml")
    assert names(report) == Counter(name for name, _, _ in EXPECTED.values())
    gap = next(f for f in report["findings"] if f["name"] == "time-gaps")
    assert gap["details"]["longest_missing_steps"] == 36 and gap["actual"]["missing_steps"] == 36
    oor = next(f for f in report["findings"] if f["name"] == "value-out-of-range")
    assert oor["details"]["count"] == 3
    assert oor["details"]["examples"][0] == {
        "row": 1003,
        "time": "2019-01-07 22:50:00",
        "value": 130.0,
    }
    assert code == 1


def test_declared_missing_code_is_never_out_of_range(tmp_path: Path) -> None:
    folder = aws_folder(tmp_path)
    frame = pd.read_csv(folder / "Dashalong_AWS_2019.csv", skiprows=[1])
    assert int((frame["RH_5m"] == -6999).sum()) > 100
    _, report = validate_json(folder / "spec.yaml")
    assert "value-out-of-range" not in names(report)


def test_xlsx_station_table(tmp_path: Path) -> None:
    folder = aws_folder(tmp_path, ("rh130",), ".xlsx", days=10)
    spec = (folder / "spec.yaml").read_text(encoding="utf-8")
    (folder / "spec.yaml").write_text(
        spec.replace("end: 2019-12-31", "end: 2019-01-10"), encoding="utf-8"
    )
    _, report = validate_json(folder / "spec.yaml")
    assert [(f["name"], f["field"], f.get("row")) for f in report["findings"]] == [
        ("value-out-of-range", "RH_5m", 1003)
    ]
    assert report["files"][0]["rows"] == 1440


def rewrite_csv(path: Path, edit: Any) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "name", "field"),
    [
        (lambda ls: [ls[0].replace("Gs_3", "Gs_3b"), *ls[1:]], "column-missing", "Gs_3"),
        (lambda ls: [ls[0].replace("Gs_3", "Gs_3b"), *ls[1:]], "column-unexpected", "Gs_3b"),
        (
            lambda ls: [ls[0] + ",Extra", ls[1] + ",x", *[line + ",1" for line in ls[2:]]],
            "column-unexpected",
            "Extra",
        ),
        (
            lambda ls: [
                ls[0].replace("DLR_Cor", "DLR_cor", 1) + ",DLR_Cor",
                ls[1] + ",W/m2",
                *[line + ",300" for line in ls[2:]],
            ],
            "column-duplicate",
            "DLR_Cor",
        ),
        (
            lambda ls: [*ls[:10], "yesterday" + ls[10][19:], *ls[11:]],
            "time-unparseable",
            "TIMESTAMP",
        ),
        (lambda ls: [*ls[:10], ls[11], ls[10], *ls[12:]], "time-not-monotonic", "TIMESTAMP"),
        (
            lambda ls: [*ls[:10], ls[10].replace(":00,", ":07,", 1), *ls[11:]],
            "time-irregular",
            "TIMESTAMP",
        ),
        (
            lambda ls: [*ls, ls[-1].replace("2019-01-04 00:00:00", "2019-01-04 00:10:00")],
            "time-outside-coverage",
            "TIMESTAMP",
        ),
    ],
)
def test_table_structure_and_time_checks(tmp_path: Path, edit: Any, name: str, field: str) -> None:
    folder = aws_folder(tmp_path, days=3)
    spec = (
        (folder / "spec.yaml")
        .read_text(encoding="utf-8")
        .replace("end: 2019-12-31", "end: 2019-01-03")
    )
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    rewrite_csv(folder / "Dashalong_AWS_2019.csv", edit)
    _, report = validate_json(folder / "spec.yaml")
    found = [(f["name"], f["field"]) for f in report["findings"]]
    assert found.count((name, field)) == 1
    if field in ("Gs_3", "Gs_3b"):  # a renamed column is both missing and unexpected, truly
        assert sorted(found) == [("column-missing", "Gs_3"), ("column-unexpected", "Gs_3b")]
    else:
        assert found == [(name, field)], report["findings"]


def test_unreadable_tables(tmp_path: Path) -> None:
    folder = aws_folder(tmp_path, days=1)
    (folder / "Dashalong_AWS_2019.csv").write_bytes(b"\x00\x01garbage\xff" * 10)
    _, report = validate_json(folder / "spec.yaml")
    assert [f["name"] for f in report["findings"]] == ["table-unreadable"]
    assert report["findings"][0]["actual"]


def test_too_many_missing_and_station_checks(tmp_path: Path) -> None:
    folder = aws_folder(tmp_path, days=2)
    path = folder / "Dashalong_AWS_2019.csv"
    frame = pd.read_csv(path, skiprows=[1])
    units = path.read_text(encoding="utf-8").splitlines()[1]
    frame.loc[: len(frame) // 2, "Rain"] = -6999
    path.write_text(
        ",".join(frame.columns) + "\n" + units + "\n" + frame.to_csv(header=False, index=False),
        encoding="utf-8",
    )
    spec = (folder / "spec.yaml").read_text(encoding="utf-8")
    spec = spec.replace("end: 2019-12-31", "end: 2019-01-02").replace("lon: 98.941", "lon: 108.941")
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    _, report = validate_json(folder / "spec.yaml")
    assert sorted((f["name"], f["field"]) for f in report["findings"]) == [
        ("station-outside-extent", "station"),
        ("too-many-missing", "Rain"),
    ]
    (folder / "spec.yaml").write_text(
        spec.replace("  Dashalong: {", "  Elsewhere: {"), encoding="utf-8"
    )
    _, report = validate_json(folder / "spec.yaml", "--select", "station-unknown")
    assert [f["name"] for f in report["findings"]] == ["station-unknown"]


def test_table_item_in_the_catalog(tmp_path: Path, realdata: Path) -> None:
    folder = aws_folder(tmp_path, days=2)
    spec = (
        (folder / "spec.yaml")
        .read_text(encoding="utf-8")
        .replace("end: 2019-12-31", "end: 2019-01-02")
    )
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    out = tmp_path / "stac"
    assert run_cli("stac", str(folder / "spec.yaml"), "--out", str(out)).exit_code == 0
    item = json.loads(
        (
            out / "qilian-aws-dashalong" / "Dashalong_AWS_2019" / "Dashalong_AWS_2019.json"
        ).read_text()
    )
    assert item["geometry"] == {"type": "Point", "coordinates": [98.941, 38.84]}
    props = item["properties"]
    # 2019-01-01 00:10 .. 2019-01-03 00:00 Beijing time, labels at interval ends.
    assert (props["start_datetime"], props["end_datetime"]) == (
        "2018-12-31T16:00:00Z",
        "2019-01-02T15:59:59Z",
    )
    assert props["table:row_count"] == 288
    columns = {c["name"]: c for c in props["table:columns"]}
    assert columns["TIMESTAMP"]["type"] == "datetime"
    assert (columns["RH_5m"]["unit"], columns["RH_5m"]["description"]) == ("%", "Relative humidity")
    assert item["assets"]["data"]["type"] == "text/csv"
    result = run_cli(
        "check-stac",
        str(out),
        "--profile",
        "--schemas",
        str(realdata / "stac" / "schemas"),
        "-f",
        "json",
    )
    report = json.loads(result.stdout)
    assert report["findings"] == []  # the table extension's schema now ships: validated


def test_variable_pack_matches_the_spec_schema() -> None:
    from tpqc.schemas.resources import load_json_schema
    from tpqc.schemas.variables import VARIABLES

    schema = load_json_schema("dataset-spec.schema.json")
    assert sorted(schema["$defs"]["column"]["properties"]["variable"]["enum"]) == sorted(VARIABLES)
    for variable in VARIABLES.values():
        assert variable.rationale and variable.unit
        if variable.min is not None and variable.max is not None:
            assert variable.min < variable.max
    assert (VARIABLES["relative_humidity"].min, VARIABLES["relative_humidity"].max) == (0.0, 100.0)
    assert np.isfinite(VARIABLES["wind_direction"].max or np.nan)


def test_copied_real_file_is_not_modified(realdata: Path, yakou: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(realdata / "tables" / EC, copy / EC)
    before = (copy / EC).read_bytes()
    run_cli("validate", str(yakou), "--data", str(copy))
    assert (copy / EC).read_bytes() == before
