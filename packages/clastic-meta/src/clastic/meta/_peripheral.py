"""Peripherals: the sections of the meta page, and how they are found and called.

A peripheral is any object with

* ``title`` (str): the section's heading;
* ``group_key`` (str): the top-level JSON key its context is merged into;
* ``get_context(...) -> dict``: gathers the section's data, JSON-ready. Its
  arguments are injected by name from :data:`PERIPHERAL_ARGS`;
* ``render_html(context) -> str``: the section's body, an HTML fragment in
  which the peripheral escapes every value it shows.

The page calls ``render_main_page_html(context)`` when a peripheral has it
(:class:`MetaPeripheral`'s calls ``render_html``; Clastic 26 peripherals
overrode it). Optionally ``get_general_items(context) -> [(label, text)]`` adds figures to
the "at a glance" strip at the top of the page, and ``get_extra_routes()``
returns route entries served under the meta application's prefix (behind its
access rule).

This is :class:`clastic.plugins.MetaPeripheralPlugin`, so a third-party
distribution that depends only on clastic-core can ship a peripheral without
subclassing :class:`MetaPeripheral`; it registers the class (or an instance)
in the ``clastic.meta_peripherals`` entry-point group.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from clastic.exceptions import UnresolvedArgumentError, did_you_mean
from clastic.meta._html import render_mapping
from clastic.plugins import META_PERIPHERALS_GROUP, iter_plugins

__all__ = [
    "PERIPHERAL_ARGS",
    "RESERVED_GROUP_KEYS",
    "MetaPeripheral",
    "PeripheralSlot",
    "load_plugin_peripherals",
    "make_slot",
]

logger = logging.getLogger(__name__)

#: Names a peripheral's ``get_context`` may ask for.
PERIPHERAL_ARGS: tuple[str, ...] = (
    "request",
    "_application",
    "_route",
    "_dispatch_state",
    "_meta_application",
    "script_root",
)


class MetaPeripheral:
    """Base class for a section of the meta page (subclassing is optional).

    Subclasses set :attr:`title` and :attr:`group_key` and override
    :meth:`get_context`, declaring the arguments they need by name::

        class QueuePeripheral(MetaPeripheral):
            title = "Job queue"
            group_key = "queue"

            def get_context(self, _application):
                queue = _application.resources["queue"]
                return {"pending": queue.pending(), "workers": queue.workers()}

            def get_general_items(self, context):
                return [("Jobs pending", str(context["pending"]))]

    The default :meth:`render_html` shows the context as a table.
    """

    #: The section's heading.
    title: str = "Peripheral"
    #: The top-level key of the JSON document this peripheral's context is merged into.
    group_key: str = "misc"

    def get_context(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Return this section's data as a JSON-serialisable dict.

        Override with the arguments you need from :data:`PERIPHERAL_ARGS`
        (``request``, ``_application``, ``_route``, ``_dispatch_state``,
        ``_meta_application``, ``script_root``), named explicitly; they are
        injected by name. (This default takes and ignores all of them.)
        """
        return {}

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Return ``(label, text)`` pairs for the page's "at a glance" strip.

        Args:
            context: What :meth:`get_context` returned for this request.
        """
        return []

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Return the section's body as an HTML fragment (values escaped).

        Args:
            context: What :meth:`get_context` returned for this request.
        """
        return render_mapping(context)

    def render_main_page_html(self, context: Mapping[str, Any]) -> str:
        """Return the section's body: :meth:`render_html` (*context*).

        Kept for compatibility with Clastic 26, whose peripherals rendered
        their section here. The page calls this method, so a peripheral
        written for Clastic 26 that overrides it still renders its own way;
        new peripherals override :meth:`render_html`.
        """
        return self.render_html(context)

    def get_extra_routes(self) -> list[Any]:
        """Return route entries to serve under the meta application's prefix."""
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} title={self.title!r} group_key={self.group_key!r}>"


@dataclass(frozen=True)
class PeripheralSlot:
    """A peripheral, checked once, with the names its ``get_context`` receives."""

    #: The peripheral object.
    peripheral: Any
    #: Where it came from, for messages: ``'built-in'``, ``'argument'`` or the entry point.
    origin: str
    #: Names passed to ``get_context``.
    arg_names: tuple[str, ...]
    #: HTML ``id`` of the section.
    anchor: str

    @property
    def title(self) -> str:
        """The peripheral's title."""
        return str(self.peripheral.title)

    @property
    def group_key(self) -> str:
        """The peripheral's group key."""
        return str(self.peripheral.group_key)

    def call_get_context(self, available: Mapping[str, Any]) -> Any:
        """Call ``get_context`` with the injectable values it asks for."""
        return self.peripheral.get_context(**{name: available[name] for name in self.arg_names})


def _label(peripheral: Any) -> str:
    return type(peripheral).__qualname__


