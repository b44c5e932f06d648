"""examples/tzconvert: the tutorial's time zone convertor, over real HTTP and in Chromium."""

from __future__ import annotations

import json
import re

import pytest
from example_helpers import Browser, load_example

from clastic.testing import LiveServer

TUTORIAL_CURL_BODY = {"dt": "2020-04-01T10:28", "src": "Australia/Tasmania", "dst": "Africa/Timbuktu"}


@pytest.fixture(scope="module")
def tzconvert():
    return load_example("tzconvert/tzconvert.py", "examples_tzconvert")


@pytest.fixture(scope="module")
def server(tzconvert):
    with LiveServer(tzconvert.create_app()) as live:
        yield live


@pytest.fixture
def browser(server):
    return Browser(server.url)


def post_json(browser, body, content_type="application/json", accept="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return browser.post("/show", data=data, headers={"Content-Type": content_type, "Accept": accept})


def test_home_renders_the_form_with_every_zone(browser, tzconvert):
    reply = browser.get("/")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    page = reply.text
    assert '<link rel="stylesheet" href="/static/custom.css">' in page
    assert '<option value="Australia/Tasmania">Tasmania</option>' in page
    # One option per location in each of the two selects; UTC preselected in both.
    assert page.count("<option") == 2 * len(tzconvert.ALL_TIME_ZONES)
    assert page.count('<option value="UTC" selected>UTC</option>') == 2
    assert re.search(r'name="dt" value="\d{4}-\d\d-\d\dT\d\d:\d\d" required', page)


def test_zone_list_is_sorted_by_location(tzconvert):
    locations = [entry["location"] for entry in tzconvert.ALL_TIME_ZONES]
    assert locations == sorted(locations)
    assert len(locations) == len(set(locations))
    assert {"location": "New Salem", "zone": "America/North_Dakota/New_Salem"} in tzconvert.ALL_TIME_ZONES


def test_stylesheet_is_served(browser):
    reply = browser.get("/static/custom.css")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/css")
    assert b"p.info" in reply.body


def test_show_converts_the_tutorial_curl_example(browser):
    reply = post_json(browser, TUTORIAL_CURL_BODY)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    # 10:28 in Hobart (UTC+11 in April 2020) is 23:28 the day before in Timbuktu (UTC+0).
    assert json.loads(reply.body) == {
        "src_dt": {"text": "Wed Apr  1 10:28:00 2020", "value": "2020-04-01T10:28"},
        "dst_dt": {"text": "Tue Mar 31 23:28:00 2020", "value": "2020-03-31T23:28"},
        "src_location": "Tasmania",
        "dst_location": "Timbuktu",
    }


def test_show_accepts_the_page_script_text_body(browser):
    # The tutorial's fetch() posts the JSON text without a JSON Content-Type.
    body = {"dt": "2021-07-01T12:00", "src": "Europe/Paris", "dst": "America/North_Dakota/New_Salem"}
    reply = post_json(browser, body, content_type="text/plain;charset=UTF-8", accept="*/*")
    assert reply.status == 200
    result = json.loads(reply.body)
    assert result["dst_dt"]["value"] == "2021-07-01T05:00"  # CEST (UTC+2) to CDT (UTC-5)
    assert result["dst_location"] == "New Salem"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "the request body is not valid JSON"),
        (b"", "the request body is not valid JSON"),
        (json.dumps([1, 2]).encode(), "expected a JSON object"),
        ({"src": "UTC", "dst": "UTC"}, "needs a non-empty string 'dt'"),
        ({"dt": "2020-01-01T00:00", "src": "UTC"}, "needs a non-empty string 'dst'"),
        ({"dt": 5, "src": "UTC", "dst": "UTC"}, "needs a non-empty string 'dt'"),
        ({"dt": "yesterday-ish", "src": "UTC", "dst": "UTC"}, "'dt' must be a date and time"),
        ({"dt": "2020-01-01T00:00", "src": "Mars/Olympus_Mons", "dst": "UTC"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({"dt": "2020-01-01T00:00", "src": "UTC", "dst": "../../etc/passwd"}, "unknown time zone"),
        ({"dt": "9999-12-31T23:59", "src": "Etc/GMT+12", "dst": "Pacific/Kiritimati"}, "cannot be converted"),
    ],
)
def test_show_answers_bad_input_with_a_400_naming_the_problem(browser, body, message):
    reply = post_json(browser, body)
    assert reply.status == 400
    problem = json.loads(reply.body)
    assert problem["code"] == 400
    assert message in problem["detail"]


def test_show_refuses_an_oversized_body(browser):
    reply = post_json(browser, b'{"dt": "' + b"1" * 10_000 + b'"}')
    assert reply.status == 400
    assert "accepts up to" in json.loads(reply.body)["detail"]


@pytest.mark.browser
def test_page_converts_in_chromium(server, page, artifacts_dir):
    page.goto(server.url + "/")
    assert not page.locator("p.info").is_visible()  # hidden until the first conversion
    page.fill('input[name="dt"]', "2020-04-01T10:28")
    page.select_option("#src", "Australia/Tasmania")
    page.select_option("#dst", "Africa/Timbuktu")
    page.click('button[type="submit"]')
    page.locator("p.info").wait_for(state="visible")
    assert page.locator("#src_location").inner_text() == "Tasmania"
    assert page.locator("#dst_location").inner_text() == "Timbuktu"
    assert page.locator("#dst_dt").get_attribute("datetime") == "2020-03-31T23:28"
    assert page.locator("#dst_dt").inner_text() == "Tue Mar 31 23:28:00 2020"
    page.screenshot(path=str(artifacts_dir / "tzconvert-result.png"), full_page=True)
