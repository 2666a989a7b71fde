"""The HTML report's charts and map as markup: axes carry round values and calendar
labels, a station chart ends at the table's last record, the map outlines each grid once
on a labelled graticule framed on the data, and check descriptions carry no reST."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tpqc.catalogue import all_checks
from tpqc.validators.render import svg
from tpqc.validators.render.html import _description_html


def texts(markup: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", markup)


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0.0, 100.0, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]),
        (0.137, 0.29, [0.15, 0.2, 0.25]),
        (268.2, 26890.7, [5000.0, 10000.0, 15000.0, 20000.0, 25000.0]),
        (-21.5, -4.2, [-20.0, -15.0, -10.0, -5.0]),
    ],
)
def test_value_ticks_are_round(low: float, high: float, ticks: list[float]) -> None:
    assert svg.value_ticks(low, high) == ticks


def test_tick_labels_need_no_exponent() -> None:
    values = (20000.0, 0.25, 0.0, 1e-05, -15.0, 25975.83, 0.13712, 100.0)
    assert [svg.tick_label(v) for v in values] == [
        "20000",
        "0.25",
        "0",
        "1e-05",
        "-15",
        "25976",
        "0.1371",
        "100",
    ]


@pytest.mark.parametrize(
    ("start", "end", "labels"),
    [
        (dt.datetime(2015, 1, 1), dt.datetime(2020, 1, 1), [str(y) for y in range(2015, 2021)]),
        (
            dt.datetime(2018, 1, 1),
            dt.datetime(2018, 12, 1),
            ["2018-01", "2018-03", "2018-05", "2018-07", "2018-09", "2018-11"],
        ),
        (dt.datetime(2019, 1, 1, 0, 10), dt.datetime(2019, 1, 4), ["01-02", "01-03", "01-04"]),
    ],
)
def test_time_ticks_fall_on_the_calendar(
    start: dt.datetime, end: dt.datetime, labels: list[str]
) -> None:
    ticks = svg.time_ticks(start, end)
    assert [label for _, label in ticks] == labels
    assert all(start <= moment <= end for moment, _ in ticks)


def test_a_series_chart_labels_its_axes() -> None:
    points = [(dt.datetime(y, 1, 1), 268.0 + y - 2015) for y in (2015, 2016, 2018)]
    chart = svg.over_time(points, [dt.datetime(2017, 1, 1)], "lst: valid mean")
    labels = texts(chart)
    assert {"2015", "2016", "2017", "2018"} <= set(labels)
    assert {"269", "270", "271"} <= set(labels)
    assert "missing: 2017-01-01" in chart


def test_a_station_chart_ends_at_the_last_record() -> None:
    # stretches of 144 ten-minute records: the last starts at 2019-12-31 00:10 and the
    # table's last record is at 2020-01-01 00:00
    start = dt.datetime(2019, 12, 29, 0, 10)
    times = [start + dt.timedelta(days=d) for d in range(3)]
    chart = svg.column_over_time(
        times,
        [1.0, 2.0, 3.0],
        [2.0, 3.0, 4.0],
        [1.5, 2.5, 3.5],
        (0.0, 10.0),
        "Ta",
        dt.timedelta(minutes=1440),
        last_record=dt.datetime(2020, 1, 1),
    )
    labels = texts(chart)
    assert "2019-12-29 00:10" in labels and "2020-01-01 00:00" in labels
    assert "2019-12-31 00:10" not in labels


def test_the_map_outlines_each_grid_once_on_a_graticule() -> None:
    ring = [(98.0, 37.5), (101.0, 37.5), (101.0, 39.5), (98.0, 39.5), (98.0, 37.5)]
    small = [(99.2, 38.5), (99.4, 38.5), (99.4, 38.6), (99.2, 38.6), (99.2, 38.5)]
    footprints = [
        *[(f"LST/LST_{y}.tif", ring, False) for y in (2015, 2016, 2018)],
        ("LST/LST_2019.tif", ring, True),
        ("LandCover/LC_2020.tif", small, True),
        ("AWS/Arou.csv", [(100.46, 38.05)], False),
    ]
    drawn = svg.footprint_map(footprints, (98.0, 37.5, 101.0, 39.5))
    titles = re.findall(r"<(polygon|circle)[^>]*><title>([^<]*)</title>", drawn)
    assert titles == [
        ("polygon", "declared extent 98, 37.5 .. 101, 39.5"),
        ("circle", "AWS/Arou.csv"),
        (
            "polygon",
            "4 files: LST/LST_2015.tif, LST/LST_2016.tif, LST/LST_2018.tif, LST/LST_2019.tif",
        ),
        ("polygon", "LandCover/LC_2020.tif"),
    ]
    # one of the four has findings: the shared outline is red
    assert 'stroke="#c62828" stroke-width="2"><title>4 files' in drawn
    assert {"98.5°E", "100.0°E", "38.0°N", "39.0°N"} <= set(texts(drawn))


def test_the_map_frames_the_data_not_a_far_larger_extent() -> None:
    small = [(99.2, 38.5), (99.4, 38.5), (99.4, 38.6), (99.2, 38.6), (99.2, 38.5)]
    drawn = svg.footprint_map([("a.tif", small, False)], (70.0, 20.0, 140.0, 55.0))
    labels = set(texts(drawn))
    # graticule steps of hundredths of a degree around the file, not tens around Asia
    assert "99.30°E" in labels and not any(label.startswith("100°") for label in labels)
    assert "the declared extent reaches beyond this view" in labels
    framed = svg.footprint_map([("a.tif", small, False)], (99.0, 38.4, 99.5, 38.7))
    assert "the declared extent reaches beyond this view" not in texts(framed)


def test_check_descriptions_carry_no_rest_markup() -> None:
    for info in all_checks():
        assert "``" not in info.description and ":class:`" not in info.description
        html = _description_html(info)
        assert "``" not in html
    (c003,) = [i for i in all_checks() if i.code == "C003"]
    assert "<code>units</code>" in _description_html(c003)
