"""Where names outside Clastic are documented: the standard library and the libraries Clastic uses.

The docstrings and type hints of the reference name ``collections.abc.Callable``,
``werkzeug.wrappers.Response``, ``itsdangerous.Signer``... Instead of
fetching the other projects' inventories (intersphinx), this module turns
such a dotted name into the address of its documentation by rule: the
Python documentation has one page per module, Werkzeug one per area, and so
on. A name no rule covers is left unresolved, and the nitpicky build says
which; add a rule here for it.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import sys
from typing import Any

PYTHON = "https://docs.python.org/3/library/"

#: Top-level package -> (documentation root, module -> page); "{page}" and
#: "{name}" are filled in. A module missing from the page map uses its parent's page.
THIRD_PARTY: dict[str, tuple[str, dict[str, str]]] = {
    "werkzeug": (
        "https://werkzeug.palletsprojects.com/en/stable/{page}/#{name}",
        {
            "werkzeug.wrappers": "wrappers",
            "werkzeug.test": "test",
            "werkzeug.datastructures": "datastructures",
            "werkzeug.utils": "utils",
            "werkzeug.serving": "serving",
            "werkzeug.exceptions": "exceptions",
            "werkzeug.routing": "routing",
            "werkzeug.wsgi": "wsgi",
            "werkzeug.http": "http",
            "werkzeug.urls": "urls",
            "werkzeug.security": "utils",
            "werkzeug.formparser": "http",
            "werkzeug.sansio": "wrappers",
            "werkzeug.middleware": "middleware/index",
            "werkzeug.middleware.proxy_fix": "middleware/proxy_fix",
            "werkzeug.middleware.shared_data": "middleware/shared_data",
            "werkzeug.middleware.lint": "middleware/lint",
            "werkzeug.debug": "debug",
            "werkzeug": "quickstart",
        },
    ),
    "itsdangerous": (
        "https://itsdangerous.palletsprojects.com/en/stable/{page}/#{name}",
        {
            "itsdangerous.signer": "signer",
            "itsdangerous.timed": "timed",
            "itsdangerous.serializer": "serializer",
            "itsdangerous.url_safe": "url_safe",
            "itsdangerous.exc": "exceptions",
            "itsdangerous": "signer",
        },
    ),
    "boltons": ("https://boltons.readthedocs.io/en/latest/{page}.html#{name}", {}),
    "redis": ("https://redis.readthedocs.io/en/stable/{page}.html#{name}", {"redis": "connections"}),
    "jinja2": ("https://jinja.palletsprojects.com/en/stable/{page}/#{name}", {"jinja2": "api"}),
    "mako": ("https://docs.makotemplates.org/en/latest/{page}.html#{name}", {"mako": "usage"}),
    "chameleon": ("https://chameleon.readthedocs.io/en/latest/{page}.html#{name}", {"chameleon": "library"}),
    "ashes": ("https://github.com/mahmoud/ashes#{page}", {"ashes": "readme"}),
    "pytest": (
        "https://docs.pytest.org/en/stable/{page}.html#{name}",
        {"pytest": "reference/reference", "_pytest": "reference/reference"},
    ),
    "psutil": ("https://psutil.readthedocs.io/en/latest/{page}.html#{name}", {"psutil": "index"}),
}
#: Private module names some libraries report in ``__module__``.
LIBRARY_ALIASES = {"_pytest": "pytest"}


def public_path(name: str, pages: dict[str, str]) -> str:
    """``werkzeug.wrappers.response.Response`` -> ``werkzeug.wrappers.Response``: the documented module that has it."""
    parts = name.split(".")
    obj = lookup(name)
    if obj is None:
        return name
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        shorter = f"{module}.{parts[-1]}"
        if module in pages and lookup(shorter) is obj:
            return shorter
    return name


@functools.cache
def lookup(name: str) -> Any:
    """The object a dotted name denotes, importing what it needs; None if there is none."""
    parts = name.split(".")
    obj: Any
    if hasattr(builtins, parts[0]):
        obj = builtins
        for attr in parts:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except Exception:  # a library failing to import is just "not found"
            return None
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def module_of(name: str) -> str:
    """The longest importable module prefix of a dotted name."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        candidate = ".".join(parts[:cut])
        if candidate in sys.modules or _importable(candidate):
            return candidate
    return parts[0]


@functools.cache
def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except Exception:  # whatever importing it raises, it is not a module to link to
        return False
    return True


def builtin_url(name: str) -> str | None:
    """The address of a builtin's documentation (``str``, ``None``, ``ValueError``...)."""
    if name in ("None", "True", "False", "Ellipsis", "NotImplemented"):
        return f"{PYTHON}constants.html#{name}"
    obj = getattr(builtins, name, None)
    if obj is None:
        return None
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return f"{PYTHON}exceptions.html#{name}"
    if name in ("str", "bytes", "bytearray", "dict", "list", "tuple", "set", "frozenset", "int", "float", "complex",
                "bool", "memoryview", "range", "object", "type"):
        page = "functions" if name in ("object", "type", "bool") else "stdtypes"
        return f"{PYTHON}{page}.html#{name}"
    return f"{PYTHON}functions.html#{name}"


@functools.cache
def external_url(name: str) -> str | None:
    """The documentation address of a dotted name outside Clastic, or None if no rule covers it."""
    name = name.lstrip(".~")
    if name.startswith("builtins."):
        name = name[len("builtins."):]
    if "." not in name:
        if name in sys.stdlib_module_names:
            return f"{PYTHON}{name}.html"
        return builtin_url(name)
    top = name.split(".", 1)[0]
    if isinstance(getattr(builtins, top, None), type) and lookup(name) is not None:
        return f"{PYTHON}stdtypes.html#{name}"
    top = LIBRARY_ALIASES.get(top, top)
    if top in sys.stdlib_module_names:
        module = module_of(name)
        return f"{PYTHON}{module}.html#{name}"
    rule = THIRD_PARTY.get(top)
    if rule is None:
        return None
    template, pages = rule
    name = public_path(name, pages)
    module = module_of(name)
    page = None
    probe = module
    while probe:
        if probe in pages:
            page = pages[probe]
            break
        probe = probe.rpartition(".")[0]
    if page is None:
        page = module.split(".", 1)[1] if "." in module else module
    return template.format(page=page, name=name)
