"""The report as GitHub-flavoured Markdown, for a CI job's summary (``$GITHUB_STEP_SUMMARY``,
a merge-request note): the verdict, counts by severity, the findings grouped by check with
file and place, what a baseline makes new and fixed, and the waived findings. Bounded in
size (GitHub keeps at most 1 MiB of a step summary): past the budget, rows are left out and
the summary says how many. Every text from the data (file names, messages, values) is
escaped, so a file name cannot forge a table cell, a link or HTML."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from tpqc.schemas.identity import TOOL_VERSION
from tpqc.validators.findings import Finding, Report
from tpqc.validators.render.plain import json_text, visible, where_text

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext

MAX_BYTES = 900 * 1024
"""The summary's budget, under GitHub's 1 MiB cap for a step summary."""
MAX_CELL = 300
"""Characters of one table cell (values are cut with an ellipsis)."""
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, Markdown's characters escaped, HTML's
    ``<`` and ``&`` as entities, at most :data:`MAX_CELL` characters."""
    flat = visible(text)
    if len(flat) > MAX_CELL:
        flat = flat[: MAX_CELL - 1] + "…"
    flat = flat.replace("&", "&amp;").replace("<", "&lt;")
    return _SPECIAL.sub(r"\\\1", flat)


def _row(finding: Finding, state: str | None) -> str:
    mark = " (unchanged)" if state == "unchanged" else ""
    cells = [
        cell(finding.location.path or "(dataset)") + mark,
        cell(where_text(finding.location)),
        cell(finding.message),
        cell(json_text(finding.expected) if finding.expected is not None else ""),
        cell(json_text(finding.actual) if finding.actual is not None else ""),
    ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(report: Report, context: RenderContext | None = None) -> str:
    """The report as Markdown, within :data:`MAX_BYTES`."""
    summary = report.summary
    verdict = "passed" if summary.passed else f"FAILED (fail-on {report.fail_on.label})"
    head = [
        f"## tpqc: {cell(report.dataset_id or report.spec_path)} {verdict}",
        "",
        "| errors | warnings | notes | files | waived |"
        + (" new | fixed |" if summary.new is not None else ""),
        "| ---: | ---: | ---: | ---: | ---: |"
        + (" ---: | ---: |" if summary.new is not None else ""),
        f"| {summary.errors} | {summary.warnings} | {summary.infos} | {summary.files} "
        f"| {summary.waived} |"
        + (f" {summary.new} | {summary.fixed} |" if summary.new is not None else ""),
        "",
    ]
    if report.baseline is not None:
        head += [f"Compared with the baseline `{cell(report.baseline.source)}`.", ""]
    body: list[str] = []
    budget = MAX_BYTES - sum(len(line.encode("utf-8")) + 1 for line in head) - 2048
    left_out = 0

    def add(lines: list[str]) -> bool:
        nonlocal budget
        size = sum(len(line.encode("utf-8")) + 1 for line in lines)
        if size > budget:
            return False
        body.extend(lines)
        budget -= size
        return True

    states = (
        {id(f): report.baseline.state(i) for i, f in enumerate(report.findings)}
        if report.baseline is not None
        else {}
    )
    counts = Counter(f.code for f in report.findings)
    if report.findings:
        add(["### Findings by check", ""])
    for code in sorted(
        counts, key=lambda c: (-max(f.severity for f in report.findings if f.code == c), c)
    ):
        group = [f for f in report.findings if f.code == code]
        first = group[0]
        severity = max(f.severity for f in group).label
        header = [
            f"#### {code} {cell(first.name)} ({severity}): {len(group)}",
            "",
            "| file | where | message | expected | actual |",
            "| --- | --- | --- | --- | --- |",
        ]
        if not add(header):
            left_out += len(group)
            continue
        for index, finding in enumerate(group):
            if not add([_row(finding, states.get(id(finding)))]):
                left_out += len(group) - index
                break
        add([""])
    if report.baseline is not None and report.baseline.fixed:
        fixed = [Finding.from_json(old) for old in report.baseline.fixed]
        if add(
            [
                f"### Fixed since the baseline: {len(fixed)}",
                "",
                "| check | file | where | message |",
                "| --- | --- | --- | --- |",
            ]
        ):
            for index, finding in enumerate(fixed):
                line = (
                    f"| {finding.code} {cell(finding.name)} | "
                    f"{cell(finding.location.path or '(dataset)')} | "
                    f"{cell(where_text(finding.location))} | "
                    f"{cell(finding.message)} |"
                )
                if not add([line]):
                    left_out += len(fixed) - index
                    break
            add([""])
    if report.waived:
        waived = Counter((w.finding.code, w.finding.name, w.reason) for w in report.waived)
        add(
            [
                f"### Waived: {len(report.waived)}",
                "",
                "| check | findings | reason |",
                "| --- | ---: | --- |",
            ]
        )
        for (code, name, reason), count in sorted(waived.items()):
            if not add([f"| {code} {cell(name)} | {count} | {cell(reason)} |"]):
                break
        add([""])
    tail = [
        f"{left_out} findings left out to keep this summary under GitHub's size limit: "
        "the JSON report has them all."
        if left_out
        else "",
        "",
        f"<sub>tpqc {TOOL_VERSION}</sub>",
    ]
    return "\n".join(head + body + [line for line in tail if line or not left_out]) + "\n"
