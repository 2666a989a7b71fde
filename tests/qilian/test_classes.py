"""A categorical product in the curator's views: the quicklook paints each class in the
file's own colour (tpqc's class colours without a table) and values outside the legend in
magenta, the HTML report shows the legend with each class's share, and the JSON report
carries the exact count of every value."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tpqc.examples.qilian.generate import LC_COLOURS, PLANTED, write_example
from tpqc.validators.grid.quicklook import UNKNOWN_COLOUR, QuicklookSampler, class_colours
from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts
from tpqc_testkit import run_cli


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example(tmp_path_factory.mktemp("classes") / "data", (*PLANTED, "lc_class"))


def rgb_pixels(png: bytes) -> np.ndarray[Any, np.dtype[np.uint8]]:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_the_quicklook_paints_classes_in_the_files_colours(planted: Path) -> None:
    plan = ReadPlan(quicklook=True, classes=tuple(sorted(LC_COLOURS)))
    facts = read_raster_facts(str(planted.parent), "LandCover/LC_2020.tif", plan)
    assert facts.colours_by_value[20] == LC_COLOURS[20]
    quicklook = facts.quicklook
    assert quicklook is not None and quicklook.scale == "tpqc-classes"
    assert dict(quicklook.classes) == {
        value: "".join(f"{v:02x}" for v in rgb) for value, rgb in LC_COLOURS.items()
    }
    assert quicklook.unknown_colour == "ff00ff"  # the planted class 77 is in the sample
    pixels = rgb_pixels(quicklook.png)
    seen = {tuple(int(v) for v in p[:3]) for p in pixels.reshape(-1, 4) if p[3] == 255}
    # cropland holds <0.1 % of the pixels: the every-other-pixel sample may miss it
    assert set(LC_COLOURS.values()) - {LC_COLOURS[10]} <= seen
    assert seen <= set(LC_COLOURS.values()) | {UNKNOWN_COLOUR} and UNKNOWN_COLOUR in seen
    # the nodata edge (three columns of 0) is transparent
    assert (pixels[:, 0, 3] == 0).all()


def test_classes_without_a_colour_table_get_distinct_colours() -> None:
    sampler = QuicklookSampler(4, 2, (1,), legend=(1, 2, 3))
    sampler.add(1, np.array([[1, 2, 3, 9], [1, 1, 0, 2]], np.uint8), 0, 0, nodata=0)
    quicklook = sampler.render([None])
    assert quicklook is not None
    colours = class_colours((1, 2, 3))
    assert len(set(colours.values())) == 3
    pixels = rgb_pixels(quicklook.png)
    assert tuple(pixels[0, 0, :3]) == colours[1] and tuple(pixels[0, 2, :3]) == colours[3]
    assert tuple(pixels[0, 3, :3]) == UNKNOWN_COLOUR and pixels[1, 2, 3] == 0


def test_a_legend_too_long_for_a_palette_is_drawn_on_the_colour_scale() -> None:
    sampler = QuicklookSampler(4, 1, (1,), legend=tuple(range(300)))
    sampler.add(1, np.array([[1, 2, 3, 299]], np.uint16), 0, 0, nodata=None)
    quicklook = sampler.render([None])
    assert quicklook is not None and quicklook.scale == "tpqc-sequential"
    assert quicklook.classes == ()


def test_the_reports_show_the_legend_and_the_counts(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run_cli("validate", str(planted), "-f", "html", "-o", str(out), "--no-cache")
    page = out.read_text(encoding="utf-8")
    legends = re.findall(r'<svg[^>]*aria-label="class legend".*?</svg>', page)
    assert len(legends) == 2  # the two land-cover years
    labels = [re.findall(r"<text[^>]*>([^<]*)</text>", legend) for legend in legends]
    flagged = [line for lines in labels for line in lines if line.startswith("not in legend")]
    assert flagged == ["not in legend 77  &lt;0.1 %"]
    assert any(line.startswith("20 forest ") for line in labels[0])
    result = run_cli("validate", str(planted), "-f", "json", "--no-cache")
    (entry,) = [f for f in json.loads(result.stdout)["files"] if f["path"].endswith("LC_2020.tif")]
    counts = entry["bands"][0]["value_counts"]
    assert counts["77"] == 20
    assert sum(counts.values()) == entry["bands"][0]["valid"]
