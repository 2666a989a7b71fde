"""Write a Qilian-style multi-product dataset: the shape of the Qilian Mountains Integrated
Datasets, four products under one spec.

- ``LST/LST_{year}.tif``: yearly land-surface temperature, 30 arc-seconds (about 1 km),
  EPSG:4326, float32 in kelvin (band unit ``K``), nodata -9999; 2015-2020.
- ``LandCover/LC_{year}.tif``: land cover at 30 m in UTM zone 47N, uint8 classes (10
  cropland ... 90 bare), nodata 0; 2015 and 2020.
- ``SoilMoisture/SM_{year}{month}.nc``: monthly surface soil moisture at 0.05 degrees, a CF
  NetCDF-4 variable ``sm`` in m3 m-3; 2018.
- ``AWS/{station}_AWS_2019.csv``: 10-minute automatic weather station records of two
  stations (a units row under the header, missing values -6999).

Defects are planted on request (:data:`DEFECTS`): ``lst_missing`` (no 2017 file),
``lst_scaled`` (2019 stored as kelvin x 100), ``sm_missing`` (no July), ``aws_gap`` (68
hours without records), ``aws_duplicate`` (a record twice), ``aws_rh`` (RH of 104 %),
``lc_class`` (a class no legend knows). Deterministic: the same bytes on every run.
"""

from __future__ import annotations

from collections.abc import Collection
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEFECTS = (
    "lst_missing",
    "lst_scaled",
    "sm_missing",
    "aws_gap",
    "aws_duplicate",
    "aws_rh",
    "lc_class",
)
PLANTED = DEFECTS[:6]
"""The defects of the dataset a curator first met (every one but the unknown class)."""
WEST, SOUTH, EAST, NORTH = 98.0, 37.5, 101.0, 39.5
LST_PIXEL = 1 / 120
SM_PIXEL = 0.05
LC_ORIGIN = (520_000.0, 4_270_000.0)  # UTM 47N, upper left; inside the extent
LC_PIXEL = 30.0
LC_CLASSES = {
    10: "cropland",
    20: "forest",
    30: "grassland",
    40: "shrubland",
    60: "water",
    90: "bare",
}
STATIONS = {"Dashalong": (98.941, 38.840, 3739.0), "Arou": (100.464, 38.047, 3033.0)}


LC_COLOURS = {
    10: (240, 228, 66),
    20: (0, 100, 0),
    30: (150, 200, 80),
    40: (170, 130, 60),
    60: (0, 90, 200),
    90: (200, 200, 200),
}
"""The land cover's colour table, written into its files as producers do."""


def _smooth(height: int, width: int, seed: int) -> npt.NDArray[np.float64]:
    rows, cols = np.mgrid[0:height, 0:width]
    y, x = rows / max(1, height - 1), cols / max(1, width - 1)
    noise = np.random.default_rng(seed).normal(0.0, 0.02, size=(height, width))
    field: npt.NDArray[np.float64] = np.sin(2 * np.pi * 1.3 * x) * np.cos(2 * np.pi * 0.8 * y)
    return field + noise


def _write_tif(path: Path, data: npt.NDArray[np.generic], **profile: object) -> None:
    import rasterio

    path.parent.mkdir(parents=True, exist_ok=True)
    units = profile.pop("units", None)
    colours = profile.pop("colours", None)
    base: dict[str, object] = {
        "driver": "GTiff",
        "width": data.shape[1],
        "height": data.shape[0],
        "count": 1,
        "dtype": str(data.dtype),
        "tiled": True,
        "blockxsize": 128,
        "blockysize": 128,
        "compress": "deflate",
        **profile,
    }
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(path, "w", **base) as out:
        out.write(data[np.newaxis])
        if isinstance(colours, dict):
            out.write_colormap(1, colours)
        if units:
            out.update_tags(1, units=units)
            out.set_band_unit(1, str(units))


def write_lst(folder: Path, year: int, scaled: bool = False) -> None:
    """One year of LST in kelvin (x 100 when ``scaled``), lakes as nodata."""
    from affine import Affine

    width, height = round((EAST - WEST) / LST_PIXEL), round((NORTH - SOUTH) / LST_PIXEL)
    kelvin = 268.0 + 9.0 * _smooth(height, width, year) + 0.3 * (year - 2015)
    kelvin[100:112, 200:230] = -9999.0
    if scaled:
        kelvin = np.where(kelvin == -9999.0, -9999.0, kelvin * 100.0)
    _write_tif(
        folder / "LST" / f"LST_{year}.tif",
        kelvin.astype(np.float32),
        crs="EPSG:4326",
        transform=Affine(LST_PIXEL, 0.0, WEST, 0.0, -LST_PIXEL, NORTH),
        nodata=-9999.0,
        units="K",
    )


