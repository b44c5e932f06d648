"""Static checks of a built Application, for ``clastic routes`` and ``clastic check``.

Shadowed routes
---------------
A route is *shadowed* when it can never answer because routes before it
answer every request it could match: route *B* is shadowed by the earlier
routes that each match every path *B* matches, when together they accept
every method *B* accepts (a route with no method restriction accepts every
method; ``GET`` covers ``HEAD``). Both the same pattern (``/a`` twice) and a
wider one are found: ``/a/b`` after ``/a/<x>``, ``/c/<n:int>`` after
``/c/<n>``, ``/f/<xs*>`` after ``/f/<ys*>``, ``/d/<x>`` after ``/d/<rest+>``.
Only a route *every* one of whose paths the earlier one matches is reported:
``/c/<n>`` after ``/c/<n:int>`` still answers ``/c/abc``, and ``/c/<n:int>``
after ``/c/<n:float>`` still answers the integers too long for a float.

Paths are compared segment by segment: a pattern is a small regular
language over path segments (a literal matches itself, ``<x:int>`` the
segments ``int()`` accepts, ``<x?>`` zero or one, ``<x*>`` any number), and
*B* is shadowed when its language is included in the earlier route's
(decided exactly, on automata over classes of segments). Slash modes count:
a lenient route (redirect, rewrite) matches a path whatever its repeated or
trailing slashes, so it shadows a strict one of the same segments, but a
strict route shadows only strict routes that agree on the trailing slash.

Whether an endpoint raises a non-breaking
:class:`~clastic.errors.HTTPException` (letting later routes try) cannot be
decided without running it, so such fall-through designs (``/<page>``
before ``/about``) are reported too; put the more specific route first. An
earlier route whose patterns could split a path in more than one way and
that converts segments (``/<a*int>/<b*>``) is not used as evidence: which
split Clastic tries decides whether it matches, so it might not.

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
import itertools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, NamedTuple

from clastic._pattern import Converter
from clastic.application import Application
from clastic.exceptions import ClasticError
from clastic.route import S_STRICT, BoundRoute
from clastic.types import ARG_SOURCE_KINDS, ArgSource

__all__ = [
    "BuildProblem",
    "RouteInfo",
    "callable_location",
    "collect_build_errors",
    "describe_routes",
    "find_shadowed",
    "format_arguments",
    "format_table",
]


@dataclass
class RouteInfo:
    """One row of ``clastic routes``."""

    #: 1-based position in dispatch order.
    number: int
    #: ``'GET,HEAD'`` or ``'*'`` for any method.
    methods: str
    pattern: str
    endpoint: str
    #: ``[(argument, source), ...]`` from :attr:`BoundRoute.arg_sources`, by kind, then name.
    arguments: list[tuple[str, ArgSource]]
    #: Numbers of the earlier routes that shadow this one (empty when it can answer).
    shadowed_by: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "number": self.number,
            "methods": self.methods,
            "pattern": self.pattern,
            "endpoint": self.endpoint,
            "arguments": [{"name": name, "source": source.label} for name, source in self.arguments],
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


def find_shadowed(routes: Sequence[BoundRoute]) -> dict[int, list[int]]:
    """Map the index of each shadowed route to the indexes of the routes shadowing it.

    See the module docstring for the definition.
    """
    shapes = [_PathShape.of(route) for route in routes]
    shadowed: dict[int, list[int]] = {}
    for index, route in enumerate(routes):
        covering = [
            earlier
            for earlier in range(index)
            if _methods_overlap(routes[earlier].methods, route.methods) and shapes[earlier].covers(shapes[index])
        ]
        if covering and _covers([routes[i].methods for i in covering], route.methods):
            shadowed[index] = covering
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


class _Atom(NamedTuple):
    """A path segment, for the comparison of two routes.

    It is one of their literal segments, or else known only by which of their
    converters accept it (regular expression and conversion: int() of 5000
    digits fails, float() of 400 digits overflows).
    """

    #: The literal segment, or None for a class of segments matching no literal.
    literal: str | None
    #: One verdict per converter compared: does it accept this segment?
    verdicts: tuple[bool, ...]


# One token of a pattern: a literal segment (str) or a converter, with its arity.
_Token = tuple[str | Converter, str]


@dataclass(frozen=True)
class _PathShape:
    """What a route matches, as a sequence of segment tokens plus its slash handling."""

    tokens: tuple[_Token, ...]
    #: Strict slash mode: the path must be written exactly, trailing slash as in the pattern.
    strict: bool
    is_branch: bool
    #: The leading literal segments (the router's index key).
    literal_prefix: tuple[str, ...]
    #: Whether "matches" is exactly "its segments fit the tokens" (see _is_exact).
    exact: bool

    @classmethod
    def of(cls, route: BoundRoute) -> _PathShape:
        tokens: list[_Token] = []
        for segment in route.parsed.segments:
            if isinstance(segment, str):
                tokens.append((segment, ":"))
            else:
                tokens.append((segment.converter, segment.op))
        strict = route.slash_mode == S_STRICT
        return cls(tuple(tokens), strict, route.is_branch, route.parsed.literal_prefix, _is_exact(tokens))

    @property
    def excludes_empty(self) -> bool:
        """A strict route without a trailing slash matches no path of zero segments (not even ``/``)."""
        return self.strict and not self.is_branch

    def covers(self, other: _PathShape) -> bool:
        """Return True when this route matches every path *other* matches."""
        if not self.exact:
            return False
        if self.strict and not (other.strict and other.is_branch == self.is_branch):
            return False  # *other* matches a path with '//' or the other trailing slash
        prefix = self.literal_prefix
        if other.tokens[: len(prefix)] != tuple((text, ":") for text in prefix):
            return False  # quick: *other* has a path whose first segments differ
        return _included(other, self)


def _is_universal(converter: Converter) -> bool:
    return converter.regex == r"[^/]+" and converter.to_python is str


def _is_exact(tokens: Sequence[_Token]) -> bool:
    # With at most one token of variable length, a path's segments fit the
    # tokens in at most one way, which Clastic's regular expression finds,
    # so the route matches exactly when each segment converts. With several,
    # Clastic converts the first split its regular expression finds; that
    # is equivalent only when no conversion can fail.
    variable = sum(1 for _token, op in tokens if op != ":")
    return variable <= 1 or all(isinstance(t, str) or _is_universal(t) for t, _op in tokens)


def _accepts(converter: Converter, text: str) -> bool:
    if re.fullmatch(converter.regex, text) is None:
        return False
    try:
        converter.to_python(text)
    except (ValueError, OverflowError):
        return False
    return True


def _included(narrow: _PathShape, wide: _PathShape) -> bool:
    """Whether every segment sequence *narrow* matches, *wide* matches (automata inclusion)."""
    automata = _SegmentAutomata(narrow, wide)
    # Walk both automata together over every sequence of atoms (subset
    # construction); a sequence *narrow* accepts and *wide* does not is a path
    # that reaches the later route.
    start = (automata.closure({0}, narrow.tokens), automata.closure({0}, wide.tokens), True)
    seen = {start}
    queue = [start]
    while queue:
        narrow_states, wide_states, empty = queue.pop()
        if _ends(narrow, narrow_states, empty) and not _ends(wide, wide_states, empty):
            return False
        for atom in automata.atoms:
            node = (
                automata.step(narrow_states, narrow.tokens, atom),
                automata.step(wide_states, wide.tokens, atom),
                False,
            )
            if node[0] and node not in seen:  # nothing left for *narrow*: no counterexample on this way
                seen.add(node)
                queue.append(node)
    return True


def _ends(shape: _PathShape, states: frozenset[int], empty: bool) -> bool:
    """Whether *shape*'s automaton accepts in *states* (*empty*: no segment was read)."""
    return len(shape.tokens) in states and not (empty and shape.excludes_empty)


