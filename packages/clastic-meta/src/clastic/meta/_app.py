"""MetaApplication: a page (and JSON) showing how an application is built and how its process runs."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from clastic import Application, DispatchState, Request, Response
from clastic.errors import BadRequest
from clastic.meta._access import AccessRule, MetaAccessMiddleware
from clastic.meta._app_peripherals import MiddlewarePeripheral, ResourcePeripheral, RoutePeripheral
from clastic.meta._page import SectionView, build_page, content_security_policy
from clastic.meta._peripheral import PeripheralSlot, load_plugin_peripherals, make_slot
from clastic.meta._redact import SECRET_WORDS, Redactor
from clastic.meta._system_peripherals import (
    BasicPeripheral,
    HostPeripheral,
    ProcessPeripheral,
    PythonPeripheral,
    ResourceUsagePeripheral,
)
from clastic.render import JSONRender
from clastic.route import GET

if TYPE_CHECKING:
    from clastic.route import BoundRoute

__all__ = ["DEFAULT_PERIPHERALS", "MetaApplication"]

logger = logging.getLogger("clastic.meta")

#: The built-in sections, in page order (classes: each MetaApplication makes its own).
DEFAULT_PERIPHERALS: tuple[type, ...] = (
    BasicPeripheral,
    RoutePeripheral,
    MiddlewarePeripheral,
    ResourcePeripheral,
    HostPeripheral,
    ProcessPeripheral,
    ResourceUsagePeripheral,
    PythonPeripheral,
)

_JSON_RENDER = JSONRender(dev_mode=True)
_FORMATS = ("html", "json")
_MAX_ERROR_LENGTH = 300


@dataclass
class _Outcome:
    slot: PeripheralSlot
    context: Mapping[str, Any] | None
    error: str | None


class MetaApplication(Application):
    """An Application that shows the application dispatching the request.

    Mount it anywhere, e.g. ``Application([..., ('/_meta/', MetaApplication())])``;
    its root is an HTML page and ``json/`` the same data as JSON (so is the
    root with ``?format=json``). It introspects whichever Application
    dispatches the request (the injected ``_application``), so it also works
    inside nested embedded Applications.

    Args:
        peripherals: Extra sections (peripheral classes or objects) after the base ones.
        page_title: The page's title.
        allow: Who may see the pages. ``None``: loopback clients only. Otherwise
            networks (``'10.0.0.0/8'``), a callable ``allow(request) -> bool``, or
            a list of them; this replaces the loopback default (add
            ``LOOPBACK_NETWORKS`` to keep it). Others get 403.
        base_peripherals: The built-in sections; defaults to :data:`DEFAULT_PERIPHERALS`.
        use_plugins: Add the peripherals registered in the
            ``clastic.meta_peripherals`` entry-point group.
        middlewares: More middlewares for the meta routes (after the access check).
        secret_words: Resource names containing one of these (in any case) are redacted.
        max_value_length: Longest resource value shown; longer ones are cut.

    Raises:
        TypeError: a peripheral lacks ``title``, ``group_key``, ``get_context``
            or ``render_html``, or ``allow`` is neither networks nor callables.
        ValueError: ``allow`` holds something that is not an IP network, or a
            peripheral's ``group_key`` is reserved.
        clastic.UnresolvedArgumentError: a peripheral's ``get_context`` asks for
            an argument the meta application does not provide.
    """

    def __init__(
        self,
        peripherals: Iterable[Any] | None = None,
        page_title: str = "Clastic",
        *,
        allow: Any = None,
        base_peripherals: Sequence[Any] | None = None,
        use_plugins: bool = True,
        middlewares: Sequence[object] | None = None,
        secret_words: Iterable[str] = SECRET_WORDS,
        max_value_length: int = 80,
    ) -> None:
        #: The page's title.
        self.page_title = str(page_title)
        #: When this MetaApplication was created (Unix time).
        self.start_timestamp = time.time()
        #: Who may see the pages.
        self.access_rule = AccessRule(allow)
        #: Redacts secret-looking resource names and cuts long values.
        self.redactor = Redactor(secret_words, max_value_length)
        anchors: set[str] = set()
        base = DEFAULT_PERIPHERALS if base_peripherals is None else tuple(base_peripherals)
        slots = [make_slot(candidate, "base_peripherals", anchors) for candidate in base]
        slots += [make_slot(candidate, "peripherals", anchors) for candidate in peripherals or ()]
        if use_plugins:
            slots += load_plugin_peripherals([slot.peripheral for slot in slots], anchors)
        self._slots: tuple[PeripheralSlot, ...] = tuple(slots)
        routes: list[Any] = [
            GET("/", self.get_page, name="meta_page"),
            GET("/json/", self.get_json, name="meta_json"),
        ]
        for slot in self._slots:
            extra = getattr(slot.peripheral, "get_extra_routes", None)
            if callable(extra):
                routes.extend(extra())
        super().__init__(routes, middlewares=[MetaAccessMiddleware(self.access_rule), *(middlewares or ())])

    @property
    def peripherals(self) -> tuple[Any, ...]:
        """The peripheral objects, in page order."""
        return tuple(slot.peripheral for slot in self._slots)

    # -- gathering -----------------------------------------------------------

    def collect(
        self, request: Request, _application: Application, _route: BoundRoute, _dispatch_state: DispatchState | None = None
    ) -> list[_Outcome]:
        """Call every peripheral's ``get_context``; a failing one is recorded, not raised."""
        available = {
            "request": request,
            "_application": _application,
            "_route": _route,
            "_dispatch_state": _dispatch_state,
            "_meta_application": self,
            "script_root": self.script_root(request, _route),
        }
        outcomes = []
        for slot in self._slots:
            try:
                context = slot.call_get_context(available)
            except Exception as ex:  # last resort: one broken peripheral must not break the page; logged
                logger.exception("meta peripheral %r (%s) failed in get_context()", slot.title, slot.origin)
                outcomes.append(_Outcome(slot, None, self._error_text(ex)))
                continue
            if not isinstance(context, Mapping):
                message = f"get_context() returned {type(context).__name__}, expected a dict"
                logger.error("meta peripheral %r (%s): %s", slot.title, slot.origin, message)
                outcomes.append(_Outcome(slot, None, f"TypeError: {message}"))
                continue
            outcomes.append(_Outcome(slot, context, None))
        return outcomes

    def _error_text(self, ex: BaseException) -> str:
        text = self.redactor.scrub(f"{type(ex).__name__}: {ex}")
        return text if len(text) <= _MAX_ERROR_LENGTH else text[: _MAX_ERROR_LENGTH - 1] + "…"

    @staticmethod
    def script_root(request: Request, _route: BoundRoute) -> str:
        """The URL path where this MetaApplication is mounted, without a trailing slash."""
        bound, own = _route.pattern, _route.route.pattern
        prefix = bound[: len(bound) - len(own)] if bound.endswith(own) else ""
        return request.script_root + prefix

    def build_document(self, outcomes: Sequence[_Outcome], script_root: str) -> dict[str, Any]:
        """Merge the peripherals' contexts by group key into the JSON document."""
        document: dict[str, Any] = {"page_title": self.page_title, "script_root": script_root, "peripheral_errors": []}
        for outcome in outcomes:
            group = document.setdefault(outcome.slot.group_key, {})
            if outcome.error is not None:
                document["peripheral_errors"].append(
                    {"title": outcome.slot.title, "group_key": outcome.slot.group_key, "error": outcome.error}
                )
            elif outcome.context is not None:
                group.update(outcome.context)
        return document

    # -- endpoints -----------------------------------------------------------

    def get_json(
        self, request: Request, _application: Application, _route: BoundRoute, _dispatch_state: DispatchState
    ) -> Response:
        """Answer the JSON document."""
        outcomes = self.collect(request, _application, _route, _dispatch_state)
        response = _JSON_RENDER(self.build_document(outcomes, self.script_root(request, _route)))
        response.headers["Cache-Control"] = "no-store"
        return response

    def get_page(
        self, request: Request, _application: Application, _route: BoundRoute, _dispatch_state: DispatchState
    ) -> Response:
        """Answer the HTML page (or JSON with ``?format=json``)."""
        fmt = request.args.get("format")
        if fmt is not None:
            fmt = fmt.strip().lower()
            if fmt not in _FORMATS:
                raise BadRequest(f"unsupported format {fmt[:32]!r} in ?format=; use one of {list(_FORMATS)}")
            if fmt == "json":
                return self.get_json(request, _application, _route, _dispatch_state)
        outcomes = self.collect(request, _application, _route, _dispatch_state)
        sections: list[SectionView] = []
        glance: list[tuple[str, str]] = []
        for outcome in outcomes:
            slot = outcome.slot
            if outcome.context is None:
                sections.append(SectionView(slot.anchor, slot.title, slot.group_key, None, outcome.error))
                continue
            try:
                body = str(slot.peripheral.render_html(outcome.context))
            except Exception as ex:  # last resort: a broken section shows its error, the page still renders; logged
                logger.exception("meta peripheral %r (%s) failed in render_html()", slot.title, slot.origin)
                sections.append(SectionView(slot.anchor, slot.title, slot.group_key, None, self._error_text(ex)))
                continue
            sections.append(SectionView(slot.anchor, slot.title, slot.group_key, body))
            glance.extend(self._general_items(slot, outcome.context))
        nonce = secrets.token_urlsafe(16)
        page = build_page(
            title=self.page_title,
            json_url=self.script_root(request, _route) + "/json/",
            sections=sections,
            glance=glance,
            nonce=nonce,
            generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            audience=self.access_rule.describe(),
        )
        return Response(
            page,
            content_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": content_security_policy(nonce),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    @staticmethod
    def _general_items(slot: PeripheralSlot, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        get_items = getattr(slot.peripheral, "get_general_items", None)
        if not callable(get_items):
            return []
        try:
            return [(str(label), str(text)) for label, text in get_items(context)]
        except Exception:  # last resort: the summary strip is optional; logged
            logger.exception("meta peripheral %r (%s) failed in get_general_items()", slot.title, slot.origin)
            return []

    def __repr__(self) -> str:
        titles = [slot.title for slot in self._slots]
        return f"<MetaApplication page_title={self.page_title!r} peripherals={titles!r} allow={self.access_rule.describe()!r}>"
