"""Small inline SVG charts for the HTML report: histograms with the declared range, colour
scales, a footprint map in lon/lat, and lines over time with what is missing marked. Pure
functions from numbers to markup; every text is escaped."""

from __future__ import annotations

import datetime as dt
import math
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
    close = (
        declared[0] is not None
        and declared[1] is not None
        and x(declared[1]) - x(declared[0]) < 120
    )
    for bound, name in zip(declared, ("min", "max"), strict=True):
        if bound is not None:
            # labels of marks close together go on two lines, on the side with room
            if close:
                anchor = "end" if x(bound) > WIDTH / 2 else "start"
            else:
                anchor = "start" if name == "min" else "end"
            shift = 2 if anchor == "start" else -2
            label_y = 22 if close and name == "max" else 12
            marks.append(
                f'<line x1="{x(bound):.2f}" x2="{x(bound):.2f}" y1="4" y2="{base}" '
                f'stroke="{RANGE}" stroke-width="1.5" stroke-dasharray="4 2"/>'
                f'<text x="{x(bound) + shift:.2f}" y="{label_y}" font-size="9" fill="{RANGE}" '
                f'text-anchor="{anchor}">declared {name} {escape(tick_label(bound))}</text>'
            )
    suffix = f" {unit}" if unit else ""
    axis = (
        f'<line x1="10" x2="{10 + plot_w}" y1="{base}" y2="{base}" stroke="{MUTED}"/>'
        f'<text x="10" y="{HEIGHT - 4}" font-size="9" fill="{MUTED}">'
        f"{escape(tick_label(left) + suffix)}</text>"
        f'<text x="{10 + plot_w}" y="{HEIGHT - 4}" font-size="9" fill="{MUTED}" '
        f'text-anchor="end">{escape(tick_label(right) + suffix)}</text>'
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
        f'<text x="0" y="24" font-size="9" fill="{INK}">{escape(tick_label(low) + suffix)}'
        "</text>"
        f'<text x="192" y="24" font-size="9" fill="{INK}" text-anchor="end">'
        f"{escape(tick_label(high) + suffix)}</text>"
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


MAP_WIDTH = 640
"""Width of the footprint map in pixels; its height follows the data's shape."""
EXTENT_FRAMED_UP_TO = 16.0
"""The map frames the declared extent with the data while its area is at most this many
times the data's; a larger extent is drawn past the frame (the data stays legible)."""


def footprint_map(
    footprints: Sequence[tuple[str, Sequence[tuple[float, float]], bool]],
    extent: tuple[float, float, float, float] | None,
) -> str:
    """Every file's WGS84 outline (red when it has findings, drawn on top), files sharing
    one grid drawn once with their count, stations as dots, the declared extent dashed, on
    a labelled graticule, framed on the data; longitude scaled by the cosine of the mid
    latitude so that shapes keep their proportions. Plain lon/lat: no tile server."""
    if not footprints and extent is None:
        return ""
    frame = _map_frame(footprints, extent)
    west, south, east, north = frame
    cos_lat = max(0.05, math.cos(math.radians((south + north) / 2)))
    aspect = (north - south) / max((east - west) * cos_lat, 1e-12)
    width = MAP_WIDTH
    height = int(max(200, min(640, width * aspect)))
    pad_left, pad_bottom = 0, 16
    plot_h = height - pad_bottom

    def x(lon: float) -> float:
        return pad_left + (lon - west) / (east - west) * (width - pad_left)

    def y(lat: float) -> float:
        return (north - lat) / (north - south) * plot_h

    def xy(lon: float, lat: float) -> str:
        return f"{x(lon):.1f},{y(lat):.1f}"

    parts = [_graticule(frame, x, y, width, plot_h)]
    if extent is not None:
        w, s, e, n = extent
        parts.append(
            f'<polygon points="{xy(w, s)} {xy(e, s)} {xy(e, n)} {xy(w, n)}" fill="none" '
            f'stroke="{RANGE}" stroke-width="2" stroke-dasharray="6 3"><title>declared extent '
            f"{_number(w)}, {_number(s)} .. {_number(e)}, {_number(n)}</title></polygon>"
        )
    outlines: dict[tuple[tuple[float, float], ...], list[str]] = {}
    flagged_outlines: set[tuple[tuple[float, float], ...]] = set()
    for path, ring, flagged in footprints:
        key = tuple((round(lon, 6), round(lat, 6)) for lon, lat in ring)
        outlines.setdefault(key, []).append(path)
        if flagged:
            flagged_outlines.add(key)
    # clean outlines first and larger ones first, so that those with findings and the
    # small ones are drawn on top (and answer the pointer)
    for key in sorted(outlines, key=lambda k: (k in flagged_outlines, -_area(k), outlines[k][0])):
        paths = outlines[key]
        flagged = key in flagged_outlines
        colour = BAD if flagged else GOOD
        title = escape(
            paths[0] if len(paths) == 1 else f"{len(paths)} files: " + ", ".join(paths[:6])
        ) + (" ..." if len(paths) > 6 else "")
        if len(key) == 1:  # a station
            parts.append(
                f'<circle cx="{x(key[0][0]):.1f}" cy="{y(key[0][1]):.1f}" r="5" fill="{colour}" '
                f'stroke="#fff" stroke-width="1"><title>{title}</title></circle>'
            )
            continue
        parts.append(
            f'<polygon points="{" ".join(xy(*p) for p in key)}" fill="{colour}" '
            f'fill-opacity="0.06" stroke="{colour}" stroke-width="{2 if flagged else 1.2}">'
            f"<title>{title}</title></polygon>"
        )
    if extent is not None and not (
        west <= extent[0] and south <= extent[1] and extent[2] <= east and extent[3] <= north
    ):
        parts.append(
            f'<text x="{width - 4}" y="12" font-size="10" fill="{RANGE}" text-anchor="end">'
            "the declared extent reaches beyond this view</text>"
        )
    return _svg(width, height, "".join(parts), "footprints and declared extent")


def _map_frame(
    footprints: Sequence[tuple[str, Sequence[tuple[float, float]], bool]],
    extent: tuple[float, float, float, float] | None,
) -> tuple[float, float, float, float]:
    """West, south, east, north of the view: the data's bounds, with the declared extent
    when it is not much larger, and a margin."""
    points = [p for _, ring, _ in footprints for p in ring]
    if extent is not None:
        corners = [(extent[0], extent[1]), (extent[2], extent[3])]
        if not points:
            points = corners
        else:
            data_area = _area(points)
            both_area = _area(points + corners)
            if both_area <= EXTENT_FRAMED_UP_TO * max(data_area, 1e-12) or data_area == 0.0:
                points = points + corners
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    span = max(east - west, north - south, 0.01)
    margin = span * 0.06
    return (
        max(-180.0, west - margin),
        max(-90.0, south - margin),
        min(180.0, east + margin),
        min(90.0, north + margin),
    )


def _area(points: Sequence[tuple[float, float]]) -> float:
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (max(lons) - min(lons)) * (max(lats) - min(lats))


def _graticule_step(span: float) -> float:
    """The round step (1, 2 or 5 times a power of ten, in degrees) that gives about six
    lines across ``span``."""
    if span <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(span / 6))
    steps = [factor * power for factor in (1, 2, 5, 10)]
    return min(steps, key=lambda step: abs(math.log(span / step / 6)))


