"""Checks as pure functions: facts built directly (no file is read), the scope's checks run
through the registry, each planted fact gives its one finding. Milliseconds per case."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from tpqc.catalogue import all_checks
from tpqc.schemas.spec import Spec, load_spec
from tpqc.validators.grid.checks import RASTER_FILE, RasterContext
from tpqc.validators.grid.facts import BandFacts, RasterFacts
from tpqc.validators.kinds.table.checks import TABLE_FILE, TableContext
from tpqc.validators.kinds.table.reader import ColumnFacts, Problem, TableFacts
from tpqc.validators.registry import Selection, run_scope

PIXEL = 1 / 120


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Spec:
    from tpqc.examples.wudaoliang.generate import spec_text

    folder = tmp_path_factory.mktemp("spec")
    (folder / "spec.yaml").write_text(
        spec_text()
        + """tables:
  - name: aws
    pattern: "{station}_AWS_{year}.csv"
    time: {column: TIMESTAMP, step: 10min}
    station: {lon: 93.0, lat: 35.0}
    columns:
      RH: {variable: relative_humidity}
""",
        encoding="utf-8",
    )
    return load_spec(folder / "spec.yaml")


def clean_raster() -> RasterFacts:
    band = BandFacts(
        index=1,
        dtype="float32",
        nodata=-9999.0,
        nodata_representable=True,
        pixels=26093,
        valid=20000,
        nodata_count=6093,
        minimum=0.9,
        maximum=5.1,
        mean=2.9,
        stddev=0.8,
    )
    return RasterFacts(
        path="Wudaoliang_ALT_2018.tif",
        size_bytes=100,
        sha256="0" * 64,
        pixels_read=True,
        driver="GTiff",
        width=269,
        height=97,
        count=1,
        crs_wkt="EPSG:4326",
        transform=(PIXEL, 0.0, 91.8, 0.0, -PIXEL, 35.61),
        has_geotransform=True,
        block_shape=(128, 128),
        bands=(band,),
    )


def codes(spec: Spec, facts: RasterFacts) -> list[str]:
    context = RasterContext(facts, spec.rasters[0], spec)
    return [f.code for f in run_scope(RASTER_FILE, context, Selection())]


def with_band(facts: RasterFacts, **changes: object) -> RasterFacts:
    return dataclasses.replace(facts, bands=(dataclasses.replace(facts.bands[0], **changes),))


CASES = {
    "clean": (lambda f: f, []),
    "unreadable": (lambda f: RasterFacts(f.path, open_error="not a TIFF"), ["R001"]),
    "crs": (lambda f: dataclasses.replace(f, crs_wkt="EPSG:4490"), ["R006"]),
    "rotated": (
        lambda f: dataclasses.replace(f, transform=(PIXEL, 1e-6, 91.8, 1e-6, -PIXEL, 35.61)),
        ["R005"],
    ),
    "bands": (lambda f: dataclasses.replace(f, count=2), ["R009"]),
    "dtype": (lambda f: with_band(f, dtype="float64"), ["R010"]),
    "nodata-missing": (lambda f: with_band(f, nodata=None), ["R011"]),
    "out-of-range": (lambda f: with_band(f, out_of_range=3, maximum=12.5), ["R014"]),
    "nan": (lambda f: with_band(f, nan_count=2, first_nan=(5, 5)), ["R015"]),
    "too-much-nodata": (lambda f: with_band(f, valid=100, nodata_count=25993), ["R016"]),
    "all-nodata": (lambda f: with_band(f, valid=0, nodata_count=26093), ["R017"]),
    "not-georeferenced": (lambda f: dataclasses.replace(f, crs_wkt=None), ["R004"]),
    "coarse": (
        lambda f: dataclasses.replace(
            f, width=89, height=32, transform=(3 * PIXEL, 0.0, 91.8, 0.0, -3 * PIXEL, 35.61)
        ),
        ["R007", "R007"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_raster_checks_on_built_facts(spec: Spec, case: str) -> None:
    change, expected = CASES[case]
    assert codes(spec, change(clean_raster())) == expected


def test_selection_and_severity_come_from_the_registry(spec: Spec) -> None:
    facts = dataclasses.replace(clean_raster(), crs_wkt="EPSG:4490")
    context = RasterContext(facts, spec.rasters[0], spec)
    assert run_scope(RASTER_FILE, context, Selection(ignored=frozenset({"R006"}))) == []
    (finding,) = run_scope(RASTER_FILE, context, Selection())
    assert (finding.code, finding.name, finding.severity.label) == ("R006", "crs-mismatch", "error")
    assert {c.scope for c in all_checks() if c.code.startswith("R")} == {"raster-file"}


def test_table_checks_on_built_facts(spec: Spec) -> None:
    table = spec.tables[0]
    rh = ColumnFacts("RH", "RH", False, "%", "%", None, "number", 100, 50, 1.0, 104.0)
    facts = TableFacts(
        path="Dashalong_AWS_2019.csv",
        size_bytes=10,
        sha256="0" * 64,
        rows=100,
        headers=("TIMESTAMP", "RH"),
        columns=(rh,),
        problems=(Problem("out_of_range", "RH", 2, ((7, "2019-01-01 01:00:00", 104.0),)),),
        time_start="2019-01-01 00:10:00",
        time_end="2019-01-01 16:40:00",
    )
    context = TableContext(facts, table, table.station, spec)
    found = run_scope(TABLE_FILE, context, Selection())
    assert [(f.code, f.location.field, f.location.row) for f in found] == [("T012", "RH", 7)]
    assert rh.missing_fraction == 0.5 and not math.isnan(rh.missing_fraction)


def test_a_spec_from_the_example_is_what_the_unit_tests_assume(spec: Spec) -> None:
    assert spec.rasters[0].resolution is not None and spec.rasters[0].resolution.unit == "km"
    assert spec.tables[0].time.step_seconds == 600 and spec.tables[0].station is not None
    assert Path(spec.path).name == "spec.yaml"
