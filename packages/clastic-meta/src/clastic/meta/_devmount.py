"""The development server's ``/_meta/`` mount (entry-point group ``clastic.dev_mounts``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clastic.meta._app import MetaApplication

__all__ = ["MetaDevMount"]


class MetaDevMount:
    """Mount a :class:`MetaApplication` at ``/_meta/`` when the dev server runs with ``use_meta``.

    Follows :class:`clastic.plugins.DevMount`. ``entries`` is a classmethod,
    so the class itself and its instances both satisfy the protocol.
    """

    #: Short name for the dev server's messages.
    name = "meta"
    #: Where the meta application is mounted.
    prefix = "/_meta/"

    @classmethod
    def entries(cls, options: Mapping[str, Any]) -> Sequence[tuple[Any, int | None]]:
        """Return ``[(("/_meta/", MetaApplication()), None)]`` unless ``options["use_meta"]`` is false.

        Args:
            options: The development server's options (``serve()`` keyword arguments).
        """
        if not options.get("use_meta", True):
            return []
        return [((cls.prefix, MetaApplication()), None)]
