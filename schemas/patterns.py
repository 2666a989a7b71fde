"""Filename patterns: compile ``Wudaoliang_ALT_{year}.tif`` into a matcher and parse the
values of its fields. A declaration of what names look like, so it lives beside the spec.

Patterns are matched with RE2, whose time is linear in the name's length: a field regex such
as ``(a+)+`` cannot hang a run on a long file name, and constructs RE2 refuses
(backreferences, lookarounds) are spec errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import re2

from tpqc.schemas.locations import printable

MAX_PATTERN_MEMORY = 8 << 20

FieldValue = int | float | str
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
TIME_FIELD_REGEX = {
    "year": r"[0-9]{4}",
    "month": r"[0-9]{2}",
    "day": r"[0-9]{2}",
    "date": r"[0-9]{8}",
    "doy": r"[0-9]{3}",
}
_GENERIC_FIELD_REGEX = r"[^/_]+"


class PatternError(ValueError):
    """A filename pattern that cannot be compiled."""


class Matcher(Protocol):
    """A compiled regular expression (RE2's or Python's)."""

    def fullmatch(self, text: str) -> Any: ...


@dataclass(frozen=True)
class _NameMatcher:
    """RE2 over file names: a name that is not UTF-8 is matched as it is shown (``\\xff``),
    since RE2 reads UTF-8 only."""

    compiled: Any

    def fullmatch(self, text: str) -> Any:
        return self.compiled.fullmatch(printable(text))


def _re2(source: str, *, case_sensitive: bool = True) -> Matcher:
    options = re2.Options()
    options.log_errors = False  # RE2 would print to stderr; the error becomes a PatternError
    options.case_sensitive = case_sensitive
    options.max_mem = MAX_PATTERN_MEMORY
    return _NameMatcher(re2.compile(source, options))


def check_field_regex(source: str) -> str | None:
    """Why a field's regular expression cannot be used (RE2 syntax), or None."""
    try:
        _re2(f"(?:{source})")
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return f"not a regular expression tpqc can match in linear time (RE2): {reason}"
    return None


@dataclass(frozen=True)
class FilenamePattern:
    """A compiled filename pattern."""

    text: str
    regex: Matcher
    loose: Matcher
    fields: tuple[str, ...]

    def match(self, relative_path: str) -> dict[str, str] | None:
        """The raw field values if the path matches the pattern exactly, else None."""
        found = self.regex.fullmatch(relative_path)
        return found.groupdict() if found else None


def compile_pattern(text: str, field_regex: Mapping[str, str] | None = None) -> FilenamePattern:
    """Compile a pattern; ``{field}`` matches a run of characters other than ``/`` and ``_``.

    Time fields (year, month, day, date, doy) match their digits only; ``field_regex``
    gives a field its own regular expression.
    """
    field_regex = field_regex or {}
    parts: list[str] = []
    fields: list[str] = []
    position = 0
    for placeholder in PLACEHOLDER.finditer(text):
        name = placeholder.group(1)
        if not _FIELD_NAME.match(name):
            raise PatternError(f"bad field name {{{name}}} in pattern {text!r}")
        if name in fields:
            raise PatternError(f"field {{{name}}} appears twice in pattern {text!r}")
        fields.append(name)
        parts.append(re2.escape(text[position : placeholder.start()]))
        if name in field_regex:
            problem = check_field_regex(field_regex[name])
            if problem is not None:
                raise PatternError(f"bad regex for field {{{name}}}: {problem}")
            body = field_regex[name]
        else:
            body = TIME_FIELD_REGEX.get(name, _GENERIC_FIELD_REGEX)
        parts.append(f"(?P<{name}>(?:{body}))")
        position = placeholder.end()
    tail = text[position:]
    if "{" in tail or "}" in tail:
        raise PatternError(f"unbalanced braces in pattern {text!r}")
    parts.append(re2.escape(tail))
    source = "".join(parts)
    try:
        regex, loose = _re2(source), _re2(source, case_sensitive=False)
    except re2.error as exc:
        raise PatternError(f"pattern {text!r} cannot be compiled: {exc}") from None
    return FilenamePattern(text=text, regex=regex, loose=loose, fields=tuple(fields))


def parse_field(name: str, raw: str) -> FieldValue:
    """Time fields and numbers become numbers; anything else stays text."""
    if name in TIME_FIELD_REGEX:
        return int(raw)
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return raw
