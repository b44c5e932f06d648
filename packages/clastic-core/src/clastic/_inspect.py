"""Static checks of a built Application, for ``clastic routes`` and ``clastic check``.

Shadowed routes
---------------
A route is *shadowed* when it can never answer because routes before it
answer every request it could match. Whether an endpoint raises a
non-breaking :class:`~clastic.errors.HTTPException` (letting later routes
try) cannot be decided without running it, so the definition is
deliberately narrow and syntactic. Route *B* is shadowed when the routes
before it that have

* the same matcher: the same literal segments and the same bindings (arity
  and type; names may differ) compiled for the same slash mode, so they
  match exactly the same paths (``/a`` and ``/a/`` count as the same in the
  lenient slash modes, where both match both), and
* methods that together cover all of *B*'s (a route with no method
  restriction covers every method; ``GET`` covers ``HEAD``),

exist. A broader earlier route (``/<page>`` before ``/about``) is never
reported: such orderings are legitimate when the broad endpoint falls through
with a non-breaking error. Identical matchers with covering methods are
reported even then, since falling through between two routes of the very
same pattern is almost always a copy-and-paste mistake; give the later route
a different pattern or method set to silence it.

Every build error
-----------------
``Application(...)`` stops at its first mistake. To report them all,
:func:`collect_build_errors` finds the innermost ``Application.__init__``
that failed in the traceback, takes the arguments it was given (routes,
resources, middlewares, render factory, error handler, debug, slash mode)
and builds one Application per route entry with the same settings,
recording each failure once.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from clastic.application import Application
from clastic.exceptions import ClasticError
from clastic.route import BoundRoute

__all__ = ["BuildProblem", "RouteInfo", "callable_location", "collect_build_errors", "describe_routes", "find_shadowed", "format_arguments", "format_table"]

_GROUP_NAME = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


@dataclass
class RouteInfo:
    """One row of ``clastic routes``."""

    #: 1-based position in dispatch order.
    number: int
    #: ``'GET,HEAD'`` or ``'*'`` for any method.
    methods: str
    pattern: str
    endpoint: str
    #: ``[(argument, source), ...]`` from :attr:`BoundRoute.arg_sources`.
    arguments: list[tuple[str, str]]
    #: Numbers of the earlier routes that shadow this one (empty when it can answer).
    shadowed_by: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "number": self.number,
            "methods": self.methods,
            "pattern": self.pattern,
            "endpoint": self.endpoint,
            "arguments": [{"name": name, "source": source} for name, source in self.arguments],
            "shadowed_by": list(self.shadowed_by),
        }


@dataclass(frozen=True)
class BuildProblem:
    """One build error found by ``clastic check``."""

    #: ``'file.py:LINE'`` of the route's endpoint or of the failing code, or ``''``.
    location: str
    #: The exception class name.
    kind: str
    message: str

    def format(self) -> str:
        """Return the problem as one line: ``file.py:12: NameError: message``."""
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.kind}: {self.message}"


def matcher_key(route: BoundRoute) -> str:
    """Return a key equal for two routes exactly when they match the same paths.

    The compiled regular expression, with binding names replaced by their
    position, fully determines which paths match; converters are implied by
    their regular expressions.
    """
    count = iter(range(10_000))
    return _GROUP_NAME.sub(lambda _m: f"(?P<_{next(count)}>", route.regex.pattern)


def find_shadowed(routes: Sequence[BoundRoute]) -> dict[int, list[int]]:
    """Map the index of each shadowed route to the indexes of the routes shadowing it.

    See the module docstring for the (conservative) definition.
    """
    shadowed: dict[int, list[int]] = {}
    earlier: dict[str, list[int]] = {}
    for index, route in enumerate(routes):
        key = matcher_key(route)
        same = earlier.setdefault(key, [])
        covering = [i for i in same if _methods_overlap(routes[i].methods, route.methods)]
        if covering and _covers([routes[i].methods for i in covering], route.methods):
            shadowed[index] = covering
        same.append(index)
    return shadowed


def _methods_overlap(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    return a is None or b is None or bool(a & b)


def _covers(earlier: Iterable[frozenset[str] | None], methods: frozenset[str] | None) -> bool:
    union: set[str] = set()
    for item in earlier:
        if item is None:
            return True
        union |= item
    return methods is not None and methods <= union


def endpoint_name(endpoint: Any) -> str:
    """Return ``module.qualname`` for functions, ``module.Class`` for callable objects."""
    target = endpoint
    module = getattr(target, "__module__", None)
    name = getattr(target, "__qualname__", None)
    if name is None:
        target = type(endpoint)
        module, name = target.__module__, f"{target.__qualname__} instance"
    return f"{module}.{name}" if module and module != "builtins" else str(name)


def format_methods(methods: frozenset[str] | None) -> str:
    """``'GET,HEAD'`` in a stable order, or ``'*'`` for any method."""
    return "*" if methods is None else ",".join(sorted(methods))


def describe_routes(app: Application) -> list[RouteInfo]:
    """Describe *app*'s routes in dispatch order, with shadowing."""
    routes = app.routes
    shadowed = find_shadowed(routes)
    rows = []
    for index, route in enumerate(routes):
        rows.append(
            RouteInfo(
                number=index + 1,
                methods=format_methods(route.methods),
                pattern=route.pattern,
                endpoint=endpoint_name(route.endpoint),
                arguments=sorted(route.arg_sources.items(), key=lambda item: (_SOURCE_ORDER.get(item[1], 3), item[0])),
                shadowed_by=[i + 1 for i in shadowed.get(index, [])],
            )
        )
    return rows


