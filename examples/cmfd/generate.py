"""Write monthly NetCDF-4 files in the layout of the China Meteorological Forcing Dataset
(CMFD): ``prec_CMFD_V0106_B-01_03hr_010deg_YYYYMM.nc``, 3-hourly precipitation rate on a
0.1-degree longitude/latitude grid, CF-1.8 attributes, int16 packed with scale_factor,
deflate-compressed in chunks of one time step.

Defects can be planted for tests: ``missing_step`` (one 3-hour step left out), ``units``
(units "mm/3h accumulated", not UDUNITS), ``fill_in_data`` (-9999 cells while _FillValue is
-32767), ``grid`` (0.25-degree spacing), ``standard_name`` (a misspelt standard name),
``no_history`` (global attribute history missing). Deterministic per month and defects.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from pathlib import Path

import numpy as np

DEFECTS = ("missing_step", "units", "fill_in_data", "grid", "standard_name", "no_history")
WEST, SOUTH = 96.0, 36.0
STEP = 0.1
NAME = "prec_CMFD_V0106_B-01_03hr_010deg_{year}{month:02d}.nc"


def write_cmfd_month(
    path: Path,
    year: int,
    month: int,
    *,
    width: int = 60,
    height: int = 40,
    defects: Collection[str] = (),
) -> None:
    """One month of 3-hourly precipitation (mm hr-1) as a CF NetCDF-4 file."""
    import netCDF4

    unknown = set(defects) - set(DEFECTS)
    if unknown:
        raise ValueError(f"unknown defects: {sorted(unknown)}")
    days = calendar.monthrange(year, month)[1]
    hours = np.arange(days * 8) * 3.0
    if "missing_step" in defects:
        hours = np.delete(hours, 20)
    step = 0.25 if "grid" in defects else STEP
    rng = np.random.default_rng(year * 100 + month)
    rain = rng.gamma(0.3, 1.5, size=(hours.size, height, width))
    rain[rng.random(rain.shape) < 0.6] = 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.title = "China Meteorological Forcing Dataset (synthetic excerpt): precipitation"
        ds.institution = "Institute of Tibetan Plateau Research, CAS (synthetic example)"
        ds.source = "tpqc example generator"
        if "no_history" not in defects:
            ds.history = "created by tpqc.examples.cmfd.generate"
        ds.Conventions = "CF-1.8"
        ds.createDimension("time", None)
        ds.createDimension("lat", height)
        ds.createDimension("lon", width)
        time = ds.createVariable("time", "f8", ("time",))
        time.units = f"hours since {year:04d}-{month:02d}-01 00:00:00"
        time.calendar = "standard"
        time.standard_name = "time"
        time.axis = "T"
        time[:] = hours
        lat = ds.createVariable("lat", "f4", ("lat",))
        lat.units = "degrees_north"
        lat.standard_name = "latitude"
        lat[:] = SOUTH + step / 2 + np.arange(height) * step
        lon = ds.createVariable("lon", "f4", ("lon",))
        lon.units = "degrees_east"
        lon.standard_name = "longitude"
        lon[:] = WEST + step / 2 + np.arange(width) * step
        prec = ds.createVariable(
            "prec",
            "i2",
            ("time", "lat", "lon"),
            zlib=True,
            complevel=4,
            chunksizes=(1, height, width),
            fill_value=-32767,
        )
        prec.scale_factor = 0.001
        prec.add_offset = 0.0
        prec.long_name = "Precipitation rate"
        prec.units = "mm/3h accumulated" if "units" in defects else "mm hr-1"
        prec.standard_name = (
            "precipitation_flux_rate" if "standard_name" in defects else "precipitation_flux"
        )
        packed = np.round(rain / 0.001).astype(np.int16)
        packed[:, :2, :3] = -32767  # a few cells without data
        if "fill_in_data" in defects:
            packed[5, 10:12, 10:12] = -9999
        prec.set_auto_maskandscale(False)
        prec[:] = packed


def spec_text(data: str = ".") -> str:
    """The spec of a CMFD precipitation series of 2018."""
    return f"""spec_version: 1
data: {data}
dataset:
  id: cmfd-prec-2018
  title: China Meteorological Forcing Dataset, precipitation (synthetic excerpt, 2018)
  description: >-
    3-hourly precipitation rate at 0.1 degree over the north-eastern Tibetan Plateau,
    one NetCDF file a month, in the layout of CMFD (He et al., 2020).
  doi: 10.11888/AtmosphericPhysics.tpe.249369.file
  citation: >-
    He, J., Yang, K., Tang, W., et al. (2020). The first high-resolution meteorological
    forcing dataset for land process studies over China. Scientific Data.
    https://doi.org/10.11888/AtmosphericPhysics.tpe.249369.file
  license: CC-BY-4.0
  creators: [He Jie, Yang Kun]
  keywords: [precipitation, forcing, CMFD]
  providers:
    - {{name: National Tibetan Plateau Data Center, roles: [host], url: "https://data.tpdc.ac.cn"}}
  temporal: {{start: 2018-01-01, end: 2018-03-31, resolution: P1M}}
  extent: {{west: 96.0, east: 102.0, south: 36.0, north: 40.0}}
rasters:
  - name: prec
    description: 3-hourly precipitation rate
    pattern: "prec_CMFD_V0106_B-01_03hr_010deg_{{year}}{{month}}.nc"
    fields: {{year: 2018, month: {{min: 1, max: 3}}}}
    variable: prec
    time_step: 3h
    crs: EPSG:4326
    resolution: 0.1 deg
    extent: {{match: within}}
    nodata: required
    values: {{min: 0, max: 50, unit: mm hr-1}}
    max_nodata_fraction: 0.05
"""


def write_example(folder: Path, months: Collection[int] = (1, 2, 3), **kwargs: object) -> None:
    """Three months of 2018 and their spec."""
    for month in months:
        write_cmfd_month(folder / NAME.format(year=2018, month=month), 2018, month, **kwargs)  # type: ignore[arg-type]
    (folder / "spec.yaml").write_text(spec_text(), encoding="utf-8")
