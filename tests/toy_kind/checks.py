"""The toy kind's checks (code letter X, never used by tpqc itself)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from toy_kind.reader import NoteFacts
from tpqc.validators.findings import Issue, Location
from tpqc.validators.registry import Scope, check


@dataclass(frozen=True)
class NoteContext:
    """A note's facts and the least number of lines its product wants."""

    facts: NoteFacts
    min_lines: int


NOTE_FILE = Scope[NoteContext]("note-file")


@check("X901", "note-too-short", scope=NOTE_FILE)
def note_too_short(ctx: NoteContext) -> Iterator[Issue]:
    """A toy note has fewer lines than its product wants."""
    if ctx.facts.readable and ctx.facts.lines < ctx.min_lines:
        yield Issue(
            "the note is too short",
            Location(path=ctx.facts.path),
            expected=ctx.min_lines,
            actual=ctx.facts.lines,
        )
