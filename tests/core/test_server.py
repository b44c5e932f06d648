"""The development server (``serve``, dev mounts, request logging) and production serving under gunicorn."""

from __future__ import annotations

import contextlib
import http.client
import inspect
import json
import logging
import os
import pty
import re
import select
import shlex
import sys
import urllib.request
from pathlib import Path

import pytest
from cli_fixtures.devproc import DevProcess, child_env, clastic_script, fetch, run_clastic, write_plugin_distribution

from clastic import GET, Application, Middleware, Response, render_basic
from clastic.errors import ErrorHandler
from clastic.server import command_line_overrides, discover_dev_mounts, make_dev_app, serve
from clastic.wrappers import Request
from net_helpers import free_port, wait_until


class Mount:
    """A DevMount for tests: fixed entries, a name."""

    def __init__(self, name, entries):
        self.name = name
        self._entries = entries
        self.seen_options = None

    def entries(self, options):
        self.seen_options = dict(options)
        return self._entries


def tools_app():
    return Application([GET("/", lambda: "tools", render_basic), GET("/ping", lambda: "pong", render_basic)])


def user_app(**kwargs):
    return Application(
        [
            GET("/", lambda: "home", render_basic),
            GET("/ping", lambda: "the user's ping", render_basic),
            GET("/static/app.css", lambda: "the user's css", render_basic),
        ],
        **kwargs,
    )


# -- make_dev_app ----------------------------------------------------------------


def test_mounts_are_added_to_a_new_application_and_the_users_is_unchanged():
    app = user_app()
    before = [route.pattern for route in app.routes]
    mount = Mount("tools", [(("/_tools", tools_app()), None)])
    dev = make_dev_app(app, mounts=[mount], use_debugger=False)
    assert dev is not app
    assert [route.pattern for route in app.routes] == before
    assert [route.pattern for route in dev.routes] == [*before, "/_tools/", "/_tools/ping"]
    client = dev.get_local_client()
    assert client.get("/").text == "home"
    assert client.get("/_tools/").text == "tools"
    assert client.get("/_tools/ping").text == "pong"
    assert client.get("/ping").text == "the user's ping"
    assert mount.seen_options["static_prefix"] == "/static"
    assert mount.seen_options["static_path"] == os.path.abspath("static")


def test_building_twice_never_mounts_twice():
    app = user_app()
    mount = Mount("tools", [(("/_tools", tools_app()), None)])
    first = make_dev_app(app, mounts=[mount])
    second = make_dev_app(app, mounts=[mount])
    for dev in (first, second):
        assert [route.pattern for route in dev.routes].count("/_tools/ping") == 1
    assert len(app.routes) == 3


def test_index_zero_puts_a_mount_before_the_users_routes():
    static = Application([GET("/app.css", lambda: "mounted css", render_basic)])
    dev = make_dev_app(user_app(), mounts=[Mount("assets", [(("/static", static), 0)])])
    assert dev.routes[0].pattern == "/static/app.css" and dev.routes[0].endpoint is static.routes[0].endpoint
    assert dev.get_local_client().get("/static/app.css").text == "mounted css"
    appended = make_dev_app(user_app(), mounts=[Mount("assets", [(("/static", static), None)])])
    assert appended.get_local_client().get("/static/app.css").text == "the user's css"


def test_use_name_false_turns_a_mount_off_and_missing_satellites_are_named(caplog):
    caplog.set_level(logging.INFO, logger="clastic.server")
    app = user_app()
    dev = make_dev_app(app, mounts=[Mount("meta", [(("/_meta", tools_app()), None)])], use_meta=False)
    assert dev is app  # nothing to add: the Application itself is served
    assert " * meta: turned off" in caplog.text
    caplog.clear()
    assert make_dev_app(app, mounts=[]) is app
    assert " * meta: install clastic-meta for the /_meta/ introspection pages (pip install clastic-meta)" in caplog.text
    assert " * static: install clastic-static for static files (pip install clastic-static)" in caplog.text
    caplog.clear()
    make_dev_app(app, mounts=[], use_meta=False, use_static=False)
    assert "install" not in caplog.text


def test_a_mount_the_application_already_serves_is_not_added_again(caplog):
    caplog.set_level(logging.INFO, logger="clastic.server")
    app = Application([("/_tools", tools_app())])
    dev = make_dev_app(app, mounts=[Mount("tools", [(("/_tools", tools_app()), None)])])
    assert dev is not app and [route.pattern for route in dev.routes] == ["/_tools/", "/_tools/ping"]
    assert "tools: the application already serves /_tools; not mounting it again" in caplog.text


