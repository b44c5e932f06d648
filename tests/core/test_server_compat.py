"""The dev-server helpers of Clastic 26 in clastic.server: each does what its name says."""

from __future__ import annotations

import http.client
import os
import pty
import socket
import subprocess
import sys
import termios
import textwrap
import threading
import time
from pathlib import Path

import pytest
from cli_fixtures.devproc import DevProcess, child_env, fetch, rewrite

from clastic import GET, Application, render_basic
from clastic.server import (
    create_dev_server_parser,
    enable_tty_echo,
    iter_monitor_files,
    make_server,
    open_test_socket,
    reloader_loop,
    run_simple,
)
from net_helpers import free_port, wait_until


def hello_app():
    return Application([GET("/hello/<name>", lambda name: f"Hello, {name}!", render_basic)])


# -- create_dev_server_parser ----------------------------------------------------


def test_dev_server_parser_defaults_are_serves():
    args = create_dev_server_parser().parse_args([])
    assert vars(args) == {
        "address": "127.0.0.1",
        "port": 5000,
        "static_path": None,
        "static_prefix": "static",
        "processes": None,
        "use_static": True,
        "use_meta": True,
        "use_reloader": True,
        "use_debugger": False,
        "use_lint": False,
    }


def test_dev_server_parser_reads_the_original_flags():
    argv = [
        "--address",
        "127.0.0.2",
        "--port",
        "8001",
        "--static-path",
        "assets",
        "--static-prefix",
        "files",
        "--processes",
        "2",
    ]
    argv += ["--no-static", "--no-meta", "--no-reloader", "--no-debugger", "--no-wsgi-lint"]
    args = create_dev_server_parser().parse_args(argv)
    assert (args.address, args.port, args.static_path, args.static_prefix, args.processes) == (
        "127.0.0.2",
        8001,
        "assets",
        "files",
        2,
    )
    assert not any((args.use_static, args.use_meta, args.use_reloader, args.use_debugger, args.use_lint))


def test_dev_server_parser_refuses_a_bad_port(capsys):
    with pytest.raises(SystemExit, match=r"^2$"):  # argparse's usage-error status
        create_dev_server_parser().parse_args(["--port", "http"])
    assert "port must be a number from 0 to 65535, got 'http'" in capsys.readouterr().err


# -- make_server and run_simple --------------------------------------------------


