"""Every check tpqc has. The checks of each file kind come from the modules its registration
names (``FileKind.check_modules``); the checks of the dataset, the file names, the waivers
and the STAC documents are the core modules listed here, once. The door loads them all, so
the registry itself imports no check module (no import cycles), and `tpqc checks`,
``--select``, ``--ignore`` and the warming beside the read see every one of them."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from tpqc.validators.kinds import FileKind, registered_kinds
from tpqc.validators.registry import CheckInfo, Selection, registered_checks

CORE_CHECK_MODULES = (
    "tpqc.validators.filename",
    "tpqc.validators.waivers",
    "tpqc.validators.dataset.series",
    "tpqc.validators.dataset.time_axis",
    "tpqc.validators.dataset.metadata",
    "tpqc.validators.dataset.doi_online",
    "tpqc.stac.checks",
)
"""The check modules that belong to no file kind."""


JUDGING_CORE_MODULES = (
    "tpqc.validators.filename",
    "tpqc.validators.waivers",
    "tpqc.validators.dataset.series",
    "tpqc.validators.dataset.time_axis",
    "tpqc.validators.dataset.metadata",
)
"""The core check modules every judgement runs (the online checks load when asked for;
the STAC documents' checks belong to check-stac)."""


def load_judging_checks(kinds: Iterable[FileKind]) -> None:
    """Load the check modules judging files of these kinds runs: theirs and the dataset's.
    Every check of a kind has its kind's own scope, so a kind absent from the run has no
    check to run; its modules (and what they import: pandas readers, netCDF4, jsonschema)
    are not loaded for nothing."""
    modules = [*JUDGING_CORE_MODULES, *(m for kind in kinds for m in kind.check_modules)]
    for module in dict.fromkeys(modules):
        importlib.import_module(module)


def check_modules() -> tuple[str, ...]:
    """Every module that registers checks: the core ones, then each kind's, once each."""
    modules = list(CORE_CHECK_MODULES)
    for kind in registered_kinds().values():
        modules += [m for m in kind.check_modules if m not in modules]
    return tuple(modules)


@cache
def _loaded(modules: tuple[str, ...]) -> tuple[CheckInfo, ...]:
    for module in modules:
        importlib.import_module(module)
    return tuple(registered_checks())


def all_checks() -> tuple[CheckInfo, ...]:
    """Every registered check, ordered by code (the modules of kinds registered since the
    last call are loaded too)."""
    return _loaded(check_modules())


def selection(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Selection:
    """A selection of checks from --select/--ignore tokens (codes, names or code prefixes)."""
    select, ignore = list(select), list(ignore)
    if not select and not ignore:
        return Selection()  # every check: nothing to resolve, no check module to load yet
    return Selection.from_tokens(select, ignore, checks=all_checks())
