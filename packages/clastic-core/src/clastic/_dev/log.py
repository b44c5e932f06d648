"""Request logging and log output for the development server.

Each request is one line in the usual access-log form on the
``clastic.server.access`` logger; the dev server's handler colours request
lines by status only when it writes to a terminal (and ``NO_COLOR`` is not
set), and strips the colour codes Werkzeug adds to its own messages
elsewhere.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from typing import IO, Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.urls import uri_to_iri

__all__ = ["DevFormatter", "DevRequestHandler", "configure_dev_logging", "wants_colour"]

access_logger = logging.getLogger("clastic.server.access")

_CONTROL_CHARS = {code: f"\\x{code:02x}" for code in (*range(32), 127)}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STATUS_STYLES = (("1", "1"), ("304", "36"), ("3", "32"), ("404", "33"), ("4", "1;31"), ("5", "1;35"))


class DevRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, logging each request as one line through ``logging``.

    ``127.0.0.1 - - [22/Apr/2026 10:00:01] "GET /hello HTTP/1.1" 200 -`` goes
    to the ``clastic.server.access`` logger, with the status in the record's
    ``http_status`` attribute; colour is added only by the dev server's own
    log handler, and only when it writes to a terminal.
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log one handled request."""
        try:
            line = f"{self.command} {uri_to_iri(self.path)} {self.request_version}"
        except AttributeError:  # the request line could not be parsed
            line = self.requestline
        access_logger.info(
            '%s - - [%s] "%s" %s %s',
            self.address_string(),
            self.log_date_time_string(),
            line.translate(_CONTROL_CHARS),
            code,
            size,
            extra={"http_status": str(code)},
        )


def wants_colour(stream: Any) -> bool:
    """True when *stream* is a terminal and ``NO_COLOR`` is not set."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


class DevFormatter(logging.Formatter):
    """Plain messages; request lines coloured by status when *colour* is on."""

    def __init__(self, colour: bool) -> None:
        super().__init__("%(message)s")
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        """Format *record*, colouring request lines on a terminal and stripping colour elsewhere."""
        text = super().format(record)
        if not self.colour:
            return _ANSI.sub("", text)
        status = getattr(record, "http_status", None)
        if status is None or status == "200":
            return text
        for prefix, style in _STATUS_STYLES:
            if status.startswith(prefix):
                return f"\x1b[{style}m{text}\x1b[0m"
        return text


_LOGGING_LOCK = threading.Lock()


class _StripColourFilter(logging.Filter):
    """Remove ANSI colour codes from Werkzeug's own messages when not on a terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _ANSI.sub("", record.msg)
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(_ANSI.sub("", arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def configure_dev_logging(stream: IO[str] | None = None) -> None:
    """Show the dev server's messages on *stream* (stderr), unless the app owner configured logging.

    Adds a handler to the ``clastic`` logger only when neither it nor the
    root logger has one; request lines are coloured only on a terminal, and
    Werkzeug's own messages lose their colour codes elsewhere.
    """
    stream = stream or sys.stderr
    package = logging.getLogger("clastic")
    with _LOGGING_LOCK:  # two serve() calls in two threads must not add two handlers
        if not logging.getLogger().handlers and not package.handlers:
            handler = logging.StreamHandler(stream)
            handler.setFormatter(DevFormatter(colour=wants_colour(stream)))
            package.addHandler(handler)
            if package.level == logging.NOTSET:
                package.setLevel(logging.INFO)
        werkzeug_logger = logging.getLogger("werkzeug")
        if not wants_colour(stream) and not any(isinstance(f, _StripColourFilter) for f in werkzeug_logger.filters):
            werkzeug_logger.addFilter(_StripColourFilter())
