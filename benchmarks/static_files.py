"""Time static file serving: clastic-static against Flask (Werkzeug's send_file) and Falcon.

Run with ``hatch run bench:python benchmarks/static_files.py`` (``--quick``
for a short run). Each framework serves the same directory as an
in-process WSGI callable (no sockets, no ``wsgi.file_wrapper``, so every
body is read and iterated in Python, as under Werkzeug's dev server):

* clastic: ``Application([('/static', StaticApplication(folder))])``;
* flask: ``Flask(static_folder=folder)``, whose static view is
  ``send_from_directory``, i.e. Werkzeug's ``send_file``;
* falcon: ``falcon.App().add_static_route('/static', folder)``.

Cases: a small stylesheet (2 KiB) and a 10 MiB binary file, each requested
with ``GET`` and its body consumed, plus the small file revalidated with
``If-None-Match`` (304) where the framework sends an ETag. Rounds alternate
between frameworks so machine noise hits all alike; each number is the
median over rounds of the mean time per request, and the ratios are against
Flask and Falcon measured in the same run. Timings never pass or fail the
test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import falcon
from flask import Flask
from werkzeug.test import create_environ

from _timing import interleaved_medians
from clastic import Application
from clastic.static import StaticApplication

SMALL = "site.css"
LARGE = "video.bin"
LARGE_SIZE = 10 * 1024 * 1024


def write_files(folder: Path) -> dict[str, bytes]:
    small = ("body { margin: 0 auto; max-width: 60rem; font-family: sans-serif; }\n" * 30).encode()[:2048]
    large = os.urandom(LARGE_SIZE)
    (folder / SMALL).write_bytes(small)
    (folder / LARGE).write_bytes(large)
    return {SMALL: small, LARGE: large}


def build_apps(folder: Path) -> dict[str, Callable[..., Any]]:
    flask_app = Flask("bench_static", static_folder=str(folder), static_url_path="/static")
    falcon_app = falcon.App()
    falcon_app.add_static_route("/static", str(folder))
    return {
        "clastic": Application([("/static", StaticApplication(str(folder)))]),
        "flask": flask_app.wsgi_app,
        "falcon": falcon_app,
    }


class Reply:
    """What one in-process request produced."""

    def __init__(self, status: str, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def call(app: Callable[..., Any], environ: dict[str, Any], keep: bool = False) -> Reply | None:
    """Run one request through *app* like a server: start, iterate the body, close.

    *environ* is a template built once per case and copied per request, so
    building it (tens of microseconds in Werkzeug's test helpers) is not timed.
    """
    started: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        started["status"], started["headers"] = status, dict(response_headers)
        return lambda data: None

    body = app(environ.copy(), start_response)
    chunks = []
    try:
        for chunk in body:
            if keep:
                chunks.append(chunk)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return Reply(started["status"], started["headers"], b"".join(chunks)) if keep else None


def make_cases(apps: dict[str, Callable[..., Any]], files: dict[str, bytes]) -> dict[str, dict[str, Callable[[], Any]]]:
    cases: dict[str, dict[str, Callable[[], Any]]] = {"small file": {}, "10 MiB file": {}, "small file, 304": {}}
    for name, app in apps.items():
        for case, filename in (("small file", SMALL), ("10 MiB file", LARGE)):
            environ = create_environ(f"/static/{filename}")
            reply = call(app, environ, keep=True)
            if reply is None or not reply.status.startswith("200") or reply.body != files[filename]:
                raise SystemExit(f"{name} did not serve {filename} correctly: {reply and reply.status}")
            cases[case][name] = lambda app=app, environ=environ: call(app, environ)
        first = call(app, create_environ(f"/static/{SMALL}"), keep=True)
        etag = first.headers.get("ETag") if first is not None else None
        if etag:
            environ = create_environ(f"/static/{SMALL}", headers={"If-None-Match": etag})
            check = call(app, environ, keep=True)
            if check is None or not check.status.startswith("304"):
                raise SystemExit(f"{name} did not answer If-None-Match with 304: {check and check.status}")
            cases["small file, 304"][name] = lambda app=app, environ=environ: call(app, environ)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else 11
    numbers = (
        {"small file": 300, "10 MiB file": 5, "small file, 304": 300}
        if args.quick
        else {
            "small file": 2000,
            "10 MiB file": 20,
            "small file, 304": 2000,
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder))
        apps = build_apps(Path(folder))
        cases = make_cases(apps, files)
        print(f"Python {sys.version.split()[0]}; {rounds} rounds; median of per-round means; in-process WSGI")
        for case, funcs in cases.items():
            number = numbers[case]
            medians = interleaved_medians(funcs, rounds, number)
            print(f"\n{case} ({number} requests per round):")
            for name, median in medians.items():
                ratios = "   ".join(
                    f"{median / medians[peer]:5.2f}x {peer}"
                    for peer in ("flask", "falcon")
                    if peer in medians and peer != name
                )
                print(f"  {name:<8} {median * 1e6:10.1f} us   {ratios}")
            missing = sorted(set(apps) - set(funcs))
            if missing:
                print(f"  (no ETag, so no 304 case: {', '.join(missing)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
