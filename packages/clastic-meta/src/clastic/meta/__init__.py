"""The Clastic meta application: a page and JSON showing how an application is built.

Mount :class:`MetaApplication` in any Application::

    from clastic import Application
    from clastic.meta import MetaApplication

    app = Application([("/", home, render_basic), ("/_meta/", MetaApplication())])

Only loopback clients may see it unless ``allow=`` says otherwise. Add
sections with :class:`MetaPeripheral` subclasses, or with any object
following :class:`clastic.plugins.MetaPeripheralPlugin` registered in the
``clastic.meta_peripherals`` entry-point group.

Names kept for compatibility with Clastic 26 (each documented where it is
defined): :data:`DEFAULT_PAGE_TITLE`, :data:`HAVE_READLINE`,
:data:`IS_64BIT`, :data:`CPU_COUNT`, :class:`AshesMetaPeripheral`,
:class:`SysconfigPeripheral`, and the functions returning the data of each
section: :func:`get_route_infos`, :func:`get_endpoint_info`,
:func:`get_render_info`, :func:`get_route_arg_info`, :func:`get_mw_infos`,
:func:`get_resource_info`, :func:`get_host_info`, :func:`get_proc_info`,
:func:`get_rlimit_dict`, :func:`get_rusage_dict`, :func:`get_pyvm_info`,
:func:`get_gc_info`. The original module also re-exported names of other
modules; they still import from here, resolved when first used so that
this module imports without the distributions that ship them:

* ``Application``, ``RESERVED_ARGS``, ``render_json``: from :mod:`clastic`;
* ``NullRoute``: :mod:`clastic.route`; ``get_fb``, ``inject``,
  ``get_callable_name``: :mod:`clastic.sinter` (import them from there);
* ``StaticApplication``: ``clastic.StaticApplication`` (clastic-static);
* ``AshesRenderFactory``: ``clastic.render.AshesRenderFactory`` (clastic-render);
* ``ScriptRootMiddleware``, ``SimpleContextProcessor``: from
  :mod:`clastic.middleware` (clastic-middleware);
* ``META_ASSETS_APP``: a ``StaticApplication`` serving the meta page's
  stylesheet and script (``meta.css``, ``meta.js``), built at first use.
  The page itself inlines them and needs no assets route.
"""

from __future__ import annotations

import importlib
from typing import Any

from clastic import RESERVED_ARGS as RESERVED_ARGS
from clastic import Application as Application
from clastic import render_json as render_json
from clastic.access import LOOPBACK_NETWORKS as LOOPBACK_NETWORKS
from clastic.access import AccessRule as AccessRule
from clastic.meta._access import MetaAccessMiddleware as MetaAccessMiddleware
from clastic.meta._app import DEFAULT_PAGE_TITLE as DEFAULT_PAGE_TITLE
from clastic.meta._app import DEFAULT_PERIPHERALS as DEFAULT_PERIPHERALS
from clastic.meta._app import MetaApplication as MetaApplication
from clastic.meta._app_peripherals import MiddlewarePeripheral as MiddlewarePeripheral
from clastic.meta._app_peripherals import ResourcePeripheral as ResourcePeripheral
from clastic.meta._app_peripherals import RoutePeripheral as RoutePeripheral
from clastic.meta._assets import ASSETS_PATH
from clastic.meta._devmount import MetaDevMount as MetaDevMount
from clastic.meta._devmount import dev_mount as dev_mount
from clastic.meta._html import render_mapping as render_mapping
from clastic.meta._html import render_records as render_records
from clastic.meta._html import render_value as render_value
from clastic.meta._introspect import describe_callable as describe_callable
from clastic.meta._introspect import get_endpoint_info as get_endpoint_info
from clastic.meta._introspect import get_mw_infos as get_mw_infos
from clastic.meta._introspect import get_render_info as get_render_info
from clastic.meta._introspect import get_resource_info as get_resource_info
from clastic.meta._introspect import get_route_arg_info as get_route_arg_info
from clastic.meta._introspect import get_route_infos as get_route_infos
from clastic.meta._peripheral import PERIPHERAL_ARGS as PERIPHERAL_ARGS
from clastic.meta._peripheral import MetaPeripheral as MetaPeripheral
from clastic.meta._redact import REDACTED as REDACTED
from clastic.meta._redact import SECRET_WORDS as SECRET_WORDS
from clastic.meta._redact import Redactor as Redactor
from clastic.meta._sysinfo import CPU_COUNT as CPU_COUNT
from clastic.meta._sysinfo import HAVE_READLINE as HAVE_READLINE
from clastic.meta._sysinfo import IS_64BIT as IS_64BIT
from clastic.meta._sysinfo import get_gc_info as get_gc_info
from clastic.meta._sysinfo import get_host_info as get_host_info
from clastic.meta._sysinfo import get_proc_info as get_proc_info
from clastic.meta._sysinfo import get_pyvm_info as get_pyvm_info
from clastic.meta._sysinfo import get_rlimit_dict as get_rlimit_dict
from clastic.meta._sysinfo import get_rusage_dict as get_rusage_dict
from clastic.meta._system_peripherals import BasicPeripheral as BasicPeripheral
from clastic.meta._system_peripherals import HostPeripheral as HostPeripheral
from clastic.meta._system_peripherals import ProcessPeripheral as ProcessPeripheral
from clastic.meta._system_peripherals import PythonPeripheral as PythonPeripheral
from clastic.meta._system_peripherals import ResourceUsagePeripheral as ResourceUsagePeripheral
from clastic.meta._template_peripherals import AshesMetaPeripheral as AshesMetaPeripheral
from clastic.meta._template_peripherals import SysconfigPeripheral as SysconfigPeripheral

