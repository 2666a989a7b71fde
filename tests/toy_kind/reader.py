"""The toy kind's facts and its one read: how many lines a ``.note`` file has."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tpqc.validators.engine.facts import FileFacts, ReadJob


@dataclass(frozen=True)
class NoteFacts(FileFacts):
    """What one read of a ``.note`` file found."""

    lines: int = 0
    error: str | None = None

    @property
    def readable(self) -> bool:
        """True when the note could be read as UTF-8 text."""
        return self.error is None


@dataclass(frozen=True)
class NoteJob(ReadJob):
    """Read a note once: its size, checksum and line count."""

    def read(self, root: str, relative: str) -> NoteFacts:
        import hashlib

        data = (Path(root) / relative).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return NoteFacts(relative, len(data), digest, error=str(exc))
        return NoteFacts(relative, len(data), digest, lines=text.count("\n"))
