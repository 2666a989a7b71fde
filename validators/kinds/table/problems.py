"""The kinds of problem a station table's one read records, each judged by one T check."""

from __future__ import annotations

import enum


class ProblemKind(enum.StrEnum):
    """What a recorded problem of a table is (its checks select problems by kind)."""

    TIME_UNPARSEABLE = "time_unparseable"
    TIME_NOT_MONOTONIC = "time_not_monotonic"
    TIME_DUPLICATE = "time_duplicate"
    TIME_IRREGULAR = "time_irregular"
    TIME_GAPS = "time_gaps"
    TIME_OUTSIDE_COVERAGE = "time_outside_coverage"
    OUT_OF_RANGE = "out_of_range"
    MISSING_CODE = "missing_code"


__all__ = ["ProblemKind"]
