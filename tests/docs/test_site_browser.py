"""The built site in headless Chromium: the landing page, a tutorial and an API page, their search and navigation.

The site is served from the build folder by a StaticApplication over real
HTTP on 127.0.0.1; screenshots go to test-artifacts/docs/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docs_helpers import ARTIFACTS

from clastic import Application
from clastic.static import StaticApplication
from clastic.testing import LiveServer

pytestmark = pytest.mark.browser
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    app = Application([("/", StaticApplication(str(built_site), index_files=["index.html"], cache_timeout=None))])
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture
def page(chromium: Any, site_url: str) -> Iterator[Any]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(site_url) else None)
    page.problems = problems
    page.outside = outside
    try:
        yield page
    finally:
        context.close()
    assert problems == []
    assert outside == [], "the site must not fetch anything from other hosts"


def open_page(page: Any, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url


def sidebar_link(page: Any, text: str) -> Any:
    return page.locator(".sidebar-tree a.reference", has_text=text).first


def test_landing_page_navigation_and_search(page: Any, site_url: str) -> None:
    open_page(page, site_url + "/")
    assert page.title().startswith("Clastic")
    assert page.locator("h1").first.inner_text().startswith("Clastic")
    search = page.locator("input.sidebar-search")
    assert search.is_visible()
    page.screenshot(path=str(ARTIFACTS / "landing.png"), full_page=True)

    # The sidebar reaches the pages of every section.
    for text, path in [("Quickstart", "/quickstart.html"), ("Routing and the pattern language", "/guide/routing.html")]:
        sidebar_link(page, text).click()
        page.wait_for_url(site_url + path)
        assert page.locator("h1").first.inner_text().startswith(text)

    # The search box finds the API reference.
    page.locator("input.sidebar-search").fill("SignedCookieMiddleware")
    page.locator("input.sidebar-search").press("Enter")
    page.wait_for_url("**/search.html?q=SignedCookieMiddleware*")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for()
    assert any(
        "clastic.middleware.cookie" in (results.nth(i).get_attribute("href") or "") for i in range(results.count())
    )
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=False)


def test_tutorial_page_shows_the_example_code(page: Any, site_url: str) -> None:
    open_page(page, site_url + "/tutorial/erosion.html")
    assert page.locator("h1").first.inner_text().startswith("Tutorial, part 2")
    captions = page.locator(".code-block-caption .caption-text").all_inner_texts()
    assert "step1_home.py" in captions and "erosion.ini" in captions
    # The steps' changes are shown as diffs of the example files.
    assert page.locator("div.highlight-udiff").count() >= 4
    # The page's own table of contents links to its sections.
    page.locator(".toc-tree a", has_text="Step 4: URL fields and errors").first.click()
    assert page.evaluate("location.hash") == "#step-4-url-fields-and-errors"
    page.screenshot(path=str(ARTIFACTS / "tutorial.png"), full_page=False)
    sidebar_link(page, "Tutorial, part 1").click()
    page.wait_for_url(site_url + "/tutorial/tzconvert.html")


def test_api_page_documents_the_application(page: Any, site_url: str) -> None:
    open_page(page, site_url + "/api/clastic.application.html")
    signature = page.locator('[id="clastic.application.Application"]')
    assert signature.is_visible()
    assert "routes" in signature.inner_text()
    method = page.locator('[id="clastic.application.Application.url_for"]')
    method.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "api.png"), full_page=False)
    # A cross-reference in a docstring leads to the documented class.
    page.locator('a[href="clastic.route.html#clastic.route.Route"]').first.click()
    page.wait_for_url(site_url + "/api/clastic.route.html#clastic.route.Route")
    assert page.locator('[id="clastic.route.Route"]').is_visible()
