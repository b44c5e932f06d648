"""Time a small HTML page rendered by each template engine, against ``str.format``.

Run with ``python benchmarks/render_engines.py`` in the workspace
environment (``--quick`` for a short run). Each engine renders the same
page (a title, a greeting with an attribute, a ten-item list; every value
HTML-escaped) through clastic-render's factory, and the peer builds the same
HTML with ``str.format`` and ``html.escape`` in a plain render function.
Two cases per engine:

* render: the route's render function alone (context -> Response);
* request: a whole in-process WSGI request through an Application (no sockets).

Rounds alternate between engines so that machine noise hits all alike;
each number is the median over rounds of the mean time per call, and the
ratio is against ``str.format`` measured in the same run. Timings never
pass or fail the test suite.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.test import create_environ

from _timing import interleaved_medians
from clastic import Application, Response
from clastic.render.ashes import AshesRenderFactory
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.render.jinja2 import Jinja2RenderFactory
from clastic.render.mako import MakoRenderFactory

TEMPLATES = {
    "ashes": (
        AshesRenderFactory,
        "page.html",
        """<!DOCTYPE html>
<html><head><title>{title}</title></head>
<body>
<h1 title="{user}">Hello, {user}!</h1>
<ul>
{#items}<li class="item">{name}: {count}</li>
{/items}</ul>
</body></html>
""",
    ),
    "chameleon": (
        ChameleonRenderFactory,
        "page.pt",
        """<!DOCTYPE html>
<html><head><title>${title}</title></head>
<body>
<h1 title="${user}">Hello, ${user}!</h1>
<ul>
<li class="item" tal:repeat="item items">${item['name']}: ${item['count']}</li>
</ul>
</body></html>
""",
    ),
    "mako": (
        MakoRenderFactory,
        "page.mako",
        """<!DOCTYPE html>
<html><head><title>${title}</title></head>
<body>
<h1 title="${user}">Hello, ${user}!</h1>
<ul>
% for item in items:
<li class="item">${item['name']}: ${item['count']}</li>
% endfor
</ul>
</body></html>
""",
    ),
    "jinja2": (
        Jinja2RenderFactory,
        "page.html",
        """<!DOCTYPE html>
<html><head><title>{{ title }}</title></head>
<body>
<h1 title="{{ user }}">Hello, {{ user }}!</h1>
<ul>
{% for item in items %}<li class="item">{{ item.name }}: {{ item.count }}</li>
{% endfor %}</ul>
</body></html>
""",
    ),
}

PEER_PAGE = """<!DOCTYPE html>
<html><head><title>{title}</title></head>
<body>
<h1 title="{user}">Hello, {user}!</h1>
<ul>
{items}</ul>
</body></html>
"""
PEER_ITEM = '<li class="item">{name}: {count}</li>\n'


def render_with_format(context: dict[str, Any]) -> Response:
    """The peer: the same page with str.format, escaping every value."""
    items = "".join(PEER_ITEM.format(name=html.escape(item["name"]), count=item["count"]) for item in context["items"])
    body = PEER_PAGE.format(title=html.escape(context["title"]), user=html.escape(context["user"]), items=items)
    return Response(body, content_type="text/html; charset=utf-8")


def page_context() -> dict[str, Any]:
    return {
        "title": "Inventory",
        "user": 'Ada "<admin>"',
        "items": [{"name": f"item <{number}>", "count": number * 3} for number in range(10)],
    }


def build_apps(folder: Path) -> dict[str, Application]:
    apps = {"str.format": Application([("/page", page_context, render_with_format)])}
    for engine, (factory_type, name, source) in TEMPLATES.items():
        engine_dir = folder / engine
        engine_dir.mkdir()
        (engine_dir / name).write_text(source)
        apps[engine] = Application([("/page", page_context, name)], render_factory=factory_type(str(engine_dir)))
    return apps


def normalized(text: str) -> str:
    """The page with whitespace and entity spelling evened out, to check engines agree."""
    text = text.replace("&#34;", '"').replace("&quot;", '"')  # quotes need escaping only in attributes
    return "".join(text.split())


def make_cases(apps: dict[str, Application]) -> dict[str, dict[str, Callable[[], Any]]]:
    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        return lambda data: None

    cases: dict[str, dict[str, Callable[[], Any]]] = {"render": {}, "request": {}}
    reference = None
    for engine, app in apps.items():
        route = app.routes[0]
        render = route.render
        context = page_context()
        body = render(context) if engine == "str.format" else render(context, route, app)
        text = normalized(body.get_data(as_text=True))
        if reference is None:
            reference = text
        elif text != reference:
            raise SystemExit(f"{engine} renders a different page than str.format:\n{text}\n{reference}")
        if engine == "str.format":
            cases["render"][engine] = lambda render=render, context=context: render(context)
        else:

            def render_page(render: Any = render, context: Any = context, route: Any = route, app: Any = app) -> Any:
                return render(context, route, app)

            cases["render"][engine] = render_page

        def request(app: Application = app) -> None:
            for _chunk in app(create_environ("/page"), start_response):
                pass  # consume the body, as a server would

        cases["request"][engine] = request
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    args = parser.parse_args(argv)
    rounds, number = (5, 200) if args.quick else (15, 1000)
    with tempfile.TemporaryDirectory() as folder:
        apps = build_apps(Path(folder))
        cases = make_cases(apps)
        print(f"Python {sys.version.split()[0]}; {rounds} rounds x {number} calls; median of per-round means")
        for case, funcs in cases.items():
            medians = interleaved_medians(funcs, rounds, number)
            peer = medians["str.format"]
            print(f"\n{case}:")
            for name, median in medians.items():
                print(f"  {name:<11} {median * 1e6:8.1f} us   {median / peer:5.2f}x str.format")
    return 0


if __name__ == "__main__":
    sys.exit(main())
