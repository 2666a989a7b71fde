"""A run compared with an earlier JSON report (``--baseline OLD_REPORT.json``): findings the
baseline already had are unchanged and do not decide the exit code, new ones do, and the
baseline's findings this run no longer has are fixed. Findings are matched by check, file
and place (band, row, column, field), never by message wording. A baseline from another
dataset or another report version is refused, not half-compared."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

from tpqc.schemas.errors import TpqcError
from tpqc.schemas.identity import REPORT_VERSION, TOOL_NAME
from tpqc.validators.findings import BaselineComparison, Report, finding_key

MAX_BASELINE_BYTES = 256 << 20
"""A baseline report larger than this is refused (a JSON report of a huge dataset fits)."""


class BaselineError(TpqcError):
    """A baseline report that cannot be compared with this run."""


def load_baseline(path: Path) -> dict[str, Any]:
    """The baseline report, read and checked to be a tpqc JSON report of this version."""
    try:
        if path.stat().st_size > MAX_BASELINE_BYTES:
            raise BaselineError(f"--baseline {path}: larger than {MAX_BASELINE_BYTES} bytes")
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"--baseline {path}: not a readable JSON report ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise BaselineError(f"--baseline {path}: not a tpqc JSON report (-f json)")
    tool = document.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != TOOL_NAME:
        raise BaselineError(f"--baseline {path}: not a tpqc JSON report (-f json)")
    if document.get("report_version") != REPORT_VERSION:
        raise BaselineError(
            f"--baseline {path}: report version {document.get('report_version')!r}, this "
            f"tpqc writes {REPORT_VERSION!r}; write the baseline again with this version"
        )
    return document


def compare_with_baseline(report: Report, baseline: dict[str, Any], source: Path) -> Report:
    """The report with each finding marked new or unchanged and the fixed ones listed."""
    theirs = baseline.get("dataset")
    if report.dataset_id and isinstance(theirs, str) and theirs != report.dataset_id:
        raise BaselineError(
            f"--baseline {source}: a report of dataset {theirs!r}, not {report.dataset_id!r}"
        )
    old = [f for f in baseline["findings"] if isinstance(f, dict)]
    remaining = Counter(finding_key(f) for f in old)
    unchanged = set()
    for index, finding in enumerate(report.findings):
        key = finding.baseline_key
        if remaining[key] > 0:
            remaining[key] -= 1
            unchanged.add(index)
    fixed = []
    for earlier in old:  # as many of each key as this run no longer has
        key = finding_key(earlier)
        if remaining[key] > 0:
            remaining[key] -= 1
            fixed.append(earlier)
    comparison = BaselineComparison(source.name, frozenset(unchanged), tuple(fixed))
    return dataclasses.replace(report, baseline=comparison)