def _degrees(value: float, step: float, positive: str, negative: str) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    hemisphere = positive if value > 0 else negative if value < 0 else ""
    return f"{abs(value):.{decimals}f}°{hemisphere}"


def _graticule(
    frame: tuple[float, float, float, float],
    x: Any,
    y: Any,
    width: int,
    plot_h: int,
) -> str:
    """Meridians and parallels at a round step, labelled on the bottom and left edges."""
    west, south, east, north = frame
    step = _graticule_step(max(east - west, north - south))
    lines = [
        f'<rect x="0" y="0" width="{width}" height="{plot_h}" fill="#fbfcfd" '
        f'stroke="{MUTED}" stroke-width="0.5"/>'
    ]
    lon = math.ceil(west / step) * step
    while lon <= east:
        px = x(lon)
        lines.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="0" y2="{plot_h}" stroke="{MUTED}" '
            'stroke-width="0.5" stroke-dasharray="2 3"/>'
            f'<text x="{px:.1f}" y="{plot_h + 12}" font-size="9" fill="{MUTED}" '
            f'text-anchor="middle">{_degrees(lon, step, "E", "W")}</text>'
        )
        lon += step
    lat = math.ceil(south / step) * step
    while lat <= north:
        py = y(lat)
        lines.append(
            f'<line x1="0" x2="{width}" y1="{py:.1f}" y2="{py:.1f}" stroke="{MUTED}" '
            'stroke-width="0.5" stroke-dasharray="2 3"/>'
            f'<text x="3" y="{py - 2:.1f}" font-size="9" fill="{MUTED}">'
            f"{_degrees(lat, step, 'N', 'S')}</text>"
        )
        lat += step
    return "".join(lines)


