"""The catalog of a multi-product dataset: one collection per product inside the dataset's
collection, items nested by product, each item naming its product's collection, and the
whole catalog passing check-stac with tpqc's profile; a packed NetCDF variable's statistics
are published in stored units so that they agree with `raster:scale`/`raster:offset`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np
import pytest

from tpqc.examples.qilian.generate import LC_CLASSES, LC_COLOURS, write_example
from tpqc.stac.items.grid import CLASSIFICATION
from tpqc_testkit import run_cli


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = write_example(tmp_path_factory.mktemp("qilian-catalog") / "data")
    out = spec.parent.parent / "catalog"
    result = run_cli("stac", str(spec), "--out", str(out), "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    return out


def test_each_product_is_a_collection_inside_the_datasets(catalog: Path) -> None:
    dataset = load(catalog / "qilian-integrated" / "collection.json")
    children = sorted(link["href"] for link in dataset["links"] if link["rel"] == "child")
    assert children == [
        "./aws/collection.json",
        "./land-cover/collection.json",
        "./lst/collection.json",
        "./soil-moisture/collection.json",
    ]
    assert not [link for link in dataset["links"] if link["rel"] == "item"]
    lst = load(catalog / "qilian-integrated" / "lst" / "collection.json")
    assert lst["id"] == "qilian-integrated-lst"
    assert {link["rel"] for link in lst["links"]} >= {"root", "parent", "item"}
    # a product's extent is its own: six yearly LST files, not the monthly soil moisture
    (interval,) = lst["extent"]["temporal"]["interval"]
    assert interval[0].startswith("2015") and interval[1].startswith("2020")
    soil = load(catalog / "qilian-integrated" / "soil-moisture" / "collection.json")
    (interval,) = soil["extent"]["temporal"]["interval"]
    assert interval[0].startswith("2018-01") and interval[1].startswith("2018-12")


def test_items_sit_in_their_products_folder_and_name_its_collection(catalog: Path) -> None:
    items = sorted(catalog.glob("qilian-integrated/*/*/*.json"))
    by_product: dict[str, set[str]] = {}
    for path in items:
        item = load(path)
        product = path.parent.parent.name
        assert item["collection"] == f"qilian-integrated-{product}"
        by_product.setdefault(product, set()).add(item["id"])
    assert set(by_product) == {"aws", "land-cover", "lst", "soil-moisture"}
    assert len(by_product["soil-moisture"]) == 12
    assert by_product["aws"] == {"Arou_AWS_2019", "Dashalong_AWS_2019"}


def test_the_land_cover_legend_is_published_with_the_files_colours(catalog: Path) -> None:
    item = load(catalog / "qilian-integrated" / "land-cover" / "LC_2015" / "LC_2015.json")
    assert CLASSIFICATION in item["stac_extensions"]
    classes = item["assets"]["data"]["classification:classes"]
    assert [(c["value"], c["description"]) for c in classes] == sorted(LC_CLASSES.items())
    assert {c["value"]: c["color_hint"] for c in classes} == {
        value: "".join(f"{v:02X}" for v in rgb) for value, rgb in LC_COLOURS.items()
    }
    lst = load(catalog / "qilian-integrated" / "lst" / "LST_2015" / "LST_2015.json")
    assert "classification:classes" not in lst["assets"]["data"]


def test_the_catalog_passes_check_stac_with_the_profile(catalog: Path) -> None:
    checked = run_cli("check-stac", str(catalog), "--profile", "-f", "json")
    report = json.loads(checked.stdout)
    assert report["findings"] == [] and checked.exit_code == 0


def write_packed(folder: Path) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A temperature packed as int16 (scale 0.01, offset 273.15); returns the stored values."""
    stored = (np.arange(20, dtype=np.int16) * 50 - 400).reshape(4, 5)
    with netCDF4.Dataset(folder / "t_1.nc", "w") as ds:
        ds.createDimension("lat", 4)
        ds.createDimension("lon", 5)
        for name, units, start in (("lat", "degrees_north", 30.5), ("lon", "degrees_east", 90.5)):
            axis = ds.createVariable(name, "f8", (name,))
            axis.units = units
            axis[:] = np.arange(ds.dimensions[name].size) + start
        values = ds.createVariable("t", "i2", ("lat", "lon"))
        values.set_auto_maskandscale(False)
        values.setncatts({"scale_factor": 0.01, "add_offset": 273.15, "units": "K"})
        values[:] = stored
    return stored.astype(np.float64)


def test_a_packed_variables_statistics_are_in_stored_units(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    stored = write_packed(data)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "spec_version: 1\n"
        "dataset:\n"
        "  {id: packed, title: Packed, description: A packed variable, license: CC-BY-4.0,\n"
        "   citation: 'A. Author (2026) Packed', temporal: {start: 2020-01-01, end: 2020-12-31},\n"
        "   extent: {west: 90, east: 95.5, south: 30, north: 34.5}}\n"
        "data: data\n"
        "rasters:\n"
        "  - {name: t, pattern: 't_{n}.nc', variable: t, values: {min: 260, max: 290, unit: K}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "catalog"
    result = run_cli("stac", str(spec), "--out", str(out), "--no-cache", "-q", "--ignore", "C008")
    assert result.exit_code == 0, result.output
    (item_path,) = out.glob("*/*/*.json")
    (band,) = load(item_path)["assets"]["data"]["bands"]
    assert band["raster:scale"] == 0.01 and band["raster:offset"] == 273.15
    statistics = band["statistics"]
    assert statistics["minimum"] == stored.min() and statistics["maximum"] == stored.max()
    assert statistics["mean"] == pytest.approx(stored.mean())
    assert statistics["stddev"] == pytest.approx(stored.std(), rel=1e-9)
    # decoding the published statistics gives the decoded values back
    assert statistics["maximum"] * 0.01 + 273.15 == pytest.approx(stored.max() * 0.01 + 273.15)


def test_a_catalog_moved_without_its_data_is_broken(catalog: Path, tmp_path: Path) -> None:
    moved = tmp_path / "deeper" / "moved"
    shutil.copytree(catalog, moved)
    checked = run_cli("check-stac", str(moved), "-f", "json")
    report = json.loads(checked.stdout)
    missing = [f for f in report["findings"] if f["code"] == "S014"]
    # every data file (22) is gone from where the hrefs say; the thumbnails moved along
    assert len(missing) == 22 and {f["severity"] for f in missing} == {"error"}
    assert checked.exit_code == 1
    assert report["notes"] == [
        "assets: 20 local verified on disk, 22 missing, 0 remote (not fetched: offline)"
    ]
    published_without_data = run_cli("check-stac", str(moved), "--no-assets", "-f", "json")
    report = json.loads(published_without_data.stdout)
    assert report["findings"] == [] and published_without_data.exit_code == 0
    assert report["notes"] == [
        "assets: 42 local not looked for (--no-assets), 0 remote (not fetched: offline)"
    ]
