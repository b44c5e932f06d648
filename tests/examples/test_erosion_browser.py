"""examples/erosion in headless Chromium: create a link, follow it, watch the count, see a refusal."""

from __future__ import annotations

import pytest
from example_helpers import load_example

from clastic.testing import LiveServer
from net_helpers import free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def erosion(tmp_path_factory):
    config = tmp_path_factory.mktemp("erosion-import") / "erosion.ini"
    config.write_text("[erosion]\nhost_url = http://127.0.0.1:5000\ndb_path = erosion.db\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EROSION_CONFIG", str(config))
        return load_example("erosion/app.py", "examples_erosion_app")


@pytest.fixture
def erosion_url(erosion, tmp_path):
    port = free_port()
    config = tmp_path / "erosion.ini"
    config.write_text(f"[erosion]\nhost_url = http://127.0.0.1:{port}\ndb_path = erosion.db\n")
    with LiveServer(erosion.create_app(str(config)), port=port) as server:
        yield server.url


@pytest.fixture
def target_url():
    # The shortened links point at another local site: the hello example.
    hello = load_example("hello/app.py", "examples_hello_app")
    with LiveServer(hello.create_app()) as server:
        yield server.url


def fill_form(page, target, alias="", expiry_label="never", max_count="0"):
    page.fill("#target_url", target)
    page.fill("#new_alias", alias)
    page.get_by_label(expiry_label, exact=True).check()
    page.fill("#max_count", max_count)


def click_count(page, alias):
    return page.locator(f'li[data-alias="{alias}"] .click-count').inner_text()


def test_create_follow_and_count(page, erosion_url, target_url, artifacts_dir):
    page.goto(erosion_url + "/")
    assert page.title() == "Erosion"
    fill_form(page, target_url + "/Erosion", alias="greet")
    with page.expect_navigation() as navigation:
        page.click('button[type="submit"]')
    assert navigation.value.status == 200  # the 303 was followed to the home page
    notice = page.locator("p.message")
    assert notice.inner_text() == f"Successfully created {erosion_url}/greet."
    assert click_count(page, "greet") == "(0 / \u221e clicks)"
    assert page.locator('li[data-alias="greet"] .badge').inner_text() == "yours"
    page.screenshot(path=str(artifacts_dir / "erosion-created.png"), full_page=True)

    # Follow the short link from the notice: it lands on the target site.
    page.click("p.message a")
    page.wait_for_url(target_url + "/Erosion")
    assert page.locator("body").inner_text() == "Hello, Erosion!"

    page.goto(erosion_url + "/")
    assert click_count(page, "greet") == "(1 / \u221e clicks)"
    assert page.locator("p.message").count() == 0  # the notice is shown once
    page.click('li[data-alias="greet"] a.short')
    page.wait_for_url(target_url + "/Erosion")
    page.goto(erosion_url + "/")
    assert click_count(page, "greet") == "(2 / \u221e clicks)"
    page.screenshot(path=str(artifacts_dir / "erosion-counted.png"), full_page=True)


def test_generated_alias_with_click_limit(page, erosion_url, target_url):
    page.goto(erosion_url + "/")
    fill_form(page, target_url + "/once", expiry_label="one hour", max_count="1")
    page.click('button[type="submit"]')
    link = page.locator("p.message a")
    short = link.inner_text()
    alias = short.rsplit("/", 1)[1]
    assert click_count(page, alias) == "(0 / 1 clicks)"
    assert "expires in 59 minutes" in page.locator(f'li[data-alias="{alias}"] .expiry').inner_text()
    link.click()
    page.wait_for_url(target_url + "/once")
    response = page.goto(short)
    assert response.status == 410
    page.goto(erosion_url + "/")
    assert "expired" in page.locator(f'li[data-alias="{alias}"]').get_attribute("class")


def test_bad_submission_shows_its_message(page, erosion_url, artifacts_dir):
    page.goto(erosion_url + "/")
    fill_form(page, "not a web address", alias="nope", expiry_label="one day", max_count="3")
    with page.expect_navigation() as navigation:
        page.click('button[type="submit"]')
    assert navigation.value.status == 400
    error = page.locator("p.error")
    assert error.is_visible()
    assert "is not a web URL" in error.inner_text()
    # What the visitor typed is still there to correct.
    assert page.input_value("#target_url") == "not a web address"
    assert page.input_value("#new_alias") == "nope"
    assert page.get_by_label("one day", exact=True).is_checked()
    assert page.input_value("#max_count") == "3"
    page.screenshot(path=str(artifacts_dir / "erosion-bad-input.png"), full_page=True)

    page.fill("#target_url", "https://example.com/fixed")
    page.click('button[type="submit"]')
    assert page.locator("p.message").inner_text().startswith("Successfully created")
    assert page.locator("p.error").count() == 0
