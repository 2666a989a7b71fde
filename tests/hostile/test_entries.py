"""Odd entries in the data root are findings for that entry; the run goes on and never
opens them (a FIFO opened by GDAL would hang the run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tpqc_testkit import validate_json


def by_path(report: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in report["findings"]:
        out.setdefault(finding["path"], []).append(finding["code"])
    return out


def test_fifo_folder_dangling_looping_and_device_links(example: Path, tmp_path: Path) -> None:
    os.mkfifo(example / "pipe.tif")
    (example / "folder.tif").mkdir()
    (example / "dangling.tif").symlink_to(example / "gone.tif")
    (example / "loop_a.tif").symlink_to(example / "loop_b.tif")
    (example / "loop_b.tif").symlink_to(example / "loop_a.tif")
    (example / "device.tif").symlink_to("/dev/zero")
    code, report = validate_json(example / "spec.yaml", "--no-cache")
    found = by_path(report)
    for name in ("pipe.tif", "folder.tif", "dangling.tif", "loop_a.tif", "loop_b.tif"):
        assert found.pop(name) == ["F005"], name
    assert found.pop("device.tif") == ["F005"]
    assert found == {}, found  # the four real files validated as usual
    reasons = {f["path"]: f["actual"] for f in report["findings"]}
    assert "FIFO" in reasons["pipe.tif"] and "dangling" in reasons["dangling.tif"]
    assert "loop" in reasons["loop_a.tif"] and "device" in reasons["device.tif"]
    assert len(report["files"]) == 4 and code == 1


def test_symlink_leaving_the_root_is_reported_unless_followed(
    example: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (example / "Wudaoliang_ALT_2019.tif").rename(outside / "real_2019.tif")
    (example / "Wudaoliang_ALT_2019.tif").symlink_to(outside / "real_2019.tif")
    code, report = validate_json(example / "spec.yaml", "--no-cache")
    codes = sorted(f["code"] for f in report["findings"])
    assert codes == ["D001", "F006"]  # not followed: the 2019 member is missing
    (warning,) = [f for f in report["findings"] if f["code"] == "F006"]
    assert warning["severity"] == "warning" and warning["actual"].endswith("real_2019.tif")
    code, report = validate_json(example / "spec.yaml", "--no-cache", "--follow-symlinks")
    assert report["findings"] == [] and code == 0


def test_symlinked_folders_inside_the_root_are_walked(example: Path, tmp_path: Path) -> None:
    store = example / ".store" / "v3"  # a hidden folder, reached only through the link
    store.mkdir(parents=True)
    for tif in example.glob("*.tif"):
        tif.rename(store / tif.name)
    (example / "current").symlink_to(Path(".store") / "v3")
    (store / "up").symlink_to("..")  # a loop back to .store: never walked twice
    spec = example / "spec.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            '"Wudaoliang_ALT_{year}.tif"', '"current/Wudaoliang_ALT_{year}.tif"'
        ),
        encoding="utf-8",
    )
    code, report = validate_json(spec, "--no-cache")
    paths = sorted(f["path"] for f in report["files"])
    assert paths == [f"current/Wudaoliang_ALT_{year}.tif" for year in range(2017, 2021)]
    assert report["findings"] == [] and code == 0
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (example / "more").symlink_to(outside)
    (outside / "Wudaoliang_ALT_2021.tif").write_bytes(b"")
    code, report = validate_json(spec, "--no-cache")
    (leaving,) = [f for f in report["findings"] if f["code"] == "F006"]
    assert leaving["path"] == "more" and code == 0


def test_unreadable_folder_and_file_are_findings_not_crashes(example: Path) -> None:
    locked = example / "locked"
    locked.mkdir()
    (locked / "Wudaoliang_ALT_2019.tif").write_bytes(b"x")
    secret = example / "secret.tif"
    secret.write_bytes(b"II*\x00")
    for path in (locked, secret):
        path.chmod(0)
    command = [
        str(Path(sys.executable).with_name("tpqc")),
        *("validate", str(example / "spec.yaml"), "-f", "json", "--no-cache", "-j", "1"),
    ]
    if os.geteuid() == 0:  # root reads everything: run without the capabilities that allow it
        caps = "-dac_override,-dac_read_search"
        command = ["setpriv", "--bounding-set", caps, "--inh-caps", caps, *command]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        for path in (locked, secret):
            path.chmod(0o755)
    assert done.returncode == 1, done.stderr
    found = by_path(json.loads(done.stdout))
    assert found.pop("locked") == ["F004"]
    assert found.pop("secret.tif") == ["F001"]  # readable entry, no pattern: named, not opened
    assert found == {}


@pytest.mark.parametrize("name", ["pipe.csv", "folder.xlsx"])
def test_odd_table_entries(tmp_path: Path, name: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "spec_version: 1\ndataset: {id: t}\ntables:\n"
        "  - {name: aws, pattern: '{station}.csv', time: {column: T, step: 10min}}\n",
        encoding="utf-8",
    )
    if name.endswith(".csv"):
        os.mkfifo(tmp_path / name)
    else:
        (tmp_path / name).mkdir()
    _, report = validate_json(spec, "--no-cache")
    found = [(f["code"], f["path"]) for f in report["findings"] if f["code"][0] == "F"]
    assert found == [("F003", None), ("F005", name)]


LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 12345\n"
)


def test_data_a_checkout_did_not_fetch_is_said_to_be_so(example: Path) -> None:
    (example / "Wudaoliang_ALT_2018.tif").write_text(LFS_POINTER, encoding="ascii")
    (example / "Wudaoliang_ALT_2019.tif").unlink()
    (example / "Wudaoliang_ALT_2019.tif").symlink_to(
        "../.git/annex/objects/Xk/3v/SHA256E-s12345--4d7a.tif/SHA256E-s12345--4d7a.tif"
    )
    (example / "Wudaoliang_ALT_2020.tif").rename(example / "elsewhere.bin")
    (example / "Wudaoliang_ALT_2020.tif.dvc").write_text(
        "outs:\n- md5: 0123456789abcdef\n  path: Wudaoliang_ALT_2020.tif\n", encoding="ascii"
    )
    code, report = validate_json(example / "spec.yaml", "--no-cache")
    found = by_path(report)
    for year in (2018, 2019, 2020):
        assert found.pop(f"Wudaoliang_ALT_{year}.tif") == ["F008"], year
    assert found == {}  # no corrupt-TIFF error, no missing member: the data is not here
    hints = {f["hint"] for f in report["findings"]}
    assert len(hints) == 1 and "git lfs pull" in hints.pop()
    assert code == 1


def test_many_files_not_fetched_are_one_finding(tmp_path: Path) -> None:
    for year in range(1990, 2020):
        (tmp_path / f"Wudaoliang_ALT_{year}.tif").write_text(LFS_POINTER, encoding="ascii")
    (tmp_path / "spec.yaml").write_text(
        "spec_version: 1\ndataset: {id: x}\n"
        "rasters:\n  - name: alt\n    pattern: 'Wudaoliang_ALT_{year}.tif'\n"
        "    fields: {year: {min: 1990, max: 2020}}\n"
        "    temporal: {start: 1990-01-01, end: 2020-12-31, resolution: P1Y}\n",
        encoding="utf-8",
    )
    _, report = validate_json(tmp_path / "spec.yaml", "--no-cache")
    fetched = [f for f in report["findings"] if f["code"] == "F008"]
    (one,) = fetched
    assert one["path"] is None and one["actual"] == {"count": 30}
    # the one member that really is missing (2020) is still reported
    missing = [f["expected"] for f in report["findings"] if f["code"] == "D001"]
    assert missing == ["Wudaoliang_ALT_2020.tif"]
