"""The ``clastic`` console script, run as a real subprocess: help, serve, routes, check, plugins."""

from __future__ import annotations

import json
import re
import socket

import pytest
from cli_fixtures.devproc import FIXTURES, DevProcess, child_env, clastic_script, run_clastic, write_plugin_distribution

from net_helpers import free_port


def assert_one_line_error(done, *needles):
    """A bad argument: exit status 2, one line on stderr naming the problem, no traceback."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- help ------------------------------------------------------------------------


def test_main_help_lists_commands_and_explains_app_targets():
    done = run_clastic(["--help"], cwd=FIXTURES)
    assert done.returncode == 0
    text = done.stdout
    assert text.startswith("usage: clastic [-h] [--version] COMMAND ...")
    assert "Serve, inspect and check Clastic web applications." in text
    assert re.search(r"serve\s+serve an application with the development server, reloading on save", text)
    assert re.search(r"routes\s+list an application's routes in dispatch order", text)
    assert re.search(r"check\s+build an application and report every build error and shadowed route", text)
    assert "MODULE:NAME" in text and "MODULE:FACTORY()" in text and "path/to/file.py" in text
    assert "clastic serve hello:app" in text
    assert "Run 'clastic COMMAND --help' for a command's options." in text


def test_no_command_prints_help_and_fails():
    done = run_clastic([], cwd=FIXTURES)
    assert done.returncode == 2
    assert "usage: clastic" in done.stderr and "commands:" in done.stderr


def test_serve_help_names_every_switch():
    done = run_clastic(["serve", "--help"], cwd=FIXTURES)
    assert done.returncode == 0
    text = done.stdout
    assert text.startswith("usage: clastic serve")
    for option in (
        "--address",
        "--port",
        "--no-reload",
        "--reload-interval",
        "--debug",
        "--no-meta",
        "--no-static",
        "--static-path",
        "--static-prefix",
        "--processes",
        "--extra-file",
    ):
        assert option in text, option
    assert "default: 127.0.0.1" in text and "default: 5000" in text
    assert "not for production" in text and "docs/deployment.md" in text
    assert "fails to load, every request gets a page with the error" in text


def test_routes_and_check_help():
    routes = run_clastic(["routes", "--help"], cwd=FIXTURES)
    assert routes.returncode == 0
    assert routes.stdout.startswith("usage: clastic routes [-h] [--json] APP")
    assert "in the order requests try them" in routes.stdout and "shadowed" in routes.stdout
    check = run_clastic(["check", "--help"], cwd=FIXTURES)
    assert check.returncode == 0
    assert check.stdout.startswith("usage: clastic check [-h] APP")
    assert (
        "every build error" in check.stdout
        and "Exit status 0 when there is nothing to report, 1 otherwise" in check.stdout
    )


def test_version():
    from clastic import __version__

    done = run_clastic(["--version"], cwd=FIXTURES)
    assert done.returncode == 0 and done.stdout.strip() == f"clastic {__version__}"


# -- routes ----------------------------------------------------------------------


def test_routes_table_in_dispatch_order_with_sources_and_shadowing():
    # shop.py calls app.serve() at module level: the command must not start a server.
    done = run_clastic(["routes", "shop:app"], cwd=FIXTURES, timeout=30)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.match(r"#\s+METHODS\s+PATTERN\s+ENDPOINT\s+ARGUMENTS\s+NOTE$", lines[0])
    rows = [re.split(r"\s{2,}", line.strip()) for line in lines[1:8]]
    assert [row[:4] for row in rows] == [
        ["1", "GET,HEAD", "/", "shop.home"],
        ["2", "*", "/product/<sku>", "shop.product"],
        ["3", "POST", "/product/<code>", "shop.buy"],
        ["4", "GET,HEAD", "/", "shop.other"],
        ["5", "GET,HEAD", "/page/<n:int>", "shop.other"],
        ["6", "GET,HEAD", "/page/<number:int>/", "shop.other"],
        ["7", "GET,HEAD", "/page/<n:float>", "shop.other"],
    ]
    assert rows[1][4] == "url: sku; resources: db; VisitorMiddleware: visitor; builtins: _route, context, request"
    assert rows[2][4] == "url: code; resources: db; builtins: context, request"  # request: the middleware hook
    notes = {row[0]: row[5] if len(row) > 5 else "" for row in rows}
    assert notes == {
        "1": "",
        "2": "",
        "3": "shadowed by #2",
        "4": "shadowed by #1",
        "5": "",
        "6": "shadowed by #5",
        "7": "",
    }
    assert "7 routes, 3 shadowed:" in done.stdout
    assert (
        "route #4 GET,HEAD / (shop.other) never answers: "
        "#1 GET,HEAD / (shop.home) matches all its paths and methods first" in done.stdout
    )


def test_routes_json_from_a_factory_call_with_literal_arguments():
    done = run_clastic(["routes", "--json", 'shop:create_app("postgres")'], cwd=FIXTURES)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["app"] == 'shop:create_app("postgres")'
    product = data["routes"][1]
    assert product["pattern"] == "/product/<sku>" and product["methods"] == "*"
    assert {"name": "visitor", "source": "VisitorMiddleware"} in product["arguments"]
    assert [route["shadowed_by"] for route in data["routes"]] == [[], [], [2], [1], [], [5], []]


def test_routes_of_a_file_path_and_default_lookup():
    by_path = run_clastic(["routes", str(FIXTURES / "clean.py")], cwd=FIXTURES.parent)
    assert by_path.returncode == 0, by_path.stderr
    assert "3 routes, none shadowed." in by_path.stdout
    assert "clean.hello" in by_path.stdout


# -- check -----------------------------------------------------------------------


def test_check_ok():
    done = run_clastic(["check", "clean:create_app()"], cwd=FIXTURES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "clean:create_app(): OK, 3 routes build, none shadowed"


def test_check_reports_shadowed_routes_and_fails():
    done = run_clastic(["check", "shop:app"], cwd=FIXTURES)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "shop:app: builds, but 3 routes can never answer"
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["shadowed"] * 3
    assert "route #3 POST /product/<code> (shop.buy) never answers: #2 * /product/<sku> (shop.product)" in done.stdout
    assert "route #6 GET,HEAD /page/<number:int>/" in done.stdout


WIDE_SHADOWED = {2: [1], 4: [3], 6: [5], 8: [7], 10: [9], 13: [11, 12], 15: [14], 17: [16], 18: [16], 42: [41]}


def test_routes_reports_routes_that_a_wider_earlier_route_shadows():
    done = run_clastic(["routes", "--json", "wide:app"], cwd=FIXTURES)
    assert done.returncode == 0, done.stderr
    routes = json.loads(done.stdout)["routes"]
    assert {route["number"]: route["shadowed_by"] for route in routes if route["shadowed_by"]} == WIDE_SHADOWED
    table = run_clastic(["routes", "wide:app"], cwd=FIXTURES)
    assert "42 routes, 10 shadowed:" in table.stdout
    assert (
        "route #2 * /a/b (wide.page) never answers: #1 * /a/<x> (wide.page) matches all its paths and methods first"
        in table.stdout
    )


def test_check_names_both_routes_of_a_wider_shadowing():
    done = run_clastic(["check", "wide:app"], cwd=FIXTURES)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "wide:app: builds, but 10 routes can never answer"
    assert (
        "  shadowed: route #4 * /c/<n:int> (wide.page) never answers: "
        "#3 * /c/<n> (wide.page) matches all its paths and methods first" in lines
    )
    assert (
        "  shadowed: route #13 GET,HEAD,POST /g/z (wide.page) never answers: #11 GET,HEAD /g/<x> (wide.page), "
        "#12 POST /g/<y> (wide.page) match all its paths and methods first"
    ) in lines
    assert (
        "  shadowed: route #15 * /s/<y:int> (wide.page) never answers: "
        "#14 * /s/<x> (wide.page) matches all its paths and methods first" in lines
    )


@pytest.mark.parametrize(
    ("method", "path", "pattern"),
    [
        ("GET", "/n/abc", "/n/<x>"),
        ("GET", "/m/" + "9" * 400, "/m/<x:int>"),
        ("POST", "/p/q", "/p/q"),
        ("PUT", "/q/r", "/q/r"),
        ("GET", "/t/u/", "/t/u"),
        ("GET", "/v/w", "/v/w"),
        ("GET", "/w/1/2", "/w/<x>/<y>"),
        ("GET", "/x/5/" + "9" * 5000 + "/y", "/x/<c*>"),
        ("GET", "/y/a/b", "/y/<a>/<b>"),
        ("GET", "/z/", "/z/"),
        ("GET", "/k/1.5", "/k/1.5"),
    ],
)
def test_a_route_not_reported_as_shadowed_does_answer_some_request(method, path, pattern):
    from cli_fixtures import wide

    reply = wide.create_app().get_local_client().open(path, method=method)
    assert (reply.status_code, reply.text) == (200, pattern)
    number = next(i for i, route in enumerate(wide.create_app().routes, 1) if route.pattern == pattern)
    assert number not in WIDE_SHADOWED


@pytest.mark.parametrize(
    ("method", "path", "pattern"),
    [
        ("GET", "/a/b", "/a/<x>"),
        ("GET", "/c/7", "/c/<n>"),
        ("POST", "/g/z", "/g/<y>"),
        ("GET", "/s/7", "/s/<x>"),
        ("GET", "/about", "/<page_name>"),
    ],
)
def test_a_shadowed_route_is_answered_by_the_earlier_one(method, path, pattern):
    from cli_fixtures import wide

    reply = wide.create_app().get_local_client().open(path, method=method)
    assert (reply.status_code, reply.text) == (200, pattern)


def test_check_reports_every_build_error_with_its_endpoint_location():
    done = run_clastic(["check", "broken_build:app"], cwd=FIXTURES)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "broken_build:app: 3 build errors"
    assert lines[1].startswith("  error: broken_build.py:22: UnresolvedArgumentError: ")  # the Application(...) call
    assert "greet() needs 'nmae'" in lines[1] and "Did you mean 'name'?" in lines[1]
    assert (
        lines[2].startswith("  error: broken_build.py:10: UnresolvedArgumentError: ")
        and "count() needs 'dbb'" in lines[2]
    )
    assert "Did you mean 'db'?" in lines[2]
    assert (
        lines[3].startswith("  error: broken_build.py:18: UnresolvedArgumentError: ")
        and "search() needs 'query'" in lines[3]
    )
    assert "fine()" not in done.stdout


def test_check_reports_a_syntax_error_with_file_and_line(tmp_path):
    (tmp_path / "typo.py").write_text("from clastic import Application\n\ndef home(:\n    pass\n")
    done = run_clastic(["check", "typo:app"], cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "typo:app: 1 build error",
        "  error: typo.py:3: SyntaxError: invalid syntax (typo.py, line 3)",
    ]


# -- bad arguments: one clear line, exit status 2, no traceback --------------------


@pytest.mark.parametrize(
    ("target", "needles"),
    [
        ("nosuchmodule:app", ["clastic routes: error: cannot find module 'nosuchmodule'"]),
        ("shpo:app", ["cannot find module 'shpo'", "Did you mean 'shop'?"]),
        ("nosuchpkg.sub:app", ["cannot find module 'nosuchpkg.sub'"]),
        ("clean:ap", ["module 'clean' has no attribute 'ap'."]),
        ("shop:ap", ["module 'shop' has no attribute 'ap'. Did you mean 'app'?"]),
        ("not_app:app", ["'not_app:app' is a str, not a clastic Application"]),
        ("not_app:settings", ["'not_app:settings' is a dict, not a clastic Application"]),
        ("not_app:create_app()", ["'not_app:create_app()' is None, not a clastic Application"]),
        ("not_app:make_real", ["the function 'make_real'", "call it: 'not_app:make_real()'"]),
        ("not_app:make_real(flavour)", ["must be Python literals"]),
        ("not_app:make_real({[]: 1})", ["must be Python literals"]),
        ("not_app:make_real(**{'a': 1})", ["must be Python literals"]),
        ("not_app:make_real(", ["cannot read 'make_real('"]),
        ("not_app:", ["names no attribute after ':'"]),
        ("not-a-module:app", ["'not-a-module' is not a module name"]),
        ("missing_file.py", ["no such file: 'missing_file.py'"]),
    ],
)
def test_bad_targets_print_one_line(target, needles):
    assert_one_line_error(run_clastic(["routes", target], cwd=FIXTURES), *needles)


def test_bad_targets_for_check_and_serve_too():
    assert_one_line_error(
        run_clastic(["check", "nosuchmodule:app"], cwd=FIXTURES), "clastic check: error: cannot find module"
    )
    assert_one_line_error(
        run_clastic(["serve", "not_app:app", "--port", str(free_port())], cwd=FIXTURES),
        "clastic serve: error:",
        "is a str",
    )
    assert_one_line_error(
        run_clastic(["serve", "clean:nope", "--port", str(free_port())], cwd=FIXTURES), "has no attribute 'nope'"
    )


def test_application_code_errors_print_one_line_outside_the_dev_server():
    done = run_clastic(["routes", "broken_build:app"], cwd=FIXTURES)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(
        "clastic routes: error: importing 'broken_build:app' failed (broken_build.py:22): UnresolvedArgumentError:"
    )
    factory = run_clastic(["routes", "not_app:needs_argument()"], cwd=FIXTURES)
    assert factory.returncode == 1 and len(factory.stderr.strip().splitlines()) == 1
    assert "building 'not_app:needs_argument()' failed" in factory.stderr and "TypeError" in factory.stderr


def test_a_missing_dependency_is_not_an_unknown_module(tmp_path):
    (tmp_path / "shopkit").mkdir()
    (tmp_path / "shopkit" / "__init__.py").write_text("import shopkit_missing_dependency\n")
    (tmp_path / "shopkit" / "web.py").write_text("app = None\n")
    done = run_clastic(["routes", "shopkit.web:app"], cwd=tmp_path)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert (
        "importing 'shopkit.web:app' failed (shopkit/__init__.py:1): "
        "ModuleNotFoundError: No module named 'shopkit_missing_dependency'" in done.stderr
    )


def test_bad_option_values_are_usage_errors():
    done = run_clastic(["serve", "clean:create_app()", "--port", "99999"], cwd=FIXTURES)
    assert done.returncode == 2 and "port must be a number from 0 to 65535, got 99999" in done.stderr
    done = run_clastic(["serve", "clean:create_app()", "--processes", "0"], cwd=FIXTURES)
    assert done.returncode == 2 and "expected a whole number of at least 1" in done.stderr


# -- serve -----------------------------------------------------------------------


def test_serve_without_reloader(tmp_path):
    port = free_port()
    args = [
        clastic_script(),
        "serve",
        "clean:create_app()",
        "--port",
        str(port),
        "--no-reload",
        "--no-meta",
        "--no-static",
    ]
    with DevProcess(args, cwd=FIXTURES, log_dir=tmp_path) as server:
        reply = server.wait_for(f"http://127.0.0.1:{port}/hello/CLI", lambda r: r.status == 200)
        assert reply.body == "Hello, CLI!"
        assert server.wait_for(f"http://127.0.0.1:{port}/_meta/", lambda r: r.status == 404)
        assert "Restarting with stat" not in server.stderr
        assert '"GET /hello/CLI HTTP/1.1" 200' in server.stderr


def test_serve_module_level_serve_call_is_ignored(tmp_path):
    # shop.py ends with app.serve() (port 5000, reloader on): the command's options win.
    port = free_port()
    args = [clastic_script(), "serve", "shop:app", "-p", str(port), "--no-reload", "--no-meta"]
    with DevProcess(args, cwd=FIXTURES, log_dir=tmp_path) as server:
        reply = server.wait_for(f"http://127.0.0.1:{port}/product/42", lambda r: r.status == 200)
        assert reply.body == "42 for 127.0.0.1 from sqlite"
        assert "ignoring serve() called while `clastic` imports 'shop:app'" in server.stderr


def test_serve_on_a_busy_port_explains_and_exits(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_clastic(["serve", "clean:create_app()", "--port", str(port)], cwd=FIXTURES, timeout=60)
    assert done.returncode == 1
    assert f"Port {port} is in use by another program" in done.stderr
    assert "Traceback" not in done.stderr and "fail-safe" not in done.stderr and "Restarting" not in done.stderr


# -- plugin subcommands ------------------------------------------------------------

PLUGIN_SOURCE = """
class Greet:
    help = "greet someone (a test plugin)"

    def configure(self, parser):
        parser.add_argument("--greet-name", default="world")
        parser.add_argument("--greet-status", type=int, default=0)

    def run(self, args):
        import sys
        sys.stdout.write(f"hello, {args.greet_name}!\\n")
        return args.greet_status


