"""What the process and its machine look like: the data of the system sections of the meta page.

Each function returns the JSON-ready dict one peripheral shows (the
peripherals in :mod:`clastic.meta._system_peripherals` call them), under the
names Clastic 26 gave them. They read the standard library only (``os``,
``resource``, ``platform``, ``gc``, ``sys``), plus ``/proc`` where it exists,
and change no process state: the umask, for instance, is read from
``/proc/self/status`` rather than by the set-and-restore ``os.umask`` dance,
which races with other threads.
"""

from __future__ import annotations

import gc
import getpass
import importlib.util
import os
import platform
import socket
import sys
import sysconfig
import threading
import time
from datetime import UTC, datetime
from typing import Any

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]  # the functions check for None

__all__ = [
    "CPU_COUNT",
    "HAVE_READLINE",
    "IS_64BIT",
    "get_gc_info",
    "get_host_info",
    "get_proc_info",
    "get_pyvm_info",
    "get_rlimit_dict",
    "get_rusage_dict",
    "get_sysconfig_info",
]

#: Whether this interpreter can import :mod:`readline` (looked up, not
#: imported: importing it changes how the terminal behaves). Kept for
#: compatibility with Clastic 26; the Python section shows it as ``have_readline``.
HAVE_READLINE: bool = importlib.util.find_spec("readline") is not None

#: Whether this is a 64-bit interpreter. Kept for compatibility with Clastic
#: 26; the Python section shows it as ``is_64bit``.
IS_64BIT: bool = sys.maxsize > 2**32

#: The number of CPUs of the machine, 0 when unknown. Kept for compatibility
#: with Clastic 26; ``os.cpu_count()`` says the same (``None`` when unknown).
CPU_COUNT: int = os.cpu_count() or 0

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


def utc_iso(timestamp: float) -> str:
    """Show a Unix timestamp as ISO 8601 UTC to the second."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _proc_status() -> dict[str, str]:
    try:
        with open("/proc/self/status", encoding="utf-8") as handle:
            return dict(line.rstrip("\n").split(":\t", 1) for line in handle if ":\t" in line)
    except OSError:
        return {}


def process_start_timestamp() -> float | None:
    """When this process started (Linux ``/proc``), as a Unix timestamp; ``None`` elsewhere."""
    try:
        with open("/proc/self/stat", encoding="utf-8") as handle:
            fields = handle.read().rpartition(")")[2].split()
        with open("/proc/stat", encoding="utf-8") as handle:
            boot = next(float(line.split()[1]) for line in handle if line.startswith("btime "))
        # Field 22 of stat (the 20th after the command name) is the start time in clock ticks since boot.
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def get_rlimit_dict() -> dict[str, list[int | None]]:
    """Return the process's resource limits: ``{"nofile": [soft, hard], ...}``.

    Names drop the ``RLIMIT_`` prefix and are lower case; ``None`` means
    unlimited. Empty where :mod:`resource` does not exist (Windows). Kept
    under its Clastic 26 name; the Process section shows it as ``rlimit``.
    """
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


def get_host_info(*, hostfqdn: str | None = None) -> dict[str, Any]:
    """Return what the Host section shows: name, platform, CPUs, load, time.

    Args:
        hostfqdn: The fully qualified host name, if already known;
            otherwise :func:`socket.getfqdn` is asked, which may wait on DNS
            (the Host section asks once and passes it on later views).

    Kept under its Clastic 26 name; ``json/`` of a MetaApplication answers
    the same under ``host``.
    """
    uname = platform.uname()
    try:
        load = [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):  # not on Windows
        load = None
    return {
        "hostname": socket.gethostname(),
        "hostfqdn": socket.getfqdn() if hostfqdn is None else hostfqdn,
        "platform": platform.platform(),
        "platform_terse": platform.platform(terse=True),
        "uname": {"system": uname.system, "release": uname.release, "version": uname.version, "machine": uname.machine},
        "cpu_count": os.cpu_count(),
        "load_avgs": load,
        "utc_time": utc_iso(time.time()),
    }


def get_proc_info() -> dict[str, Any]:
    """Return what the Process section shows: ids, owner, cwd, umask, niceness, limits.

    Kept under its Clastic 26 name; ``json/`` of a MetaApplication answers
    the same under ``proc``.
    """
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
        "rlimit": get_rlimit_dict(),
    }


def get_rusage_dict(children: bool = False) -> dict[str, Any]:
    """Return what the Resource usage section shows: CPU, memory, faults, I/O, switches.

    Args:
        children: Report the terminated, waited-for child processes
            (``RUSAGE_CHILDREN``) instead of this process. Then the current
            memory (``memory.rss``) and ``open_fds``, which only exist for a
            live process, are ``None``.

    ``available`` is false where :mod:`resource` does not exist (Windows),
    and only the memory and descriptors are given. Kept under its Clastic 26
    name; ``json/`` of a MetaApplication answers the same under ``rusage``.
    """
    context: dict[str, Any] = {"available": resource is not None}
    rss = None if children else _proc_status().get("VmRSS", "").split()
    context["memory"] = {"rss": int(rss[0]) * 1024 if rss and rss[0].isdigit() else None}
    try:
        context["open_fds"] = None if children else len(os.listdir("/proc/self/fd"))
    except OSError:
        context["open_fds"] = None
    if resource is None:
        return context
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
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


def get_gc_info() -> dict[str, Any]:
    """Return the garbage collector's state: ``is_enabled``, ``thresholds``, ``counts``, ``obj_count``.

    Kept under its Clastic 26 name; the Python section shows it as ``gc``.
    """
    return {
        "is_enabled": gc.isenabled(),
        "thresholds": list(gc.get_threshold()),
        "counts": list(gc.get_count()),
        "obj_count": len(gc.get_objects()),
    }


def get_pyvm_info() -> dict[str, Any]:
    """Return what the Python runtime section shows: version, build, threads, gc, path.

    Kept under its Clastic 26 name; ``json/`` of a MetaApplication answers
    the same under ``pyvm``.
    """
    build_number, build_date = platform.python_build()
    return {
        "executable": sys.executable,
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "version_info": list(sys.version_info),
        "compiler": platform.python_compiler(),
        "build_date": build_date,
        "build": build_number,
        "is_64bit": IS_64BIT,
        "have_readline": HAVE_READLINE,
        "byteorder": sys.byteorder,
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "in_virtualenv": sys.prefix != sys.base_prefix,
        "active_thread_count": threading.active_count(),
        "recursion_limit": sys.getrecursionlimit(),
        "switch_interval": sys.getswitchinterval(),
        "module_count": len(sys.modules),
        "gc": get_gc_info(),
        "encodings": {"default": sys.getdefaultencoding(), "filesystem": sys.getfilesystemencoding()},
        "path": list(sys.path),
    }


def get_sysconfig_info() -> dict[str, Any]:
    """Return the interpreter's build configuration: ``sysconfig_paths`` and ``sysconfig_vars``.

    What :class:`~clastic.meta.SysconfigPeripheral` shows: every
    :func:`sysconfig.get_paths` entry and every
    :func:`sysconfig.get_config_vars` variable (JSON-ready: other values
    become their ``repr``), sorted by name.
    """
    variables = {}
    for name, value in sorted(sysconfig.get_config_vars().items()):
        variables[name] = value if value is None or isinstance(value, (str, int, float, bool)) else repr(value)
    return {"sysconfig_paths": dict(sorted(sysconfig.get_paths().items())), "sysconfig_vars": variables}