#: Top-level keys of the JSON document that no peripheral's ``group_key`` may take.
RESERVED_GROUP_KEYS = ("page_title", "script_root", "peripheral_errors")


def _check_shape(peripheral: Any, origin: str) -> None:
    problems = [
        f"{attr} (a string)" for attr in ("title", "group_key") if not isinstance(getattr(peripheral, attr, None), str)
    ]
    problems += [
        f"{method}()" for method in ("get_context", "render_html") if not callable(getattr(peripheral, method, None))
    ]
    if problems:
        raise TypeError(
            f"meta peripheral {peripheral!r} ({origin}) is missing {', '.join(problems)}; a peripheral needs "
            "title and group_key strings, get_context(...) returning a dict and render_html(context) returning "
            "HTML (see clastic.plugins.MetaPeripheralPlugin or subclass clastic.meta.MetaPeripheral)"
        )
    if not peripheral.group_key or peripheral.group_key in RESERVED_GROUP_KEYS:
        raise ValueError(
            f"meta peripheral {peripheral!r} ({origin}) has group_key {peripheral.group_key!r}, which is empty or "
            f"reserved for the JSON document itself ({list(RESERVED_GROUP_KEYS)}); choose another key"
        )


def _context_arg_names(peripheral: Any, origin: str) -> tuple[str, ...]:
    """Read ``get_context``'s signature once and check every argument has a source."""
    get_context = peripheral.get_context
    label = f"{_label(peripheral)}.get_context()"
    try:
        signature = inspect.signature(get_context)
    except (TypeError, ValueError):  # a C callable without a signature gets no arguments
        return ()
    names: list[str] = []
    takes_all = False
    for param in signature.parameters.values():
        if param.kind is param.VAR_KEYWORD:
            takes_all = True
            continue
        if param.kind is param.VAR_POSITIONAL:
            continue
        if param.kind is param.POSITIONAL_ONLY:
            raise TypeError(
                f"{label} ({origin}) takes {param.name!r} as positional-only; peripheral arguments are passed "
                f"by name, so remove the '/' from its signature"
            )
        if param.name in PERIPHERAL_ARGS:
            names.append(param.name)
        elif param.default is param.empty:
            raise UnresolvedArgumentError(
                f"meta peripheral {label} ({origin}) needs {param.name!r}, which the meta application does not "
                f"provide (available: {list(PERIPHERAL_ARGS)}).{did_you_mean(param.name, PERIPHERAL_ARGS)}",
                name=param.name,
                available=PERIPHERAL_ARGS,
            )
    if takes_all:
        names.extend(name for name in PERIPHERAL_ARGS if name not in names)
    return tuple(names)


def _anchor(peripheral: Any, taken: set[str]) -> str:
    words = "".join(ch if ch.isalnum() else "-" for ch in str(peripheral.title).lower()).strip("-")
    base = "section-" + ("-".join(part for part in words.split("-") if part) or "peripheral")
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


def instantiate(candidate: Any, origin: str) -> Any:
    """Return *candidate*, or an instance if it is a class (built with no arguments)."""
    if not inspect.isclass(candidate):
        return candidate
    try:
        return candidate()
    except TypeError as ex:
        raise TypeError(
            f"meta peripheral class {candidate.__qualname__} ({origin}) could not be created without arguments: "
            f"{ex}; pass an instance instead"
        ) from ex


def make_slot(candidate: Any, origin: str, taken_anchors: set[str]) -> PeripheralSlot:
    """Check *candidate* (a peripheral class or object) and prepare it for calls."""
    peripheral = instantiate(candidate, origin)
    _check_shape(peripheral, origin)
    names = _context_arg_names(peripheral, origin)
    return PeripheralSlot(peripheral, origin, names, _anchor(peripheral, taken_anchors))


def load_plugin_peripherals(
    present: Iterable[Any], taken_anchors: set[str], loader: Callable[[str], Iterator[tuple[Any, Any]]] = iter_plugins
) -> list[PeripheralSlot]:
    """Load the peripherals registered in the ``clastic.meta_peripherals`` entry-point group.

    A plugin whose class is already among *present* is skipped. A broken
    plugin (wrong shape, unknown argument, failing constructor) is logged and
    skipped: an installed add-on must not stop the application from starting.
    """
    present_types = {type(p) for p in present}
    slots = []
    for entry_point, obj in loader(META_PERIPHERALS_GROUP):
        origin = f"entry point {entry_point.name!r} = {entry_point.value!r}"
        if (obj if inspect.isclass(obj) else type(obj)) in present_types:
            continue
        try:
            slots.append(make_slot(obj, origin, taken_anchors))
        except Exception:  # last resort for third-party code: log it and leave the plugin out
            logger.exception("skipping the meta peripheral from %s", origin)
    return slots
