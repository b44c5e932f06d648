"""Peripherals that show what the process is doing: uptime, host, process, usage, Python.

They read the standard library only (``os``, ``resource``, ``platform``,
``gc``, ``sys``), plus ``/proc`` where it exists. Nothing here changes
process state: the umask, for instance, is read from ``/proc/self/status``
rather than by the set-and-restore ``os.umask`` dance, which races with
other threads.
"""

from __future__ import annotations

import gc
import getpass
import os
import platform
import socket
import sys
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from clastic.meta._html import format_bytes, format_duration, format_seconds, render_mapping
from clastic.meta._peripheral import MetaPeripheral

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]  # the peripherals check for None

if TYPE_CHECKING:
    from clastic.meta._app import MetaApplication

__all__ = ["BasicPeripheral", "HostPeripheral", "ProcessPeripheral", "PythonPeripheral", "ResourceUsagePeripheral"]

_RLIMITS = (
    "RLIMIT_AS",
    "RLIMIT_CORE",
    "RLIMIT_CPU",
    "RLIMIT_DATA",
    "RLIMIT_FSIZE",
    "RLIMIT_NOFILE",
    "RLIMIT_NPROC",
    "RLIMIT_STACK",
)


def _utc_iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _proc_status() -> dict[str, str]:
    try:
        with open("/proc/self/status", encoding="utf-8") as handle:
            return dict(line.rstrip("\n").split(":\t", 1) for line in handle if ":\t" in line)
    except OSError:
        return {}


def _process_start_timestamp() -> float | None:
    """When this process started (Linux ``/proc``), as a Unix timestamp."""
    try:
        with open("/proc/self/stat", encoding="utf-8") as handle:
            fields = handle.read().rpartition(")")[2].split()
        with open("/proc/stat", encoding="utf-8") as handle:
            boot = next(float(line.split()[1]) for line in handle if line.startswith("btime "))
        # Field 22 of stat (the 20th after the command name) is the start time in clock ticks since boot.
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _rlimits() -> dict[str, list[int | None]]:
    if resource is None:
        return {}
    limits: dict[str, list[int | None]] = {}
    for name in _RLIMITS:
        number = getattr(resource, name, None)
        if number is None:
            continue
        soft, hard = resource.getrlimit(number)
        limits[name.removeprefix("RLIMIT_").lower()] = [
            None if value == resource.RLIM_INFINITY else value for value in (soft, hard)
        ]
    return limits


def _format_limit(pair: Any) -> str:
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        return str(pair)
    soft, hard = ("unlimited" if value is None else str(value) for value in pair)
    return soft if soft == hard else f"{soft} (hard: {hard})"


class BasicPeripheral(MetaPeripheral):
    """When the application and its process started, and for how long they have run."""

    title = "Basic information"
    group_key = "basic"

    def get_context(self, _meta_application: MetaApplication) -> dict[str, Any]:
        """Report start times and uptime."""
        now = time.time()
        started = _meta_application.start_timestamp
        process_started = _process_start_timestamp()
        return {
            "start_time": _utc_iso(started),
            "uptime_seconds": round(now - started, 3),
            "process_start_time": _utc_iso(process_started) if process_started is not None else None,
            "process_uptime_seconds": round(now - process_started, 3) if process_started is not None else None,
            "now": _utc_iso(now),
        }

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Show the uptime."""
        return [("Uptime", format_duration(context.get("uptime_seconds")))]

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render start times and uptimes."""
        return render_mapping(
            context,
            {
                "start_time": ("Application started (UTC)", None),
                "uptime_seconds": ("Application uptime", format_duration),
                "process_start_time": ("Process started (UTC)", None),
                "process_uptime_seconds": ("Process uptime", format_duration),
                "now": ("Page generated (UTC)", None),
            },
        )


