"""Python's cyclic garbage collector paused while a command starts (its libraries loaded, the
spec checked, the files listed and planned), then frozen and resumed as the files are read.

Nearly every object made at start lives until the process ends (modules, classes, the spec,
the plan), yet each collection of the oldest generation walks them all again, in the parent
and in every forked worker (where it also copies their pages). At the first read they are
moved to the permanent generation (:func:`gc.freeze`) and collection resumes for what comes
after: 30 ms of a 0.77 s run over 400 small files; about 2,000 objects of garbage made at
start stay frozen with them. Only tpqc's own process pauses (see :data:`ALLOWED`): frozen
objects are never collected, which a long-lived process that calls tpqc must not get."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

ALLOWED = False
"""Set by the console-script entry point: the process is tpqc's own and ends with it."""
_paused = False

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def paused_until_read() -> Iterator[None]:
    """Pause collection for the block, unless :func:`resume` (the first read) comes first;
    nothing when not :data:`ALLOWED` or when collection is already off."""
    global _paused
    if not ALLOWED or not gc.isenabled():
        yield
        return
    gc.disable()
    _paused = True
    try:
        yield
    finally:
        resume()


def resume() -> None:
    """Freeze what the start made and collect again (once; nothing when not paused)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def pause_while_starting(command: Callable[P, R]) -> Callable[P, R]:
    """A command run with collection paused until its first read (:func:`paused_until_read`)."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused_until_read():
            return command(*args, **kwargs)

    return run
