"""SessionMiddleware and its stores, through real Applications, real HTTP, SQLite, Redis and two processes."""

import base64
import gc
import hashlib
import json
import logging
import os
import sqlite3
import stat
import threading
import time
import warnings
from contextlib import closing

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import Signer
from middleware_helpers import Browser, FakeClock, RedisServer
from werkzeug.test import Client

from clastic import GET, POST, Application, render_basic, render_json
from clastic.errors import Forbidden
from clastic.middleware.session import (
    MemorySessionStore,
    RedisSessionStore,
    Session,
    SessionMiddleware,
    SessionRecord,
    SessionStore,
    SQLiteSessionStore,
)
from clastic.testing import LiveServer
from net_helpers import free_port
from sqlite_race import failures_at_once

SECRET = "session secret"


class CountingStore(MemorySessionStore):
    """A memory store that counts writes."""

    def __init__(self, *, clock=time.time):
        super().__init__(clock=clock)
        self.saves = self.touches = self.deletes = 0

    def save(self, session_id, record, expires_at):
        self.saves += 1
        super().save(session_id, record, expires_at)

    def touch(self, session_id, accessed, expires_at):
        self.touches += 1
        super().touch(session_id, accessed, expires_at)

    def delete(self, session_id):
        self.deletes += 1
        super().delete(session_id)


def show(session):
    return {"data": dict(session), "new": session.new}


def put(session, request):
    session.update(request.args.to_dict())
    return {"data": dict(session)}


def login(session, request):
    session.regenerate()
    session["user"] = request.args["user"]
    return "logged in"


def logout(session):
    session.clear()
    return "logged out"


def deny(session):
    session["denied"] = True
    raise Forbidden("not for you")


def make_app(store, **options):
    options.setdefault("secret_key", SECRET)
    routes = [
        ("/show", show, render_json),
        ("/put", put, render_json),
        ("/login", login, render_basic),
        ("/logout", logout, render_basic),
        ("/deny", deny, render_basic),
    ]
    return Application(routes, middlewares=[SessionMiddleware(store, **options)])


def session_cookie(resp):
    for header in resp.headers.getlist("Set-Cookie"):
        if header.startswith("clastic_session="):
            return header
    return None


def session_id(header):
    value = header.split(";", 1)[0].split("=", 1)[1]
    return value.rsplit(".", 1)[0]


# -- behaviour, with the memory store ------------------------------------------


def test_set_then_read_and_cookie_attributes():
    store = MemorySessionStore()
    client = Client(make_app(store))
    assert client.get("/show").json == {"data": {}, "new": True}
    header = session_cookie(client.get("/put?theme=dark"))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert f"Max-Age={14 * 24 * 3600}" in header and "Expires=" in header
    sid = session_id(header)
    assert len(base64.urlsafe_b64decode(sid + "=")) == 32  # 256 random bits
    assert client.get("/show").json == {"data": {"theme": "dark"}, "new": False}
    assert json.loads(store.load(sid).data) == {"theme": "dark"}


def test_saved_only_when_modified():
    store = CountingStore()
    client = Client(make_app(store))
    client.get("/show")
    assert (store.saves, len(store)) == (0, 0)  # an untouched new session is never stored
    client.get("/put?a=1")
    assert store.saves == 1
    for _ in range(3):
        assert session_cookie(client.get("/show")) is None
    client.get("/put?a=1")  # same value
    assert store.saves == 1
    client.get("/put?a=2")
    assert store.saves == 2


def test_regenerate_moves_data_to_a_new_id_and_kills_the_old_one():
    store = MemorySessionStore()
    client = Client(make_app(store))
    old = session_cookie(client.get("/put?cart=3"))
    new = session_cookie(client.get("/login?user=ann"))
    assert session_id(new) != session_id(old)
    assert client.get("/show").json["data"] == {"cart": "3", "user": "ann"}
    attacker = Client(make_app(store))
    attacker.set_cookie("clastic_session", old.split(";", 1)[0].split("=", 1)[1])
    assert attacker.get("/show").json == {"data": {}, "new": True}
    assert store.load(session_id(old)) is None


