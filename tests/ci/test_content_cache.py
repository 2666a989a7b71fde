"""A facts cache keyed by content survives a fresh checkout: the same files in another folder,
with new inodes and times, are served from the cache; a changed or renamed file is read
again; a stat-keyed cache misses them all."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from tpqc.examples.qilian.generate import write_example
from tpqc_testkit import run_cli


def run(spec: Path, cache: Path, *extra: str) -> tuple[int, int, dict[str, Any]]:
    result = run_cli("validate", str(spec), "-f", "json", "--cache", str(cache), "-v", *extra)
    counts = re.search(r"(\d+) hits, (\d+) misses", result.stderr)
    assert counts is not None, result.stderr
    return int(counts[1]), int(counts[2]), json.loads(result.stdout)


def test_a_content_keyed_cache_serves_a_fresh_checkout(tmp_path: Path) -> None:
    first = write_example(tmp_path / "checkout-1" / "data")
    cache = tmp_path / "cache"
    assert run(first, cache, "--cache-key", "content")[:2] == (0, 22)
    fresh = tmp_path / "checkout-2" / "data"
    shutil.copytree(first.parent, fresh)  # new inodes, new times, another folder
    for path in fresh.rglob("*.tif"):
        path.touch()
    hits, misses, report = run(fresh / "spec.yaml", cache, "--cache-key", "content")
    assert (hits, misses) == (22, 0)
    paths = sorted(str(f["path"]) for f in report["files"])
    assert "LST/LST_2015.tif" in paths and len(paths) == 22
    # a stat-keyed cache knows none of the fresh checkout's files
    assert run(fresh / "spec.yaml", cache)[:2] == (0, 22)
    # a changed file is read again, and only it
    changed = fresh / "AWS" / "Arou_AWS_2019.csv"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run(fresh / "spec.yaml", cache, "--cache-key", "content")[:2] == (21, 1)


def test_same_content_under_another_name_is_not_served_as_the_other(tmp_path: Path) -> None:
    spec = write_example(tmp_path / "data")
    cache = tmp_path / "cache"
    run(spec, cache, "--cache-key", "content")
    land = tmp_path / "data" / "LandCover"
    (land / "LC_2015.tif").rename(land / "LC_2016.tif")  # same bytes, another member
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("{in: [2015, 2020]}", "{in: [2016, 2020]}"),
        encoding="utf-8",
    )
    hits, misses, report = run(spec, cache, "--cache-key", "content")
    assert misses == 1 and hits == 21
    entry = next(f for f in report["files"] if f["path"].startswith("LandCover/LC_2016"))
    assert entry["path"] == "LandCover/LC_2016.tif"
