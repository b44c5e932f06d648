"""MemoryStore and SQLiteStore: the same bucket semantics, and safety under concurrency."""

from __future__ import annotations

import gc
import logging
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from clastic_ratelimit import BucketStore, MemoryStore, SQLiteStore
from clastic_ratelimit.stores import TABLE

NOW = 1_700_000_000.0


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    if request.param == "memory":
        yield MemoryStore()
        return
    sqlite_store = SQLiteStore(tmp_path / "buckets.db")
    yield sqlite_store
    sqlite_store.close()


def take(store, key="client", *, now=NOW, rate=1.0, burst=3.0, cost=1.0, scope="default"):
    return store.take(scope, key, now=now, rate=rate, burst=burst, cost=cost)


def test_stores_follow_the_protocol(store):
    assert isinstance(store, BucketStore)


def test_burst_then_refusal_with_time_to_wait(store):
    decisions = [take(store) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2.0, 1.0, 0.0, 0.0]
    assert decisions[3].retry_after == pytest.approx(1.0)
    assert decisions[2].reset_after == pytest.approx(3.0)


def test_tokens_come_back_at_the_rate(store):
    for _ in range(3):
        take(store, rate=0.5)
    assert not take(store, rate=0.5, now=NOW + 1.9).allowed
    later = take(store, rate=0.5, now=NOW + 2.0)
    assert later.allowed
    assert later.remaining == pytest.approx(0.0)
    refilled = take(store, rate=0.5, now=NOW + 100)
    assert refilled.remaining == pytest.approx(2.0)


def test_refused_requests_do_not_spend_tokens(store):
    for _ in range(3):
        take(store)
    for _ in range(10):
        assert not take(store, now=NOW + 0.5).allowed
    assert take(store, now=NOW + 1.0).allowed


def test_high_rates_survive_timestamp_rounding(store):
    # At 1.7e9 s a float timestamp is only exact to ~2e-7 s: 0.2 tokens at 1e6/s.
    decisions = [take(store, rate=1_000_000.0, burst=5.0) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]


def test_keys_and_scopes_are_separate(store):
    assert take(store, "a", burst=1).allowed
    assert not take(store, "a", burst=1).allowed
    assert take(store, "b", burst=1).allowed
    assert take(store, "a", burst=1, scope="other").allowed


def test_buckets_lists_emptiest_first_with_tokens(store):
    take(store, "light")
    for _ in range(3):
        take(store, "heavy")
    take(store, "elsewhere", scope="other")
    buckets = store.buckets("default")
    assert [b.key for b in buckets] == ["heavy", "light"]
    assert [b.tokens(NOW) for b in buckets] == [0.0, 2.0]
    assert buckets[0].seconds_to_full(NOW + 1) == pytest.approx(2.0)
    assert {b.scope for b in store.buckets()} == {"default", "other"}


def test_reset_refills_named_keys_or_a_whole_scope(store):
    for key in ("a", "b", "c"):
        for _ in range(3):
            take(store, key)
    take(store, "a", scope="other")
    assert store.reset("default", ["a", "missing"]) == 1
    assert take(store, "a").allowed
    assert not take(store, "b").allowed
    assert store.reset("default") == 3
    assert [b.scope for b in store.buckets()] == ["other"]


def test_prune_forgets_only_full_buckets(store):
    take(store, "quick", rate=10.0)
    for _ in range(3):
        take(store, "slow", rate=0.01)
    assert store.prune(NOW + 1) == 1
    assert [b.key for b in store.buckets()] == ["slow"]


def test_threads_never_spend_a_token_twice(store):
    allowed = []
    lock = threading.Lock()

    def worker():
        mine = sum(take(store, burst=100.0, rate=1e-9).allowed for _ in range(40))
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(allowed) == 100


def test_memory_store_forgets_full_buckets_first_when_full(caplog):
    store = MemoryStore(max_buckets=4)
    take(store, "done", rate=100.0)  # full again 0.01 s later
    for key in ("a", "b", "c"):
        take(store, key, rate=0.01)
    with caplog.at_level(logging.WARNING):
        take(store, "d", now=NOW + 1, rate=0.01)
    assert sorted(b.key for b in store.buckets()) == ["a", "b", "c", "d"]
    assert not caplog.records
    with caplog.at_level(logging.WARNING):
        take(store, "e", now=NOW + 2, rate=0.01)  # five clients, none full: the closest to full go
    assert sorted(b.key for b in store.buckets()) == ["c", "d", "e"]
    assert "more than max_buckets=4 clients; forgetting the 2 closest to full" in caplog.text


def test_memory_store_rejects_a_bad_size():
    with pytest.raises(ValueError, match="max_buckets must be a positive integer, got 0"):
        MemoryStore(max_buckets=0)


def test_sqlite_store_keeps_buckets_across_store_objects(tmp_path):
    path = tmp_path / "keep.db"
    first = SQLiteStore(path)
    for _ in range(3):
        take(first)
    first.close()
    second = SQLiteStore(path)
    try:
        assert not take(second).allowed
        assert [b.key for b in second.buckets()] == ["client"]
    finally:
        second.close()


