"""Describe routes, endpoints and middlewares as plain, JSON-ready data.

Everything here reads the public attributes of a built
:class:`~clastic.Application` (``routes``, ``middlewares``, ``resources``) and
of its :class:`~clastic.route.BoundRoute` objects (``pattern``, ``methods``,
``endpoint``, ``render``, ``render_arg``, ``arg_sources``, ``middlewares``,
``resources``). The ``get_*`` functions are the names Clastic 26 gave this
data; the meta page's peripherals call them, so they return what the page shows.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clastic.meta._redact import Redactor
from clastic.middleware.core import HOOK_NAMES
from clastic.types import ArgSource
from clastic.utils import get_callable_name

if TYPE_CHECKING:
    from clastic import Application
    from clastic.route import BoundRoute

__all__ = [
    "describe_args",
    "describe_callable",
    "describe_middleware",
    "describe_route",
    "get_endpoint_info",
    "get_mw_infos",
    "get_render_info",
    "get_resource_info",
    "get_route_arg_info",
    "get_route_infos",
    "normalize_source",
]

#: Argument sources as the meta page names them.
ARG_SOURCES = ("builtin", "url", "resources", "middleware", "default")

# The meta page's name for each ArgSource kind that it spells differently (Clastic 26's words).
_PAGE_NAMES = {"resource": "resources"}


def describe_callable(func: Any) -> dict[str, str]:
    """Name an endpoint or render the way the meta page shows it.

    Returns ``{"module_name", "name", "qualname"}``:

    * functions: their module and ``__name__``;
    * bound methods: ``module.Class`` and the method's name;
    * callable objects: their class's module and name;
    * builtins: ``builtins`` and their name.

    >>> describe_callable(len)
    {'module_name': 'builtins', 'name': 'len', 'qualname': 'len'}
    """
    if isinstance(func, functools.partial):
        inner = describe_callable(func.func)
        return {**inner, "qualname": f"partial({inner['qualname']})"}
    module, qualname = get_callable_name(func)
    if inspect.ismethod(func):
        owner, _, method = qualname.rpartition(".")
        module_name = f"{module}.{owner}" if owner else module
        return {"module_name": module_name, "name": method, "qualname": qualname}
    if inspect.isfunction(func) or inspect.isbuiltin(func) or inspect.isclass(func):
        name = getattr(func, "__name__", None) or qualname
        return {"module_name": module or "builtins", "name": name, "qualname": qualname}
    return {"module_name": module, "name": qualname.rpartition(".")[2], "qualname": qualname}


def normalize_source(source: ArgSource | None) -> tuple[str | None, str | None]:
    """Name a ``BoundRoute.arg_sources`` record the meta page's way: ``(source, provider)``.

    ``source`` is one of :data:`ARG_SOURCES` (the record's kind, but
    ``'resources'`` for a resource), ``provider`` the middleware's class
    name for a middleware, else ``None``; ``(None, None)`` for no record.

    >>> normalize_source(ArgSource("middleware", "SignedCookieMiddleware"))
    ('middleware', 'SignedCookieMiddleware')
    >>> normalize_source(ArgSource("resource"))
    ('resources', None)
    """
    if source is None:
        return None, None
    return _PAGE_NAMES.get(source.kind, source.kind), source.provider


def _parameter_names(func: Callable[..., Any]) -> list[str]:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # C callables without a signature take no injected arguments
        return []
    return [
        param.name
        for param in signature.parameters.values()
        if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD) and param.name != "next"
    ]


def describe_args(func: Callable[..., Any] | None, arg_sources: Mapping[str, ArgSource]) -> list[dict[str, str | None]]:
    """List *func*'s arguments in order, each with where the route gets it from."""
    if func is None:
        return []
    described = []
    for name in _parameter_names(func):
        source, provider = normalize_source(arg_sources.get(name))
        if source is None and name == "context":
            source = "builtin"
        described.append({"name": name, "source": source, "provider": provider})
    return described


def get_render_info(route: BoundRoute) -> dict[str, Any]:
    """Describe a bound route's render: ``{"type", "module_name", "name", "arg", "args"}``.

    ``type`` is the render's dotted name; ``arg`` is the render argument
    when it is not itself the render (a template name...), else ``None``;
    ``args`` lists the render's arguments with their sources. All ``None``
    (``args`` empty) for a route without a render. Kept under its Clastic 26
    name; the Routes section shows it as each route's ``render``.
    """
    render = route.render
    if render is None:
        return {"type": None, "module_name": None, "name": None, "arg": None, "args": []}
    names = describe_callable(render)
    arg = route.render_arg
    return {
        "type": f"{names['module_name']}.{names['qualname']}",
        "module_name": names["module_name"],
        "name": names["name"],
        # Only a render *argument* (a template name...) is shown; a render
        # function passed directly is already described by type and name.
        "arg": None if arg is None or callable(arg) else str(arg),
        "args": describe_args(render, route.arg_sources),
    }


def get_endpoint_info(route: BoundRoute) -> dict[str, str]:
    """Name a bound route's endpoint: ``{"module_name", "name", "qualname"}`` (see :func:`describe_callable`).

    Kept under its Clastic 26 name; the Routes section shows it as each
    route's ``endpoint``.
    """
    return describe_callable(route.endpoint)


