"""Where server-side sessions live: in memory, in SQLite, in Redis.

Every store keeps, per session id, the session's data as JSON text plus its
creation and last-access times, and forgets it after ``expires_at``. A store
that cannot reach its backend raises :class:`SessionStoreError`, which the
middleware answers with a 503; a failed write changes nothing already stored.
Import these from :mod:`clastic.middleware.session`.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import sqlite3
import threading
import time
import weakref
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from clastic.middleware._signing import Clock, check_clock

if TYPE_CHECKING:
    from collections.abc import Iterator

    import redis

__all__ = [
    "MemorySessionStore",
    "RedisSessionStore",
    "SQLiteSessionStore",
    "SessionRecord",
    "SessionStore",
    "SessionStoreError",
]

logger = logging.getLogger("clastic.middleware.session")


class SessionStoreError(Exception):
    """The session store's backend failed (unreachable, locked, full...)."""


class SessionRecord(NamedTuple):
    """One stored session."""

    #: The session's contents, as JSON text.
    data: str
    #: When the session was created (seconds since the epoch).
    created: float
    #: When the session was last used.
    accessed: float


@runtime_checkable
class SessionStore(Protocol):
    """What :class:`~clastic.middleware.session.SessionMiddleware` needs from a store.

    Methods raise :class:`SessionStoreError` when the backend fails.
    ``expires_at`` is when the store may forget the session (seconds since the
    epoch), or ``None`` for never.
    """

    def load(self, session_id: str) -> SessionRecord | None:
        """Return the session, or ``None`` if it does not exist or expired."""

    def save(self, session_id: str, record: SessionRecord, expires_at: float | None) -> None:
        """Create or replace the session, atomically."""

    def touch(self, session_id: str, accessed: float, expires_at: float | None) -> None:
        """Record a use of an existing session without rewriting its data."""

    def delete(self, session_id: str) -> None:
        """Forget the session (no error if it does not exist)."""


class MemorySessionStore:
    """Sessions in a dict: for tests and single-process experiments only.

    Sessions are lost when the process exits and are not shared between
    worker processes.

    Args:
        clock: Returns the current time in seconds since the epoch
            (``time.time``, the default), compared with each session's
            expiry; tests pass the fake clock they give the middleware.
    """

    def __init__(self, *, clock: Clock = time.time) -> None:
        #: Where the time comes from.
        self.clock = check_clock(clock, owner=type(self).__name__)
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[SessionRecord, float | None]] = {}

    def load(self, session_id: str) -> SessionRecord | None:
        """Return the session, or ``None``."""
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is None:
                return None
            record, expires_at = entry
            if expires_at is not None and expires_at <= self.clock():
                del self._sessions[session_id]
                return None
            return record

    def save(self, session_id: str, record: SessionRecord, expires_at: float | None) -> None:
        """Create or replace the session."""
        with self._lock:
            self._sessions[session_id] = (record, expires_at)

    def touch(self, session_id: str, accessed: float, expires_at: float | None) -> None:
        """Update the last-access time of an existing session."""
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is not None:
                self._sessions[session_id] = (entry[0]._replace(accessed=accessed), expires_at)

    def delete(self, session_id: str) -> None:
        """Forget the session."""
        with self._lock:
            self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sessions={len(self._sessions)})"


