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

URL values are parameters, resources and per-route built-ins (``_route``,
``_application``) are globals of the generated code. A callable that takes
``**kwargs`` receives every other name available where it runs as a dict
written out at build time (``**{'db': db, 'lambda': _clastic_kw_lambda}``),
which is how URL bindings named like Python keywords reach an endpoint.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from werkzeug.wrappers import Response

from clastic._codegen import Hook, Writer, bound_call, compile_function
from clastic._fast_wsgi import FAST, DeferredResponse, finish_direct, respond_direct
from clastic._inject import HOOK_NAMES, INTERNAL_PREFIX, RESERVED_ARGS, CallableSpec, read_signature, variable_name
from clastic.exceptions import ConflictingProvidesError, ReservedArgumentError

__all__ = [
    "ChainSpec",
    "check_render_error",
    "collect_sources",
    "compile_chain",
    "compile_error_renderer",
    "compile_linear_chain",
    "direct_form",
]

logger = logging.getLogger(__name__)

# The name clastic.sinter's compile_code imports (the function lives in clastic._codegen).
_compile = compile_function

_SOURCE_LABELS = {"url": "the URL pattern", "resources": "the resources", "builtins": "the built-ins"}

@dataclass(frozen=True)
class ChainSpec:
    """The result of compiling a route's chain."""

    #: ``execute(*params) -> Response``, e.g. ``execute(request, _dispatch_state, *url_values)``.
    execute: Callable[..., Any]
    #: The generated source, for debugging (also in ``linecache``).
    source: str
    #: name -> source ("url", "resources", "builtins", a middleware name, "default").
    arg_sources: Mapping[str, str]
    #: Names given from outside (parameters and constants) that some callable receives.
    used: frozenset[str] = frozenset()
    #: name -> the named arguments of the hook that provides it.
    provided_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The names passed to the endpoint by name.
    endpoint_names: tuple[str, ...] = ()
    #: Outside name -> the global variable holding it in the generated code.
    constant_vars: Mapping[str, str] = field(default_factory=dict)
    #: Outside names the generated code must be given real values for: :attr:`used`
    #: but for the render's arguments when the render runs in its direct form.
    eager: frozenset[str] = frozenset()
    #: How many middleware hooks the chain runs.
    hook_count: int = 0
    #: The render's direct form the chain calls instead of the render, or ``None``.
    direct_render: Callable[..., Any] | None = None
    #: True when the chain may return the direct form's triples (no request hook
    #: sees them); false under request hooks, where it always returns Responses.
    direct_raw: bool = False


def collect_sources(
    where: str, entries: Sequence[tuple[str, str]], middlewares: Sequence[object]
) -> tuple[dict[str, str], list[Hook]]:
    """Map every injectable name to its single source; raise on conflicts.

    *entries* are ``(name, source)`` pairs given from outside the chain
    (built-ins first, then URL values, then resources); middleware provides
    follow in middleware order. The middlewares are checked already
    (:func:`clastic.middleware.core.check_middleware`, when a route is bound).
    """
    sources: dict[str, str] = {}
    conflicts: list[tuple[str, tuple[str, ...]]] = []

    def add(name: str, source: str) -> None:
        if source != "builtins" and name in ("context", "next", "_error"):
            raise ReservedArgumentError(
                f"{where}: {source} provides {name!r}, a reserved name (reserved: {list(RESERVED_ARGS)})"
            )
        if name.startswith(INTERNAL_PREFIX):
            raise ReservedArgumentError(
                f"{where}: {source} provides {name!r}; names starting with {INTERNAL_PREFIX!r} are reserved"
            )
        if name in sources:
            conflicts.append((name, (sources[name], source)))
        else:
            sources[name] = source

    for name, source in sorted(entries, key=lambda entry: entry[1] != "builtins"):
        add(name, source)
    hooks: list[Hook] = []
    for index, mw in enumerate(middlewares):
        owner = type(mw).__name__
        for kind, provides_attr in HOOK_NAMES.items():
            hook = getattr(mw, kind, None)
            provides = tuple(getattr(mw, provides_attr, ()) or ())
            for name in provides:
                add(name, owner)
            if hook is not None:
                spec = read_signature(hook, label=f"{owner}.{kind}()")
                hooks.append(Hook(index, kind, spec, provides, owner))
    if conflicts:
        details = "; ".join(
            f"{name!r} comes from both {_SOURCE_LABELS.get(a, a)} and {_SOURCE_LABELS.get(b, b)}"
            for name, (a, b) in conflicts
        )
        raise ConflictingProvidesError(
            f"found conflicting provides: {conflicts!r} — {where}: {details}; rename one of them",
            conflicts=conflicts,
        )
    return sources, hooks


