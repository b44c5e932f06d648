"""``clastic ratelimit``: inspect, reset and prune the buckets of a SQLite store.

Registered in the ``clastic.commands`` entry-point group, so the ``clastic``
command line offers it once this distribution is installed::

    clastic ratelimit show ratelimit.db
    clastic ratelimit reset ratelimit.db 203.0.113.7
    clastic ratelimit reset ratelimit.db --all
    clastic ratelimit prune ratelimit.db
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from typing import IO

from clastic_ratelimit.stores import SQLiteStore

__all__ = ["RateLimitCommand", "command"]


class RateLimitCommand:
    """The ``clastic ratelimit`` subcommand (a :class:`clastic.plugins.CommandPlugin`).

    Args:
        stdout: Where results go; ``sys.stdout`` when ``None``.
        stderr: Where problems go; ``sys.stderr`` when ``None``.
        clock: Returns the current time in seconds.
    """

    #: One line for ``clastic --help``.
    help = "show, reset or prune client buckets in a clastic-ratelimit SQLite store"

    def __init__(
        self, stdout: IO[str] | None = None, stderr: IO[str] | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self._stdout = stdout
        self._stderr = stderr
        self.clock = clock

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the ``show``, ``reset`` and ``prune`` actions to *parser*."""
        parser.description = (
            "Inspect the token buckets that RateLimitMiddleware(store=SQLiteStore(path)) keeps in a SQLite file. "
            "In-memory stores live inside the serving process and cannot be reached from here."
        )
        # Every dest starts with "ratelimit_": the namespace is shared with the clastic command's own options.
        actions = parser.add_subparsers(dest="ratelimit_action", metavar="ACTION", required=True)

        show = actions.add_parser(
            "show",
            help="list clients whose bucket is not full",
            description="List clients whose bucket is not full, emptiest first.",
        )
        self._add_database(show)
        show.add_argument(
            "--scope",
            dest="ratelimit_scope",
            metavar="SCOPE",
            help="only this limiter's buckets (default: every scope)",
        )
        show.add_argument("--json", dest="ratelimit_json", action="store_true", help="print JSON instead of a table")

        reset = actions.add_parser(
            "reset",
            help="refill buckets so their clients may send requests again",
            description="Refill the buckets of the given clients, or of every client with --all.",
        )
        self._add_database(reset)
        reset.add_argument(
            "ratelimit_keys", metavar="KEY", nargs="*", help="client keys (addresses, by default) to refill"
        )
        reset.add_argument("--all", dest="ratelimit_all", action="store_true", help="refill every bucket of the scope")
        reset.add_argument(
            "--scope",
            dest="ratelimit_scope",
            metavar="SCOPE",
            default="default",
            help="the limiter's scope (default: %(default)s)",
        )

        prune = actions.add_parser(
            "prune",
            help="delete buckets that have refilled",
            description="Delete buckets that have refilled; they hold no information.",
        )
        self._add_database(prune)

    @staticmethod
    def _add_database(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("ratelimit_db", metavar="DATABASE", help="the SQLite file given to SQLiteStore()")

    def run(self, args: argparse.Namespace) -> int:
        """Run the chosen action; return 0 on success, 2 on a usage or database problem."""
        path = args.ratelimit_db
        if not os.path.isfile(path):
            return self._fail(f"no SQLite database at {path!r}; pass the path given to SQLiteStore()")
        if args.ratelimit_action == "reset" and not args.ratelimit_keys and not args.ratelimit_all:
            return self._fail("reset needs client keys to refill, or --all to refill every bucket of the scope")
        try:
            store = SQLiteStore(path, create=False)
        except (LookupError, sqlite3.DatabaseError) as ex:
            return self._fail(f"cannot use {path!r}: {ex}")
        try:
            if args.ratelimit_action == "show":
                self._show(store, args.ratelimit_scope, args.ratelimit_json)
            elif args.ratelimit_action == "reset":
                keys = None if args.ratelimit_all else args.ratelimit_keys
                count = store.reset(args.ratelimit_scope, keys)
                self._write(f"refilled {count} bucket{'s' if count != 1 else ''} in scope {args.ratelimit_scope!r}\n")
            else:
                count = store.prune(self.clock())
                self._write(f"deleted {count} full bucket{'s' if count != 1 else ''}\n")
        finally:
            store.close()
        return 0

    def _show(self, store: SQLiteStore, scope: str | None, as_json: bool) -> None:
        now = self.clock()
        rows = [
            {
                "scope": b.scope,
                "key": b.key,
                "tokens": round(b.tokens(now), 3),
                "burst": b.burst,
                "full_in": round(b.seconds_to_full(now), 3),
            }
            for b in store.buckets(scope)
            if b.full_at > now
        ]
        if as_json:
            self._write(json.dumps(rows, indent=2) + "\n")
            return
        if not rows:
            self._write("no client has spent tokens recently\n")
            return
        table: list[tuple[str, ...]] = [("SCOPE", "KEY", "TOKENS", "BURST", "FULL IN")]
        table += [
            (str(r["scope"]), str(r["key"]), f"{r['tokens']:.1f}", f"{r['burst']:g}", f"{r['full_in']:.1f}s")
            for r in rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        for row in table:
            self._write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")

    def _write(self, text: str) -> None:
        (self._stdout or sys.stdout).write(text)

    def _fail(self, message: str) -> int:
        (self._stderr or sys.stderr).write(f"clastic ratelimit: {message}\n")
        return 2


#: The object the ``clastic.commands`` entry point names.
command = RateLimitCommand()
