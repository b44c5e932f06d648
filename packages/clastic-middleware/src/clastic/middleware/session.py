"""Server-side sessions: the browser holds a signed random id, the data stays on the server.

::

    from clastic.middleware.session import SessionMiddleware, SQLiteSessionStore

    sessions = SessionMiddleware(SQLiteSessionStore("/var/lib/myapp/sessions.sqlite3"), secret_key=key)
    app = Application(routes, middlewares=[sessions])

    def login(session, user_id):
        session.regenerate()          # a new id after a privilege change (fixation)
        session["user_id"] = user_id

Stores: :class:`SQLiteSessionStore` (the default; several worker processes on
one host), :class:`RedisSessionStore` (several hosts) and
:class:`MemorySessionStore` (tests). A store that fails answers 503 and is
logged; what it already holds is untouched.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from itsdangerous import BadData
from werkzeug.http import dump_cookie

from clastic import Middleware, Request, Response
from clastic.errors import HTTPException, ServiceUnavailable
from clastic.middleware._session_store import MemorySessionStore as MemorySessionStore
from clastic.middleware._session_store import RedisSessionStore as RedisSessionStore
from clastic.middleware._session_store import SessionRecord as SessionRecord
from clastic.middleware._session_store import SessionStore as SessionStore
from clastic.middleware._session_store import SessionStoreError as SessionStoreError
from clastic.middleware._session_store import SQLiteSessionStore as SQLiteSessionStore
from clastic.middleware._signing import (
    Clock,
    SecretKey,
    check_clock,
    check_cookie_name,
    check_samesite,
    make_signer,
    normalize_keys,
    to_seconds,
)
from clastic.middleware._tracked import TrackedDict
from clastic.middleware.core import check_arg_name

__all__ = [
    "MemorySessionStore",
    "RedisSessionStore",
    "SQLiteSessionStore",
    "Session",
    "SessionMiddleware",
    "SessionRecord",
    "SessionStore",
    "SessionStoreError",
]

logger = logging.getLogger(__name__)

#: Bytes of randomness in a session id (256 bits).
SESSION_ID_BYTES = 32


class Session(TrackedDict):
    """The injected ``session``: a dict of JSON-serialisable values kept on the server.

    It is saved only when its contents change (nested changes included).
    """

    def __init__(
        self, data: dict[str, Any] | None = None, *, session_id: str | None = None, created: float | None = None,
        accessed: float | None = None,
    ) -> None:  # fmt: skip
        super().__init__(data)
        now = time.time()
        #: The stored session's id, or ``None`` for a session not stored yet.
        self.id = session_id
        #: When the session began.
        self.created = now if created is None else created
        #: When the session was last used before this request.
        self.accessed = now if accessed is None else accessed
        self._regenerate = False
        self._cleared = False

    @property
    def new(self) -> bool:
        """True when the request carried no valid session."""
        return self.id is None

    @property
    def modified(self) -> bool:
        """True when the session must be written: changed, regenerated or cleared."""
        return self._regenerate or self._cleared or self.changed

    def regenerate(self) -> None:
        """Move the data to a new session id at the end of the request; the old id stops working.

        Call it when privileges change (log in, log out) so an id planted
        or seen before cannot be used afterwards (session fixation).
        """
        self._regenerate = True

    def clear(self) -> None:
        """Empty the session; the stored session and its cookie are deleted.

        Values set after ``clear()`` in the same request start a new
        session with a new id.
        """
        super().clear()
        self._cleared = True

    def __repr__(self) -> str:
        sid = f"{self.id[:8]}..." if self.id else None
        return f"{type(self).__name__}({dict.__repr__(self)}, id={sid!r})"


class SessionMiddleware(Middleware):
    """Provide a server-side session to endpoints as a dict (``session``).

    The browser gets a cookie holding a random 256-bit id signed with
    HMAC-SHA256; a tampered, unknown or expired id gives a new, empty
    session (never the one the client named). Sessions expire after
    *idle_timeout* without use and *absolute_timeout* after they began.

    Concurrent requests on one session are not merged: each loads the
    session when it starts and, if it changed it, saves the whole dict when
    it ends, so the last to finish wins and the others' changes are lost
    (two tabs, a double click, parallel ``fetch()`` calls); nothing locks a
    session for the length of a request. Keep what concurrent requests
    update (counters, carts, quotas) in the database, changed there
    atomically, not in the session.

    Args:
        store: A :class:`SessionStore`; defaults to :class:`SQLiteSessionStore`
            with the file ``clastic_sessions.sqlite3`` in the working directory.
        secret_key: Key (or list of keys, the first signs) for the id cookie.
            Without one, a random key is used and a warning is logged;
            processes sharing sessions need the same key.
        arg_name: The argument name endpoints take.
        cookie_name: The id cookie's name.
        idle_timeout: Seconds (or a ``timedelta``) of inactivity after which
            the session ends; ``None`` for no limit.
        absolute_timeout: Longest life of a session; also the cookie's
            ``Max-Age``. ``None`` for no limit (and a browser-session cookie).
        domain, path, secure, http_only, samesite: Cookie attributes.
        clock: Returns the current time in seconds since the epoch
            (``time.time``, the default), read for every timeout. Tests pass
            a fake clock to see sessions expire without waiting, and give
            the store the same one (:class:`MemorySessionStore` and
            :class:`SQLiteSessionStore` take ``clock=`` too), since a store
            drops sessions past their expiry by its own clock.
    """

    def __init__(
        self,
        store: SessionStore | None = None,
        *,
        secret_key: SecretKey | Sequence[SecretKey] | None = None,
        arg_name: str = "session",
        cookie_name: str = "clastic_session",
        idle_timeout: float | timedelta | None = timedelta(hours=24),
        absolute_timeout: float | timedelta | None = timedelta(days=14),
        domain: str | None = None,
        path: str = "/",
        secure: bool = False,
        http_only: bool = True,
        samesite: str | None = "Lax",
        clock: Clock = time.time,
    ) -> None:
        owner = type(self).__name__
        #: Where the time comes from (``time.time`` unless a test gave a fake clock).
        self.clock = check_clock(clock, owner=owner)
        if store is None:
            store = SQLiteSessionStore()
            logger.info("%s stores sessions in %s", owner, store.path)
        for method in ("load", "save", "touch", "delete"):
            if not callable(getattr(store, method, None)):
                raise TypeError(
                    f"{owner}: the store {store!r} has no {method}() method; "
                    "see clastic.middleware.session.SessionStore"
                )
        self.store = store
        self.arg_name = check_arg_name(arg_name, owner=owner)
        self.cookie_name = check_cookie_name(cookie_name, owner=owner)
        self.idle_timeout = to_seconds(idle_timeout, owner=owner, what="idle_timeout")
        self.absolute_timeout = to_seconds(absolute_timeout, owner=owner, what="absolute_timeout")
        self.domain = domain
        self.path = path
        self.secure = secure
        self.http_only = http_only
        self.samesite = check_samesite(samesite, secure, owner=owner)
        keys, self.random_key = normalize_keys(secret_key, owner=owner, log=logger)
        self._signer = make_signer(keys, salt="clastic.middleware.session")
        # Record a use at most this often when nothing else changed (idle expiry needs it).
        self.touch_interval = None if self.idle_timeout is None else min(60.0, self.idle_timeout / 10)
        self.provides = (arg_name,)  # type: ignore[misc]  # per-instance provides

    # -- the hook ------------------------------------------------------------

    def request(self, next: Callable[..., Any], request: Request) -> Any:
        """Load the session, run the rest of the chain, save the session if it changed."""
        try:
            session = self.load(request)
        except SessionStoreError as ex:
            return self._unavailable(request, ex, "loading")
        try:
            response = next(**{self.arg_name: session})
        except HTTPException as ex:  # raised errors are responses too: keep what the endpoint stored
            failure = self._save_or_fail(session, ex, request)
            if failure is not None:
                return failure
            raise
        return self._save_or_fail(session, response, request) or response

    def _save_or_fail(self, session: Session, response: Any, request: Request) -> HTTPException | None:
        try:
            self.save(session, response)
        except SessionStoreError as ex:
            return self._unavailable(request, ex, "saving")
        return None

    def _unavailable(self, request: Request, ex: SessionStoreError, action: str) -> HTTPException:
        logger.error(
            "session store failed while %s the session for %s %s: %s",
            action,
            request.method,
            request.path,
            ex,
            exc_info=ex,
        )
        return ServiceUnavailable(
            "Session storage is temporarily unavailable, so this request could not be completed. "
            "Please try again in a moment.",
            headers={"Retry-After": "5"},
        )

    # -- loading -------------------------------------------------------------

    def load(self, request: Request) -> Session:
        """Return the request's session, or a new empty one; raise :class:`SessionStoreError` if the store fails."""
        now = self.clock()
        raw = request.cookies.get(self.cookie_name)
        if not raw:
            return Session(created=now, accessed=now)
        try:
            session_id = self._signer.unsign(raw).decode("ascii")
        except (BadData, UnicodeDecodeError):
            logger.info(
                "ignoring session cookie on %s %s: it is not signed by any of the secret keys",
                request.method,
                request.path,
            )
            return Session(created=now, accessed=now)
        record = self.store.load(session_id)
        if record is None:
            return Session(created=now, accessed=now)
        if self._expired(record, now):
            self.store.delete(session_id)
            return Session(created=now, accessed=now)
        try:
            data = json.loads(record.data)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            logger.warning("session %s... holds unreadable data; starting a new session", session_id[:8])
            return Session(created=now, accessed=now)
        return Session(data, session_id=session_id, created=record.created, accessed=record.accessed)

    def _expired(self, record: SessionRecord, now: float) -> bool:
        if self.idle_timeout is not None and record.accessed + self.idle_timeout <= now:
            return True
        return self.absolute_timeout is not None and record.created + self.absolute_timeout <= now

    def _expires_at(self, created: float, now: float) -> float | None:
        limits = []
        if self.idle_timeout is not None:
            limits.append(now + self.idle_timeout)
        if self.absolute_timeout is not None:
            limits.append(created + self.absolute_timeout)
        return min(limits) if limits else None

    # -- saving --------------------------------------------------------------

    def save(self, session: Session, response: Any) -> None:
        """Write *session* to the store if needed and set or delete the id cookie on *response*."""
        now = self.clock()
        old_id = session.id
        if not session:
            if old_id is not None and session.modified:
                self.store.delete(old_id)
                session.id = None
                self._delete_cookie(response)
            return
        if old_id is None or session._regenerate or session._cleared:
            created = now if old_id is None or session._cleared else session.created
            new_id = secrets.token_urlsafe(SESSION_ID_BYTES)
            self.store.save(new_id, SessionRecord(self._dump(session), created, now), self._expires_at(created, now))
            if old_id is not None:
                self.store.delete(old_id)
            session.id, session.created = new_id, created
            session._regenerate = session._cleared = False
            self._set_cookie(response, new_id, created, now)
        elif session.changed:
            record = SessionRecord(self._dump(session), session.created, now)
            self.store.save(old_id, record, self._expires_at(session.created, now))
        elif self.touch_interval is not None and now - session.accessed >= self.touch_interval:
            self.store.touch(old_id, now, self._expires_at(session.created, now))
        else:
            return
        session.accessed = now
        session.mark_saved()

    def _dump(self, session: Session) -> str:
        try:
            return json.dumps(dict(session), separators=(",", ":"))
        except (TypeError, ValueError) as ex:
            raise TypeError(
                f"the session holds a value that cannot be stored as JSON ({ex}); store only strings, numbers, "
                "booleans, None, lists and dicts"
            ) from ex

    def _set_cookie(self, response: Any, session_id: str, created: float, now: float) -> None:
        if not isinstance(response, Response):
            return
        if self.absolute_timeout is None:
            lifetime: dict[str, Any] = {}
        else:
            max_age = max(0, int(created + self.absolute_timeout - now))
            lifetime = {"max_age": max_age, "expires": now + max_age}  # by our clock (Werkzeug would read time.time)
        value = self._signer.sign(session_id).decode("ascii")
        response.headers.add("Set-Cookie", self._cookie(value, **lifetime))

    def _delete_cookie(self, response: Any) -> None:
        if isinstance(response, Response):
            response.headers.add("Set-Cookie", self._cookie("", max_age=0, expires=0))

    def _cookie(self, value: str, **lifetime: Any) -> str:
        return dump_cookie(
            self.cookie_name, value, path=self.path, domain=self.domain, secure=self.secure,
            httponly=self.http_only, samesite=self.samesite, **lifetime,
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.store!r}, arg_name={self.arg_name!r}, cookie_name={self.cookie_name!r})"
