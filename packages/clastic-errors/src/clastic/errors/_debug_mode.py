"""The warning logged when a debug error handler serves an Application not in debug mode.

Who sees the debug details is decided by clastic-core's
:class:`clastic.access.AccessRule` (loopback clients by default; ``allow=``
replaces that rule).
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

__all__ = ["DebugModeWarning"]

logger = logging.getLogger("clastic.errors")


class DebugModeWarning:
    """Log a warning, once per Application, when a debug handler serves a non-debug app."""

    def __init__(self) -> None:
        self._warned: weakref.WeakSet[Any] = weakref.WeakSet()

    def check(self, handler: object, application: Any) -> None:
        """Warn if *application* (anything with a ``debug`` attribute) is not in debug mode.

        Args:
            handler: The debug error handler in use, named in the message.
            application: The Application it serves.
        """
        if application is None or getattr(application, "debug", True):
            return
        try:
            if application in self._warned:
                return
            self._warned.add(application)
        except TypeError:  # not weak-referenceable: warn every time rather than never
            pass
        logger.warning(
            "%s is the error handler of %r, which is not in debug mode: clients it allows still see "
            "tracebacks, source and local variables. Use it only in development, or pass "
            "Application(debug=True).",
            type(handler).__name__,
            application,
        )