class _SegmentAutomata:
    """The automata of two path shapes over the segment classes that tell them apart.

    State ``i`` of a shape's automaton: its first ``i`` tokens are done.
    """

    def __init__(self, narrow: _PathShape, wide: _PathShape) -> None:
        tokens = (*narrow.tokens, *wide.tokens)
        converters = list(dict.fromkeys(t for t, _op in tokens if not isinstance(t, str) and not _is_universal(t)))
        literals = list(dict.fromkeys(t for t, _op in tokens if isinstance(t, str)))
        #: Every kind of segment: each mix of converter verdicts, then each literal.
        self.atoms = [_Atom(None, verdicts) for verdicts in itertools.product((True, False), repeat=len(converters))]
        self.atoms += [_Atom(text, tuple(_accepts(c, text) for c in converters)) for text in literals]
        self._position = {converter: number for number, converter in enumerate(converters)}

    def fits(self, token: _Token, atom: _Atom) -> bool:
        """Whether *token* takes a segment of kind *atom*."""
        target = token[0]
        if isinstance(target, str):
            return atom.literal == target
        return _is_universal(target) or atom.verdicts[self._position[target]]

    @staticmethod
    def closure(states: Iterable[int], tokens: Sequence[_Token]) -> frozenset[int]:
        """Return *states* plus those reached by skipping '?' and '*' tokens, which may match nothing."""
        found = set(states)
        stack = list(found)
        while stack:
            state = stack.pop()
            if state < len(tokens) and tokens[state][1] in "?*" and state + 1 not in found:
                found.add(state + 1)
                stack.append(state + 1)
        return frozenset(found)

    def step(self, states: frozenset[int], tokens: Sequence[_Token], atom: _Atom) -> frozenset[int]:
        """Return the states after reading one segment of kind *atom* in *states*."""
        following = set()
        for state in states:
            if state < len(tokens) and self.fits(tokens[state], atom):
                following.add(state + 1)  # the token takes this segment
            if state > 0 and tokens[state - 1][1] in "+*" and self.fits(tokens[state - 1], atom):
                following.add(state)  # a repeating token takes one more
        return self.closure(following, tokens)


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
                arguments=sorted(route.arg_sources.items(), key=_argument_order),
                shadowed_by=[i + 1 for i in shadowed.get(index, [])],
            )
        )
    return rows


