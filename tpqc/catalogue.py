"""Every check tpqc has: the door loads the check modules of every layer, so the registry
itself imports none of them (no import cycles) and `tpqc checks`, --select and --ignore see
all of them."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from tpqc.validators.registry import CheckInfo, Selection, registered_checks


@cache
def all_checks() -> tuple[CheckInfo, ...]:
    """Every registered check, ordered by code."""
    import tpqc.stac.checks
    import tpqc.validators.doi_online
    import tpqc.validators.filename
    import tpqc.validators.metadata
    import tpqc.validators.netcdf
    import tpqc.validators.raster
    import tpqc.validators.series
    import tpqc.validators.tables
    import tpqc.validators.time_axis
    import tpqc.validators.waivers  # noqa: F401

    return tuple(registered_checks())


def selection(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Selection:
    """A selection of checks from --select/--ignore tokens (codes, names or code prefixes)."""
    select, ignore = list(select), list(ignore)
    if not select and not ignore:
        return Selection()  # every check: nothing to resolve, no check module to load yet
    return Selection.from_tokens(select, ignore, checks=all_checks())
