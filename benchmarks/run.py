"""Time Clastic against Falcon, Flask, Bottle and a raw WSGI callable, in one process.

Run with ``hatch run bench:run`` (``--quick`` for a short run). Each
framework serves the same cases as an in-process WSGI callable (no sockets),
from an environ that carries an ``Accept`` header as real clients send:

* hello: ``GET /`` returning a short text body;
* params: ``GET /p/<a>/<b:int>`` with two URL fields;
* json: ``GET /json`` returning a small dict through ``render_json`` (Clastic),
  ``resp.media`` (Falcon), a returned dict (Flask and Bottle) and
  ``json.dumps`` (raw WSGI), each with its framework's default options;
* first of 1,000 and last of 1,000 routes (``/route0/<x>`` ... ``/route999/<x>``);
* 404 among 1,000 routes, once with ``Accept: */*`` and once with the
  ``Accept`` header a current browser sends;
* hello behind 3 pass-through middlewares (Clastic ``Middleware``, Falcon
  middleware objects, Flask and Bottle ``before_request`` hooks, WSGI wrappers);
* building a 1,000-route application (milliseconds, not microseconds).

The raw WSGI callable routes by hand (a dict lookup or a split of the path):
it is the floor that no framework can beat, not a framework.

Every response body is consumed and closed, as a WSGI server does. Rounds
alternate between frameworks, case by case, so that machine noise hits all
alike. Each reported time is the best round's mean time per request (other
processes only add time), each ratio divides two such times, and the targets
table adds the median and range of the ratios measured within each round.
The garbage collector is paused during a round and run between rounds.
Timings never pass or fail the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

N_ROUTES = 1000
HELLO = "Hello, World!"
PAYLOAD = {"message": HELLO, "id": 42, "tags": ["fast", "small"], "ok": True}
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)

WSGIApp = Callable[..., Any]


def environ_for(path: str, accept: str = "*/*", method: str = "GET") -> dict[str, Any]:
    """Return a WSGI environ for *path* with the given ``Accept`` header."""
    from werkzeug.test import create_environ

    return create_environ(path, method=method, headers={"Accept": accept})


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
    """Accept the status and headers, as a server would, and discard them."""
    return _write


def _write(data: bytes) -> None:
    pass


# -- apps -------------------------------------------------------------------


def clastic_apps() -> dict[str, Any]:
    from clastic import Application, Middleware, render_basic, render_json

    class PassThrough(Middleware):
        def request(self, next):
            return next()

    def hello():
        return HELLO

    def hello_x(x):
        return HELLO

    def params(a, b):
        return f"{a} {b}"

    def payload():
        return dict(PAYLOAD)

    def many() -> Any:
        return Application([(f"/route{i}/<x>", hello_x, render_basic) for i in range(N_ROUTES)])

    basic = Application(
        [("/", hello, render_basic), ("/p/<a>/<b:int>", params, render_basic), ("/json", payload, render_json)]
    )
    middleware = Application([("/", hello, render_basic)], middlewares=[PassThrough(), PassThrough(), PassThrough()])
    return {"basic": basic, "many": many(), "middleware": middleware, "build": many}


def falcon_apps() -> dict[str, Any]:
    import falcon

    class Hello:
        def on_get(self, req, resp):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = HELLO

    class HelloX:
        def on_get(self, req, resp, x):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = HELLO

    class Params:
        def on_get(self, req, resp, a, b):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"{a} {b}"

    class Payload:
        def on_get(self, req, resp):
            resp.media = dict(PAYLOAD)

    class PassThrough:
        def process_request(self, req, resp):
            pass

        def process_response(self, req, resp, resource, req_succeeded):
            pass

    def basic(middleware=()):
        app = falcon.App(middleware=list(middleware))
        app.add_route("/", Hello())
        app.add_route("/p/{a}/{b:int}", Params())
        app.add_route("/json", Payload())
        return app

    def many():
        app = falcon.App()
        hello = HelloX()
        for i in range(N_ROUTES):
            app.add_route(f"/route{i}/{{x}}", hello)
        app._router.find("/route0/x")  # Falcon compiles its router lazily; count that in the build
        return app

    return {
        "basic": basic(),
        "many": many(),
        "middleware": basic([PassThrough(), PassThrough(), PassThrough()]),
        "build": many,
    }


def flask_apps() -> dict[str, Any]:
    import flask

    def make(n_hooks: int = 0):
        app = flask.Flask("bench")
        app.add_url_rule("/", "hello", lambda: HELLO)
        app.add_url_rule("/p/<a>/<int:b>", "params", lambda a, b: f"{a} {b}")
        app.add_url_rule("/json", "json", lambda: dict(PAYLOAD))
        for _ in range(n_hooks):
            app.before_request(lambda: None)
        return app

    def many():
        app = flask.Flask("bench_many")
        for i in range(N_ROUTES):
            app.add_url_rule(f"/route{i}/<x>", f"r{i}", lambda x: HELLO)
        with app.test_request_context("/route0/x"):
            pass  # binds the URL map once
        return app

    return {"basic": make(), "many": many(), "middleware": make(3), "build": many}


def bottle_apps() -> dict[str, Any]:
    import bottle

    def make(n_hooks: int = 0):
        app = bottle.Bottle()
        app.route("/")(lambda: HELLO)
        app.route("/p/<a>/<b:int>")(lambda a, b: f"{a} {b}")
        app.route("/json")(lambda: dict(PAYLOAD))
        for _ in range(n_hooks):
            app.add_hook("before_request", lambda: None)
        return app

    def many():
        app = bottle.Bottle()
        for i in range(N_ROUTES):
            app.route(f"/route{i}/<x>")(lambda x: HELLO)
        app.router.match({"PATH_INFO": "/route0/x", "REQUEST_METHOD": "GET"})
        return app

    return {"basic": make(), "many": many(), "middleware": make(3), "build": many}


def _respond(start: Callable[..., Any], status: str, body: bytes, content_type: str) -> list[bytes]:
    start(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


_TEXT = "text/plain; charset=utf-8"
_NOT_FOUND = b"Not Found"


def wsgi_apps() -> dict[str, Any]:
    """Hand-routed WSGI callables: the floor under every framework."""
    hello_body = HELLO.encode()

    def basic(environ, start):
        path = environ["PATH_INFO"]
        if path == "/":
            return _respond(start, "200 OK", hello_body, _TEXT)
        if path == "/json":
            return _respond(start, "200 OK", json.dumps(PAYLOAD).encode(), "application/json")
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "p" and parts[3].isdigit():
            return _respond(start, "200 OK", f"{parts[2]} {int(parts[3])}".encode(), _TEXT)
        return _respond(start, "404 Not Found", _NOT_FOUND, _TEXT)

    def many():
        table = {f"route{i}" for i in range(N_ROUTES)}

        def app(environ, start):
            parts = environ["PATH_INFO"].split("/")
            if len(parts) == 3 and parts[1] in table and parts[2]:
                return _respond(start, "200 OK", hello_body, _TEXT)
            return _respond(start, "404 Not Found", _NOT_FOUND, _TEXT)

        return app

    def pass_through(app):
        def wrapper(environ, start):
            return app(environ, start)

        return wrapper

    middleware = pass_through(pass_through(pass_through(basic)))
    return {"basic": basic, "many": many(), "middleware": middleware, "build": None}


FRAMEWORKS = {
    "clastic": clastic_apps,
    "falcon": falcon_apps,
    "flask": flask_apps,
    "bottle": bottle_apps,
    "wsgi": wsgi_apps,
}

# (label, app, path, Accept, expected status)
CASES = [
    ("hello", "basic", "/", "*/*", 200),
    ("params", "basic", "/p/abc/42", "*/*", 200),
    ("json", "basic", "/json", "*/*", 200),
    ("first of 1000", "many", "/route0/x", "*/*", 200),
    ("last of 1000", "many", f"/route{N_ROUTES - 1}/x", "*/*", 200),
    ("404 of 1000, */*", "many", "/nope/x", "*/*", 404),
    ("404 of 1000, browser", "many", "/nope/x", BROWSER_ACCEPT, 404),
    ("3 middlewares", "middleware", "/", "*/*", 200),
]
BUILD = "build 1000 routes"


def check(app: WSGIApp, label: str, path: str, accept: str, expected: int) -> None:
    """Fail loudly unless *app* answers *path* with the *expected* status and body."""
    statuses: list[str] = []

    def record(status, headers, exc_info=None):
        statuses.append(status)
        return _write

    result = app(environ_for(path, accept), record)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    code = int(statuses[0].split()[0])
    if code != expected:
        raise SystemExit(f"sanity check failed for {label} ({path}): {statuses[0]} {body[:80]!r}")
    if label == "json" and json.loads(body) != PAYLOAD:
        raise SystemExit(f"sanity check failed for json: {body[:80]!r}")
    if expected == 200 and label != "json" and body not in (HELLO.encode(), b"abc 42"):
        raise SystemExit(f"sanity check failed for {label} ({path}): {body[:80]!r}")


def time_requests(app: WSGIApp, environ: dict[str, Any], number: int) -> float:
    """Return the mean seconds per request of *app* over *number* requests."""
    begin = time.perf_counter()
    for _ in range(number):
        result = app(environ.copy(), start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return (time.perf_counter() - begin) / number


def time_build(factory: Callable[[], Any], number: int) -> float:
    """Return the mean seconds one call of *factory* takes."""
    begin = time.perf_counter()
    for _ in range(number):
        factory()
    return (time.perf_counter() - begin) / number


# Cases compared within one framework are timed next to each other.
MEASURE_ORDER = [
    "hello",
    "3 middlewares",
    "404 of 1000, */*",
    "404 of 1000, browser",
    "first of 1000",
    "last of 1000",
    "params",
    "json",
]


def run(names: list[str], rounds: int, number: int, build_rounds: int) -> dict[tuple[str, str], list[float]]:
    """Time every case for every framework, interleaved; return the per-round samples.

    A round times each case for every framework in turn (the order rotates
    every round), so the samples compared in a ratio are taken moments
    apart. Builds are timed once per round in the first *build_rounds* rounds.
    """
    apps = {name: FRAMEWORKS[name]() for name in names}
    for name in names:
        for label, key, path, accept, expected in CASES:
            check(apps[name][key], label, path, accept, expected)
    environs = {label: environ_for(path, accept) for label, _key, path, accept, _expected in CASES}
    samples: dict[tuple[str, str], list[float]] = {}
    for name in names:  # warm up caches and lazy imports
        for label, key, *_rest in CASES:
            time_requests(apps[name][key], environs[label], max(1, number // 10))
    keys = {label: key for label, key, *_rest in CASES}
    if sorted(keys) != sorted(MEASURE_ORDER):
        raise SystemExit("MEASURE_ORDER must list every case of CASES once")
    for index in range(rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        gc.collect()
        gc.disable()  # collected between rounds, never inside a sample
        try:
            for label in MEASURE_ORDER:
                for name in order:
                    samples.setdefault((label, name), []).append(
                        time_requests(apps[name][keys[label]], environs[label], number)
                    )
            for name in order:
                if index < build_rounds and apps[name]["build"] is not None:
                    samples.setdefault((BUILD, name), []).append(time_build(apps[name]["build"], 1))
        finally:
            gc.enable()
        if (index + 1) % 5 == 0 or index + 1 == rounds:
            print(f"round {index + 1}/{rounds} done", file=sys.stderr, flush=True)
    return samples


# -- report -----------------------------------------------------------------


def paired(samples: dict[tuple[str, str], list[float]], top: tuple[str, str], bottom: tuple[str, str]) -> list[float]:
    """Return the ratios top/bottom measured within each round."""
    return [a / b for a, b in zip(samples[top], samples[bottom], strict=True)]


def machine() -> str:
    """Describe the machine: CPU model, core count, load, Python and the peers' versions."""
    from importlib.metadata import PackageNotFoundError, version

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = []
    for dist in ("clastic-core", "werkzeug", "falcon", "flask", "bottle"):
        with contextlib.suppress(PackageNotFoundError):
            versions.append(f"{dist} {version(dist)}")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{datetime.date.today().isoformat()}; {model}, {os.cpu_count()} CPUs (load {load}); "
        f"{platform.python_implementation()} {sys.version.split()[0]}; " + ", ".join(versions)
    )


