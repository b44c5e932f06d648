"""Compile each route's call chain (middleware hooks, endpoint, render) to code.

For every bound route, Clastic writes one Python function that calls the
request hooks, endpoint hooks, endpoint, render hooks and render in "M"
order, passing each exactly the names it asks for. The source is kept in
``linecache`` under a descriptive file name so tracebacks and debuggers show
it, and every generated frame sets ``__traceback_hide__`` so error pages can
hide framework frames.

For a route ``/hello/<name>`` with one middleware providing ``cookie`` the
generated code reads::

    def _clastic_execute(request, _dispatch_state, name):
        __traceback_hide__ = True
        def _clastic_next_r0(cookie):
            __traceback_hide__ = True
            _clastic_context = _clastic_endpoint(name=name, cookie=cookie)
            if _clastic_isinstance(_clastic_context, _clastic_Response):
                return _clastic_context
            context = _clastic_context
            return _clastic_render(context=context)
        return _clastic_mw0_request(_clastic_next_r0, request=request)
"""

from __future__ import annotations

import functools
import inspect
import itertools
import linecache
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any

from werkzeug.wrappers import Response

from clastic._inject import BUILTIN_ARGS, RESERVED_ARGS, CallableSpec, read_signature, resolve_arguments
from clastic.exceptions import ConflictingProvidesError, ReservedArgumentError
from clastic.middleware.core import check_middleware

__all__ = ["ChainSpec", "compile_chain", "compile_error_renderer", "collect_sources"]

_counter = itertools.count()

_SOURCE_LABELS = {"url": "the URL pattern", "resources": "the resources", "builtins": "the built-ins"}


@dataclass(frozen=True)
class Hook:
    """One middleware hook, read once."""

    index: int
    kind: str  # "request", "endpoint" or "render"
    spec: CallableSpec
    provides: tuple[str, ...]
    owner: str


@dataclass(frozen=True)
class ChainSpec:
    """The result of compiling a route's chain."""

    #: ``execute(request, _dispatch_state, **url_values) -> Response``
    execute: Callable[..., Any]
    #: The generated source, for debugging (also in ``linecache``).
    source: str
    #: name -> source ("url", "resources", "builtins", a middleware name, "default").
    arg_sources: Mapping[str, str]


def collect_sources(
    where: str, url_fields: Sequence[str], resources: Mapping[str, Any], middlewares: Sequence[object]
) -> tuple[dict[str, str], list[Hook]]:
    """Map every injectable name to its single source; raise on conflicts."""
    sources: dict[str, str] = {}
    conflicts: list[tuple[str, tuple[str, ...]]] = []

    def add(name: str, source: str) -> None:
        if name in ("context", "next", "_error"):
            raise ReservedArgumentError(
                f"{where}: {source} provides {name!r}, a reserved name (reserved: {list(RESERVED_ARGS)})"
            )
        if name in sources:
            conflicts.append((name, (sources[name], source)))
        else:
            sources[name] = source

    for name in BUILTIN_ARGS:
        sources[name] = "builtins"
    for name in url_fields:
        add(name, "url")
    for name in resources:
        add(name, "resources")
    hooks: list[Hook] = []
    for index, mw in enumerate(middlewares):
        check_middleware(mw)
        owner = type(mw).__name__
        for kind, provides_attr in (("request", "provides"), ("endpoint", "endpoint_provides"), ("render", "render_provides")):
            hook = getattr(mw, kind, None)
            provides = tuple(getattr(mw, provides_attr, ()) or ())
            for name in provides:
                add(name, owner)
            if hook is not None:
                spec = read_signature(hook, label=f"{owner}.{kind}()")
                hooks.append(Hook(index, kind, spec, provides, owner))
    if conflicts:
        details = "; ".join(
            f"{name!r} comes from both {_SOURCE_LABELS.get(a, a)} and {_SOURCE_LABELS.get(b, b)}" for name, (a, b) in conflicts
        )
        raise ConflictingProvidesError(
            f"found conflicting provides: {conflicts!r} — {where}: {details}; rename one of them",
            conflicts=conflicts,
        )
    return sources, hooks


