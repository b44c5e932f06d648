"""Load hello under gunicorn for each framework and a raw WSGI callable, with wrk.

Run with ``hatch run bench:http`` (``--quick`` for a short run). It starts
one gunicorn per framework (2 sync workers, ``127.0.0.1`` on a free port),
then, round after round, loads each in turn for a fixed time with wrk
(``wrk -t2 -c32 -d5s`` by default), rotating the order every round. It
reports requests per second (best round, median and range) and each
framework's share of the raw WSGI callable's rate: best round against best
round, and per round (median and range). It stops its servers itself, also on Ctrl-C or an error.

Debian's wrk is the load tool: ``apt-get install -y wrk``. The script is
named ``http_load.py``, not ``http.py``: a ``benchmarks/http.py`` would
shadow the standard library's ``http`` package for every script here.

The load tool, the servers and the rest of the machine share the same
cores, so absolute numbers mean little; compare the shares within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FRAMEWORKS = ("clastic", "falcon", "flask", "bottle", "wsgi")
_RATE = re.compile(r"Requests/sec:\s*([0-9.]+)")
_TOTAL = re.compile(r"(\d+) requests in ")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s*(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors:\s*(.*)")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """One gunicorn serving one framework's hello, started and stopped by this script."""

    def __init__(self, name: str, workers: int, logdir: Path, cpus: set[int] | None = None) -> None:
        self.name = name
        self.port = free_port()
        self.log = logdir / f"{name}.log"
        command = [
            sys.executable, "-m", "gunicorn",
            "--chdir", str(HERE),
            "--workers", str(workers),
            "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir(),
            "--log-level", "warning",
            f"_http_apps:{name}()",
        ]  # fmt: skip
        with open(self.log, "wb") as log:
            # A session of its own: Ctrl-C reaches this script, which stops the server cleanly.
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_pinned(cpus)
            )

    @property
    def url(self) -> str:
        """The hello URL."""
        return f"http://127.0.0.1:{self.port}/"

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until hello answers 200, or fail with the server's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/")
                response = connection.getresponse()
                body = response.read()
                connection.close()
            except OSError:
                time.sleep(0.1)
                continue
            if response.status == 200 and body == b"Hello, World!":
                return
            raise SystemExit(f"{self.name}: GET / answered {response.status} {body[:80]!r}")
        raise SystemExit(f"{self.name}: gunicorn did not come up; its log:\n{self.log.read_text(errors='replace')}")

    def cpu_seconds(self) -> float:
        """CPU seconds the server's processes (master and workers) have used so far."""
        return sum(_cpu_seconds(pid) for pid in [self.process.pid, *_children(self.process.pid)])

    def stop(self) -> None:
        """Stop gunicorn (graceful, then forced) and its workers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        # The workers are in the master's process group; make sure none outlives it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds *pid* has used so far (Linux ``/proc``), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat)


def _children(pid: int) -> list[int]:
    """The processes whose parent is *pid* (gunicorn's workers, for its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _pinned(cpus: set[int] | None) -> Any:
    """A ``preexec_fn`` that keeps the child (and what it forks) on *cpus*, or ``None`` to leave it free."""
    if not cpus:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def load(
    wrk: str, url: str, seconds: float, threads: int, connections: int, cpus: set[int] | None = None
) -> tuple[float, int, str]:
    """Run wrk against *url* for *seconds*; return the requests per second and in all, and any errors."""
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", url]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=False, preexec_fn=_pinned(cpus)
    )
    match = _RATE.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"wrk failed ({result.returncode}): {result.stdout}{result.stderr}")
    problems = []
    if non_2xx := _NON_2XX.search(result.stdout):
        problems.append(f"{non_2xx.group(1)} non-2xx")
    if socket_errors := _SOCKET_ERRORS.search(result.stdout):
        problems.append(f"socket errors: {socket_errors.group(1).strip()}")
    total = _TOTAL.search(result.stdout)
    return float(match.group(1)), int(total.group(1)) if total else 0, "; ".join(problems)


def machine() -> str:
    """Describe the machine: date, CPU model, core count, load, Python, gunicorn and wrk."""
    from importlib.metadata import version

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load_avg = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{datetime.date.today().isoformat()}; {model}, {os.cpu_count()} CPUs (load {load_avg}); "
        f"Python {sys.version.split()[0]}; gunicorn {version('gunicorn')}"
    )


