"""Infer filename patterns with typed fields from the names of a folder's files.

Names are cut into tokens: runs of digits, runs of letters, and single other characters.
Names with the same shape (the same token kinds, the same separators and extension, digit
runs of the same length) form a group. In a group, a token that never changes is literal;
one that changes becomes a field: digit runs that read as dates become time fields
(``{year}``, ``{year}{month}``, ``{year}{doy}`` ...), other digit runs bounded numbers, and
letter runs a field with its list of values (``{region}``, ``{station}``). A group whose
varying letters separate files that differ in content is split by them (``LC`` and ``NDVI``
are two products, not a field). A lone name that a bigger group's pattern nearly matches
(``Wudaoliang_ALT_2018 .tif``) is listed as fitting no pattern, never forced in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from tpqc.schemas.patterns import compile_pattern

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+|.", re.DOTALL)
YEARS = (1900, 2100)


@dataclass(frozen=True)
class Token:
    """One piece of a name: ``d`` digits, ``a`` letters, ``s`` any other single character."""

    kind: str
    text: str


def tokens(name: str) -> list[Token]:
    """The tokens of a relative path; the extension (letters after the last dot) is kept
    apart so that ``.tif`` and ``.TIF`` never share a pattern."""
    found = [
        Token("d" if t[0].isdigit() else "a" if t[0].isalpha() else "s", t)
        for t in _TOKEN.findall(name)
    ]
    if len(found) >= 2 and found[-2].text == "." and found[-1].kind == "a":
        found[-1] = Token("x", found[-1].text)
    return found


def shape(name: str) -> tuple[tuple[str, str | int], ...]:
    """What names of one group share: separators and extension as written, digit runs by
    length, letter runs by kind only."""
    out: list[tuple[str, str | int]] = []
    for token in tokens(name):
        if token.kind in "sx":
            out.append((token.kind, token.text))
        elif token.kind == "d":
            out.append(("d", len(token.text)))
        else:
            out.append(("a", ""))
    return tuple(out)


@dataclass(frozen=True)
class FieldGuess:
    """A field of an inferred pattern: its name, and the rule the values observed suggest."""

    name: str
    kind: str
    """``time`` (year, month, day, doy), ``number`` or ``text``."""
    values: tuple[str, ...]
    """Every value observed, sorted."""
    regex: str | None = None

    @property
    def numbers(self) -> tuple[int, ...]:
        """The observed values as integers (time and number fields)."""
        return tuple(sorted({int(v) for v in self.values}))


@dataclass(frozen=True)
class NameGroup:
    """Files whose names follow one inferred pattern."""

    pattern: str
    paths: tuple[str, ...]
    fields: tuple[FieldGuess, ...] = ()
    literal_words: tuple[str, ...] = ()
    """The pattern's constant words (to name the product by)."""

    def field_named(self, name: str) -> FieldGuess | None:
        """The field of this name, if the pattern has it."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def time_fields(self) -> tuple[str, ...]:
        """The names of the pattern's time fields."""
        return tuple(f.name for f in self.fields if f.kind == "time")


@dataclass(frozen=True)
class NameInference:
    """The groups found, and the names that fit no pattern of a bigger group."""

    groups: tuple[NameGroup, ...]
    unfit: tuple[tuple[str, str], ...] = ()
    """(path, the pattern it nearly fits)."""


def _valid_date(year: int, month: int, day: int = 1) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return YEARS[0] <= year <= YEARS[1]


def _date_split(values: Sequence[str], length: int) -> list[tuple[str, int]] | None:
    """How a digit run of this length splits into time fields, when every value reads so."""
    layouts: dict[int, list[tuple[str, int]]] = {
        4: [("year", 4)],
        6: [("year", 4), ("month", 2)],
        7: [("year", 4), ("doy", 3)],
        8: [("year", 4), ("month", 2), ("day", 2)],
    }
    layout = layouts.get(length)
    if layout is None:
        return None

    def reads(text: str) -> bool:
        parts, at = {}, 0
        for name, width in layout:
            parts[name] = int(text[at : at + width])
            at += width
        if "doy" in parts:
            return _valid_date(parts["year"], 1) and 1 <= parts["doy"] <= 366
        return _valid_date(parts["year"], parts.get("month", 1), parts.get("day", 1))

    return layout if all(reads(v) for v in values) else None


