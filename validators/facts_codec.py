"""Facts as plain JSON, and back, exactly: for the facts cache and for shard outputs.

The format cannot run code (unlike a pickle): a document names its facts class among the
registered subclasses of :class:`FileFacts` and holds only JSON values; everything else is
rebuilt from the dataclasses' own type hints. Non-finite floats (NaN nodata, infinity) and
bytes (quicklook images) are tagged, so a round trip gives facts equal to the originals.
Anything that does not fit is a :class:`FactsFormatError`, never a crash.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, Union

from tpqc.validators.facts import FileFacts

FORMAT = 1


class FactsFormatError(ValueError):
    """A document that is not facts this version of tpqc wrote."""


def _facts_classes() -> dict[str, type[FileFacts]]:
    found: dict[str, type[FileFacts]] = {}
    pending = list(FileFacts.__subclasses__())
    while pending:
        cls = pending.pop()
        found[f"{cls.__module__}.{cls.__qualname__}"] = cls
        pending.extend(cls.__subclasses__())
    return found


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if hasattr(value, "item"):  # a numpy scalar
        return _encode(value.item())
    return value


def encode_facts(facts: FileFacts) -> dict[str, Any]:
    """A JSON-ready document of one file's facts."""
    kind = type(facts)
    return {
        "format": FORMAT,
        "type": f"{kind.__module__}.{kind.__qualname__}",
        "facts": _encode(facts),
    }


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _tagged(raw: Any) -> Any:
    if isinstance(raw, dict) and len(raw) == 1:
        if "$float" in raw:
            return float(raw["$float"])
        if "$bytes" in raw:
            return base64.b64decode(raw["$bytes"], validate=True)
    return raw


def _decode(hint: Any, raw: Any) -> Any:
    raw = _tagged(raw)
    origin = typing.get_origin(hint)
    if hint is Any:
        return _plain(raw)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if raw is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, raw)
            except (FactsFormatError, TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise FactsFormatError(f"no type of {hint} fits {raw!r:.80}: {errors}")
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(raw, dict):
            raise FactsFormatError(f"{hint.__name__} needs an object")
        hints = _hints(hint)
        names = {f.name for f in dataclasses.fields(hint)}
        if set(raw) - names:
            raise FactsFormatError(f"{hint.__name__} has no fields {sorted(set(raw) - names)}")
        return hint(**{k: _decode(hints[k], v) for k, v in raw.items()})
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(raw, list):
            raise FactsFormatError(f"{hint} needs a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in raw)
        if len(args) != len(raw):
            raise FactsFormatError(f"{hint} needs {len(args)} items")
        return tuple(_decode(a, v) for a, v in zip(args, raw, strict=True))
    if origin in (list,):
        (item,) = typing.get_args(hint)
        if not isinstance(raw, list):
            raise FactsFormatError(f"{hint} needs a list")
        return [_decode(item, v) for v in raw]
    if origin in (dict, Mapping, typing.Mapping) or hint in (dict, Mapping):
        if not isinstance(raw, dict):
            raise FactsFormatError(f"{hint} needs an object")
        args = typing.get_args(hint) or (str, Any)
        return {str(k): _decode(args[1], v) for k, v in raw.items()}
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise FactsFormatError(f"{raw!r:.40} is not a number")
        return float(raw)
    if hint in (int, str, bool, bytes):
        if type(raw) is not hint:
            raise FactsFormatError(f"{raw!r:.40} is not {hint.__name__}")
        return raw
    if hint is type(None):
        if raw is not None:
            raise FactsFormatError("expected null")
        return None
    raise FactsFormatError(f"cannot decode {hint}")


def _plain(raw: Any) -> Any:
    raw = _tagged(raw)
    if isinstance(raw, dict):
        return {k: _plain(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_plain(v) for v in raw]
    return raw


def decode_facts(document: Any) -> FileFacts:
    """The facts a document of :func:`encode_facts` holds; FactsFormatError otherwise."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FactsFormatError("not a facts document of this format")
    cls = _facts_classes().get(str(document.get("type")))
    if cls is None:
        raise FactsFormatError(f"unknown facts type {document.get('type')!r:.80}")
    facts = _decode(cls, document.get("facts"))
    if not isinstance(facts, cls):
        raise FactsFormatError("not facts")
    return facts
