"""The command line: exit codes, check listing, parallel equivalence, the demo."""

from __future__ import annotations

import json
from pathlib import Path

from tpqc.catalogue import all_checks
from tpqc_testkit import run_cli


def test_checks_lists_every_check_with_description() -> None:
    out = run_cli("checks").stdout.splitlines()
    infos = all_checks()
    assert len(out) == len(infos) >= 21
    for line, info in zip(out, infos, strict=True):
        code, name, severity, *description = line.split()
        assert (code, name, severity) == (info.code, info.name, info.severity.label)
        assert description
    names = [i.name for i in infos]
    for required in (
        "filename-mismatch",
        "field-out-of-range",
        "unreadable",
        "decode-error",
        "not-georeferenced",
        "rotated-grid",
        "crs-mismatch",
        "resolution-mismatch",
        "extent-mismatch",
        "band-count-mismatch",
        "dtype-mismatch",
        "nodata-missing",
        "nodata-mismatch",
        "value-out-of-range",
        "nan-or-inf",
        "too-much-nodata",
        "all-nodata",
    ):
        assert required in names
    assert len({i.code for i in infos}) == len(infos)


def test_unknown_check_in_select_is_a_usage_error(example: Path) -> None:
    result = run_cli("validate", str(example / "spec.yaml"), "--select", "no-such-check")
    assert result.exit_code == 2 and "no-such-check" in result.stderr


def test_bad_option_value_exits_2(example: Path) -> None:
    assert run_cli("validate", str(example / "spec.yaml"), "--format", "pdf").exit_code == 2
    assert run_cli("validate", str(example / "spec.yaml"), "--jobs", "0").exit_code == 2


def test_jobs_one_and_two_give_identical_reports(example: Path) -> None:
    (example / "Wudaoliang_ALT_2019.tif").write_bytes(b"not a tiff")
    one = run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-j", "1")
    two = run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-j", "2")
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    assert [f["name"] for f in json.loads(one.stdout)["findings"]] == ["unreadable"]


def test_output_file_leaves_stdout_empty(example: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    result = run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["passed"] is True
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_demo_writes_and_validates_the_example(tmp_path: Path) -> None:
    result = run_cli("demo", str(tmp_path / "demo"))
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [
        "Wudaoliang_ALT_2017.tif",
        "Wudaoliang_ALT_2018.tif",
        "Wudaoliang_ALT_2019.tif",
        "Wudaoliang_ALT_2020.tif",
        "spec.yaml",
        "stac",
    ]
    assert (tmp_path / "demo" / "stac" / "catalog.json").is_file()
    assert "4 files, 0 errors" in result.stdout


def test_example_generator_is_deterministic(tmp_path: Path) -> None:
    from tpqc.examples.wudaoliang.generate import write_example

    write_example(tmp_path / "a")
    write_example(tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_output_to_a_device_writes_through_and_keeps_the_device(example: Path) -> None:
    import stat

    result = run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-o", "/dev/null")
    assert result.exit_code == 0 and result.stdout == ""
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_the_console_script_leaves_quickly_with_every_output_whole(
    example: Path, tmp_path: Path
) -> None:
    """The console script skips the interpreter's tear-down once a command is done, after
    the exit handlers and the streams' flush: the exit code is the command's, the report
    on stdout and the file written with -o are whole, and a failing run keeps its code."""
    import subprocess
    import sys
    import tempfile

    run = "import sys; from tpqc.cli import main; sys.argv[0] = 'tpqc'; main()"

    def tpqc(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", run, *args],
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),  # not the checkout, whose folders shadow tpqc
            timeout=300,
            check=False,
        )

    spec = str(example / "spec.yaml")
    clean = tpqc("validate", spec, "-f", "json", "--jobs", "1")
    assert clean.returncode == 0
    assert len(json.loads(clean.stdout)["files"]) == 4
    out = tmp_path / "report.json"
    written = tpqc("validate", spec, "-f", "json", "-o", str(out), "--jobs", "1")
    assert written.returncode == 0 and json.loads(out.read_text())["summary"]["passed"]
    (example / "Wudaoliang_ALT_2019.tif").write_bytes(b"II*\x00")
    failed = tpqc("validate", spec, "-f", "json", "--jobs", "2")
    assert failed.returncode == 1
    assert not json.loads(failed.stdout)["summary"]["passed"]
    assert tpqc("validate", str(tmp_path / "missing.yaml")).returncode == 2