def test_clear_deletes_the_session_and_its_cookie():
    store = MemorySessionStore()
    client = Client(make_app(store))
    sid = session_id(session_cookie(client.get("/put?user=ann")))
    header = session_cookie(client.get("/logout"))
    assert "Max-Age=0" in header
    assert store.load(sid) is None and len(store) == 0
    assert client.get("/show").json == {"data": {}, "new": True}


def test_tampered_or_unknown_ids_give_a_fresh_session_with_a_new_id():
    store = MemorySessionStore()
    client = Client(make_app(store))
    value = session_cookie(client.get("/put?user=ann")).split(";", 1)[0].split("=", 1)[1]
    for forged in (value[:-3] + "abc", "x" * 60, "", "a.b", value.split(".")[0]):
        other = Client(make_app(store))
        other.set_cookie("clastic_session", forged)
        assert other.get("/show").json == {"data": {}, "new": True}
    # A correctly signed id the store does not know (planted by an attacker) is not adopted.
    planted = Client(make_app(store))
    signer = Signer(SECRET, salt="clastic.middleware.session", digest_method=hashlib.sha256, key_derivation="hmac")
    signed_unknown = signer.sign("attacker-chosen-id").decode()
    planted.set_cookie("clastic_session", signed_unknown)
    header = session_cookie(planted.get("/put?x=1"))
    assert session_id(header) != "attacker-chosen-id" and store.load("attacker-chosen-id") is None


def test_idle_timeout_with_touches():
    clock = FakeClock()
    store = CountingStore(clock=clock)
    client = Client(make_app(store, idle_timeout=1.0, absolute_timeout=None, clock=clock))
    client.get("/put?a=1")
    clock.advance(0.6)
    assert client.get("/show").json["data"] == {"a": "1"}
    assert store.touches == 1  # a use is recorded without rewriting the data
    clock.advance(0.6)
    assert client.get("/show").json["data"] == {"a": "1"}  # 1.2 s after creation, alive thanks to the touch
    clock.advance(1.1)
    assert client.get("/show").json == {"data": {}, "new": True}
    assert len(store) == 0  # the expired session is removed, not just ignored


def test_absolute_timeout():
    clock = FakeClock(start=1_800_000_000.0)
    client = Client(make_app(MemorySessionStore(clock=clock), idle_timeout=None, absolute_timeout=1, clock=clock))
    header = session_cookie(client.get("/put?a=1"))
    assert "Max-Age=1" in header and "Expires=Fri, 15 Jan 2027 08:00:01 GMT" in header  # by the given clock
    clock.advance(0.5)
    assert client.get("/show").json["data"] == {"a": "1"}
    clock.advance(0.6)
    assert client.get("/show").json == {"data": {}, "new": True}


def test_the_middleware_checks_expiry_by_its_own_clock_whatever_the_store_does():
    # A store without a clock (real time) still holds the session; the middleware's clock says it is over.
    clock = FakeClock()
    store = MemorySessionStore()
    client = Client(make_app(store, idle_timeout=60, absolute_timeout=None, clock=clock))
    client.get("/put?a=1")
    clock.advance(61)
    assert client.get("/show").json == {"data": {}, "new": True}
    assert len(store) == 0


def test_new_sessions_take_their_times_from_the_clock():
    clock = FakeClock(start=1_700_000_000.0)

    def times(session):
        return {"created": session.created, "accessed": session.accessed}

    app = Application(
        [("/t", times, render_json)],
        middlewares=[SessionMiddleware(MemorySessionStore(), secret_key=SECRET, clock=clock)],
    )
    assert Client(app).get("/t").json == {"created": 1_700_000_000.0, "accessed": 1_700_000_000.0}