def _field_pieces(
    column: Sequence[str], kind: str, taken: set[str], text_names: Sequence[str]
) -> list[tuple[str, FieldGuess | None]]:
    """Pattern pieces for one token position: a literal, or fields with their guesses."""
    distinct = sorted(set(column))
    length = len(column[0])
    if kind == "d":
        layout = None if "year" in taken else _date_split(distinct, length)
        if layout is not None:
            pieces: list[tuple[str, FieldGuess | None]] = []
            at = 0
            for name, width in layout:
                values = tuple(sorted({v[at : at + width] for v in distinct}))
                pieces.append((f"{{{name}}}", FieldGuess(name, "time", values)))
                taken.add(name)
                at += width
            return pieces
        if length == 8 and "date" not in taken and _date_split(distinct, 8) is not None:
            taken.add("date")  # a date under a year folder: 2017/LST_20170101.tif
            return [("{date}", FieldGuess("date", "time", tuple(distinct)))]
        numbers = [int(v) for v in distinct]
        follows = _follows_time(taken, length, numbers)
        if follows is not None:
            taken.add(follows)
            return [(f"{{{follows}}}", FieldGuess(follows, "time", tuple(distinct)))]
        if len(distinct) == 1:
            return [(column[0], None)]
        name = _free_name("number", taken)
        taken.add(name)
        guess = FieldGuess(name, "number", tuple(distinct), regex=f"[0-9]{{{length}}}")
        return [(f"{{{name}}}", guess)]
    if len(distinct) == 1:
        return [(column[0], None)]
    base = next((n for n in text_names if n not in taken), None) or _free_name("name", taken)
    taken.add(base)
    return [(f"{{{base}}}", FieldGuess(base, "text", tuple(distinct)))]


def _follows_time(taken: set[str], length: int, numbers: Sequence[int]) -> str | None:
    """month after a year, day after a month, doy after a year, when the values fit."""
    if length == 2 and "year" in taken and "month" not in taken and "doy" not in taken:
        return "month" if all(1 <= n <= 12 for n in numbers) else None
    if length == 2 and "month" in taken and "day" not in taken:
        return "day" if all(1 <= n <= 31 for n in numbers) else None
    if length == 3 and "year" in taken and not {"month", "doy"} & taken:
        return "doy" if all(1 <= n <= 366 for n in numbers) else None
    return None


def _free_name(stem: str, taken: set[str]) -> str:
    index = 1
    while f"{stem}{index}" in taken:
        index += 1
    return f"{stem}{index}"


def infer_group(paths: Sequence[str], text_names: Sequence[str] = ("region",)) -> NameGroup:
    """The pattern of names that share one shape (see :func:`shape`)."""
    split = [tokens(p) for p in paths]
    pieces: list[str] = []
    guesses: list[FieldGuess] = []
    words: list[str] = []
    taken: set[str] = set()
    for position, first in enumerate(split[0]):
        column = [t[position].text for t in split]
        if first.kind in "sx":
            pieces.append(first.text)
            continue
        for text, guess in _field_pieces(column, first.kind, taken, text_names):
            pieces.append(text)
            if guess is not None:
                guesses.append(guess)
            elif first.kind == "a":
                words.append(text)
    return NameGroup("".join(pieces), tuple(sorted(paths)), tuple(guesses), tuple(words))


