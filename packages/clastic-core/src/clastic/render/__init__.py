"""Renders turn an endpoint's result into a Response.

Core ships the basic ones; template render factories (Ashes, Chameleon, Mako,
Jinja2) come with clastic-render and join this package when installed.
"""

from pkgutil import extend_path

from clastic._moved import make_module_getattr
from clastic.render.simple import BasicRender as BasicRender
from clastic.render.simple import ClasticJSONEncoder as ClasticJSONEncoder
from clastic.render.simple import JSONPRender as JSONPRender
from clastic.render.simple import JSONRender as JSONRender
from clastic.render.simple import render_basic as render_basic
from clastic.render.simple import render_json as render_json
from clastic.render.simple import render_json_dev as render_json_dev
from clastic.render.tabular import Table as Table
from clastic.render.tabular import TabularRender as TabularRender

__path__ = extend_path(__path__, __name__)
__getattr__ = make_module_getattr(__name__)
