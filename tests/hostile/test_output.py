"""Reports cannot be forged by file names, outputs respect the user's umask, and a report
that cannot be written (a bad -o, a closed pipe) is a clear tool error."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tpqc_testkit import run_cli

TPQC = str(Path(sys.executable).with_name("tpqc"))


def test_github_annotation_properties_are_escaped(example: Path) -> None:
    (example / "Wudaoliang_ALT_2018.tif").rename(example / "bad,title=X::y%0A.tif")
    result = run_cli("validate", str(example / "spec.yaml"), "-f", "github", "--no-cache")
    lines = result.stdout.splitlines()
    assert all(line.startswith("::") for line in lines)
    forged = [line for line in lines if "bad" in line]
    assert forged and all("file=bad%2Ctitle=X%3A%3Ay%250A.tif," in line for line in forged)
    for line in lines:
        properties = line.split("::")[1].split(" ", 1)[1]
        assert re.fullmatch(r"(file=[^,:]*,)?title=[^,:]*", properties), line
        assert "None" not in line and "{'" not in line  # JSON values, not Python reprs


def test_newline_in_a_file_name_stays_on_its_line(example: Path) -> None:
    (example / "Wudaoliang_ALT_2018.tif").rename(example / "Wudaoliang_ALT_2018\n.tif")
    result = run_cli("validate", str(example / "spec.yaml"), "--no-cache")
    assert "Wudaoliang_ALT_2018\\n.tif" in result.stdout
    assert not any(line.startswith(".tif") for line in result.stdout.splitlines())


def test_output_files_follow_the_umask_and_keep_a_replaced_files_mode(
    example: Path, tmp_path: Path
) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "report.json"
        run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-o", str(target))
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o640)
        run_cli("validate", str(example / "spec.yaml"), "-f", "json", "-o", str(target))
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("where", ["folder", "under-a-file"])
def test_unwritable_output_is_a_tool_error(example: Path, tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "plain.txt"
    blocker.write_text("x", encoding="utf-8")
    target = tmp_path if where == "folder" else blocker / "report.json"
    result = run_cli("validate", str(example / "spec.yaml"), "-o", str(target))
    assert result.exit_code == 2
    assert "internal error" not in result.stderr and str(target) in result.stderr


def test_closed_pipe_is_a_tool_error(example: Path) -> None:
    process = subprocess.Popen(
        [TPQC, "validate", str(example / "spec.yaml"), "-f", "json", "--no-cache", "-j", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has already exited
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == 2
    assert "output was closed" in stderr and "Traceback" not in stderr


def test_verbosity_flags_work_after_the_subcommand(example: Path) -> None:
    spec = str(example / "spec.yaml")
    for args in (["-v", "validate", spec], ["validate", spec, "-v"], ["validate", "-vv", spec]):
        done = subprocess.run([TPQC, *args, "--no-cache"], capture_output=True, text=True)
        assert done.returncode == 0 and "INFO: read 4 files" in done.stderr, args
    done = subprocess.run([TPQC, "validate", spec, "-q", "--no-cache"], capture_output=True)
    assert done.returncode == 0 and done.stderr == b""


def test_big_datasets_list_only_files_with_findings(example: Path) -> None:
    from tpqc.validators.render import text

    spec = str(example / "spec.yaml")
    (example / "Wudaoliang_ALT_2019.tif").write_bytes(b"broken")
    old = text.LIST_OK_UP_TO
    text.LIST_OK_UP_TO = 2
    try:
        short = run_cli("validate", spec, "--no-cache").stdout
        full = run_cli("validate", spec, "--no-cache", "--show-ok").stdout
    finally:
        text.LIST_OK_UP_TO = old
    assert "Wudaoliang_ALT_2017.tif  ok" not in short and "3 more files ok" in short
    assert "Wudaoliang_ALT_2019.tif" in short
    assert "Wudaoliang_ALT_2017.tif  ok" in full
