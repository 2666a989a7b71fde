"""Text that cannot forge report lines: control characters (a newline in a file name, an
escape sequence) are shown, not obeyed; values are shown as JSON, not Python reprs."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tpqc.validators.findings import Location

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def visible(text: str) -> str:
    """``text`` with every control or format character written as an escape (``\\n``,
    ``\\x1b``, ``\\u202e``), so it stays on its line and cannot restyle a terminal."""
    out = []
    for char in text:
        if char in _NAMED and char != "\\":
            out.append(_NAMED[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """An XML (or HTML) document with every character XML 1.0 forbids (control characters
    other than tab and line ends, lone surrogates, U+FFFE/U+FFFF) written as a visible
    escape (``\\x01``), so the document stays well-formed whatever a file name holds."""
    return _NOT_XML.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_text(value: Any) -> str:
    """A value as compact JSON (``null``, ``{"min": 0}``); text stays as it is."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


def where_text(location: Location) -> str:
    """A finding's place inside its file, for tables: band, row and column, field."""
    parts = []
    if location.band is not None:
        parts.append(f"band {location.band}")
    if location.row is not None:
        column = f", col {location.column}" if location.column is not None else ""
        parts.append(f"row {location.row}{column}")
    if location.field:
        parts.append(location.field)
    return "; ".join(parts)
