"""Erosion's link storage: SQLite instead of the tutorial's shelve.

Several worker processes (gunicorn ``-w 2``) can share one database file:
every change runs in its own ``BEGIN IMMEDIATE`` transaction (one writer at
a time, others wait up to ``timeout`` seconds), the file is in WAL mode so
readers never block the writer, and the alias is the table's primary key, so
two submissions can never both claim one alias. Rows are never deleted:
an expired alias stays taken, as the tutorial promises.

A link entry is a dict with the tutorial's keys (``target``, ``alias``,
``expires``, ``max_count``, ``count``) plus ``created`` and ``expired``.
``expires`` is a UNIX time, or 0 for "never"; ``max_count`` 0 means no
click limit.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

__all__ = ["FIRST_ID", "AliasTakenError", "LinkDB", "encode_id"]

#: Generated aliases count up from here, as in the tutorial's shelve version.
FIRST_ID = 41660
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    alias TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL DEFAULT 0,
    max_count INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class AliasTakenError(ValueError):
    """The alias is already recorded (live or expired); aliases are never reused."""

    def __init__(self, alias: str) -> None:
        super().__init__(f"the alias {alias!r} is already taken; choose another one or leave it empty")
        #: The alias that was asked for.
        self.alias = alias


def encode_id(number: int) -> str:
    """Spell a non-negative integer in base 36 (``41661`` -> ``'w59'``)."""
    if number < 0:
        raise ValueError(f"link ids are non-negative, got {number}")
    digits = []
    while True:
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
        if number == 0:
            return "".join(reversed(digits))


def _entry(row: sqlite3.Row, now: float) -> dict[str, Any]:
    entry = dict(row)
    entry["expired"] = bool(
        (entry["expires"] and entry["expires"] <= now) or (entry["max_count"] and entry["count"] >= entry["max_count"])
    )
    return entry


class LinkDB:
    """Shortened links in one SQLite file.

    Args:
        db_path: The database file; created with its tables when missing.
        timeout: Seconds a writer waits for another process's transaction.
    """

    def __init__(self, db_path: str, timeout: float = 15.0) -> None:
        self.db_path = db_path
        self.timeout = timeout
        # Worker processes that start together set up a new file at the same moment. Switching
        # it to WAL takes a lock that SQLite's busy timeout does not wait for: try again, in time.
        deadline = time.monotonic() + timeout
        while True:
            try:
                with closing(self._connect()) as conn:
                    # WAL is a property of the file: set once, kept by every later connection.
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.executescript(_SCHEMA)
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def __repr__(self) -> str:
        return f"LinkDB({self.db_path!r})"

    def _connect(self) -> sqlite3.Connection:
        # One short-lived connection per operation: nothing is shared across
        # threads, and nothing is inherited by worker processes at fork.
        conn = sqlite3.connect(self.db_path, timeout=self.timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def add_link(
        self, target_url: str, alias: str | None = None, expiry_time: float = 0, max_count: int = 0
    ) -> dict[str, Any]:
        """Record a link and return its entry.

        Args:
            target_url: Where the alias redirects to.
            alias: The short name; ``None`` or ``""`` generates the next free one.
            expiry_time: Seconds until the link expires; 0 for never.
            max_count: Clicks until the link expires; 0 for no limit.

        Raises:
            AliasTakenError: *alias* is already recorded (even if expired).
        """
        now = time.time()
        expires = now + expiry_time if expiry_time > 0 else 0
        with self._transaction() as conn:
            if alias:
                if conn.execute("SELECT 1 FROM links WHERE alias = ?", (alias,)).fetchone():
                    raise AliasTakenError(alias)
            else:
                alias = self._next_alias(conn)
            conn.execute(
                "INSERT INTO links (alias, target, created, expires, max_count, count) VALUES (?, ?, ?, ?, ?, 0)",
                (alias, target_url, now, expires, max_count),
            )
            row = conn.execute("SELECT * FROM links WHERE alias = ?", (alias,)).fetchone()
        return _entry(row, now)

    def _next_alias(self, conn: sqlite3.Connection) -> str:
        # Runs inside the caller's write transaction, so two processes never
        # hand out the same number; aliases someone chose by hand are skipped.
        row = conn.execute("SELECT value FROM settings WHERE key = 'last_id'").fetchone()
        last_id = int(row["value"]) if row else FIRST_ID
        while True:
            last_id += 1
            alias = encode_id(last_id)
            if not conn.execute("SELECT 1 FROM links WHERE alias = ?", (alias,)).fetchone():
                break
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('last_id', ?)", (str(last_id),))
        return alias

    def get_links(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Return recorded links, newest first (at most *limit* of them)."""
        now = time.time()
        query = "SELECT * FROM links ORDER BY created DESC, rowid DESC"
        params: tuple[int, ...] = ()
        if limit is not None:
            query += " LIMIT ?"
            params = (limit,)
        with closing(self._connect()) as conn:
            return [_entry(row, now) for row in conn.execute(query, params)]

    def get_link(self, alias: str) -> dict[str, Any] | None:
        """Return the entry recorded as *alias*, or None."""
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT * FROM links WHERE alias = ?", (alias,)).fetchone()
        return None if row is None else _entry(row, time.time())

    def use_link(self, alias: str) -> dict[str, Any] | None:
        """Count one click on *alias* and return its entry, or None when unknown.

        An expired entry comes back with ``expired`` set and its count unchanged.
        """
        now = time.time()
        with self._transaction() as conn:
            row = conn.execute("SELECT * FROM links WHERE alias = ?", (alias,)).fetchone()
            if row is None:
                return None
            entry = _entry(row, now)
            if entry["expired"]:
                return entry
            conn.execute("UPDATE links SET count = count + 1 WHERE alias = ?", (alias,))
            row = conn.execute("SELECT * FROM links WHERE alias = ?", (alias,)).fetchone()
        # The click that used up the last count still goes through.
        entry = dict(row)
        entry["expired"] = False
        return entry

    def secret(self) -> str:
        """Return this database's signing secret, created on first use.

        Every worker process reads the same value, so a cookie signed by one
        worker is accepted by the others, and by the next server run.
        """
        with self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('secret', ?)", (secrets.token_hex(32),))
            row = conn.execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()
        return str(row["value"])
