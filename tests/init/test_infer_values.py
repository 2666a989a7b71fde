"""Rounding outward: never tighter than the data, round to the eye, within the data type."""

from __future__ import annotations

import math

import pytest

from tpqc.init.values import (
    fraction_ceiling,
    outward_extent,
    outward_range,
    step_text,
    yaml_number,
)


@pytest.mark.parametrize(
    ("low", "high", "dtype", "expected"),
    [
        (0.52, 8.7, None, (0.0, 9.0)),
        (1520.0, 5790.0, None, (1000.0, 6000.0)),
        (-0.2, 0.95, None, (-1.0, 1.0)),
        (1.0, 17.0, "uint8", (0.0, 20.0)),
        (3.0, 250.0, "uint8", (0.0, 255.0)),
        (-25.15, 16.8, None, (-30.0, 20.0)),
        (0.1, 0.3, None, (0.1, 0.3)),
        (5.0, 5.0, None, (5.0, 5.0)),
    ],
)
def test_ranges_round_outward(
    low: float, high: float, dtype: str | None, expected: tuple[float, float]
) -> None:
    lo, hi = outward_range(low, high, dtype)
    assert (lo, hi) == expected
    assert lo <= low and hi >= high


def test_extent_rounds_outward_to_a_hundredth_of_its_size() -> None:
    box, decimals = outward_extent(91.80000000001, 34.7999, 94.0417, 35.61)
    assert (box, decimals) == ((91.8, 34.79, 94.05, 35.61), 2)
    small, decimals = outward_extent(100.1234, 38.0011, 100.1987, 38.0523)
    assert decimals == 4 and small == (100.1234, 38.0011, 100.1987, 38.0523)
    world, _ = outward_extent(-180.0, -90.0, 180.0, 90.0)
    assert world == (-180.0, -90.0, 180.0, 90.0)


def test_fraction_limits_leave_a_margin() -> None:
    assert fraction_ceiling(0.035) == 0.1
    assert fraction_ceiling(0.41) == 0.5
    assert fraction_ceiling(1.0) == 1.0


def test_steps_as_people_write_them() -> None:
    assert [step_text(s) for s in (600, 1800, 3600, 86400, 45)] == [
        "10min",
        "30min",
        "1h",
        "1D",
        "45s",
    ]


@pytest.mark.parametrize("value", [0.0, -9999.0, 1e-05, -3.4e38, 0.0083333333, 2.5, 1e20])
def test_numbers_read_back_exactly_as_yaml(value: float) -> None:
    import yaml

    text = yaml_number(value)
    read = yaml.safe_load(f"x: {text}")["x"]
    assert isinstance(read, int | float) and math.isclose(read, value, rel_tol=0, abs_tol=0)
