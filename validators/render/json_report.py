"""The versioned JSON report (described by ``schemas/report.schema.json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tpqc.schemas.identity import REPORT_VERSION, TOOL_NAME, TOOL_VERSION
from tpqc.validators.findings import Report

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext
from tpqc.validators.engine.json_values import clean_json, dumps


def report_document(report: Report) -> Any:
    """The report as a JSON-ready dict with a stable key order."""
    summary = report.summary
    counts: dict[str, Any] = {
        "files": summary.files,
        "errors": summary.errors,
        "warnings": summary.warnings,
        "infos": summary.infos,
        "passed": summary.passed,
        "waived": summary.waived,
    }
    findings = [f.to_json() for f in report.findings]
    extra: dict[str, Any] = {}
    if report.baseline is not None:
        counts |= {"new": summary.new, "fixed": summary.fixed}
        for index, finding in enumerate(findings):
            finding["baseline"] = report.baseline.state(index)
        extra["baseline"] = {
            "source": report.baseline.source,
            "new": summary.new,
            "unchanged": len(report.baseline.unchanged),
            "fixed": [dict(f) for f in report.baseline.fixed],
        }
    return clean_json(
        {
            "report_version": REPORT_VERSION,
            "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
            "spec": report.spec_path,
            **({"dataset": report.dataset_id} if report.dataset_id else {}),
            "data_root": report.data_root,
            "fail_on": report.fail_on.label,
            "summary": counts,
            **extra,
            "findings": findings,
            "waived": [w.to_json() for w in report.waived],
            "notes": list(report.notes),
            "files": [dict(f) for f in report.files],
            "inventory": [dict(r) for r in report.inventory],
        }
    )


def render_json(report: Report, context: RenderContext | None = None) -> str:
    """The JSON report as text."""
    return dumps(report_document(report))
