"""Strict, deterministic JSON: one rule for non-finite numbers and one writer, shared by the
report, the facts cache and the STAC catalog."""

from __future__ import annotations

import math
from typing import Any


def json_number(value: float | None) -> float | str | None:
    """JSON has no NaN or infinity: write them as the strings GDAL and STAC use."""
    if value is None or math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


_CLEAN = frozenset({str, int, bool, type(None)})
"""Types whose values are strict JSON as they are (exactly these: not their subclasses)."""


def clean_json(value: Any) -> Any:
    """Make a value strict JSON: non-finite floats become the strings nan, inf, -inf."""
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, dict):
        return {
            k if type(k) is str else str(k): v if type(v) in _CLEAN else clean_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        if all(type(v) is int for v in value):  # histogram buckets: nothing to clean
            return list(value)
        return [v if type(v) in _CLEAN else clean_json(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(document: Any) -> str:
    """Deterministic UTF-8 JSON text: indented, no ASCII escapes, trailing newline.

    orjson writes it about ten times faster than the standard library's indenting encoder
    (which falls back to pure Python); non-finite floats must be made strings first."""
    import orjson

    try:
        return orjson.dumps(document, default=_plain, option=orjson.OPT_INDENT_2).decode() + "\n"
    except orjson.JSONEncodeError:
        if not _holds_surrogates(document):
            raise
    # A file name that is not UTF-8 (in shards and the facts cache, which must give it back
    # exactly): the standard library escapes its lone surrogates as \udcXX.
    import json

    return json.dumps(document, default=_plain, indent=2, ensure_ascii=True) + "\n"


def _holds_surrogates(value: Any) -> bool:
    from tpqc.schemas.locations import has_unprintable

    if isinstance(value, str):
        return has_unprintable(value)
    if isinstance(value, dict):
        return any(_holds_surrogates(k) or _holds_surrogates(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_surrogates(v) for v in value)
    return False
