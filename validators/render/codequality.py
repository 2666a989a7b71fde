"""GitLab Code Quality JSON (``artifacts: reports: codequality:``): one issue per finding
with its description, check name, severity, location (path and line) and a fingerprint that
stays the same across runs while the finding does (check, file and place; not the message),
so GitLab shows what a merge request introduced and what it fixed. Paths are relative to the
job's working folder, the project checkout, as GitLab expects."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpqc.validators.engine.json_values import dumps
from tpqc.validators.findings import Finding, Report, Severity
from tpqc.validators.render.plain import json_text

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """A stable id of the finding: its check, file and place (and its rank among equal
    ones), hashed."""
    key = "\x1f".join(str(part) for part in (*finding.baseline_key, occurrence))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def project_path(path: str) -> str:
    """A path as GitLab locates files: relative to the job's working folder (the project
    checkout) when it lies inside it, else as it is."""
    if "://" in path:
        return path
    absolute = Path(path).absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path


def _issue(
    finding: Finding, occurrence: int, spec_path: str, spec_lines: Any, data_root: str
) -> Any:
    parts = []
    if finding.expected is not None:
        parts.append(f"expected {json_text(finding.expected)}")
    if finding.actual is not None:
        parts.append(f"actual {json_text(finding.actual)}")
    detail = f" ({', '.join(parts)})" if parts else ""
    if finding.location.path is not None:
        # a table's findings sit at their row; a raster's at the file's first line
        line = finding.location.row if finding.code.startswith("T") and finding.location.row else 1
        path = project_path(f"{data_root.rstrip('/')}/{finding.location.path}")
    else:  # dataset-wide: at the spec's line of the field
        path = project_path(spec_path)
        line = spec_lines.get(finding.location.field or "", 1) if finding.location.field else 1
    return {
        "type": "issue",
        "check_name": f"{finding.code} {finding.name}",
        "description": f"{finding.code} {finding.name}: {finding.message}{detail}",
        "categories": ["Bug Risk"],
        "severity": _SEVERITY[finding.severity],
        "fingerprint": fingerprint(finding, occurrence),
        "location": {"path": path, "lines": {"begin": int(line)}},
    }


def render_codequality(report: Report, context: RenderContext | None = None) -> str:
    """The findings as a GitLab Code Quality report (waived findings are not issues)."""
    seen: dict[str, int] = {}
    issues = []
    spec_path = context.spec_uri if context is not None and context.spec_uri else report.spec_path
    spec_lines = context.spec_lines if context is not None else {}
    for finding in report.findings:
        base = fingerprint(finding)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        issues.append(_issue(finding, occurrence, spec_path, spec_lines, report.data_root))
    return dumps(issues)
