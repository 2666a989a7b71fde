"""The first value given for each key, in memory up to some keys and past that in an
unnamed temporary SQLite database: what a walk over a million documents remembers (the
paths it has read, the first document of each id) without a million strings in memory."""

from __future__ import annotations

import sqlite3

HELD_KEYS = 50_000
"""Keys held in a dict; past this, every key goes to the database."""


class Firsts:
    """The first value given for each key (``str`` or ``bytes`` keys, ``str`` values)."""

    def __init__(self, held: int | None = None) -> None:
        self._held_limit = HELD_KEYS if held is None else max(0, held)
        self._held: dict[str | bytes, str] = {}
        self._database: sqlite3.Connection | None = None

    @property
    def on_disk(self) -> bool:
        """True once the keys live in the database."""
        return self._database is not None

    def first(self, key: str | bytes, value: str) -> str | None:
        """None when ``key`` is new (``value`` is remembered as its first), else the value
        it was first given."""
        if self._database is None:
            earlier = self._held.get(key)
            if earlier is not None:
                return earlier
            self._held[key] = value
            if len(self._held) > self._held_limit:
                self._spill()
            return None
        cursor = self._database.execute("INSERT OR IGNORE INTO firsts VALUES (?, ?)", (key, value))
        if cursor.rowcount:
            return None
        (earlier,) = self._database.execute(
            "SELECT value FROM firsts WHERE key = ?", (key,)
        ).fetchone()
        return str(earlier)

    def _spill(self) -> None:
        # "": a private database in a temporary file, deleted when it is closed; no journal
        # and no syncing (it never outlives the run, nothing to recover)
        database = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        database.execute("PRAGMA journal_mode = OFF")
        database.execute("PRAGMA synchronous = OFF")
        database.execute("PRAGMA cache_size = -16384")  # 16 MB of pages in memory
        database.execute("CREATE TABLE firsts (key PRIMARY KEY, value TEXT) WITHOUT ROWID")
        database.execute("BEGIN")
        database.executemany("INSERT INTO firsts VALUES (?, ?)", self._held.items())
        self._database, self._held = database, {}

    def __len__(self) -> int:
        if self._database is None:
            return len(self._held)
        (count,) = self._database.execute("SELECT count(*) FROM firsts").fetchone()
        return int(count)

    def close(self) -> None:
        """Let the database go (the keys are forgotten)."""
        if self._database is not None:
            self._database.close()
        self._database, self._held = None, {}