def test_stores_drop_sessions_past_their_expiry_by_their_clock(tmp_path):
    clock = FakeClock()
    memory = MemorySessionStore(clock=clock)
    sqlite = SQLiteSessionStore(tmp_path / "s.sqlite3", clock=clock)
    for store in (memory, sqlite):
        store.save("short", SessionRecord("{}", 1.0, 1.0), expires_at=clock() + 10)
        store.save("long", SessionRecord("{}", 1.0, 1.0), expires_at=clock() + 100)
    clock.advance(10)
    for store in (memory, sqlite):
        assert store.load("short") is None and store.load("long") == SessionRecord("{}", 1.0, 1.0)
    sqlite.purge()
    rows = sqlite_rows(tmp_path / "s.sqlite3", "SELECT id FROM clastic_sessions")
    assert rows == [("long",)]
    with pytest.raises(TypeError, match="MemorySessionStore: clock must be a function returning the time"):
        MemorySessionStore(clock=None)
    with pytest.raises(TypeError, match="SQLiteSessionStore: clock must be a function returning the time"):
        SQLiteSessionStore(tmp_path / "t.sqlite3", clock=0)
    with pytest.raises(TypeError, match="SessionMiddleware: clock must be a function returning the time"):
        SessionMiddleware(memory, secret_key=SECRET, clock=1.5)


def test_raised_http_error_still_saves():
    client = Client(make_app(MemorySessionStore()))
    assert client.get("/deny").status_code == 403
    assert client.get("/show").json["data"] == {"denied": True}


def test_unserialisable_value_is_a_clear_author_error(caplog):
    def bad(session):
        session["obj"] = object()
        return "ok"

    app = Application(
        [("/bad", bad, render_basic)], middlewares=[SessionMiddleware(MemorySessionStore(), secret_key=SECRET)]
    )
    with caplog.at_level(logging.ERROR):
        assert Client(app).get("/bad").status_code == 500
    assert "the session holds a value that cannot be stored as JSON" in str(
        next(r for r in caplog.records if r.exc_info).exc_info[1]
    )


def test_constructor_checks_and_protocol(caplog):
    with pytest.raises(TypeError, match="has no load\\(\\) method"):
        SessionMiddleware(object(), secret_key=SECRET)
    with pytest.raises(ValueError, match="idle_timeout must be positive"):
        SessionMiddleware(MemorySessionStore(), secret_key=SECRET, idle_timeout=0)
    assert isinstance(MemorySessionStore(), SessionStore)
    with caplog.at_level(logging.WARNING):
        SessionMiddleware(MemorySessionStore())
    assert "SessionMiddleware has no secret_key" in caplog.text


def test_session_repr_hides_most_of_the_id():
    session = Session({"a": 1}, session_id="abcdefghijklmnopqrstuvwxyz")
    assert repr(session) == "Session({'a': 1}, id='abcdefgh...')"


# -- SQLite --------------------------------------------------------------------


def test_sqlite_store_is_the_default(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.INFO, logger="clastic.middleware.session"):
        app = make_app(None)
    assert f"stores sessions in {tmp_path / 'clastic_sessions.sqlite3'}" in caplog.text
    client = Client(app)
    client.get("/put?a=1")
    assert client.get("/show").json["data"] == {"a": "1"}
    rows = sqlite_rows(tmp_path / "clastic_sessions.sqlite3", "SELECT data FROM clastic_sessions")
    assert rows == [('{"a":"1"}',)]


def test_sqlite_purges_expired_rows(tmp_path):
    store = SQLiteSessionStore(tmp_path / "s.sqlite3")
    store.save("old", SessionRecord("{}", 1.0, 1.0), expires_at=time.time() - 10)
    store.save("live", SessionRecord("{}", 1.0, 1.0), expires_at=time.time() + 100)
    assert store.load("old") is None and store.load("live") is not None
    store.purge()
    rows = sqlite_rows(tmp_path / "s.sqlite3", "SELECT id FROM clastic_sessions")
    assert rows == [("live",)]


@pytest.mark.parametrize("table", ["order", "group", "Select", "sessions_2"])
def test_sqlite_table_names_that_are_sql_keywords_work(tmp_path, table):
    store = SQLiteSessionStore(tmp_path / "s.sqlite3", table=table)
    store.save("abc", SessionRecord('{"n": 1}', 1.0, 2.0), expires_at=time.time() + 100)
    store.touch("abc", 3.0, time.time() + 200)
    assert store.load("abc") == SessionRecord('{"n": 1}', 1.0, 3.0)
    store.delete("abc")
    assert store.load("abc") is None
    store.purge()


