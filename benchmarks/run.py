"""Time Clastic against Falcon, Flask and Bottle, in one process, interleaved.

Run with ``hatch run bench:run`` (``--quick`` for a short run). Each
framework serves the same cases as an in-process WSGI callable (no sockets):

* hello: ``GET /`` returning a short text body;
* params: ``GET /p/<a>/<b:int>`` with two URL fields;
* first of 1,000 and last of 1,000 routes (``/route0/<x>`` ... ``/route999/<x>``);
* 404 among 1,000 routes;
* hello behind 3 pass-through middlewares;
* building a 1,000-route application (milliseconds, not microseconds).

Rounds alternate between frameworks so that machine noise hits all alike;
each reported number is the median of the rounds' mean time per request.
Timings never pass or fail the test suite.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

N_ROUTES = 1000


def environ_for(path: str, method: str = "GET") -> dict[str, Any]:
    from werkzeug.test import create_environ

    return create_environ(path, method=method)


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
    return lambda data: None


# -- apps -------------------------------------------------------------------


def clastic_apps() -> dict[str, Callable[..., Any]]:
    from clastic import Application, Middleware, render_basic

    class PassThrough(Middleware):
        def request(self, next):
            return next()

    def hello():
        return "Hello, World!"

    def params(a, b):
        return f"{a} {b}"

    def many() -> Any:
        return Application([(f"/route{i}/<x>", hello, render_basic) for i in range(N_ROUTES)])

    return {
        "hello": Application([("/", hello, render_basic), ("/p/<a>/<b:int>", params, render_basic)]),
        "many": many(),
        "middleware": Application([("/", hello, render_basic)], middlewares=[PassThrough(), PassThrough(), PassThrough()]),
        "build": many,
    }


def falcon_apps() -> dict[str, Callable[..., Any]]:
    import falcon

    class Hello:
        def on_get(self, req, resp):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    class Params:
        def on_get(self, req, resp, a, b):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"{a} {b}"

    class PassThrough:
        def process_request(self, req, resp):
            pass

        def process_response(self, req, resp, resource, req_succeeded):
            pass

    def basic(middleware=()):
        app = falcon.App(middleware=list(middleware))
        app.add_route("/", Hello())
        app.add_route("/p/{a}/{b:int}", Params())
        return app

    def many():
        app = falcon.App()
        hello = Hello()
        for i in range(N_ROUTES):
            app.add_route(f"/route{i}/{{x}}", hello)
        app._router.find("/route0/x")  # falcon compiles its router lazily; count that in the build
        return app

    class HelloX:
        def on_get(self, req, resp, x):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    def many_x():
        app = falcon.App()
        hello = HelloX()
        for i in range(N_ROUTES):
            app.add_route(f"/route{i}/{{x}}", hello)
        app._router.find("/route0/x")
        return app

    return {"hello": basic(), "many": many_x(), "middleware": basic([PassThrough(), PassThrough(), PassThrough()]), "build": many}


def flask_apps() -> dict[str, Callable[..., Any]]:
    import flask

    def make(n_middlewares: int = 0):
        app = flask.Flask("bench")
        app.add_url_rule("/", "hello", lambda: "Hello, World!")
        app.add_url_rule("/p/<a>/<int:b>", "params", lambda a, b: f"{a} {b}")
        for _ in range(n_middlewares):
            app.before_request(lambda: None)
        return app

    def many():
        app = flask.Flask("bench_many")
        for i in range(N_ROUTES):
            app.add_url_rule(f"/route{i}/<x>", f"r{i}", lambda x: "Hello, World!")
        with app.test_request_context("/route0/x"):
            pass  # binds the URL map once
        return app

    return {"hello": make(), "many": many(), "middleware": make(3), "build": many}


def bottle_apps() -> dict[str, Callable[..., Any]]:
    import bottle

    def make(n_middlewares: int = 0):
        app = bottle.Bottle()
        app.route("/")(lambda: "Hello, World!")
        app.route("/p/<a>/<b:int>")(lambda a, b: f"{a} {b}")
        for _ in range(n_middlewares):
            app.add_hook("before_request", lambda: None)
        return app

    def many():
        app = bottle.Bottle()
        for i in range(N_ROUTES):
            app.route(f"/route{i}/<x>")(lambda x: "Hello, World!")
        app.router.match({"PATH_INFO": "/route0/x", "REQUEST_METHOD": "GET"})
        return app

    return {"hello": make(), "many": many(), "middleware": make(3), "build": many}


FRAMEWORKS = {"clastic": clastic_apps, "falcon": falcon_apps, "flask": flask_apps, "bottle": bottle_apps}

CASES = [
    ("hello", "hello", "/"),
    ("params", "hello", "/p/abc/42"),
    ("first of 1000", "many", "/route0/x"),
    ("last of 1000", "many", f"/route{N_ROUTES - 1}/x"),
    ("404 of 1000", "many", "/nope/x"),
    ("3 middlewares", "middleware", "/"),
]


def check(app: Callable[..., Any], path: str, expect_404: bool) -> None:
    statuses = []

    def record(status, headers, exc_info=None):
        statuses.append(status)
        return lambda data: None

    body = b"".join(app(environ_for(path), record))
    code = int(statuses[0].split()[0])
    if (code == 404) != expect_404 or (not expect_404 and code != 200):
        raise SystemExit(f"sanity check failed for {path}: {statuses[0]} {body[:80]!r}")


def time_requests(app: Callable[..., Any], path: str, number: int) -> float:
    template = environ_for(path)
    begin = time.perf_counter()
    for _ in range(number):
        for _chunk in app(dict(template), start_response):
            pass
    return (time.perf_counter() - begin) / number


def time_build(factory: Callable[[], Any], number: int) -> float:
    begin = time.perf_counter()
    for _ in range(number):
        factory()
    return (time.perf_counter() - begin) / number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    parser.add_argument("--only", nargs="*", choices=sorted(FRAMEWORKS), help="frameworks to run")
    args = parser.parse_args(argv)
    rounds, number, builds = (5, 2000, 1) if args.quick else (15, 5000, 3)
    names = args.only or list(FRAMEWORKS)
    apps = {name: FRAMEWORKS[name]() for name in names}
    for name, framework in apps.items():
        for _label, key, path in CASES:
            check(framework[key], path, expect_404=path.startswith("/nope"))
    results: dict[tuple[str, str], list[float]] = {}
    gc.disable()
    try:
        for _round in range(rounds):
            for label, key, path in CASES:
                for name in names:
                    results.setdefault((label, name), []).append(time_requests(apps[name][key], path, number))
            for name in names:
                results.setdefault(("build 1000 routes", name), []).append(time_build(apps[name]["build"], builds))
    finally:
        gc.enable()
    print(f"Python {sys.version.split()[0]}; {rounds} rounds x {number} requests; median per request\n")
    header = "| case | " + " | ".join(names) + " | clastic / falcon |"
    print(header)
    print("|" + " --- |" * (len(names) + 2))
    for label in [c[0] for c in CASES] + ["build 1000 routes"]:
        cells = []
        for name in names:
            value = statistics.median(results[(label, name)])
            cells.append(f"{value * 1e3:.1f} ms" if label.startswith("build") else f"{value * 1e6:.2f} µs")
        ratio = ""
        if "clastic" in names and "falcon" in names:
            ratio = f"{statistics.median(results[(label, 'clastic')]) / statistics.median(results[(label, 'falcon')]):.2f}x"
        print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    if "clastic" in names:
        med = {label: statistics.median(results[(label, "clastic")]) for label in [c[0] for c in CASES]}
        print()
        print(f"clastic last-of-1000 / first-of-1000: {med['last of 1000'] / med['first of 1000']:.2f}x (target <= 1.3x)")
        print(f"clastic 404-of-1000 / hello: {med['404 of 1000'] / med['hello']:.2f}x (target <= 2x)")
        build = statistics.median(results[("build 1000 routes", "clastic")]) * 1e3
        print(f"clastic build 1000 routes: {build:.0f} ms (target < 200 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
