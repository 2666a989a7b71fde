"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tpqc.validators.findings import Report, Severity

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(report: Report, context: RenderContext | None = None) -> str:
    """``::error file=...,title=R006 crs-mismatch::message`` lines."""
    lines = []
    for f in report.findings:
        where = f"file={_escape(f.location.path)}," if f.location.path else ""
        detail = f" (expected {f.expected}, actual {f.actual})" if f.expected is not None else ""
        lines.append(
            f"::{_LEVEL[f.severity]} {where}title={f.code} {f.name}::{_escape(f.message + detail)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