def test_broken_mounts_are_skipped_with_a_message(caplog):
    class Failing:
        name = "failing"

        def entries(self, options):
            raise ValueError("no configuration")

    caplog.set_level(logging.INFO, logger="clastic.server")
    bad_entry = Mount("weird", [(object(), None)])
    misshapen = Mount("misshapen", [(("/_x", tools_app()), None, "extra")])
    mounts = [Failing(), bad_entry, misshapen, Mount("tools", [(("/_tools", tools_app()), None)])]
    dev = make_dev_app(user_app(), mounts=mounts)
    assert " * failing: not mounted, its entries() failed: ValueError: no configuration" in caplog.text
    assert " * misshapen: not mounted, its entries() failed: ValueError: too many values to unpack" in caplog.text
    assert " * weird: could not be mounted: could not create a route from" in caplog.text
    assert dev.get_local_client().get("/_tools/").text == "tools"


def test_the_dev_app_keeps_the_users_handler_middlewares_resources_and_request_type():
    seen = []

    class Recorder(Middleware):
        def request(self, next, request):
            seen.append(request.path)
            return next()

    class TeapotHandler(ErrorHandler):
        def render_error(self, request, _error):
            return Response(f"custom {_error.code}", status=_error.code)

    class MyRequest(Request):
        flavour = "mine"

    handler = TeapotHandler()
    app = Application(
        [GET("/kind", lambda request, db: f"{request.flavour} {db}", render_basic)],
        resources={"db": "sqlite"},
        middlewares=[Recorder()],
        error_handler=handler,
    )
    app.request_type = MyRequest
    dev = make_dev_app(app, mounts=[Mount("tools", [(("/_tools", tools_app()), None)])])
    client = dev.get_local_client()
    assert client.get("/kind").text == "mine sqlite"
    missing = client.get("/nowhere")
    # 404s still pass through the user's app-level middleware and error handler.
    assert missing.status_code == 404 and missing.text == "custom 404"
    assert seen == ["/kind", "/nowhere"]
    assert dev.error_handler is handler


def test_debugger_gets_a_reraising_copy_of_the_handler():
    app = user_app()
    dev = make_dev_app(app, mounts=[], use_debugger=True, use_meta=False, use_static=False)
    assert dev is not app
    assert dev.error_handler.reraise_uncaught is True and app.error_handler.reraise_uncaught is False
    assert type(dev.error_handler) is type(app.error_handler)


def test_the_debugger_warns_that_a_duck_typed_handler_keeps_its_exceptions(caplog):
    class Handler:
        """An error handler by protocol only: it has no reraise_uncaught to switch on."""

        not_found_type = ErrorHandler.not_found_type
        method_not_allowed_type = ErrorHandler.method_not_allowed_type
        wsgi_wrapper = None

        def render_error(self, _error):
            return _error

        def uncaught_to_response(self, _application, _route, **kwargs):
            return Response("handled", status=500)

    handler = Handler()
    app = Application([GET("/boom", lambda: 1 / 0, render_basic)], error_handler=handler)
    with caplog.at_level(logging.WARNING, logger="clastic.server"):
        dev = make_dev_app(app, mounts=[], use_debugger=True, use_meta=False, use_static=False)
    assert dev.error_handler is handler
    assert "the debugger sees only the exceptions Handler lets through" in caplog.text


def test_make_dev_app_rejects_bad_arguments():
    with pytest.raises(TypeError, match=r"make_dev_app\(\) needs a clastic Application, got 'app'"):
        make_dev_app("app")
    with pytest.raises(ValueError, match=r"static_prefix must name a URL path such as 'static', got '/'"):
        make_dev_app(user_app(), static_prefix="/", mounts=[])


MOUNT_PLUGIN = """
from clastic import Application, GET, render_basic


class ToolsMount:
    name = "tools"

    def entries(self, options):
        if not options.get("use_tools", True):
            return []
        app = Application([GET("/ping", lambda: "pong from the tools mount", render_basic)])
        return [(("/_tools", app), None)]
"""