def get_route_arg_info(route: BoundRoute) -> list[dict[str, str | None]]:
    """List a bound route's endpoint arguments: ``[{"name", "source", "provider"}]``, in order.

    ``source`` is ``builtin``, ``url``, ``resources``, ``middleware``,
    ``default`` or ``None``; ``provider`` names the middleware class. Kept
    under its Clastic 26 name; the Routes section shows it as each route's ``args``.
    """
    return describe_args(route.endpoint, route.arg_sources)


def describe_route(
    index: int, route: BoundRoute, app: Application, meta_types: tuple[type, ...] = ()
) -> dict[str, Any]:
    """Describe one bound route of *app* (its position *index* in dispatch order)."""
    regex = getattr(route, "regex", None)
    bound_apps = getattr(route, "bound_apps", ())
    return {
        "index": index,
        "pattern": route.pattern,
        "url_pattern": route.pattern,
        "url_regex_pattern": getattr(regex, "pattern", None),
        "methods": sorted(route.methods) if route.methods is not None else None,
        "name": route.name,
        "endpoint": get_endpoint_info(route),
        "render": get_render_info(route),
        "args": get_route_arg_info(route),
        "middlewares": [type(mw).__name__ for mw in route.middlewares],
        "route_resources": sorted(set(route.resources) - set(app.resources)),
        "slash_mode": route.slash_mode,
        "is_meta": bool(meta_types) and any(isinstance(bound, meta_types) for bound in bound_apps),
    }


def _hook_requirements(hook: Callable[..., Any]) -> list[str]:
    try:
        signature = inspect.signature(hook)
    except (TypeError, ValueError):
        return []
    return [
        param.name
        for param in signature.parameters.values()
        if param.default is param.empty
        and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
        and param.name not in ("next", "context")
    ]


def describe_middleware(mw: object, redactor: Redactor) -> dict[str, Any]:
    """Describe an application middleware: its hooks, what it provides and requires."""
    hooks: list[str] = []
    provides: list[str] = []
    requires: list[str] = []
    provides_by_hook: dict[str, list[str]] = {}
    for hook_name, provides_attr in HOOK_NAMES.items():
        hook = getattr(mw, hook_name, None)
        names = [str(name) for name in (getattr(mw, provides_attr, ()) or ())]
        if hook is None:
            continue
        hooks.append(hook_name)
        provides_by_hook[hook_name] = names
        provides.extend(name for name in names if name not in provides)
        requires.extend(name for name in _hook_requirements(hook) if name not in requires)
    cls = type(mw)
    text, _cut = redactor.truncate(redactor.safe_repr(mw))
    return {
        "type_name": cls.__name__,
        "module_name": cls.__module__,
        "hooks": hooks,
        "provides": provides,
        "provides_by_hook": provides_by_hook,
        "requires": requires,
        "wsgi_wrapper": getattr(mw, "wsgi_wrapper", None) is not None,
        "repr": text,
    }


def describe_routes(app: Application, meta_types: tuple[type, ...] = ()) -> list[dict[str, Any]]:
    """Describe every route of *app* in dispatch order."""
    routes: Sequence[BoundRoute] = app.routes
    return [describe_route(index, route, app, meta_types) for index, route in enumerate(routes)]


def get_route_infos(_application: Application, meta_types: tuple[type, ...] = ()) -> list[dict[str, Any]]:
    """Describe every route of *_application* in dispatch order, as the Routes section shows them.

    Args:
        _application: The application whose ``routes`` are described.
        meta_types: Application classes whose routes are flagged ``is_meta``
            (the Routes section passes its MetaApplication's class).

    Kept under its Clastic 26 name; ``json/`` of a MetaApplication answers
    the same under ``app.routes``.
    """
    return describe_routes(_application, meta_types)


def get_mw_infos(_application: Application, redactor: Redactor | None = None) -> list[dict[str, Any]]:
    """Describe each application-wide middleware of *_application*, in order.

    Each entry is :func:`describe_middleware`'s ``{"type_name", "module_name",
    "hooks", "provides", "provides_by_hook", "requires", "wsgi_wrapper",
    "repr"}``, the repr scrubbed of secrets by *redactor* (default:
    :class:`~clastic.meta.Redactor` ``()``, as a MetaApplication built with
    no ``secret_words`` does). Kept under its Clastic 26 name; ``json/``
    answers the same under ``app.middlewares``.
    """
    redactor = redactor or Redactor()
    return [describe_middleware(mw, redactor) for mw in _application.middlewares]


def get_resource_info(_application: Application, redactor: Redactor | None = None) -> list[dict[str, Any]]:
    """Describe *_application*'s resources sorted by name, secret-looking ones redacted.

    Each entry is ``{"key", "value", "type", "redacted", "truncated",
    "length"}``: ``value`` is the scrubbed repr cut to the redactor's
    ``max_length``, or ``[REDACTED]`` when the name looks secret (default
    redactor: :class:`~clastic.meta.Redactor` ``()``). Kept under its Clastic
    26 name; ``json/`` answers the same under ``app.resources``.
    """
    redactor = redactor or Redactor()
    resources = []
    for key in sorted(_application.resources):
        described = redactor.describe(_application.resources[key], key=key)
        resources.append(
            {
                "key": key,
                "value": described["text"],
                "type": described["type"],
                "redacted": described["redacted"],
                "truncated": described["truncated"],
                "length": described["length"],
            }
        )
    return resources
