"""Facts as plain JSON, and back, exactly: for the facts cache and for shard outputs.

The format cannot run code (unlike a pickle): a document names its facts class among the
registered subclasses of :class:`FileFacts` and holds only JSON values; everything else is
rebuilt from the dataclasses' own type hints, by decoders built once per type. Non-finite
floats (NaN nodata, infinity) and bytes (quicklook images) are tagged, so a round trip gives
facts equal to the originals. Anything that does not fit is a :class:`FactsFormatError`.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Union

from tpqc.validators.engine.facts import FileFacts

FORMAT = 1
_SCALARS = (str, int, bool, type(None))
Decoder = Callable[[Any], Any]


class FactsFormatError(ValueError):
    """A document that is not facts this version of tpqc wrote."""


def _facts_classes() -> dict[str, type[FileFacts]]:
    found: dict[str, type[FileFacts]] = {}
    pending = list(FileFacts.__subclasses__())
    while pending:
        cls = pending.pop()
        # A slotted dataclass is a new class: the one it replaced may linger among the
        # subclasses until collected. The module's own name for it is the class in use.
        current = getattr(sys.modules.get(cls.__module__), cls.__qualname__, None)
        if current is cls or not isinstance(current, type):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
        pending.extend(cls.__subclasses__())
    return found


_FIELDS: dict[type, tuple[dataclasses.Field[Any], ...]] = {}
_DECODERS: dict[object, Decoder] = {}


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = dataclasses.fields(cls)
    return known


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if kind is float:
        if math.isfinite(value):
            return value
        return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if kind in (list, tuple):
        if all(type(v) in _SCALARS for v in value):  # histogram buckets, headers: as they are
            return list(value)
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in _fields(kind)}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, float):  # a numpy float
        return _encode(float(value))
    if hasattr(value, "item"):  # another numpy scalar
        return _encode(value.item())
    raise TypeError(f"facts cannot hold {kind.__name__}")


def encode_facts(facts: FileFacts) -> dict[str, Any]:
    """A JSON-ready document of one file's facts."""
    kind = type(facts)
    return {
        "format": FORMAT,
        "type": f"{kind.__module__}.{kind.__qualname__}",
        "facts": _encode(facts),
    }


def _tagged(raw: Any) -> Any:
    if type(raw) is dict and len(raw) == 1:
        if "$float" in raw:
            return float(raw["$float"])
        if "$bytes" in raw:
            return base64.b64decode(raw["$bytes"], validate=True)
    return raw


def _plain(raw: Any) -> Any:
    kind = type(raw)
    if kind is dict:
        tagged = _tagged(raw)
        if tagged is not raw:
            return tagged
        return {k: _plain(v) for k, v in raw.items()}
    if kind is list:
        if all(type(v) in _SCALARS or type(v) is float for v in raw):
            return raw
        return [_plain(v) for v in raw]
    return raw


def _list(raw: Any, hint: Any) -> list[Any]:
    if type(raw) is not list:
        raise FactsFormatError(f"{hint} needs a list")
    return raw


def _float(raw: Any) -> float:
    raw = _tagged(raw)
    if type(raw) not in (int, float):
        raise FactsFormatError(f"{raw!r:.40} is not a number")
    return float(raw)


def _none(raw: Any) -> None:
    if raw is not None:
        raise FactsFormatError("expected null")


def _exactly(kind: type) -> Decoder:
    def decode(raw: Any) -> Any:
        raw = _tagged(raw)
        if type(raw) is not kind:
            raise FactsFormatError(f"{raw!r:.40} is not {kind.__name__}")
        return raw

    return decode


