"""Filename patterns, near-miss hints and field rules."""

from __future__ import annotations

import pytest

from tpqc.schemas.patterns import PatternError, compile_pattern, parse_field
from tpqc.schemas.spec import FieldRule
from tpqc.validators.filename import FieldContext, field_out_of_range, near_miss_hint

ALT = compile_pattern("Wudaoliang_ALT_{year}.tif")


def test_pattern_matches_and_parses_time_fields() -> None:
    assert ALT.match("Wudaoliang_ALT_2017.tif") == {"year": "2017"}
    assert ALT.match("Wudaoliang_ALT_17.tif") is None
    assert ALT.match("Wudaoliang_ALT_2017 .tif") is None
    assert ALT.match("sub/Wudaoliang_ALT_2017.tif") is None
    assert parse_field("year", "2017") == 2017


def test_generic_fields_stop_at_underscore_and_slash() -> None:
    pattern = compile_pattern("{station}/{station2}_AWS_{date}.tif")
    assert pattern.match("Yakou/Yakou_AWS_20190101.tif") == {
        "station": "Yakou",
        "station2": "Yakou",
        "date": "20190101",
    }
    assert pattern.match("Ya_kou/Yakou_AWS_20190101.tif") is None


def test_field_regex_overrides_the_default() -> None:
    pattern = compile_pattern("{name}.tif", {"name": "[a-z_]+"})
    assert pattern.match("all_nodata.tif") == {"name": "all_nodata"}


@pytest.mark.parametrize("bad", ["{year.tif", "{1x}.tif", "{a}_{a}.tif", "x}.tif"])
def test_bad_patterns_are_rejected(bad: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(bad)


@pytest.mark.parametrize(
    ("name", "hint_start"),
    [
        ("Wudaoliang_ALT_2017 .tif", "stray whitespace"),
        ("wudaoliang_alt_2017.tif", "letter case"),
        ("Wudaoliang_ALT_2017.TIF", "letter case"),
        ("Wudaoliang-ALT-2017.tif", "closest pattern"),
    ],
)
def test_near_miss_hints(name: str, hint_start: str) -> None:
    hint = near_miss_hint(name, [ALT])
    assert hint is not None and hint.startswith(hint_start)


def test_unrelated_name_has_no_hint() -> None:
    assert near_miss_hint("land_cover_30m_final.tif", [ALT]) is None


@pytest.mark.parametrize(
    ("values", "rules", "bad_fields"),
    [
        ({"year": 2021}, {"year": FieldRule("year", min=2017, max=2020)}, ["year"]),
        ({"year": 2019}, {"year": FieldRule("year", min=2017, max=2020)}, []),
        ({"region": "Qilian"}, {"region": FieldRule("region", fixed="Wudaoliang")}, ["region"]),
        ({"band": "B9"}, {"band": FieldRule("band", allowed=("B1", "B2"))}, ["band"]),
        ({"year": 2019, "month": 13}, {}, ["month"]),
        ({"year": 2019, "month": 2, "day": 30}, {}, ["day"]),
        ({"date": 20190230}, {}, ["date"]),
        ({"doy": 367}, {}, ["doy"]),
        ({"year": 2020, "month": 2, "day": 29}, {}, []),
    ],
)
def test_field_rules(values: dict, rules: dict, bad_fields: list[str]) -> None:
    issues = list(field_out_of_range(FieldContext("f.tif", "p", values, rules)))
    assert [i.location.field for i in issues] == bad_fields