class HostPeripheral(MetaPeripheral):
    """The machine: host name, operating system, CPUs and load."""

    title = "Host"
    group_key = "host"

    def __init__(self) -> None:
        # getfqdn() may wait on DNS; ask once, at the first page view.
        self._fqdn: str | None = None

    def get_context(self) -> dict[str, Any]:
        """Report host facts."""
        if self._fqdn is None:
            self._fqdn = socket.getfqdn()
        uname = platform.uname()
        try:
            load = [round(value, 2) for value in os.getloadavg()]
        except (AttributeError, OSError):  # not on Windows
            load = None
        return {
            "hostname": socket.gethostname(),
            "hostfqdn": self._fqdn,
            "platform": platform.platform(),
            "platform_terse": platform.platform(terse=True),
            "uname": {"system": uname.system, "release": uname.release, "version": uname.version, "machine": uname.machine},
            "cpu_count": os.cpu_count(),
            "load_avgs": load,
            "utc_time": _utc_iso(time.time()),
        }

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Show the host name and the 1-minute load."""
        items = [("Host", str(context.get("hostname")))]
        if context.get("load_avgs"):
            items.append(("Load (1 min)", f"{context['load_avgs'][0]:.2f}"))
        return items

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render host facts."""

        def loads(values: Any) -> str:
            return " · ".join(f"{value:.2f}" for value in values) + "  (1, 5, 15 min)"

        return render_mapping(
            context,
            {
                "hostname": ("Host name", None),
                "hostfqdn": ("Fully qualified name", None),
                "platform": ("Platform", None),
                "cpu_count": ("CPUs", None),
                "load_avgs": ("Load averages", loads),
                "utc_time": ("Host time (UTC)", None),
                "uname": ("uname", None),
                "platform_terse": ("Platform (short)", None),
            },
        )


class ProcessPeripheral(MetaPeripheral):
    """The process: ids, owner, working directory, umask, priority and limits."""

    title = "Process"
    group_key = "proc"

    def get_context(self) -> dict[str, Any]:
        """Report process facts."""
        status = _proc_status()
        umask = int(status["Umask"], 8) if "Umask" in status else None
        try:
            owner: str | None = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry for the uid
            owner = None
        times = os.times()
        return {
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "pgid": os.getpgid(0) if hasattr(os, "getpgid") else None,
            "owner": owner,
            "uid": os.getuid() if hasattr(os, "getuid") else None,
            "gid": os.getgid() if hasattr(os, "getgid") else None,
            "cwd": os.getcwd(),
            "umask": umask,
            "umask_str": f"{umask:04o}" if umask is not None else None,
            "niceness": os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else None,
            "cpu_times": {"user": times.user, "system": times.system},
            "thread_count": threading.active_count(),
            "rlimit": _rlimits(),
        }

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Show the process id."""
        return [("PID", str(context.get("pid")))]

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render process facts."""

        def cpu(values: Any) -> str:
            return f"user {format_seconds(values.get('user'))} · system {format_seconds(values.get('system'))}"

        limits = context.get("rlimit") or {}
        body = render_mapping(
            {key: value for key, value in context.items() if key not in ("rlimit", "umask")},
            {
                "pid": ("PID", None),
                "ppid": ("Parent PID", None),
                "pgid": ("Process group", None),
                "owner": ("Owner", None),
                "uid": ("UID", None),
                "gid": ("GID", None),
                "cwd": ("Working directory", None),
                "umask_str": ("umask", None),
                "niceness": ("Niceness", None),
                "cpu_times": ("CPU time", cpu),
                "thread_count": ("Threads", None),
            },
        )
        if limits:
            body += "<h3>Resource limits</h3>" + render_mapping(
                limits, {name: (name, _format_limit) for name in limits}
            )
        return body


