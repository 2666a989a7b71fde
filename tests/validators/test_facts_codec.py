"""The facts codec: exact round trips (NaN, infinity, tuples, nested bands), and refusals."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest

from tpqc.validators.engine.facts_codec import FactsFormatError, decode_facts, encode_facts
from tpqc.validators.grid.facts import BandFacts, RasterFacts
from tpqc.validators.kinds.geotiff.reader import ReadPlan, read_raster_facts
from tpqc.validators.kinds.table.reader import ColumnFacts, Problem, TableFacts


def roundtrip(facts: object) -> object:
    return decode_facts(orjson.loads(orjson.dumps(encode_facts(facts))))  # type: ignore[arg-type]


def test_real_raster_facts_round_trip(realdata: Path) -> None:
    for name in ("dataset_nodata_nan.tif", "RGB.byte.tif", "float_raster_with_nodata.tif"):
        facts = read_raster_facts(str(realdata / "tiff" / "valid"), name, ReadPlan(0, 100))
        again = roundtrip(facts)
        assert isinstance(again, RasterFacts)
        # NaN is not equal to itself, so compare the encodings (which tag NaN exactly).
        assert encode_facts(again) == encode_facts(facts)
        assert again.bands[0].histogram == facts.bands[0].histogram
        assert again.bands == facts.bands or math.isnan(facts.bands[0].nodata or 0.0)


def test_non_finite_values_and_tuples_survive() -> None:
    band = BandFacts(1, "float32", math.nan, True, out_of_range_examples=((1, 2, math.inf),))
    facts = RasterFacts("x.tif", transform=(1.0, 0.0, 0.0, 0.0, -1.0, 0.0), bands=(band,))
    again = roundtrip(facts)
    assert isinstance(again, RasterFacts)
    assert math.isnan(again.bands[0].nodata or 0.0)
    assert again.bands[0].out_of_range_examples == ((1, 2, math.inf),)
    assert again.transform == facts.transform


def test_table_facts_round_trip() -> None:
    facts = TableFacts(
        "t.csv",
        columns=(ColumnFacts("RH", "rh", True, "%", "%", None, "number", 3, 1, 1.0, 99.0),),
        problems=(Problem("time_gaps", "TIMESTAMP", 4, ((3, "2019-01-01", 4),), {"gaps": 1}),),
        duplicate_columns=(("RH", ("RH", "rh")),),
    )
    assert roundtrip(facts) == facts


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"format": 1, "type": "os.system", "facts": {}},
        {
            "format": 1,
            "type": "tpqc.validators.kinds.geotiff.reader.RasterFacts",
            "facts": {"nope": 1},
        },
        {
            "format": 1,
            "type": "tpqc.validators.kinds.geotiff.reader.RasterFacts",
            "facts": {"path": 3},
        },
        {"format": 99, "type": "tpqc.validators.kinds.geotiff.reader.RasterFacts", "facts": {}},
    ],
)
def test_anything_else_is_a_format_error(document: object) -> None:
    with pytest.raises(FactsFormatError):
        decode_facts(document)
