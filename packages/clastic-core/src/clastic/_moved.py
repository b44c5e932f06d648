"""Upstream names that now live in satellite distributions, resolved lazily.

``from clastic import StaticApplication`` keeps working when clastic-static
is installed; without it, the import fails with a message naming the
distribution to install. This table is the only place where clastic-core
refers to its satellites.

An entry may also name a submodule of the package itself (``clastic.contrib``,
shipped by clastic-meta): ``clastic.contrib`` then resolves to that module,
imported at first use, as do the core modules Clastic 26 imported with the
package (``clastic.server``, ``clastic.sinter``).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

__all__ = ["MOVED", "make_module_getattr", "satellite_available"]

#: package -> {name: (module that defines it, distribution that ships it)}
MOVED: dict[str, dict[str, tuple[str, str]]] = {
    "clastic": {
        "StaticApplication": ("clastic.static", "clastic-static"),
        "StaticFileRoute": ("clastic.static", "clastic-static"),
        "MetaApplication": ("clastic.meta", "clastic-meta"),
        "GetParamMiddleware": ("clastic.middleware.url", "clastic-middleware"),
        "META_ASSETS_APP": ("clastic.meta", "clastic-meta"),
        # Submodules, as the original exposed them on the package:
        "contrib": ("clastic.contrib", "clastic-meta"),
        "server": ("clastic.server", "clastic-core"),
        "sinter": ("clastic.sinter", "clastic-core"),
    },
    "clastic.application": {
        "ContextualErrorHandler": ("clastic.errors.contextual", "clastic-errors"),
        # The dev-server helpers of Clastic 26 (clastic.server imports clastic.application).
        "create_dev_server_parser": ("clastic.server", "clastic-core"),
        "run_simple": ("clastic.server", "clastic-core"),
    },
    "clastic.middleware": {
        "GetParamMiddleware": ("clastic.middleware.url", "clastic-middleware"),
        "ScriptRootMiddleware": ("clastic.middleware.url", "clastic-middleware"),
        "PostDataMiddleware": ("clastic.middleware.form", "clastic-middleware"),
        "ContextProcessor": ("clastic.middleware.context", "clastic-middleware"),
        "SimpleContextProcessor": ("clastic.middleware.context", "clastic-middleware"),
        "SignedCookieMiddleware": ("clastic.middleware.cookie", "clastic-middleware"),
        "SessionMiddleware": ("clastic.middleware.session", "clastic-middleware"),
        "GzipMiddleware": ("clastic.middleware.compress", "clastic-middleware"),
        "HTTPCacheMiddleware": ("clastic.middleware.client_cache", "clastic-middleware"),
        "SimpleProfileMiddleware": ("clastic.middleware.profile", "clastic-middleware"),
        "StatsMiddleware": ("clastic.middleware.stats", "clastic-middleware"),
        "CORSMiddleware": ("clastic.middleware.cors", "clastic-middleware"),
        "CSRFMiddleware": ("clastic.middleware.csrf", "clastic-middleware"),
    },
    "clastic.render": {
        "AshesRenderFactory": ("clastic.render.ashes", "clastic-render"),
        "ChameleonRenderFactory": ("clastic.render.chameleon", "clastic-render"),
        "MakoRenderFactory": ("clastic.render.mako", "clastic-render[mako]"),
        "Jinja2RenderFactory": ("clastic.render.jinja2", "clastic-render[jinja2]"),
        "AutoRenderFactory": ("clastic.render.auto", "clastic-render"),
    },
    "clastic.errors": {
        "ContextualErrorHandler": ("clastic.errors.contextual", "clastic-errors"),
        "ContextualNotFound": ("clastic.errors.contextual", "clastic-errors"),
        "ContextualInternalServerError": ("clastic.errors.contextual", "clastic-errors"),
        "REPLErrorHandler": ("clastic.errors.repl", "clastic-errors"),
        "Problem": ("clastic.errors.problems", "clastic-errors"),
        "CustomPageErrorHandler": ("clastic.errors.pages", "clastic-errors"),
        "ReportingErrorHandler": ("clastic.errors.reporting", "clastic-errors"),
    },
}


def satellite_available(module: str) -> bool:
    """Return True when *module* (e.g. ``'clastic.static'``) can be imported."""
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package is missing
        return False


def make_module_getattr(package: str) -> Callable[[str], object]:
    """Build the module-level ``__getattr__`` for *package* from :data:`MOVED`.

    A name maps to an attribute of its module, or, when the module is
    ``package.name`` itself, to that module.
    """
    table = MOVED[package]

    def __getattr__(name: str) -> object:
        try:
            module, dist = table[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        if not satellite_available(module):
            raise ImportError(
                f"{package}.{name} is provided by {dist}; install it with: pip install {dist}", name=module
            )
        imported = importlib.import_module(module)
        if module == f"{package}.{name}":
            return imported
        return getattr(imported, name)

    return __getattr__
