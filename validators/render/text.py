"""The human-readable report: findings grouped by file, colour only on a terminal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tpqc.schemas.identity import TOOL_VERSION
from tpqc.validators.findings import Finding, Report, Severity

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_RESET = "\x1b[0m"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def _line(finding: Finding, color: bool) -> list[str]:
    label = f"{finding.severity.label:<7}"
    if color:
        label = f"{_COLORS[finding.severity]}{label}{_RESET}"
    where = []
    loc = finding.location
    if loc.band is not None:
        where.append(f"band {loc.band}")
    if loc.row is not None:
        where.append(f"row {loc.row}" + (f", col {loc.column}" if loc.column is not None else ""))
    if loc.field is not None and finding.code[0] == "T":
        where.append(f"column {loc.field}")
    place = f" [{'; '.join(where)}]" if where else ""
    lines = [f"  {label} {finding.code} {finding.name}: {finding.message}{place}"]
    if finding.expected is not None:
        lines.append(f"            expected: {_short(finding.expected)}")
    if finding.actual is not None:
        lines.append(f"            actual:   {_short(finding.actual)}")
    if finding.hint:
        lines.append(f"            hint:     {finding.hint}")
    return lines


def render_text(report: Report, context: RenderContext | None = None) -> str:
    """Render findings per file, then a one-line summary."""
    color = context.color if context is not None else False
    out = [f"tpqc {TOOL_VERSION}: {report.spec_path} (data: {report.data_root})", ""]
    dataset_wide = report.findings_for(None)
    if dataset_wide:
        out.append("dataset")
        for finding in dataset_wide:
            out.extend(_line(finding, color))
    paths = sorted(
        {str(f["path"]) for f in report.files}
        | {f.location.path for f in report.findings if f.location.path is not None}
    )
    for path in paths:
        findings = report.findings_for(path)
        out.append(f"{path}{'' if findings else '  ok'}")
        for finding in findings:
            out.extend(_line(finding, color))
    summary = report.summary
    verdict = "passed" if summary.passed else f"FAILED (fail-on {report.fail_on.label})"
    out += [
        "",
        f"{summary.files} files, {summary.errors} errors, {summary.warnings} warnings, "
        f"{summary.infos} notes: {verdict}",
    ]
    return "\n".join(out) + "\n"