def _create_private_file(path: str) -> None:
    """Create *path* empty with mode 0o600 unless it exists; an existing file keeps its mode.

    SQLite gives the ``-wal`` and ``-shm`` files it creates next to a
    database the database file's permissions, so they are private too.
    Without this, SQLite would create the database with 0o644 under the
    usual umask, readable by every local user. ``O_EXCL`` makes this a
    no-op (never a chmod) when the file is already there; other failures
    are left to SQLite, which reports them when it opens the path.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        return
    except OSError as ex:
        logger.debug("could not create the session database %r as a private file: %s", path, ex)
        return
    os.close(fd)


class SQLiteSessionStore:
    """Sessions in an SQLite file: the default store, safe for several worker processes on one host.

    The database runs in WAL mode, so readers never wait for a writer, and
    every write is one transaction; a writer waits up to *timeout* seconds
    for another process's lock (SQLite's busy timeout). The table is created
    once per store and process, on first use. Connections are pooled per
    process: an operation takes one, uses it alone and puts it back (one
    that failed is closed instead), so a thread-per-request server reuses a
    few connections, and a forked worker never uses its parent's.
    :meth:`close` closes the idle ones (they are also closed when the store
    is garbage collected). Expired rows are purged now and then on writes.

    Args:
        path: The database file; created with its table on first use,
            readable and writable by its owner only (mode 0o600, as are
            SQLite's ``-wal`` and ``-shm`` files); an existing file keeps
            its mode. A relative path is resolved against the working
            directory now.
            Its folder must exist and be writable (SQLite also writes the
            ``-wal`` and ``-shm`` files there): otherwise the constructor
            raises :class:`FileNotFoundError` or :class:`PermissionError`.
        table: The table's name.
        timeout: Seconds to wait for another process's write lock before
            giving up (the request then gets a 503).
        purge_interval: Seconds between purges of expired sessions (per process).
        clock: Returns the current time in seconds since the epoch
            (``time.time``, the default), compared with each session's
            expiry; tests pass the fake clock they give the middleware.
    """

    def __init__(
        self, path: str | os.PathLike[str] = "clastic_sessions.sqlite3", *, table: str = "clastic_sessions",
        timeout: float = 5.0, purge_interval: float = 300.0, clock: Clock = time.time,
    ) -> None:  # fmt: skip
        if not table.isidentifier():
            raise ValueError(f"SQLiteSessionStore: table name {table!r} must be a plain identifier such as 'sessions'")
        self.path = os.path.abspath(os.fspath(path))
        _check_database_path(self.path)
        self.table = table
        # Quoted in SQL, so a name that is also a keyword ("order", "group") works.
        self._table_sql = f'"{table}"'
        self.timeout = timeout
        self.purge_interval = purge_interval
        #: Where the time comes from.
        self.clock = check_clock(clock, owner=type(self).__name__)
        self._setup_lock = threading.Lock()
        self._ready_pid: int | None = None  # the process that created the table; a forked child checks again
        self._next_purge = 0.0
        self._new_pool()

    def _new_pool(self) -> None:
        self._pool: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._pool_pid = os.getpid()
        self._finalizer = weakref.finalize(self, _close_pool, self._pool)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """Lend a connection of this process's pool for one operation."""
        if self._pool_pid != os.getpid():
            # A forked worker: the parent's connections are not ours to use or close.
            self._finalizer.detach()
            self._new_pool()
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            conn = self._open()
        try:
            yield conn
        except BaseException:
            conn.close()  # its state is unknown; the next operation opens a fresh one
            raise
        self._pool.put(conn)

    def close(self) -> None:
        """Close the idle pooled connections; the store opens new ones if it is used again."""
        _close_pool(self._pool)

    def _open(self) -> sqlite3.Connection:
        # timeout= is SQLite's busy timeout: wait for another writer's lock instead of failing at once.
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA synchronous=NORMAL")  # per connection; safe in WAL mode
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _ensure_schema(self) -> None:
        pid = os.getpid()
        if self._ready_pid == pid:
            return
        with self._setup_lock:
            if self._ready_pid == pid:
                return
            _create_private_file(self.path)  # before SQLite makes it (and its -wal, -shm) world-readable
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    self._create_schema()
                    break
                except sqlite3.OperationalError as ex:
                    # Several workers setting up a new file at once: switching to WAL takes
                    # a lock SQLite's busy timeout does not wait for. Try again, within the timeout.
                    if "locked" not in str(ex) or time.monotonic() >= deadline:
                        raise
                    time.sleep(0.02)
            self._ready_pid = pid

    def _create_schema(self) -> None:
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # stored in the file: once is enough
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table_sql} ("
                "id TEXT PRIMARY KEY, data TEXT NOT NULL, created REAL NOT NULL, accessed REAL NOT NULL, "
                "expires REAL)"
            )
            conn.execute(f'CREATE INDEX IF NOT EXISTS "{self.table}_expires" ON {self._table_sql} (expires)')

    def _run(self, action: str, sql: str, params: tuple[Any, ...]) -> list[Any]:
        try:
            self._ensure_schema()
            with self._connection() as conn:
                return conn.execute(sql, params).fetchall()
        except sqlite3.Error as ex:
            self._ready_pid = None  # set the file up again next time: it may have been replaced or fixed
            raise SessionStoreError(f"SQLite session store {self.path!r} could not {action}: {ex}") from ex

    def load(self, session_id: str) -> SessionRecord | None:
        """Return the session, or ``None``."""
        rows = self._run(
            "read a session",
            f"SELECT data, created, accessed FROM {self._table_sql} WHERE id = ? AND (expires IS NULL OR expires > ?)",
            (session_id, self.clock()),
        )
        return SessionRecord(*rows[0]) if rows else None

    def save(self, session_id: str, record: SessionRecord, expires_at: float | None) -> None:
        """Create or replace the session in one transaction."""
        self._run(
            "save a session",
            f"INSERT INTO {self._table_sql} (id, data, created, accessed, expires) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data, created = excluded.created, "
            "accessed = excluded.accessed, expires = excluded.expires",
            (session_id, record.data, record.created, record.accessed, expires_at),
        )
        self._maybe_purge()

    def touch(self, session_id: str, accessed: float, expires_at: float | None) -> None:
        """Update the last-access time and expiry of an existing session."""
        self._run(
            "update a session's access time",
            f"UPDATE {self._table_sql} SET accessed = ?, expires = ? WHERE id = ?",
            (accessed, expires_at, session_id),
        )

    def delete(self, session_id: str) -> None:
        """Forget the session."""
        self._run("delete a session", f"DELETE FROM {self._table_sql} WHERE id = ?", (session_id,))

    def purge(self) -> None:
        """Delete every expired session now."""
        self._run(
            "purge expired sessions",
            f"DELETE FROM {self._table_sql} WHERE expires IS NOT NULL AND expires <= ?",
            (self.clock(),),
        )

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + self.purge_interval
        try:
            self.purge()
        except SessionStoreError:  # a purge is housekeeping; the save it follows already succeeded
            logger.warning("could not purge expired sessions from %r", self.path, exc_info=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, table={self.table!r})"


