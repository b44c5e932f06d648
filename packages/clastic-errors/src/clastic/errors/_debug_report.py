"""Collect what the debug error pages show: the exception, the request, the routes.

Everything here returns plain JSON-ready data (dicts, lists, strings), so the
HTML, text, XML and JSON renderings all show the same facts.
"""

from __future__ import annotations

import datetime
import linecache
import logging
import reprlib
import sys
import traceback
from collections.abc import Iterable, Mapping
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException

import clastic
from clastic.errors import HTTPException

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from clastic.errors.problems import Problem

__all__ = [
    "environment_report",
    "exception_report",
    "problem_types_report",
    "request_report",
    "routes_report",
    "stdlib_exception_url",
    "truncate",
]

logger = logging.getLogger("clastic.errors")

#: Python's documentation page for the builtin exception types.
STDLIB_EXC_URL = "https://docs.python.org/3/library/exceptions.html#"


def truncate(text: str, limit: int) -> str:
    """Cut *text* to *limit* characters, marking the cut with ``...``.

    >>> truncate("abcdefgh", 6)
    'abc...'
    """
    if limit < 4 or len(text) <= limit:
        return text
    return text[: limit - 3] + "..."


class _LimitedRepr(reprlib.Repr):
    """``reprlib`` with limits suited to a page of local variables."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = self.maxarray = 12
        self.maxdict = 12
        self.maxstring = self.maxlong = self.maxother = limit


def _safe_repr(value: Any, limiter: _LimitedRepr, limit: int) -> str:
    try:
        text = limiter.repr(value)
    except Exception as ex:
        logger.debug("repr() of a %s local failed on the debug page", type(value).__name__, exc_info=True)
        text = f"<unrepresentable {type(value).__name__} object: {type(ex).__name__}>"
    return truncate(text, limit)


def _is_framework_module(module_name: Any) -> bool:
    return isinstance(module_name, str) and (module_name == "clastic" or module_name.startswith("clastic."))


def _frame_report(
    frame: FrameType, lineno: int, *, hide_internal: bool, context_lines: int, repr_length: int
) -> dict[str, Any]:
    code = frame.f_code
    filename = code.co_filename
    module_globals = frame.f_globals
    module_name = module_globals.get("__name__")
    f_locals = frame.f_locals
    internal = bool(f_locals.get("__traceback_hide__")) or _is_framework_module(module_name)

    source = linecache.getlines(filename, module_globals)

    def line_at(number: int) -> str:
        return source[number - 1].rstrip("\n") if 0 < number <= len(source) else ""

    first = max(1, lineno - context_lines)
    last = min(len(source), lineno + context_lines)
    limiter = _LimitedRepr(repr_length)
    return {
        "module_name": module_name if isinstance(module_name, str) else None,
        "module_path": filename,
        "func_name": code.co_name,
        "lineno": lineno,
        "line": line_at(lineno),
        "pre_lines": [line_at(n) for n in range(first, lineno)],
        "post_lines": [line_at(n) for n in range(lineno + 1, last + 1)],
        "locals": {str(name): _safe_repr(value, limiter, repr_length) for name, value in f_locals.items()},
        "internal": internal,
        "hidden": hide_internal and internal,
    }


def _walk(tb: TracebackType | None) -> Iterable[tuple[FrameType, int]]:
    for frame, lineno in traceback.walk_tb(tb):
        yield frame, lineno if lineno is not None else frame.f_lineno


def exception_report(
    exc: BaseException, *, hide_internal: bool = True, context_lines: int = 5, repr_length: int = 200
) -> dict[str, Any]:
    """Describe *exc* and its traceback for a debug page.

    Args:
        exc: The exception, with its ``__traceback__``.
        hide_internal: Mark framework frames (Clastic's modules, and frames
            whose locals set ``__traceback_hide__``) as hidden.
        context_lines: Source lines shown before and after each frame's line.
        repr_length: Longest repr shown for a local variable.

    Returns:
        ``exc_type``, ``exc_value``, ``exc_tb`` (``{"frames": [...]}``, each
        frame with ``module_name, module_path, func_name, lineno, line,
        pre_lines, post_lines, locals, internal, hidden``), ``exc_tb_str``,
        ``last_frame`` and ``hidden_count``.
    """
    frames = [
        _frame_report(frame, lineno, hide_internal=hide_internal, context_lines=context_lines, repr_length=repr_length)
        for frame, lineno in _walk(exc.__traceback__)
    ]
    if frames and all(frame["hidden"] for frame in frames):
        # An error inside the framework itself: hiding everything would show nothing.
        for frame in frames:
            frame["hidden"] = False
    exc_type = type(exc)
    type_name = exc_type.__qualname__
    if exc_type.__module__ not in ("builtins", "__main__"):
        type_name = f"{exc_type.__module__}.{type_name}"
    return {
        "exc_type": type_name,
        "exc_value": _safe_repr_text(exc),
        "exc_tb": {"frames": frames},
        "exc_tb_str": "".join(traceback.format_exception(exc)),
        "last_frame": frames[-1] if frames else None,
        "hidden_count": sum(1 for frame in frames if frame["hidden"]),
    }


def _safe_repr_text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception as ex:
        logger.debug("str() of a %s failed on the debug page", type(exc).__name__, exc_info=True)
        return f"<unprintable {type(exc).__name__}: {type(ex).__name__}>"


def stdlib_exception_url(exc: BaseException) -> str | None:
    """Return the Python documentation URL for a builtin exception type, else ``None``."""
    exc_type = type(exc)
    if exc_type.__module__ == "builtins":
        return STDLIB_EXC_URL + exc_type.__name__
    return None


def _flatten(multi: Any) -> dict[str, Any]:
    """MultiDict -> {key: value} or {key: [values]} when a key repeats."""
    flat: dict[str, Any] = {}
    for key, values in multi.lists():
        flat[key] = values[0] if len(values) == 1 else list(values)
    return flat


def _headers(request: Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def request_report(request: Request) -> dict[str, Any]:
    """Describe *request*: method, URLs, query, headers, cookies, form and files.

    Reading the form never raises: a body that cannot be parsed is reported
    as such.
    """
    report: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "abs_path": request.script_root + request.path,
        "full_url": request.url,
        "url_params": {},
        "headers": _headers(request),
        "cookies": _flatten(request.cookies),
        "remote_addr": request.remote_addr,
    }
    try:
        report["url_params"] = _flatten(request.args)
    except (HTTPException, ValueError) as ex:  # a query string that is not UTF-8 (a 400 of its own)
        report["url_params_error"] = str(ex)
    try:
        report["form"] = _flatten(request.form)
        report["files"] = {
            field: [{"filename": f.filename, "content_type": f.content_type} for f in files]
            for field, files in request.files.lists()
        }
    except (WerkzeugHTTPException, ValueError, OSError) as ex:  # too large, malformed, or the client left
        report["form"] = {}
        report["files"] = {}
        report["form_error"] = f"{type(ex).__name__}: {ex}"
    return report


def _methods(route: Any) -> list[str] | None:
    methods = getattr(route, "methods", None)
    return sorted(methods) if methods else None


def _endpoint_name(endpoint: Any) -> str:
    module = getattr(endpoint, "__module__", None) or type(endpoint).__module__
    name = getattr(endpoint, "__qualname__", None) or type(endpoint).__qualname__
    return f"{module}.{name}"


def routes_report(routes: Iterable[Any], attempted: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """Describe the routes in dispatch order; ``matched_path`` marks those tried for this request.

    Args:
        routes: The application's bound routes, in order.
        attempted: Routes whose path matched the request (from the dispatch state).
    """
    attempted_ids = {id(route) for route in attempted}
    report = []
    for route in routes:
        regex = getattr(route, "regex", None)
        report.append(
            {
                "pattern": route.pattern,
                "regex": getattr(regex, "pattern", None),
                "methods": _methods(route),
                "endpoint": _endpoint_name(route.endpoint),
                "name": getattr(route, "name", None),
                "matched_path": id(route) in attempted_ids,
            }
        )
    return report


def problem_types_report(problem_types: Iterable[type[Problem]]) -> list[dict[str, Any]]:
    """Describe declared problem types for the pages' documentation links."""
    return [problem_type.describe() for problem_type in problem_types]


def environment_report() -> dict[str, Any]:
    """Describe the Python runtime and the server time."""
    now = datetime.datetime.now(datetime.UTC)
    return {
        "clastic_version": clastic.__version__,
        "python": {"executable": sys.executable, "version": sys.version, "path": list(sys.path)},
        "server_time": now.astimezone().isoformat(),
        "server_time_utc": now.isoformat(),
    }


def json_ready(data: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the bookkeeping keys that are not part of the JSON bodies."""
    return {key: value for key, value in data.items() if key != "hidden_count"}
