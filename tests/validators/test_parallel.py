"""Parallel and cached reading: the same facts whatever the split, pool, cluster or cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import rasterio

from tpqc.examples.wudaoliang.generate import alt_field, write_alt
from tpqc.validators.engine import parallel
from tpqc.validators.engine.facts_cache import FactsCache
from tpqc.validators.engine.parallel import gather_facts
from tpqc.validators.kinds.geotiff.reader import ReadPlan
from tpqc_testkit import run_cli

PLAN = ReadPlan(0.0, 10.0)


def jobs_of(folder: Path) -> list[tuple[str, str, ReadPlan]]:
    return [(str(folder), p.name, PLAN) for p in sorted(folder.glob("*.tif"))]


def test_split_files_give_bit_identical_facts(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = np.tile(alt_field(2019), (6, 3))  # 582 x 807, several windows
    write_alt(example / "Wudaoliang_ALT_2019.tif", big, blockxsize=64, blockysize=64)
    monkeypatch.setattr("tpqc.validators.kinds.geotiff.reader.WINDOW_PIXELS", 64 * 64 * 4)
    # the patched window size reaches forked workers only (not a forkserver's)
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")
    sequential = gather_facts(jobs_of(example), 1)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 0)
    for workers in (2, 3):
        assert gather_facts(jobs_of(example), workers) == sequential
    (band,) = sequential[2].bands
    valid = big[big != -9999].astype(np.float64)
    assert band.valid == valid.size and band.mean == pytest.approx(valid.mean(), rel=1e-13)


def test_cache_serves_unchanged_files_and_rereads_changed_ones(
    example: Path, tmp_path: Path
) -> None:
    target = example / "Wudaoliang_ALT_2018.tif"
    write_alt(target, alt_field(2018), compress=None, tiled=False)
    cache = FactsCache(tmp_path / "cache")
    first = gather_facts(jobs_of(example), 1, cache=cache)
    assert (cache.hits, cache.misses) == (0, 4)
    again = gather_facts(jobs_of(example), 2, cache=cache)
    assert again == first and cache.hits == 4
    # Rewrite one pixel in place (same size) and put the mtime back: ctime still tells.
    stat = target.stat()
    with rasterio.open(target) as src:
        offset = int(src.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1))
    with target.open("r+b") as stream:
        stream.seek(offset)
        stream.write(np.float32(9.5).tobytes())
    assert target.stat().st_size == stat.st_size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    hits_before = cache.hits
    third = gather_facts(jobs_of(example), 1, cache=cache)
    assert cache.hits == hits_before + 3
    assert third[1].bands[0].maximum == 9.5 and third[1] != first[1]
    assert third[0] == first[0]


def test_corrupt_cache_entry_is_a_miss(example: Path, tmp_path: Path) -> None:
    cache = FactsCache(tmp_path / "cache")
    first = gather_facts(jobs_of(example), 1, cache=cache)
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_bytes(b"not json {")
    assert gather_facts(jobs_of(example), 1, cache=cache) == first


def test_reports_identical_for_jobs_cluster_and_cache(example: Path, tmp_path: Path) -> None:
    spec = str(example / "spec.yaml")
    cache = str(tmp_path / "facts")
    runs = {
        "jobs1": run_cli("validate", spec, "-f", "json", "-j", "1", "--no-cache"),
        "jobs2": run_cli("validate", spec, "-f", "json", "-j", "2", "--no-cache"),
        "cold": run_cli("validate", spec, "-f", "json", "--cache", cache),
        "cached": run_cli("validate", spec, "-f", "json", "--cache", cache),
        "cluster": run_cli("validate", spec, "-f", "json", "--scheduler", "local:2", "--no-cache"),
    }
    outputs = {name: result.stdout for name, result in runs.items()}
    assert all(result.exit_code == 0 for result in runs.values()), {
        n: r.stderr for n, r in runs.items()
    }
    assert len(set(outputs.values())) == 1
    assert any((tmp_path / "facts").rglob("*.json"))


def test_unreachable_scheduler_is_a_tool_error(example: Path) -> None:
    result = run_cli("validate", str(example / "spec.yaml"), "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2 and "scheduler" in result.stderr


def test_dask_and_local_runs_agree_on_a_split_raster(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = np.tile(alt_field(2019), (16, 6))  # 2.5 Mpx: three windows, split over workers
    write_alt(example / "Wudaoliang_ALT_2019.tif", big, blockxsize=256, blockysize=256)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 0)  # the split is decided here, not in workers
    spec = str(example / "spec.yaml")
    local = run_cli("validate", spec, "-f", "json", "-j", "2", "--no-cache")
    dask = run_cli("validate", spec, "-f", "json", "--scheduler", "local:2", "--no-cache")
    assert local.exit_code == dask.exit_code
    a, b = json.loads(local.stdout), json.loads(dask.stdout)
    assert a["findings"] == b["findings"] and a["inventory"] == b["inventory"]
    assert a["files"] == b["files"] and a["findings"]  # the tiled 2019 grid differs: D004
    assert "distributed" not in dask.stderr and "Nanny" not in dask.stderr


def test_scheduler_without_the_cluster_extra_names_the_install(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    result = run_cli("validate", str(example / "spec.yaml"), "--scheduler", "local:2")
    assert result.exit_code == 2 and "pip install 'tpqc[cluster]'" in result.stderr