class _Writer:
    """Accumulates indented source lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)


def _call(func_var: str, spec: CallableSpec, names: Sequence[str], first: str | None = None) -> str:
    """Write the call expression: positional while the signature's order allows, then keywords."""
    passed = set(names) - {"next"}
    params = [name for name in spec.names if name != "next"]
    positional = [first] if first else []
    index = 0
    # Positional arguments are cheaper; they are safe for the leading
    # parameters that are all passed (a skipped default forces keywords after it).
    while index < len(params) and params[index] in passed:
        positional.append(params[index])
        index += 1
    keywords = [f"{name}={name}" for name in params[index:] if name in passed]
    missing_positional = [name for name in spec.positional_only[index:] if name in passed]
    if missing_positional:
        raise ReservedArgumentError(
            f"{spec.label}: positional-only parameters {missing_positional} come after one Clastic cannot pass"
        )
    return f"{func_var}({', '.join(positional + keywords)})"


def compile_chain(
    *,
    where: str,
    filename: str,
    url_fields: Sequence[str],
    resources: Mapping[str, Any],
    middlewares: Sequence[object],
    endpoint: Callable[..., Any],
    render: Callable[..., Any] | None,
    constants: Mapping[str, Any],
) -> ChainSpec:
    """Check every argument of the route's callables and compile its chain.

    *where* names the route in error messages; *constants* supplies the
    per-route built-ins (``_route``, ``_application``).
    """
    sources, hooks = collect_sources(where, url_fields, resources, middlewares)
    env: dict[str, Any] = dict(resources)
    env.update(constants)
    env.update(
        _clastic_isinstance=isinstance,
        _clastic_Response=Response,
        _clastic_endpoint=_direct(endpoint),
        _clastic_render=_direct(render),
        _clastic_no_render=_make_no_render(where),
    )
    for hook in hooks:
        env[f"_clastic_mw{hook.index}_{hook.kind}"] = hook.spec.func
    arg_sources: dict[str, str] = {}
    endpoint_spec = read_signature(endpoint)
    render_spec = read_signature(render) if render is not None else None
    base = {name: src for name, src in sources.items() if src in ("builtins", "url", "resources")}
    request_hooks = [h for h in hooks if h.kind == "request"]
    endpoint_hooks = [h for h in hooks if h.kind == "endpoint"]
    render_hooks = [h for h in hooks if h.kind == "render"]
    out = _Writer()

    def record(spec: CallableSpec, names: Sequence[str], available: Mapping[str, str]) -> None:
        for name in spec.names:
            if name not in ("next",):
                arg_sources.setdefault(name, available.get(name, "default"))

    def gen_nested(depth: int, chain: list[Hook], available: dict[str, str], tag: str, inner: Callable[[int, dict[str, str]], None], result: str | None) -> None:
        """Write the hooks of one branch as nested ``next`` functions."""
        if not chain:
            inner(depth, available)
            return
        hook, rest = chain[0], chain[1:]
        names = resolve_arguments(hook.spec, available, kind=f"{hook.kind} middleware", where=where, allowed_reserved=("next",) + (("context",) if hook.kind == "render" else ()))
        record(hook.spec, names, available)
        next_var = f"_clastic_next_{tag}{hook.index}"
        out.line(depth, f"def {next_var}({', '.join(hook.provides)}):")
        out.line(depth + 1, "__traceback_hide__ = True")
        inner_available = dict(available)
        inner_available.update({name: hook.owner for name in hook.provides})
        gen_nested(depth + 1, rest, inner_available, tag, inner, None)
        call = _call(f"_clastic_mw{hook.index}_{hook.kind}", hook.spec, names, first=next_var)
        out.line(depth, f"{result} = {call}" if result else f"return {call}")

    def gen_render(depth: int, available: dict[str, str]) -> None:
        assert render_spec is not None
        names = resolve_arguments(render_spec, available, kind="render", where=where)
        record(render_spec, names, available)
        out.line(depth, f"return {_call('_clastic_render', render_spec, names)}")

    def gen_endpoint(depth: int, available: dict[str, str]) -> None:
        names = resolve_arguments(endpoint_spec, available, kind="endpoint", where=where)
        record(endpoint_spec, names, available)
        out.line(depth, f"return {_call('_clastic_endpoint', endpoint_spec, names)}")

    def gen_process(depth: int, available: dict[str, str]) -> None:
        if endpoint_hooks:
            gen_nested(depth, endpoint_hooks, available, "e", gen_endpoint, "_clastic_context")
        else:
            names = resolve_arguments(endpoint_spec, available, kind="endpoint", where=where)
            record(endpoint_spec, names, available)
            out.line(depth, f"_clastic_context = {_call('_clastic_endpoint', endpoint_spec, names)}")
        out.line(depth, "if _clastic_isinstance(_clastic_context, _clastic_Response):")
        out.line(depth + 1, "return _clastic_context")
        if render_spec is None:
            out.line(depth, "return _clastic_no_render(_clastic_context)")
            return
        out.line(depth, "context = _clastic_context")
        render_available = dict(available)
        render_available["context"] = "builtins"
        gen_nested(depth, render_hooks, render_available, "n", gen_render, None)

    url_params = ", ".join(["request", "_dispatch_state", *url_fields])
    out.line(0, f"def _clastic_execute({url_params}):")
    out.line(1, "__traceback_hide__ = True")
    gen_nested(1, request_hooks, dict(base), "r", gen_process, None)
    source = "\n".join(out.lines) + "\n"
    execute = _compile(source, filename, env, "_clastic_execute")
    return ChainSpec(execute, source, arg_sources)


