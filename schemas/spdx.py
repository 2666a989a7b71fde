"""SPDX licence expressions: the full SPDX License List (from the maintained
``license-expression`` package, offline), expressions such as ``CC-BY-4.0 OR MIT``, and the
closest valid expression for almost-ids such as "CC BY 4.0"."""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

_REF = re.compile(r"^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
_TOKENS = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS = ("AND", "OR", "WITH")


@cache
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@cache
def spdx_ids() -> dict[str, str]:
    """Every SPDX licence and exception id, by its upper-case spelling."""
    keys: dict[str, str] = {}
    for symbol in _licensing().known_symbols.values():
        for name in (symbol.key, *getattr(symbol, "aliases", ())):
            if isinstance(name, str) and not name.startswith("LicenseRef-"):
                keys.setdefault(name.upper(), name)
    return keys


def _spelled(token: str) -> str | None:
    """The SPDX spelling of one id token, or None."""
    if _REF.match(token):
        return token
    return spdx_ids().get(token.upper())


def _structure_ok(tokens: list[str]) -> bool:
    """True when ids and operators alternate and parentheses balance."""
    depth, expect_id = 0, True
    for token in tokens:
        if token == "(":
            if not expect_id:
                return False
            depth += 1
        elif token == ")":
            if expect_id or depth == 0:
                return False
            depth -= 1
        elif token.upper() in _OPERATORS:
            if expect_id:
                return False
            expect_id = True
        else:
            if not expect_id:
                return False
            expect_id = False
    return depth == 0 and not expect_id


def normalize_expression(text: str) -> str | None:
    """The SPDX expression a text spells, with ids and operators in their canonical spelling
    (``cc-by-4.0 or mit`` → ``CC-BY-4.0 OR MIT``), or None when it is not one."""
    tokens = _TOKENS.findall(text.strip())
    if not tokens or not _structure_ok(tokens):
        return None
    out: list[str] = []
    for token in tokens:
        if token in "()":
            out.append(token)
        elif token.upper() in _OPERATORS:
            out.append(token.upper())
        else:
            spelled = _spelled(token)
            if spelled is None:
                return None
            out.append(spelled)
    return re.sub(r"\( ", "(", re.sub(r" \)", ")", " ".join(out)))


def is_spdx(text: str) -> bool:
    """True for a valid SPDX licence expression written exactly (ids in their SPDX spelling,
    operators in capitals), e.g. ``CC-BY-4.0``, ``CC-BY-4.0 OR MIT``, ``LicenseRef-TPDC``."""
    return normalize_expression(text) == text.strip()


def licence_ids(text: str) -> list[str]:
    """The licence ids an expression names, in order (exceptions after WITH left out)."""
    tokens = _TOKENS.findall(text)
    out, after_with = [], False
    for token in tokens:
        if token.upper() == "WITH":
            after_with = True
        elif token in "()" or token.upper() in _OPERATORS:
            continue
        elif after_with:
            after_with = False
        else:
            out.append(_spelled(token) or token)
    return out


def closest_spdx(text: str) -> str | None:
    """The SPDX expression a near-miss most likely means: "CC BY 4.0" → CC-BY-4.0,
    "cc-by-4.0 or mit" → CC-BY-4.0 OR MIT; None when nothing is close."""
    normalized = normalize_expression(text)
    if normalized is not None:
        return normalized
    dashed = re.sub(r"[\s_]+", "-", text.strip()).replace("--", "-")
    dashed = re.sub(r"(?i)^(cc)-?(by)", r"\1-\2", dashed)
    ids = spdx_ids()
    if dashed.upper() in ids:
        return ids[dashed.upper()]
    if dashed.upper().startswith("CC-BY") and not re.search(r"\d", dashed):
        return None  # "CC BY" without a version: guessing one would be an invention
    close = difflib.get_close_matches(dashed.upper(), list(ids), n=1, cutoff=0.8)
    return ids[close[0]] if close else None
