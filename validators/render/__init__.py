"""Report renderers, one module per output format, imported only when that format is asked
for (the command line lists :data:`FORMATS` from here)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from tpqc.validators.findings import Report
from tpqc.validators.registry import CheckInfo


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may need beyond the report: the checks' identities (for their names
    and descriptions) and whether the terminal takes colour."""

    every_check: Callable[[], tuple[CheckInfo, ...]] = tuple
    """Where the checks' identities come from, asked only by the renderers that list checks
    (SARIF, JUnit, HTML): loading every check module takes 0.1 s a JSON or text report
    never needs."""
    color: bool = False
    show_ok: bool | None = None
    """List clean files in the text report; None: only for small datasets."""
    show_waived: bool = False
    """List every waived finding in the text report (else one line per check and reason)."""
    spec_uri: str | None = None
    """Where the spec is (SARIF locates dataset-wide findings in it)."""
    spec_lines: Mapping[str, int] = field(default_factory=dict)
    """The spec line of each field a finding may name (``dataset.extent``, ``rasters.alt``)."""
    pictures: Any = None
    """What the HTML report draws beyond the report (quicklooks, footprints, metadata)."""

    @functools.cached_property
    def checks(self) -> tuple[CheckInfo, ...]:
        """Every check's identity (code, name, severity, description), loaded when first
        asked for."""
        return self.every_check()


Renderer = Callable[[Report, RenderContext], str]
_RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("tpqc.validators.render.text", "render_text"),
    "json": ("tpqc.validators.render.json_report", "render_json"),
    "junit": ("tpqc.validators.render.junit", "render_junit"),
    "github": ("tpqc.validators.render.github", "render_github"),
    "sarif": ("tpqc.validators.render.sarif", "render_sarif"),
    "html": ("tpqc.validators.render.html", "render_html"),
    "markdown": ("tpqc.validators.render.markdown", "render_markdown"),
    "codequality": ("tpqc.validators.render.codequality", "render_codequality"),
}
FORMATS: tuple[str, ...] = tuple(_RENDERERS)
_IN_PIECES: dict[str, tuple[str, str]] = {
    "json": ("tpqc.validators.render.json_report", "json_report_chunks"),
}
"""The formats written in pieces, and the function that yields them."""


def render(report: Report, fmt: str, context: RenderContext = RenderContext()) -> str:
    """Render a report in one of :data:`FORMATS`."""
    try:
        module_name, function = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}") from None
    renderer = cast(Renderer, getattr(importlib.import_module(module_name), function))
    return renderer(report, context)


def render_chunks(
    report: Report, fmt: str, context: RenderContext = RenderContext()
) -> Iterator[str]:
    """The rendered report in pieces that join to :func:`render`'s text: the JSON report
    one file entry and one inventory row at a time (a million files' report is never one
    string); the other formats in one piece."""
    if fmt in _IN_PIECES:
        module_name, function = _IN_PIECES[fmt]
        chunks = cast(
            Callable[[Report], Iterator[str]],
            getattr(importlib.import_module(module_name), function),
        )
        return chunks(report)
    return iter((render(report, fmt, context),))
