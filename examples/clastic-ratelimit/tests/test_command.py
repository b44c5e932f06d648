"""``clastic ratelimit``: the CommandPlugin, driven as the clastic command line drives it."""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.test import Client

from clastic import Application, render_basic
from clastic.plugins import COMMANDS_GROUP, CommandPlugin, iter_plugins
from clastic_ratelimit import RateLimitCommand, RateLimitMiddleware, SQLiteStore
from clastic_ratelimit.command import command


def make_parser(plugin):
    """Build a ``clastic`` parser the way a command line hosting plugins does."""
    parser = argparse.ArgumentParser(prog="clastic")
    commands = parser.add_subparsers(dest="command", required=True)
    plugin.configure(commands.add_parser("ratelimit", help=plugin.help))
    return parser


def run(plugin, *argv):
    return plugin.run(make_parser(plugin).parse_args(["ratelimit", *argv]))


@pytest.fixture
def plugin(clock):
    return RateLimitCommand(stdout=io.StringIO(), stderr=io.StringIO(), clock=clock)


@pytest.fixture
def database(tmp_path, clock):
    """A SQLite store filled by real traffic from two clients in two scopes."""
    path = tmp_path / "limits.db"
    store = SQLiteStore(path)
    api = RateLimitMiddleware(5, per=50, store=store, clock=clock)
    login = RateLimitMiddleware(2, per=60, store=store, scope="login", clock=clock)
    app = Application([("/", lambda: "ok", render_basic)], middlewares=[api, login])
    client = Client(app)
    for address, count in (("10.0.0.1", 5), ("10.0.0.2", 1)):
        for _ in range(count):
            client.get("/", environ_base={"REMOTE_ADDR": address})
    store.close()
    return path


def test_the_entry_point_names_this_command():
    found = {entry_point.name: obj for entry_point, obj in iter_plugins(COMMANDS_GROUP)}
    assert found["ratelimit"] is command
    assert isinstance(command, CommandPlugin)
    assert "SQLite store" in command.help


def test_show_lists_clients_emptiest_first(plugin, database):
    assert run(plugin, "show", str(database)) == 0
    lines = plugin._stdout.getvalue().splitlines()
    assert lines[0].split() == ["SCOPE", "KEY", "TOKENS", "BURST", "FULL", "IN"]
    rows = [line.split() for line in lines[1:]]
    # 10.0.0.1 sent 5 requests (emptied both buckets); the login scope allows 2.
    assert rows == [
        ["login", "10.0.0.1", "0.0", "2", "60.0s"],
        ["default", "10.0.0.1", "0.0", "5", "50.0s"],
        ["login", "10.0.0.2", "1.0", "2", "30.0s"],
        ["default", "10.0.0.2", "4.0", "5", "10.0s"],
    ]


def test_show_json_for_one_scope(plugin, database, clock):
    clock.advance(20)
    assert run(plugin, "show", str(database), "--scope", "default", "--json") == 0
    assert json.loads(plugin._stdout.getvalue()) == [
        {"scope": "default", "key": "10.0.0.1", "tokens": 2.0, "burst": 5.0, "full_in": 30.0},
    ]


def test_show_with_every_bucket_full(plugin, database, clock):
    clock.advance(3600)
    assert run(plugin, "show", str(database)) == 0
    assert plugin._stdout.getvalue() == "no client has spent tokens recently\n"


def test_reset_refills_named_clients(plugin, database):
    assert run(plugin, "reset", str(database), "10.0.0.1") == 0
    assert plugin._stdout.getvalue() == "refilled 1 bucket in scope 'default'\n"
    store = SQLiteStore(database)
    try:
        assert sorted((b.scope, b.key) for b in store.buckets()) == [
            ("default", "10.0.0.2"),
            ("login", "10.0.0.1"),
            ("login", "10.0.0.2"),
        ]
    finally:
        store.close()


def test_reset_all_of_a_scope(plugin, database):
    assert run(plugin, "reset", str(database), "--all", "--scope", "login") == 0
    assert plugin._stdout.getvalue() == "refilled 2 buckets in scope 'login'\n"


def test_reset_without_keys_or_all_is_refused(plugin, database):
    assert run(plugin, "reset", str(database)) == 2
    assert "reset needs client keys to refill, or --all" in plugin._stderr.getvalue()


def test_prune_deletes_refilled_buckets(plugin, database, clock):
    clock.advance(35)  # 10.0.0.2's buckets are full again
    assert run(plugin, "prune", str(database)) == 0
    assert plugin._stdout.getvalue() == "deleted 2 full buckets\n"


def test_missing_database_is_not_created(plugin, tmp_path):
    missing = tmp_path / "nope.db"
    assert run(plugin, "show", str(missing)) == 2
    assert f"no SQLite database at {str(missing)!r}" in plugin._stderr.getvalue()
    assert not missing.exists()


def test_foreign_or_broken_files_are_refused(plugin, tmp_path):
    foreign = tmp_path / "app.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.commit()
    conn.close()
    assert run(plugin, "show", str(foreign)) == 2
    assert "it is not a clastic-ratelimit SQLite store" in plugin._stderr.getvalue()
    broken = tmp_path / "notes.txt"
    broken.write_text("just some text, long enough to not look like an empty database file" * 10)
    assert run(plugin, "prune", str(broken)) == 2
    assert f"cannot use {str(broken)!r}" in plugin._stderr.getvalue()


def test_help_describes_the_actions(plugin, capsys):
    with pytest.raises(SystemExit) as exited:
        make_parser(plugin).parse_args(["ratelimit", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for action in ("show", "reset", "prune"):
        assert action in out
    assert "In-memory stores live inside the serving process" in out


def _clastic_script() -> Path:
    return Path(sys.executable).parent / ("clastic.exe" if os.name == "nt" else "clastic")


@pytest.mark.skipif(not _clastic_script().exists(), reason="this clastic-core has no `clastic` command line yet")
def test_clastic_command_line_runs_the_subcommand(database):
    script = str(_clastic_script())
    shown = subprocess.run([script, "ratelimit", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "prune" in shown.stdout
    listed = subprocess.run(
        [script, "ratelimit", "show", str(database), "--json"], capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert {row["key"] for row in json.loads(listed.stdout)} <= {"10.0.0.1", "10.0.0.2"}
