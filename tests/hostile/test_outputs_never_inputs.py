"""No output path of any command can overwrite or delete an input: the data, the spec, a
checked catalog (issue 25, items 1 and 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tpqc_testkit import run_cli, tree_digest


def _refused(result_code: int, stderr: str, path: Path | str) -> None:
    assert result_code == 2
    assert str(path) in stderr and "internal error" not in stderr


@pytest.mark.parametrize(
    ("option", "target"),
    [
        ("-o", "Wudaoliang_ALT_2017.tif"),
        ("-o", "spec.yaml"),
        ("--inventory", "spec.yaml"),
        ("--inventory", "Wudaoliang_ALT_2018.tif"),
        ("-o", "report.json"),  # new, inside the data root, not allowed
        ("-o", "sub/report.json"),
    ],
)
def test_validate_never_writes_over_or_into_the_data(
    example: Path, option: str, target: str
) -> None:
    before = tree_digest(example)
    result = run_cli("validate", str(example / "spec.yaml"), option, str(example / target))
    _refused(result.exit_code, result.stderr, example / target)
    assert tree_digest(example) == before


def test_a_symlink_to_the_spec_is_the_spec(example: Path, tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(example / "spec.yaml")
    before = tree_digest(example)
    result = run_cli("validate", str(example / "spec.yaml"), "-o", str(link))
    _refused(result.exit_code, result.stderr, link)
    assert tree_digest(example) == before and link.is_symlink()


def test_a_new_report_inside_the_data_root_needs_leave(example: Path) -> None:
    spec, target = str(example / "spec.yaml"), example / "qc" / "report.json"
    allowed = run_cli("validate", spec, "-f", "json", "-o", str(target), "--allow-output-in-data")
    assert allowed.exit_code == 0 and json.loads(target.read_text(encoding="utf-8"))["summary"]
    # ... never over an existing file there, nor under a name a file kind reads as data
    again = run_cli("validate", spec, "-o", str(target), "--allow-output-in-data")
    _refused(again.exit_code, again.stderr, target)
    data_name = run_cli("validate", spec, "-o", str(example / "r.tif"), "--allow-output-in-data")
    _refused(data_name.exit_code, data_name.stderr, example / "r.tif")
    assert not (example / "r.tif").exists()


def test_symlinked_data_outside_the_root_is_protected(example: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (example / "Wudaoliang_ALT_2020.tif").rename(outside / "Wudaoliang_ALT_2020.tif")
    (example / "Wudaoliang_ALT_2020.tif").symlink_to(outside / "Wudaoliang_ALT_2020.tif")
    before = tree_digest(outside)
    target = outside / "Wudaoliang_ALT_2020.tif"
    result = run_cli("validate", str(example / "spec.yaml"), "--follow-symlinks", "-o", str(target))
    _refused(result.exit_code, result.stderr, target)
    assert tree_digest(outside) == before


def test_facts_out_inside_the_data_root_is_refused(example: Path) -> None:
    before = tree_digest(example)
    result = run_cli(
        "validate", str(example / "spec.yaml"), "--shard", "1/2", "--facts-out", str(example)
    )
    assert result.exit_code == 2 and "--facts-out" in result.stderr
    assert tree_digest(example) == before


def test_stac_force_never_deletes_data_inside_the_root(example: Path) -> None:
    year = example / "2019"
    year.mkdir()
    (example / "Wudaoliang_ALT_2019.tif").rename(year / "Wudaoliang_ALT_2019.tif")
    before = tree_digest(example)
    result = run_cli(
        "stac", str(example / "spec.yaml"), "--out", str(year), "--force", "--allow-failed"
    )
    assert result.exit_code == 2 and "--force or not" in result.stderr
    assert tree_digest(example) == before


def test_stac_geoparquet_never_replaces_the_spec(example: Path) -> None:
    before = tree_digest(example)
    result = run_cli("stac", str(example / "spec.yaml"), "--geoparquet", str(example / "spec.yaml"))
    assert result.exit_code == 2 and tree_digest(example) == before


def test_init_never_writes_over_a_data_file_even_forced(example: Path) -> None:
    before = tree_digest(example)
    target = example / "Wudaoliang_ALT_2017.tif"
    result = run_cli("init", str(example), "-o", str(target), "--force", "--no-cache")
    _refused(result.exit_code, result.stderr, target)
    assert tree_digest(example) == before
    # A spec beside the data is the usual layout: written new, replaced with --force.
    beside = example / "suggested.yaml"
    assert run_cli("init", str(example), "-o", str(beside), "--no-cache").exit_code == 0
    assert run_cli("init", str(example), "-o", str(beside), "--no-cache").exit_code == 2
    assert run_cli("init", str(example), "-o", str(beside), "--force").exit_code == 0


def test_check_stac_report_never_replaces_the_catalog(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    assert run_cli("stac", str(example / "spec.yaml"), "--out", str(out)).exit_code == 0
    before = tree_digest(out)
    for target in (out / "catalog.json", out / "wudaoliang-alt" / "collection.json"):
        result = run_cli("check-stac", str(out), "-f", "json", "-o", str(target))
        _refused(result.exit_code, result.stderr, target)
    result = run_cli("check-stac", str(out / "catalog.json"), "-o", str(out / "catalog.json"))
    _refused(result.exit_code, result.stderr, out / "catalog.json")
    assert tree_digest(out) == before


def test_merge_never_writes_over_the_spec(example: Path, tmp_path: Path) -> None:
    spec = str(example / "spec.yaml")
    facts = tmp_path / "facts"
    for k in (1, 2):
        run_cli("validate", spec, "--shard", f"{k}/2", "--facts-out", str(facts))
    before = tree_digest(example)
    result = run_cli("merge", str(facts), "-o", spec)
    _refused(result.exit_code, result.stderr, spec)
    assert tree_digest(example) == before


def test_devices_are_written_through(example: Path) -> None:
    result = run_cli("validate", str(example / "spec.yaml"), "-o", os.devnull)
    assert result.exit_code == 0
