"""The versioned JSON report (described by ``schemas/report.schema.json``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tpqc.schemas.identity import REPORT_VERSION, TOOL_NAME, TOOL_VERSION
from tpqc.validators.findings import Report

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext
from tpqc.validators.engine.json_values import clean_json, dumps


def report_document(report: Report, *, with_files: bool = True) -> Any:
    """The report as a JSON-ready dict with a stable key order (``with_files`` False: the
    ``files`` and ``inventory`` lists left empty, for :func:`json_report_chunks` to
    stream)."""
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
            "files": [dict(f) for f in report.files] if with_files else [],
            "inventory": [dict(r) for r in report.inventory] if with_files else [],
        }
    )


STREAMED_TAIL = '  "files": [],\n  "inventory": []\n}\n'
"""How the document without its per-file lists ends (its last two keys)."""


def _entries(entries: Iterable[Any]) -> Iterator[str]:
    """A list of objects at the document's second level, as the whole-document writer
    indents it, one entry at a time."""
    first = True
    for entry in entries:
        # JSON text has no newline inside a string (it is escaped): every line break is
        # between tokens, and each is indented four more spaces in one pass.
        text = dumps(clean_json(dict(entry))).rstrip("\n").replace("\n", "\n    ")
        yield ("[\n    " if first else ",\n    ") + text
        first = False
    yield "[]" if first else "\n  ]"


def json_report_chunks(report: Report) -> Iterator[str]:
    """The JSON report's text in pieces, one file entry and one inventory row at a time:
    the same bytes as the whole document, without a million files' entries in memory."""
    text = dumps(report_document(report, with_files=False))
    if not text.endswith(STREAMED_TAIL):  # pragma: no cover - the document's own layout
        raise AssertionError("the report document no longer ends with files, inventory")
    yield text[: -len(STREAMED_TAIL)] + '  "files": '
    yield from _entries(report.files)
    yield ',\n  "inventory": '
    yield from _entries(report.inventory)
    yield "\n}\n"


def render_json(report: Report, context: RenderContext | None = None) -> str:
    """The JSON report as text."""
    return "".join(json_report_chunks(report))
