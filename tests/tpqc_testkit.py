"""Helpers shared by the tests (importable because pytest's pythonpath includes tests/)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tpqc.cli import cli

REPO = Path(__file__).resolve().parent.parent
REALDATA = Path(os.environ.get("TPQC_REALDATA", REPO.parent / "shared" / "realdata"))


def run_cli(*args: str) -> Result:
    """Run the tpqc CLI in-process, with stdout and stderr kept apart."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def validate_json(spec: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Run `tpqc validate --format json` and return the exit code and the parsed report."""
    result = run_cli("validate", str(spec), "--format", "json", "--jobs", "1", *extra)
    return result.exit_code, json.loads(result.stdout)


def codes_by_path(report: dict[str, Any]) -> dict[str | None, list[str]]:
    """The finding names of a JSON report, grouped by path."""
    grouped: dict[str | None, list[str]] = {}
    for finding in report["findings"]:
        grouped.setdefault(finding["path"], []).append(finding["name"])
    return grouped


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under folder, to prove a run changed nothing."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


MIXED_SPEC = """spec_version: 1
data: .
dataset: {id: mixed}
rasters:
  - {name: alt, pattern: "Wudaoliang_ALT_{year}.tif"}
  - {name: prec, pattern: "prec_CMFD_V0106_B-01_03hr_010deg_{year}{month}.nc", variable: prec}
tables:
  - name: aws
    pattern: "{station}_AWS_{year}.csv"
    header_rows: 2
    units_row: 2
    time: {column: TIMESTAMP, step: 10min, timezone: "+08:00", label: end}
    missing_values: [-6999]
    columns:
      Ta_5m: {variable: air_temperature}
      RH_5m: {variable: relative_humidity}
"""


def write_mixed_dataset(folder: Path, rasters: int = 8, netcdfs: int = 6, tables: int = 6) -> Path:
    """GeoTIFFs, NetCDF files and station tables under one spec (every reader and every
    library of the engine in one run); returns the spec's path."""
    from tpqc.examples.aws.generate import write_aws_year
    from tpqc.examples.cmfd.generate import write_cmfd_month
    from tpqc.examples.wudaoliang.generate import alt_field, write_alt

    folder.mkdir(parents=True, exist_ok=True)
    for year in range(2013, 2013 + rasters):
        write_alt(folder / f"Wudaoliang_ALT_{year}.tif", alt_field(2017))
    for month in range(1, netcdfs + 1):
        write_cmfd_month(
            folder / f"prec_CMFD_V0106_B-01_03hr_010deg_2018{month:02d}.nc", 2018, month
        )
    for index in range(tables):
        write_aws_year(folder / f"S{index}_AWS_2019.csv", days=10)
    (folder / "spec.yaml").write_text(MIXED_SPEC, encoding="utf-8")
    return folder / "spec.yaml"


def child_processes(pid: int) -> set[int]:
    """The process ids of a process's children (Linux /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return set()
    return {int(c) for c in text.split()}


def process_alive(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").split(") ")[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def workers_of(process: subprocess.Popen[bytes], count: int = 2) -> set[int]:
    """The worker processes of a running tpqc, once ``count`` of them are up."""
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < count and process.poll() is None:
        workers = child_processes(process.pid)
        time.sleep(0.02)
    assert len(workers) >= count, "the run ended before its workers could be seen"
    return workers


def all_ended(pids: set[int], within: float = 20.0) -> bool:
    """True once none of the processes is alive (waiting up to ``within`` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(process_alive(p) for p in pids):
        time.sleep(0.05)
    return not any(process_alive(p) for p in pids)


def summary_columns(**changes: object) -> dict[str, object]:
    """A GeoTIFF summary's columns as the series rows read them (grid, outlier numbers and a
    checksum they ignore), with ``changes``."""
    columns: dict[str, object] = {
        "crs": "EPSG:4326",
        "transform": "(0.01, 0.0, 91.8, 0.0, -0.01, 35.61)",
        "shape": "81x224",
        "bands": 1,
        "dtype": "float32",
        "nodata": -9999.0,
        "valid_fraction": 0.5,
        "valid_mean": 1.25,
        "sha256": "ab",
    }
    columns.update(changes)
    return columns
