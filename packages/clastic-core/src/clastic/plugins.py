"""Entry-point groups through which other distributions extend Clastic.

A plugin distribution (``clastic-<name>``, import package ``clastic_<name>``)
declares entry points in its ``pyproject.toml``; Clastic's tools find them
without code changes. Entry points never add middleware to a request path by
themselves: they only let tools (the command line, the dev server, render
factory lookup, the meta application) discover what is installed.

============================ ============================================================
group                        object the entry point names
============================ ============================================================
``clastic.commands``         a :class:`CommandPlugin`: a ``clastic <name>`` subcommand
``clastic.dev_mounts``       a :class:`DevMount`: routes the dev server mounts (meta, static)
``clastic.render_factories`` a render factory class with an ``extensions`` tuple
``clastic.meta_peripherals`` a :class:`MetaPeripheralPlugin` class for ``/_meta/``
============================ ============================================================
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator, Mapping, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "COMMANDS_GROUP",
    "DEV_MOUNTS_GROUP",
    "META_PERIPHERALS_GROUP",
    "RENDER_FACTORIES_GROUP",
    "CommandPlugin",
    "DevMount",
    "MetaPeripheralPlugin",
    "iter_plugins",
]

logger = logging.getLogger("clastic.plugins")

#: ``clastic <name>`` subcommands.
COMMANDS_GROUP = "clastic.commands"
#: Applications the development server mounts (``/_meta/``, ``/static/``).
DEV_MOUNTS_GROUP = "clastic.dev_mounts"
#: Render factories, found by template extension.
RENDER_FACTORIES_GROUP = "clastic.render_factories"
#: Extra sections of the ``/_meta/`` page.
META_PERIPHERALS_GROUP = "clastic.meta_peripherals"


@runtime_checkable
class CommandPlugin(Protocol):
    """A ``clastic`` subcommand; the entry point's name is the command's name."""

    #: One line for ``clastic --help``.
    help: str

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add this command's arguments to *parser*."""

    def run(self, args: argparse.Namespace) -> int:
        """Run the command; return the process exit status."""


@runtime_checkable
class DevMount(Protocol):
    """Something the development server mounts next to the served Application."""

    #: Short name for messages, e.g. ``'meta'`` or ``'static'``.
    name: str

    def entries(self, options: Mapping[str, Any]) -> Sequence[tuple[Any, int | None]]:
        """Return ``(route entry, index or None)`` pairs to add, given the serve() options."""


@runtime_checkable
class MetaPeripheralPlugin(Protocol):
    """A section of the ``/_meta/`` page, implementable with clastic-core alone.

    ``get_context`` is injected like an endpoint (``request``, ``_application``,
    ``_route`` ...) and returns a JSON-serialisable dict; ``render_html``
    turns that dict into an HTML fragment (escaped by the plugin).
    """

    title: str
    group_key: str

    def get_context(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    def render_html(self, context: Mapping[str, Any]) -> str: ...


def iter_plugins(group: str) -> Iterator[tuple[EntryPoint, Any]]:
    """Yield ``(entry_point, loaded_object)`` for *group*, logging and skipping broken plugins."""
    for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
        try:
            obj = entry_point.load()
        except Exception as ex:  # a broken plugin (any error at its import) must not break the others or the command
            logger.warning(
                "skipping %s plugin %r (%s): %s: %s",
                group,
                entry_point.name,
                entry_point.value,
                type(ex).__name__,
                ex,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )
            continue
        yield entry_point, obj
