"""Filename patterns inferred from names: time fields, bounded numbers, lists of values,
splits where names separate different content, and near misses left out."""

from __future__ import annotations

import pytest

from tpqc.init.names import infer_names, shape

WUDAOLIANG = [f"Wudaoliang_ALT_{year}.tif" for year in (2017, 2018, 2019, 2020)]


def patterns(names: list[str], **kwargs: object) -> list[tuple[str, int]]:
    return [(g.pattern, len(g.paths)) for g in infer_names(names, **kwargs).groups]  # type: ignore[arg-type]


def test_four_yearly_names_give_one_year_field() -> None:
    (group,) = infer_names(WUDAOLIANG).groups
    assert group.pattern == "Wudaoliang_ALT_{year}.tif"
    (year,) = group.fields
    assert (year.name, year.kind, year.numbers) == ("year", "time", (2017, 2018, 2019, 2020))


@pytest.mark.parametrize(
    ("names", "pattern", "fields"),
    [
        (
            ["SM_201701.tif", "SM_201702.tif", "SM_201812.tif"],
            "SM_{year}{month}.tif",
            ["year", "month"],
        ),
        (["MOD_2017_001.tif", "MOD_2017_009.tif"], "MOD_{year}_{doy}.tif", ["year", "doy"]),
        (["LST_2017001.tif", "LST_2017009.tif"], "LST_{year}{doy}.tif", ["year", "doy"]),
        (
            ["ET_20170101.tif", "ET_20170102.tif"],
            "ET_{year}{month}{day}.tif",
            ["year", "month", "day"],
        ),
        (
            ["2017/LST_20170101.tif", "2018/LST_20180101.tif"],
            "{year}/LST_{date}.tif",
            ["year", "date"],
        ),
        (["P_2017-01.csv", "P_2017-02.csv"], "P_{year}-{month}.csv", ["year", "month"]),
    ],
)
def test_dates_in_names_become_time_fields(
    names: list[str], pattern: str, fields: list[str]
) -> None:
    (group,) = infer_names(names).groups
    assert group.pattern == pattern
    assert [f.name for f in group.fields] == fields
    assert all(f.kind == "time" for f in group.fields)


def test_tile_numbers_are_bounded_numbers_with_their_width() -> None:
    (group,) = infer_names(["h25v05.tif", "h26v05.tif", "h25v06.tif"]).groups
    assert group.pattern == "h{number1}v{number2}.tif"
    assert [(f.kind, f.numbers, f.regex) for f in group.fields] == [
        ("number", (25, 26), "[0-9]{2}"),
        ("number", (5, 6), "[0-9]{2}"),
    ]


def test_varying_words_are_a_field_unless_they_separate_content() -> None:
    names = ["Heihe_LC_2015.tif", "Qilian_LC_2015.tif", "Heihe_LC_2020.tif"]
    (group,) = infer_names(names, signature=lambda p: "uint8").groups
    assert group.pattern == "{region}_LC_{year}.tif"
    assert group.fields[0].values == ("Heihe", "Qilian")
    content = {"Qilian_LC_2015.tif": "uint8", "Qilian_NDVI_2015.tif": "float32"}
    content |= {"Qilian_LC_2020.tif": "uint8", "Qilian_NDVI_2020.tif": "float32"}
    assert patterns(list(content), signature=content.__getitem__) == [
        ("Qilian_LC_{year}.tif", 2),
        ("Qilian_NDVI_{year}.tif", 2),
    ]


def test_near_misses_fit_no_pattern_and_are_not_forced_in() -> None:
    names = [*WUDAOLIANG, "Wudaoliang_ALT_2021 .tif", "wudaoliang_alt_2022.tif"]
    found = infer_names(names)
    assert patterns(names) == [("Wudaoliang_ALT_{year}.tif", 4)]
    assert [path for path, _ in found.unfit] == [
        "Wudaoliang_ALT_2021 .tif",
        "wudaoliang_alt_2022.tif",
    ]
    assert {near for _, near in found.unfit} == {"Wudaoliang_ALT_{year}.tif"}


def test_extension_case_keeps_names_apart() -> None:
    assert shape("a_2017.tif") != shape("a_2017.TIF")
    found = infer_names([*WUDAOLIANG, "Wudaoliang_ALT_2021.TIF"])
    assert [p for p, _ in found.unfit] == ["Wudaoliang_ALT_2021.TIF"]


def test_a_lone_unrelated_name_is_its_own_literal_product() -> None:
    assert patterns([*WUDAOLIANG, "DEM.tif"]) == [
        ("DEM.tif", 1),
        ("Wudaoliang_ALT_{year}.tif", 4),
    ]
