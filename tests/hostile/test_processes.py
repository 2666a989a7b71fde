"""Concurrent publishes to one folder take turns, and workers never outlive a killed run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from tpqc.examples.wudaoliang.generate import write_alt
from tpqc_testkit import all_ended, run_cli, workers_of

TPQC = str(Path(sys.executable).with_name("tpqc"))


def test_concurrent_publishes_to_one_folder_all_succeed(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "stac"
    command = [TPQC, "-q", "stac", str(example / "spec.yaml"), "--out", str(out), "-j", "1"]
    for _ in range(4):
        runs = [
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(3)
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=300)
            assert run.returncode == 0, stderr.decode()
    report = json.loads(run_cli("check-stac", str(out), "-f", "json").stdout)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stac", "wudaoliang"]


def test_staging_folders_of_live_writers_are_kept(tmp_path: Path) -> None:
    from tpqc.stac.write import remove_stale_temporaries

    target = tmp_path / "cat"
    target.mkdir()
    live = tmp_path / f".tpqc-stac-cat-{os.getppid()}-abc"
    dead = tmp_path / ".tpqc-stac-cat-999999999-abc"
    for folder in (live, dead):
        folder.mkdir()
    remove_stale_temporaries(target)
    assert live.is_dir() and not dead.exists()


def test_workers_die_with_a_killed_run(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    for index in range(40):
        data = rng.random((1500, 1500), dtype=np.float32)
        write_alt(tmp_path / f"T{index:02d}_ALT_2017.tif", data, compress=None, tiled=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "spec_version: 1\ndataset: {id: big}\nrasters:\n"
        "  - {name: t, pattern: '{tile}_ALT_{year}.tif'}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [TPQC, "-q", "validate", str(spec), "--no-cache", "-j", "2", "-f", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = workers_of(process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert all_ended(workers)
