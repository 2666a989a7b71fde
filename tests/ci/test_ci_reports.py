"""Reports for CI: Markdown for a job summary (parsed by a real Markdown parser, bounded),
GitLab Code Quality with stable fingerprints, several formats from one run (--report), and
baselines: findings an earlier report had are unchanged and do not decide the exit code,
new ones do, fixed ones are listed (JSON, SARIF baselineState, text, Markdown, HTML)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markdown_it import MarkdownIt

from tpqc.examples.qilian.generate import PLANTED, write_example
from tpqc.validators.findings import Finding, Location, Report, Severity
from tpqc.validators.render.markdown import MAX_BYTES, render_markdown
from tpqc_testkit import REPO, run_cli


@pytest.fixture(scope="module")
def planted_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example(tmp_path_factory.mktemp("ci-master") / "data", (*PLANTED, "lc_class"))


@pytest.fixture
def planted(planted_master: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(planted_master.parent, target)
    return target / "spec.yaml"


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table of the rendered Markdown as rows of cell texts."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and row is not None:
            found[-1].append(row)
            row = None
    return found


def test_markdown_summary_has_the_verdict_counts_and_findings(planted: Path) -> None:
    result = run_cli("validate", str(planted), "-f", "markdown", "--no-cache")
    assert result.exit_code == 1
    html = MarkdownIt("commonmark").enable("table").render(result.stdout)
    assert "<h2>tpqc: qilian-integrated FAILED (fail-on error)</h2>" in html
    counts, *groups = tables(result.stdout)
    assert counts == [
        ["errors", "warnings", "notes", "files", "waived"],
        ["7", "1", "0", "20", "0"],
    ]
    rows = [row for table in groups for row in table[1:]]
    # the RH of 104: file, place and the values, each in its own cell
    (rh,) = [r for r in rows if r[1] == "row 1503; RH\\_5m"]
    assert rh[0] == "AWS/Dashalong\\_AWS\\_2019.csv" and json.loads(rh[4]) == {
        "rows": 3,
        "max": 104.0,
    }
    assert len(rows) == 8  # every finding, grouped by check


def test_a_file_name_cannot_forge_markdown() -> None:
    name = "a|b</td><script>x</script>[link](http://evil)\n## heading.tif"
    finding = Finding("F001", "filename-mismatch", Severity.ERROR, "no pattern", Location(name))
    report = Report.build("spec.yaml", "/data", [finding], [{"path": name}])
    text = render_markdown(report)
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in html and "<a href" not in html and html.count("<h2>") == 1
    (_, table) = tables(text)
    assert len(table[1]) == 5  # the pipe did not split the cell


def test_a_huge_report_stays_under_the_summary_limit() -> None:
    findings = [
        Finding("R014", "value-out-of-range", Severity.ERROR, "x" * 250, Location(f"f{i:06}.tif"))
        for i in range(20000)
    ]
    text = render_markdown(Report.build("spec.yaml", "/data", findings, []))
    assert len(text.encode("utf-8")) <= MAX_BYTES
    shown = len(tables(text)[1]) - 1
    assert 0 < shown < 20000
    assert f"{20000 - shown} findings left out" in text


def test_codequality_fingerprints_are_stable_and_located(planted: Path, tmp_path: Path) -> None:
    first = json.loads(run_cli("validate", str(planted), "-f", "codequality", "--no-cache").stdout)
    again = json.loads(run_cli("validate", str(planted), "-f", "codequality", "--no-cache").stdout)
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in again]
    assert len({i["fingerprint"] for i in first}) == len(first) == 8
    for issue in first:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("major", "minor", "info")
        assert isinstance(issue["location"]["lines"]["begin"], int)
    (rh,) = [i for i in first if i["check_name"] == "T012 value-out-of-range"]
    assert rh["location"]["lines"]["begin"] == 1503 and rh["severity"] == "major"
    assert rh["location"]["path"].endswith("AWS/Dashalong_AWS_2019.csv")


def test_one_run_writes_every_format(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(
        "validate",
        str(planted),
        "-f",
        "json",
        "-o",
        str(out / "report.json"),
        "--report",
        f"sarif={out / 'tpqc.sarif'}",
        "--report",
        f"junit={out / 'junit.xml'}",
        "--report",
        f"html={out / 'report.html'}",
        "--report",
        f"markdown={out / 'summary.md'}",
        "--no-cache",
    )
    assert result.exit_code == 1
    assert json.loads((out / "report.json").read_text())["summary"]["errors"] == 7
    assert len(json.loads((out / "tpqc.sarif").read_text())["runs"][0]["results"]) == 8
    assert (out / "junit.xml").read_text().startswith("<?xml")
    assert "img" in (out / "report.html").read_text()  # the pictures of the same read
    assert "FAILED" in (out / "summary.md").read_text()
    bad = run_cli("validate", str(planted), "--report", "pdf=x.pdf")
    assert bad.exit_code == 2


def baseline_run(spec: Path, baseline: Path, fmt: str) -> tuple[int, str]:
    result = run_cli("validate", str(spec), "-f", fmt, "--baseline", str(baseline), "--no-cache")
    return result.exit_code, result.stdout


def test_a_baseline_gates_only_new_findings(planted: Path, tmp_path: Path) -> None:
    old = tmp_path / "baseline.json"
    assert (
        run_cli("validate", str(planted), "-f", "json", "-o", str(old), "--no-cache").exit_code == 1
    )
    code, text = baseline_run(planted, old, "json")
    report: dict[str, Any] = json.loads(text)
    assert code == 0 and report["summary"]["new"] == 0 and report["summary"]["fixed"] == 0
    assert {f["baseline"] for f in report["findings"]} == {"unchanged"}
    # fix the relative humidity table, break the LST range a new way
    data = planted.parent
    write_example(tmp_path / "clean")
    shutil.copy(tmp_path / "clean" / "AWS" / "Dashalong_AWS_2019.csv", data / "AWS")
    planted.write_text(
        planted.read_text(encoding="utf-8")
        .replace("classes: {10: cropland", "classes: {77: unknown, 10: cropland")
        .replace(
            "values: {min: 0, max: 0.6, unit: m3 m-3}", "values: {min: 0, max: 0.3, unit: m3 m-3}"
        ),
        encoding="utf-8",
    )
    code, text = baseline_run(planted, old, "json")
    report = json.loads(text)
    new = [(f["code"], f["path"]) for f in report["findings"] if f["baseline"] == "new"]
    assert new and {c for c, _ in new} == {"R014"} and code == 1  # soil moisture now too high
    fixed = sorted((f["code"], f["path"]) for f in report["baseline"]["fixed"])
    assert fixed == [
        ("R019", "LandCover/LC_2020.tif"),
        ("T008", "AWS/Dashalong_AWS_2019.csv"),
        ("T010", "AWS/Dashalong_AWS_2019.csv"),
        ("T012", "AWS/Dashalong_AWS_2019.csv"),
    ]
    jsonschema.Draft202012Validator(
        json.loads((REPO / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    ).validate(report)
    code, sarif = baseline_run(planted, old, "sarif")
    jsonschema.Draft4Validator(
        json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    ).validate(json.loads(sarif))
    states = [r["baselineState"] for r in json.loads(sarif)["runs"][0]["results"]]
    assert states.count("absent") == 4 and states.count("new") == len(new)
    assert "unchanged" in states
    code, text = baseline_run(planted, old, "text")
    assert f"({len(new)} new, 4 fixed since the baseline)" in text
    assert "fixed since baseline.json (4)" in text
    code, markdown = baseline_run(planted, old, "markdown")
    fixed_table = next(t for t in tables(markdown) if t[0][0] == "check")
    assert len(fixed_table) == 5
    html_out = tmp_path / "r.html"
    run_cli("validate", str(planted), "-f", "html", "-o", str(html_out), "--baseline", str(old))
    page = html_out.read_text(encoding="utf-8")
    assert page.count('class="fixed-finding"') == 4 and 'data-baseline="new"' in page


def test_a_baseline_of_another_dataset_or_version_is_refused(planted: Path, tmp_path: Path) -> None:
    old = tmp_path / "baseline.json"
    run_cli("validate", str(planted), "-f", "json", "-o", str(old), "--no-cache")
    document = json.loads(old.read_text(encoding="utf-8"))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**document, "dataset": "another"}), encoding="utf-8")
    result = run_cli("validate", str(planted), "--baseline", str(other))
    assert result.exit_code == 2 and "another" in result.stderr
    older = tmp_path / "older.json"
    older.write_text(json.dumps({**document, "report_version": "0.9"}), encoding="utf-8")
    result = run_cli("validate", str(planted), "--baseline", str(older))
    assert result.exit_code == 2 and "0.9" in result.stderr
    sarif = tmp_path / "a.sarif"
    sarif.write_text("{}", encoding="utf-8")
    assert run_cli("validate", str(planted), "--baseline", str(sarif)).exit_code == 2