def test_dev_mounts_are_discovered_through_entry_points(tmp_path, monkeypatch):
    site = write_plugin_distribution(
        tmp_path / "site",
        "clastic_tools_mount",
        MOUNT_PLUGIN,
        {"clastic.dev_mounts": {"tools": "clastic_tools_mount:ToolsMount"}},
    )
    monkeypatch.syspath_prepend(str(site))
    mounts = {mount.name: mount for mount in discover_dev_mounts()}
    assert type(mounts["tools"]).__name__ == "ToolsMount"  # the class was instantiated
    app = Application([GET("/", lambda: "home", render_basic)])
    dev = make_dev_app(app, use_meta=False, use_static=False)
    assert dev.get_local_client().get("/_tools/ping").text == "pong from the tools mount"
    assert make_dev_app(app, use_meta=False, use_static=False, use_tools=False) is app


BROKEN_MOUNT_PLUGIN = """
class CrashingMount:
    name = "crashing"

    def __init__(self):
        raise RuntimeError("plugin init failed")

    def entries(self, options):
        return []
"""


def test_a_dev_mount_class_that_fails_to_instantiate_is_skipped(tmp_path, monkeypatch, caplog):
    site = write_plugin_distribution(
        tmp_path / "site",
        "clastic_crash_mount",
        BROKEN_MOUNT_PLUGIN,
        {"clastic.dev_mounts": {"crashing": "clastic_crash_mount:CrashingMount"}},
    )
    monkeypatch.syspath_prepend(str(site))
    caplog.set_level(logging.WARNING, logger="clastic.server")
    assert "crashing" not in {mount.name for mount in discover_dev_mounts()}
    assert (
        "skipping clastic.dev_mounts plugin 'crashing' (clastic_crash_mount:CrashingMount): "
        "creating it failed: RuntimeError: plugin init failed" in caplog.text
    )
    app = Application([GET("/", lambda: "home", render_basic)])
    assert make_dev_app(app, use_meta=False, use_static=False).get_local_client().get("/").text == "home"


# -- serve() arguments -------------------------------------------------------------


def test_serve_rejects_bad_arguments_before_binding():
    app = user_app()
    with pytest.raises(TypeError, match=r"serve\(\) needs a clastic Application, got <function"):
        serve(tools_app)
    with pytest.raises(TypeError, match=r"serve\(\): port must be an int such as 5000, got '5000' \(str\)"):
        serve(app, port="5000")
    with pytest.raises(ValueError, match=r"serve\(\): port must be between 0 and 65535, got 70000"):
        serve(app, port=70000)
    with pytest.raises(ValueError, match=r"serve\(\): processes must be a positive int or None, got 0"):
        serve(app, processes=0)
    with pytest.raises(
        TypeError, match=r"unexpected keyword argument 'reloader_intervall'.*Did you mean 'reloader_interval'\?"
    ):
        serve(app, reloader_intervall=0.5)
    with pytest.raises(TypeError, match=r"address must be a host name or IP address string"):
        serve(app, address=None)
    with pytest.raises(ValueError, match=r"static_prefix must name a URL path such as 'static', got '/'"):
        serve(app, static_prefix="/")


# -- serve() in a real process --------------------------------------------------------

SCRIPT = """
import sys
from clastic import Application, GET, render_basic


def boom():
    raise RuntimeError("kaboom")


app = Application([
    GET("/hello/<name>", lambda name: f"Hello, {name}!", render_basic),
    GET("/boom", boom, render_basic),
    GET("/handler", lambda: repr(app.error_handler.reraise_uncaught), render_basic),
    GET("/routes", lambda _application: " ".join(r.pattern for r in _application.routes) + f" | {len(app.routes)}",
        render_basic),
])

if __name__ == "__main__":
    options = dict(port=int(sys.argv[1]), use_reloader=False)
    options.update(eval(sys.argv[2]) if len(sys.argv) > 2 else {})
    app.serve(**options)
"""


@pytest.fixture
def script(tmp_path):
    (tmp_path / "app.py").write_text(SCRIPT)
    return tmp_path


def test_serve_on_loopback_with_one_line_request_logs(script, tmp_path):
    port = free_port()
    with DevProcess([sys.executable, "app.py", str(port)], cwd=script, log_dir=tmp_path / "logs") as server:
        reply = server.wait_for(f"http://127.0.0.1:{port}/hello/World", lambda r: r.status == 200)
        assert reply.body == "Hello, World!"
        assert fetch(f"http://127.0.0.1:{port}/missing").status == 404
        wait_until(
            lambda: '"GET /missing HTTP/1.1" 404' in server.stderr,
            what="the request log line of GET /missing",
            timeout=10,
            details=lambda: server.stderr,
        )
        log = server.stderr
    assert f"Running on http://127.0.0.1:{port}" in log  # the default address is loopback
    lines = [line for line in log.splitlines() if "HTTP/1.1" in line]
    assert len(lines) == 2
    stamp = r"\[\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d\]"
    assert re.fullmatch(rf'127\.0\.0\.1 - - {stamp} "GET /hello/World HTTP/1\.1" 200 -', lines[0]), lines[0]
    assert re.fullmatch(rf'127\.0\.0\.1 - - {stamp} "GET /missing HTTP/1\.1" 404 -', lines[1]), lines[1]
    assert "\x1b[" not in log  # not a terminal: no colour anywhere, Werkzeug's banner included


