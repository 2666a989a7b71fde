"""Helpers shared by the tests (importable because pytest's pythonpath includes tests/)."""

from __future__ import annotations

import hashlib
import json
import os
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