_SOURCE_ORDER = {"url": 0, "resources": 1, "builtins": 4, "default": 5}


def format_table(rows: Sequence[RouteInfo]) -> str:
    """Render rows as a plain-text table (one route per line)."""
    headers = ["#", "METHODS", "PATTERN", "ENDPOINT", "ARGUMENTS"]
    show_notes = any(row.shadowed_by for row in rows)
    if show_notes:
        headers.append("NOTE")
    table = [headers]
    for row in rows:
        args = format_arguments(row.arguments)
        cells = [str(row.number), row.methods, row.pattern, row.endpoint, args]
        if show_notes:
            cells.append("shadowed by " + ", ".join(f"#{n}" for n in row.shadowed_by) if row.shadowed_by else "")
        table.append(cells)
    widths = [max(len(r[col]) for r in table) for col in range(len(headers))]
    lines = []
    for cells in table:
        padded = [cell.rjust(widths[0]) if col == 0 else cell.ljust(widths[col]) for col, cell in enumerate(cells)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def format_arguments(arguments: Sequence[tuple[str, str]]) -> str:
    """Group arguments by source: ``'url: name; resources: db; builtins: request'``."""
    groups: dict[str, list[str]] = {}
    for name, source in arguments:
        groups.setdefault(source, []).append(name)
    return "; ".join(f"{source}: {', '.join(names)}" for source, names in groups.items()) or "-"


def describe_shadowing(rows: Sequence[RouteInfo]) -> list[str]:
    """One sentence per shadowed route, for ``clastic check`` and the routes footer."""
    by_number = {row.number: row for row in rows}
    out = []
    for row in rows:
        if not row.shadowed_by:
            continue
        firsts = ", ".join(f"#{n} {by_number[n].methods} {by_number[n].pattern} ({by_number[n].endpoint})" for n in row.shadowed_by)
        out.append(
            f"route #{row.number} {row.methods} {row.pattern} ({row.endpoint}) never answers: "
            f"{firsts} match{'es' if len(row.shadowed_by) == 1 else ''} the same paths and methods first"
        )
    return out


# -- build errors ----------------------------------------------------------------


def collect_build_errors(error: BaseException) -> list[BuildProblem]:
    """Return every build error behind *error*, the exception that stopped a build.

    *error* itself always comes first. When it was raised while an
    ``Application(...)`` was being constructed, each of that call's route
    entries is built on its own with the same settings, so that every
    failing route is reported, each with its endpoint's ``file:line``.
    """
    problems = [BuildProblem(error_location(error), type(error).__name__, _one_message(error))]
    frame = _failed_application_frame(error)
    if frame is None:
        return problems
    settings = _constructor_arguments(frame)
    routes = settings.pop("routes", None)
    if not isinstance(routes, (list, tuple)):
        return problems
    seen = {problems[0].message}
    for entry in routes:
        try:
            Application([entry], **settings)
        except (ClasticError, TypeError, ValueError, NameError, LookupError) as ex:
            message = _one_message(ex)
            if message in seen:
                continue
            seen.add(message)
            problems.append(BuildProblem(_entry_location(entry) or error_location(ex), type(ex).__name__, message))
    return problems


def _failed_application_frame(error: BaseException) -> FrameType | None:
    init_code = Application.__init__.__code__
    found = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is init_code:
            found = tb.tb_frame
        tb = tb.tb_next
    return found


def _constructor_arguments(frame: FrameType) -> dict[str, Any]:
    names = ("routes", "resources", "middlewares", "render_factory", "error_handler", "debug", "slash_mode")
    values = frame.f_locals
    return {name: values[name] for name in names if name in values}


def _entry_location(entry: Any) -> str:
    endpoint = getattr(entry, "endpoint", None)
    if endpoint is None and isinstance(entry, (tuple, list)) and len(entry) >= 2:
        endpoint = entry[1]
    return callable_location(endpoint)


def callable_location(func: Any) -> str:
    """``file:line`` where *func* (unwrapped from its decorators) is defined, or ``''``.

    The line is the first of the definition, decorators included; the file
    is relative to the current directory when it lies below it.
    """
    func = inspect.unwrap(func) if callable(func) else None
    if func is None or isinstance(func, Application):
        return ""
    try:
        filename = inspect.getsourcefile(func)
        _lines, lineno = inspect.getsourcelines(func)
    except (TypeError, OSError):
        return ""
    return f"{short_path(filename)}:{lineno}" if filename else ""


def error_location(error: BaseException) -> str:
    """``file:line`` where *error* arose in the application's code (not clastic's), or ``''``."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"{short_path(error.filename)}:{error.lineno}"
    clastic_dir = os.path.dirname(os.path.abspath(__file__))
    found = ""
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(("<", clastic_dir)):
            found = f"{short_path(filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def short_path(filename: str | None) -> str:
    """*filename* relative to the current directory when it lies below it."""
    if not filename:
        return ""
    try:
        rel = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        return filename
    return filename if rel.startswith("..") else rel


def _one_message(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
