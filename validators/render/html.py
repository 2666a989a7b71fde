"""The curator's report: one self-contained HTML page (no network, no JavaScript) with the
verdict, the findings by check and by file, each raster's quicklook and histogram, the
footprints on a map, series over time and station columns over time.

Everything drawn comes from the report and the pictures of the one read (quicklooks taken
while the windows streamed past, footprints and sketches from the facts); images are data
URIs, charts inline SVG. Pages for thousands of files stay usable: file sections are
collapsed, findings grouped, quicklooks small.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from importlib import resources
from typing import Any

from tpqc.schemas.identity import TOOL_VERSION
from tpqc.validators.findings import Finding, Report, Severity
from tpqc.validators.grid.quicklook import UNKNOWN_COLOUR, Quicklook, hex_colour, palette
from tpqc.validators.registry import CheckInfo
from tpqc.validators.render import RenderContext, svg
from tpqc.validators.render.pictures import (
    NOT_A_TIME,
    FilePicture,
    ProductPicture,
    ReportPictures,
)
from tpqc.validators.render.plain import where_text, xml_text

OPEN_UP_TO = 12
"""Datasets with at most this many files show every file section opened."""
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 400 else text[:397] + "..."


def _finding_row(finding: Finding, anchors: Mapping[str, str]) -> dict[str, Any]:
    path = finding.location.path
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "path": path or "(dataset)",
        "anchor": anchors.get(path or "", ""),
        "where": where_text(finding.location),
        "message": finding.message,
        "expected": _value(finding.expected),
        "actual": _value(finding.actual),
        "hint": finding.hint or "",
    }


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _facts(file: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The key facts of one file for its section, as (label, value)."""
    out: list[tuple[str, str]] = []
    crs = file.get("crs") or {}
    if crs:
        out.append(("CRS", str(crs.get("name") or crs.get("code") or "")))
    if file.get("width"):
        out.append(("shape", f"{file['height']} x {file['width']} x {file.get('band_count', 1)}"))
    if file.get("resolution"):
        x, y = file["resolution"]
        out.append(("pixel size", f"{x:.6g} x {y:.6g}"))
    if file.get("dtype"):
        out.append(("data type", str(file["dtype"])))
    bands = file.get("bands") or []
    if bands:
        band = bands[0]
        out.append(("nodata", str(band.get("nodata"))))
        if band.get("pixels"):
            nodata = 1 - (band.get("valid") or 0) / band["pixels"]
            out.append(("nodata fraction", f"{nodata:.2%}"))
        if band.get("min") is not None:
            out.append(
                ("min / mean / max", f"{band['min']:.6g} / {band['mean']:.6g} / {band['max']:.6g}")
            )
    if file.get("rows") is not None:
        out.append(("rows", str(file["rows"])))
    if file.get("time_start") is not None:
        out.append(("time", f"{file.get('time_start')} .. {file.get('time_end')}"))
    if file.get("size") is not None:
        out.append(("size", f"{file['size']:,} bytes"))
    if file.get("sha256"):
        out.append(("sha256", str(file["sha256"])))
    return out