def _outside(
    params: Sequence[tuple[str, str]], constants: Sequence[tuple[str, str, Any]], env: dict[str, Any]
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Put *constants* into *env*; return every outside ``(name, source)`` and the constants' variables."""
    constant_vars: dict[str, str] = {}
    for name, _source, value in constants:
        constant_vars[name] = variable_name(name)
        env[constant_vars[name]] = value
    entries = [(name, source) for name, source in params] + [(name, source) for name, source, _value in constants]
    return entries, constant_vars


@dataclass(frozen=True)
class _Shape:
    """What generating a chain's code produced, shared by every chain of the same shape."""

    source: str
    arg_sources: Mapping[str, str]
    used: frozenset[str]
    eager: frozenset[str]
    provided_by: Mapping[str, tuple[str, ...]]
    endpoint_names: tuple[str, ...]


#: Chain shapes by :func:`_shape_key`: one endpoint and render often serve many routes.
_SHAPES: dict[tuple[Any, ...], _Shape] = {}
_SHAPES_LIMIT = 2048


def _spec_shape(spec: CallableSpec) -> tuple[Any, ...]:
    return (spec.names, spec.required, spec.positional_only, spec.keyword_only, spec.var_positional, spec.var_keyword)


def _shape_key(
    entries: Sequence[tuple[str, str]],
    hooks: Sequence[Hook],
    endpoint_spec: CallableSpec,
    render_spec: CallableSpec | None,
    direct: bool,
) -> tuple[Any, ...] | None:
    """Everything the generated code and its checks depend on, or ``None`` when it must be generated anew.

    A callable taking only ``*args``/``**kwargs`` is generated every time, so
    the warning about it names every route it serves.
    """
    specs = [endpoint_spec, *(hook.spec for hook in hooks), *([render_spec] if render_spec is not None else [])]
    if any(spec.only_var_args for spec in specs):
        return None
    hook_shapes = tuple((hook.index, hook.kind, hook.provides, hook.owner, _spec_shape(hook.spec)) for hook in hooks)
    render_shape = _spec_shape(render_spec) if render_spec is not None else None
    return (tuple(entries), hook_shapes, _spec_shape(endpoint_spec), render_shape, direct)


def compile_chain(
    *,
    where: str,
    filename: str,
    params: Sequence[tuple[str, str]],
    constants: Sequence[tuple[str, str, Any]],
    middlewares: Sequence[object],
    endpoint: Callable[..., Any],
    render: Callable[..., Any] | None,
) -> ChainSpec:
    """Check every argument of the route's callables and compile its chain.

    *where* names the route in error messages. *params* are the ``(name,
    source)`` pairs the compiled function takes, in order (``request``,
    ``_dispatch_state``, URL values); *constants* the ``(name, source,
    value)`` triples fixed at build (``_route``, ``_application``, resources).
    Without a render the chain returns the endpoint's value; render hooks
    then do not run, but their arguments are still checked. The code of a
    shape already seen (same names, sources, signatures and hooks) is not
    generated or checked again, only given this route's values.
    """
    env: dict[str, Any] = {}
    entries, constant_vars = _outside(params, constants, env)
    sources, hooks = collect_sources(where, entries, middlewares)
    env.update(
        _clastic_isinstance=isinstance,
        _clastic_Response=Response,
        _clastic_endpoint=bound_call(endpoint),
        _clastic_render=bound_call(render),
    )
    for hook in hooks:
        env[f"_clastic_mw{hook.index}_{hook.kind}"] = hook.spec.func
    endpoint_spec = read_signature(endpoint)
    render_spec = read_signature(render) if render is not None else None
    request_hooks = any(hook.kind == "request" for hook in hooks)
    # A render with a direct form runs in that form (see direct_form()) unless
    # render hooks wrap it. Without request hooks nothing sees its Response,
    # so a complete body may leave as a triple; under request hooks,
    # respond_direct() turns it into the Response they see.
    direct = None
    if not any(hook.kind == "render" for hook in hooks) and "request" in sources and "_route" in constant_vars:
        direct = direct_form(render)
    if direct is not None:
        env["_clastic_direct"] = direct
        env.update(
            _clastic_respond_direct=respond_direct,
            _clastic_finish_direct=finish_direct,
            _clastic_DeferredResponse=DeferredResponse,
            _clastic_new=object.__new__,
            _clastic_type=type,
            _clastic_list=list,
            _clastic_tuple=tuple,
        )
    key = _shape_key(entries, hooks, endpoint_spec, render_spec, direct is not None)
    shape = _SHAPES.get(key) if key is not None else None
    if shape is None:
        specs = (endpoint_spec, render_spec)
        shape = _generate(where, params, entries, constant_vars, sources, hooks, *specs, direct is not None)
        if key is not None:
            if len(_SHAPES) >= _SHAPES_LIMIT:
                _SHAPES.clear()
            _SHAPES[key] = shape
    execute = compile_function(shape.source, filename, env, "_clastic_execute")
    return ChainSpec(
        execute,
        shape.source,
        shape.arg_sources,
        shape.used,
        shape.provided_by,
        shape.endpoint_names,
        constant_vars,
        eager=shape.eager,
        hook_count=len(hooks),
        direct_render=direct,
        direct_raw=direct is not None and not request_hooks,
    )


def _generate(
    where: str,
    params: Sequence[tuple[str, str]],
    entries: Sequence[tuple[str, str]],
    constant_vars: Mapping[str, str],
    sources: Mapping[str, str],
    hooks: Sequence[Hook],
    endpoint_spec: CallableSpec,
    render_spec: CallableSpec | None,
    direct: bool,
) -> _Shape:
    """Write (and check) the code of a chain; see :func:`compile_chain`."""
    base = {name: sources[name] for name, _source in entries}
    request_hooks = [h for h in hooks if h.kind == "request"]
    endpoint_hooks = [h for h in hooks if h.kind == "endpoint"]
    render_hooks = [h for h in hooks if h.kind == "render"]
    out = Writer(where, [name for name, _source in entries], constants=list(constant_vars))
    endpoint_names: list[str] = []
    direct_used: set[str] = set()

    def gen_render(depth: int, available: dict[str, str]) -> None:
        assert render_spec is not None
        names = out.names_for(render_spec, available, "render")
        if not direct:
            out.line(depth, f"return {out.call('_clastic_render', render_spec, names, available)}")
            return
        # The render's arguments still count as used (introspection, is_required_arg),
        # but the request it may never need is not one the dispatcher must build.
        direct_used.update(set(names) & out.outside)
        route_var = constant_vars["_route"]
        if request_hooks and not FAST:
            arguments = f"_clastic_direct, _clastic_render, context, request, {route_var}"
            out.line(depth, f"return _clastic_respond_direct({arguments})")
        elif request_hooks:
            # respond_direct(), with its common case inlined: a complete triple becomes a DeferredResponse.
            given = "request[0] if _clastic_type(request) is _clastic_list else request"
            out.line(depth, f"_clastic_out = _clastic_direct(context, {given}, {route_var})")
            out.line(depth, "if _clastic_type(_clastic_out) is _clastic_tuple and _clastic_out[0] is not None:")
            out.line(depth + 1, "_clastic_response = _clastic_new(_clastic_DeferredResponse)")
            out.line(depth + 1, "_clastic_response._clastic_raw = _clastic_out")
            out.line(depth + 1, "return _clastic_response")
            arguments = f"_clastic_out, _clastic_direct, _clastic_render, request, {route_var}"
            out.line(depth, f"return _clastic_finish_direct({arguments})")
        else:
            out.line(depth, f"return _clastic_direct(context, request, {route_var})")

    def gen_endpoint(depth: int, available: dict[str, str], result: str | None = None) -> None:
        names = out.names_for(endpoint_spec, available, "endpoint")
        endpoint_names[:] = names
        call = out.call("_clastic_endpoint", endpoint_spec, names, available)
        out.line(depth, f"{result} = {call}" if result else f"return {call}")

    def check_render_hooks(available: dict[str, str]) -> None:
        # No render: these hooks never run, but a name they need must still exist.
        available = dict(available, context="builtins")
        for hook in render_hooks:
            out.names_for(hook.spec, available, "render middleware", ("next", "context"), record=False)
            available.update({name: hook.owner for name in hook.provides})

    def gen_process(depth: int, available: dict[str, str]) -> None:
        if render_spec is None:
            out.nested(depth, endpoint_hooks, available, "e", gen_endpoint, None)
            check_render_hooks(available)
            return
        if endpoint_hooks:
            out.nested(depth, endpoint_hooks, available, "e", gen_endpoint, "_clastic_context")
        else:
            gen_endpoint(depth, available, "_clastic_context")
        out.line(depth, "if _clastic_isinstance(_clastic_context, _clastic_Response):")
        out.line(depth + 1, "return _clastic_context")
        out.line(depth, "context = _clastic_context")
        render_available = dict(available)
        render_available["context"] = "builtins"
        out.nested(depth, render_hooks, render_available, "n", gen_render, None)

    out.line(0, f"def _clastic_execute({', '.join(variable_name(name) for name, _source in params)}):")
    out.line(1, "__traceback_hide__ = True")
    out.nested(1, request_hooks, base, "r", gen_process, None)
    provided_by = {name: out.hook_names.get((hook.index, hook.kind), ()) for hook in hooks for name in hook.provides}
    return _Shape(
        out.source(),
        MappingProxyType(dict(out.arg_sources)),
        frozenset(out.used | direct_used),
        frozenset(out.used),
        MappingProxyType(provided_by),
        tuple(endpoint_names),
    )


def compile_error_renderer(
    *,
    where: str,
    filename: str,
    render_error: Callable[..., Any],
    params: Sequence[tuple[str, str]],
    constants: Sequence[tuple[str, str, Any]],
) -> Callable[..., Any]:
    """Compile ``render_error`` with injection into ``execute_error(*params)``.

    Error renderers may ask for the built-ins, ``_error`` and resources; a
    ``**kwargs`` receives all of them it does not name.
    """
    constant_names = tuple((name, source) for name, source, _value in constants)
    key: tuple[Any, ...] | None = (render_error, tuple(params), constant_names)
    try:
        shared = _SHARED_ERROR_RENDERERS.get(key)  # type: ignore[arg-type]  # key is not None here
    except TypeError:  # an unhashable renderer
        key, shared = None, None
    if shared is not None:
        return shared
    spec = read_signature(render_error)
    env: dict[str, Any] = {"_clastic_render_error": render_error}
    entries, _constant_vars = _outside(params, constants, env)
    available = dict(entries)
    out = Writer(where, list(available))
    names = out.names_for(spec, available, "render_error()")
    source = (
        f"def _clastic_execute_error({', '.join(variable_name(name) for name, _source in params)}):\n"
        "    __traceback_hide__ = True\n"
        f"    return {out.call('_clastic_render_error', spec, names, available)}\n"
    )
    if key is None or out.used & {name for name, _source, _value in constants}:
        return compile_function(source, filename, env, "_clastic_execute_error")
    # It reads nothing of the route's own (the usual case: the error handler's
    # render_error): every route with this renderer and these names shares one function.
    shared = compile_function(
        source,
        f"clastic error renderer {spec.label}",
        {"_clastic_render_error": render_error},
        "_clastic_execute_error",
    )
    if len(_SHARED_ERROR_RENDERERS) >= 256:
        _SHARED_ERROR_RENDERERS.clear()
    _SHARED_ERROR_RENDERERS[key] = shared
    return shared


#: (renderer, params, constant names and sources) -> the compiled renderer they share.
_SHARED_ERROR_RENDERERS: dict[tuple[Any, ...], Callable[..., Any]] = {}


def check_render_error(render_error: Callable[..., Any], resources: Mapping[str, Any]) -> None:
    """Check that *render_error* needs only built-ins, ``_error`` and *resources*.

    Raises ``UnresolvedArgumentError`` (a ``NameError``): ``unresolved
    render_error() arguments: [...]``. Kept for compatibility with Clastic 26;
    Applications check every error renderer when they are built.
    """
    builtins = [(name, "builtins") for name in ("request", "_dispatch_state", "_error")]
    constants = [(name, "builtins", None) for name in ("_route", "_application")]
    constants += [(name, "resources", value) for name, value in resources.items()]
    compile_error_renderer(
        where="check_render_error()",
        filename="clastic checked error renderer",
        render_error=render_error,
        params=builtins,
        constants=constants,
    )


def compile_linear_chain(
    funcs: Sequence[Callable[..., Any]],
    provides: Sequence[Sequence[str] | str],
    final_func: Callable[..., Any],
    preprovided: Sequence[str],
    inner_name: str = "next",
) -> tuple[Callable[..., Any], str, tuple[str, ...], tuple[str, ...]]:
    """Compile *funcs* around *final_func*, leniently: a missing name is reported, not raised.

    Each function takes the rest of the chain as its first parameter, named
    *inner_name*, and calls it with the names in its entry of *provides*.
    Returns ``(chain, source, args, unresolved)``: *chain* takes *args* by
    keyword; *unresolved* are required names that are neither *preprovided*
    nor provided further out (they are among *args*, so a caller can still
    pass them). Kept for :mod:`clastic.sinter`; routes use :func:`compile_chain`.
    """
    if len(provides) != len(funcs):
        raise ValueError(f"expected one list of provided names per function ({len(funcs)}), got {len(provides)}")
    hooks = []
    for index, (func, names) in enumerate(zip(funcs, provides, strict=True)):
        names = (names,) if isinstance(names, str) else tuple(names)
        spec = read_signature(func)
        if not spec.names or spec.names[0] != inner_name:
            raise TypeError(
                f"chained functions must take argument {inner_name!r} as the first parameter ({spec.label})"
            )
        hooks.append(Hook(index, "request", spec, names, spec.label))
    final_spec = read_signature(final_func)
    available = {arg: "preprovided" for arg in preprovided}
    out = Writer("make_chain()", list(available), strict=False)
    env: dict[str, Any] = {"_clastic_final": bound_call(final_func)}
    for hook in hooks:
        env[f"_clastic_mw{hook.index}_request"] = hook.spec.func

    def gen_final(depth: int, inner_available: dict[str, str]) -> None:
        names = out.names_for(final_spec, inner_available, "final function")
        out.line(depth, f"return {out.call('_clastic_final', final_spec, names, inner_available)}")

    out.line(1, "__traceback_hide__ = True")
    out.nested(1, hooks, available, "c", gen_final, None, allowed=(inner_name,))
    args = tuple(sorted(out.used | set(out.unresolved)))
    header = f"def _clastic_chain({', '.join(variable_name(arg) for arg in args)}):"
    source = out.source([header])
    chain = compile_function(source, "clastic chain", env, "_clastic_chain")
    if any(variable_name(arg) != arg for arg in args):
        chain = _keyword_adapter(chain, args)
    return chain, source, args, tuple(sorted(out.unresolved))


def _keyword_adapter(func: Callable[..., Any], args: Sequence[str]) -> Callable[..., Any]:
    """Let *func*, whose parameters are mangled keyword names, be called as ``func(**{'lambda': ...})``."""

    @functools.wraps(func)
    def by_name(**kwargs: Any) -> Any:
        __traceback_hide__ = True
        return func(*[kwargs[arg] for arg in args])

    return by_name


def direct_form(render: Any) -> Callable[..., Any] | None:
    """Return *render*'s direct form, if it has one: ``direct(context, request, _route)``.

    A render whose output is often a complete body (``render_basic``,
    ``render_json``) offers, as ``_clastic_direct``, a function that does
    what calling it does, with two differences: it may return a ``(status,
    content type, body)`` triple instead of a Response (the dispatcher
    sends it straight to the server, see :mod:`clastic._dispatch`), and it
    may be given ``request=None`` when nothing else on the route asked for
    the request, in which case it returns ``(None, context)`` if it needs it
    after all. The render returns ``None`` there when it cannot (a subclass
    that changes ``__call__``).
    """
    if render is None:
        return None
    direct = getattr(render, "_clastic_direct", None)
    return direct if callable(direct) else None
