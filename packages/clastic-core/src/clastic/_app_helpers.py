"""Checks and small helpers of :mod:`clastic.application`, run when an Application is built.

``check_valid_wsgi`` and ``default_render_error`` are public in
:mod:`clastic.application` under Clastic 26's names.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clastic._inject import RESERVED_ARGS
from clastic.exceptions import ReservedArgumentError
from clastic.types import ErrorHandler, RenderFactory

if TYPE_CHECKING:
    from clastic.errors.http import HTTPException
    from clastic.route import BoundRoute
    from clastic.wrappers import Request, Response

__all__ = [
    "check_error_handler",
    "check_render_factory",
    "check_resources",
    "check_valid_wsgi",
    "default_render_error",
    "index_names",
    "not_a_response",
]


def check_valid_wsgi(wsgi_callable: Any) -> None:
    """Raise ``TypeError`` unless *wsgi_callable* can be called as ``app(environ, start_response)``.

    Clastic 26 wanted the parameters named exactly ``environ`` and
    ``start_response``; any callable taking two positional arguments is
    accepted now. Kept under Clastic 26's name; Applications check every
    middleware's ``wsgi_wrapper`` result with it.
    """
    if not callable(wsgi_callable):
        raise TypeError(f"expected a valid WSGI callable, got {wsgi_callable!r:.80}")
    try:
        inspect.signature(wsgi_callable).bind(None, None)
    except ValueError:  # no readable signature (some builtins): trust it
        return
    except TypeError as ex:
        raise TypeError(
            f"expected a valid WSGI callable taking (environ, start_response), got {wsgi_callable!r:.80}: {ex}"
        ) from None


def default_render_error(request: Request, _error: HTTPException, **kwargs: Any) -> Response:
    """Render *_error* in the format the request's ``Accept`` asks for (text, HTML, JSON, XML).

    What :meth:`ErrorHandler.render_error <clastic.errors.ErrorHandler.render_error>`
    does; kept under Clastic 26's name. Other injected arguments are ignored.
    """
    return _error.transcribe(request)


def not_a_response(route: BoundRoute, value: Any) -> TypeError:
    hooks = [type(mw).__name__ for mw in route.middlewares if getattr(mw, "request", None) is not None]
    if route.render is None and not hooks:
        return TypeError(
            f"route {route.pattern!r}: the endpoint returned {type(value).__name__} ({value!r:.80}), but the route "
            "has no render function; return a Response or give the route a render (e.g. render_basic)"
        )
    render = "its render function" if route.render is not None else "its endpoint (the route has no render function)"
    source = f"its request middlewares ({', '.join(hooks)}) or {render}" if hooks else render
    return TypeError(
        f"route {route.pattern!r}: expected a Response from {source}, got {type(value).__name__} ({value!r:.80})"
    )


# What an error handler must have, read from the Protocol that documents each member.
_ERROR_HANDLER_MEMBERS = tuple(name for name in vars(ErrorHandler) if not name.startswith("_"))


def check_error_handler(handler: object) -> ErrorHandler:
    """Return *handler* if it has every member of :class:`clastic.types.ErrorHandler`; raise ``TypeError`` if not."""
    if isinstance(handler, type):
        raise TypeError(
            f"Application(error_handler=...) takes an error handler instance, got the class {handler.__name__}; "
            f"call it: error_handler={handler.__name__}()"
        )
    if not isinstance(handler, ErrorHandler):
        missing = [name for name in _ERROR_HANDLER_MEMBERS if not hasattr(handler, name)]
        raise TypeError(
            f"Application(error_handler=...) got a {type(handler).__name__} object, which lacks {', '.join(missing)} "
            "(see clastic.types.ErrorHandler); "
            "pass an instance of clastic.errors.ErrorHandler or a subclass of it"
        )
    uncallable = [
        name
        for name in _ERROR_HANDLER_MEMBERS
        if not callable(getattr(handler, name)) and not (name == "wsgi_wrapper" and handler.wsgi_wrapper is None)
    ]
    if uncallable:
        shown = ", ".join(f"{name} = {getattr(handler, name)!r:.40}" for name in uncallable)
        raise TypeError(
            f"Application(error_handler=...) got {type(handler).__name__}, whose {shown} must be callable "
            "(see clastic.types.ErrorHandler for what each is called with)"
        )
    return handler


def check_render_factory(factory: object) -> RenderFactory | None:
    """Return *factory* if it is ``None`` or a :class:`clastic.types.RenderFactory`; raise ``TypeError`` if not."""
    if factory is None or isinstance(factory, RenderFactory):
        return factory
    raise TypeError(
        f"Application(render_factory=...) takes a callable that turns a render argument (a template name, say) "
        f"into a render function, got {type(factory).__name__} {factory!r:.60}; "
        "for example render_factory=AshesRenderFactory('templates/') from clastic.render.ashes"
    )


def check_resources(resources: Mapping[str, Any] | None) -> dict[str, Any]:
    if resources is not None and not isinstance(resources, Mapping):
        raise TypeError(
            "Application(resources=...) takes a dict of name -> value, "
            f"got {type(resources).__name__} ({resources!r:.80})"
        )
    resources = dict(resources or {})
    bad = [key for key in resources if not isinstance(key, str) or not key.isidentifier()]
    if bad:
        raise TypeError(f"resource names must be strings that are valid Python identifiers, got {bad!r}")
    reserved = sorted(key for key in resources if key in RESERVED_ARGS)
    if reserved:
        raise ReservedArgumentError(
            f"resource names conflict with builtins: {reserved} (reserved names: {list(RESERVED_ARGS)}); rename them"
        )
    return resources


def index_names(routes: Sequence[BoundRoute]) -> dict[Any, list[BoundRoute]]:
    index: dict[Any, list[BoundRoute]] = {}
    for route in routes:
        keys: list[Any] = [route.name] if route.name else []
        endpoint_name = getattr(route.endpoint, "__name__", None)
        if not route.name and isinstance(endpoint_name, str):
            keys.append(endpoint_name)
        keys.append(id(route.endpoint))
        for key in keys:
            index.setdefault(key, []).append(route)
    return index
