"""Static files for Clastic applications.

``StaticApplication`` serves directory trees (mount it like any Application:
``('/static', StaticApplication(STATIC_PATH))``); ``StaticFileRoute`` serves
one file at one URL. Both answer conditional and range requests, send
precompressed siblings and refuse paths that leave their directories.

Kept for compatibility with Clastic 26, whose ``clastic.static`` module
offered them: the helpers ``find_file``, ``build_file_response``,
``get_file_mtime``, ``peek_file``, ``is_binary_string`` (adapters over the
code above, with its path-safety rules), the constants ``DEFAULT_TEXT_MIME``,
``DEFAULT_BINARY_MIME`` and ``IS_WINDOWS``, and the names it imported:
``Application``, ``Route`` (import them from ``clastic``), ``Forbidden`` and
``NotFound`` (import them from ``clastic.errors``).
"""

from clastic import Application as Application
from clastic import Route as Route
from clastic.errors import Forbidden as Forbidden
from clastic.errors import NotFound as NotFound
from clastic.static._application import DEFAULT_MAX_AGE as DEFAULT_MAX_AGE
from clastic.static._application import StaticApplication as StaticApplication
from clastic.static._application import StaticFileRoute as StaticFileRoute
from clastic.static._compat import IS_WINDOWS as IS_WINDOWS
from clastic.static._compat import build_file_response as build_file_response
from clastic.static._compat import find_file as find_file
from clastic.static._compat import get_file_mtime as get_file_mtime
from clastic.static._compat import is_binary_string as is_binary_string
from clastic.static._compat import peek_file as peek_file
from clastic.static._mime import DEFAULT_BINARY_MIME as DEFAULT_BINARY_MIME
from clastic.static._mime import DEFAULT_TEXT_MIME as DEFAULT_TEXT_MIME

__all__ = [
    "DEFAULT_BINARY_MIME",
    "DEFAULT_MAX_AGE",
    "DEFAULT_TEXT_MIME",
    "IS_WINDOWS",
    "Application",
    "Forbidden",
    "NotFound",
    "Route",
    "StaticApplication",
    "StaticFileRoute",
    "build_file_response",
    "find_file",
    "get_file_mtime",
    "is_binary_string",
    "peek_file",
]