def write_land_cover(folder: Path, year: int, unknown_class: bool = False) -> None:
    """Land cover classes at 30 m (a drifting mosaic), nodata 0 at the edge."""
    from affine import Affine

    height, width = 300, 400
    field = _smooth(height, width, 7) + 0.05 * (year - 2015)
    classes = np.array(list(LC_CLASSES), dtype=np.uint8)
    index = np.clip(((field + 1.2) / 2.4 * len(classes)).astype(int), 0, len(classes) - 1)
    cover = classes[index]
    cover[:, :3] = 0
    if unknown_class:
        cover[50:52, 60:70] = 77
    _write_tif(
        folder / "LandCover" / f"LC_{year}.tif",
        cover,
        crs="EPSG:32647",
        transform=Affine(LC_PIXEL, 0.0, LC_ORIGIN[0], 0.0, -LC_PIXEL, LC_ORIGIN[1]),
        nodata=0,
        colours=LC_COLOURS,
    )


def write_soil_moisture(folder: Path, year: int, month: int) -> None:
    """One month of surface soil moisture as a CF NetCDF-4 file."""
    import netCDF4

    width, height = round((EAST - WEST) / SM_PIXEL), round((NORTH - SOUTH) / SM_PIXEL)
    path = folder / "SoilMoisture" / f"SM_{year}{month:02d}.nc"
    path.parent.mkdir(parents=True, exist_ok=True)
    wet = 0.22 + 0.08 * np.sin((month - 4) / 12 * 2 * np.pi)
    sm = np.clip(wet + 0.1 * _smooth(height, width, month), 0.02, 0.5)
    sm[:2, :4] = -9999.0
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.title = "Surface soil moisture of the Qilian Mountains (synthetic example)"
        ds.institution = "tpqc examples"
        ds.source = "tpqc.examples.qilian.generate"
        ds.history = "created by the tpqc example generator"
        ds.Conventions = "CF-1.8"
        ds.createDimension("time", 1)
        ds.createDimension("lat", height)
        ds.createDimension("lon", width)
        time = ds.createVariable("time", "f8", ("time",))
        time.units = "days since 2000-01-01 00:00:00"
        time.calendar = "standard"
        time.standard_name = "time"
        time.axis = "T"
        time[:] = [
            netCDF4.date2num(
                __import__("datetime").datetime(year, month, 1), time.units, time.calendar
            )
        ]
        lat = ds.createVariable("lat", "f4", ("lat",))
        lat.units, lat.standard_name = "degrees_north", "latitude"
        lat[:] = NORTH - SM_PIXEL / 2 - np.arange(height) * SM_PIXEL
        lon = ds.createVariable("lon", "f4", ("lon",))
        lon.units, lon.standard_name = "degrees_east", "longitude"
        lon[:] = WEST + SM_PIXEL / 2 + np.arange(width) * SM_PIXEL
        var = ds.createVariable("sm", "f4", ("time", "lat", "lon"), zlib=True, fill_value=-9999.0)
        var.units = "m3 m-3"
        var.long_name = "Surface soil moisture"
        var.standard_name = "volume_fraction_of_condensed_water_in_soil"
        var[:] = sm[np.newaxis].astype(np.float32)


def write_aws(folder: Path, station: str, defects: Collection[str] = ()) -> None:
    """A 2019 AWS table (30 days) of one station; defects planted at fixed rows."""
    import pandas as pd

    from tpqc.examples.aws.generate import aws_year

    header, units, frame = aws_year(2019, days=30)
    if "aws_rh" in defects:
        frame.loc[1500:1502, "RH_5m"] = 104.0
    if "aws_gap" in defects:
        frame = frame.drop(index=range(2000, 2000 + 68 * 6))
    if "aws_duplicate" in defects:
        frame = pd.concat([frame.iloc[:3000], frame.iloc[2999:3000], frame.iloc[3000:]])
    path = folder / "AWS" / f"{station}_AWS_2019.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(",".join(header) + "\n" + ",".join(units) + "\n")
        frame.to_csv(stream, header=False, index=False, lineterminator="\n")


def spec_text() -> str:
    """The hand-written spec of the example."""
    return resources.files(__package__).joinpath("spec.yaml").read_text(encoding="utf-8")


def write_example(folder: Path, defects: Collection[str] = ()) -> Path:
    """Write the four products (with the defects asked for) and the spec; return the
    spec's path."""
    unknown = set(defects) - set(DEFECTS)
    if unknown:
        raise ValueError(f"unknown defects: {sorted(unknown)}")
    folder = Path(folder)
    for year in range(2015, 2021):
        if year == 2017 and "lst_missing" in defects:
            continue
        write_lst(folder, year, scaled=year == 2019 and "lst_scaled" in defects)
    for year in (2015, 2020):
        write_land_cover(folder, year, unknown_class=year == 2020 and "lc_class" in defects)
    for month in range(1, 13):
        if month == 7 and "sm_missing" in defects:
            continue
        write_soil_moisture(folder, 2018, month)
    write_aws(folder, "Dashalong", defects)
    write_aws(folder, "Arou")
    (folder / "spec.yaml").write_text(spec_text(), encoding="utf-8")
    return folder / "spec.yaml"


if __name__ == "__main__":
    import sys

    arguments = [a for a in sys.argv[1:] if a != "--defects"]
    planted = (*PLANTED, "lc_class") if "--defects" in sys.argv[1:] else ()
    print(write_example(Path(arguments[0] if arguments else "qilian-example"), planted))
