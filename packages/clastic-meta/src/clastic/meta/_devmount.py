"""The development server's ``/_meta/`` mount (entry-point group ``clastic.dev_mounts``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clastic.meta._app import MetaApplication

__all__ = ["MetaDevMount", "dev_mount"]


class MetaDevMount:
    """Mount a :class:`MetaApplication` at ``/_meta/`` when the dev server runs with ``use_meta``.

    Follows :class:`clastic.plugins.DevMount`; the entry point names the
    :data:`dev_mount` instance.

    Args:
        prefix: Where the meta application is mounted.
    """

    #: Short name for the dev server's messages.
    name = "meta"

    def __init__(self, prefix: str = "/_meta/") -> None:
        self.prefix = prefix

    def entries(self, options: Mapping[str, Any]) -> Sequence[tuple[Any, int | None]]:
        """Return ``[(("/_meta/", MetaApplication()), 0)]`` unless ``options["use_meta"]`` is false.

        The meta routes go first, so a catch-all route of the application
        (``/<alias>``) cannot hide them. Each call builds a new
        MetaApplication, so two served applications never share one.

        Args:
            options: The development server's options (``serve()`` keyword arguments).
        """
        if not options.get("use_meta", True):
            return []
        return [((self.prefix, MetaApplication()), 0)]

    def __repr__(self) -> str:
        return f"MetaDevMount(prefix={self.prefix!r})"


#: The mount registered as the ``meta`` entry point of ``clastic.dev_mounts``.
dev_mount = MetaDevMount()