def report(samples: dict[str, list[float]], names: list[str], what: str, lower_is_better: bool = False) -> list[str]:
    """Return a Markdown table of *samples* per server and each one's share of raw WSGI's.

    *what* names the measure (requests per second, or the server's CPU time
    per request, where lower is better). The best round is the one least
    disturbed by other processes; the share of raw WSGI compares two best
    rounds (100 % is raw WSGI's throughput, or its CPU cost), and the
    per-round shares, each against raw WSGI in the same round, are shown as
    a cross-check.
    """
    best = min if lower_is_better else max
    digits = ",.1f" if lower_is_better else ",.0f"

    def share(value: float, raw: float) -> float:
        return 100 * (raw / value if lower_is_better else value / raw)

    lines = [
        f"| server | {what}, best round | median (range) | % of raw WSGI, best / best | per round, median (range) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in names:
        values = samples[name]
        cells = [
            format(best(values), digits),
            f"{format(statistics.median(values), digits)} "
            f"({format(min(values), digits)}–{format(max(values), digits)})",
        ]
        if "wsgi" in samples and name != "wsgi":
            shares = [share(value, raw) for value, raw in zip(values, samples["wsgi"], strict=True)]
            cells.append(f"{share(best(values), best(samples['wsgi'])):.0f} %")
            cells.append(f"{statistics.median(shares):.0f} % ({min(shares):.0f}–{max(shares):.0f} %)")
        else:
            cells += ["—", "—"]
        lines.append(f"| {'raw WSGI' if name == 'wsgi' else name} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Start the servers, load them in interleaved rounds, stop them, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s instead of the defaults")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over all servers (default 5)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per server and round (default 5)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server (default 2)")
    parser.add_argument("--only", nargs="*", choices=FRAMEWORKS, help="servers to run (default: all)")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="servers on the first CPU, wrk on the others (with --workers 1: the server's own cost, less noise)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration = 2, 2.0
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed. On Debian or Ubuntu: apt-get install -y wrk", file=sys.stderr)
        return 2
    names = [name for name in FRAMEWORKS if name in (args.only or FRAMEWORKS)]
    budget = len(names) * (args.rounds * args.duration + 1)
    print(
        f"about {budget:.0f} s of load ({len(names)} servers × {args.rounds} rounds × {args.duration:g} s)",
        file=sys.stderr,
    )
    started = machine()
    server_cpus: set[int] | None = None
    load_cpus: set[int] | None = None
    if args.pin:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            print("--pin needs at least 2 CPUs", file=sys.stderr)
            return 2
        server_cpus, load_cpus = {cpus[0]}, set(cpus[1:])
    rates: dict[str, list[float]] = {name: [] for name in names}
    cpu_per_request: dict[str, list[float]] = {name: [] for name in names}
    problems: list[str] = []
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="clastic-bench-http-") as logdir:
        try:
            for name in names:
                servers.append(Server(name, args.workers, Path(logdir), server_cpus))
            for server in servers:
                server.wait_ready()
                load(wrk, server.url, 1, args.threads, args.connections, load_cpus)  # warm up
            for index in range(args.rounds):
                order = servers[index % len(servers) :] + servers[: index % len(servers)]
                for server in order:
                    cpu_before = server.cpu_seconds()
                    rate, total, problem = load(
                        wrk, server.url, args.duration, args.threads, args.connections, load_cpus
                    )
                    cpu_used = server.cpu_seconds() - cpu_before
                    rates[server.name].append(rate)
                    cpu_per_request[server.name].append(1e6 * cpu_used / max(total, 1))
                    if problem:
                        problems.append(f"round {index + 1}, {server.name}: {problem}")
                print(f"round {index + 1}/{args.rounds} done", file=sys.stderr, flush=True)
        finally:
            for server in servers:
                server.stop()
    print(started)
    pinning = f"; servers pinned to CPU {sorted(server_cpus or ())}, wrk to {sorted(load_cpus)}" if load_cpus else ""
    print(
        f"gunicorn {args.workers} sync workers per server; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration:g}s, {args.rounds} interleaved rounds{pinning}; load at the end "
        + " ".join(f"{value:.2f}" for value in os.getloadavg())
        + "\n"
    )
    print("\n".join(report(rates, names, "requests/s")))
    print(
        "\nThe servers' own CPU time per request (master and workers, user + system, from /proc: "
        "what the server spent, whatever else ran on the machine):\n"
    )
    print("\n".join(report(cpu_per_request, names, "CPU µs per request", lower_is_better=True)))
    for problem in problems:
        print(f"\nwrk reported {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
