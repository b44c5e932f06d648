"""examples/erosion: the tutorial's link shortener on SQLite, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import html
import re
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from example_helpers import Browser, Reply, load_example

from clastic.testing import LiveServer
from net_helpers import free_port

LINK_ITEM = re.compile(
    r'<li class="link(?P<classes>[^"]*)" data-alias="(?P<alias>[^"]+)">.*?'
    r'<span class="target">(?P<target>[^<]*)</span>.*?'
    r'<span class="click-count">\((?P<count>\d+) / (?P<limit>[^ ]+) clicks\)</span>',
    re.S,
)


def write_config(folder: Path, host_url: str, secret: str = "") -> Path:
    path = folder / "erosion.ini"
    path.write_text(f"[erosion]\nhost_url = {host_url}\ndb_path = erosion.db\ncookie_secret = {secret}\n")
    return path


def listed(page: str) -> dict[str, dict[str, str]]:
    """alias -> {target, count, limit, classes} for every link the home page lists."""
    return {
        html.unescape(m["alias"]): {
            "target": html.unescape(m["target"]),
            "count": m["count"],
            "limit": m["limit"],
            "classes": m["classes"].split(),
        }
        for m in LINK_ITEM.finditer(page)
    }


def error_message(page: str) -> str | None:
    match = re.search(r'<p class="error" role="alert" data-field="[^"]*">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def form_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" id="{name}" value="([^"]*)"', page)
    assert match, f"no {name} input in the page"
    return html.unescape(match.group(1))


@dataclass
class Site:
    url: str
    db_path: Path
    erosion: object

    def browser(self) -> Browser:
        return Browser(self.url)

    def rows(self) -> list[tuple]:
        with closing(sqlite3.connect(self.db_path)) as conn:  # Python 3.13 warns about one left open
            return conn.execute("SELECT alias, target, expires, max_count, count FROM links ORDER BY alias").fetchall()


def submit(browser: Browser, target_url: str = "https://example.com/page", new_alias: str = "",
           expiry_time: str = "0", max_count: str = "0") -> Reply:
    form = {"target_url": target_url, "new_alias": new_alias, "expiry_time": expiry_time, "max_count": max_count}
    return browser.post("/submit", data=form)


@pytest.fixture(scope="module")
def erosion(tmp_path_factory):
    # Importing app.py builds the module-level `app` from EROSION_CONFIG: point it away from the repository.
    config = write_config(tmp_path_factory.mktemp("erosion-import"), "http://127.0.0.1:5000")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EROSION_CONFIG", str(config))
        return load_example("erosion/app.py", "examples_erosion_app")


@pytest.fixture
def site(erosion, tmp_path):
    port = free_port()
    config = write_config(tmp_path, f"http://127.0.0.1:{port}")
    with LiveServer(erosion.create_app(str(config)), port=port) as server:
        yield Site(server.url, tmp_path / "erosion.db", erosion)


def test_home_starts_empty_with_the_form(site):
    reply = site.browser().get("/")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert '<form method="POST" action="/submit" class="new">' in reply.text
    assert f'<span class="input-prefix">{site.url}/</span>' in reply.text
    assert "Recorded URLs" not in reply.text
    assert listed(reply.text) == {}


def test_stylesheet_is_served(site):
    reply = site.browser().get("/static/style.css")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/css")


def test_submit_redirects_home_with_the_notice_once(site):
    browser = site.browser()
    reply = submit(browser, "https://example.com/docs?a=1&b=2", new_alias="docs")
    assert reply.status == 303
    assert reply.headers["Location"] in {"/", f"{site.url}/"}
    home = browser.get("/").text
    assert f'Successfully created <a href="{site.url}/docs">{site.url}/docs</a>.' in home
    assert listed(home)["docs"]["target"] == "https://example.com/docs?a=1&b=2"
    # The notice travels in the signed cookie and is shown once.
    assert "Successfully created" not in browser.get("/").text


def test_alias_redirects_and_counts_clicks(site):
    browser = site.browser()
    submit(browser, "https://example.com/target", new_alias="go")
    for expected_count in ("1", "2", "3"):
        reply = browser.get("/go")
        assert reply.status == 301
        assert reply.headers["Location"] == "https://example.com/target"
        assert reply.headers["Cache-Control"] == "no-store"
        assert listed(browser.get("/").text)["go"]["count"] == expected_count


def test_alias_is_generated_when_left_empty(site):
    browser = site.browser()
    submit(browser, "https://example.com/one")
    submit(browser, "https://example.com/two")
    links = listed(browser.get("/").text)
    assert sorted(entry["target"] for entry in links.values()) == ["https://example.com/one", "https://example.com/two"]
    for alias, entry in links.items():
        assert re.fullmatch(r"[0-9a-z]+", alias)
        assert browser.get("/" + alias).headers["Location"] == entry["target"]


def test_generated_alias_skips_one_chosen_by_hand(site):
    browser = site.browser()
    storage = load_example("erosion/storage.py", "storage")  # the module app.py imports
    first_generated = storage.encode_id(storage.FIRST_ID + 1)
    submit(browser, "https://example.com/by-hand", new_alias=first_generated)
    submit(browser, "https://example.com/generated")
    links = listed(browser.get("/").text)
    assert links[first_generated]["target"] == "https://example.com/by-hand"
    assert len(links) == 2


def test_click_limit_expires_the_link(site):
    browser = site.browser()
    submit(browser, "https://example.com/once", new_alias="once", max_count="1")
    assert listed(browser.get("/").text)["once"]["limit"] == "1"
    assert browser.get("/once").status == 301
    gone = browser.get("/once")
    assert gone.status == 410
    assert "has expired" in gone.text
    entry = listed(browser.get("/").text)["once"]
    assert "expired" in entry["classes"]
    assert entry["count"] == "1"


def test_time_limit_expires_the_link(site, monkeypatch):
    # storage.py reads the time with time.time(); it gets a stopped clock moved by hand,
    # so the test checks the expiry to a tenth of a second and takes no wall-clock time.
    storage = sys.modules[site.erosion.LinkDB.__module__]  # the module app.py imported
    now = [time.time()]
    monkeypatch.setattr(storage, "time", SimpleNamespace(time=lambda: now[0]))
    browser = site.browser()
    submit(browser, "https://example.com/brief", new_alias="brief", expiry_time="1")
    now[0] += 0.9
    assert browser.get("/brief").status == 301
    now[0] += 0.2
    assert browser.get("/brief").status == 410


def test_expired_alias_is_not_reusable(site):
    browser = site.browser()
    submit(browser, "https://example.com/first", new_alias="taken", max_count="1")
    browser.get("/taken")
    reply = submit(browser, "https://example.com/second", new_alias="taken")
    assert reply.status == 409
    assert "already taken" in error_message(reply.text)


def test_unknown_alias_is_404(site):
    browser = site.browser()
    reply = browser.get("/nothing-here")
    assert reply.status == 404
    assert "No link is recorded as 'nothing-here'" in reply.text
    assert browser.get("/favicon.ico").status == 404


BAD_SUBMISSIONS = [
    pytest.param({"target_url": ""}, 400, "Enter the web URL", id="no-url"),
    pytest.param({"target_url": "   "}, 400, "Enter the web URL", id="blank-url"),
    pytest.param({"target_url": "example.com"}, 400, "is not a web URL", id="no-scheme"),
    pytest.param({"target_url": "javascript:alert(1)"}, 400, "is not a web URL", id="javascript"),
    pytest.param({"target_url": "ftp://example.com/file"}, 400, "is not a web URL", id="ftp"),
    pytest.param({"target_url": "http://"}, 400, "is not a web URL", id="no-host"),
    pytest.param({"target_url": "http://[::1"}, 400, "is not a web URL", id="broken-ipv6"),
    pytest.param({"target_url": "http://example.com:port/"}, 400, "is not a web URL", id="bad-port"),
    pytest.param({"target_url": "http://exa mple.com/"}, 400, "spaces or control characters", id="space"),
    pytest.param({"target_url": "https://example.com/" + "a" * 2100}, 400, "the limit is 2048", id="too-long"),
    pytest.param({"new_alias": "has space"}, 400, "cannot be an alias", id="alias-space"),
    pytest.param({"new_alias": "../etc"}, 400, "cannot be an alias", id="alias-dots"),
    pytest.param({"new_alias": "_meta"}, 400, "cannot be an alias", id="alias-underscore-first"),
    pytest.param({"new_alias": "a" * 65}, 400, "cannot be an alias", id="alias-too-long"),
    pytest.param({"new_alias": "static"}, 400, "is a page of this site", id="alias-static"),
    pytest.param({"new_alias": "Submit"}, 400, "is a page of this site", id="alias-submit"),
    pytest.param({"new_alias": "kept"}, 409, "The alias 'kept' is already taken", id="alias-taken"),
    pytest.param({"expiry_time": "soon"}, 400, "Time expiration (in seconds) must be a whole number", id="expiry-text"),
    pytest.param(
        {"expiry_time": "-5"}, 400, "Time expiration (in seconds) must be a whole number", id="expiry-negative"
    ),
    pytest.param(
        {"expiry_time": "9" * 30}, 400, "Time expiration (in seconds) must be a whole number", id="expiry-huge"
    ),
    pytest.param({"max_count": "lots"}, 400, "Click expiration must be a whole number", id="clicks-text"),
    pytest.param({"max_count": ""}, 400, "Click expiration must be a whole number", id="clicks-empty"),
    pytest.param({"max_count": "9" * 30}, 400, "Click expiration must be a whole number", id="clicks-huge"),
]


@pytest.mark.parametrize(("fields", "status", "message"), BAD_SUBMISSIONS)
def test_bad_submission_gives_the_form_back_and_loses_nothing(site, fields, status, message):
    browser = site.browser()
    submit(browser, "https://example.com/kept", new_alias="kept")
    browser.get("/kept")
    before = site.rows()
    form = {"target_url": "https://example.com/new", "new_alias": "", "expiry_time": "0", "max_count": "0"} | fields
    reply = submit(browser, **form)
    assert reply.status == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert message in error_message(reply.text)
    # The form comes back filled in, with the links still listed.
    assert '<form method="POST" action="/submit" class="new">' in reply.text
    assert form_value(reply.text, "target_url") == form["target_url"]
    assert form_value(reply.text, "new_alias") == form["new_alias"]
    assert "kept" in listed(reply.text)
    assert site.rows() == before
    assert browser.get("/kept").headers["Location"] == "https://example.com/kept"


def test_submission_without_fields_is_a_400(site):
    reply = site.browser().post("/submit", data={})
    assert reply.status == 400
    assert "Enter the web URL" in error_message(reply.text)
    assert site.rows() == []


def test_submit_accepts_post_only(site):
    # GET /submit falls through to the alias route; "submit" can never be an alias.
    assert site.browser().get("/submit").status == 404


def test_cookie_remembers_the_visitors_links(site):
    mine, theirs = site.browser(), site.browser()
    submit(mine, "https://example.com/mine", new_alias="mine")
    submit(theirs, "https://example.com/theirs", new_alias="theirs")
    my_view = listed(mine.get("/").text)
    their_view = listed(theirs.get("/").text)
    assert "mine" in my_view["mine"]["classes"] and "mine" not in my_view["theirs"]["classes"]
    assert "mine" in their_view["theirs"]["classes"] and "mine" not in their_view["mine"]["classes"]
    cookie = next(c for c in mine.cookies if c.name == "clastic_cookie")
    assert cookie.has_nonstandard_attr("HttpOnly")


def test_tampered_cookie_is_ignored(site):
    browser = site.browser()
    submit(browser, "https://example.com/mine", new_alias="mine")
    cookie = next(c for c in browser.cookies if c.name == "clastic_cookie")
    cookie.value = cookie.value[:-4] + ("AAAA" if not cookie.value.endswith("AAAA") else "BBBB")
    reply = browser.get("/")
    assert reply.status == 200
    assert "mine" not in listed(reply.text)["mine"]["classes"]


def test_cookie_secret_is_shared_through_the_database(erosion, tmp_path):
    # Two Applications on one database (two worker processes) accept each other's cookies.
    port = free_port()
    config = write_config(tmp_path, f"http://127.0.0.1:{port}")
    first, second = erosion.create_app(str(config)), erosion.create_app(str(config))
    with LiveServer(first, port=port) as server_one:
        browser = Browser(server_one.url)
        submit(browser, "https://example.com/shared", new_alias="shared")
    with LiveServer(second, port=port) as server_two:
        assert Browser(server_two.url).get("/").status == 200
        browser.base_url = server_two.url
        assert "mine" in listed(browser.get("/").text)["shared"]["classes"]


def test_configured_cookie_secret_is_used(erosion, tmp_path):
    port = free_port()
    signed_by_a = write_config(tmp_path, f"http://127.0.0.1:{port}", secret="secret-a")
    with LiveServer(erosion.create_app(str(signed_by_a)), port=port) as server:
        browser = Browser(server.url)
        submit(browser, "https://example.com/a", new_alias="a")
        assert "mine" in listed(browser.get("/").text)["a"]["classes"]
    signed_by_b = write_config(tmp_path, f"http://127.0.0.1:{port}", secret="secret-b")
    with LiveServer(erosion.create_app(str(signed_by_b)), port=port):
        assert "mine" not in listed(browser.get("/").text)["a"]["classes"]


def test_missing_config_file_is_a_clear_error(erosion, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"configuration file .*nowhere\.ini.* does not exist"):
        erosion.create_app(str(tmp_path / "nowhere.ini"))
