"""Write a synthetic automatic-weather-station year in the layout of the Qilian Mountains
AWS files: a TIMESTAMP column, a units row under the header, about 40 variables at 10-minute
steps (timestamps label the end of their interval), missing values -6999.

Defects can be planted for tests: ``rh130`` (RH 130 %), ``duplicate_time``, ``gap6h``,
``kelvin`` (air temperature in K), ``fill9999`` (-9999 in a -6999 file), ``alias``
(DLR_cor for DLR_Cor). Deterministic for a given year and defect set.
"""

from __future__ import annotations

from collections.abc import Collection
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

DEPTHS_TS = (0, 4, 10, 20, 40, 80, 120, 160)
DEPTHS_MS = (4, 10, 20, 40, 80, 120, 160)
DEFECTS = ("rh130", "duplicate_time", "gap6h", "kelvin", "fill9999", "alias")


def _columns(hours: Any, day: Any, rng: np.random.Generator) -> dict[str, tuple[str, Any]]:
    n = hours.size
    diurnal = np.sin((hours - 8) / 24 * 2 * np.pi)
    seasonal = -np.cos(day / 365 * 2 * np.pi)
    sun = np.clip(np.sin((hours - 6) / 12 * np.pi), 0, None) * (0.75 + 0.25 * seasonal)
    ta = -3 + 11 * seasonal + 6 * diurnal + rng.normal(0, 0.6, n)
    dr = 1050 * sun * rng.uniform(0.55, 1.0, n)
    dlr = 250 + 40 * seasonal + rng.normal(0, 12, n)
    ulr = 320 + 45 * seasonal + 25 * diurnal + rng.normal(0, 8, n)
    cols: dict[str, tuple[str, Any]] = {
        "Ta_5m": ("degC", ta),
        "RH_5m": ("%", np.clip(55 + 25 * seasonal - 15 * diurnal + rng.normal(0, 6, n), 3, 100)),
        "Press": ("hPa", 615 + 4 * seasonal + rng.normal(0, 1.2, n)),
        "Rain": ("mm", np.where(rng.random(n) < 0.03, rng.exponential(0.4, n), 0.0)),
        "WS_10m": ("m/s", np.abs(3 + 1.5 * diurnal + rng.normal(0, 1.4, n))),
        "WD_10m": ("deg", rng.uniform(0, 360, n)),
        "WS_2m": ("m/s", np.abs(2 + 1.0 * diurnal + rng.normal(0, 1.0, n))),
        "WS_5m": ("m/s", np.abs(2.5 + 1.2 * diurnal + rng.normal(0, 1.2, n))),
        "WD_2m": ("deg", rng.uniform(0, 360, n)),
        "Ta_2m": ("degC", ta + rng.normal(0.3, 0.3, n)),
        "RH_2m": ("%", np.clip(60 + 25 * seasonal - 15 * diurnal + rng.normal(0, 6, n), 3, 100)),
        "DR": ("W/m2", dr),
        "UR": ("W/m2", dr * rng.uniform(0.15, 0.3, n)),
        "DLR_Cor": ("W/m2", dlr),
        "ULR_Cor": ("W/m2", ulr),
        "Rn": ("W/m2", dr * 0.78 + dlr - ulr),
        "IRT_1": ("degC", ta + 2 * sun + rng.normal(0, 0.5, n)),
        "IRT_2": ("degC", ta + 2 * sun + rng.normal(0, 0.5, n)),
        "PAR_down": ("umol m-2 s-1", dr * 2.05),
        "PAR_up": ("umol m-2 s-1", dr * 0.1),
    }
    for depth in DEPTHS_TS:
        damp = np.exp(-depth / 40)
        cols[f"Ts_{depth}cm"] = (
            "degC",
            1 + 10 * seasonal * damp + 5 * diurnal * damp**3 + rng.normal(0, 0.1, n),
        )
    for depth in DEPTHS_MS:
        cols[f"Ms_{depth}cm"] = (
            "%",
            np.clip(22 + 8 * seasonal + depth / 20 + rng.normal(0, 0.4, n), 1, 60),
        )
    for index in (1, 2, 3):
        cols[f"Gs_{index}"] = ("W/m2", 60 * diurnal * (0.6 + 0.4 * seasonal) + rng.normal(0, 5, n))
    return cols


def aws_year(
    year: int, step_minutes: int = 10, defects: Collection[str] = (), days: int | None = None
) -> tuple[list[str], list[str], Any]:
    """(header, units, rows) of one AWS year; rows are lists of text cells."""
    import pandas as pd

    unknown = set(defects) - set(DEFECTS)
    if unknown:
        raise ValueError(f"unknown defects: {sorted(unknown)}")
    start = pd.Timestamp(year=year, month=1, day=1) + pd.Timedelta(minutes=step_minutes)
    end = pd.Timestamp(year=year + 1, month=1, day=1)
    if days is not None:
        end = pd.Timestamp(year=year, month=1, day=1) + pd.Timedelta(days=days)
    times = pd.date_range(start, end, freq=f"{step_minutes}min")
    rng = np.random.default_rng(year)
    hours = times.hour.to_numpy() + times.minute.to_numpy() / 60
    cols = _columns(hours, times.day_of_year.to_numpy(), rng)
    frame = pd.DataFrame({name: np.round(values, 4) for name, (_, values) in cols.items()})
    frame = frame.mask(rng.random(frame.shape) < 0.01, -6999.0)
    units = {name: unit for name, (unit, _) in cols.items()}
    if "rh130" in defects:
        frame.loc[1000:1002, "RH_5m"] = 130.0
    if "kelvin" in defects:
        frame["Ta_5m"] = np.where(frame["Ta_5m"] == -6999.0, -6999.0, frame["Ta_5m"] + 273.15)
        units["Ta_5m"] = "K"
    if "fill9999" in defects:
        frame.loc[2000:2004, "Press"] = -9999.0
    frame.insert(0, "TIMESTAMP", times.strftime("%Y-%m-%d %H:%M:%S"))
    if "gap6h" in defects:
        frame = frame.drop(index=range(3000, 3036))
    if "duplicate_time" in defects:
        frame = pd.concat([frame.iloc[:4000], frame.iloc[3999:4000], frame.iloc[4000:]])
    if "alias" in defects:
        frame = frame.rename(columns={"DLR_Cor": "DLR_cor"})
        units["DLR_cor"] = units.pop("DLR_Cor")
    header = list(frame.columns)
    unit_row = ["TS"] + [units[name] for name in header[1:]]
    return header, unit_row, frame.reset_index(drop=True)


def write_aws_year(
    path: Path,
    year: int = 2019,
    *,
    step_minutes: int = 10,
    defects: Collection[str] = (),
    days: int | None = None,
) -> Path:
    """Write one AWS year as CSV (or XLSX for a .xlsx path) with a units row."""
    header, units, frame = aws_year(year, step_minutes, defects, days)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Sheet1")
        sheet.append(header)
        sheet.append(units)
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
        book.save(path)
        return path
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(",".join(header) + "\n" + ",".join(units) + "\n")
        frame.to_csv(stream, header=False, index=False, lineterminator="\n")
    return path


def spec_text() -> str:
    """The AWS example's dataset spec."""
    return resources.files(__package__).joinpath("spec.yaml").read_text(encoding="utf-8")