def _split_by_content(
    paths: Sequence[str], signature: Callable[[str], Hashable]
) -> list[list[str]]:
    """Split a shape group where a varying letter token tells files of different content
    apart (each value one content signature, at least two signatures)."""
    split = [tokens(p) for p in paths]
    for position, first in enumerate(split[0]):
        if first.kind != "a":
            continue
        values: dict[str, set[Hashable]] = {}
        for path, parts in zip(paths, split, strict=True):
            values.setdefault(parts[position].text, set()).add(signature(path))
        signatures = {next(iter(s)) for s in values.values() if len(s) == 1}
        if len(values) > 1 and all(len(s) == 1 for s in values.values()) and len(signatures) > 1:
            groups: dict[str, list[str]] = {}
            for path, parts in zip(paths, split, strict=True):
                groups.setdefault(parts[position].text, []).append(path)
            return [g for _, g in sorted(groups.items())]
    return [list(paths)]


def infer_names(
    paths: Sequence[str],
    signature: Callable[[str], Hashable] | None = None,
    text_names: Sequence[str] = ("region",),
) -> NameInference:
    """Group names into patterns. ``signature`` tells what a file holds (CRS, grid, type):
    letter tokens that separate different signatures split a group into products."""
    by_shape: dict[tuple[tuple[str, str | int], ...], list[str]] = {}
    unfit: list[tuple[str, str]] = []
    for path in sorted(paths):
        if "{" in path or "}" in path:
            unfit.append((path, "a name with braces cannot be written as a pattern"))
            continue
        by_shape.setdefault(shape(path), []).append(path)
    groups: list[NameGroup] = []
    outliers: list[str] = []
    for members in by_shape.values():
        members, odd = _case_outliers(members)
        outliers += odd
        pending = [members]
        while pending:
            current = pending.pop()
            parts = _split_by_content(current, signature) if signature else [current]
            if len(parts) > 1:
                pending.extend(parts)
                continue
            groups.append(infer_group(current, text_names))
    groups.sort(key=lambda g: g.paths[0])
    big = [g for g in groups if len(g.paths) > 1]
    kept: list[NameGroup] = []
    for path in outliers:
        near = _nearly_fits(NameGroup(path, (path,)), big)
        unfit.append((path, near or "its letter case differs from the other names"))
    for group in groups:
        near = _nearly_fits(group, big) if len(group.paths) == 1 else None
        if near is not None:
            unfit.append((group.paths[0], near))
        else:
            kept.append(group)
    return NameInference(tuple(kept), tuple(sorted(unfit)))


def _case_outliers(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """Names whose letters differ from the usual spelling only by case (``wudaoliang_alt``
    beside ``Wudaoliang_ALT``): a defect to report, not a field to infer."""
    from collections import Counter

    split = [tokens(p) for p in paths]
    odd: set[str] = set()
    for position, first in enumerate(split[0]):
        if first.kind != "a":
            continue
        spellings: dict[str, Counter[str]] = {}
        for parts in split:
            text = parts[position].text
            spellings.setdefault(text.casefold(), Counter())[text] += 1
        for counts in spellings.values():
            if len(counts) > 1:
                usual = max(sorted(counts), key=lambda s: counts[s])
                odd.update(
                    p
                    for p, parts in zip(paths, split, strict=True)
                    if parts[position].text.casefold() == usual.casefold()
                    and parts[position].text != usual
                )
    return [p for p in paths if p not in odd], sorted(odd)


def _nearly_fits(single: NameGroup, big: Sequence[NameGroup]) -> str | None:
    """The pattern of a bigger group that a lone name nearly matches (letter case, spaces,
    extension case), if one does."""
    from tpqc.validators.filename import loose_match

    path = single.paths[0]
    for group in big:
        pattern = compile_pattern(group.pattern, _regexes(group))
        if loose_match(path, pattern) is not None:
            return group.pattern
    return None


def _regexes(group: NameGroup) -> Mapping[str, str]:
    return {f.name: f.regex for f in group.fields if f.regex}


__all__ = [
    "FieldGuess",
    "NameGroup",
    "NameInference",
    "Token",
    "infer_group",
    "infer_names",
    "shape",
    "tokens",
]