def tick_label(value: float) -> str:
    """A value as people write it on an axis: 20000, 0.25, 25976, 1e-05 (four significant
    digits at most, no needless exponent)."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e7:
        digits = max(0, 3 - math.floor(math.log10(abs(value))))
        text = f"{round(value, digits):.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.3g}"


def value_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) inside [low, high], about
    ``count`` of them."""
    span = high - low
    if not math.isfinite(span) or span <= 0:
        return [low]
    power = 10.0 ** math.floor(math.log10(span / count))
    step = min(
        (factor * power for factor in (1, 2, 5, 10)),
        key=lambda step: abs(math.log(span / step / count)),
    )
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(0.0 if abs(value) < step * 1e-9 else round(value, 12))
        value += step
    return ticks


def time_ticks(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """Calendar moments between start and end to label a time axis: years, months, days or
    hours, whichever gives 2 to 8 of them."""
    span = (end - start).total_seconds()
    if span <= 0:
        return [(start, f"{start:%Y-%m-%d}")]
    ticks: list[tuple[dt.datetime, str]] = []
    for years in (1, 2, 5, 10, 20, 50, 100):
        ticks = [
            (dt.datetime(y, 1, 1), str(y))
            for y in range(start.year + (start > dt.datetime(start.year, 1, 1)), end.year + 1)
            if y % years == 0 or years == 1
        ]
        if 2 <= len(ticks) <= 8:
            return ticks
        if len(ticks) < 2:
            break
    for months in (1, 2, 3, 6):
        ticks = []
        year, month = start.year, start.month
        moment = dt.datetime(year, month, 1)
        if moment < start:
            month += 1
        while True:
            year_shift, month_index = divmod(month - 1, 12)
            moment = dt.datetime(year + year_shift, month_index + 1, 1)
            if moment > end:
                break
            if (month_index % months) == 0:
                ticks.append((moment, f"{moment:%Y-%m}"))
            month += 1
        if 2 <= len(ticks) <= 8:
            return ticks
    for days in (1, 2, 5, 7, 14):
        first = dt.datetime(start.year, start.month, start.day)
        if first < start:
            first += dt.timedelta(days=1)
        ticks = []
        moment = first
        while moment <= end and len(ticks) <= 8:
            ticks.append((moment, f"{moment:%m-%d}"))
            moment += dt.timedelta(days=days)
        if 2 <= len(ticks) <= 8:
            return ticks
    for hours in (1, 2, 3, 6, 12):
        first = start.replace(minute=0, second=0, microsecond=0)
        if first < start:
            first += dt.timedelta(hours=1)
        ticks = []
        moment = first
        while moment <= end and len(ticks) <= 8:
            ticks.append((moment, f"{moment:%H:%M}"))
            moment += dt.timedelta(hours=hours)
        if 2 <= len(ticks) <= 8:
            return ticks
    return [(start, f"{start:%Y-%m-%d %H:%M}"), (end, f"{end:%Y-%m-%d %H:%M}")]


def _axes(
    frame: tuple[float, float, float, float],
    start: dt.datetime,
    end: dt.datetime,
    low: float,
    high: float,
    x: Any,
    y: Any,
) -> str:
    """A time axis along the bottom and a value axis on the left, with light grid lines."""
    left, top, right, bottom = frame
    parts = [
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>'
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="{MUTED}"/>'
    ]
    for value in value_ticks(low, high):
        py = y(value)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{py:.1f}" y2="{py:.1f}" stroke="{MUTED}" '
            'stroke-width="0.4" stroke-dasharray="2 3"/>'
            f'<text x="{left - 3}" y="{py + 3:.1f}" font-size="9" fill="{MUTED}" '
            f'text-anchor="end">{escape(tick_label(value))}</text>'
        )
    for moment, text in time_ticks(start, end):
        px = x(moment)
        parts.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{bottom}" y2="{bottom + 3}" '
            f'stroke="{MUTED}"/>'
            f'<text x="{px:.1f}" y="{bottom + 12}" font-size="9" fill="{MUTED}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
    return "".join(parts)


