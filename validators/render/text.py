"""The human-readable report: findings grouped by file, colour only on a terminal."""

from __future__ import annotations

import json
from collections import Counter
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


def _line(finding: Finding, color: bool, state: str | None = None) -> list[str]:
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
    mark = f" ({state})" if state == "unchanged" else ""
    lines = [f"  {label} {finding.code} {finding.name}: {visible(finding.message)}{place}{mark}"]
    if finding.expected is not None:
        lines.append(f"            expected: {_short(finding.expected)}")
    if finding.actual is not None:
        lines.append(f"            actual:   {_short(finding.actual)}")
    examples = _examples(finding)
    if examples:
        lines.append(f"            examples: {examples}")
    if finding.hint:
        lines.append(f"            hint:     {visible(finding.hint)}")
    return lines


SHOWN_EXAMPLES = 3
"""Examples of a finding written on its line (the JSON report keeps them all)."""


def _examples(finding: Finding) -> str:
    """The first few offending values with where they are: ``row 1503 (2019-01-11
    10:10:00) = 104.0``, ``row 0, col 3 = 26963.3``."""
    examples = finding.details.get("examples")
    if not isinstance(examples, list) or not examples:
        return ""
    shown = []
    for example in examples[:SHOWN_EXAMPLES]:
        if not isinstance(example, dict):
            continue
        where = []
        if example.get("row") is not None:
            where.append(f"row {example['row']}")
        if example.get("column") is not None:
            where.append(f"col {example['column']}")
        place = ", ".join(where)
        if example.get("time"):
            place += f" ({example['time']})"
        value = example.get("value")
        text = place + (f" = {_short(value)}" if value is not None else "")
        if text:
            shown.append(text)
    more = len(examples) - len(shown)
    return visible("; ".join(shown) + (f"; {more} more in the JSON report" if more > 0 else ""))


def _states(report: Report) -> dict[int, str]:
    """Each finding's baseline state by identity (none without a baseline)."""
    if report.baseline is None:
        return {}
    return {id(f): report.baseline.state(i) for i, f in enumerate(report.findings)}


def _waived_lines(report: Report, color: bool) -> list[str]:
    """Every waived finding with its place and the waiver's reason."""
    out = []
    for waived in report.waived:
        path = visible(waived.finding.location.path or "(dataset)")
        out.append(f"  {path}")
        out.extend(_line(waived.finding, color))
        out.append(f"            waived:   {visible(waived.reason)}")
    return out


def _waived_counts(report: Report) -> list[str]:
    """One line per check and waiver reason, with how many findings it accepts."""
    counts = Counter((w.finding.code, w.finding.name, w.reason) for w in report.waived)
    out = [
        f"  {code} {name}: {count} finding{'s' if count != 1 else ''} ({visible(reason)})"
        for (code, name, reason), count in sorted(counts.items())
    ]
    return [*out, "  (--show-waived lists them)"]


LIST_OK_UP_TO = 50
"""Datasets with more files than this get one line for their clean files (--show-ok lists)."""


def render_text(report: Report, context: RenderContext | None = None) -> str:
    """Render findings per file, then a one-line summary. Clean files are listed for small
    datasets (or with ``show_ok``) and counted in one line for big ones."""
    color = context.color if context is not None else False
    out = [f"tpqc {TOOL_VERSION}: {visible(report.spec_path)} (data: {visible(report.data_root)})"]
    out.append("")
    grouped = report.by_path()
    states = _states(report)
    if None in grouped:
        out.append("dataset")
        for finding in grouped[None]:
            out.extend(_line(finding, color, states.get(id(finding))))
    paths = sorted(set(report.file_paths()) | {p for p in grouped if p is not None})
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
            out.extend(_line(finding, color, states.get(id(finding))))
    if clean and not list_ok:
        out.append(f"{clean} more files ok (--show-ok lists them)")
    if report.waived:
        show_waived = context.show_waived if context is not None else False
        out += ["", f"waived ({len(report.waived)}, not counted)"]
        out += _waived_lines(report, color) if show_waived else _waived_counts(report)
    if report.baseline is not None and report.baseline.fixed:
        out += ["", f"fixed since {visible(report.baseline.source)} ({len(report.baseline.fixed)})"]
        for old in report.baseline.fixed:
            fixed = Finding.from_json(old)
            out.append(f"  {visible(fixed.location.path or '(dataset)')}")
            out.extend(_line(fixed, False))
    if report.notes:
        out.append("")
        out.extend(f"note: {visible(note)}" for note in report.notes)
    out += ["", _summary_line(report)]
    return "\n".join(out) + "\n"


def _summary_line(report: Report) -> str:
    summary = report.summary
    verdict = "passed" if summary.passed else f"FAILED (fail-on {report.fail_on.label})"
    return (
        f"{summary.files} files, {summary.errors} errors, {summary.warnings} warnings, "
        f"{summary.infos} notes"
        + (f", {summary.waived} waived" if summary.waived else "")
        + (
            f" ({summary.new} new, {summary.fixed} fixed since the baseline)"
            if summary.new is not None
            else ""
        )
        + f": {verdict}"
    )


def render_brief(report: Report) -> str:
    """The report in a few lines: one per check with how many findings in how many files,
    then the summary (for a run whose whole report is written elsewhere)."""
    out = [f"tpqc {TOOL_VERSION}: {visible(report.spec_path)} (data: {visible(report.data_root)})"]
    counts: Counter[tuple[Severity, str, str]] = Counter()
    files: dict[tuple[Severity, str, str], set[str | None]] = {}
    for finding in report.findings:
        key = (finding.severity, finding.code, finding.name)
        counts[key] += 1
        files.setdefault(key, set()).add(finding.location.path)
    for (severity, code, name), count in sorted(
        counts.items(), key=lambda kv: (-kv[0][0], kv[0][1])
    ):
        where = files[(severity, code, name)]
        spread = f" in {len(where)} files" if len(where) > 1 else ""
        out.append(
            f"  {severity.label:<7} {code} {name}: {count} finding{'s' if count != 1 else ''}"
            + spread
        )
    if report.waived:
        out.append(f"  {len(report.waived)} findings waived")
    out.append(_summary_line(report))
    return "\n".join(out) + "\n"