def _moment(ns: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ns // 1000)


def _table_charts(
    picture: FilePicture, pictures: ReportPictures, file: Mapping[str, Any]
) -> list[str]:
    product = pictures.products.get(picture.product)
    step = dt.timedelta(seconds=(product.step_seconds if product and product.step_seconds else 600))
    charts = []
    for sketch in picture.sketches:
        limits = (
            product.column_limits.get(sketch.name, (None, None, None))
            if product
            else (None, None, None)
        )
        keep = [i for i, t in enumerate(sketch.times) if t != NOT_A_TIME]
        unit = f" ({limits[2]})" if limits[2] else ""
        charts.append(
            svg.column_over_time(
                [_moment(sketch.times[i]) for i in keep],
                [sketch.lows[i] for i in keep],
                [sketch.highs[i] for i in keep],
                [sketch.means[i] for i in keep],
                (limits[0], limits[1]),
                f"{sketch.name}{unit}",
                step * sketch.rows_per_point,
                _last_record(file),
            )
        )
    return [c for c in charts if c]


def _description_html(info: CheckInfo) -> str:
    """A check's description with its code words set as code (escaped HTML)."""
    return "".join(
        f"<code>{escape(text)}</code>" if is_code else escape(text)
        for text, is_code in info.description_parts
    )


def _last_record(file: Mapping[str, Any]) -> dt.datetime | None:
    """The time of a table's last record, as its report entry says."""
    end = file.get("time_end")
    if not isinstance(end, str):
        return None
    try:
        return _parse(end)
    except ValueError:
        return None


def _raster_pictures(
    picture: FilePicture, file: Mapping[str, Any], pictures: ReportPictures
) -> dict[str, str]:
    product = pictures.products.get(picture.product)
    quicklook = picture.quicklook
    unit = product.unit if product else None
    out = {"quicklook": "", "scale": "", "histogram": ""}
    if quicklook is not None:
        out["quicklook"] = _png(quicklook.png)
        if quicklook.classes:
            out["scale"] = svg.class_legend(_legend_rows(quicklook, file, product))
        elif len(quicklook.bands) == 1:
            colours = [tuple(int(v) for v in c) for c in palette(9)]
            out["scale"] = svg.colour_scale(colours, quicklook.low, quicklook.high, unit)  # type: ignore[arg-type]
    bands = file.get("bands") or []
    if bands:
        declared = (product.value_min, product.value_max) if product else (None, None)
        out["histogram"] = svg.histogram(bands[0].get("histogram"), declared, unit)
    return out


def _legend_rows(
    quicklook: Quicklook, file: Mapping[str, Any], product: ProductPicture | None
) -> list[tuple[str, str, float | None, bool]]:
    """The legend of a categorical quicklook: the classes the file holds (every class when
    its counts are unknown) with their share of the valid pixels, then the values the legend
    does not name."""
    names = product.classes if product else {}
    bands = file.get("bands") or [{}]
    counts = {int(v): int(c) for v, c in (bands[0].get("value_counts") or {}).items()}
    total = sum(counts.values())
    rows: list[tuple[str, str, float | None, bool]] = []
    for value, colour in quicklook.classes:
        if counts and value not in counts:
            continue
        share = 100.0 * counts[value] / total if total else None
        rows.append((colour, f"{value} {names.get(value, '')}".strip(), share, False))
    unknown = {v: c for v, c in counts.items() if v not in dict(quicklook.classes)}
    if unknown or quicklook.unknown_colour:
        colour = quicklook.unknown_colour or hex_colour(UNKNOWN_COLOUR)
        values = ", ".join(str(v) for v in sorted(unknown)[:5]) + (
            " ..." if len(unknown) > 5 else ""
        )
        share = 100.0 * sum(unknown.values()) / total if total else None
        rows.append((colour, f"not in legend {values}".strip(), share, True))
    return rows


def _series_charts(report: Report, pictures: ReportPictures) -> list[dict[str, Any]]:
    """Per raster product: valid mean and valid fraction per member over time, missing
    members (series-incomplete) and outliers (series-outlier) marked."""
    charts = []
    rows_by_product: dict[str, list[Mapping[str, Any]]] = {}
    for row in report.inventory:
        if row.get("member_start") and row.get("product"):
            rows_by_product.setdefault(str(row["product"]), []).append(row)
    missing: dict[str, list[dt.datetime]] = {}
    outliers: dict[str, set[str]] = {}
    for finding in report.findings:
        if finding.code == "D001" and finding.location.field:
            product = finding.location.field.split(".", 1)[-1]
            start = _member_start(str(finding.details.get("member", "")))
            if start is not None:
                missing.setdefault(product, []).append(start)
        if finding.code == "D005" and finding.location.path:
            outliers.setdefault("", set()).add(finding.location.path)
    for product, rows in sorted(rows_by_product.items()):
        if len(rows) + len(missing.get(product, [])) < 2:
            continue
        flagged = outliers.get("", set())
        declared = pictures.products.get(product)
        metrics = [("valid_mean", "valid mean"), ("valid_fraction", "valid fraction")]
        if declared is not None and declared.classes:  # the mean of class codes means nothing
            metrics = metrics[1:]
        for metric, label in metrics:
            points = [
                (_parse(str(r["member_start"])), float(r[metric]))
                for r in rows
                if isinstance(r.get(metric), int | float)
            ]
            marked = [_parse(str(r["member_start"])) for r in rows if r["path"] in flagged]
            chart = svg.over_time(points, missing.get(product, []), f"{product}: {label}", marked)
            if chart:
                charts.append({"product": product, "label": label, "svg": chart})
    return charts


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def _member_start(key: str) -> dt.datetime | None:
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y", "%Y-%j"):
        try:
            return dt.datetime.strptime(key, pattern)
        except ValueError:
            continue
    return None


def render_html(report: Report, context: RenderContext) -> str:
    """The self-contained HTML report."""
    from jinja2 import Environment, select_autoescape

    pictures: ReportPictures = (
        context.pictures if isinstance(context.pictures, ReportPictures) else ReportPictures()
    )
    checks = {c.code: c for c in context.checks}
    states = (
        {id(f): report.baseline.state(i) for i, f in enumerate(report.findings)}
        if report.baseline is not None
        else {}
    )
    paths = sorted(set(report.file_paths()) | {p for p in report.by_path() if p})
    anchors = {path: f"file-{i}" for i, path in enumerate(paths, start=1)}
    grouped = report.by_path()
    counts = Counter(f.code for f in report.findings)
    by_check = []
    for code in sorted(
        counts,
        key=lambda c: (_SEVERITY_ORDER[max(f.severity for f in report.findings if f.code == c)], c),
    ):
        findings = [f for f in report.findings if f.code == code]
        info = checks.get(code)
        by_check.append(
            {
                "code": code,
                "name": findings[0].name,
                "severity": max(f.severity for f in findings).label,
                "count": len(findings),
                "description": _description_html(info) if info else "",
                "rows": [
                    {**_finding_row(f, anchors), "state": states.get(id(f), "")} for f in findings
                ],
                "open": len(findings) <= 50,
            }
        )
    files_by_path = {str(f["path"]): f for f in report.files}
    file_views = []
    for path in paths:
        file = files_by_path.get(path, {"path": path})
        picture = pictures.files.get(path)
        findings = grouped.get(path, [])
        worst = max((f.severity for f in findings), default=None)
        view: dict[str, Any] = {
            "path": path,
            "anchor": anchors[path],
            "status": worst.label if worst is not None else "ok",
            "count": len(findings),
            "facts": _facts(file),
            "findings": [_finding_row(f, anchors) for f in findings],
            "quicklook": "",
            "scale": "",
            "histogram": "",
            "charts": [],
        }
        if picture is not None:
            if picture.sketches:
                view["charts"] = _table_charts(picture, pictures, file)
            else:
                view.update(_raster_pictures(picture, file, pictures))
        file_views.append(view)
    # Files with findings are drawn last, so that they show on top of the clean ones.
    footprints = sorted(
        (
            (p.path, p.footprint, bool(grouped.get(p.path)))
            for p in pictures.files.values()
            if p.footprint
        ),
        key=lambda f: (f[2], f[0]),
    )
    summary = report.summary
    environment = Environment(
        autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    template = environment.from_string(
        resources.files("tpqc.validators.render")
        .joinpath("report.html.j2")
        .read_text(encoding="utf-8")
    )
    return xml_text(
        template.render(
            title=pictures.title or report.spec_path,
            pictures=pictures,
            summary=summary,
            verdict="passed" if summary.passed else "failed",
            fail_on=report.fail_on.label,
            tool_version=TOOL_VERSION,
            spec_path=report.spec_path,
            data_root=report.data_root,
            by_check=by_check,
            dataset_findings=[_finding_row(f, anchors) for f in grouped.get(None, [])],
            files=file_views,
            open_files=len(paths) <= OPEN_UP_TO,
            map_svg=svg.footprint_map(footprints, pictures.extent),
            series=_series_charts(report, pictures),
            checks=[
                {
                    "code": info.code,
                    "name": info.name,
                    "severity": info.severity,
                    "description": _description_html(info),
                }
                for info in context.checks
            ],
            notes=list(report.notes),
            waived=[
                {**_finding_row(w.finding, anchors), "reason": w.reason, "waiver": w.waiver}
                for w in report.waived
            ],
            baseline=report.baseline.source if report.baseline else None,
            fixed=[
                _finding_row(Finding.from_json(old), {})
                for old in (report.baseline.fixed if report.baseline else ())
            ],
        )
        + "\n"
    )


__all__: Sequence[str] = ["render_html"]
