"""Write a commented YAML document in a stable layout: block mappings and sequences, flow
mappings for short rules, every string double-quoted (JSON escapes are YAML), numbers in a
form YAML 1.1 reads back exactly, comments before or after any entry. The same document
always gives the same bytes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from tpqc.init.values import yaml_number

Scalar: TypeAlias = str | int | float | bool | None
Value: TypeAlias = "Scalar | Block | Flow | Items"


@dataclass
class Entry:
    """``key: value  # comment``, optionally after comment lines of its own."""

    key: str
    value: Value
    comment: str | None = None
    before: tuple[str, ...] = ()


@dataclass
class Block:
    """A block mapping: one entry per line (nested blocks indented)."""

    entries: list[Entry] = field(default_factory=list)

    def add(
        self, key: str, value: Value, comment: str | None = None, before: Sequence[str] = ()
    ) -> Block:
        """Append an entry; returns self for chaining."""
        self.entries.append(Entry(key, value, comment, tuple(before)))
        return self

    def add_after(
        self, keys: Sequence[str], key: str, value: Value, comment: str | None = None
    ) -> None:
        """Put an entry after the last of ``keys`` the block has (else at its end)."""
        places = [i for i, entry in enumerate(self.entries) if entry.key in keys]
        at = places[-1] + 1 if places else len(self.entries)
        self.entries.insert(at, Entry(key, value, comment))


@dataclass
class Flow:
    """A flow mapping on one line: ``{min: 0, max: 10}``; values are scalars or flows."""

    items: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Items:
    """A block sequence of blocks (``- name: ...``) or a flow list of scalars."""

    values: Sequence[Block] | Sequence[Scalar]


def scalar(value: Scalar | list[Scalar]) -> str:
    """One scalar (or a flow list of scalars) as YAML text."""
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return yaml_number(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.:/+-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "nan", "inf"}


def _key(text: str) -> str:
    plain = text and all(c.isalnum() or c in "_-." for c in text) and not text[0].isdigit()
    return text if plain else json.dumps(text, ensure_ascii=False)


def _flow(flow: Flow) -> str:
    parts = []
    for key, value in flow.items:
        text = _flow(value) if isinstance(value, Flow) else scalar(value)
        parts.append(f"{_key(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


def _comment(text: str | None) -> str:
    return f"  # {' '.join(text.split())}" if text else ""


def _lines(block: Block, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for entry in block.entries:
        out += [f"{pad}# {' '.join(line.split())}" if line else f"{pad}#" for line in entry.before]
        head = f"{pad}{_key(entry.key)}:"
        value = entry.value
        if isinstance(value, Block):
            if not value.entries:
                out.append(f"{head} {{}}{_comment(entry.comment)}")
                continue
            out.append(head + _comment(entry.comment))
            out += _lines(value, indent + 2)
        elif isinstance(value, Items) and value.values and isinstance(value.values[0], Block):
            out.append(head + _comment(entry.comment))
            for item in value.values:
                assert isinstance(item, Block)
                inner = _lines(item, indent + 4)
                first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
                inner[first] = f"{pad}  - " + inner[first][indent + 4 :]
                out += inner
        elif isinstance(value, Items):
            scalars = [v for v in value.values if not isinstance(v, Block)]
            out.append(f"{head} {scalar(scalars)}{_comment(entry.comment)}")
        elif isinstance(value, Flow):
            out.append(f"{head} {_flow(value)}{_comment(entry.comment)}")
        else:
            out.append(f"{head} {scalar(value)}{_comment(entry.comment)}")
    return out


def render_yaml(document: Block, header: Sequence[str] = ()) -> str:
    """The document as YAML text, with header comment lines."""
    lines = [f"# {line}" if line else "#" for line in header]
    return "\n".join([*lines, *_lines(document, 0)]) + "\n"


__all__ = ["Block", "Entry", "Flow", "Items", "render_yaml", "scalar"]