greet = Greet()


class Shadow:
    help = "tries to replace a built-in command"

    def configure(self, parser):
        pass

    def run(self, args):
        return 0


class Broken:
    help = "its configure() fails"

    def configure(self, parser):
        parser.add_argument("--x")
        parser.add_argument("--x")

    def run(self, args):
        return 0
"""


def test_plugins_that_fail_at_import_are_skipped_and_named(tmp_path):
    # One plugin raises at import, another has a syntax error: the command line still works.
    raising = write_plugin_distribution(
        tmp_path / "raising",
        "clastic_raising_plugin",
        'raise RuntimeError("plugin init failed")\n',
        {
            "clastic.commands": {"raising": "clastic_raising_plugin:command"},
            "clastic.dev_mounts": {"raising": "clastic_raising_plugin:mount"},
        },
    )
    broken = write_plugin_distribution(
        tmp_path / "broken",
        "clastic_broken_plugin",
        "def command(:\n",
        {"clastic.commands": {"broken": "clastic_broken_plugin:command"}},
    )
    help_text = run_clastic(["--help"], cwd=tmp_path, env=child_env([raising, broken]))
    assert help_text.returncode == 0 and "usage: clastic" in help_text.stdout
    assert (
        "skipping clastic.commands plugin 'raising' (clastic_raising_plugin:command): RuntimeError: plugin init failed"
        in help_text.stderr
    )
    assert "skipping clastic.commands plugin 'broken' (clastic_broken_plugin:command): SyntaxError" in help_text.stderr
    assert "Traceback" not in help_text.stderr


def test_plugin_subcommands_from_entry_points(tmp_path):
    site = write_plugin_distribution(
        tmp_path / "site",
        "clastic_greet_plugin",
        PLUGIN_SOURCE,
        {
            "clastic.commands": {
                "greet": "clastic_greet_plugin:greet",
                "check": "clastic_greet_plugin:Shadow",
                "broken": "clastic_greet_plugin:Broken",
                "missing": "clastic_greet_plugin:nothing",
            }
        },
    )
    env = child_env([site])
    help_text = run_clastic(["--help"], cwd=tmp_path, env=env)
    assert help_text.returncode == 0
    assert re.search(r"greet\s+greet someone \(a test plugin\)", help_text.stdout)
    assert "tries to replace a built-in command" not in help_text.stdout
    assert "'check' is a built-in command" in help_text.stderr
    assert "skipping clastic.commands plugin 'missing'" in help_text.stderr

    done = run_clastic(["greet", "--greet-name", "Clastic", "--greet-status", "3"], cwd=tmp_path, env=env)
    assert (done.returncode, done.stdout) == (3, "hello, Clastic!\n")
    sub_help = run_clastic(["greet", "--help"], cwd=tmp_path, env=env)
    assert sub_help.returncode == 0 and "--greet-name" in sub_help.stdout and "greet someone" in sub_help.stdout

    broken = run_clastic(["broken"], cwd=tmp_path, env=env)
    assert broken.returncode == 1
    assert (
        "clastic broken: error: the command's plugin (clastic_greet_plugin:Broken) could not set up its arguments"
        in broken.stderr
    )


def test_python_dash_m_clastic_runs_the_command_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "clastic", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("usage: clastic")