def test_sqlite_unusable_file_is_503_with_a_clear_body_and_a_log_line_until_it_is_fixed(tmp_path, caplog):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not an SQLite database, it is a text file " * 100)
    client = Client(make_app(SQLiteSessionStore(path)))
    with caplog.at_level(logging.ERROR, logger="clastic.middleware.session"):
        resp = client.get("/put?a=1", headers={"Accept": "application/json"})
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    assert resp.json["detail"].startswith("Session storage is temporarily unavailable")
    assert "session store failed while saving the session for GET /put" in caplog.text
    assert "file is not a database" in caplog.text
    path.unlink()  # the operator fixes it: the store sets the new file up, no restart needed
    assert client.get("/put?a=2").status_code == 200
    assert client.get("/show").json["data"] == {"a": "2"}


def test_sqlite_missing_folder_fails_at_construction_naming_path_and_folder(tmp_path):
    path = tmp_path / "missing-dir" / "s.sqlite3"
    with pytest.raises(FileNotFoundError, match=r"SQLiteSessionStore: the folder .* does not exist") as info:
        SQLiteSessionStore(path)
    message = str(info.value)
    assert f"the folder {str(tmp_path / 'missing-dir')!r}" in message and repr(str(path)) in message
    assert "does not exist" in message
    with pytest.raises(FileNotFoundError, match="does not exist"):
        SQLiteSessionStore("/nonexistent/dir/s.sqlite3")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        SQLiteSessionStore(tmp_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write to any folder")
def test_sqlite_read_only_folder_fails_at_construction(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="is not writable") as info:
            SQLiteSessionStore(folder / "s.sqlite3")
        assert repr(str(folder)) in str(info.value) and repr(str(folder / "s.sqlite3")) in str(info.value)
    finally:
        folder.chmod(0o755)


def test_sqlite_unwritable_folder_fails_at_construction(tmp_path, monkeypatch):
    # As the previous test, for runs as root (who may write anywhere): the OS answers that the folder is read-only.
    folder = tmp_path / "ro"
    folder.mkdir()
    real_access = os.access

    def access(target, mode, **kwargs):
        return False if os.fspath(target) == str(folder) else real_access(target, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(
        PermissionError, match=r"SQLiteSessionStore: the folder .* is not writable by this process"
    ) as info:
        SQLiteSessionStore(folder / "s.sqlite3")
    message = str(info.value)
    database = str(folder / "s.sqlite3")
    assert f"the folder {str(folder)!r} of the session database {database!r} is not writable" in message


def sqlite_rows(path, query):
    """The rows a query finds in a database file, through a connection closed at once."""
    with closing(sqlite3.connect(path)) as conn:  # Python 3.13 warns about a connection left open
        return conn.execute(query).fetchall()


class ConnectionTracker:
    """Wraps sqlite3.connect: keeps every connection opened and counts the statements each kind."""

    def __init__(self, real_connect):
        self.real_connect = real_connect
        self.connections = []
        self.statements = []
        self.lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        conn = self.real_connect(*args, **kwargs)
        conn.set_trace_callback(self.statements.append)
        with self.lock:
            self.connections.append(conn)
        return conn

    def open_connections(self):
        still_open = []
        for conn in self.connections:
            try:
                conn.execute("SELECT 1")
            except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
                continue
            still_open.append(conn)
        return still_open

    def count(self, prefix):
        return sum(1 for statement in self.statements if statement.startswith(prefix))


def test_sqlite_threaded_server_reuses_connections_closes_them_and_sets_up_once(tmp_path, monkeypatch):
    tracker = ConnectionTracker(sqlite3.connect)
    monkeypatch.setattr(sqlite3, "connect", tracker)
    browsers = [Browser() for _ in range(4)]
    store = SQLiteSessionStore(tmp_path / "s.sqlite3")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # Python 3.13 warns about unclosed databases
        with LiveServer(make_app(store), threaded=True) as server:
            for round_ in range(6):  # a new thread per request
                for number, browser in enumerate(browsers):
                    status, _, _ = browser.get(server.port, f"/put?n={number}&round={round_}")
                    assert status == 200
            answers = [json.loads(browser.get(server.port, "/show")[2])["data"] for browser in browsers]
        assert answers == [{"n": str(number), "round": "5"} for number in range(4)]
        # 28 requests, one at a time: a pooled connection or two served them all.
        assert 1 <= len(tracker.connections) <= 2
        assert tracker.count("SELECT data") >= 24  # every request but the first of each browser loads its session
        store.close()
        assert tracker.open_connections() == []
        assert tracker.count("CREATE TABLE") == 1 and tracker.count("PRAGMA journal_mode") == 1
        # A store that is dropped without close() closes its connections when collected.
        dropped = SQLiteSessionStore(tmp_path / "d.sqlite3")
        dropped.save("a", SessionRecord("{}", 1.0, 1.0), expires_at=None)
        opened = tracker.connections[-1]
        del dropped
        gc.collect()
    with pytest.raises(sqlite3.ProgrammingError, match="Cannot operate on a closed database"):
        opened.execute("SELECT 1")


def test_sqlite_waits_for_another_writer_within_its_timeout(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = SQLiteSessionStore(path, timeout=5)
    store.save("a", SessionRecord("{}", 1.0, 1.0), expires_at=None)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    committing = threading.Event()

    def release():
        committing.set()  # before COMMIT: the save cannot succeed before this is set
        blocker.execute("COMMIT")
        blocker.close()

    timer = threading.Timer(0.15, release)
    timer.start()
    try:
        store.save("b", SessionRecord('{"x":1}', 2.0, 2.0), expires_at=None)  # waits, then succeeds
        assert committing.is_set()  # it returned after the other writer let go: it waited instead of failing
    finally:
        timer.join()
    assert store.load("b") == SessionRecord('{"x":1}', 2.0, 2.0)


def test_sqlite_write_lock_is_503_and_keeps_what_was_stored(tmp_path, caplog):
    path = tmp_path / "s.sqlite3"
    client = Client(make_app(SQLiteSessionStore(path, timeout=0.2)))
    client.get("/put?balance=100")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.ERROR):
            resp = client.get("/put?balance=0")
        assert resp.status_code == 503 and "database is locked" in caplog.text
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert client.get("/show").json["data"] == {"balance": "100"}


def test_sqlite_over_real_http(tmp_path):
    browser = Browser()
    with LiveServer(make_app(SQLiteSessionStore(tmp_path / "s.sqlite3"))) as server:
        status, headers, _ = browser.get(server.port, "/put?lang=fr")
        assert status == 200 and "HttpOnly" in headers["Set-Cookie"]
        assert json.loads(browser.get(server.port, "/show")[2]) == {"data": {"lang": "fr"}, "new": False}
        browser.get(server.port, "/logout")
        assert browser.cookies == {}


def test_two_processes_share_a_session_through_sqlite(tmp_path, server_process):
    db = str(tmp_path / "shared.sqlite3")
    first = server_process("sqlite", db, SECRET)
    second = server_process("sqlite", db, SECRET)
    assert first.pid != second.pid
    browser = Browser()
    status, _, body = browser.request(first.port, "POST", "/set/colour/teal")
    assert status == 200 and json.loads(body)["pid"] == first.pid
    answer = json.loads(browser.get(second.port, "/get/colour")[2])
    assert answer == {"pid": second.pid, "key": "colour", "value": "teal"}
    counts = [
        json.loads(browser.request(port, "POST", "/count")[2])
        for port in (first.port, second.port, first.port, second.port)
    ]
    assert [c["count"] for c in counts] == [1, 2, 3, 4]
    assert {c["pid"] for c in counts} == {first.pid, second.pid}
    stranger = Browser()
    assert json.loads(stranger.get(second.port, "/get/colour")[2])["value"] is None


# -- Redis -----------------------------------------------------------------------


def test_redis_store_round_trip_and_ttl(redis_url):
    store = RedisSessionStore(url=redis_url)
    client = Client(make_app(store, idle_timeout=600, absolute_timeout=3600))
    sid = session_id(session_cookie(client.get("/put?a=1")))
    assert client.get("/show").json["data"] == {"a": "1"}
    raw = redis.Redis.from_url(redis_url)
    try:
        key = f"clastic:session:{sid}"
        assert json.loads(raw.hget(key, "data")) == {"a": "1"}
        assert 590_000 < raw.pttl(key) <= 600_000  # the idle limit comes first
        client.get("/logout")
        assert raw.exists(key) == 0
    finally:
        raw.close()


def test_redis_idle_expiry_by_the_clock_and_server_ttls(redis_url):
    # Redis expires keys by its own (real) clock; the middleware's fake clock sets those expiry times
    # (it starts at the real time) and decides, by itself, when a session is over. PTTL shows what Redis was told.
    clock = FakeClock()
    store = RedisSessionStore(url=redis_url)
    client = Client(make_app(store, idle_timeout=100, absolute_timeout=None, clock=clock))
    key = f"clastic:session:{session_id(session_cookie(client.get('/put?a=1')))}"
    raw = redis.Redis.from_url(redis_url)
    try:
        assert 95_000 < raw.pttl(key) <= 100_000
        clock.advance(50)
        assert client.get("/show").json["data"] == {"a": "1"}  # a touch: the key now lives 100 s from the fake now
        assert 145_000 < raw.pttl(key) <= 150_000
        clock.advance(100)
        assert client.get("/show").json == {"data": {}, "new": True}
        assert raw.exists(key) == 0  # deleted from Redis, not left to its TTL
    finally:
        raw.close()


def test_redis_touch_never_resurrects_a_deleted_session(redis_url):
    store = RedisSessionStore(url=redis_url)
    store.touch("gone", time.time(), time.time() + 60)
    assert store.load("gone") is None
    raw = redis.Redis.from_url(redis_url)
    try:
        assert raw.exists("clastic:session:gone") == 0
    finally:
        raw.close()


def test_redis_down_is_503_with_a_clear_body(tmp_path, caplog):
    server = RedisServer(tmp_path / "redis")
    try:
        client = Client(make_app(RedisSessionStore(url=server.url, socket_timeout=1)))
        client.get("/put?a=1")
        assert client.get("/show").json["data"] == {"a": "1"}
    finally:
        server.stop()
    with caplog.at_level(logging.ERROR, logger="clastic.middleware.session"):
        resp = client.get("/show", headers={"Accept": "text/plain"})
    assert resp.status_code == 503
    assert "Session storage is temporarily unavailable" in resp.text and "Traceback" not in resp.text
    assert f"Redis session store at 127.0.0.1:{server.port} could not read a session" in caplog.text


def test_redis_unreachable_from_the_start(caplog):
    client = Client(make_app(RedisSessionStore(url=f"redis://127.0.0.1:{free_port()}/0", socket_timeout=1)))
    with caplog.at_level(logging.ERROR):
        assert client.get("/put?a=1").status_code == 503
    assert "could not save a session" in caplog.text


def test_redis_store_needs_a_client_or_url():
    with pytest.raises(TypeError, match="needs a redis client or a url"):
        RedisSessionStore()


def test_two_processes_share_a_session_through_redis(redis_url, server_process):
    first = server_process("redis", redis_url, SECRET)
    second = server_process("redis", redis_url, SECRET)
    browser = Browser()
    browser.request(first.port, "POST", "/set/colour/teal")
    assert json.loads(browser.get(second.port, "/get/colour")[2]) == {
        "pid": second.pid,
        "key": "colour",
        "value": "teal",
    }
    counts = [
        json.loads(browser.request(port, "POST", "/count")[2])["count"]
        for port in (second.port, first.port, second.port)
    ]
    assert counts == [1, 2, 3]


def test_other_secret_does_not_share(tmp_path, server_process):
    db = str(tmp_path / "shared.sqlite3")
    first = server_process("sqlite", db, SECRET)
    other = server_process("sqlite", db, "another secret")
    browser = Browser()
    browser.request(first.port, "POST", "/set/colour/teal")
    assert json.loads(browser.get(other.port, "/get/colour")[2])["value"] is None


def test_session_is_injected_only_where_installed():
    with pytest.raises(NameError, match="'session'"):
        Application(
            [
                GET("/x", show, render_json),
                POST("/y", put, render_json, middlewares=[SessionMiddleware(MemorySessionStore(), secret_key=SECRET)]),
            ]
        )


@settings(max_examples=150, deadline=None)
@given(
    raw=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=';,"\\'), max_size=200)
)
def test_any_session_cookie_text_gives_a_new_session_never_an_error(raw):
    resp = Client(make_app(MemorySessionStore())).get("/show", headers={"Cookie": f"clastic_session={raw}"})
    assert resp.status_code == 200 and resp.json == {"data": {}, "new": True}


