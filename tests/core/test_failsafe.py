"""Fail-safe reloading: the dev server survives broken code, shows the error and comes back.

The end-to-end tests run real servers (``python app.py`` and ``clastic
serve``) on 127.0.0.1, break a file, read the fail-safe page over HTTP, fix
the file and see the application again, on the same port.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from cli_fixtures.devproc import DevProcess, clastic_script, fetch, rewrite

from clastic._dev.failsafe import FAILSAFE_HEADER, LoadFailure, create_failsafe_app
from net_helpers import free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "core"

VIEWS = """
def home():
    return "home page"


def hello(name):
    return f"Hello, {name}!"
"""

APP = """
import sys

from clastic import Application, render_basic

import views


def create_app():
    return Application([("/", views.home, render_basic), ("/hello/<name>", views.hello, render_basic)])


app = create_app()

if __name__ == "__main__":
    app.serve(port=int(sys.argv[1]), reloader_interval=0.1, use_meta=False, use_static=False)
"""


def is_failsafe(reply):
    return reply.headers.get(FAILSAFE_HEADER) == "1"


def is_app(expected):
    return lambda reply: reply.status == 200 and reply.body == expected and not is_failsafe(reply)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "views.py").write_text(VIEWS)
    (root / "app.py").write_text(APP)
    return root


def reloading_serve(target, port):
    """The command line of ``clastic serve TARGET`` on *port*, reloading every 0.1 s, app routes only."""
    args = ["serve", target, "--port", str(port), "--reload-interval", "0.1", "--no-meta", "--no-static"]
    return [clastic_script(), *args]


def failsafe_json(server, url):
    reply = server.wait_for(url, is_failsafe, headers={"Accept": "application/json"})
    assert reply.status == 500 and reply.headers["Content-Type"] == "application/json"
    return json.loads(reply.body)


def test_syntax_error_cycle_with_python_app_py(project, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with DevProcess([sys.executable, "app.py", str(port)], cwd=project, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"{base}/hello/you", is_app("Hello, you!"))

        rewrite(project / "views.py", VIEWS.replace("def hello(name):", "def hello(name:"))
        page = server.wait_for(f"{base}/hello/you", is_failsafe)
        assert page.status == 500 and page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<h1>SyntaxError</h1>" in page.body
        assert "Your application failed to load" in page.body
        assert "Traceback (most recent call last):" in page.body
        assert f"File &quot;{project / 'views.py'}&quot;" in page.body
        assert '<tr class="hit"><td class="num">6</td><td><code>def hello(name:</code></td></tr>' in page.body
        assert "Watched files" in page.body
        assert f"<li><code>{project / 'app.py'}</code></li>" in page.body
        assert f"<li><code>{project / 'views.py'}</code></li>" in page.body

        data = failsafe_json(server, f"{base}/anything/else?x=1")
        assert data["error"] == "SyntaxError"
        assert data["location"] == {"file": str(project / "views.py"), "line": 6}
        assert str(project / "app.py") in data["watched_files"] and str(project / "views.py") in data["watched_files"]
        # Every method and path gets the page.
        assert is_failsafe(fetch(f"{base}/", method="POST"))
        assert is_failsafe(fetch(f"{base}/", method="DELETE"))

        rewrite(project / "views.py", VIEWS.replace("Hello", "Hello again"))
        server.wait_for(f"{base}/hello/you", is_app("Hello again, you!"))
    assert "The application failed to load: SyntaxError: '(' was never closed (views.py, line 6)" in server.stderr


def test_name_error_at_build_cycle_with_clastic_serve(project, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = reloading_serve("app:create_app()", port)
    with DevProcess(args, cwd=project, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"{base}/", is_app("home page"))

        # An endpoint argument nothing provides: the Application refuses to build.
        rewrite(
            project / "views.py",
            VIEWS.replace('def hello(name):\n    return f"Hello, {name}!"', "def hello(nmae):\n    return nmae"),
        )
        data = failsafe_json(server, f"{base}/hello/you")
        assert data["error"] == "clastic.exceptions.UnresolvedArgumentError"
        assert (
            "route '/hello/<name>': hello() needs 'nmae'" in data["message"]
            and "Did you mean 'name'?" in data["message"]
        )
        assert data["location"]["file"] == str(project / "app.py")
        assert "Traceback (most recent call last):" in data["traceback"]
        text = fetch(f"{base}/", headers={"Accept": "text/plain"})
        assert text.status == 500 and text.body.startswith("The application failed to load")
        assert "UnresolvedArgumentError" in text.body and f"  {project / 'views.py'}" in text.body

        rewrite(project / "views.py", VIEWS)
        server.wait_for(f"{base}/hello/back", is_app("Hello, back!"))


def test_clastic_serve_starts_on_the_failsafe_page_when_broken_from_the_start(project, tmp_path):
    rewrite(project / "views.py", "from helpers import shout\n" + VIEWS.replace('"home page"', 'shout("home page")'))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = reloading_serve("app:app", port)
    with DevProcess(args, cwd=project, log_dir=tmp_path / "logs") as server:
        data = failsafe_json(server, f"{base}/")
        assert data["error"] == "ModuleNotFoundError"
        assert data["message"] == "No module named 'helpers'"
        assert data["location"] == {"file": str(project / "views.py"), "line": 1}
        # The loader's own frames are left out: the traceback starts in the user's code.
        assert f"_dev{os.sep}target.py" not in data["traceback"] and "importlib" not in data["traceback"]
        assert str(project) + "/" in data["watched_files"]  # the folder, where the missing module will appear

        # Creating the missing module (no watched file is edited) brings the app back.
        (project / "helpers.py").write_text("def shout(text):\n    return text.upper()\n")
        server.wait_for(f"{base}/", is_app("HOME PAGE"))
        rewrite(project / "views.py", VIEWS)
        server.wait_for(f"{base}/", is_app("home page"))

        # It stays fail-safe through later breakages too.
        rewrite(project / "app.py", APP.replace("import views", "import views\nundefined_name"))
        data = failsafe_json(server, f"{base}/")
        assert data["error"] == "NameError" and "undefined_name" in data["message"]
        rewrite(project / "app.py", APP)
        server.wait_for(f"{base}/", is_app("home page"))


def test_ctrl_c_stops_the_server_while_it_shows_the_failsafe_page(project, tmp_path):
    rewrite(project / "views.py", "def broken(:\n")
    port = free_port()
    args = [clastic_script(), "serve", "app:app", "--port", str(port), "--no-meta", "--no-static"]
    with DevProcess(args, cwd=project, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"http://127.0.0.1:{port}/", is_failsafe)
        status = server.stop(signal.SIGINT, timeout=10)
    assert status == 0, server.stderr
    assert "KeyboardInterrupt" not in server.stderr and "Traceback" not in server.stderr


def test_a_server_process_that_fails_although_the_app_loads_stops_the_server(tmp_path):
    # The server process exits with status 4 before serving, but a fresh
    # import of the app works: nothing to show, so the reloader stops too.
    (tmp_path / "odd.py").write_text(
        "import os, sys\n"
        "from clastic import Application, render_basic\n"
        "app = Application([('/', lambda: 'ok', render_basic)])\n"
        "if os.environ.get('WERKZEUG_RUN_MAIN'):\n"
        "    sys.exit(4)\n"
        f"app.serve(port={free_port()}, use_meta=False, use_static=False)\n"
    )
    with DevProcess([sys.executable, "odd.py"], cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        assert server.wait_exit(timeout=30) == 4
    assert "The server process exited with status 4, yet the application loads; stopping" in server.stderr


# -- the fail-safe application itself ------------------------------------------------

SYNTAX_OUTPUT = """\
 * Restarting with stat