def test_sqlite_store_prunes_on_its_own(tmp_path):
    store = SQLiteStore(tmp_path / "auto.db", prune_every=5)
    try:
        for index in range(4):
            take(store, f"client{index}", rate=100.0)
        assert len(store.buckets()) == 4
        take(store, "late", now=NOW + 10)
        assert [b.key for b in store.buckets()] == ["late"]
    finally:
        store.close()


def test_sqlite_store_dropped_without_close_closes_its_connections(tmp_path, monkeypatch):
    # An app holding the store goes away without calling close(): Python 3.13 would
    # otherwise report each connection the garbage collector finds still open.
    opened = []
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    store = SQLiteStore(tmp_path / "dropped.db")
    take(store)
    worker = threading.Thread(target=take, args=(store, "other"))  # a second thread, a second connection
    worker.start()
    worker.join()
    assert len(opened) == 2
    del store
    gc.collect()
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="Cannot operate on a closed database"):
            conn.execute("SELECT 1")


@pytest.mark.parametrize("path", [":memory:", "file::memory:?cache=shared"])
def test_sqlite_store_refuses_in_memory_databases(path):
    with pytest.raises(ValueError, match=r"needs a database file.*use MemoryStore\(\)"):
        SQLiteStore(path)


def test_sqlite_store_without_create_refuses_foreign_files(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    conn.close()
    with pytest.raises(LookupError, match=rf"has no {TABLE} table: it is not a clastic-ratelimit SQLite store"):
        SQLiteStore(path, create=False)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("users",)]
    conn.close()


# What run_together() puts before each script: wait_for_go() marks the process ready in the
# barrier folder (argv[2]), then waits for "go", so that all of them start together.
WAIT_FOR_GO = textwrap.dedent(
    """
    import os, sys, time
    def wait_for_go():
        open(os.path.join(sys.argv[2], str(os.getpid())), "w").close()
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(sys.argv[2], "go")) and time.monotonic() < deadline:
            time.sleep(0.005)
    """
)

WORKER = textwrap.dedent(
    """
    import sys, time
    from clastic_ratelimit import SQLiteStore
    store = SQLiteStore(sys.argv[1], timeout=30)
    wait_for_go()
    allowed = sum(
        store.take("default", "shared", now=time.time(), rate=1e-6, burst=60.0, cost=1.0).allowed for _ in range(40)
    )
    store.close()
    print(allowed)
    """
)

# Workers that start together and open a database nobody has created yet.
OPENER = textwrap.dedent(
    """
    import sys, time
    from clastic_ratelimit import SQLiteStore
    wait_for_go()
    store = SQLiteStore(sys.argv[1])
    print(int(store.take("default", "k", now=time.time(), rate=1e-6, burst=60.0, cost=1.0).allowed))
    store.close()
    """
)


def run_together(script, path, barrier, count):
    """Run *script* in *count* processes that start their work at the same moment; return their outputs."""
    barrier.mkdir()
    command = [sys.executable, "-c", WAIT_FOR_GO + script, str(path), str(barrier)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    workers = [subprocess.Popen(command, **pipes) for _ in range(count)]
    outputs = []
    try:
        deadline = time.monotonic() + 60
        while len(list(barrier.iterdir())) < len(workers) and time.monotonic() < deadline:
            assert all(worker.poll() is None for worker in workers), "a worker exited before the start"
            time.sleep(0.01)
        (barrier / "go").touch()
        for worker in workers:
            out, err = worker.communicate(timeout=60)
            assert worker.returncode == 0, err
            outputs.append(int(out))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
    return outputs


def test_sqlite_store_is_exact_across_processes(tmp_path):
    path = tmp_path / "shared.db"
    SQLiteStore(path).close()
    outputs = run_together(WORKER, path, tmp_path / "barrier", 4)  # all four hammer together, once all are ready
    assert sum(outputs) == 60


@pytest.mark.parametrize("trial", range(3))
def test_sqlite_store_workers_creating_a_new_file_at_once_all_start(tmp_path, trial):
    # Switching a new file to WAL can be refused outright while another process does the same.
    assert run_together(OPENER, tmp_path / "new.db", tmp_path / "barrier", 6) == [1] * 6


FORKER = textwrap.dedent(
    """
    import os, sys, time
    from clastic_ratelimit import SQLiteStore
    store = SQLiteStore(sys.argv[1])
    assert store.take("default", "k", now=time.time(), rate=1e-6, burst=2.0, cost=1.0).allowed
    pid = os.fork()
    if pid == 0:
        ok = store.take("default", "k", now=time.time(), rate=1e-6, burst=2.0, cost=1.0).allowed
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    print(store.take("default", "k", now=time.time(), rate=1e-6, burst=2.0, cost=1.0).allowed)
    store.close()
    """
)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_sqlite_store_reconnects_after_fork(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", FORKER, str(tmp_path / "fork.db")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"  # parent, child, then the third take is refused
