"""Pick each route's template engine by extension: :class:`AutoRenderFactory`.

Render factories announce themselves in the ``clastic.render_factories``
entry-point group (clastic-render declares ``ashes``, ``chameleon``, ``mako``
and ``jinja2``; a third-party ``clastic_<name>`` distribution can add its
own), each with an ``extensions`` tuple. An Application whose templates use
several engines needs one render factory:

>>> render_factory = AutoRenderFactory(TEMPLATE_DIR, default="ashes")  # doctest: +SKIP
>>> Application([("/", home, "home.html"),      # no engine claims .html: the default, Ashes
...              ("/about", about, "about.j2"),  # Jinja2
...              ("/feed", feed, "feed.xml.mako")],  # Mako, served as XML
...             render_factory=render_factory)  # doctest: +SKIP
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from clastic.exceptions import did_you_mean
from clastic.plugins import RENDER_FACTORIES_GROUP, iter_plugins

__all__ = ["AutoRenderFactory", "discover_render_factories"]


def discover_render_factories() -> dict[str, type[Any]]:
    """Return the installed render factory classes by entry-point name.

    A plugin that fails to import (for example Mako's factory when the
    ``mako`` extra is not installed) is logged by :func:`clastic.plugins.iter_plugins`
    and left out; so is an object without an ``extensions`` tuple.
    """
    found: dict[str, type[Any]] = {}
    for entry_point, obj in iter_plugins(RENDER_FACTORIES_GROUP):
        extensions = getattr(obj, "extensions", None)
        if not callable(obj) or not isinstance(extensions, tuple):
            continue
        found.setdefault(entry_point.name, obj)
    return found


class AutoRenderFactory:
    """A render factory that hands each template to the engine its extension names.

    The template name's last extension picks the engine (``page.j2`` ->
    Jinja2, ``feed.xml.mako`` -> Mako); names whose extension no engine
    claims (``home.html``) go to *default*. Each engine's factory is created
    once, on first use, with the shared search path and options.

    Args:
        search_paths: A template directory or a list of them, for every engine.
        default: The engine for unclaimed extensions: an entry-point name
            (``'ashes'``), a factory class or a factory instance. Without
            one, such a template fails the build with a clear message.
        engines: Extension -> engine overrides (same kinds of values as
            *default*), e.g. ``{'.html': 'jinja2'}``; they win over discovery.
        engine_options: Entry-point name -> extra options for that engine only,
            e.g. ``{'jinja2': {'trim_blocks': True}}``.
        **options: Options every engine gets (``filters``, ``globals``,
            ``encoding``, ``reload``, ``content_types``, ``default_mime``).
    """

    def __init__(
        self,
        search_paths: Any,
        *,
        default: Any = None,
        engines: Mapping[str, Any] | None = None,
        engine_options: Mapping[str, Mapping[str, Any]] | None = None,
        **options: Any,
    ) -> None:
        self.search_paths = search_paths
        self.options = options
        #: The installed render factory classes by entry-point name.
        self.available = discover_render_factories()
        self.engine_options = {name: dict(opts) for name, opts in (engine_options or {}).items()}
        for name in self.engine_options:
            self._check_engine_name(name, "engine_options")
        self._claims: dict[str, list[str]] = {}
        for name, factory_type in self.available.items():
            for ext in factory_type.extensions:
                self._claims.setdefault(ext.lower(), []).append(name)
        self._overrides: dict[str, Any] = {}
        for ext, engine in (engines or {}).items():
            if not isinstance(ext, str) or not ext.startswith("."):
                raise ValueError(f"AutoRenderFactory: engines keys are extensions such as '.html', got {ext!r}")
            self._overrides[ext.lower()] = self._check_engine(engine, f"engines[{ext!r}]")
        self.default = None if default is None else self._check_engine(default, "default")
        self._instances: dict[Any, Any] = {}

    def _check_engine_name(self, name: str, where: str) -> None:
        if name not in self.available:
            raise LookupError(
                f"AutoRenderFactory: {where} names the engine {name!r}, which is not installed "
                f"(installed render factories: {sorted(self.available)}).{did_you_mean(name, self.available)}"
            )

    def _check_engine(self, engine: Any, where: str) -> Any:
        if isinstance(engine, str):
            self._check_engine_name(engine, where)
            return engine
        if callable(engine):
            return engine
        raise TypeError(
            f"AutoRenderFactory: {where} must be an engine name such as 'ashes', a render factory class "
            f"or a render factory instance, got {engine!r}"
        )

    def engine_for(self, name: str) -> Any:
        """Return the render factory that compiles template *name* (created on first use)."""
        if not isinstance(name, str) or not name.strip():
            raise TypeError(
                f"AutoRenderFactory: a render argument must be a template name such as 'home.html', got {name!r}"
            )
        ext = posixpath.splitext(posixpath.basename(name))[1].lower()
        if ext in self._overrides:
            return self._instance(self._overrides[ext])
        claims = self._claims.get(ext, [])
        if len(claims) > 1:
            raise LookupError(
                f"AutoRenderFactory: template {name!r}: the extension {ext!r} is claimed by several render "
                f"factories ({', '.join(claims)}); choose one with engines={{{ext!r}: {claims[0]!r}}}"
            )
        if claims:
            return self._instance(claims[0])
        if self.default is not None:
            return self._instance(self.default)
        known = sorted(self._claims)
        raise LookupError(
            f"AutoRenderFactory: no installed template engine claims the extension {ext or '(none)'!r} of template "
            f"{name!r} (claimed: {known}); pass default='ashes' (or another of {sorted(self.available)}), "
            f"or engines={{{ext or '.ext'!r}: ...}}"
        )

    def _instance(self, engine: Any) -> Any:
        key = engine if isinstance(engine, (str, type)) else id(engine)
        if key in self._instances:
            return self._instances[key]
        if isinstance(engine, str):
            factory = self.available[engine](self.search_paths, **self.options, **self.engine_options.get(engine, {}))
        elif isinstance(engine, type):
            factory = engine(self.search_paths, **self.options)
        else:
            factory = engine  # an instance the author configured
        self._instances[key] = factory
        return factory

    def __call__(self, render_arg: Any) -> Any:
        """Return the render function for template *render_arg* from the engine its extension picks."""
        return self.engine_for(render_arg)(render_arg)

    def __repr__(self) -> str:
        return f"AutoRenderFactory({self.search_paths!r}, default={self.default!r}, engines={sorted(self.available)})"
