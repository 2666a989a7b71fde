"""What a data location written in a spec or on the command line means, and how a file
name that is not UTF-8 is shown."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text every output (and every UTF-8 library, such as RE2) can carry: the bytes of a
    file name that are not UTF-8, which Python holds as lone surrogates, written visibly as
    ``\\xff``."""
    return _SURROGATE.sub(_escape_surrogate, text) if _SURROGATE.search(text) else text


def has_unprintable(text: str | None) -> bool:
    """True when a text holds bytes that are not UTF-8 (see :func:`printable`)."""
    return text is not None and _SURROGATE.search(text) is not None


def is_remote(location: str) -> bool:
    """True for GDAL virtual paths (/vsicurl/, /vsis3/ ...), http(s) URLs and S3 buckets
    (s3://bucket/prefix)."""
    return location.startswith(("/vsi", "http://", "https://", "s3://"))