def test_request_logs_are_coloured_on_a_terminal(script, tmp_path):
    port = free_port()
    leader, follower = pty.openpty()
    output = b""

    def read_terminal() -> bool:
        """Read what the server wrote to the terminal so far; true once the /missing line is there."""
        nonlocal output
        while select.select([leader], [], [], 0)[0]:
            try:
                output += os.read(leader, 65536)
            except OSError:  # the terminal closed: nothing more will come
                return True
        return b"/missing" in output

    try:
        env = child_env(TERM="xterm")
        args = [sys.executable, "app.py", str(port)]
        with DevProcess(args, cwd=script, log_dir=tmp_path / "logs", env=env, stderr_fd=follower) as server:
            os.close(follower)
            follower = -1
            server.wait_for(f"http://127.0.0.1:{port}/hello/tty", lambda r: r.status == 200)
            fetch(f"http://127.0.0.1:{port}/missing")
            wait_until(
                read_terminal,
                what="the request log line of GET /missing on the terminal",
                timeout=10,
                details=lambda: output.decode("utf-8", "replace"),
            )
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    text = output.decode("utf-8", "replace")
    missing = next(line for line in text.splitlines() if "/missing" in line)
    assert missing.startswith("\x1b[33m") and missing.rstrip().endswith("\x1b[0m")  # 404 in yellow
    ok = next(line for line in text.splitlines() if "/hello/tty" in line)
    assert "\x1b[" not in ok  # 200 stays plain


MOUNTED_TWICE = (
    SCRIPT.split("if __name__")[0]
    + """
import threading

ports = [int(port) for port in sys.argv[1:3]]
options = dict(use_reloader=False, use_meta=False, use_static=False)
servers = [threading.Thread(target=app.serve, kwargs=dict(port=port, **options), daemon=True) for port in ports]
for server in servers:
    server.start()
for server in servers:
    server.join()
"""
)


def test_serving_twice_mounts_once_each_time(tmp_path):
    site = write_plugin_distribution(
        tmp_path / "site",
        "clastic_tools_mount",
        MOUNT_PLUGIN,
        {"clastic.dev_mounts": {"tools": "clastic_tools_mount:ToolsMount"}},
    )
    (tmp_path / "twice.py").write_text(MOUNTED_TWICE)
    ports = [free_port(), free_port()]
    with DevProcess(
        [sys.executable, "twice.py", *map(str, ports)], cwd=tmp_path, log_dir=tmp_path / "logs", env=child_env([site])
    ) as server:
        for port in ports:
            reply = server.wait_for(f"http://127.0.0.1:{port}/routes", lambda r: r.status == 200)
            patterns, user_count = reply.body.split(" | ")
            assert patterns.split() == ["/hello/<name>", "/boom", "/handler", "/routes", "/_tools/ping"]
            assert user_count == "4"  # the user's Application was not changed
            assert fetch(f"http://127.0.0.1:{port}/_tools/ping").body == "pong from the tools mount"
        assert server.stderr.count(" * tools: mounted at /_tools") == 2


def test_debugger_sees_uncaught_exceptions(script, tmp_path):
    port = free_port()
    args = [sys.executable, "app.py", str(port), "dict(use_debugger=True)"]
    with DevProcess(args, cwd=script, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"http://127.0.0.1:{port}/hello/x", lambda r: r.status == 200)
        boom = fetch(f"http://127.0.0.1:{port}/boom")
        assert boom.status == 500
        assert "Werkzeug Debugger" in boom.body and "RuntimeError: kaboom" in boom.body
        assert fetch(f"http://127.0.0.1:{port}/handler").body == "False"  # the user's handler is untouched


