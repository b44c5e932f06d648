"""Where buckets live: in this process's memory, or in a SQLite file shared by processes.

Both stores follow :class:`BucketStore`; write your own (Redis, say) by
implementing its four methods.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

from clastic_ratelimit.bucket import Bucket, RateLimitDecision, take_tokens

__all__ = ["TABLE", "BucketStore", "MemoryStore", "SQLiteStore"]

logger = logging.getLogger(__name__)

#: The SQLite table :class:`SQLiteStore` keeps buckets in.
TABLE = "clastic_ratelimit_buckets"


@runtime_checkable
class BucketStore(Protocol):
    """Storage for token buckets, keyed by ``(scope, key)``.

    ``take`` must be atomic: two concurrent requests from one client may
    never both spend the same token.
    """

    def take(self, scope: str, key: str, *, now: float, rate: float, burst: float, cost: float) -> RateLimitDecision:
        """Take *cost* tokens from the bucket of *key* in *scope*, or refuse."""

    def buckets(self, scope: str | None = None) -> list[Bucket]:
        """Return the stored buckets (of *scope*, or all), emptiest first."""

    def reset(self, scope: str, keys: Iterable[str] | None = None) -> int:
        """Refill the buckets of *keys* in *scope* (all of the scope when None); return how many."""

    def prune(self, now: float) -> int:
        """Forget buckets that are full at *now*; return how many."""


class MemoryStore:
    """Buckets in a dict guarded by a lock: one process, any number of threads.

    Each process running the application counts on its own, so with N
    worker processes a client gets up to N times the limit; use
    :class:`SQLiteStore` to share counts.

    Args:
        max_buckets: How many clients to remember. Past it, full buckets are
            dropped first, then those closest to full (a warning is logged).
    """

    def __init__(self, max_buckets: int = 100_000) -> None:
        if isinstance(max_buckets, bool) or not isinstance(max_buckets, int) or max_buckets < 1:
            raise ValueError(f"MemoryStore max_buckets must be a positive integer, got {max_buckets!r}")
        self.max_buckets = max_buckets
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()

    def take(self, scope: str, key: str, *, now: float, rate: float, burst: float, cost: float) -> RateLimitDecision:
        """Take *cost* tokens from the bucket of *key* in *scope*, or refuse."""
        with self._lock:
            bucket = self._buckets.get((scope, key))
            decision, full_at = take_tokens(
                bucket.full_at if bucket else None, now=now, rate=rate, burst=burst, cost=cost
            )
            if decision.allowed:
                self._buckets[(scope, key)] = Bucket(scope, key, full_at, rate, burst)
                if len(self._buckets) > self.max_buckets:
                    self._shrink(now)
        return decision

    def _shrink(self, now: float) -> None:
        # Called with the lock held. Full buckets carry no information; drop
        # them, then (only if still too many) the buckets nearest to full.
        for item_key in [k for k, b in self._buckets.items() if b.full_at <= now]:
            del self._buckets[item_key]
        if len(self._buckets) > self.max_buckets:
            # Make some room, so the sort below is not repeated on every request.
            excess = len(self._buckets) - int(self.max_buckets * 0.9)
            logger.warning(
                "MemoryStore holds more than max_buckets=%d clients; forgetting the %d closest to full",
                self.max_buckets,
                excess,
            )
            by_fullness = sorted(self._buckets.items(), key=lambda item: item[1].full_at)
            for item_key, _bucket in by_fullness[:excess]:
                del self._buckets[item_key]

    def buckets(self, scope: str | None = None) -> list[Bucket]:
        """Return the stored buckets (of *scope*, or all), emptiest first."""
        with self._lock:
            found = [b for b in self._buckets.values() if scope is None or b.scope == scope]
        return sorted(found, key=lambda b: (-b.full_at, b.scope, b.key))

    def reset(self, scope: str, keys: Iterable[str] | None = None) -> int:
        """Refill the buckets of *keys* in *scope* (all of the scope when None); return how many."""
        with self._lock:
            if keys is None:
                doomed = [k for k in self._buckets if k[0] == scope]
            else:
                doomed = [(scope, key) for key in keys if (scope, key) in self._buckets]
            for item_key in doomed:
                del self._buckets[item_key]
        return len(doomed)

    def prune(self, now: float) -> int:
        """Forget buckets that are full at *now*; return how many."""
        with self._lock:
            doomed = [k for k, b in self._buckets.items() if b.full_at <= now]
            for item_key in doomed:
                del self._buckets[item_key]
        return len(doomed)

    def __repr__(self) -> str:
        return f"MemoryStore(max_buckets={self.max_buckets})"


class SQLiteStore:
    """Buckets in a SQLite file, shared safely by threads and processes.

    Every ``take`` runs in a ``BEGIN IMMEDIATE`` transaction, so concurrent
    workers (gunicorn processes, say) never spend one token twice. Each
    thread, and each forked process, opens its own connection. The file uses
    write-ahead logging; keep it on a local disk.

    Args:
        path: The database file; created with its table unless *create* is false.
        timeout: Seconds to wait for another process's write lock.
        create: Create the table if missing. With ``False`` a file without
            the table is refused (tools use this to avoid writing to the
            wrong file).
        prune_every: Delete full buckets every this many ``take`` calls (per
            store object); ``0`` never prunes on its own.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 5.0, create: bool = True, prune_every: int = 1000
    ) -> None:
        path = os.fspath(path)
        if path == ":memory:" or path.startswith("file::memory:") or "mode=memory" in path:
            raise ValueError(
                f"SQLiteStore needs a database file that every thread and process can open, got {path!r}; "
                "use MemoryStore() for an in-memory store"
            )
        if prune_every < 0:
            raise ValueError(f"SQLiteStore prune_every must be 0 (never) or a positive count, got {prune_every!r}")
        self.path = path
        self.timeout = timeout
        self.prune_every = prune_every
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        # A store dropped without close() (the app held it until it went away) closes its
        # connections when it is collected, not leaving them for the garbage collector.
        self._finalizer = weakref.finalize(self, _close_connections, self._connections, self._connections_lock)
        self._takes = itertools.count(1)
        if create:
            try:
                self._use_wal()
                with self._transaction() as conn:
                    conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {TABLE} (scope TEXT NOT NULL, key TEXT NOT NULL, "
                        "full_at REAL NOT NULL, rate REAL NOT NULL, burst REAL NOT NULL, "
                        "PRIMARY KEY (scope, key)) WITHOUT ROWID"
                    )
            except sqlite3.Error:
                self.close()
                raise
        else:
            try:
                row = (
                    self._connection()
                    .execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))
                    .fetchone()
                )
            except sqlite3.Error:
                self.close()
                raise
            if row is None:
                self.close()
                raise LookupError(f"{path} has no {TABLE} table: it is not a clastic-ratelimit SQLite store")

    def _use_wal(self) -> None:
        # Write-ahead logging is a property of the file. Workers that start together set up a
        # new file at the same moment, and switching it can be refused outright, without
        # SQLite's busy timeout: try again until the timeout has passed.
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._connection().execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def _connection(self) -> sqlite3.Connection:
        # A connection must not cross a fork(): the child opens its own.
        if getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:  # not a database (a text file passed by mistake): close it, not the GC
                conn.close()
                raise
            self._local.conn = conn
            self._local.pid = os.getpid()
            with self._connections_lock:
                self._connections.append(conn)
        return self._local.conn  # type: ignore[no-any-return]  # threading.local attributes are untyped

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def take(self, scope: str, key: str, *, now: float, rate: float, burst: float, cost: float) -> RateLimitDecision:
        """Take *cost* tokens from the bucket of *key* in *scope*, or refuse."""
        with self._transaction() as conn:
            row = conn.execute(f"SELECT full_at FROM {TABLE} WHERE scope = ? AND key = ?", (scope, key)).fetchone()
            decision, full_at = take_tokens(row[0] if row else None, now=now, rate=rate, burst=burst, cost=cost)
            if decision.allowed:
                conn.execute(
                    f"INSERT INTO {TABLE} (scope, key, full_at, rate, burst) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (scope, key) DO UPDATE SET full_at = excluded.full_at, rate = excluded.rate, "
                    "burst = excluded.burst",
                    (scope, key, full_at, rate, burst),
                )
            if self.prune_every and next(self._takes) % self.prune_every == 0:
                conn.execute(f"DELETE FROM {TABLE} WHERE full_at <= ?", (now,))
        return decision

    def buckets(self, scope: str | None = None) -> list[Bucket]:
        """Return the stored buckets (of *scope*, or all), emptiest first."""
        query = f"SELECT scope, key, full_at, rate, burst FROM {TABLE}"
        params: tuple[str, ...] = ()
        if scope is not None:
            query += " WHERE scope = ?"
            params = (scope,)
        rows = self._connection().execute(query + " ORDER BY full_at DESC, scope, key", params).fetchall()
        return [Bucket(*row) for row in rows]

    def reset(self, scope: str, keys: Iterable[str] | None = None) -> int:
        """Refill the buckets of *keys* in *scope* (all of the scope when None); return how many."""
        with self._transaction() as conn:
            if keys is None:
                return conn.execute(f"DELETE FROM {TABLE} WHERE scope = ?", (scope,)).rowcount
            return sum(
                conn.execute(f"DELETE FROM {TABLE} WHERE scope = ? AND key = ?", (scope, key)).rowcount for key in keys
            )

    def prune(self, now: float) -> int:
        """Forget buckets that are full at *now*; return how many."""
        with self._transaction() as conn:
            return conn.execute(f"DELETE FROM {TABLE} WHERE full_at <= ?", (now,)).rowcount

    def close(self) -> None:
        """Close every connection this store opened (in any thread); it opens new ones if used again."""
        _close_connections(self._connections, self._connections_lock)
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"


def _close_connections(connections: list[sqlite3.Connection], lock: threading.Lock) -> None:
    # The list is the store's own, emptied in place: close() and the finalizer share it.
    with lock:
        opened = connections[:]
        connections.clear()
    for conn in opened:
        conn.close()
