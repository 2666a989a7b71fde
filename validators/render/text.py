"""The human-readable report: findings grouped by file, colour only on a terminal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tpqc.schemas.identity import TOOL_VERSION
from tpqc.validators.findings import Finding, Report, Severity
from tpqc.validators.render.plain import visible

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_RESET = "\x1b[0m"


def _short(value: Any) -> str:
    text = visible(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
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
    lines = [f"  {label} {finding.code} {finding.name}: {visible(finding.message)}{place}"]
    if finding.expected is not None:
        lines.append(f"            expected: {_short(finding.expected)}")
    if finding.actual is not None:
        lines.append(f"            actual:   {_short(finding.actual)}")
    if finding.hint:
        lines.append(f"            hint:     {visible(finding.hint)}")
    return lines


LIST_OK_UP_TO = 50
"""Datasets with more files than this get one line for their clean files (--show-ok lists)."""


def render_text(report: Report, context: RenderContext | None = None) -> str:
    """Render findings per file, then a one-line summary. Clean files are listed for small
    datasets (or with ``show_ok``) and counted in one line for big ones."""
    color = context.color if context is not None else False
    out = [f"tpqc {TOOL_VERSION}: {visible(report.spec_path)} (data: {visible(report.data_root)})"]
    out.append("")
    grouped = report.by_path()
    if None in grouped:
        out.append("dataset")
        for finding in grouped[None]:
            out.extend(_line(finding, color))
    paths = sorted({str(f["path"]) for f in report.files} | {p for p in grouped if p is not None})
    show_ok = context.show_ok if context is not None and context.show_ok is not None else None
    list_ok = show_ok if show_ok is not None else len(paths) <= LIST_OK_UP_TO
    clean = 0
    for path in paths:
        findings = grouped.get(path, [])
        if not findings:
            clean += 1
            if not list_ok:
                continue
        out.append(f"{visible(path)}{'' if findings else '  ok'}")
        for finding in findings:
            out.extend(_line(finding, color))
    if clean and not list_ok:
        out.append(f"{clean} more files ok (--show-ok lists them)")
    if report.waived:
        out += ["", f"waived ({len(report.waived)}, not counted)"]
        for waived in report.waived:
            path = visible(waived.finding.location.path or "(dataset)")
            out.append(f"  {path}")
            out.extend(_line(waived.finding, color))
            out.append(f"            waived:   {visible(waived.reason)}")
    if report.notes:
        out.append("")
        out.extend(f"note: {visible(note)}" for note in report.notes)
    summary = report.summary
    verdict = "passed" if summary.passed else f"FAILED (fail-on {report.fail_on.label})"
    out += [
        "",
        f"{summary.files} files, {summary.errors} errors, {summary.warnings} warnings, "
        f"{summary.infos} notes"
        + (f", {summary.waived} waived" if summary.waived else "")
        + f": {verdict}",
    ]
    return "\n".join(out) + "\n"
