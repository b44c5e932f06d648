"""A ``/_meta/`` section listing each rate limiter and its busiest clients.

Registered in the ``clastic.meta_peripherals`` entry-point group; it follows
clastic-core's :class:`clastic.plugins.MetaPeripheralPlugin` protocol and
needs nothing from clastic-meta.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from clastic import Application
from clastic_ratelimit.middleware import RateLimitMiddleware

__all__ = ["RateLimitPeripheral", "find_limiters"]


def find_limiters(application: Application) -> list[RateLimitMiddleware]:
    """Return the RateLimitMiddlewares of *application* and its routes, each once."""
    found: list[RateLimitMiddleware] = []
    candidates = [*application.middlewares, *(mw for route in application.routes for mw in route.middlewares)]
    for mw in candidates:
        if isinstance(mw, RateLimitMiddleware) and not any(mw is seen for seen in found):
            found.append(mw)
    return found


class RateLimitPeripheral:
    """The "Rate limits" section of the meta page."""

    #: Section heading.
    title = "Rate limits"
    #: Key of this section's data in the meta application's JSON.
    group_key = "ratelimit"

    def get_context(self, _application: Application) -> dict[str, Any]:
        """Describe every rate limiter of the application being inspected.

        Args:
            _application: Injected by Clastic: the Application serving the
                meta page (the one whose limiters are shown).
        """
        return {"limiters": [limiter.describe() for limiter in find_limiters(_application)]}

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Render *context* (from :meth:`get_context`) as an HTML fragment."""
        esc = html.escape
        limiters = context.get("limiters") or []
        if not limiters:
            return "<p>This application uses no RateLimitMiddleware.</p>"
        parts: list[str] = []
        for limiter in limiters:
            parts.append(
                f'<section class="ratelimit"><h3>{esc(str(limiter["scope"]))}</h3>'
                f"<p>{limiter['limit']:g} requests per {limiter['per']:g} s, bursts of {limiter['burst']:g}; "
                f"clients keyed by <code>{esc(str(limiter['key']))}</code>; "
                f"store <code>{esc(str(limiter['store']))}</code>; "
                f"{limiter['active_clients']} client(s) below a full bucket.</p>"
            )
            if limiter["clients"]:
                parts.append(
                    "<table><thead><tr><th>client</th><th>tokens left</th><th>full in (s)</th></tr></thead><tbody>"
                )
                for client in limiter["clients"]:
                    parts.append(
                        f"<tr><td>{esc(str(client['key']))}</td><td>{client['tokens']:g}</td><td>{client['full_in']:g}</td></tr>"
                    )
                parts.append("</tbody></table>")
            parts.append("</section>")
        return "".join(parts)
