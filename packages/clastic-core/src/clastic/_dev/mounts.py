"""Dev mounts: what installed satellites add to the Application the dev server serves.

Satellites register objects in the ``clastic.dev_mounts`` entry-point group
(clastic-meta mounts ``/_meta/``, clastic-static serves ``./static``); each
gives route entries for :func:`make_dev_app`, which adds them to a new
Application embedding the user's, leaving the user's unchanged.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from clastic.application import Application, SubApplication
from clastic.errors import ErrorHandler
from clastic.exceptions import ClasticError
from clastic.plugins import DEV_MOUNTS_GROUP, DevMount, iter_plugins

__all__ = ["KNOWN_MOUNTS", "discover_dev_mounts", "make_dev_app", "normalize_static_prefix"]

logger = logging.getLogger("clastic.server")

#: Mounts Clastic's own satellites provide: name -> (distribution, what it adds).
KNOWN_MOUNTS: Mapping[str, tuple[str, str]] = {
    "meta": ("clastic-meta", "the /_meta/ introspection pages"),
    "static": ("clastic-static", "static files"),
}


def discover_dev_mounts() -> list[DevMount]:
    """Load the objects registered in the ``clastic.dev_mounts`` entry-point group.

    A class is instantiated without arguments; an object without ``name``
    takes the entry point's name.
    """
    mounts: list[DevMount] = []
    for entry_point, loaded in iter_plugins(DEV_MOUNTS_GROUP):
        obj = loaded
        if isinstance(loaded, type):
            try:
                obj = loaded()
            except Exception as ex:  # a broken plugin must not stop the server
                logger.warning(
                    "skipping %s plugin %r (%s): creating it failed: %s: %s",
                    DEV_MOUNTS_GROUP,
                    entry_point.name,
                    entry_point.value,
                    type(ex).__name__,
                    ex,
                )
                continue
        if not callable(getattr(obj, "entries", None)):
            logger.warning(
                "skipping %s plugin %r (%s): it has no entries(options) method",
                DEV_MOUNTS_GROUP,
                entry_point.name,
                entry_point.value,
            )
            continue
        if not getattr(obj, "name", None):
            obj = _NamedMount(entry_point.name, obj)
        mounts.append(obj)
    return mounts


class _UnnamedMount(Protocol):
    """A :class:`~clastic.plugins.DevMount` without ``name`` (the entry point's name is used)."""

    def entries(self, options: Mapping[str, Any]) -> Sequence[tuple[Any, int | None]]: ...


class _NamedMount:
    def __init__(self, name: str, mount: _UnnamedMount) -> None:
        self.name = name
        self._mount = mount

    def entries(self, options: Mapping[str, Any]) -> Sequence[tuple[Any, int | None]]:
        return self._mount.entries(options)


def make_dev_app(
    app: Application,
    *,
    use_meta: bool = True,
    use_static: bool = True,
    static_prefix: str = "static",
    static_path: str | os.PathLike[str] | None = None,
    use_debugger: bool = False,
    mounts: Iterable[DevMount] | None = None,
    **options: Any,
) -> Application:
    """Return the Application the dev server serves: *app* plus the dev mounts.

    *app* itself is returned when nothing needs adding. Otherwise a new
    Application embeds *app* at ``/`` with its resources, middlewares,
    render factory, error handler, slash mode and request type, and adds
    each mount's route entries; *app* is left unchanged, so calling this
    twice never mounts anything twice.

    Args:
        app: The Application being served.
        use_meta, use_static: Turn off the mount of that name (any mount
            named ``X`` is skipped when ``use_X=False`` is given).
        static_prefix: URL path for static files; passed to mounts as ``'/static'``.
        static_path: Folder of static files; passed to mounts as an absolute
            path (default ``./static``).
        use_debugger: Let uncaught exceptions reach Werkzeug's debugger (a
            copy of the error handler with ``reraise_uncaught=True``).
        mounts: The ``DevMount`` objects to use; default: those installed
            (the ``clastic.dev_mounts`` entry-point group).
        **options: More serve() options passed to the mounts (``address``,
            ``port``, ``use_reloader``, ``processes``, ``use_<name>``...).
    """
    if not isinstance(app, Application):
        raise TypeError(f"make_dev_app() needs a clastic Application, got {app!r}")
    prefix = normalize_static_prefix(static_prefix)
    mount_options: dict[str, Any] = {
        **options,
        "use_meta": use_meta,
        "use_static": use_static,
        "static_prefix": prefix,
        "static_path": os.path.abspath(static_path if static_path is not None else "static"),
        "use_debugger": use_debugger,
    }
    available = discover_dev_mounts() if mounts is None else list(mounts)
    entries = _collect_entries(_wanted_mounts(available, mount_options), mount_options)
    if not entries and not use_debugger:
        return app
    dev_app = _embedding_app(app, use_debugger)
    for name, entry, index in entries:
        taken = _already_served(app, entry)
        if taken:
            logger.info(" * %s: the application already serves %s; not mounting it again", name, taken)
            continue
        try:
            dev_app.add(entry, index)
        except (ClasticError, TypeError, ValueError) as ex:
            logger.warning(" * %s: could not be mounted: %s", name, ex)
            continue
        logger.info(" * %s: mounted at %s", name, _entry_prefix(entry) or "/")
    return dev_app


def _wanted_mounts(available: Sequence[DevMount], mount_options: Mapping[str, Any]) -> list[DevMount]:
    """Return the mounts not turned off by a ``use_<name>=False`` option; log the known ones missing."""
    wanted = []
    for mount in available:
        if mount_options.get(f"use_{mount.name}", True) is False:
            logger.info(" * %s: turned off", mount.name)
            continue
        wanted.append(mount)
    names = {mount.name for mount in available}
    for name, (dist, what) in KNOWN_MOUNTS.items():
        if name not in names and mount_options.get(f"use_{name}", True):
            logger.info(" * %s: install %s for %s (pip install %s)", name, dist, what, dist)
    return wanted


def _collect_entries(mounts: Iterable[DevMount], mount_options: Mapping[str, Any]) -> list[tuple[str, Any, int | None]]:
    """Return ``(mount name, route entry, index)`` for every entry the mounts give; skip (and log) a failing mount."""
    entries: list[tuple[str, Any, int | None]] = []
    for mount in mounts:
        try:
            given = [(entry, index) for entry, index in mount.entries(mount_options)]
        except (ClasticError, OSError, TypeError, ValueError, LookupError) as ex:
            # ValueError/TypeError also when entries() does not give (entry, index) pairs
            logger.warning(" * %s: not mounted, its entries() failed: %s: %s", mount.name, type(ex).__name__, ex)
            continue
        if not given:
            logger.info(" * %s: nothing to mount", mount.name)
        entries.extend((mount.name, entry, index) for entry, index in given)
    return entries


def _embedding_app(app: Application, use_debugger: bool) -> Application:
    """Return a new Application serving *app* at ``/`` with its settings (and the debugger, if asked)."""
    handler = app.error_handler
    if use_debugger and isinstance(handler, ErrorHandler):
        handler = copy.copy(handler)
        handler.reraise_uncaught = True
    elif use_debugger:
        logger.warning(
            " * the debugger sees only the exceptions %s lets through (only a clastic.errors.ErrorHandler "
            "can be told to re-raise them)",
            type(handler).__name__,
        )
    dev_app = Application(
        [SubApplication("/", app)],
        resources=app.resources,
        middlewares=app.middlewares,
        render_factory=app.render_factory,
        error_handler=handler,
        debug=app.debug,
        slash_mode=app.slash_mode,
    )
    dev_app.request_type = app.request_type
    dev_app.response_type = app.response_type
    return dev_app


def normalize_static_prefix(static_prefix: str) -> str:
    """Return *static_prefix* as a URL path: ``'static'`` -> ``'/static'``.

    Raises:
        ValueError: The prefix names no path (``''`` or ``'/'``).
    """
    prefix = "/" + str(static_prefix).strip("/")
    if prefix == "/":
        raise ValueError(f"static_prefix must name a URL path such as 'static', got {static_prefix!r}")
    return prefix


def _entry_prefix(entry: Any) -> str | None:
    if isinstance(entry, SubApplication):
        return entry.prefix or "/"
    pattern = getattr(entry, "pattern", None)
    if isinstance(pattern, str):
        return pattern
    if isinstance(entry, (tuple, list)) and entry and isinstance(entry[0], str):
        return entry[0]
    return None


def _already_served(app: Application, entry: Any) -> str | None:
    # An application that mounts, say, its own MetaApplication at /_meta/ has a
    # route at exactly that prefix; a route deeper below it (/static/app.css) is
    # no reason to skip a mount.
    prefix = _entry_prefix(entry)
    if prefix is None or prefix.rstrip("/") == "":
        return None
    base = prefix.rstrip("/")
    for route in app.routes:
        if route.pattern.rstrip("/") == base:
            return prefix
    return None