__all__ = [
    "CPU_COUNT",
    "DEFAULT_PAGE_TITLE",
    "DEFAULT_PERIPHERALS",
    "HAVE_READLINE",
    "IS_64BIT",
    "LOOPBACK_NETWORKS",
    "PERIPHERAL_ARGS",
    "REDACTED",
    "RESERVED_ARGS",
    "SECRET_WORDS",
    "AccessRule",
    "Application",
    "AshesMetaPeripheral",
    "BasicPeripheral",
    "HostPeripheral",
    "MetaAccessMiddleware",
    "MetaApplication",
    "MetaDevMount",
    "MetaPeripheral",
    "MiddlewarePeripheral",
    "ProcessPeripheral",
    "PythonPeripheral",
    "Redactor",
    "ResourcePeripheral",
    "ResourceUsagePeripheral",
    "RoutePeripheral",
    "SysconfigPeripheral",
    "describe_callable",
    "dev_mount",
    "get_endpoint_info",
    "get_gc_info",
    "get_host_info",
    "get_mw_infos",
    "get_proc_info",
    "get_pyvm_info",
    "get_render_info",
    "get_resource_info",
    "get_rlimit_dict",
    "get_route_arg_info",
    "get_route_infos",
    "get_rusage_dict",
    "render_json",
    "render_mapping",
    "render_records",
    "render_value",
]

# Clastic 26 re-exports resolved at first use: name -> (module, attribute).
# The satellites' names go through core's lazy names (clastic, clastic.render,
# clastic.middleware), which raise an ImportError naming the distribution to
# install; they are left out of __all__ so ``import *`` never needs them.
_LAZY: dict[str, tuple[str, str]] = {
    "StaticApplication": ("clastic", "StaticApplication"),
    "AshesRenderFactory": ("clastic.render", "AshesRenderFactory"),
    "ScriptRootMiddleware": ("clastic.middleware", "ScriptRootMiddleware"),
    "SimpleContextProcessor": ("clastic.middleware", "SimpleContextProcessor"),
    "NullRoute": ("clastic.route", "NullRoute"),
    "get_fb": ("clastic.sinter", "get_fb"),
    "inject": ("clastic.sinter", "inject"),
    "get_callable_name": ("clastic.sinter", "get_callable_name"),
}


def __getattr__(name: str) -> Any:
    """Resolve the Clastic 26 re-exports and ``META_ASSETS_APP`` at first use."""
    if name == "META_ASSETS_APP":
        static_application = __getattr__("StaticApplication")
        app = static_application(ASSETS_PATH)
        # Built once: later lookups find the module global, as in Clastic 26.
        globals()["META_ASSETS_APP"] = app
        return app
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), attribute)


def __dir__() -> list[str]:
    """List the module's names, the lazily resolved ones included."""
    return sorted({*globals(), *_LAZY, "META_ASSETS_APP"})
