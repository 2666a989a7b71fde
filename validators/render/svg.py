"""Small inline SVG charts for the HTML report: histograms with the declared range, colour
scales, a footprint map in lon/lat, and lines over time with what is missing marked. Pure
functions from numbers to markup; every text is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT = 320, 120
INK, MUTED, BAD, GOOD, RANGE = "#1f2933", "#9aa5b1", "#c62828", "#2e7d32", "#1565c0"


def _number(value: float) -> str:
    return f"{value:.4g}"


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def histogram(
    histogram: Mapping[str, Any] | None,
    declared: tuple[float | None, float | None] = (None, None),
    unit: str | None = None,
) -> str:
    """Bars of an exact histogram of valid values, with the declared range drawn on it."""
    if not histogram or not histogram.get("buckets") or sum(histogram["buckets"]) == 0:
        return ""
    buckets = list(histogram["buckets"])
    low, high = float(histogram["min"]), float(histogram["max"])
    used = [i for i, c in enumerate(buckets) if c]
    first, last = used[0], used[-1] + 1
    step = (high - low) / len(buckets)
    left, right = low + first * step, low + last * step
    for bound in declared:
        if bound is not None:
            left, right = min(left, bound), max(right, bound)
    span = (right - left) or 1.0
    top = max(buckets)
    plot_w, plot_h, base = WIDTH - 20, HEIGHT - 30, HEIGHT - 18

    def x(value: float) -> float:
        return 10 + (value - left) / span * plot_w

    bars = []
    for i in range(first, last):
        if buckets[i]:
            x0, x1 = x(low + i * step), x(low + (i + 1) * step)
            outside = (declared[0] is not None and low + (i + 1) * step <= declared[0]) or (
                declared[1] is not None and low + i * step > declared[1]
            )
            # Out-of-range buckets stay visible however few pixels they hold.
            h = max(buckets[i] / top * plot_h, 4.0 if outside else 0.0)
            w = max(x1 - x0, 2.0 if outside else 0.6)
            bars.append(
                f'<rect x="{x0:.2f}" y="{base - h:.2f}" width="{w:.2f}" '
                f'height="{h:.2f}" fill="{BAD if outside else INK}"><title>'
                f"{_number(low + i * step)} .. {_number(low + (i + 1) * step)}: {buckets[i]} pixels"
                "</title></rect>"
            )
    marks = []
    for bound, name in zip(declared, ("min", "max"), strict=True):
        if bound is not None:
            anchor = "start" if name == "min" else "end"
            shift = 2 if name == "min" else -2
            marks.append(
                f'<line x1="{x(bound):.2f}" x2="{x(bound):.2f}" y1="4" y2="{base}" '
                f'stroke="{RANGE}" stroke-width="1.5" stroke-dasharray="4 2"/>'
                f'<text x="{x(bound) + shift:.2f}" y="12" font-size="9" fill="{RANGE}" '
                f'text-anchor="{anchor}">declared {name}</text>'
            )
    suffix = f" {unit}" if unit else ""
    axis = (
        f'<line x1="10" x2="{10 + plot_w}" y1="{base}" y2="{base}" stroke="{MUTED}"/>'
        f'<text x="10" y="{HEIGHT - 4}" font-size="9" fill="{MUTED}">'
        f"{escape(_number(left) + suffix)}</text>"
        f'<text x="{10 + plot_w}" y="{HEIGHT - 4}" font-size="9" fill="{MUTED}" '
        f'text-anchor="end">{escape(_number(right) + suffix)}</text>'
    )
    return _svg(WIDTH, HEIGHT, "".join(bars) + "".join(marks) + axis, "histogram of valid values")


def colour_scale(
    colours: Sequence[tuple[int, int, int]], low: float, high: float, unit: str | None
) -> str:
    """The colour scale of a quicklook, with the values at its ends."""
    stops = "".join(
        f'<stop offset="{i / (len(colours) - 1):.3f}" stop-color="rgb{tuple(int(v) for v in c)}"/>'
        for i, c in enumerate(colours)
    )
    suffix = f" {unit}" if unit else ""
    body = (
        f'<defs><linearGradient id="g" x1="0" x2="1">{stops}</linearGradient></defs>'
        f'<rect x="0" y="2" width="192" height="10" fill="url(#g)"/>'
        f'<text x="0" y="24" font-size="9" fill="{INK}">{escape(_number(low) + suffix)}</text>'
        f'<text x="192" y="24" font-size="9" fill="{INK}" text-anchor="end">'
        f"{escape(_number(high) + suffix)}</text>"
    )
    return _svg(192, 28, body, "colour scale")


def _share(percent: float) -> str:
    return "<0.1 %" if 0 < percent < 0.1 else f"{percent:.1f} %"


MAX_LEGEND_ROWS = 24
"""Classes listed in a legend; the rest are counted in one last row."""


def class_legend(rows: Sequence[tuple[str, str, float | None, bool]]) -> str:
    """A categorical quicklook's legend: per class its colour (``rrggbb``), label and share
    of the valid pixels; rows flagged as outside the legend are drawn in red."""
    if not rows:
        return ""
    shown = list(rows[:MAX_LEGEND_ROWS])
    parts = []
    for i, (colour, label, share, outside) in enumerate(shown):
        y = 2 + i * 14
        text = label if share is None else f"{label}  {_share(share)}"
        parts.append(
            f'<rect x="0" y="{y}" width="10" height="10" fill="#{escape(colour)}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
            f'<text x="14" y="{y + 9}" font-size="9" fill="{BAD if outside else INK}">'
            f"{escape(text)}</text>"
        )
    if len(rows) > len(shown):
        y = 2 + len(shown) * 14
        parts.append(
            f'<text x="0" y="{y + 9}" font-size="9" fill="{MUTED}">'
            f"{len(rows) - len(shown)} more classes</text>"
        )
        shown.append(("", "", None, False))
    return _svg(192, 4 + len(shown) * 14, "".join(parts), "class legend")


def footprint_map(
    footprints: Sequence[tuple[str, Sequence[tuple[float, float]], bool]],
    extent: tuple[float, float, float, float] | None,
) -> str:
    """Every file's WGS84 footprint (red when it has findings) and the declared extent
    (dashed), in plain lon/lat: no tile server."""
    points = [p for _, ring, _ in footprints for p in ring]
    if extent is not None:
        points += [(extent[0], extent[1]), (extent[2], extent[3])]
    if not points:
        return ""
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    margin = max(east - west, north - south, 1e-6) * 0.05
    west, east, south, north = west - margin, east + margin, south - margin, north + margin
    width = 640
    height = int(max(160, min(640, width * (north - south) / max(east - west, 1e-9))))

    def xy(lon: float, lat: float) -> str:
        return (
            f"{(lon - west) / (east - west) * width:.1f},"
            f"{(north - lat) / (north - south) * height:.1f}"
        )

    shapes = []
    for path, ring, flagged in footprints:
        colour = BAD if flagged else GOOD
        if len(ring) == 1:  # a station
            cx, cy = xy(*ring[0]).split(",")
            shapes.append(
                f'<circle cx="{cx}" cy="{cy}" r="5" fill="{colour}"><title>{escape(path)}'
                "</title></circle>"
            )
            continue
        opacity, stroke = ("0.4", "2") if flagged else ("0.15", "1")  # findings stand out
        shapes.append(
            f'<polygon points="{" ".join(xy(*p) for p in ring)}" fill="{colour}" '
            f'fill-opacity="{opacity}" stroke="{colour}" stroke-width="{stroke}">'
            f"<title>{escape(path)}</title></polygon>"
        )
    if extent is not None:
        w, s, e, n = extent
        shapes.append(
            f'<polygon points="{xy(w, s)} {xy(e, s)} {xy(e, n)} {xy(w, n)}" fill="none" '
            f'stroke="{RANGE}" stroke-width="2" stroke-dasharray="6 3"><title>declared extent'
            "</title></polygon>"
        )
    labels = (
        f'<text x="4" y="{height - 4}" font-size="10" fill="{MUTED}">'
        f"{west:.3f}, {south:.3f}</text>"
        f'<text x="{width - 4}" y="12" font-size="10" fill="{MUTED}" text-anchor="end">'
        f"{east:.3f}, {north:.3f}</text>"
    )
    return _svg(width, height, "".join(shapes) + labels, "footprints and declared extent")


def over_time(
    points: Sequence[tuple[dt.datetime, float]],
    missing: Sequence[dt.datetime],
    label: str,
    flagged: Sequence[dt.datetime] = (),
) -> str:
    """A value per series member over time; missing members as grey ticks, flagged ones
    (outliers) in red."""
    moments = [t for t, _ in points] + list(missing)
    if not moments:
        return ""
    start, end = min(moments), max(moments)
    span = (end - start).total_seconds() or 1.0
    values = [v for _, v in points]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-12:
        pad = max(abs(low) * 0.005, 1e-3)
        low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - 20, HEIGHT - 34

    def x(t: dt.datetime) -> float:
        return 10 + (t - start).total_seconds() / span * plot_w

    def y(v: float) -> float:
        return 10 + (high - v) / (high - low) * plot_h

    ordered = sorted(points)
    line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in ordered)
    dots = "".join(
        f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.5" '
        f'fill="{BAD if t in flagged else INK}"><title>{t:%Y-%m-%d}: {_number(v)}</title></circle>'
        for t, v in ordered
    )
    gaps = "".join(
        f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="10" y2="{10 + plot_h}" stroke="{MUTED}" '
        f'stroke-dasharray="2 2"><title>missing: {t:%Y-%m-%d}</title></line>'
        for t in missing
    )
    axis = (
        f'<text x="10" y="{HEIGHT - 6}" font-size="9" fill="{MUTED}">{start:%Y-%m-%d}</text>'
        f'<text x="{10 + plot_w}" y="{HEIGHT - 6}" font-size="9" fill="{MUTED}" '
        f'text-anchor="end">{end:%Y-%m-%d}</text>'
        f'<text x="12" y="9" font-size="9" fill="{MUTED}">{escape(label)} '
        f"{escape(_number(low))} .. {escape(_number(high))}</text>"
    )
    path = f'<polyline points="{line}" fill="none" stroke="{INK}" stroke-width="1"/>'
    return _svg(WIDTH, HEIGHT, gaps + path + dots + axis, label)


def column_over_time(
    times: Sequence[dt.datetime],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    means: Sequence[float | None],
    limits: tuple[float | None, float | None],
    label: str,
    step: dt.timedelta,
) -> str:
    """A station column over time: the band between each stretch's min and max, its mean,
    out-of-range stretches in red, and missing stretches (no value, or a jump in time) left
    blank with a grey mark."""
    known = [(t, lo, hi, m) for t, lo, hi, m in zip(times, lows, highs, means, strict=True)]
    values = [v for _, lo, hi, _ in known for v in (lo, hi) if v is not None]
    if not times or not values:
        return ""
    start, end = times[0], times[-1]
    span = (end - start).total_seconds() or 1.0
    low, high = min(values), max(values)
    for bound in limits:
        if bound is not None and (low - (high - low)) <= bound <= (high + (high - low)):
            low, high = min(low, bound), max(high, bound)
    if high == low:
        low, high = low - 1, high + 1
    width, plot_h = 640, 110

    def x(t: dt.datetime) -> float:
        return 10 + (t - start).total_seconds() / span * (width - 20)

    def y(v: float) -> float:
        return 8 + (high - v) / (high - low) * plot_h

    typical = (
        step * 1.5 if len(times) < 2 else max(step, (end - start) / max(len(times) - 1, 1)) * 3
    )
    parts, previous = [], None
    for t, lo, hi, mean in known:
        if lo is None or hi is None or mean is None:
            parts.append(
                f'<rect x="{x(t):.1f}" y="{8 + plot_h + 2}" width="2" height="4" fill="{MUTED}">'
                f"<title>no values: {t:%Y-%m-%d %H:%M}</title></rect>"
            )
            previous = None
            continue
        outside = (limits[0] is not None and lo < limits[0]) or (
            limits[1] is not None and hi > limits[1]
        )
        colour = BAD if outside else INK
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{y(hi):.1f}" y2="{y(lo):.1f}" '
            f'stroke="{colour}" stroke-opacity="{1 if outside else 0.35}" stroke-width="1.2"/>'
        )
        if previous is not None and t - previous[0] <= typical:
            parts.append(
                f'<line x1="{x(previous[0]):.1f}" y1="{y(previous[1]):.1f}" x2="{x(t):.1f}" '
                f'y2="{y(mean):.1f}" stroke="{INK}" stroke-width="1"/>'
            )
        elif previous is not None:
            parts.append(
                f'<rect x="{x(previous[0]):.1f}" y="{8 + plot_h + 2}" '
                f'width="{max(x(t) - x(previous[0]), 2):.1f}" height="4" fill="{BAD}">'
                f"<title>gap: {previous[0]:%Y-%m-%d %H:%M} to {t:%Y-%m-%d %H:%M}</title></rect>"
            )
        previous = (t, mean)
    for bound in limits:
        if bound is not None and low <= bound <= high:
            parts.append(
                f'<line x1="10" x2="{width - 10}" y1="{y(bound):.1f}" y2="{y(bound):.1f}" '
                f'stroke="{RANGE}" stroke-dasharray="4 2"/>'
            )
    axis = (
        f'<text x="10" y="{plot_h + 28}" font-size="9" fill="{MUTED}">{start:%Y-%m-%d %H:%M}</text>'
        f'<text x="{width - 10}" y="{plot_h + 28}" font-size="9" fill="{MUTED}" '
        f'text-anchor="end">{end:%Y-%m-%d %H:%M}</text>'
        f'<text x="12" y="8" font-size="9" fill="{MUTED}">{escape(label)} '
        f"{escape(_number(low))} .. {escape(_number(high))}</text>"
    )
    return _svg(width, plot_h + 32, "".join(parts) + axis, label)
