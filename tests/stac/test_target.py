"""Publishing never deletes what it should not: the data, the spec, or an unrelated folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tpqc_testkit import run_cli, tree_digest


def stac(*args: str) -> tuple[int, str]:
    result = run_cli("stac", *args, "-j", "1")
    return result.exit_code, result.stderr


def test_out_dot_inside_the_dataset_is_refused(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_digest(example)
    monkeypatch.chdir(example)
    code, stderr = stac("spec.yaml", "--out", ".")
    assert code == 2 and "data root" in stderr
    assert tree_digest(example) == before


@pytest.mark.parametrize("where", ["root", "parent", "spec"])
def test_out_that_is_or_contains_the_data_or_spec_is_refused(example: Path, where: str) -> None:
    target = {"root": example, "parent": example.parent, "spec": example / "spec.yaml"}[where]
    before = tree_digest(example.parent)
    code, _ = stac(str(example / "spec.yaml"), "--out", str(target))
    assert code == 2
    assert tree_digest(example.parent) == before


def test_out_containing_a_spec_kept_outside_the_data_is_refused(
    example: Path, tmp_path: Path
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    text = (example / "spec.yaml").read_text(encoding="utf-8")
    (specs / "alt.yaml").write_text(text.replace("data: .", f"data: {example}"), encoding="utf-8")
    code, stderr = stac(str(specs / "alt.yaml"), "--out", str(specs))
    assert code == 2 and "the spec" in stderr
    assert (specs / "alt.yaml").is_file()


def test_unrelated_folder_is_kept_unless_forced(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "important.txt").write_text("keep me", encoding="utf-8")
    code, stderr = stac(str(example / "spec.yaml"), "--out", str(out))
    assert code == 2 and "--force" in stderr
    assert (out / "important.txt").read_text(encoding="utf-8") == "keep me"
    code, _ = stac(str(example / "spec.yaml"), "--out", str(out), "--force")
    assert code == 0
    assert not (out / "important.txt").exists() and (out / "catalog.json").is_file()


def test_empty_folder_and_previous_catalog_are_replaced(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert stac(str(example / "spec.yaml"), "--out", str(out))[0] == 0
    assert stac(str(example / "spec.yaml"), "--out", str(out))[0] == 0  # a tpqc catalog
    assert json.loads((out / "catalog.json").read_text(encoding="utf-8"))["type"] == "Catalog"


def test_demo_never_overwrites_a_curators_spec(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "spec.yaml").write_text("my own spec\n", encoding="utf-8")
    result = run_cli("demo", str(folder))
    assert result.exit_code == 2 and "spec.yaml" in result.stderr
    assert (folder / "spec.yaml").read_text(encoding="utf-8") == "my own spec\n"
    assert sorted(p.name for p in folder.iterdir()) == ["spec.yaml"]


def test_readme_quick_start_runs_twice_from_a_fresh_folder(tmp_path: Path) -> None:
    tpqc = str(Path(sys.executable).with_name("tpqc"))
    for _ in range(2):  # the quick start is run again and again: the second run must pass too
        done = subprocess.run([tpqc, "demo"], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "tpqc-demo" / "stac" / "catalog.json").is_file()
    assert (tmp_path / "tpqc-demo" / "stac" / "tpqc-report.json").is_file()


def test_assets_outside_the_catalog_are_warned_and_can_be_copied_in(
    example: Path, tmp_path: Path
) -> None:
    out = tmp_path / "stac"
    result = run_cli("stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1")
    assert result.exit_code == 0 and "leave the catalog folder" in result.stderr
    assert "--copy-assets" in result.stderr and "--asset-href-prefix" in result.stderr
    result = run_cli(
        "stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1", "--copy-assets"
    )
    assert result.exit_code == 0 and "leave the catalog folder" not in result.stderr
    item_dir = out / "wudaoliang-alt" / "Wudaoliang_ALT_2017"
    item = json.loads((item_dir / "Wudaoliang_ALT_2017.json").read_text(encoding="utf-8"))
    assert item["assets"]["data"]["href"] == "./Wudaoliang_ALT_2017.tif"
    copied = item_dir / "Wudaoliang_ALT_2017.tif"
    original = example / "Wudaoliang_ALT_2017.tif"
    assert copied.stat().st_ino == original.stat().st_ino  # a hard link: no second read
    moved = tmp_path / "elsewhere"
    out.rename(moved)
    check = run_cli("check-stac", str(moved), "--profile", "-f", "json")
    report = json.loads(check.stdout)
    assert report["findings"] == [] and check.exit_code == 0
    # four data files and four thumbnails, all inside the moved catalog
    assert report["notes"] == [
        "assets: 8 local verified on disk, 0 missing, 0 remote (not fetched: offline)"
    ]
