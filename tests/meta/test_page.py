"""The meta page in headless Chromium, over a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clastic import GET, POST, Application, Middleware, render_basic, render_json
from clastic.meta import MetaApplication, MetaPeripheral
from clastic.testing import LiveServer

ARTIFACTS = Path("/work/main/test-artifacts/meta")
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


class SessionMiddleware(Middleware):
    provides = ("session",)

    def __init__(self, secret_key: str) -> None:
        self.secret_key = secret_key

    def request(self, next: Any, request: Any) -> Any:
        return next(session={})

    def __repr__(self) -> str:
        return f"SessionMiddleware(secret_key={self.secret_key!r})"


class FlakyPeripheral(MetaPeripheral):
    title = "Job queue"
    group_key = "queue"

    def get_context(self) -> dict[str, Any]:
        raise ConnectionError("queue server unreachable")


def home() -> str:
    return "home"


def show_widget(widget_id: int, db: Any, session: Any) -> dict[str, Any]:
    return {"id": widget_id}


def create_widget(request: Any, db: Any) -> dict[str, Any]:
    return {}


def list_orders(db: Any, page: int = 1) -> list[Any]:
    return []


def create_app() -> Application:
    api = Application(
        [GET("/orders/", list_orders, render_json), ("/_meta/", MetaApplication())], resources={"db": "sqlite:///orders.db"}
    )
    return Application(
        [
            ("/", home, render_basic),
            GET("/widgets/<widget_id:int>", show_widget, render_json, name="widget"),
            POST("/widgets/", create_widget, render_json),
            ("/api", api),
            ("/_meta/", MetaApplication(peripherals=[FlakyPeripheral], page_title="Widget shop")),
        ],
        resources={"db": "postgresql://shop:pw-7731@db.local/shop", "SECRET_KEY": "sk-7731"},
        middlewares=[SessionMiddleware("sess-7731")],
    )


@pytest.fixture
def browser(chromium: Any) -> Any:
    """The session's shared Chromium (tests/conftest.py)."""
    return chromium


def test_meta_page_in_chromium(browser: Any, clastic_live_server: LiveServer) -> None:
    # clastic_live_server (clastic-core's pytest plugin) serves this module's create_app().
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    server = clastic_live_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text}") if msg.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
        external: list[str] = []
        page.on("request", lambda req: external.append(req.url) if not req.url.startswith(server.url) else None)

        response = page.goto(server.url + "/_meta/", wait_until="load")
        assert response is not None and response.status == 200
        assert page.title() == "Widget shop · meta"

        # Route table: every route of the dispatching app, in order.
        rows = page.locator("#route-table tbody tr.route")
        assert rows.count() == 8
        assert rows.nth(1).locator(".pattern").inner_text() == "/widgets/<widget_id:int>"
        assert page.locator("#route-count").inner_text() == "8 routes"
        page.screenshot(path=str(ARTIFACTS / "meta_page.png"), full_page=True)

        # Searching narrows the table; several words must all match.
        page.fill("#route-filter", "widget")
        visible = page.locator("#route-table tbody tr.route:visible")
        assert visible.count() == 2
        assert page.locator("#route-count").inner_text() == "2 of 8 routes"
        page.fill("#route-filter", "post widget")
        assert visible.count() == 1
        assert "/widgets/" in visible.first.inner_text()
        page.fill("#route-filter", "no-such-route")
        assert visible.count() == 0
        assert page.locator("#route-empty").is_visible()
        page.screenshot(path=str(ARTIFACTS / "meta_page_filtered.png"))
        page.locator("#route-filter").press("Escape")
        assert visible.count() == 8

        # "/" focuses the filter from anywhere on the page.
        page.locator("body").click(position={"x": 5, "y": 300})
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "route-filter"

        # Sections collapse and expand.
        sections = page.locator("details.section")
        assert sections.count() == 9
        page.click("#collapse-all")
        assert page.locator("details.section[open]").count() == 0
        assert not rows.first.is_visible()
        page.click("#expand-all")
        assert page.locator("details.section[open]").count() == 9
        page.locator("#section-host > summary").click()
        assert page.locator("#section-host[open]").count() == 0

        # The failing peripheral shows its error; secrets stay hidden.
        assert "ConnectionError: queue server unreachable" in page.locator("#section-job-queue").inner_text()
        text = page.locator("body").inner_text()
        for secret in ("pw-7731", "sk-7731", "sess-7731"):
            assert secret not in text

        # ?q= pre-fills the filter.
        page.goto(server.url + "/_meta/?q=orders", wait_until="load")
        assert page.locator("#route-table tbody tr.route:visible").count() == 1

        # The meta app mounted inside /api works too.
        page.goto(server.url + "/api/_meta/", wait_until="load")
        assert page.locator("#route-table tbody tr.route").count() == 8
        # Everything so far was the HTML page; the browser's own /favicon.ico
        # request for the raw JSON view below is the host application's 404.
        assert problems == []
        page.click("a[type='application/json']")
        page.wait_for_url(server.url + "/api/_meta/json/")
        assert '"script_root": "/api/_meta"' in page.locator("body").inner_text()
    finally:
        context.close()
    assert external == []
    assert (ARTIFACTS / "meta_page.png").stat().st_size > 10_000
