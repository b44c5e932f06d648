"""The development server's ``/static/`` mount (entry point ``clastic.dev_mounts``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

from clastic.static._application import StaticApplication

__all__ = ["StaticDevMount", "dev_mount"]

logger = logging.getLogger("clastic.static")


class StaticDevMount:
    """Serve ``static_path`` under ``static_prefix`` next to the app being developed.

    ``Application.serve(use_static=True, static_prefix='static',
    static_path=None)`` passes its options here; a missing *static_path*
    means the ``static`` directory in the current working directory.
    """

    #: The mount's name in the dev server's messages.
    name = "static"

    def entries(self, options: Mapping[str, Any]) -> Sequence[tuple[Any, int | None]]:
        """Return ``[((prefix, StaticApplication(path)), 0)]``, or ``[]`` when there is nothing to serve.

        Args:
            options: The ``serve()`` options; reads ``use_static``,
                ``static_prefix`` and ``static_path``.
        """
        if not options.get("use_static", True):
            return []
        path = options.get("static_path") or os.path.join(os.getcwd(), "static")
        path = os.path.abspath(os.fspath(path))
        if not os.path.isdir(path):
            logger.debug("not mounting static files: %r is not a directory", path)
            return []
        prefix = "/" + str(options.get("static_prefix") or "static").strip("/")
        # Index 0: tried before the app's routes; a miss is a non-breaking 404, so they still answer.
        return [((prefix, StaticApplication(path)), 0)]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


#: The object the ``clastic.dev_mounts`` entry point names.
dev_mount = StaticDevMount()