def test_make_server_binds_and_serves_on_loopback():
    server = make_server("127.0.0.1", 0, hello_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        reply = fetch(f"http://127.0.0.1:{server.server_port}/hello/server", timeout=10)
        assert (reply.status, reply.body) == (200, "Hello, server!")
        assert fetch(f"http://127.0.0.1:{server.server_port}/nope", timeout=10).status == 404
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_make_server_refuses_what_is_no_wsgi_application():
    with pytest.raises(TypeError, match=r"make_server\(\) needs a WSGI application, got None"):
        make_server("127.0.0.1", 0)


def test_run_simple_refuses_bad_arguments_before_binding():
    with pytest.raises(TypeError, match=r"run_simple\(\) needs a WSGI application, got 'app' \(str\)"):
        run_simple("127.0.0.1", 0, "app")
    with pytest.raises(ValueError, match=r"port must be between 0 and 65535, got 70000"):
        run_simple("127.0.0.1", 70000, hello_app())


RUN_SIMPLE_SCRIPT = """
import os
import sys

from clastic import Application, GET, render_basic
from clastic.server import run_simple

app = Application([GET("/pid", lambda: str(os.getpid()), render_basic)])
reload = sys.argv[2] == "reload"
run_simple("127.0.0.1", int(sys.argv[1]), app, use_reloader=reload, extra_files=sys.argv[3:], reloader_interval=0.1)
"""


def test_run_simple_serves_an_application(tmp_path):
    (tmp_path / "app.py").write_text(RUN_SIMPLE_SCRIPT)
    port = free_port()
    with DevProcess([sys.executable, "app.py", str(port), "no"], cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        reply = server.wait_for(f"http://127.0.0.1:{port}/pid", lambda r: r.status == 200)
        assert reply.body == str(server.proc.pid)  # served by this very process: no reloader
    assert f"Running on http://127.0.0.1:{port}" in server.stderr


def test_run_simple_with_reloader_restarts_when_an_extra_file_changes(tmp_path):
    (tmp_path / "app.py").write_text(RUN_SIMPLE_SCRIPT)
    watched = tmp_path / "settings.ini"
    watched.write_text("a = 1\n")
    port = free_port()
    args = [sys.executable, "app.py", str(port), "reload", str(watched)]
    with DevProcess(args, cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        first = server.wait_for(f"http://127.0.0.1:{port}/pid", lambda r: r.status == 200).body
        assert first != str(server.proc.pid)  # the reloader's server process answers
        rewrite(watched, "a = 2\n")
        second = server.wait_for(f"http://127.0.0.1:{port}/pid", lambda r: r.status == 200 and r.body != first).body
    assert second.isdigit()


# -- open_test_socket and iter_monitor_files --------------------------------------


def test_open_test_socket_tells_whether_a_port_can_be_bound():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="Address already in use"):
            open_test_socket("127.0.0.1", port)
        assert open_test_socket("127.0.0.1", port, raise_exc=False) is False
    assert open_test_socket("127.0.0.1", port) is True  # free again once closed
    assert open_test_socket("::1", 0) is True  # IPv6 loopback gets an IPv6 socket


def test_iter_monitor_files_yields_each_loaded_source_file_once():
    files = list(iter_monitor_files())
    assert len(files) == len(set(files))
    assert os.path.abspath(__file__) in files
    import clastic.server

    assert os.path.abspath(clastic.server.__file__) in files
    assert all(os.path.isfile(name) and not name.endswith(".pyc") for name in files)


# -- enable_tty_echo -------------------------------------------------------------


def test_enable_tty_echo_turns_echo_back_on():
    leader, follower = pty.openpty()
    try:
        attributes = termios.tcgetattr(follower)
        attributes[3] &= ~termios.ECHO
        termios.tcsetattr(follower, termios.TCSANOW, attributes)
        assert not termios.tcgetattr(follower)[3] & termios.ECHO
        enable_tty_echo(follower)
        assert termios.tcgetattr(follower)[3] & termios.ECHO
        attributes[3] &= ~termios.ECHO
        termios.tcsetattr(follower, termios.TCSANOW, attributes)
        with open(follower, "rb", closefd=False) as tty:  # a file object works too
            enable_tty_echo(tty)
        assert termios.tcgetattr(follower)[3] & termios.ECHO
    finally:
        os.close(leader)
        os.close(follower)


def test_enable_tty_echo_leaves_what_is_no_terminal_alone(tmp_path):
    with open(tmp_path / "plain.txt", "w") as plain:
        enable_tty_echo(plain)  # no terminal: nothing to do, nothing raised
        assert not os.isatty(plain.fileno())


# -- reloader_loop, restart_with_reloader, run_with_reloader -----------------------


def test_reloader_loop_exits_with_status_3_when_a_watched_file_changes(tmp_path):
    watched = tmp_path / "watched.cfg"
    watched.write_text("x")
    done = threading.Event()

    def keep_touching():
        stamp = time.time()
        while not done.is_set():
            stamp += 10
            os.utime(watched, (stamp, stamp))
            done.wait(0.05)

    toucher = threading.Thread(target=keep_touching, daemon=True)
    toucher.start()
    try:
        with pytest.raises(SystemExit, match=r"^3$"):  # the status that asks for a restart
            reloader_loop([str(watched)], interval=0.05)
    finally:
        done.set()
        toucher.join(timeout=5)


RESTART_SCRIPT = """
import os
import sys

from werkzeug.serving import is_running_from_reloader

from clastic.server import restart_with_reloader

runs = sys.argv[1]
if is_running_from_reloader():
    with open(runs, "a") as log:
        log.write("run\\n")
    count = len(open(runs).read().splitlines())
    if count == 1:
        sys.exit(3)  # "reload me"
    if count == 2:
        raise RuntimeError("broken on the second run")
    sys.exit(0)
seen = []
status = restart_with_reloader(error_func=seen.append)
print("status", status)
print("error_func got:", repr(seen))
"""


def test_restart_with_reloader_restarts_on_status_3_and_hands_failures_to_error_func(tmp_path):
    (tmp_path / "restart.py").write_text(RESTART_SCRIPT)
    runs = tmp_path / "runs.log"
    done = subprocess.run(
        [sys.executable, "restart.py", str(runs)],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert runs.read_text() == "run\nrun\nrun\n"
    assert "status 0" in done.stdout
    seen = done.stdout.split("error_func got: ", 1)[1]
    assert seen.startswith("['Traceback (most recent call last):") and "RuntimeError: broken on the second run" in seen
    assert "RuntimeError: broken on the second run" in done.stderr  # the child's error output still shows


def test_restart_with_reloader_returns_the_failing_status_without_error_func(tmp_path):
    script = tmp_path / "fail.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            from werkzeug.serving import is_running_from_reloader
            from clastic.server import restart_with_reloader
            if is_running_from_reloader():
                sys.exit(7)
            print("status", restart_with_reloader())
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "status 7"


RUN_WITH_RELOADER_SCRIPT = """
import os
import sys

from clastic.server import run_with_reloader


def main():
    with open(sys.argv[1], "a") as log:
        log.write(f"{os.getpid()}\\n")


run_with_reloader(main, extra_files=[sys.argv[2]], interval=0.1)
"""


def wait_for_lines(path: Path, count: int, server: DevProcess, timeout: float = 30) -> list[str]:
    def lines() -> list[str] | None:
        found = path.read_text().splitlines() if path.exists() else []
        return found if len(found) >= count else None

    return wait_until(
        lines, what=f"{count} lines in {path}", timeout=timeout, process=server.proc, details=lambda: server.stderr
    )


def test_run_with_reloader_runs_main_again_in_a_new_process_when_a_file_changes(tmp_path):
    (tmp_path / "main.py").write_text(RUN_WITH_RELOADER_SCRIPT)
    log, watched = tmp_path / "pids.log", tmp_path / "watched.txt"
    watched.write_text("1")
    with DevProcess(
        [sys.executable, "main.py", str(log), str(watched)], cwd=tmp_path, log_dir=tmp_path / "logs"
    ) as server:
        first = wait_for_lines(log, 1, server)
        rewrite(watched, "2")
        second = wait_for_lines(log, 2, server)
    assert first[0] != str(server.proc.pid)  # main runs in the server process, not the watching one
    assert second[1] != second[0]


def test_run_with_reloader_sees_a_file_changed_while_the_program_starts(tmp_path, monkeypatch):
    # The files' baseline is taken before main runs, so a change main makes at once still reloads.
    # Reading the loaded modules is made to wait until main has changed the file (up to 0.5 s): were
    # the baseline taken after main started, it would already hold the change and never exit.
    from clastic._dev import reloader

    watched = tmp_path / "watched.txt"
    watched.write_text("1")
    changed = threading.Event()
    module_files = reloader.iter_monitor_files

    def slow_module_files():
        changed.wait(0.5)
        return module_files()

    def main():
        stat = watched.stat()
        os.utime(watched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        changed.set()

    monkeypatch.setattr(reloader, "iter_monitor_files", slow_module_files)
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")  # run as the reloader's server process
    exits = []

    def serve():
        try:
            reloader.run_with_reloader(main, extra_files=[str(watched)], interval=0.01)
        except SystemExit as ex:
            exits.append(ex.code)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    server.join(5)
    assert exits == [reloader.RELOAD_EXIT_CODE]


FLAW_SCRIPT = """
import sys

from clastic import Application, GET, render_basic
from clastic.server import run_simple

import views

app = Application([GET("/", views.home, render_basic)])
run_simple("127.0.0.1", int(sys.argv[1]), app, use_reloader=True, reloader_interval=0.1)
"""


def test_run_simple_with_reloader_shows_the_failsafe_page_while_the_code_is_broken(tmp_path):
    (tmp_path / "app.py").write_text(FLAW_SCRIPT)
    views = tmp_path / "views.py"
    views.write_text("def home():\n    return 'home page'\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with DevProcess([sys.executable, "app.py", str(port)], cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        server.wait_for(url, lambda r: r.status == 200 and r.body == "home page")
        rewrite(views, "def home(:\n    return 'broken'\n")
        broken = server.wait_for(
            url, lambda r: r.headers.get("X-Clastic-Failsafe") == "1", headers={"Accept": "text/plain"}
        )
        assert broken.status == 500 and "SyntaxError" in broken.body and "views.py" in broken.body
        rewrite(views, "def home():\n    return 'fixed page'\n")
        server.wait_for(url, lambda r: r.status == 200 and r.body == "fixed page")


DYING_SCRIPT = """
import os
import sys

from clastic import Application, GET, render_basic
from clastic.server import run_simple


def die():
    os._exit(1)


app = Application([GET("/", lambda: "up", render_basic), GET("/die", die, render_basic)])
run_simple("127.0.0.1", int(sys.argv[1]), app, use_reloader=True, reloader_interval=0.1)
"""


def test_run_simple_with_reloader_stops_when_the_server_dies_yet_the_code_loads(tmp_path):
    (tmp_path / "app.py").write_text(DYING_SCRIPT)
    port = free_port()
    with DevProcess([sys.executable, "app.py", str(port)], cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"http://127.0.0.1:{port}/", lambda r: r.status == 200 and r.body == "up")
        with pytest.raises(http.client.RemoteDisconnected, match="Remote end closed connection without response"):
            fetch(f"http://127.0.0.1:{port}/die", timeout=10)
        assert server.wait_exit(timeout=30) == 1  # the probe reached run_simple(): nothing to show a page for
    assert "The server process exited with status 1, yet the application loads; stopping" in server.stderr
