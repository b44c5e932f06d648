"""A small app with server-side sessions, run as a separate process by the session tests.

Usage: ``python session_server.py sqlite PATH SECRET`` or ``python session_server.py redis URL SECRET``.
It binds 127.0.0.1 on a free port and writes ``PORT <n>`` as its first line on stdout.
"""

from __future__ import annotations

import logging
import os
import sys

from werkzeug.serving import make_server

from clastic import GET, POST, Application, render_json
from clastic.middleware.session import RedisSessionStore, SessionMiddleware, SQLiteSessionStore


def show(session, key):
    return {"pid": os.getpid(), "key": key, "value": session.get(key)}


def store_value(session, key, value):
    session[key] = value
    return {"pid": os.getpid(), "stored": {key: value}}


def count(session):
    session["count"] = session.get("count", 0) + 1
    return {"pid": os.getpid(), "count": session["count"]}


def create_app(kind: str, target: str, secret: str) -> Application:
    store = SQLiteSessionStore(target) if kind == "sqlite" else RedisSessionStore(url=target)
    sessions = SessionMiddleware(store, secret_key=secret)
    return Application(
        [
            GET("/get/<key>", show, render_json),
            POST("/set/<key>/<value>", store_value, render_json),
            POST("/count", count, render_json),
        ],
        middlewares=[sessions],
    )


def main(argv: list[str]) -> None:
    kind, target, secret = argv
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # stderr is a pipe nobody drains
    server = make_server("127.0.0.1", 0, create_app(kind, target, secret), threaded=True)
    sys.stdout.write(f"PORT {server.server_port}\n")
    sys.stdout.flush()
    server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main(sys.argv[1:])