def compile_error_renderer(
    *, where: str, filename: str, render_error: Callable[..., Any], resources: Mapping[str, Any], constants: Mapping[str, Any]
) -> Callable[..., Any]:
    """Compile ``render_error(request, _dispatch_state, _error)`` with injection.

    Error renderers may ask for the built-ins, ``_error`` and resources.
    """
    spec = read_signature(render_error)
    available = {name: "builtins" for name in BUILTIN_ARGS}
    available.update({name: "resources" for name in resources})
    available["_error"] = "builtins"
    names = resolve_arguments(spec, available, kind="render_error()", where=where)
    env: dict[str, Any] = dict(resources)
    env.update(constants)
    env["_clastic_render_error"] = render_error
    source = (
        "def _clastic_execute_error(request, _dispatch_state, _error):\n"
        "    __traceback_hide__ = True\n"
        f"    return {_call('_clastic_render_error', spec, names)}\n"
    )
    return _compile(source, filename, env, "_clastic_execute_error")


def _compile(source: str, filename: str, env: dict[str, Any], name: str) -> Callable[..., Any]:
    filename = f"<{filename} #{next(_counter)}>"
    code = _retitle(_compile_source(source), filename)
    exec(code, env)  # noqa: S102 - the source is generated above from validated identifiers
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return env[name]


@functools.lru_cache(maxsize=1024)
def _compile_source(source: str) -> CodeType:
    # Many routes share one chain shape; compile each shape once.
    return compile(source, "<clastic chain>", "exec")


def _retitle(code: CodeType, filename: str) -> CodeType:
    """Give *code* and the functions nested in it the route's own file name."""
    consts = tuple(_retitle(const, filename) if isinstance(const, CodeType) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _direct(func: Any) -> Any:
    """Return the bound ``__call__`` of a callable object (one lookup less per call)."""
    if func is None or inspect.isfunction(func) or inspect.ismethod(func) or inspect.isbuiltin(func) or inspect.isclass(func):
        return func
    call = getattr(func, "__call__", None)  # noqa: B004 - we want the bound method itself
    return call if inspect.ismethod(call) else func


def _make_no_render(where: str) -> Callable[[Any], Any]:
    def no_render(context: Any) -> Any:
        __traceback_hide__ = True  # noqa: F841 - read by traceback formatters
        raise TypeError(
            f"{where}: the endpoint returned {type(context).__name__} ({context!r:.80}), but the route has no "
            "render function; return a Response or give the route a render (e.g. render_basic)"
        )

    return no_render
