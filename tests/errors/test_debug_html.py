"""The debug HTML pages in headless Chromium: they load cleanly and show what matters."""

from __future__ import annotations

from pathlib import Path

import pytest

from clastic import GET, Application, Middleware, render_basic

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "errors"


class AuditMiddleware(Middleware):
    def request(self, next, request):
        return next()


def checkout(request, cart_id):
    items = {"sku-1": 2, "sku-2": 1, "<script>alert(1)</script>": 0}  # noqa: F841 - escaped on the page
    total = sum(range(cart_id))  # noqa: F841
    raise ZeroDivisionError("cart total divided by zero items")


def create_app():
    """The app under test; clastic-core's pytest plugin serves it as ``clastic_live_server``."""
    return Application(
        [GET("/cart/<cart_id:int>/checkout", checkout, render_basic), GET("/", lambda: "home", render_basic)],
        middlewares=[AuditMiddleware()],
        debug=True,
    )


@pytest.fixture
def browser(chromium):
    """The session's shared Chromium (tests/conftest.py)."""
    return chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []

    def on_console(message):
        if message.type != "error":
            return
        # Chromium reports the error status of the page itself; that status is the point.
        if message.text.startswith("Failed to load resource") and message.location.get("url") == page.url:
            return
        problems.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.problems = problems
    try:
        yield page
    finally:
        context.close()


def test_500_page_shows_the_traceback_and_folds_framework_frames(clastic_live_server, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    response = page.goto(clastic_live_server.url + "/cart/3/checkout")
    assert response.status == 500
    page.wait_for_load_state("load")
    assert page.title().startswith("500 Internal server error: ZeroDivisionError")
    assert page.locator("header h1").inner_text() == "ZeroDivisionError"
    assert page.locator("#traceback").is_visible()
    visible = page.locator("#frames .frame:visible h3 code")
    assert visible.all_inner_texts() == ["request", "checkout"]
    # The raising line is highlighted, the last frame's locals are open and escaped.
    current = page.locator("#frames .frame:visible ol.source li.current").last
    assert "ZeroDivisionError" in current.inner_text()
    assert page.locator("#frames .frame:visible details.locals").last.get_attribute("open") is not None
    assert "<script>alert(1)</script>" in page.locator("#frames .frame:visible table").last.inner_text()
    page.screenshot(path=str(ARTIFACTS / "debug-500.png"), full_page=True)
    hidden = page.locator("#frames .frame.is-hidden")
    assert hidden.count() >= 2
    assert not hidden.first.is_visible()
    page.locator("label[for=show-internal]").click()
    assert hidden.first.is_visible()
    assert page.locator("#request").is_visible()
    page.screenshot(path=str(ARTIFACTS / "debug-500-all-frames.png"), full_page=True)
    assert page.problems == []
    assert (ARTIFACTS / "debug-500.png").stat().st_size > 10_000


def test_404_page_lists_the_routes_and_the_path(clastic_live_server, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    response = page.goto(clastic_live_server.url + "/cart/abc/checkout")
    assert response.status == 404
    assert page.locator("header h1").inner_text() == "Page not found"
    assert "GET /cart/abc/checkout" in page.locator("header").inner_text()
    rows = page.locator("#routes table tr")
    assert rows.count() == 3
    assert rows.nth(1).inner_text().split("\t")[1:3] == ["GET, HEAD", "/cart/<cart_id:int>/checkout"]
    assert "/" in rows.nth(2).inner_text()
    page.screenshot(path=str(ARTIFACTS / "debug-404.png"), full_page=True)
    assert page.problems == []