def _union_decoder(hint: Any) -> Decoder:
    options = [o for o in typing.get_args(hint) if o is not type(None)]
    optional = len(options) < len(typing.get_args(hint))
    decoders = [_decoder(o) for o in options]

    def decode(raw: Any) -> Any:
        if raw is None and optional:
            return None
        for decoder in decoders:
            try:
                return decoder(raw)
            except (FactsFormatError, TypeError, ValueError):
                continue
        raise FactsFormatError(f"no type of {hint} fits {raw!r:.80}")

    return decode


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls) if f.init}

    def decode(raw: Any) -> Any:
        if type(raw) is not dict:
            raise FactsFormatError(f"{cls.__name__} needs an object")
        try:
            return cls(**{k: fields[k](v) for k, v in raw.items()})
        except KeyError as exc:
            raise FactsFormatError(f"{cls.__name__} has no field {exc}") from None

    return decode


def _enum_decoder(kind: type[enum.Enum]) -> Decoder:
    def decode(raw: Any) -> Any:
        try:
            return kind(raw)
        except ValueError:
            raise FactsFormatError(f"{raw!r:.40} is not a {kind.__name__}") from None

    return decode


def _tuple_decoder(hint: Any) -> Decoder:
    args = typing.get_args(hint)
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda raw: tuple(item(v) for v in _list(raw, hint))
    items = [_decoder(a) for a in args]

    def fixed(raw: Any) -> tuple[Any, ...]:
        values = _list(raw, hint)
        if len(values) != len(items):
            raise FactsFormatError(f"{hint} needs {len(items)} items")
        return tuple(d(v) for d, v in zip(items, values, strict=True))

    return fixed


def _mapping_decoder(hint: Any) -> Decoder:
    args = typing.get_args(hint) or (str, Any)
    value = _decoder(args[1])

    def mapping(raw: Any) -> dict[str, Any]:
        if type(raw) is not dict:
            raise FactsFormatError(f"{hint} needs an object")
        return {str(k): value(v) for k, v in raw.items()}

    return mapping


def _decoder(hint: Any) -> Decoder:
    """A function turning JSON into a value of ``hint``, built once per type."""
    known = _DECODERS.get(hint)
    if known is None:
        known = _DECODERS[hint] = _build_decoder(hint)
    return known


def _build_decoder(hint: Any) -> Decoder:
    origin = typing.get_origin(hint)
    if hint is Any:
        return _plain
    if origin in (Union, types.UnionType):
        return _union_decoder(hint)
    if origin is typing.Literal:
        allowed = typing.get_args(hint)

        def literal(raw: Any) -> Any:
            if raw not in allowed or type(raw) not in {type(a) for a in allowed}:
                raise FactsFormatError(f"{raw!r:.40} is not one of {allowed}")
            return raw

        return literal
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_decoder(hint)
    if origin is tuple:
        return _tuple_decoder(hint)
    if origin is list:
        item = _decoder(typing.get_args(hint)[0])
        return lambda raw: [item(v) for v in _list(raw, hint)]
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        return _mapping_decoder(hint)
    if hint is float:
        return _float
    if hint in (int, str, bool, bytes):
        return _exactly(hint)
    if hint is type(None):
        return _none
    raise FactsFormatError(f"cannot decode {hint}")


def decode_facts(document: Any) -> FileFacts:
    """The facts a document of :func:`encode_facts` holds; FactsFormatError otherwise."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FactsFormatError("not a facts document of this format")
    cls = _facts_classes().get(str(document.get("type")))
    if cls is None:
        raise FactsFormatError(f"unknown facts type {document.get('type')!r:.80}")
    try:
        facts = _decoder(cls)(document.get("facts"))
    except (TypeError, ValueError, RecursionError) as exc:
        raise FactsFormatError(str(exc)) from exc
    if not isinstance(facts, cls):
        raise FactsFormatError("not facts")
    return facts


def encode_value(value: Any) -> Any:
    """Any value facts may hold (dataclasses, tuples, mappings, numbers) as JSON values."""
    return _encode(value)


def decode_value(hint: Any, raw: Any) -> Any:
    """A value of the type ``hint`` from what :func:`encode_value` wrote; FactsFormatError
    when it does not fit."""
    try:
        return _decoder(hint)(raw)
    except (TypeError, ValueError, RecursionError) as exc:
        if isinstance(exc, FactsFormatError):
            raise
        raise FactsFormatError(str(exc)) from exc
