"""The fail-safe application of Clastic 26 ("flaw"), over :mod:`clastic._dev.failsafe`.

Kept for compatibility with Clastic 26. The development server shows this
page by itself while the reloaded code does not load (``app.serve()``,
``clastic serve``, :func:`clastic.server.run_simple` with the reloader);
code that serves it by hand, from a reloader's ``error_func`` for instance,
can keep calling :func:`create_app`::

    from clastic import flaw
    from clastic.server import make_server

    server = make_server("127.0.0.1", 5000, flaw.create_app(traceback_text, files))
    server.serve_forever()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from clastic._dev.failsafe import LoadFailure, create_failsafe_app, failure_info, split_watched_files
from clastic.application import Application

__all__ = ["create_app", "get_flaw_info"]


def create_app(traceback_string: str, monitored_files: Iterable[str] | None = None) -> Application:
    """Return the Application that answers every request with the page for a failed load.

    *traceback_string* is what the failed process wrote to stderr (a
    Python traceback, ``SyntaxError`` carets included, or any text); the
    page shows the exception, where it happened in the project's code, the
    traceback and the project's files among *monitored_files* (library
    files are only counted). Every path and method answers 500 with the
    ``X-Clastic-Failsafe`` header, as HTML, JSON or text by ``Accept``.

    Kept for compatibility with Clastic 26: the development server shows
    this page by itself.
    """
    failure = LoadFailure.from_output(traceback_string)
    return create_failsafe_app(failure, list(monitored_files or ()))


def get_flaw_info(
    tb_str: str, parsed_error: Any, all_mon_files: Iterable[str], mon_files: Sequence[str] | None = None
) -> dict[str, Any]:
    """Return the dict the fail-safe page shows (its JSON answer) for a failed load.

    Args:
        tb_str: The failed process's error output.
        parsed_error: The failure as parsed (a :class:`clastic._dev.failsafe.LoadFailure`);
            anything else, ``None`` included, means "parse *tb_str*".
        all_mon_files: Every monitored file.
        mon_files: The project's own files among them; ``None`` picks those
            that are not in the standard library, site-packages or Clastic.

    The dict holds ``error`` (the exception type, ``None`` when the output
    shows no Python exception), ``message``, ``location`` (``{file, line}``
    in the project's code, or ``None``), ``traceback``, ``watched_files``
    (the project's) and ``watched_library_files`` (how many others).
    Kept for compatibility with Clastic 26.
    """
    failure = parsed_error if isinstance(parsed_error, LoadFailure) else LoadFailure.from_output(tb_str)
    all_files = list(dict.fromkeys(all_mon_files))
    if mon_files is None:
        project, library = split_watched_files(all_files)
    else:
        project = list(mon_files)
        own = set(project)
        library = [name for name in all_files if name not in own]
    return failure_info(failure, project, library)
