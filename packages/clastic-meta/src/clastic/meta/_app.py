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
from clastic.access import AccessRule
from clastic.errors import BadRequest
from clastic.meta._access import MetaAccessMiddleware
from clastic.meta._app_peripherals import MiddlewarePeripheral, ResourcePeripheral, RoutePeripheral
from clastic.meta._page import SectionView, build_page, page_response
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

__all__ = ["DEFAULT_PAGE_TITLE", "DEFAULT_PERIPHERALS", "MetaApplication", "mount_prefix"]

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

#: The page title of a MetaApplication built without one. Kept for
#: compatibility with Clastic 26; pass ``page_title=`` to set another.
DEFAULT_PAGE_TITLE: str = "Clastic"

_JSON_RENDER = JSONRender(dev_mode=True)
_FORMATS = ("html", "json")
_MAX_ERROR_LENGTH = 300


@dataclass
class _Outcome:
    slot: PeripheralSlot
    context: Mapping[str, Any] | None
    error: str | None


class _MainContext(dict[str, Any]):
    """The JSON document, carrying each peripheral's own outcome for the HTML page."""

    outcomes: Sequence[_Outcome] | None = None


def mount_prefix(_route: BoundRoute) -> str:
    """Return the prefix an Application is mounted at, from one of its bound routes.

    ``/tools/objs/<obj_id?int>`` bound from ``/<obj_id?int>`` gives
    ``/tools/objs``; a route served by its own Application gives ``''``.
    The WSGI script root is not included.
    """
    bound, own = _route.pattern, _route.route.pattern
    return bound[: len(bound) - len(own)] if bound.endswith(own) else ""


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
        base_peripherals: The built-in sections; defaults to :data:`DEFAULT_PERIPHERALS`.
        allow: Who may see the pages. ``None``: loopback clients only. Otherwise
            networks (``'10.0.0.0/8'``), a callable ``allow(request) -> bool``, or
            a list of them; this replaces the loopback default (add
            ``LOOPBACK_NETWORKS`` to keep it). Others get 403.
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
        page_title: str = DEFAULT_PAGE_TITLE,
        base_peripherals: Sequence[Any] | None = None,
        *,
        allow: Any = None,
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
        self.access_rule = AccessRule(allow, subject="This Clastic meta page", setting="MetaApplication(allow=...)")
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
        self,
        request: Request,
        _application: Application,
        _route: BoundRoute,
        _dispatch_state: DispatchState | None = None,
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
        return request.script_root + mount_prefix(_route)

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

    def get_main(
        self,
        request: Request,
        _application: Application,
        _route: BoundRoute,
        _dispatch_state: DispatchState | None = None,
    ) -> dict[str, Any]:
        """Gather every peripheral's context into the document ``json/`` answers.

        The returned dict also remembers each peripheral's own context, so
        :meth:`render_main_page_html` can lay the page out from it. Kept for
        compatibility with Clastic 26, where it was the main page's endpoint;
        the page and ``json/`` both use it.
        """
        outcomes = self.collect(request, _application, _route, _dispatch_state)
        document = _MainContext(self.build_document(outcomes, self.script_root(request, _route)))
        document.outcomes = tuple(outcomes)
        return document

    def render_main_page_html(self, context: Mapping[str, Any], *, nonce: str | None = None) -> str:
        """Return the HTML page for *context*, a document from :meth:`get_main`.

        Each section's body comes from its peripheral's
        ``render_main_page_html(context)`` (``render_html`` for peripherals
        that lack it). Given a plain dict instead (a :meth:`get_main`
        override that built a new one), each peripheral gets its whole
        ``group_key`` entry and errors are matched by title.

        Args:
            context: What :meth:`get_main` returned.
            nonce: The Content-Security-Policy nonce of the page's inline
                style and script; the page's endpoint sends the same one in
                the header. A fresh one by default.

        Kept for compatibility with Clastic 26; the page's endpoint uses it.
        """
        outcomes = getattr(context, "outcomes", None)
        if outcomes is None:
            outcomes = self._outcomes_from_document(context)
        sections: list[SectionView] = []
        glance: list[tuple[str, str]] = []
        for outcome in outcomes:
            slot = outcome.slot
            if outcome.context is None:
                sections.append(SectionView(slot.anchor, slot.title, slot.group_key, None, outcome.error))
                continue
            peripheral = slot.peripheral
            render = getattr(peripheral, "render_main_page_html", None) or peripheral.render_html
            try:
                body = str(render(outcome.context))
            except Exception as ex:  # last resort: a broken section shows its error, the page still renders; logged
                logger.exception("meta peripheral %r (%s) failed in render_html()", slot.title, slot.origin)
                sections.append(SectionView(slot.anchor, slot.title, slot.group_key, None, self._error_text(ex)))
                continue
            sections.append(SectionView(slot.anchor, slot.title, slot.group_key, body))
            glance.extend(self._general_items(slot, outcome.context))
        return build_page(
            title=str(context.get("page_title", self.page_title)),
            json_url=str(context.get("script_root", "")) + "/json/",
            sections=sections,
            glance=glance,
            nonce=nonce or secrets.token_urlsafe(16),
            generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            audience=self.access_rule.describe(),
        )

    def _outcomes_from_document(self, document: Mapping[str, Any]) -> list[_Outcome]:
        errors = {(e.get("title"), e.get("group_key")): e.get("error") for e in document.get("peripheral_errors", ())}
        outcomes = []
        for slot in self._slots:
            error = errors.get((slot.title, slot.group_key))
            if error is not None:
                outcomes.append(_Outcome(slot, None, str(error)))
                continue
            group = document.get(slot.group_key)
            outcomes.append(_Outcome(slot, group if isinstance(group, Mapping) else {}, None))
        return outcomes

    def get_json(
        self, request: Request, _application: Application, _route: BoundRoute, _dispatch_state: DispatchState
    ) -> Response:
        """Answer the JSON document."""
        document = dict(self.get_main(request, _application, _route, _dispatch_state))
        response = _JSON_RENDER(document)
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
        nonce = secrets.token_urlsafe(16)
        page = self.render_main_page_html(self.get_main(request, _application, _route, _dispatch_state), nonce=nonce)
        return page_response(page, nonce)

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
        allow = self.access_rule.describe()
        return f"<MetaApplication page_title={self.page_title!r} peripherals={titles!r} allow={allow!r}>"
