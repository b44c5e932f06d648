"""A ``top``-like page (and JSON) of the machine's processes, read with psutil.

Mount it in a development setup::

    from clastic import Application
    from clastic.contrib.webtop import top

    app = Application([..., ("/_top", top.create_app())])

``/_top/`` is the page (``?format=json``: the same data as JSON), and
``/_top/json/`` the JSON. ``?sort=`` orders the processes by ``cpu`` (the
default; ties by memory), ``mem``, ``time``, ``pid``, ``name``, ``user`` or
``threads``; ``?refresh=N`` reloads the page every N seconds (default 5,
``0`` never). A bad value is a 400 naming it.

CPU percentages are measured between two looks at a process, so the first
view shows 0.0 for processes not seen before, as ``top`` does on its first
screen. Command lines are scrubbed like the meta page's reprs
(``--password=...`` and URL passwords become ``[REDACTED]``). Like
``/_meta/`` it answers loopback clients only by default (the same
:class:`~clastic.access.AccessRule`, DNS-rebinding check included).

Needs psutil: ``pip install clastic-meta[webtop]``.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from typing import Any

from clastic import GET, Application, Request, Response
from clastic.access import AccessRule
from clastic.errors import BadRequest
from clastic.meta import MetaAccessMiddleware, Redactor
from clastic.meta._app import mount_prefix
from clastic.meta._html import esc, format_bytes, format_duration
from clastic.meta._page import build_tool_page, page_response
from clastic.render import JSONRender
from clastic.route import BoundRoute

try:
    import psutil
except ImportError as _ex:
    raise ImportError(
        "clastic.contrib.webtop.top lists processes with psutil, which is not installed; "
        "install it with: pip install clastic-meta[webtop]",
        name="psutil",
    ) from _ex

__all__ = [
    "SORT_KEYS",
    "create_app",
    "format_cpu_time",
    "format_dict",
    "get_process_dicts",
    "get_system_summary",
    "top",
]

#: ``?sort=`` values and the process-dict field each sorts by, largest first
#: for figures, alphabetically (or by number) for the others.
SORT_KEYS: dict[str, str] = {
    "cpu": "cpu_percent",
    "mem": "mem_percent",
    "time": "cpu_time",
    "threads": "threads",
    "pid": "pid",
    "name": "name",
    "user": "user",
}
_DESCENDING = ("cpu", "mem", "time", "threads")
_ATTRS = [
    "pid",
    "ppid",
    "name",
    "username",
    "status",
    "nice",
    "num_threads",
    "cpu_percent",
    "memory_percent",
    "memory_info",
    "cpu_times",
    "create_time",
    "cmdline",
]
_FORMATS = ("html", "json")
_DEFAULT_REFRESH = 5
_MAX_COMMAND = 160
_MAX_REFRESH = 3600
_JSON_RENDER = JSONRender(dev_mode=True)
_REDACTOR = Redactor()

_EXTRA_CSS = """
table.procs td, table.procs th { white-space: nowrap; font-variant-numeric: tabular-nums; }
table.procs td.num, table.procs th.num { text-align: right; }
table.procs td.command {
  white-space: normal; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 0.82em;
}
table.procs th a { color: inherit; text-decoration: none; }
table.procs th[aria-sort] { color: var(--accent); }
table.procs th[aria-sort] a::after { content: " ▾"; }
table.procs th[aria-sort="ascending"] a::after { content: " ▴"; }
table.procs tr.self { background: var(--accent-soft); }
.hot { color: var(--bad); font-weight: 600; }
"""


def format_cpu_time(seconds: float) -> str:
    """Show CPU time as ``top``'s TIME+ column does: minutes, seconds and hundredths.

    >>> format_cpu_time(125.37)
    '2:05.37'
    >>> format_cpu_time(3725.5)
    '62:05.50'

    Kept for compatibility with Clastic 26.
    """
    hundredths = round(max(float(seconds), 0.0) * 100)
    minutes, rest = divmod(hundredths, 6000)
    whole, fraction = divmod(rest, 100)
    return f"{minutes}:{whole:02d}.{fraction:02d}"


def get_process_dicts() -> list[dict[str, Any]]:
    """Return one JSON-ready dict per process of the machine, in pid order.

    Keys: ``pid``, ``ppid``, ``name``, ``user``, ``status``, ``nice``,
    ``threads``, ``cpu_percent``, ``mem_percent``, ``rss`` and ``vms``
    (bytes), ``cpu_time`` (user + system seconds), ``create_time`` (Unix
    time) and ``command`` (the command line, scrubbed of secrets). A figure
    the process does not let this user read is ``None``. Kept for
    compatibility with Clastic 26; ``json/`` answers the same, sorted.
    """
    processes = []
    for process in psutil.process_iter(_ATTRS, ad_value=None):
        info = process.info
        memory = info.get("memory_info")
        times = info.get("cpu_times")
        cmdline = info.get("cmdline")
        command = " ".join(cmdline) if cmdline else ""
        processes.append(
            {
                "pid": info["pid"],
                "ppid": info.get("ppid"),
                "name": info.get("name") or "",
                "user": info.get("username"),
                "status": info.get("status"),
                "nice": info.get("nice"),
                "threads": info.get("num_threads"),
                "cpu_percent": info.get("cpu_percent"),
                "mem_percent": round(info["memory_percent"], 3) if info.get("memory_percent") is not None else None,
                "rss": memory.rss if memory is not None else None,
                "vms": memory.vms if memory is not None else None,
                "cpu_time": round(times.user + times.system, 2) if times is not None else None,
                "create_time": info.get("create_time"),
                "command": _REDACTOR.scrub(command) if command else f"[{info.get('name') or '?'}]",
            }
        )
    return processes


def top(sort_key: str = "cpu") -> list[dict[str, Any]]:
    """Return :func:`get_process_dicts` sorted by *sort_key* (a key of :data:`SORT_KEYS`).

    Figures sort largest first, with ties (such as the 0.0 CPU of a first
    look) broken by memory, then pid; ``pid``, ``name`` and ``user`` sort
    ascending. Unknown figures sort last.

    Raises:
        ValueError: *sort_key* is not one of :data:`SORT_KEYS`.

    Kept for compatibility with Clastic 26.
    """
    if sort_key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort_key!r}; use one of {list(SORT_KEYS)}")
    field = SORT_KEYS[sort_key]
    processes = get_process_dicts()
    if sort_key in _DESCENDING:

        def figures(pd: Mapping[str, Any]) -> tuple[float, float, int]:
            value, memory = pd.get(field), pd.get("mem_percent")
            return (
                -(value if value is not None else -1.0),
                -(memory if memory is not None else -1.0),
                pd["pid"],
            )

        return sorted(processes, key=figures)

    def ordered(pd: Mapping[str, Any]) -> tuple[bool, Any, int]:
        value = pd.get(field)
        return (value is None, value if not isinstance(value, str) else value.lower(), pd["pid"])

    return sorted(processes, key=ordered)


def format_dict(pd: Mapping[str, Any]) -> dict[str, str]:
    """Return a process dict's figures as ``top`` shows them (strings, unknowns as ``—``).

    ``{"pid", "user", "nice", "virt", "res", "cpu", "mem", "time", "status",
    "threads", "name", "command"}``: memory in binary units (``45.3M``), CPU
    and memory percentages to one decimal, CPU time via :func:`format_cpu_time`.
    Kept for compatibility with Clastic 26 (the page's cells).
    """

    def text(value: Any) -> str:
        return "—" if value is None else str(value)

    def percent(value: Any) -> str:
        return "—" if value is None else f"{value:.1f}"

    return {
        "pid": text(pd.get("pid")),
        "user": text(pd.get("user")),
        "nice": text(pd.get("nice")),
        "virt": format_bytes(pd.get("vms")),
        "res": format_bytes(pd.get("rss")),
        "cpu": percent(pd.get("cpu_percent")),
        "mem": percent(pd.get("mem_percent")),
        "time": "—" if pd.get("cpu_time") is None else format_cpu_time(pd["cpu_time"]),
        "status": text(pd.get("status")),
        "threads": text(pd.get("threads")),
        "name": text(pd.get("name")),
        "command": text(pd.get("command")),
    }


def get_system_summary() -> dict[str, Any]:
    """Return the machine's figures shown above the table: CPUs, load, memory, swap, uptime."""
    memory = psutil.virtual_memory()
    swap = psutil.swap_memory()
    try:
        load: list[float] | None = [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):  # not on Windows
        load = None
    boot = psutil.boot_time()
    return {
        "cpu_count": psutil.cpu_count(),
        "cpu_percent": psutil.cpu_percent(interval=None),
        "load_avgs": load,
        "memory": {
            "total": memory.total,
            "available": memory.available,
            "used": memory.used,
            "percent": memory.percent,
        },
        "swap": {"total": swap.total, "used": swap.used, "percent": swap.percent},
        "boot_time": boot,
        "uptime_seconds": round(time.time() - boot, 1),
    }


_COLUMNS: tuple[tuple[str, str, str | None, bool], ...] = (
    # (heading, format_dict key, sort key, numeric)
    ("PID", "pid", "pid", True),
    ("User", "user", "user", False),
    ("NI", "nice", None, True),
    ("VIRT", "virt", None, True),
    ("RES", "res", "mem", True),
    ("%CPU", "cpu", "cpu", True),
    ("%MEM", "mem", "mem", True),
    ("TIME+", "time", "time", True),
    ("State", "status", None, False),
    ("Threads", "threads", "threads", True),
    ("Command", "command", "name", False),
)


def _page(context: Mapping[str, Any], root: str, refresh: int, nonce: str) -> str:
    summary = context["summary"]
    sort_key = context["sort"]
    processes = context["processes"]
    memory = summary["memory"]
    glance = [
        ("Tasks", str(len(processes))),
        ("CPUs", str(summary["cpu_count"])),
        ("CPU", f"{summary['cpu_percent']:.1f} %"),
        ("Load", " · ".join(f"{value:.2f}" for value in summary["load_avgs"]) if summary["load_avgs"] else "—"),
        ("Memory", f"{format_bytes(memory['used'])} of {format_bytes(memory['total'])}"),
        ("Uptime", format_duration(summary["uptime_seconds"])),
    ]
    items = "".join(f"<div><dt>{esc(label)}</dt><dd>{esc(value)}</dd></div>" for label, value in glance)
    heads = []
    for heading, _key, column_sort, numeric in _COLUMNS:
        css = ' class="num"' if numeric else ""
        if column_sort is None:
            heads.append(f'<th scope="col"{css}>{esc(heading)}</th>')
            continue
        current = ""
        if column_sort == sort_key and (heading != "RES"):
            current = f' aria-sort="{"descending" if sort_key in _DESCENDING else "ascending"}"'
        href = f"{root}/?sort={column_sort}&refresh={refresh}"
        heads.append(f'<th scope="col"{css}{current}><a href="{esc(href)}">{esc(heading)}</a></th>')
    own_pid = os.getpid()
    rows = []
    for pd in processes:
        shown = format_dict(pd)
        cells = []
        for _heading, key, _sort, numeric in _COLUMNS:
            css = "num" if numeric else ("command" if key == "command" else "")
            if key == "cpu" and (pd.get("cpu_percent") or 0) >= 50:
                css += " hot"
            text = shown[key]
            if key == "command" and len(text) > _MAX_COMMAND:
                cells.append(f'<td class="{css}" title="{esc(text)}">{esc(text[: _MAX_COMMAND - 1])}…</td>')
            else:
                cells.append(f'<td class="{css.strip()}">{esc(text)}</td>' if css.strip() else f"<td>{esc(text)}</td>")
        row_css = ' class="self"' if pd["pid"] == own_pid else ""
        rows.append(f'<tr{row_css} data-pid="{int(pd["pid"])}">{"".join(cells)}</tr>')
    body = (
        f'<dl class="glance" aria-label="At a glance">{items}</dl>'
        '<details class="section" id="section-processes" open><summary><h2>Processes</h2>'
        f'<span class="group">sorted by {esc(sort_key)}</span></summary><div class="section-body">'
        f'<div class="table-wrap"><table id="process-table" class="grid procs"><thead><tr>{"".join(heads)}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div></div></details>'
    )
    footer = "clastic.contrib.webtop · processes read with psutil · "
    footer += f"refreshes every {refresh} s" if refresh else "not refreshing (add ?refresh=5)"
    return build_tool_page(
        title="webtop",
        heading="webtop",
        subtitle=f"{len(processes)} processes",
        actions=[("JSON", f"{root}/json/?sort={sort_key}")],
        body=body,
        footer=footer,
        nonce=nonce,
        extra_css=_EXTRA_CSS,
        refresh_seconds=refresh,
    )


def _sort_arg(request: Request) -> str:
    sort_key = (request.args.get("sort") or "cpu").strip().lower()
    if sort_key not in SORT_KEYS:
        raise BadRequest(f"unsupported sort {sort_key[:32]!r} in ?sort=; use one of {list(SORT_KEYS)}")
    return sort_key


def _context(sort_key: str) -> dict[str, Any]:
    return {"summary": get_system_summary(), "sort": sort_key, "processes": top(sort_key)}


def get_json(request: Request) -> Response:
    """Answer ``{"summary", "sort", "processes"}`` as JSON (``?sort=`` as on the page)."""
    response = _JSON_RENDER(_context(_sort_arg(request)))
    response.headers["Cache-Control"] = "no-store"
    return response


def get_page(request: Request, _route: BoundRoute) -> Response:
    """Answer the process page (``?format=json``: :func:`get_json`)."""
    fmt = (request.args.get("format") or "html").strip().lower()
    if fmt not in _FORMATS:
        raise BadRequest(f"unsupported format {fmt[:32]!r} in ?format=; use one of {list(_FORMATS)}")
    if fmt == "json":
        return get_json(request)
    sort_key = _sort_arg(request)
    raw_refresh = (request.args.get("refresh") or str(_DEFAULT_REFRESH)).strip()
    if not raw_refresh.isdigit() or int(raw_refresh) > _MAX_REFRESH:
        raise BadRequest(
            f"unsupported refresh {raw_refresh[:32]!r} in ?refresh=; use whole seconds from 0 (never) to {_MAX_REFRESH}"
        )
    root = request.script_root + mount_prefix(_route)
    nonce = secrets.token_urlsafe(16)
    return page_response(_page(_context(sort_key), root, int(raw_refresh), nonce), nonce)


def create_app(*, allow: Any = None) -> Application:
    """Build the webtop application: the page at ``/``, JSON at ``/json/``.

    Args:
        allow: Who may see it, as for :class:`~clastic.meta.MetaApplication`:
            ``None`` for loopback clients only (with the DNS-rebinding Host
            check), else networks, a callable taking the request, or a list
            of them. Others get 403.

    As in Clastic 26 (``allow=`` is new: the original had no access rule,
    and the page no longer needs a ``/clastic_assets/`` route).
    """
    rule = AccessRule(allow, subject="This webtop page", setting="webtop.top.create_app(allow=...)")
    return Application(
        [GET("/", get_page, name="webtop_page"), GET("/json/", get_json, name="webtop_json")],
        middlewares=[MetaAccessMiddleware(rule)],
    )