class ResourceUsagePeripheral(MetaPeripheral):
    """What the process has used: CPU, memory, page faults, I/O, context switches."""

    title = "Resource usage"
    group_key = "rusage"

    def get_context(self) -> dict[str, Any]:
        """Report ``getrusage(RUSAGE_SELF)`` and the current memory and descriptors."""
        context: dict[str, Any] = {"available": resource is not None}
        status = _proc_status()
        rss = status.get("VmRSS", "").split()
        context["memory"] = {"rss": int(rss[0]) * 1024 if rss and rss[0].isdigit() else None}
        try:
            context["open_fds"] = len(os.listdir("/proc/self/fd"))
        except OSError:
            context["open_fds"] = None
        if resource is None:
            return context
        usage = resource.getrusage(resource.RUSAGE_SELF)
        # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
        scale = 1 if sys.platform == "darwin" else 1024
        context["memory"]["max_rss"] = usage.ru_maxrss * scale
        context.update(
            cpu_times={"user": usage.ru_utime, "system": usage.ru_stime},
            page_faults={"minor": usage.ru_minflt, "major": usage.ru_majflt},
            blocking_io={"input": usage.ru_inblock, "output": usage.ru_oublock},
            messages={"sent": usage.ru_msgsnd, "received": usage.ru_msgrcv},
            signals=usage.ru_nsignals,
            ctx_switches={"voluntary": usage.ru_nvcsw, "involuntary": usage.ru_nivcsw},
        )
        return context

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Show memory and CPU time."""
        memory = context.get("memory") or {}
        items = []
        if memory.get("rss") is not None:
            items.append(("Memory (RSS)", format_bytes(memory["rss"])))
        elif memory.get("max_rss") is not None:
            items.append(("Peak memory", format_bytes(memory["max_rss"])))
        cpu = context.get("cpu_times")
        if cpu:
            items.append(("CPU time", format_seconds(cpu["user"] + cpu["system"])))
        return items

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render resource usage."""
        if not context.get("available"):
            return '<p class="muted">Resource usage is not available on this platform.</p>'

        def pairs(values: Any) -> str:
            return " · ".join(f"{key} {value}" for key, value in values.items())

        def cpu(values: Any) -> str:
            return f"user {format_seconds(values.get('user'))} · system {format_seconds(values.get('system'))}"

        def memory(values: Any) -> str:
            return " · ".join(f"{key.replace('_', ' ')} {format_bytes(value)}" for key, value in values.items())

        return render_mapping(
            {key: value for key, value in context.items() if key != "available"},
            {
                "cpu_times": ("CPU time", cpu),
                "memory": ("Memory", memory),
                "open_fds": ("Open file descriptors", None),
                "page_faults": ("Page faults", pairs),
                "blocking_io": ("Blocking I/O operations", pairs),
                "ctx_switches": ("Context switches", pairs),
                "signals": ("Signals received", None),
                "messages": ("IPC messages", pairs),
            },
        )


class PythonPeripheral(MetaPeripheral):
    """The interpreter: version, build, threads, recursion limit, garbage collector, path."""

    title = "Python runtime"
    group_key = "pyvm"

    def get_context(self) -> dict[str, Any]:
        """Report interpreter facts."""
        build_number, build_date = platform.python_build()
        return {
            "executable": sys.executable,
            "implementation": platform.python_implementation(),
            "version": platform.python_version(),
            "version_info": list(sys.version_info),
            "compiler": platform.python_compiler(),
            "build_date": build_date,
            "build": build_number,
            "is_64bit": sys.maxsize > 2**32,
            "byteorder": sys.byteorder,
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
            "in_virtualenv": sys.prefix != sys.base_prefix,
            "active_thread_count": threading.active_count(),
            "recursion_limit": sys.getrecursionlimit(),
            "switch_interval": sys.getswitchinterval(),
            "module_count": len(sys.modules),
            "gc": {
                "is_enabled": gc.isenabled(),
                "thresholds": list(gc.get_threshold()),
                "counts": list(gc.get_count()),
                "obj_count": len(gc.get_objects()),
            },
            "encodings": {"default": sys.getdefaultencoding(), "filesystem": sys.getfilesystemencoding()},
            "path": list(sys.path),
        }

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Show the Python version."""
        return [("Python", f"{context.get('version')} ({context.get('implementation')})")]

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render interpreter facts."""

        def joined(values: Any) -> str:
            return ".".join(str(v) for v in values)

        return render_mapping(
            context,
            {
                "version": ("Version", None),
                "implementation": ("Implementation", None),
                "executable": ("Executable", None),
                "in_virtualenv": ("In a virtual environment", None),
                "prefix": ("Prefix", None),
                "active_thread_count": ("Threads", None),
                "recursion_limit": ("Recursion limit", None),
                "switch_interval": ("Thread switch interval (s)", None),
                "module_count": ("Modules loaded", None),
                "gc": ("Garbage collector", None),
                "compiler": ("Compiler", None),
                "build_date": ("Build date", None),
                "build": ("Build", None),
                "version_info": ("Version info", joined),
                "is_64bit": ("64-bit", None),
                "byteorder": ("Byte order", None),
                "base_prefix": ("Base prefix", None),
                "encodings": ("Encodings", None),
                "path": ("sys.path", None),
            },
        )