def test_without_debugger_the_error_handler_answers(script, tmp_path):
    port = free_port()
    with DevProcess([sys.executable, "app.py", str(port)], cwd=script, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"http://127.0.0.1:{port}/hello/x", lambda r: r.status == 200)
        boom = fetch(f"http://127.0.0.1:{port}/boom", headers={"Accept": "text/plain"})
        assert boom.status == 500 and "Werkzeug Debugger" not in boom.body and "kaboom" not in boom.body


def test_clastic_serve_with_the_installed_meta_and_static_mounts(tmp_path):
    # Integration with the workspace's satellites, which register their dev mounts.
    pytest.importorskip("clastic.meta")
    pytest.importorskip("clastic.static")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "site.css").write_text("body { color: teal }")
    (tmp_path / "web.py").write_text(SCRIPT)
    port = free_port()
    args = [
        clastic_script(),
        "serve",
        "web:app",
        "-p",
        str(port),
        "--no-reload",
        "--static-path",
        "assets",
        "--static-prefix",
        "files",
    ]
    with DevProcess(args, cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"http://127.0.0.1:{port}/hello/x", lambda r: r.status == 200)
        assert fetch(f"http://127.0.0.1:{port}/files/site.css").body == "body { color: teal }"
        meta = fetch(f"http://127.0.0.1:{port}/_meta/")
        assert meta.status == 200 and "/hello/&lt;name&gt;" in meta.body  # the meta pages see the served app
        assert " * meta: mounted at /_meta/" in server.stderr and " * static: mounted at /files" in server.stderr


def test_command_line_options_replace_values_and_only_turn_features_off():
    argv = [
        "--port",
        "8001",
        "--address",
        "::1",
        "--no-meta",
        "--no-reloader",
        "--static-prefix",
        "assets",
        "extra",
        "--verbose",
    ]
    assert command_line_overrides(argv) == {
        "port": 8001,
        "address": "::1",
        "static_prefix": "assets",
        "use_meta": False,
        "use_reloader": False,
    }
    assert command_line_overrides(["--no-wsgi-lint"]) == {"use_lint": False}
    assert command_line_overrides(["positional", "--other=1"]) == {}  # the script's own arguments are left alone
    assert command_line_overrides(["--no-static", "--no-debugger", "--processes", "2", "--static-path", "x"]) == {
        "use_static": False,
        "use_debugger": False,
        "processes": 2,
        "static_path": "x",
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "http"], "port must be a number from 0 to 65535, got 'http'"),
        (["--port", "70000"], "port must be a number from 0 to 65535, got 70000"),
        (["--processes", "0"], "expected a whole number of at least 1, got '0'"),
    ],
)
def test_bad_command_line_values_end_with_a_usage_error(argv, message, capsys):
    with pytest.raises(SystemExit, match=r"^2$"):  # argparse's usage-error status
        command_line_overrides(argv)
    assert message in capsys.readouterr().err


PLAIN_SCRIPT = (
    SCRIPT.split("if __name__")[0]
    + """
if __name__ == "__main__":
    app.serve()
"""
)


