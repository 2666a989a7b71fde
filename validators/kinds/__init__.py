"""The file kinds tpqc knows, one package each (:mod:`.geotiff`, :mod:`.netcdf`,
:mod:`.table`), and the registry every other part asks instead of naming a kind.

A kind is a :class:`~tpqc.validators.kinds.base.FileKind` in a package of its own, added here
with one :func:`register_kind` line; see ``ARCHITECTURE.md`` for the steps.
"""

from __future__ import annotations

from tpqc.validators.kinds.base import DataFile as DataFile
from tpqc.validators.kinds.base import FileKind as FileKind
from tpqc.validators.kinds.base import Interval as Interval
from tpqc.validators.kinds.base import ReadOptions as ReadOptions
from tpqc.validators.kinds.base import kind_claiming as kind_claiming
from tpqc.validators.kinds.base import load_facts_types as load_facts_types
from tpqc.validators.kinds.base import narrow as narrow
from tpqc.validators.kinds.base import register_kind as register_kind
from tpqc.validators.kinds.base import registered_kinds as registered_kinds
from tpqc.validators.kinds.base import resolve as resolve
from tpqc.validators.kinds.geotiff import GeoTiffKind
from tpqc.validators.kinds.netcdf import NetcdfKind
from tpqc.validators.kinds.table import TableKind

register_kind(GeoTiffKind())
register_kind(TableKind())
register_kind(NetcdfKind())
