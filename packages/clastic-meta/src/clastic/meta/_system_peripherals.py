"""Peripherals that show what the process is doing: uptime, host, process, usage, Python.

Their data comes from the functions of :mod:`clastic.meta._sysinfo`
(``get_host_info()``, ``get_proc_info()``...), which read the standard
library and ``/proc`` and change no process state; here it is laid out.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clastic.meta._html import format_bytes, format_duration, format_seconds, render_mapping
from clastic.meta._peripheral import MetaPeripheral
from clastic.meta._sysinfo import (
    get_host_info,
    get_proc_info,
    get_pyvm_info,
    get_rusage_dict,
    process_start_timestamp,
    utc_iso,
)

if TYPE_CHECKING:
    from clastic.meta._types import MetaApplicationView

__all__ = ["BasicPeripheral", "HostPeripheral", "ProcessPeripheral", "PythonPeripheral", "ResourceUsagePeripheral"]


def _format_limit(pair: Any) -> str:
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        return str(pair)
    soft, hard = ("unlimited" if value is None else str(value) for value in pair)
    return soft if soft == hard else f"{soft} (hard: {hard})"


class BasicPeripheral(MetaPeripheral):
    """When the application and its process started, and for how long they have run."""

    title = "Basic information"
    group_key = "basic"

    def get_context(self, _meta_application: MetaApplicationView) -> dict[str, Any]:
        """Report start times and uptime."""
        now = time.time()
        started = _meta_application.start_timestamp
        process_started = process_start_timestamp()
        return {
            "start_time": utc_iso(started),
            "uptime_seconds": round(now - started, 3),
            "process_start_time": utc_iso(process_started) if process_started is not None else None,
            "process_uptime_seconds": round(now - process_started, 3) if process_started is not None else None,
            "now": utc_iso(now),
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
        """Report host facts (:func:`~clastic.meta.get_host_info`)."""
        context = get_host_info(hostfqdn=self._fqdn)
        self._fqdn = context["hostfqdn"]
        return context

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
        """Report process facts (:func:`~clastic.meta.get_proc_info`)."""
        return get_proc_info()

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
        """Report ``getrusage(RUSAGE_SELF)``, memory and descriptors (:func:`~clastic.meta.get_rusage_dict`)."""
        return get_rusage_dict()

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
        """Report interpreter facts (:func:`~clastic.meta.get_pyvm_info`)."""
        return get_pyvm_info()

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
                "have_readline": ("readline available", None),
                "byteorder": ("Byte order", None),
                "base_prefix": ("Base prefix", None),
                "encodings": ("Encodings", None),
                "path": ("sys.path", None),
            },
        )
