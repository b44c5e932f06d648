"""The contrib pages in headless Chromium, over a real server on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clastic import Application, render_basic
from clastic.contrib import obj_browser
from clastic.contrib.webtop import top
from clastic.testing import LiveServer

ARTIFACTS = Path("/work/main/test-artifacts/contrib")
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


class Inventory:
    """The object the browser starts from."""

    def __init__(self) -> None:
        self.owner = "<b>Ann</b> & co"
        self.items = {"bolts": 120, "nuts": 80}
        self.tags = ["metal", "small"]


INVENTORY = Inventory()


def create_app() -> Application:
    return Application(
        [
            ("/", lambda: "home", render_basic),
            ("/_objs", obj_browser.create_app(default_obj=INVENTORY)),
            ("/_top", top.create_app()),
        ]
    )


@pytest.fixture
def page(chromium: Any, clastic_live_server: LiveServer) -> Iterator[Any]:
    """A fresh page that records console errors, failed and external requests."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.problems = []
    page.on(
        "console",
        lambda msg: (
            page.problems.append(f"console {msg.type}: {msg.text}") if msg.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: page.problems.append(f"request failed: {req.url}"))
    page.on(
        "request",
        lambda req: (
            page.problems.append(f"external request: {req.url}")
            if not req.url.startswith(clastic_live_server.url)
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()


def test_object_browser_in_chromium(page: Any, clastic_live_server: LiveServer) -> None:
    base = clastic_live_server.url
    response = page.goto(base + "/_objs/", wait_until="load")
    assert response is not None and response.status == 200
    assert page.url == f"{base}/_objs/{id(INVENTORY)}"
    assert page.title() == f"{obj_browser.tolabel(INVENTORY)} · object browser"
    # The attribute that needs escaping is shown as text.
    owner_row = page.locator("#section-attributes tbody tr", has_text="owner")
    assert owner_row.locator("a.obj-link").inner_text() == "str '<b>Ann</b> & co'"
    assert page.locator("b", has_text="Ann").count() == 0
    page.screenshot(path=str(ARTIFACTS / "obj_browser.png"), full_page=True)

    # Follow the 'items' attribute to the dict, then one of its values.
    page.locator("#section-attributes tbody tr", has_text="items").locator("a.obj-link").click()
    page.wait_for_url(f"{base}/_objs/{id(INVENTORY.items)}")
    referents = page.locator("#section-refers-to tbody tr")
    assert referents.count() == 4
    assert [referents.nth(n).locator("td.key").inner_text() for n in range(4)] == [
        "(key)",
        "['bolts']",
        "(key)",
        "['nuts']",
    ]
    # What holds it: the instance (".items"), or its __dict__ ("['items']") once Python made one.
    holders = page.locator("#section-referred-to-by tbody td.key").all_inner_texts()
    assert ".items" in holders or "['items']" in holders
    page.screenshot(path=str(ARTIFACTS / "obj_browser_dict.png"), full_page=True)

    # Sections fold natively (<details>), without script.
    page.locator("#section-refers-to > summary").click()
    assert page.locator("#section-refers-to[open]").count() == 0

    # JSON link and the way back.
    page.click("text=Default object")
    page.wait_for_url(f"{base}/_objs/{id(INVENTORY)}")
    assert page.problems == []
    page.click("text=JSON")
    page.wait_for_url(f"{base}/_objs/{id(INVENTORY)}?format=json")
    assert f'"id": {id(INVENTORY)}' in page.locator("body").inner_text()


def test_webtop_in_chromium(page: Any, clastic_live_server: LiveServer) -> None:
    base = clastic_live_server.url
    response = page.goto(base + "/_top/?refresh=0", wait_until="load")
    assert response is not None and response.status == 200
    assert page.title() == "webtop"
    rows = page.locator("#process-table tbody tr")
    assert rows.count() >= 2
    own = page.locator(f"#process-table tbody tr.self[data-pid='{os.getpid()}']")
    assert own.count() == 1
    assert page.locator("th[aria-sort]").inner_text() == "%CPU"
    page.screenshot(path=str(ARTIFACTS / "webtop.png"), full_page=False)

    # Sorting from the column headers.
    page.click("#process-table th >> text=PID")
    page.wait_for_url(f"{base}/_top/?sort=pid&refresh=0")
    pids = [
        int(pid) for pid in page.locator("#process-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.pid)")
    ]
    assert pids == sorted(pids)
    assert page.locator("th[aria-sort='ascending']").inner_text() == "PID"
    page.click("#process-table th >> text=%MEM")
    page.wait_for_url(f"{base}/_top/?sort=mem&refresh=0")
    assert page.locator("th[aria-sort='descending']").inner_text() == "%MEM"
    page.screenshot(path=str(ARTIFACTS / "webtop_by_mem.png"), full_page=False)
    assert page.problems == []
    page.click("text=JSON")
    page.wait_for_url(f"{base}/_top/json/?sort=mem")
    assert '"sort": "mem"' in page.locator("body").inner_text()
