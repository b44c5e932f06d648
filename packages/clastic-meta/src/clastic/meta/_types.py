"""What the built-in peripherals read of the MetaApplication that calls them.

A peripheral asks for ``_meta_application`` by name and reads a couple of
its attributes. It annotates that argument with :class:`MetaApplicationView`
rather than with ``MetaApplication``: ``clastic.meta._app`` imports the
peripheral modules, so importing it back, even for annotations only, would
close a cycle that the type checker sees.
"""

from __future__ import annotations

from typing import Protocol

from clastic.meta._redact import Redactor

__all__ = ["MetaApplicationView"]


class MetaApplicationView(Protocol):
    """The attributes of a :class:`~clastic.meta.MetaApplication` its peripherals read."""

    @property
    def redactor(self) -> Redactor:
        """Redacts secret-looking names and cuts long values."""
        ...

    @property
    def start_timestamp(self) -> float:
        """When the MetaApplication was created (Unix time)."""
        ...
