"""Text that cannot forge report lines: control characters (a newline in a file name, an
escape sequence) are shown, not obeyed; values are shown as JSON, not Python reprs."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

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


def json_text(value: Any) -> str:
    """A value as compact JSON (``null``, ``{"min": 0}``); text stays as it is."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
