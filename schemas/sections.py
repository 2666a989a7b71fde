"""The spec's product sections (``rasters``, ``tables`` ...): each names the typed product
model its entries are read into, its description, and the checks its entries need beyond
their JSON Schema. The built-in sections are part of the shipped ``dataset-spec.schema.json``;
a file kind can register a section of its own, whose schema is generated from its model
when a spec is read (an editor's schema lists the built-in ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tpqc.schemas.spec_model import FieldRule, Temporal

PathKey = tuple[str | int, ...]


class Product(Protocol):
    """What every product has, whatever its section: a name, a filename pattern with its
    field rules, a description and (optionally) a temporal coverage of its own."""

    @property
    def name(self) -> str: ...
    @property
    def pattern(self) -> str: ...
    @property
    def fields(self) -> Mapping[str, FieldRule]: ...
    @property
    def description(self) -> str | None: ...
    @property
    def temporal(self) -> Temporal | None: ...


class Problems(Protocol):
    """Where a section's checks report a problem, located by YAML path."""

    def add(self, key: PathKey, text: str) -> None: ...


SectionCheck = Callable[[Problems, PathKey, Mapping[str, Any]], None]


@dataclass(frozen=True)
class Section:
    """One product section of the spec."""

    name: str
    model: type
    """The product's pydantic dataclass (with name, pattern, fields, description)."""
    description: str
    check: SectionCheck | None = None
    """Checks of one entry the JSON Schema cannot express (CRS strings, steps ...)."""
    builtin: bool = False
    """Part of the shipped JSON Schema (and of the typed spec document)."""


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace) a product section."""
    _SECTIONS[section.name] = section


def registered_sections() -> Mapping[str, Section]:
    """Every product section by name, in the order registered."""
    return dict(_SECTIONS)


__all__ = [
    "PathKey",
    "Problems",
    "Product",
    "Section",
    "SectionCheck",
    "register_section",
    "registered_sections",
]
