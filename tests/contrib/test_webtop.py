"""clastic.contrib.webtop.top: process data, formatting, the page and JSON, and the psutil extra."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from clastic import Application
from clastic.contrib.webtop import top as top_module
from clastic.contrib.webtop.top import SORT_KEYS, create_app, format_cpu_time, format_dict, get_process_dicts, top


@pytest.fixture(scope="module")
def child_with_secret() -> Iterator[subprocess.Popen[bytes]]:
    """A child process whose command line carries a password; it waits on stdin and exits at EOF."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()", "--password=hunter2-9981", "--mode=wait"],
        stdin=subprocess.PIPE,
    )
    try:
        yield child
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def test_format_cpu_time_is_tops_time_plus_column() -> None:
    assert format_cpu_time(0) == "0:00.00"
    assert format_cpu_time(125.37) == "2:05.37"
    assert format_cpu_time(3725.5) == "62:05.50"
    assert format_cpu_time(59.999) == "1:00.00"
    assert format_cpu_time(-1) == "0:00.00"


def test_process_dicts_describe_this_process() -> None:
    mine = next(pd for pd in get_process_dicts() if pd["pid"] == os.getpid())
    me = psutil.Process()
    assert sorted(mine) == [
        "command",
        "cpu_percent",
        "cpu_time",
        "create_time",
        "mem_percent",
        "name",
        "nice",
        "pid",
        "ppid",
        "rss",
        "status",
        "threads",
        "user",
        "vms",
    ]
    assert mine["ppid"] == os.getppid()
    assert mine["name"] == me.name()
    assert mine["user"] == me.username()
    assert mine["threads"] >= 1
    assert mine["rss"] > 1_000_000
    assert mine["create_time"] == me.create_time()
    assert mine["command"] == " ".join(me.cmdline())


def test_command_lines_are_scrubbed(child_with_secret: subprocess.Popen[bytes]) -> None:
    child = next(pd for pd in get_process_dicts() if pd["pid"] == child_with_secret.pid)
    assert child["command"] == f"{sys.executable} -c import sys; sys.stdin.read() --password=[REDACTED] --mode=wait"


def test_top_sorts_by_the_key_and_refuses_unknown_keys() -> None:
    by_mem = top("mem")
    figures = [pd["mem_percent"] for pd in by_mem if pd["mem_percent"] is not None]
    assert figures == sorted(figures, reverse=True)
    by_pid = top("pid")
    assert [pd["pid"] for pd in by_pid] == sorted(pd["pid"] for pd in by_pid)
    by_cpu = top()
    # Unknown figures (a process this user may not read) sort last.
    keys = [
        tuple(-1.0 if pd[field] is None else pd[field] for field in ("cpu_percent", "mem_percent")) for pd in by_cpu
    ]
    assert keys == sorted(keys, reverse=True)
    assert list(SORT_KEYS) == ["cpu", "mem", "time", "threads", "pid", "name", "user"]
    with pytest.raises(
        ValueError, match=r"unknown sort key 'bogus'; use one of \['cpu', 'mem', 'time', 'threads', 'pid'"
    ):
        top("bogus")


def test_format_dict_shows_figures_as_top_does() -> None:
    pd = {
        "pid": 42,
        "ppid": 1,
        "name": "worker",
        "user": "ann",
        "status": "sleeping",
        "nice": 0,
        "threads": 3,
        "cpu_percent": 12.345,
        "mem_percent": 1.25,
        "rss": 47185920,
        "vms": 1073741824,
        "cpu_time": 125.37,
        "create_time": 0.0,
        "command": "worker --queue=jobs",
    }
    assert format_dict(pd) == {
        "pid": "42",
        "user": "ann",
        "nice": "0",
        "virt": "1.0G",
        "res": "45.0M",
        "cpu": "12.3",
        "mem": "1.2",
        "time": "2:05.37",
        "status": "sleeping",
        "threads": "3",
        "name": "worker",
        "command": "worker --queue=jobs",
    }
    unknown = format_dict({"pid": 7, "user": None, "rss": None, "cpu_time": None, "cpu_percent": None})
    assert (unknown["user"], unknown["res"], unknown["time"], unknown["cpu"], unknown["nice"]) == (
        "—",
        "—",
        "—",
        "—",
        "—",
    )


