"""Quicklooks taken during the one read: they equal a decimated numpy rendering of the data,
nodata is transparent, split reads give the same picture."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tpqc.examples.wudaoliang.generate import write_alt
from tpqc.validators.engine import parallel
from tpqc.validators.engine.parallel import gather_facts
from tpqc.validators.grid.quicklook import decimation, palette, stretch
from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts


def known_raster(folder: Path) -> np.ndarray:
    rows, cols = np.mgrid[0:500, 0:700]
    data = (np.sin(cols / 40.0) * np.cos(rows / 30.0) * 4 + 5).astype(np.float32)
    data[100:160, 200:300] = -9999  # a lake of nodata
    write_alt(folder / "known.tif", data, blockxsize=128, blockysize=128)
    return data


def numpy_rendering(data: np.ndarray, histogram: dict) -> np.ndarray:
    factor = decimation(data.shape[1], data.shape[0])
    sample = data[::factor, ::factor].astype(np.float64)
    valid = sample != -9999
    low, high = stretch(np.where(valid, sample, np.nan), histogram)
    level = np.round(np.clip((sample - low) / (high - low), 0, 1) * 254).astype(int)
    rgba = np.zeros((*sample.shape, 4), np.uint8)
    rgba[..., :3] = palette(255)[level]
    rgba[..., 3] = np.where(valid, 255, 0)
    return rgba


def test_quicklook_equals_a_decimated_numpy_rendering(tmp_path: Path) -> None:
    data = known_raster(tmp_path)
    facts = read_raster_facts(str(tmp_path), "known.tif", ReadPlan(0, 10, quicklook=True))
    quicklook = facts.quicklook
    assert quicklook is not None and quicklook.factor == decimation(700, 500) == 4
    picture = np.asarray(Image.open(io.BytesIO(quicklook.png)).convert("RGBA"))
    expected = numpy_rendering(data, dict(facts.bands[0].histogram or {}))
    assert picture.shape == expected.shape == (125, 175, 4)
    visible = expected[..., 3] == 255
    assert np.array_equal(picture[..., 3], expected[..., 3])  # the lake is transparent
    assert np.array_equal(picture[visible], expected[visible])
    assert picture[30, 60, 3] == 0  # row 120, column 240 lies in the lake


def test_split_reads_take_the_same_quicklook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_raster(tmp_path)
    plan = ReadPlan(0, 10, quicklook=True)
    monkeypatch.setattr("tpqc.validators.kinds.geotiff.reader.WINDOW_PIXELS", 128 * 128 * 2)
    (whole,) = gather_facts([(str(tmp_path), "known.tif", plan)], 1)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 0)
    (split,) = gather_facts([(str(tmp_path), "known.tif", plan)], 3)
    assert whole.quicklook is not None and split.quicklook == whole.quicklook


def test_no_quicklook_unless_asked(tmp_path: Path) -> None:
    known_raster(tmp_path)
    assert read_raster_facts(str(tmp_path), "known.tif", ReadPlan(0, 10)).quicklook is None


def test_rgb_imagery_is_drawn_in_colour(realdata: Path) -> None:
    facts = read_raster_facts(
        str(realdata / "tiff" / "valid"), "RGB.byte.tif", ReadPlan(quicklook=True)
    )
    assert facts.quicklook is not None and facts.quicklook.bands == (1, 2, 3)
    picture = np.asarray(Image.open(io.BytesIO(facts.quicklook.png)).convert("RGBA"))
    assert (picture[..., 3] == 0).any() and (picture[..., 3] == 255).any()  # nodata 0 clear
