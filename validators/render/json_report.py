"""The versioned JSON report (described by ``schemas/report.schema.json``)."""

from __future__ import annotations

import math
from typing import Any

from tpqc.validators.findings import Report

from tpqc import REPORT_VERSION, __version__


def clean_json(value: Any) -> Any:
    """Make a value strict JSON: non-finite floats become the strings nan, inf, -inf."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if all(type(v) is int for v in value):  # histogram buckets: nothing to clean
            return list(value)
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


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(document: Any) -> str:
    """Deterministic UTF-8 JSON text: indented, no ASCII escapes, trailing newline.

    orjson writes it about ten times faster than the standard library's indenting encoder
    (which falls back to pure Python); non-finite floats were made strings by clean_json."""
    import orjson

    return orjson.dumps(document, default=_plain, option=orjson.OPT_INDENT_2).decode() + "\n"


def render_json(report: Report) -> str:
    """The JSON report as text."""
    return dumps(report_document(report))
