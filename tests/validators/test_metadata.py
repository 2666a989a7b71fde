"""Pure parsing helpers behind the metadata checks."""

from __future__ import annotations

import pytest

from tpqc.schemas.spdx import closest_spdx, is_spdx
from tpqc.validators.dataset.metadata import parse_resolution, parse_size
from tpqc.validators.dataset.series import robust_z
from tpqc.validators.dataset.temporal import Duration, member_interval


@pytest.mark.parametrize(
    ("text", "closest"),
    [
        ("CC BY 4.0", "CC-BY-4.0"),
        ("cc-by-sa 4.0", "CC-BY-SA-4.0"),
        ("CC0 1.0", "CC0-1.0"),
        ("Apache 2.0", "Apache-2.0"),
        ("all rights reserved", None),
    ],
)
def test_closest_spdx(text: str, closest: str | None) -> None:
    assert not is_spdx(text)
    assert closest_spdx(text) == closest


def test_spdx_ids_and_license_refs() -> None:
    assert is_spdx("CC-BY-4.0") and is_spdx("ODbL-1.0") and is_spdx("LicenseRef-TPDC-Data")
    assert not is_spdx("cc-by-4.0")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1 km", 1.0, "km"),
        ("500m", 500.0, "m"),
        ("30 arcsec", 30.0, "arcsec"),
        ("0.25 degrees", 0.25, "deg"),
        ("1km - 10km", None, None),
    ],
)
def test_parse_resolution(text: str, value: float | None, unit: str | None) -> None:
    parsed = parse_resolution(text)
    assert (parsed.value, parsed.unit) == (value, unit) if parsed else value is None


def test_parse_size_accepts_decimal_and_binary_meanings() -> None:
    assert parse_size("100 MB") == [100e6, 100 * 2**20]
    assert parse_size("2 GiB") == [2 * 2**30]
    assert parse_size("large") is None


def test_robust_z_flags_only_the_outlier() -> None:
    z = robust_z([3.11, 3.14, 3.17, 315.0], floor=0.03)
    assert [abs(v) > 3.5 for v in z] == [False, False, False, True]


@pytest.mark.parametrize(
    ("fields", "resolution", "start", "end"),
    [
        ({"year": 2017}, "P1Y", "2017-01-01T00:00:00", "2017-12-31T23:59:59"),
        ({"year": 2020, "month": 2}, None, "2020-02-01T00:00:00", "2020-02-29T23:59:59"),
        ({"date": 20190301}, None, "2019-03-01T00:00:00", "2019-03-01T23:59:59"),
        ({"year": 2019, "doy": 41}, "P8D", "2019-02-10T00:00:00", "2019-02-17T23:59:59"),
    ],
)
def test_member_interval(fields: dict, resolution: str | None, start: str, end: str) -> None:
    interval = member_interval(fields, resolution)
    assert interval is not None
    assert (interval[0].isoformat()[:19], interval[1].isoformat()[:19]) == (start, end)


def test_duration_parse_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        Duration.parse("P")
    assert Duration.parse("P1Y2M").months == 14


def test_spdx_expressions_from_the_full_list() -> None:
    from tpqc.schemas.spdx import licence_ids, spdx_ids

    assert len(spdx_ids()) > 500  # the whole SPDX list, not a curated subset
    assert is_spdx("CC-BY-4.0 OR MIT") and is_spdx("(MIT OR Apache-2.0) AND CC0-1.0")
    assert is_spdx("Apache-2.0 WITH LLVM-exception") and is_spdx("Elastic-2.0")
    assert not is_spdx("CC-BY-4.0 or mit") and closest_spdx("cc-by-4.0 or mit") == (
        "CC-BY-4.0 OR MIT"
    )
    assert not is_spdx("OR MIT") and not is_spdx("MIT AND") and not is_spdx("(MIT")
    assert licence_ids("Apache-2.0 WITH LLVM-exception OR MIT") == ["Apache-2.0", "MIT"]