def _fmt_time(label: str, value: float) -> str:
    return f"{value * 1e3:.1f} ms" if label == BUILD else f"{value * 1e6:.2f} µs"


def report(samples: dict[tuple[str, str], list[float]], names: list[str]) -> list[str]:
    """Return the Markdown tables: times, ratios to Falcon, within-framework ratios, the targets.

    Times are the best round's mean per request: other processes only ever
    add time, so on a shared machine the best round is the closest to the
    code's own cost. Ratios divide two such best times. The targets table
    adds, as a cross-check, the median and range of the ratios taken within
    each round.
    """
    best = {key: min(values) for key, values in samples.items()}
    lines: list[str] = []
    labels = [case[0] for case in CASES] + [BUILD]
    lines.append("| case | " + " | ".join(names) + " |")
    lines.append("|" + " --- |" * (len(names) + 1))
    for label in labels:
        cells = [_fmt_time(label, best[(label, n)]) if (label, n) in best else "—" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    if "falcon" in names:
        peers = [n for n in names if n != "falcon"]
        lines += ["", "Each framework / Falcon:", ""]
        lines.append("| case | " + " | ".join(f"{n} / falcon" for n in peers) + " |")
        lines.append("|" + " --- |" * (len(peers) + 1))
        for label in labels:
            cells = [f"{best[(label, n)] / best[(label, 'falcon')]:.2f}×" if (label, n) in best else "—" for n in peers]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines += ["", "Within each framework:", ""]
    lines.append("| | " + " | ".join(names) + " |")
    lines.append("|" + " --- |" * (len(names) + 1))
    rows = [
        ("404 `*/*` / hello", "404 of 1000, */*", "hello"),
        ("404 browser / hello", "404 of 1000, browser", "hello"),
        ("last / first of 1000", "last of 1000", "first of 1000"),
    ]
    for title, top, bottom in rows:
        lines.append(f"| {title} | " + " | ".join(f"{best[(top, n)] / best[(bottom, n)]:.2f}×" for n in names) + " |")
    costs = [(best[("3 middlewares", n)] - best[("hello", n)]) * 1e6 for n in names]
    lines.append("| 3 middlewares − hello | " + " | ".join(f"{c:+.2f} µs" for c in costs) + " |")

    if "clastic" in names:
        lines += ["", "Clastic against the targets of issue 16:", ""]
        lines += ["| target | best / best | per-round, median (range) | met |", "| --- | --- | --- | --- |"]

        def target(title: str, top: tuple[str, str], bottom: tuple[str, str], limit: float) -> None:
            value = best[top] / best[bottom]
            rounds = paired(samples, top, bottom)
            spread = f"{statistics.median(rounds):.2f}× ({min(rounds):.2f}–{max(rounds):.2f})"
            lines.append(f"| {title} ≤ {limit}× | {value:.2f}× | {spread} | {'yes' if value <= limit else 'no'} |")

        if "falcon" in names:
            for label in ("hello", "params", "json"):
                target(f"{label} / Falcon", (label, "clastic"), (label, "falcon"), 1.0)
        for title, top, bottom in rows[:2]:
            target(title, (top, "clastic"), (bottom, "clastic"), 1.5)
        target("last / first of 1000", ("last of 1000", "clastic"), ("first of 1000", "clastic"), 1.1)
        if "flask" in names:
            target("build 1000 routes / Flask", (BUILD, "clastic"), (BUILD, "flask"), 0.3)
        extra = (best[("3 middlewares", "clastic")] - best[("hello", "clastic")]) * 1e6
        rounds = [
            (a - b) * 1e6
            for a, b in zip(samples[("3 middlewares", "clastic")], samples[("hello", "clastic")], strict=True)
        ]
        spread = f"{statistics.median(rounds):+.2f} µs ({min(rounds):+.2f}–{max(rounds):+.2f})"
        lines.append(
            f"| 3 pass-through middlewares add ≤ 1 µs | {extra:+.2f} µs | {spread} | {'yes' if extra <= 1 else 'no'} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 rounds of 500 requests instead of 40 of 1,000")
    parser.add_argument("--only", nargs="*", choices=list(FRAMEWORKS), help="frameworks to run (default: all)")
    args = parser.parse_args(argv)
    rounds, number, build_rounds = (10, 500, 3) if args.quick else (40, 1000, 10)
    names = [name for name in FRAMEWORKS if name in (args.only or FRAMEWORKS)]
    started = machine()
    samples = run(names, rounds, number, build_rounds)
    print(started)
    print(
        f"{rounds} rounds × {number} requests per case ({build_rounds} rounds of builds), interleaved; load at the end "
        + " ".join(f"{value:.2f}" for value in os.getloadavg())
        + "\n"
    )
    print("\n".join(report(samples, names)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