# Refresh the access time only if the session still exists, so a touch racing
# an expiry or a logout never resurrects a session without data.
_TOUCH_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('HSET', KEYS[1], 'accessed', ARGV[1])
    if ARGV[2] == '' then
        redis.call('PERSIST', KEYS[1])
    else
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
    end
end
return 0
"""


class RedisSessionStore:
    """Sessions in Redis (redis-py): for several processes on several hosts.

    Each session is a hash (``data``, ``created``, ``accessed``) under
    ``<prefix><id>`` that Redis itself expires.

    Args:
        client: A ``redis.Redis`` client. Give this or *url*.
        url: A Redis URL such as ``redis://127.0.0.1:6379/0``.
        prefix: Prefix of the keys.
        socket_timeout: Seconds before an unresponsive server counts as down
            (used when building a client from *url*).
    """

    def __init__(
        self, client: redis.Redis | None = None, *, url: str | None = None, prefix: str = "clastic:session:",
        socket_timeout: float = 2.0,
    ) -> None:  # fmt: skip
        try:
            import redis
        except ImportError as ex:
            raise ImportError(
                "RedisSessionStore needs the redis package; install it with: pip install 'clastic-middleware[redis]'"
            ) from ex
        if client is None:
            if url is None:
                raise TypeError("RedisSessionStore needs a redis client or a url such as 'redis://127.0.0.1:6379/0'")
            client = redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout)
        elif url is not None:
            raise TypeError("RedisSessionStore takes a client or a url, not both")
        self.client = client
        self.prefix = prefix
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError,)
        self._touch = client.register_script(_TOUCH_SCRIPT)

    def _key(self, session_id: str) -> str:
        return self.prefix + session_id

    def _fail(self, action: str, ex: BaseException) -> SessionStoreError:
        where = getattr(getattr(self.client, "connection_pool", None), "connection_kwargs", {})
        target = f"{where.get('host', '?')}:{where.get('port', '?')}" if where else repr(self.client)
        return SessionStoreError(f"Redis session store at {target} could not {action}: {ex}")

    def load(self, session_id: str) -> SessionRecord | None:
        """Return the session, or ``None``."""
        try:
            fields = self.client.hgetall(self._key(session_id))
        except self._errors as ex:
            raise self._fail("read a session", ex) from ex
        decoded = {_text(key): _text(value) for key, value in fields.items()}
        if "data" not in decoded:
            return None
        try:
            return SessionRecord(decoded["data"], float(decoded.get("created", 0)), float(decoded.get("accessed", 0)))
        except ValueError:
            logger.warning("session %r in Redis has unreadable timestamps; treating it as missing", session_id[:8])
            return None

    def save(self, session_id: str, record: SessionRecord, expires_at: float | None) -> None:
        """Create or replace the session in one MULTI/EXEC transaction."""
        key = self._key(session_id)
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                pipe.hset(
                    key,
                    mapping={"data": record.data, "created": repr(record.created), "accessed": repr(record.accessed)},
                )
                if expires_at is not None:
                    pipe.pexpireat(key, int(expires_at * 1000))
                pipe.execute()
        except self._errors as ex:
            raise self._fail("save a session", ex) from ex

    def touch(self, session_id: str, accessed: float, expires_at: float | None) -> None:
        """Update the access time and expiry of an existing session."""
        expiry = "" if expires_at is None else str(int(expires_at * 1000))
        try:
            self._touch(keys=[self._key(session_id)], args=[repr(accessed), expiry])
        except self._errors as ex:
            raise self._fail("update a session's access time", ex) from ex

    def delete(self, session_id: str) -> None:
        """Forget the session."""
        try:
            self.client.delete(self._key(session_id))
        except self._errors as ex:
            raise self._fail("delete a session", ex) from ex

    def __repr__(self) -> str:
        return f"{type(self).__name__}(prefix={self.prefix!r})"


def _close_pool(pool: queue.SimpleQueue[sqlite3.Connection]) -> None:
    while True:
        try:
            pool.get_nowait().close()
        except queue.Empty:
            return


def _check_database_path(path: str) -> None:
    """Raise now, naming *path* and its folder, if SQLite could never create or write the file there."""
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            errno.ENOENT,
            f"SQLiteSessionStore: the folder {folder!r} of the session database {path!r} does not exist; "
            "create it or choose another path",
            folder,
        )
    if os.path.isdir(path):
        raise IsADirectoryError(
            errno.EISDIR, f"SQLiteSessionStore: the session database path {path!r} is a folder; name a file in it", path
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(
            errno.EACCES,
            f"SQLiteSessionStore: the folder {folder!r} of the session database {path!r} is not writable by this "
            "process (SQLite writes the database and its -wal and -shm files there)",
            folder,
        )
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        raise PermissionError(
            errno.EACCES, f"SQLiteSessionStore: the session database {path!r} is not readable and writable", path
        )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
