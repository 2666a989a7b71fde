"""Report renderers, one module per output format."""

from __future__ import annotations

from collections.abc import Callable

from tpqc.validators.findings import Report

FORMATS = ("text", "json", "junit", "github")


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """Render a report in one of :data:`FORMATS`."""
    renderer: Callable[[Report], str]
    if fmt == "text":
        from tpqc.validators.render.text import render_text

        return render_text(report, color=color)
    if fmt == "json":
        from tpqc.validators.render.json_report import render_json as renderer
    elif fmt == "junit":
        from tpqc.validators.render.junit import render_junit as renderer
    elif fmt == "github":
        from tpqc.validators.render.github import render_github as renderer
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return renderer(report)
