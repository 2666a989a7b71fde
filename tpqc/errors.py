"""The public home of tpqc's errors (defined in :mod:`tpqc.schemas.errors`, the bottom layer,
so that every layer can raise them without importing the command-line door)."""

from __future__ import annotations

from tpqc.schemas.errors import SpecError, TpqcError, UsageError

__all__ = ["SpecError", "TpqcError", "UsageError"]
