"""Writing and compiling generated Python: what :mod:`clastic._chain` builds route chains with.

:class:`Writer` accumulates a generated function's lines and resolves the
names each call passes (checking them against their sources);
:func:`compile_function` compiles the text under a descriptive file name
registered with :mod:`linecache`, so tracebacks and debuggers show the
generated code; :func:`bound_call` picks the cheapest thing to call;
:func:`arg_source_records` turns the sources a Writer noted into the
:class:`~clastic.types.ArgSource` records a bound route shows.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import linecache
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any

from clastic._inject import HOOK_NAMES, CallableSpec, resolve_arguments, variable_name
from clastic.exceptions import ReservedArgumentError
from clastic.types import ArgSource

__all__ = [
    "MAX_DEPTH",
    "Hook",
    "Writer",
    "arg_source_records",
    "bound_call",
    "compile_function",
]

logger = logging.getLogger("clastic._chain")

_counter = itertools.count()

#: Python's tokenizer allows 100 levels of indentation; nested ``next``
#: functions deeper than this continue in a new top-level function.
MAX_DEPTH = 40


@dataclass(frozen=True)
class Hook:
    """One middleware hook, read once."""

    index: int
    kind: str  # "request", "endpoint" or "render"
    spec: CallableSpec
    provides: tuple[str, ...]
    owner: str


class Writer:
    """Accumulates indented source lines and what the generated calls use."""

    def __init__(
        self, where: str, outside: Sequence[str], *, strict: bool = True, constants: Sequence[str] = ()
    ) -> None:
        self.where = where
        self.lines: list[str] = []
        #: Continuation functions of chains too deep to nest in one (see :meth:`nested`).
        self.parts: list[list[str]] = []
        self.outside = frozenset(outside)
        self.constants = frozenset(constants)
        self.strict = strict
        self.used: set[str] = set()
        self.unresolved: list[str] = []
        self.arg_sources: dict[str, str] = {}
        #: ``(middleware index, hook kind)`` -> the names the hook is given.
        self.hook_names: dict[tuple[int, str], tuple[str, ...]] = {}

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def source(self, header: Sequence[str] = ()) -> str:
        """Return the generated module: *header*, the main function, then any continuation functions."""
        lines = [*header, *self.lines]
        for part in self.parts:
            lines.extend(part)
        return "\n".join(lines) + "\n"

    def names_for(
        self,
        spec: CallableSpec,
        available: Mapping[str, str],
        kind: str,
        allowed: tuple[str, ...] = (),
        *,
        record: bool = True,
    ) -> tuple[str, ...]:
        """Resolve what *spec* gets by name (strict: raise on a missing name; lenient: note it)."""
        if spec.only_var_args:
            logger.warning(
                "%s: %s takes only *args/**kwargs, so Clastic cannot check what it needs; its **kwargs receives "
                "every injectable available there. If it is a decorator's wrapper, decorate it with "
                "functools.wraps(func) or use clastic.decorators.clastic_decorator "
                "so the original signature shows through.",
                self.where,
                spec.label,
            )
        if self.strict:
            names = resolve_arguments(spec, available, kind=kind, where=self.where, allowed_reserved=allowed)
        else:
            missing = [n for n in spec.names if n in spec.required and n not in available and n not in allowed]
            self.unresolved.extend(n for n in missing if n not in self.unresolved)
            names = tuple(n for n in spec.names if n in available or n in allowed or n in missing)
        if record:
            for name in spec.names:
                if name not in allowed or name in available:
                    self.arg_sources.setdefault(name, available.get(name, "default"))
        return names

    def call(
        self,
        func_var: str,
        spec: CallableSpec,
        names: Sequence[str],
        available: Mapping[str, str],
        first: str | None = None,
    ) -> str:
        """Write the call expression: positional while the signature's order allows, then keywords, then ``**extras``.

        *first*, when given, is passed positionally for the first parameter
        (a hook's ``next``).
        """
        params = list(spec.names[1:] if first else spec.names)
        passed = set(names) & set(params)
        positional = [first] if first else []
        index = 0
        # Positional arguments are cheaper; they are safe for the leading
        # parameters that are all passed (a skipped default forces keywords after it).
        while index < len(params) and params[index] in passed and params[index] not in spec.keyword_only:
            positional.append(params[index])
            index += 1
        keywords = [f"{name}={variable_name(name)}" for name in params[index:] if name in passed]
        missing_positional = [name for name in spec.positional_only if name in passed and name not in params[:index]]
        if missing_positional:
            raise ReservedArgumentError(
                f"{spec.label}: positional-only parameters {missing_positional} come after one Clastic cannot pass"
            )
        self.used.update(passed & self.outside)
        if spec.var_keyword is not None:
            # **kwargs gets every other name available here, spelled out now.
            extras = [name for name in available if name not in spec.names and name != "next"]
            self.used.update(set(extras) & self.outside)
            for name in extras:  # it receives them, so they are its arguments too (introspection, CSRF)
                self.arg_sources.setdefault(name, available[name])
            if extras:
                items = ", ".join(f"{name!r}: {variable_name(name)}" for name in extras)
                keywords.append(f"**{{{items}}}")
        return f"{func_var}({', '.join(positional + keywords)})"

    def nested(
        self,
        depth: int,
        chain: Sequence[Hook],
        available: dict[str, str],
        tag: str,
        inner: Callable[[int, dict[str, str]], None],
        result: str | None,
        allowed: tuple[str, ...] = ("next",),
    ) -> None:
        """Write the hooks of one branch as nested ``next`` functions, then *inner*."""
        if depth >= MAX_DEPTH:
            # Continue in a new top-level function that takes every variable in scope.
            part = f"_clastic_part{len(self.parts)}"
            variables = [variable_name(name) for name in (*available, *self.unresolved) if name not in self.constants]
            call = f"{part}({', '.join(variables)})"
            self.line(depth, f"{result} = {call}" if result else f"return {call}")
            outer_lines, self.lines = self.lines, []
            self.parts.append(self.lines)
            self.line(0, f"def {call}:")
            self.line(1, "__traceback_hide__ = True")
            self.nested(1, chain, available, tag, inner, None, allowed)
            self.lines = outer_lines
            return
        if not chain:
            inner(depth, available)
            return
        hook, rest = chain[0], chain[1:]
        allowed_here = (*allowed, "context") if hook.kind == "render" else allowed
        names = self.names_for(hook.spec, available, f"{hook.kind} middleware", allowed_here)
        self.hook_names[hook.index, hook.kind] = tuple(
            name for name in names if name not in allowed_here or name in available
        )
        next_var = f"_clastic_next_{tag}{hook.index}"
        self.line(depth, f"def {next_var}({', '.join(variable_name(name) for name in hook.provides)}):")
        self.line(depth + 1, "__traceback_hide__ = True")
        inner_available = dict(available)
        inner_available.update({name: hook.owner for name in hook.provides})
        self.nested(depth + 1, rest, inner_available, tag, inner, None, allowed)
        call = self.call(f"_clastic_mw{hook.index}_{hook.kind}", hook.spec, names, available, first=next_var)
        self.line(depth, f"{result} = {call}" if result else f"return {call}")


#: The sources a Writer notes that are not a middleware's class name, as the records' kinds.
_PLAIN_SOURCES: dict[str, ArgSource] = {
    "url": ArgSource("url"),
    "resources": ArgSource("resource"),
    "builtins": ArgSource("builtin"),
    "default": ArgSource("default"),
}


def arg_source_records(sources: Mapping[str, str], middlewares: Sequence[object]) -> dict[str, ArgSource]:
    """Turn the sources a chain noted into :class:`~clastic.types.ArgSource` records, by argument name.

    *sources* holds ``"url"``, ``"resources"``, ``"builtins"``, ``"default"``
    or a middleware's class name for each argument. The chain notes a
    middleware by its class name only (chains of the same shape share their
    code across applications); *middlewares*, the route's own, give the
    object providing each name. A name has a single provider (two would
    conflict when the chain is built).
    """
    providers: dict[str, object] = {}
    for mw in middlewares:
        for attr in HOOK_NAMES.values():
            for name in getattr(mw, attr, ()) or ():
                providers.setdefault(name, mw)
    records = {}
    for name, source in sources.items():
        record = _PLAIN_SOURCES.get(source)
        if record is None:
            record = ArgSource("middleware", source, providers.get(name))
        records[name] = record
    return records


def compile_function(source: str, filename: str, env: dict[str, Any], name: str) -> Callable[..., Any]:
    filename = f"<{filename} #{next(_counter)}>"
    code = _retitle(_compile_source(source), filename)
    exec(code, env)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return env[name]  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=1024)
def _compile_source(source: str) -> CodeType:
    # Many routes share one chain shape; compile each shape once.
    return compile(source, "<clastic chain>", "exec")


def _retitle(code: CodeType, filename: str) -> CodeType:
    """Give *code* and the functions nested in it the route's own file name."""
    consts = tuple(_retitle(const, filename) if isinstance(const, CodeType) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def bound_call(func: Any) -> Any:
    """Return the bound ``__call__`` of a callable object (one lookup less per call)."""
    if (
        func is None
        or inspect.isfunction(func)
        or inspect.ismethod(func)
        or inspect.isbuiltin(func)
        or inspect.isclass(func)
    ):
        return func
    call = getattr(func, "__call__", None)  # noqa: B004 - we want the bound method itself
    return call if inspect.ismethod(call) else func