def over_time(
    points: Sequence[tuple[dt.datetime, float]],
    missing: Sequence[dt.datetime],
    label: str,
    flagged: Sequence[dt.datetime] = (),
) -> str:
    """A value per series member over time, on labelled axes; missing members as grey
    dashed lines, flagged ones (outliers) in red."""
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
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    width, height = 360, 150
    left, top, right, bottom = 44, 16, width - 12, height - 18

    def x(t: dt.datetime) -> float:
        return left + 6 + (t - start).total_seconds() / span * (right - left - 12)

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * (bottom - top)

    ordered = sorted(points)
    line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in ordered)
    dots = "".join(
        f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.5" '
        f'fill="{BAD if t in flagged else INK}"><title>{t:%Y-%m-%d}: {_number(v)}</title></circle>'
        for t, v in ordered
    )
    gaps = "".join(
        f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{bottom}" stroke="{BAD}" '
        f'stroke-dasharray="3 2"><title>missing: {t:%Y-%m-%d}</title></line>'
        for t in missing
    )
    title = f'<text x="{left}" y="10" font-size="10" fill="{INK}">{escape(label)}</text>'
    axes = _axes((left, top, right, bottom), start, end, low, high, x, y)
    path = f'<polyline points="{line}" fill="none" stroke="{INK}" stroke-width="1"/>'
    return _svg(width, height, axes + gaps + path + dots + title, label)


def column_over_time(
    times: Sequence[dt.datetime],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    means: Sequence[float | None],
    limits: tuple[float | None, float | None],
    label: str,
    step: dt.timedelta,
    last_record: dt.datetime | None = None,
) -> str:
    """A station column over time, on labelled axes: the band between each stretch's min
    and max, its mean, out-of-range stretches in red, and missing stretches (no value, or a
    jump in time) left blank with a mark. Each point is a stretch of records starting at its
    time; the axis ends at the last record (``last_record``), not at the last stretch's
    start."""
    known = [(t, lo, hi, m) for t, lo, hi, m in zip(times, lows, highs, means, strict=True)]
    values = [v for _, lo, hi, _ in known for v in (lo, hi) if v is not None]
    if not times or not values:
        return ""
    start = times[0]
    end = max(times[-1], last_record) if last_record is not None else times[-1]
    span = (end - start).total_seconds() or 1.0
    low, high = min(values), max(values)
    for bound in limits:
        if bound is not None and (low - (high - low)) <= bound <= (high + (high - low)):
            low, high = min(low, bound), max(high, bound)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    width, height = 640, 160
    left, top, right, bottom = 44, 16, width - 10, height - 26

    def x(t: dt.datetime) -> float:
        return left + (t - start).total_seconds() / span * (right - left)

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * (bottom - top)

    typical = (
        step * 1.5 if len(times) < 2 else max(step, (end - start) / max(len(times) - 1, 1)) * 3
    )
    parts, previous = [], None
    for t, lo, hi, mean in known:
        if lo is None or hi is None or mean is None:
            parts.append(
                f'<rect x="{x(t):.1f}" y="{bottom - 5}" width="2" height="4" fill="{MUTED}">'
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
                f'<rect x="{x(previous[0]):.1f}" y="{bottom - 5}" '
                f'width="{max(x(t) - x(previous[0]), 2):.1f}" height="4" fill="{BAD}">'
                f"<title>gap: {previous[0]:%Y-%m-%d %H:%M} to {t:%Y-%m-%d %H:%M}</title></rect>"
            )
        previous = (t, mean)
    for bound in limits:
        if bound is not None and low <= bound <= high:
            parts.append(
                f'<line x1="{left}" x2="{right}" y1="{y(bound):.1f}" y2="{y(bound):.1f}" '
                f'stroke="{RANGE}" stroke-dasharray="4 2"><title>declared limit '
                f"{escape(_number(bound))}</title></line>"
            )
    ends = (
        f'<text x="{left}" y="{height - 2}" font-size="9" fill="{MUTED}">'
        f"{start:%Y-%m-%d %H:%M}</text>"
        f'<text x="{right}" y="{height - 2}" font-size="9" fill="{MUTED}" '
        f'text-anchor="end">{end:%Y-%m-%d %H:%M}</text>'
    )
    title = f'<text x="{left}" y="10" font-size="10" fill="{INK}">{escape(label)}</text>'
    axes = _axes((left, top, right, bottom), start, end, low, high, x, y)
    return _svg(width, height, axes + "".join(parts) + ends + title, label)