Traceback (most recent call last):
  File "{app}", line 2, in <module>
    import views
  File "{views}", line 3
    def hello(:
              ^
SyntaxError: invalid syntax
"""

CHAINED_OUTPUT = """\
Traceback (most recent call last):
  File "{app}", line 4, in <module>
    import yaml
ModuleNotFoundError: No module named 'yaml'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "{app}", line 6, in <module>
    raise RuntimeError("install <yaml>\\nwith pip")
RuntimeError: install <yaml>
with pip
"""


def test_failure_from_syntax_error_output(tmp_path):
    app, views = tmp_path / "app.py", tmp_path / "views.py"
    app.write_text("x\n")
    views.write_text("y\n")
    failure = LoadFailure.from_output(SYNTAX_OUTPUT.format(app=app, views=views), command="python app.py", status=1)
    assert (failure.exc_type, failure.message) == ("SyntaxError", "invalid syntax")
    assert failure.location == (str(views), 3)
    assert failure.files == (str(app), str(views))
    assert failure.traceback.startswith("Traceback (most recent call last):")  # log lines before it are left out
    assert failure.summary == "SyntaxError: invalid syntax (views.py, line 3)"


def test_failure_from_chained_output_keeps_the_whole_chain_and_multiline_messages(tmp_path):
    app = tmp_path / "app.py"
    app.write_text("x\n")
    failure = LoadFailure.from_output(CHAINED_OUTPUT.format(app=app))
    assert failure.exc_type == "RuntimeError"
    assert failure.message == "install <yaml>\nwith pip"
    assert failure.location == (str(app), 6)
    assert "No module named 'yaml'" in failure.traceback


def test_failure_from_output_without_a_traceback():
    failure = LoadFailure.from_output("clastic serve: error: module 'app' has no attribute 'ap'.\n", status=2)
    assert failure.exc_type == "" and failure.message == "clastic serve: error: module 'app' has no attribute 'ap'."
    assert failure.summary == "clastic serve: error: module 'app' has no attribute 'ap'."
    page = create_failsafe_app(failure, [__file__]).get_local_client().get("/", headers={"Accept": "application/json"})
    assert page.json["error"] is None and page.json["message"] == failure.message


def test_failure_from_exception(tmp_path):
    try:
        compile("def f(:\n", str(tmp_path / "bad.py"), "exec")
    except SyntaxError as ex:
        failure = LoadFailure.from_exception(ex)
    assert failure.exc_type == "SyntaxError" and failure.message == "invalid syntax (bad.py, line 1)"
    try:
        {}["missing"]
    except KeyError as ex:
        failure = LoadFailure.from_exception(ex)
    assert failure.exc_type == "KeyError" and failure.location == (__file__, failure.location[1])


def test_failsafe_app_answers_everything_and_escapes_the_error():
    failure = LoadFailure("ValueError", "bad <script>alert(1)</script>", "Traceback...\nValueError: bad <script>", None)
    client = create_failsafe_app(failure, [__file__]).get_local_client()
    for method, path in [("GET", "/"), ("POST", "/a/b/"), ("PUT", "/x?y=1"), ("OPTIONS", "/z")]:
        reply = client.open(path, method=method)
        assert reply.status_code == 500 and reply.headers[FAILSAFE_HEADER] == "1", (method, path)
        assert reply.headers["Cache-Control"] == "no-store"
    html = client.get("/").text
    assert "<script>alert(1)</script>" not in html
    assert "bad &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"<li><code>{__file__}</code></li>" in html
    as_json = client.get("/", headers={"Accept": "application/json"}).json
    assert as_json["message"] == "bad <script>alert(1)</script>" and as_json["watched_files"] == [__file__]
    as_text = client.get("/", headers={"Accept": "text/plain"})
    assert as_text.mimetype == "text/plain" and "ValueError: bad <script>alert(1)</script>" in as_text.text


# -- in a browser ---------------------------------------------------------------------


@pytest.mark.browser
def test_failsafe_page_in_chromium_reloads_itself_when_the_app_is_back(project, tmp_path, chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with DevProcess([sys.executable, "app.py", str(port)], cwd=project, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"{base}/", is_app("home page"))
        rewrite(project / "views.py", VIEWS.replace("def home():", "def home(:"))
        server.wait_for(f"{base}/", is_failsafe)
        context = chromium.new_context(viewport={"width": 1200, "height": 900})
        try:
            page = context.new_page()
            page.goto(f"{base}/")
            assert page.locator("h1").inner_text() == "SyntaxError"
            assert "views.py" in page.locator(".where").inner_text()
            assert page.locator("tr.hit td.num").inner_text() == "2"
            page.screenshot(path=str(ARTIFACTS / "failsafe_page.png"), full_page=True)
            rewrite(project / "views.py", VIEWS.replace("home page", "home page, fixed"))
            page.wait_for_function("document.body.innerText.trim() === 'home page, fixed'", timeout=30_000)
        finally:
            context.close()
