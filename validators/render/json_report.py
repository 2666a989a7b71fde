"""The versioned JSON report (described by ``schemas/report.schema.json``)."""

from __future__ import annotations

import json
import math
from typing import Any

from tpqc.validators.findings import Report

from tpqc import REPORT_VERSION, __version__


def clean_json(value: Any) -> Any:
    """Make a value strict JSON: non-finite floats become the strings nan, inf, -inf."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def report_document(report: Report) -> Any:
    """The report as a JSON-ready dict with a stable key order."""
    summary = report.summary
    return clean_json(
        {
            "report_version": REPORT_VERSION,
            "tool": {"name": "tpqc", "version": __version__},
            "spec": report.spec_path,
            "data_root": report.data_root,
            "fail_on": report.fail_on.label,
            "summary": {
                "files": summary.files,
                "errors": summary.errors,
                "warnings": summary.warnings,
                "infos": summary.infos,
                "passed": summary.passed,
            },
            "findings": [f.to_json() for f in report.findings],
            "files": [dict(f) for f in report.files],
            "inventory": [dict(r) for r in report.inventory],
        }
    )


def dumps(document: Any) -> str:
    """Deterministic UTF-8 JSON text: indented, no ASCII escapes, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_json(report: Report) -> str:
    """The JSON report as text."""
    return dumps(report_document(report))