def _argument_order(item: tuple[str, ArgSource]) -> tuple[int, str]:
    """Sort key: the kinds in :data:`~clastic.types.ARG_SOURCE_KINDS` order, then the names."""
    name, source = item
    return ARG_SOURCE_KINDS.index(source.kind), name


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


def format_arguments(arguments: Sequence[tuple[str, ArgSource]]) -> str:
    """Group arguments by source label: ``'url: name; resources: db; builtins: request'``."""
    groups: dict[str, list[str]] = {}
    for name, source in arguments:
        groups.setdefault(source.label, []).append(name)
    return "; ".join(f"{source}: {', '.join(names)}" for source, names in groups.items()) or "-"


def describe_shadowing(rows: Sequence[RouteInfo]) -> list[str]:
    """One sentence per shadowed route, naming it and the routes that answer first (``clastic check``, ``routes``)."""
    by_number = {row.number: row for row in rows}
    out = []
    for row in rows:
        if not row.shadowed_by:
            continue
        firsts = ", ".join(
            f"#{n} {by_number[n].methods} {by_number[n].pattern} ({by_number[n].endpoint})" for n in row.shadowed_by
        )
        verb = "matches" if len(row.shadowed_by) == 1 else "match"
        out.append(
            f"route #{row.number} {row.methods} {row.pattern} ({row.endpoint}) never answers: "
            f"{firsts} {verb} all its paths and methods first"
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
    clastic_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # clastic/, above this _dev/
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