def test_a_scripts_command_line_sets_the_port_and_turns_meta_off(tmp_path):
    # `python app.py --port N` for a script that calls app.serve() with no arguments.
    pytest.importorskip("clastic.meta")
    (tmp_path / "app.py").write_text(PLAIN_SCRIPT)
    port = free_port()
    args = [sys.executable, "app.py", "--port", str(port), "--no-reloader", "--no-meta"]
    with DevProcess(args, cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        reply = server.wait_for(f"http://127.0.0.1:{port}/hello/argv", lambda r: r.status == 200)
        assert reply.body == "Hello, argv!"
        assert fetch(f"http://127.0.0.1:{port}/_meta/").status == 404
        assert "Restarting with" not in server.stderr  # --no-reloader: one process, no reloader
        assert f"port={port}" in server.stderr and "use_meta=False" in server.stderr


def test_listening_beyond_loopback_is_announced_with_a_warning(tmp_path):
    (tmp_path / "app.py").write_text(PLAIN_SCRIPT)
    port = free_port()
    args = [sys.executable, "app.py", "--address", "0.0.0.0", "--port", str(port), "--no-reloader", "--no-meta"]
    with DevProcess(args, cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"http://127.0.0.1:{port}/hello/all", lambda r: r.status == 200)
        log = server.stderr
    assert " * Listening on 0.0.0.0: the development server is reachable from other machines" in log


def test_serve_keeps_the_documented_positional_order():
    # app.serve('0.0.0.0', 5000, True, False) meant use_lint=False in the documents; it still does.
    documented = [
        "address",
        "port",
        "use_meta",
        "use_lint",
        "use_reloader",
        "use_debugger",
        "use_static",
        "static_prefix",
        "static_path",
        "processes",
    ]
    assert list(inspect.signature(Application.serve).parameters) == ["self", "args", "kwargs"]  # forwards everything
    assert list(inspect.signature(serve).parameters)[1:-1] == documented


LINT_SCRIPT = """
import sys
from clastic import Application, GET, RerouteWSGI, render_basic


def bad_wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["text, not bytes"]


def raw():
    raise RerouteWSGI(bad_wsgi)


app = Application([GET("/ok", lambda: "fine", render_basic), GET("/raw", raw)])

if __name__ == "__main__":
    lint = sys.argv[2] == "lint"
    options = {"use_lint": True} if lint else {}
    app.serve(port=int(sys.argv[1]), use_reloader=False, use_meta=False, use_static=False, **options)
"""


@pytest.mark.parametrize(
    ("mode", "flags", "linted"),
    [("lint", [], True), ("lint", ["--no-wsgi-lint"], False), ("default", [], False)],
)
def test_wsgi_lint_reports_violations_when_asked(tmp_path, mode, flags, linted):
    (tmp_path / "lintapp.py").write_text(LINT_SCRIPT)
    port = free_port()
    args = [sys.executable, "lintapp.py", str(port), mode, *flags]
    with DevProcess(args, cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        assert server.wait_for(f"http://127.0.0.1:{port}/ok", lambda r: r.status == 200).body == "fine"
        assert fetch(f"http://127.0.0.1:{port}/ok", method="HEAD").status == 200  # correct HTTP: no report
        assert fetch(f"http://127.0.0.1:{port}/ok", method="OPTIONS").status == 204
        # The server cannot send a str body and drops the connection mid-response.
        with contextlib.suppress(http.client.HTTPException, OSError):
            fetch(f"http://127.0.0.1:{port}/raw")
        wait_until(
            lambda: '"GET /raw' in server.stderr,
            what="the request log line of GET /raw",
            timeout=10,
            details=lambda: server.stderr,
        )
        log = server.stderr
    assert ("WSGIWarning" in log and "requires 'bytes', got 'str'" in log) is linted, log
    assert "Content-Length and the number of bytes sent" not in log and "204 responses" not in log


# -- production: gunicorn -----------------------------------------------------------

DEPLOYMENT_DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def documented_gunicorn_example():
    """The ``myapp.py`` block and the first ``gunicorn`` command of docs/deployment.md."""
    text = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", text, flags=re.DOTALL)
    module = next(body for lang, body in blocks if lang == "python" and body.startswith("# myapp.py"))
    command = next(
        line for lang, body in blocks if lang == "sh" for line in body.splitlines() if line.startswith("gunicorn ")
    )
    return module, command


def test_gunicorn_serves_the_documented_app(tmp_path):
    module, command = documented_gunicorn_example()
    (tmp_path / "myapp.py").write_text(module)
    check = run_clastic(["check", "myapp:create_app()"], cwd=tmp_path)  # the documented pre-deployment check
    assert (check.returncode, check.stdout.strip()) == (0, "myapp:create_app(): OK, 4 routes build, none shadowed")
    port = free_port()
    assert "--workers 2" in command and "127.0.0.1:8000" in command
    args = shlex.split(command.replace("127.0.0.1:8000", f"127.0.0.1:{port}"))
    args[0] = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    args[1:1] = ["--graceful-timeout", "2"]
    with DevProcess(args, cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        reply = server.wait_for(f"http://127.0.0.1:{port}/hello/gunicorn", lambda r: r.status == 200)
        assert reply.body == "Hello, gunicorn!"
        assert fetch(f"http://127.0.0.1:{port}/").body == "Hello, world!"
        workers = {json.loads(fetch(f"http://127.0.0.1:{port}/status").body)["worker"] for _ in range(20)}
        assert workers and server.proc.pid not in workers  # workers answer, not the arbiter
        echo = urllib.request.Request(f"http://127.0.0.1:{port}/echo", data=b"payload", method="POST")
        with urllib.request.urlopen(echo, timeout=5) as response:
            assert response.read() == b"payload"
        assert fetch(f"http://127.0.0.1:{port}/nowhere").status == 404
        wait_until(
            lambda: server.stderr.count("Booting worker with pid") >= 2,
            what="gunicorn to boot its second worker",
            timeout=15,
            details=lambda: server.stderr,
        )
        assert server.stderr.count("Booting worker with pid") == 2
