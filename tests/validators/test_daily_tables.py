"""Daily station tables (a date per row, no clock time): gaps in days, coverage from the first
to the last date, daily means checked with the variable pack. The real one is built from the
real Yakou 30-minute workbook; synthetic ones carry planted defects."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tpqc_testkit import run_cli, validate_json

COLUMNS = ["Wnd", "Ts", "H2O", "CO2", "Ustar", "Hs", "LE", "Fc"]
SPEC = """spec_version: 1
dataset:
  id: yakou-daily
  title: Daily means of the Yakou eddy covariance system (2019)
  description: Daily means of the half-hourly fluxes.
  license: CC-BY-4.0
  citation: "Liu, S. (2020) Yakou daily fluxes. https://doi.org/10.1/x"
  creators: [Liu Shaomin]
  keywords: [eddy covariance]
  providers: [{name: National Tibetan Plateau Data Center, roles: [host]}]
  temporal: {start: 2019-01-01, end: 2019-12-31}
  extent: {west: 97.0, east: 103.0, south: 36.5, north: 40.0}
tables:
  - name: daily
    pattern: "{station}_EC_daily_{year}.csv"
    time: {column: Date, step: 1D, timezone: "+08:00"}
    missing_values: [-6999]
    station: {id: Yakou, lon: 100.2421, lat: 38.0142, elevation: 4148}
    columns:
      Wnd: {variable: wind_speed}
      Ts: {variable: sonic_temperature}
      H2O: {variable: h2o_density}
      CO2: {variable: co2_density}
      Ustar: {variable: friction_velocity}
      Hs: {variable: sensible_heat_flux}
      LE: {variable: latent_heat_flux}
      Fc: {variable: co2_flux}
"""


def daily_from_yakou(realdata: Path) -> pd.DataFrame:
    """Daily means of the real 30-minute workbook; a half hour's stamp is its end, so each
    record belongs to the day its half hour starts in (Beijing time)."""
    frame = pd.read_excel(
        realdata / "tables" / "Eddy_covariance_ITP_Data_2019.xlsx", engine="calamine"
    )
    frame = frame.replace(-6999, np.nan)
    stamps = pd.to_datetime(frame["Date"]).dt.round("1s")
    day = (stamps - pd.Timedelta(minutes=30)).dt.floor("D")
    daily = frame[COLUMNS].groupby(day).mean().round(4)
    return daily.reset_index(names="Date")


def write(folder: Path, daily: pd.DataFrame, date_format: str = "slash") -> Path:
    out = daily.copy()
    dates = pd.to_datetime(out["Date"])
    out["Date"] = (
        [f"{d.year}/{d.month}/{d.day}" for d in dates]
        if date_format == "slash"
        else dates.dt.strftime("%Y-%m-%d")
    )
    out.to_csv(folder / "Yakou_EC_daily_2019.csv", index=False, na_rep="-6999")
    (folder / "spec.yaml").write_text(SPEC, encoding="utf-8")
    return folder / "spec.yaml"


@pytest.fixture(scope="module")
def real_daily(realdata: Path) -> pd.DataFrame:
    return daily_from_yakou(realdata)


def test_real_daily_table_has_true_findings_only(real_daily: pd.DataFrame, tmp_path: Path) -> None:
    assert len(real_daily) == 365 and real_daily["Wnd"].isna().sum() > 0
    code, report = validate_json(write(tmp_path, real_daily), "--no-cache")
    assert report["findings"] == [] and code == 0
    (table,) = report["files"]
    assert (table["time_start"], table["time_end"]) == (
        "2019-01-01 00:00:00",
        "2019-12-31 00:00:00",
    )
    assert table["rows"] == 365


def test_daily_coverage_runs_from_the_first_to_the_last_date(
    real_daily: pd.DataFrame, tmp_path: Path
) -> None:
    spec = write(tmp_path, real_daily, date_format="iso")
    out = tmp_path / "stac"
    assert run_cli("stac", str(spec), "--out", str(out), "-j", "1").exit_code == 0
    item = json.loads(next(out.rglob("Yakou_EC_daily_2019.json")).read_text(encoding="utf-8"))
    props = item["properties"]
    # 2019-01-01 00:00 to 2019-12-31 23:59:59 in Beijing time, in UTC:
    assert props["start_datetime"] == "2018-12-31T16:00:00Z"
    assert props["end_datetime"] == "2019-12-31T15:59:59Z"
    columns = {c["name"]: c for c in props["table:columns"]}
    assert "day" in columns["Date"]["description"]


def synthetic(days: int = 60) -> pd.DataFrame:
    dates = pd.date_range("2019-01-01", periods=days, freq="D")
    rng = np.random.default_rng(7)
    data = {
        "Date": dates,
        "Wnd": rng.uniform(1, 6, days).round(3),
        "Ts": rng.normal(-10, 4, days).round(3),
        "H2O": rng.uniform(1, 8, days).round(3),
        "CO2": rng.uniform(450, 500, days).round(3),
        "Ustar": rng.uniform(0.1, 0.6, days).round(3),
        "Hs": rng.normal(20, 15, days).round(3),
        "LE": rng.normal(30, 10, days).round(3),
        "Fc": rng.normal(0, 0.05, days).round(4),
    }
    return pd.DataFrame(data)


def covering(spec: Path, end: str) -> None:
    text = spec.read_text(encoding="utf-8").replace("end: 2019-12-31", f"end: {end}")
    spec.write_text(text, encoding="utf-8")


def test_planted_gap_is_counted_in_days(tmp_path: Path) -> None:
    table = synthetic().drop(index=range(20, 25))  # 2019-01-21 .. 2019-01-25 missing
    spec = write(tmp_path, table)
    covering(spec, "2019-03-01")
    _, report = validate_json(spec, "--no-cache")
    (gap,) = [f for f in report["findings"] if f["code"] == "T010"]
    assert gap["actual"] == {"missing_steps": 5, "gaps": 1}
    assert "(5 days)" in gap["message"] and gap["details"]["longest_to"] == "2019-01-26 00:00:00"
    assert [f["code"] for f in report["findings"]] == ["T010"]


def test_planted_duplicate_and_out_of_range_values(tmp_path: Path) -> None:
    table = synthetic()
    table.loc[10, "Wnd"] = 150.0  # beyond the strongest gust ever measured
    table = pd.concat([table.iloc[:31], table.iloc[30:31], table.iloc[31:]], ignore_index=True)
    spec = write(tmp_path, table)
    covering(spec, "2019-03-01")
    _, report = validate_json(spec, "--no-cache")
    found = sorted((f["code"], f.get("field"), f.get("row")) for f in report["findings"])
    assert found == [("T008", "Date", 33), ("T012", "Wnd", 12)]


def test_dates_outside_the_coverage(tmp_path: Path) -> None:
    spec = write(tmp_path, synthetic())
    covering(spec, "2019-02-20")  # the table runs to 2019-03-01
    _, report = validate_json(spec, "--no-cache")
    codes = sorted(f["code"] for f in report["findings"])
    assert codes == ["M001", "T011"]
    (outside,) = [f for f in report["findings"] if f["code"] == "T011"]
    assert outside["details"]["count"] == 9
