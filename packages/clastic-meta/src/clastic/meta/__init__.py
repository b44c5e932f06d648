"""The Clastic meta application: a page and JSON showing how an application is built.

Mount :class:`MetaApplication` in any Application::

    from clastic import Application
    from clastic.meta import MetaApplication

    app = Application([("/", home, render_basic), ("/_meta/", MetaApplication())])

Only loopback clients may see it unless ``allow=`` says otherwise. Add
sections with :class:`MetaPeripheral` subclasses, or with any object
following :class:`clastic.plugins.MetaPeripheralPlugin` registered in the
``clastic.meta_peripherals`` entry-point group.
"""

from clastic.meta._access import LOOPBACK_NETWORKS as LOOPBACK_NETWORKS
from clastic.meta._access import AccessRule as AccessRule
from clastic.meta._access import MetaAccessMiddleware as MetaAccessMiddleware
from clastic.meta._app import DEFAULT_PERIPHERALS as DEFAULT_PERIPHERALS
from clastic.meta._app import MetaApplication as MetaApplication
from clastic.meta._app_peripherals import MiddlewarePeripheral as MiddlewarePeripheral
from clastic.meta._app_peripherals import ResourcePeripheral as ResourcePeripheral
from clastic.meta._app_peripherals import RoutePeripheral as RoutePeripheral
from clastic.meta._devmount import MetaDevMount as MetaDevMount
from clastic.meta._devmount import dev_mount as dev_mount
from clastic.meta._html import render_mapping as render_mapping
from clastic.meta._html import render_records as render_records
from clastic.meta._html import render_value as render_value
from clastic.meta._introspect import describe_callable as describe_callable
from clastic.meta._peripheral import PERIPHERAL_ARGS as PERIPHERAL_ARGS
from clastic.meta._peripheral import MetaPeripheral as MetaPeripheral
from clastic.meta._redact import REDACTED as REDACTED
from clastic.meta._redact import SECRET_WORDS as SECRET_WORDS
from clastic.meta._redact import Redactor as Redactor
from clastic.meta._system_peripherals import BasicPeripheral as BasicPeripheral
from clastic.meta._system_peripherals import HostPeripheral as HostPeripheral
from clastic.meta._system_peripherals import ProcessPeripheral as ProcessPeripheral
from clastic.meta._system_peripherals import PythonPeripheral as PythonPeripheral
from clastic.meta._system_peripherals import ResourceUsagePeripheral as ResourceUsagePeripheral

__all__ = [
    "DEFAULT_PERIPHERALS",
    "LOOPBACK_NETWORKS",
    "PERIPHERAL_ARGS",
    "REDACTED",
    "SECRET_WORDS",
    "AccessRule",
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
    "describe_callable",
    "dev_mount",
    "render_mapping",
    "render_records",
    "render_value",
]
