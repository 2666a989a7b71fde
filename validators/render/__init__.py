"""Report renderers, one module per output format, imported only when that format is asked
for (the command line lists :data:`FORMATS` from here)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from tpqc.validators.findings import Report

Renderer = Callable[[Report], str]
_RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("tpqc.validators.render.text", "render_text"),
    "json": ("tpqc.validators.render.json_report", "render_json"),
    "junit": ("tpqc.validators.render.junit", "render_junit"),
    "github": ("tpqc.validators.render.github", "render_github"),
}
FORMATS: tuple[str, ...] = tuple(_RENDERERS)


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """Render a report in one of :data:`FORMATS` (``color`` only affects text)."""
    if fmt == "text":
        from tpqc.validators.render.text import render_text

        return render_text(report, color=color)
    try:
        module_name, function = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}") from None
    renderer = cast(Renderer, getattr(importlib.import_module(module_name), function))
    return renderer(report)