def test_sqlite_store_in_a_forked_worker_opens_its_own_connections(tmp_path, monkeypatch):
    # gunicorn --preload: the store is made in the arbiter, then used in forked workers.
    tracker = ConnectionTracker(sqlite3.connect)
    monkeypatch.setattr(sqlite3, "connect", tracker)
    store = SQLiteSessionStore(tmp_path / "s.sqlite3")
    store.save("parent", SessionRecord('{"who": "parent"}', 1.0, 1.0), expires_at=None)
    parents = list(tracker.connections)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+: fork() with threads around
        pid = os.fork()
    if pid == 0:  # the worker: never touch the parent's connections, open its own
        try:
            store.save("child", SessionRecord('{"who": "child"}', 2.0, 2.0), expires_at=None)
            ok = store.load("parent") is not None and len(tracker.connections) > len(parents)
            store.close()
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store.load("child") == SessionRecord('{"who": "child"}', 2.0, 2.0)  # the parent's pool still works
    assert len(tracker.connections) == len(parents)
    store.close()


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_sqlite_creates_its_database_and_wal_files_readable_by_the_owner_only(tmp_path):
    # Sessions are credentials: other local users must not read them, whatever the umask.
    path = tmp_path / "s.sqlite3"
    old_umask = os.umask(0o022)
    try:
        store = SQLiteSessionStore(path)
        store.save("id", SessionRecord('{"user": 1}', 1.0, 1.0), expires_at=None)
        assert store.load("id") == SessionRecord('{"user": 1}', 1.0, 1.0)
        # Checked while a connection is open: SQLite removes -wal and -shm when the last one closes.
        modes = {name: _mode(tmp_path / name) for name in ("s.sqlite3", "s.sqlite3-wal", "s.sqlite3-shm")}
    finally:
        os.umask(old_umask)
    store.close()
    assert modes == {"s.sqlite3": 0o600, "s.sqlite3-wal": 0o600, "s.sqlite3-shm": 0o600}


def test_sqlite_leaves_the_mode_of_an_existing_database_alone(tmp_path):
    # An operator who chose a mode (a group shared by the workers, say) keeps it.
    path = tmp_path / "s.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o640)
    store = SQLiteSessionStore(path)
    store.save("id", SessionRecord("{}", 1.0, 1.0), expires_at=None)
    modes = (_mode(path), _mode(tmp_path / "s.sqlite3-wal"))
    store.close()
    assert modes == (0o640, 0o640)


def test_sqlite_workers_setting_up_a_new_database_at_once_all_succeed(tmp_path):
    # Six worker processes whose first request arrives at the same moment, on a database that does not exist yet.
    imports = (
        "from clastic.middleware.session import SQLiteSessionStore\n"
        "from clastic.middleware._session_store import SessionRecord"
    )
    save = 'SQLiteSessionStore(path).save(f"id{number}", SessionRecord("{}", 1.0, 1.0), None)'
    assert failures_at_once(tmp_path, imports, save) == []
