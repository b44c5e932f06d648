"""examples/erosion under gunicorn with 2 worker processes sharing one SQLite file."""

from __future__ import annotations

import re
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
from example_helpers import EXAMPLES, Browser

from sqlite_race import failures_at_once

pytestmark = pytest.mark.slow

SUBMISSIONS = 40
CONTENDERS = 12
CLICKS = 30


@pytest.fixture
def gunicorn_erosion(server_process, tmp_path):
    config = tmp_path / "erosion.ini"

    def argv(port):
        config.write_text(f"[erosion]\nhost_url = http://127.0.0.1:{port}\ndb_path = erosion.db\n")
        return [
            sys.executable, "-m", "gunicorn",
            "--workers", "2",
            "--bind", f"127.0.0.1:{port}",
            "--chdir", str(EXAMPLES / "erosion"),
            "--timeout", "30",
            "--graceful-timeout", "5",
            f"app:create_app({str(config)!r})",
        ]  # fmt: skip

    # EROSION_CONFIG too: importing app.py builds its module-level app from it.
    server = server_process(argv, cwd=tmp_path, env={"EROSION_CONFIG": str(config)}, timeout=60)
    return server, tmp_path / "erosion.db"


def test_workers_opening_a_new_database_at_once_all_start(tmp_path):
    # Each gunicorn worker builds the app as it boots, so all open the new SQLite file at the same moment.
    add = 'LinkDB(path).add_link(f"https://example.com/{number}")'
    assert failures_at_once(tmp_path, "from storage import LinkDB", add, paths=[str(EXAMPLES / "erosion")]) == []


def rows(db_path):
    with closing(sqlite3.connect(db_path)) as conn:  # Python 3.13 warns about one left open
        return conn.execute("SELECT alias, target, count FROM links").fetchall()


def test_two_workers_boot(gunicorn_erosion):
    server, _ = gunicorn_erosion
    assert Browser(server.url).get("/").status == 200
    booted = set(re.findall(r"Booting worker with pid: (\d+)", server.output()))
    assert len(booted) == 2, server.output()


def test_concurrent_submissions_lose_no_link(gunicorn_erosion):
    server, db_path = gunicorn_erosion

    def submit(number):
        browser = Browser(server.url, timeout=30)
        alias = f"bulk-{number}" if number % 2 else ""
        form = {"target_url": f"https://example.com/{number}", "new_alias": alias, "expiry_time": "0", "max_count": "0"}
        reply = browser.post("/submit", data=form)
        return reply.status, browser.get("/").text

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(submit, range(SUBMISSIONS)))
    assert [status for status, _ in results] == [303] * SUBMISSIONS
    # Every visitor got the notice for their own link.
    assert all("Successfully created" in page for _, page in results)

    stored = rows(db_path)
    assert sorted(target for _, target, _ in stored) == sorted(f"https://example.com/{n}" for n in range(SUBMISSIONS))
    assert len({alias for alias, _, _ in stored}) == SUBMISSIONS
    browser = Browser(server.url)
    for alias, target, _ in stored:
        reply = browser.get("/" + alias)
        assert (reply.status, reply.headers["Location"]) == (301, target)
    for number in range(1, SUBMISSIONS, 2):
        assert browser.get(f"/bulk-{number}").headers["Location"] == f"https://example.com/{number}"


def test_one_alias_wanted_by_many_is_given_once(gunicorn_erosion):
    server, _db_path = gunicorn_erosion

    def claim(number):
        form = {"target_url": f"https://example.com/claim/{number}", "new_alias": "prize", "expiry_time": "0",
                "max_count": "0"}
        return number, Browser(server.url, timeout=30).post("/submit", data=form).status

    with ThreadPoolExecutor(max_workers=CONTENDERS) as pool:
        outcomes = list(pool.map(claim, range(CONTENDERS)))
    winners = [number for number, status in outcomes if status == 303]
    assert len(winners) == 1, outcomes
    assert sorted(status for _, status in outcomes) == [303] + [409] * (CONTENDERS - 1)
    location = Browser(server.url).get("/prize").headers["Location"]
    assert location == f"https://example.com/claim/{winners[0]}"


def test_concurrent_clicks_are_all_counted(gunicorn_erosion):
    server, db_path = gunicorn_erosion
    form = {"target_url": "https://example.com/popular", "new_alias": "popular", "expiry_time": "0", "max_count": "0"}
    assert Browser(server.url).post("/submit", data=form).status == 303

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: Browser(server.url, timeout=30).get("/popular").status, range(CLICKS)))
    assert statuses == [301] * CLICKS
    assert rows(db_path) == [("popular", "https://example.com/popular", CLICKS)]
