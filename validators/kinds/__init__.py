"""The file kinds tpqc knows, one package each (:mod:`.geotiff`, :mod:`.netcdf`,
:mod:`.table`), and the registry every other part asks instead of naming a kind.

A kind is a :class:`~tpqc.validators.kinds.base.FileKind` in a package of its own, added here
with one :func:`register_kind` line; see ``ARCHITECTURE.md`` for the steps.
"""

from __future__ import annotations

from tpqc.validators.kinds.base import (
    FileKind,
    Interval,
    ReadOptions,
    kind_claiming,
    load_facts_types,
    register_kind,
    registered_kinds,
    resolve,
)
from tpqc.validators.kinds.geotiff import GeoTiffKind
from tpqc.validators.kinds.netcdf import NetcdfKind
from tpqc.validators.kinds.table import TableKind

register_kind(GeoTiffKind())
register_kind(TableKind())
register_kind(NetcdfKind())

__all__ = [
    "FileKind",
    "Interval",
    "ReadOptions",
    "kind_claiming",
    "load_facts_types",
    "register_kind",
    "registered_kinds",
    "resolve",
]
