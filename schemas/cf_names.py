"""The CF standard-name table, offline: the copy the maintained ``compliance-checker``
package ships (``compliance_checker/data/cf-standard-name-table.xml``), read once with the
standard library. A name is valid as written in the table, as one of its aliases (which the
table maps to the current name), or followed by one of CF's standard-name modifiers."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

MODIFIERS = (
    "detection_minimum",
    "number_of_observations",
    "standard_error",
    "status_flag",
)
"""CF Appendix C: a standard name may be followed by one of these."""


@dataclass(frozen=True)
class StandardNames:
    """The names of one version of the table, with the units each is canonically in."""

    version: str
    units: dict[str, str]
    aliases: dict[str, str]
    """Former names and the name each now goes by."""

    def lookup(self, text: str) -> tuple[str | None, str | None]:
        """(the current name, the alias it was written as) for a valid name, else
        (None, None). Modifiers are allowed after the name."""
        words = text.strip().split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in MODIFIERS):
            return None, None
        name = words[0]
        if name in self.units:
            return name, None
        if name in self.aliases:
            return self.aliases[name], name
        return None, None

    def closest(self, text: str) -> str | None:
        """The table's name closest to a misspelt one."""
        found = difflib.get_close_matches(text.strip(), list(self.units), n=1, cutoff=0.75)
        return found[0] if found else None


@cache
def standard_names() -> StandardNames:
    """The table shipped with compliance-checker (raises ImportError when it is absent)."""
    import xml.etree.ElementTree as ET
    from importlib import resources

    path = resources.files("compliance_checker").joinpath("data/cf-standard-name-table.xml")
    root = ET.fromstring(path.read_bytes())
    units = {
        str(entry.get("id")): (entry.findtext("canonical_units") or "").strip()
        for entry in root.iter("entry")
    }
    aliases = {
        str(alias.get("id")): (alias.findtext("entry_id") or "").strip()
        for alias in root.iter("alias")
    }
    return StandardNames(root.findtext("version_number") or "?", units, aliases)


__all__ = ["MODIFIERS", "StandardNames", "standard_names"]