def test_page_lists_processes_and_marks_this_one(local_get: Any, child_with_secret: subprocess.Popen[bytes]) -> None:
    app = Application([("/_top", create_app())])
    response = local_get(app, "/_top/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.text
    assert f'<tr class="self" data-pid="{os.getpid()}">' in page
    assert f'data-pid="{child_with_secret.pid}"' in page
    assert "hunter2" not in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert (
        '<th scope="col" class="num" aria-sort="descending"><a href="/_top/?sort=cpu&amp;refresh=5">%CPU</a></th>'
        in page
    )
    assert '<a href="/_top/json/?sort=cpu">JSON</a>' in page
    still = local_get(app, "/_top/?sort=pid&refresh=0").text
    assert "http-equiv" not in still
    assert (
        '<th scope="col" class="num" aria-sort="ascending"><a href="/_top/?sort=pid&amp;refresh=0">PID</a></th>'
        in still
    )


def test_json_gives_summary_and_sorted_processes(local_get: Any) -> None:
    app = create_app()
    for path in ("/json/?sort=mem", "/?format=json&sort=mem"):
        response = local_get(app, path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        data = response.get_json()
        assert sorted(data) == ["processes", "sort", "summary"]
        assert data["sort"] == "mem"
        assert os.getpid() in [pd["pid"] for pd in data["processes"]]
        assert data["summary"]["cpu_count"] == psutil.cpu_count()
        assert data["summary"]["memory"]["total"] == psutil.virtual_memory().total
        assert sorted(data["summary"]) == [
            "boot_time",
            "cpu_count",
            "cpu_percent",
            "load_avgs",
            "memory",
            "swap",
            "uptime_seconds",
        ]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/?sort=bogus",
            "unsupported sort 'bogus' in ?sort=; use one of ['cpu', 'mem', 'time', 'threads', 'pid', 'name', 'user']",
        ),
        ("/json/?sort=bogus", "unsupported sort 'bogus' in ?sort="),
        ("/?refresh=-1", "unsupported refresh '-1' in ?refresh=; use whole seconds from 0 (never) to 3600"),
        ("/?refresh=99999", "unsupported refresh '99999' in ?refresh="),
        ("/?format=xml", "unsupported format 'xml' in ?format=; use one of ['html', 'json']"),
    ],
)
def test_bad_query_values_are_400s_naming_them(local_get: Any, path: str, message: str) -> None:
    response = local_get(create_app(), path)
    assert response.status_code == 400
    assert message in response.text


def test_only_loopback_clients_are_served_by_default(local_get: Any) -> None:
    response = local_get(create_app(), "/json/", remote_addr="192.168.1.9")
    assert response.status_code == 403
    assert "this request came from 192.168.1.9" in response.text
    rebound = local_get(create_app(), "/", headers={"Host": "rebind.example:8080"})
    assert rebound.status_code == 403
    assert "DNS rebinding" in rebound.text
    assert local_get(create_app(allow=lambda request: True), "/json/", remote_addr="192.168.1.9").status_code == 200


def test_without_psutil_importing_top_names_the_extra() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["psutil"] = None  # as if psutil were not installed
        import clastic.contrib.webtop
        try:
            from clastic.contrib.webtop import top
        except ImportError as ex:
            print(type(ex).__name__, ex.name, "|", ex)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "ImportError psutil | clastic.contrib.webtop.top lists processes with psutil, which is not installed; "
        "install it with: pip install clastic-meta[webtop]\n"
    )
    assert top_module.psutil is psutil
