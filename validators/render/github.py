"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tpqc.validators.findings import Report, Severity
from tpqc.validators.render.plain import json_text

if TYPE_CHECKING:
    from tpqc.validators.render import RenderContext

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped (GitHub's rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ``:`` and ``,``, which would otherwise end
    the value and let a file name forge a property or a new annotation."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, context: RenderContext | None = None) -> str:
    """``::error file=...,title=R006 crs-mismatch::message`` lines, values as JSON."""
    lines = []
    for f in report.findings:
        where = f"file={escape_property(f.location.path)}," if f.location.path else ""
        detail = (
            f" (expected {json_text(f.expected)}, actual {json_text(f.actual)})"
            if f.expected is not None
            else ""
        )
        title = escape_property(f"{f.code} {f.name}")
        lines.append(
            f"::{_LEVEL[f.severity]} {where}title={title}::{escape_data(f.message + detail)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
