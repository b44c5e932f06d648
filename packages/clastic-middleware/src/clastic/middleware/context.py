"""Add injectable values (resources, middleware provides, built-ins) to every render context.

::

    app = Application(routes, resources={"site_name": "Erosion"},
                      middlewares=[SimpleContextProcessor("site_name", "csrf_token")])

Every dict an endpoint returns then carries ``site_name`` (and
``csrf_token``) for the template, unless the endpoint set them itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

from clastic import Middleware
from clastic.exceptions import ClasticError, ReservedArgumentError
from clastic.middleware.core import make_hook

__all__ = ["AmbiguousArgumentError", "ContextProcessor", "SimpleContextProcessor"]

_RESERVED = ("self", "next", "context")


class AmbiguousArgumentError(ClasticError, NameError):
    """A name given both as required and with a default."""


def _check_names(names: Iterable[object], *, owner: str, what: str) -> list[str]:
    checked: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{owner}: {what} names must be strings, got {name!r} ({type(name).__name__})")
        if not name.isidentifier():
            raise ValueError(f"{owner}: {what} name {name!r} is not a valid Python identifier")
        if name in _RESERVED:
            raise ReservedArgumentError(
                f"{owner}: attempted to use reserved argument {name!r} as a context name (reserved: {list(_RESERVED)})"
            )
        checked.append(name)
    return checked


class ContextProcessor(Middleware):
    """Copy injectable values into the render context, when it is a dict.

    Runs as a render hook, after the endpoint and before the render. A
    context that is not a mutable mapping (a string, a list) is left alone,
    as are keys the endpoint already set unless *overwrite* is true.

    Args:
        required: Names that some source (URL, resources, middleware,
            built-ins) must provide; otherwise the Application refuses to build.
        defaults: ``{name: value}`` for names that are used when provided,
            with the value as the fallback.
        overwrite: Replace keys the endpoint already put in the context.

    Raises:
        TypeError: a name is not a string, or *defaults* is not a mapping.
        ReservedArgumentError: a name is ``self``, ``next`` or ``context``.
        AmbiguousArgumentError: a name is both required and has a default.
    """

    def __init__(
        self, required: Iterable[str] | None = None, defaults: Mapping[str, Any] | None = None, overwrite: bool = False
    ) -> None:
        owner = type(self).__name__
        if isinstance(required, str):
            required = [required]
        if defaults is not None and not isinstance(defaults, Mapping):
            raise TypeError(f"{owner}: defaults must be a mapping of names to values, got {defaults!r}")
        self.required = tuple(_check_names(required or (), owner=owner, what="required"))
        defaults = dict(defaults or {})
        _check_names(defaults, owner=owner, what="default")
        self.defaults = defaults
        both = sorted(set(self.required) & set(self.defaults))
        if both:
            raise AmbiguousArgumentError(
                f"{owner}: ambiguous argument {both[0]!r}: it is both required and given a default; list it in only one"
            )
        self.overwrite = overwrite
        self.render = _make_render_hook(self)  # built per instance, for its names

    def process(self, context: Any, values: Mapping[str, Any]) -> None:
        """Fill *context* in place from the injected *values* and the defaults."""
        if not isinstance(context, MutableMapping):
            return
        for name in self.required:
            if self.overwrite or name not in context:
                context[name] = values[name]
        for name, default in self.defaults.items():
            if self.overwrite or name not in context:
                context[name] = values.get(name, default)

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(required={list(self.required)!r}, defaults={self.defaults!r}, overwrite={self.overwrite!r})"


def _make_render_hook(processor: ContextProcessor) -> Callable[..., Any]:
    def fill_context(next: Callable[..., Any], context: Any, **values: Any) -> Any:
        processor.process(context, values)
        return next()

    return make_hook(
        fill_context, name="render", required=processor.required, optional=processor.defaults, takes_context=True
    )


class SimpleContextProcessor(ContextProcessor):
    """A :class:`ContextProcessor` taking names directly: ``SimpleContextProcessor('user', lang='en')``.

    Positional names default to ``None``; keyword names to their value. None
    is required, so a name nothing provides just gets its default.
    """

    def __init__(self, *names: str, **defaults: Any) -> None:
        merged: dict[str, Any] = {}
        for name in names:
            if name in defaults:
                raise AmbiguousArgumentError(
                    f"SimpleContextProcessor: ambiguous argument {name!r}: given both by name and with a default"
                )
            merged[name] = None
        merged.update(defaults)
        super().__init__(defaults=merged)
