"""Peripherals that show how the application is put together.

Routes in dispatch order, application-wide middlewares and resources, all
read from the Application that dispatches the request (``_application``).
Their contexts share the ``app`` group of the JSON document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clastic.meta._html import esc
from clastic.meta._introspect import get_mw_infos, get_resource_info, get_route_infos
from clastic.meta._peripheral import MetaPeripheral

if TYPE_CHECKING:
    from clastic import Application
    from clastic.meta._types import MetaApplicationView

__all__ = ["MiddlewarePeripheral", "ResourcePeripheral", "RoutePeripheral"]

_SOURCE_TITLES = {
    "builtin": "a built-in (request, _application, _route, _dispatch_state, context)",
    "url": "the URL pattern",
    "resources": "the resources",
    "middleware": "a middleware",
    "default": "the callable's default value",
}
_BINDING = re.compile(r"(<[^<>]*>)")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _pattern_html(pattern: str) -> str:
    parts = []
    for piece in _BINDING.split(pattern):
        if not piece:
            continue
        css = "binding" if piece.startswith("<") and piece.endswith(">") else "literal"
        parts.append(f'<span class="{css}">{esc(piece)}</span>')
    return f'<code class="pattern">{"".join(parts)}</code>'


def _methods_html(methods: list[str] | None) -> str:
    if methods is None:
        return '<span class="method m-any" title="any method">ANY</span>'
    shown = [m for m in methods if not (m == "HEAD" and "GET" in methods)]
    return "".join(f'<span class="method m-{esc(m.lower())}">{esc(m)}</span>' for m in shown)


def _arg_html(arg: Mapping[str, Any]) -> str:
    source = arg.get("source") or "unknown"
    provider = arg.get("provider")
    where = f"{provider} (a middleware)" if provider else _SOURCE_TITLES.get(source, "no known source")
    name = esc(arg["name"])
    return f'<span class="arg src-{esc(source)}" title="{name} comes from {esc(where)}">{name}</span>'


def _args_html(args: list[Mapping[str, Any]]) -> str:
    if not args:
        return '<span class="muted">—</span>'
    return "".join(_arg_html(arg) for arg in args)


def _callable_html(info: Mapping[str, Any]) -> str:
    module = info.get("module_name") or ""
    return (
        f'<span class="callable" title="{esc(module)}.{esc(info.get("name"))}">'
        f'<span class="module">{esc(module)}.</span><strong>{esc(info.get("name"))}</strong></span>'
    )


def _render_html(render: Mapping[str, Any]) -> str:
    if render.get("type") is None:
        return '<span class="muted">none</span>'
    parts = [_callable_html(render)]
    if render.get("arg"):
        parts.append(f'<div class="render-arg">⟵ <code>{esc(render["arg"])}</code></div>')
    return "".join(parts)


def _search_text(route: Mapping[str, Any]) -> str:
    words = [route["pattern"], route.get("name") or "", " ".join(route["methods"] or ["ANY"])]
    endpoint = route["endpoint"]
    words += [endpoint["module_name"], endpoint["name"], endpoint["qualname"]]
    render = route["render"]
    words += [render.get("type") or "", render.get("arg") or ""]
    words += [arg["name"] for arg in route["args"]]
    words += route["middlewares"]
    return " ".join(words).lower()


class RoutePeripheral(MetaPeripheral):
    """The routes of the dispatching application, in dispatch order.

    Each route lists its pattern, methods, endpoint (module and name), render,
    every endpoint argument with its source (builtin, url, resources,
    middleware, default) and its middlewares.
    """

    title = "Routes"
    group_key = "app"

    def get_context(
        self, _application: Application, _meta_application: MetaApplicationView, script_root: str
    ) -> dict[str, Any]:
        """Describe every route of *_application*."""
        meta_types = (type(_meta_application),)
        return {"routes": get_route_infos(_application, meta_types), "script_root": script_root}

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Count the routes."""
        return [("Routes", str(len(context.get("routes", ()))))]

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render the searchable route table."""
        routes = context.get("routes", [])
        rows = []
        for route in routes:
            css = "route meta-route" if route.get("is_meta") else "route"
            name = f'<div class="route-name">name: <code>{esc(route["name"])}</code></div>' if route.get("name") else ""
            mws = "".join(f'<span class="tag">{esc(mw)}</span>' for mw in route["middlewares"])
            mws = mws or '<span class="muted">—</span>'
            rows.append(
                f'<tr class="{css}" data-search="{esc(_search_text(route))}">'
                f'<td class="idx">{route["index"]}</td>'
                f'<td class="methods">{_methods_html(route["methods"])}</td>'
                f"<td>{_pattern_html(route['pattern'])}{name}</td>"
                f"<td>{_callable_html(route['endpoint'])}</td>"
                f"<td>{_render_html(route['render'])}</td>"
                f'<td class="args">{_args_html(route["args"])}</td>'
                f"<td>{mws}</td></tr>"
            )
        legend = "".join(
            f'<span class="arg src-{source}" title="from {esc(title)}">{source}</span>'
            for source, title in _SOURCE_TITLES.items()
        )
        total = _plural(len(routes), "route")
        return (
            '<div class="toolbar">'
            '<input id="route-filter" class="search" type="search" autocomplete="off" spellcheck="false" '
            'aria-label="Filter routes" aria-controls="route-table" '
            'placeholder="Filter by pattern, method, endpoint, argument…   ( / )">'
            f'<span id="route-count" class="count" data-total="{len(routes)}" aria-live="polite">{total}</span>'
            f'<span class="legend">argument sources: {legend}</span>'
            "</div>"
            '<div class="table-wrap"><table id="route-table" class="grid routes">'
            '<thead><tr><th scope="col">#</th><th scope="col">Methods</th><th scope="col">Pattern</th>'
            '<th scope="col">Endpoint</th><th scope="col">Render</th><th scope="col">Arguments</th>'
            '<th scope="col">Middlewares</th></tr></thead>'
            f"<tbody>{''.join(rows)}"
            '<tr id="route-empty" class="empty" hidden><td colspan="7">No route matches this filter.</td></tr>'
            "</tbody></table></div>"
        )


class MiddlewarePeripheral(MetaPeripheral):
    """The application-wide middlewares: hooks, what they provide and require."""

    title = "Application middlewares"
    group_key = "app"

    def get_context(self, _application: Application, _meta_application: MetaApplicationView) -> dict[str, Any]:
        """Describe each middleware of *_application*, in order."""
        return {"middlewares": get_mw_infos(_application, _meta_application.redactor)}

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Count the middlewares."""
        return [("Middlewares", str(len(context.get("middlewares", ()))))]

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render the middleware table."""
        middlewares = context.get("middlewares", [])
        if not middlewares:
            return '<p class="muted">No application-wide middlewares.</p>'

        def names(values: list[str]) -> str:
            return "".join(f'<code class="tag">{esc(v)}</code>' for v in values) or '<span class="muted">—</span>'

        rows = "".join(
            f'<tr><td class="idx">{position}</td>'
            f'<td><strong>{esc(mw["type_name"])}</strong><div class="module">{esc(mw["module_name"])}</div></td>'
            f'<td>{names(mw["hooks"] + (["wsgi_wrapper"] if mw["wsgi_wrapper"] else []))}</td>'
            f'<td>{names(mw["provides"])}</td><td>{names(mw["requires"])}</td>'
            f'<td><code class="clip">{esc(mw["repr"])}</code></td></tr>'
            for position, mw in enumerate(middlewares)
        )
        return (
            '<div class="table-wrap"><table class="grid"><thead><tr>'
            '<th scope="col">#</th><th scope="col">Middleware</th><th scope="col">Hooks</th>'
            '<th scope="col">Provides</th><th scope="col">Requires</th>'
            f'<th scope="col">Repr</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )


class ResourcePeripheral(MetaPeripheral):
    """The application's resources, values truncated and secret-looking keys redacted."""

    title = "Application resources"
    group_key = "app"

    def get_context(self, _application: Application, _meta_application: MetaApplicationView) -> dict[str, Any]:
        """Describe each resource of *_application*, sorted by name."""
        return {"resources": get_resource_info(_application, _meta_application.redactor)}

    def get_general_items(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Count the resources."""
        return [("Resources", str(len(context.get("resources", ()))))]

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render the resource table."""
        resources = context.get("resources", [])
        if not resources:
            return '<p class="muted">No application resources.</p>'
        rows = []
        for res in resources:
            if res["redacted"]:
                value = '<span class="redacted" title="the name looks secret, so the value is hidden">redacted</span>'
            else:
                more = f' <span class="muted">({res["length"]} characters, cut)</span>' if res["truncated"] else ""
                value = f'<code class="clip">{esc(res["value"])}</code>{more}'
            rows.append(
                f'<tr><th scope="row"><code>{esc(res["key"])}</code></th>'
                f'<td class="type">{esc(res["type"])}</td><td>{value}</td></tr>'
            )
        return (
            '<div class="table-wrap"><table class="grid"><thead><tr><th scope="col">Name</th><th scope="col">Type</th>'
            f'<th scope="col">Value</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        )
